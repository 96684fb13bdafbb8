import { METRIC_ALARM, SNS_TOPIC, TopicSeverities, SEVERITY_RANK, deliveries, evaluatedMetric, isAwsNamespace, reachedSeverity, resolveTopic } from "../lib/alarms";
import {
  BRIDGE_HANDLER,
  Bridge,
  BridgeDocument,
  LAMBDA_FUNCTION,
  SSM_PARAMETER,
  bridgesOf,
  constantlyFalse,
  effectiveIntervalSeconds,
  environmentNames,
  functionRole,
  isDocument,
  parameterArnMatches,
  reservedConcurrency,
  scheduleProblem,
  schedulesOf,
} from "../lib/bridges";
import { StackResource, UnknownInputError, dependsOn, stackPolicy } from "../lib/define";
import { resolveKey } from "../lib/keys";
import { Statement, conditionsOn, coversAction, coversResource, grantedActions, isAllow, pinsExactly, statementLabel } from "../lib/policyDocument";
import { RoleGrants, roleGrants } from "../lib/roles";
import { currentStack } from "../lib/stack";
import { anyGlobMatch } from "../lib/glob";
import { Plain, asRecord, isUnknown, knownNumber, knownString } from "../lib/values";
import { swallowedFailures } from "../lib/workflow/checks";
import { conditionIn, flagValue } from "../lib/workflow/expression";
import { cachedWorkflow, workflowPathOf } from "../lib/workflow/files";
import { WorkflowParseError } from "../lib/workflow/model";
import { allCommandsOfStep } from "../lib/workflow/roles";
import { commandsOf, invocation, programOf } from "../lib/shell/syntax";
import { putMetricNames } from "../lib/putMetricData";
import { isDeployRole } from "./iam";
import { CODEBUILD_PROJECT, buildspecText, projectRole, projectVariable, scheduleEnabled, schedulesOf as jobSchedulesOf } from "../lib/recovery";
import { parse } from "yaml";

const TOPICS = ["monitoring", "alerts", "metrics-bridge"];
const SPEC_MONITOR =
  'Spec, Monitoring & Alerts: "Error rate | PostHog | > 2% for 5 min"; "API response time p95 | Railway | > 1s for 10 min"; "Database CPU | Railway | > 85% for 30 min"; "Disk space | Railway | > 80%"';
const SPEC_WATCH =
  'Spec, Post-Deployment Monitoring: "Watch error rate for 1 hour after production deploy; Compare with baseline (pre-deploy error rate); If errors spike > 2x baseline → investigate immediately"; Change Log: "Added automated rollback on error rate > 5%"; When to Rollback: "Error rate > 5% for 5 minutes"';
const REPOSITORY_FILE = "github:index/repositoryFile:RepositoryFile";

function sameDimensions(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => b[key] === a[key]);
}

/** Whether a role's documents allow cloudwatch:PutMetricData into `namespace` (no namespace condition, or one that admits it). */
function mayPublishTo(grants: RoleGrants, namespace: string): boolean {
  return grants.permissions.some(
    (source) =>
      source.document.kind === "document" &&
      source.document.statements.some((statement) => {
        if (!isAllow(statement) || !coversAction(statement, "cloudwatch:PutMetricData") || !coversResource(statement, "*")) return false;
        const conditions = conditionsOn(statement, "cloudwatch:namespace");
        return conditions.every((condition) => condition.values.some((value) => value === namespace || (condition.test === "stringlike" && new RegExp(`^${value.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`).test(namespace))));
      }),
  );
}

/**
 * Whether a schedule's execution role may invoke its target: EventBridge Scheduler calls the target with that
 * role, which needs lambda:InvokeFunction on the function ("Set up the execution role",
 * https://docs.aws.amazon.com/scheduler/latest/UserGuide/setting-up.html). A role with AWS managed policies
 * attached is given the benefit of the doubt (the least-privilege policies judge those).
 */
function scheduleMayInvoke(schedule: StackResource, grants: RoleGrants[]): boolean {
  const target = asRecord(schedule.props["target"]);
  const roleArn = knownString(target?.["roleArn"]);
  const functionArn = knownString(target?.["arn"]);
  // During preview of a first deploy the function's ARN (and the policy built from it) is not known yet.
  if (functionArn === undefined) return isUnknown(target?.["arn"]);
  const role = grants.find((candidate) => (roleArn !== undefined ? roleArn.endsWith(`:role/${candidate.roleName}`) : dependsOn(schedule, candidate.role.urn, "target")));
  if (!role) return false;
  if (role.managedPolicies.length > 0 || role.unresolved.length > 0 || role.permissions.some((source) => source.document.kind === "unknown")) return true;
  return role.permissions.some((source) => source.document.kind === "document" && source.document.statements.some((statement) => isAllow(statement) && coversAction(statement, "lambda:InvokeFunction") && coversResource(statement, functionArn)));
}

/** Why a bridge cannot be running its publishing at all, or undefined. */
function bridgeRunProblem(bridge: Bridge, resources: StackResource[], grants: RoleGrants[], namespace: string): string | undefined {
  if (reservedConcurrency(bridge.function) === 0) return `${bridge.functionName} has reservedConcurrentExecutions 0: it never runs`;
  const redirect = environmentNames(bridge.function).filter((name) => /^AWS_ENDPOINT_URL/i.test(name));
  if (redirect.length > 0) return `${bridge.functionName} sets ${redirect.join(", ")}: its AWS calls go elsewhere than CloudWatch`;
  // Code run before or instead of the handler: NODE_OPTIONS (--require, --import) and a wrapper script
  // (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-modify.html).
  const preloads = environmentNames(bridge.function).filter((name) => /^(NODE_OPTIONS|AWS_LAMBDA_EXEC_WRAPPER)$/i.test(name));
  if (preloads.length > 0) return `${bridge.functionName} sets ${preloads.join(", ")}: other code runs before or instead of the bridge`;
  const handler = knownString(bridge.function.props["handler"]);
  if (handler !== undefined && handler !== BRIDGE_HANDLER) return `${bridge.functionName} runs ${handler}, not the bridge's ${BRIDGE_HANDLER}`;
  const schedules = schedulesOf(bridge, resources).filter((schedule) => scheduleProblem(schedule) === undefined);
  if (schedules.length === 0) return `no enabled EventBridge Scheduler schedule of this stack invokes ${bridge.functionName}`;
  if (!schedules.some((schedule) => scheduleMayInvoke(schedule, grants))) return `no schedule of ${bridge.functionName} runs as a role of this stack allowed lambda:InvokeFunction on it`;
  const role = functionRole(bridge, grants);
  if (!role) return `${bridge.functionName} runs as a role this stack does not declare`;
  if (!mayPublishTo(role, namespace)) return `${bridge.functionName}'s role ${role.roleName} may not cloudwatch:PutMetricData into ${namespace}`;
  return undefined;
}

const ERROR_RATE = "ErrorRate";

function countsNoErrors(document: BridgeDocument): boolean {
  return document.errors?.where !== undefined && constantlyFalse(document.errors.where);
}

/** 0 requests is "no traffic": the bridge publishes no ErrorRate at all, so the alarm never sees a datum. */
function countsNoRequests(document: BridgeDocument): boolean {
  return document.requests?.where !== undefined && constantlyFalse(document.requests.where);
}

const FEATURE_FLAG = "pulumi-nodejs:dynamic/posthog:FeatureFlag";

function posthogProject(host: string | undefined, projectId: number | undefined): string | undefined {
  return host === undefined || projectId === undefined ? undefined : `project ${projectId} at ${host.trim().toLowerCase().replace(/\/+$/, "")}`;
}

/** Why a bridge's ErrorRate can never show errors, if it cannot. */
function errorRateMuted(bridge: Bridge & { document: BridgeDocument }, resources: StackResource[]): string | undefined {
  if (countsNoErrors(bridge.document)) return `${bridge.functionName} counts no errors (its error definition's condition is always false), so its ErrorRate is always 0`;
  if (countsNoRequests(bridge.document)) return `${bridge.functionName} counts no requests (its request definition's condition is always false), so it never publishes an ErrorRate`;
  // The stack's feature flags live in the product's PostHog project (the one its events go to); a bridge
  // reading another project reads no traffic.
  const product = new Set(resources.filter((resource) => resource.type === FEATURE_FLAG).map((flag) => posthogProject(knownString(flag.props["host"]), knownNumber(flag.props["projectId"]))).filter((project): project is string => project !== undefined));
  const reads = posthogProject(bridge.document.posthog?.host, bridge.document.posthog?.projectId);
  if (product.size > 0 && reads !== undefined && !product.has(reads)) return `${bridge.functionName} reads PostHog ${reads}, not the product's ${[...product].join(", ")} where the stack's feature flags are`;
  return undefined;
}

/**
 * Metric names a workflow of the stack publishes: a step's parsed commands (not comments) put them
 * (lib/putMetricData.ts), in a step and job whose `if:` can hold on some outcome.
 */
function workflowPublishedMetrics(resources: StackResource[]): Set<string> {
  const names = new Set<string>();
  for (const file of resources) {
    const path = file.type === REPOSITORY_FILE ? workflowPathOf(file.props["file"]) : undefined;
    const content = knownString(file.props["content"]);
    if (path === undefined || content === undefined || !content.includes("put-metric-data")) continue;
    const workflow = cachedWorkflow(path, content);
    if (workflow instanceof WorkflowParseError) continue;
    const mayRun = (condition: Plain | undefined) => (["success", "failure", "cancelled"] as const).some((outcome) => conditionIn(condition, { outcome, events: workflow.triggers }) !== false);
    for (const job of workflow.jobs) {
      if (!mayRun(job.if)) continue;
      for (const step of job.steps.filter((candidate) => mayRun(candidate.if))) {
        for (const name of putMetricNames(allCommandsOfStep(step))) names.add(name);
      }
    }
  }
  return names;
}

/**
 * Metrics a scheduled job of the stack publishes into `namespace`: a CodeBuild project started by an
 * enabled schedule, whose role may put metric data there, whose METRICS_NAMESPACE is `namespace`, and
 * whose buildspec's commands put the metric (lib/putMetricData.ts). The backups and the restore drill
 * publish this way; what they publish and when is judged by the recovery-* policies.
 */
function jobPublishedMetrics(resources: StackResource[], grants: RoleGrants[], namespace: string): Set<string> {
  const names = new Set<string>();
  for (const project of resources) {
    if (project.type !== CODEBUILD_PROJECT || projectVariable(project, "METRICS_NAMESPACE") !== namespace) continue;
    const script = buildspecText(project);
    const role = projectRole(project, grants);
    if (!script.includes("put-metric-data") || role === undefined || !mayPublishTo(role, namespace)) continue;
    if (!jobSchedulesOf(project, resources).some(scheduleEnabled)) continue;
    // Its --namespace: the variable the project sets to `namespace` (checked above), or `namespace` itself.
    const intoNamespace = (value: string) => value === namespace || /^\$\{?METRICS_NAMESPACE\}?$/.test(value);
    for (const name of putMetricNames(commandsOf(script), intoNamespace)) names.add(name);
  }
  return names;
}

export const alarmMetricPublished = stackPolicy(
  {
    name: "metrics-alarm-metric-published",
    description:
      "Every alarm on a metric of the stack's own namespace watches something this stack publishes: a metrics bridge (a Lambda function whose FLIGHTDECK_BRIDGE document lists the metric, name, dimensions and namespace, " +
      "run by an enabled schedule, able to run, with a role allowed cloudwatch:PutMetricData there), a deploy workflow the stack commits that runs `aws cloudwatch put-metric-data --metric-name` for it with a deploy role allowed to, or a scheduled job (a CodeBuild project an enabled schedule starts, such as the backups and the restore drill) whose buildspec puts that metric into the namespace with a role allowed to. " +
      `An alarm nothing feeds sits in INSUFFICIENT_DATA or OK forever and pages nobody. ${SPEC_MONITOR}.`,
    severity: "critical",
    remediation: [
      "Declare flightdeck:metricsBridge (PostHog and Railway ids) so the stack deploys the bridge that publishes ErrorRate, ApiLatency, DatabaseCPUUtilization and DiskUsedPercent.",
      "Keep the bridge's schedule ENABLED (no endDate, no startDate still to come) with an execution role allowed lambda:InvokeFunction on the bridge, its role's cloudwatch:PutMetricData for the namespace, its handler index.handler, and no reservedConcurrentExecutions of 0, AWS_ENDPOINT_URL*, NODE_OPTIONS or AWS_LAMBDA_EXEC_WRAPPER in its environment.",
      "Alarm only on metrics with their published dimensions; DeploymentFailed comes from the deploy workflows' audit step.",
      "Keep metricsBridge.posthog.errors.where and requests.where real conditions: one that is always false (1 = 0, false, …) mutes ErrorRate.",
      "Point metricsBridge.posthog at the product's PostHog project (the host and projectId of featureFlags.posthog).",
    ],
    topics: TOPICS,
  },
  {
    requires: METRIC_ALARM,
    validate(resources, _settings, report) {
      const grants = roleGrants(resources);
      const bridges = bridgesOf(resources);
      const unknown = bridges.filter((bridge) => !isDocument(bridge.document));
      const fromWorkflows = workflowPublishedMetrics(resources);
      const workflowRoles = grants.filter(isDeployRole);
      // Per namespace: every alarm of the stack reads the same few.
      const fromJobs = new Map<string, Set<string>>();
      const unpublished: { alarm: StackResource; text: string; why: string[] }[] = [];
      for (const alarm of resources) {
        if (alarm.type !== METRIC_ALARM) continue;
        const metric = evaluatedMetric(alarm);
        const reads = metric?.shape === "metric" ? [{ namespace: metric.namespace, metricName: metric.metricName, dimensions: metric.dimensions, unit: metric.unit }] : (metric?.reads ?? []).map((read) => ({ ...read, dimensions: undefined, unit: undefined }));
        for (const read of reads) {
          if (read.namespace === undefined || read.metricName === undefined || isAwsNamespace(read.namespace)) continue;
          const { namespace, metricName, dimensions, unit } = read;
          const published = bridges.some((bridge) => {
            if (!isDocument(bridge.document) || bridge.document.namespace !== namespace) return false;
            // Datapoints of each unit are aggregated separately, and an alarm whose unit is not the one published
            // is stuck in INSUFFICIENT_DATA (PutMetricAlarm, Unit:
            // https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html).
            const listed = bridge.document.metrics.some((candidate) => candidate.metricName === metricName && (dimensions === undefined || sameDimensions(candidate.dimensions, dimensions)) && (unit === undefined || candidate.unit === unit));
            return listed && bridgeRunProblem(bridge, resources, grants, namespace) === undefined && !(metricName === ERROR_RATE && errorRateMuted({ ...bridge, document: bridge.document }, resources) !== undefined);
          });
          const undimensioned = dimensions === undefined || Object.keys(dimensions).length === 0;
          const byWorkflow = fromWorkflows.has(metricName) && undimensioned && workflowRoles.some((role) => mayPublishTo(role, namespace));
          if (!fromJobs.has(namespace)) fromJobs.set(namespace, jobPublishedMetrics(resources, grants, namespace));
          const byJob = undimensioned && fromJobs.get(namespace)!.has(metricName);
          if (published || byWorkflow || byJob) continue;
          if (unknown.length > 0) throw new UnknownInputError(`${unknown[0]!.function.urn} environment`);
          const why = bridges
            .filter((bridge) => isDocument(bridge.document) && bridge.document.namespace === namespace)
            .map((bridge) => bridgeRunProblem(bridge, resources, grants, namespace) ?? (metricName === ERROR_RATE && isDocument(bridge.document) ? errorRateMuted({ ...bridge, document: bridge.document }, resources) : undefined))
            .filter((problem): problem is string => problem !== undefined);
          const dims = dimensions && Object.keys(dimensions).length > 0 ? ` with ${JSON.stringify(dimensions)}` : "";
          const units = unit !== undefined ? ` in ${unit}` : "";
          unpublished.push({ alarm, text: `alarm ${alarm.name} watches ${namespace}/${metricName}${dims}${units}`, why });
        }
      }
      if (unpublished.length === 0) return;
      // One violation listing every alarm nothing feeds, and why the stack's bridges do not.
      const why = [...new Set(unpublished.flatMap((entry) => entry.why))];
      report(
        `nothing in this stack publishes what these alarms watch: ${unpublished.map((entry) => entry.text).join("; ")}${why.length > 0 ? ` (${why.join("; ")})` : ""}`,
        unpublished.length === 1 ? unpublished[0]!.alarm.urn : undefined,
      );
    },
  },
);

/** The alarms on metrics a bridge publishes, with their period. */
function alarmsOnBridge(document: BridgeDocument, resources: StackResource[]): { alarm: StackResource; period: number }[] {
  return resources.flatMap((alarm) => {
    if (alarm.type !== METRIC_ALARM) return [];
    const metric = evaluatedMetric(alarm);
    if (!metric || metric.namespace !== document.namespace || !document.metrics.some((candidate) => candidate.metricName === metric.metricName)) return [];
    return metric.period === undefined ? [] : [{ alarm, period: metric.period }];
  });
}

export const bridgeScheduleWithinAlarmPeriod = stackPolicy(
  {
    name: "metrics-bridge-schedule-within-alarm-period",
    description:
      "Each metrics bridge runs at least once per period of the shortest alarm on what it publishes, and finishes within it: an enabled schedule whose longest gap (its rate or cron, plus any flexible window) is at most that period, " +
      "and a function timeout below it; each datum measures at most one such period, at most one period late. A bridge that runs less often leaves periods without data, which the alarms read as missing, never as a breach. " +
      `${SPEC_MONITOR}.`,
    severity: "high",
    remediation: [
      "Set flightdeck:metricsBridge.scheduleMinutes to at most the shortest alarm period (1 minute for the spec's table).",
      "Keep metricsBridge.windowSeconds and lagSeconds at most the shortest alarm period (60 s): one datum per period, at most one period late.",
      "Keep the schedule's flexibleTimeWindow mode OFF, its state ENABLED, and no endDate.",
    ],
    topics: TOPICS,
  },
  {
    requires: LAMBDA_FUNCTION,
    validate(resources, _settings, report) {
      for (const bridge of bridgesOf(resources)) {
        if (!isDocument(bridge.document)) {
          if ("unknown" in bridge.document) throw new UnknownInputError(`${bridge.function.urn} environment`);
          report(`${bridge.functionName}: ${bridge.document.invalid}`, bridge.function.urn);
          continue;
        }
        const alarms = alarmsOnBridge(bridge.document, resources);
        if (alarms.length === 0) continue;
        const shortest = Math.min(...alarms.map((entry) => entry.period));
        const schedules = schedulesOf(bridge, resources);
        const problems: string[] = [];
        let fastest: number | undefined;
        for (const schedule of schedules) {
          const stopped = scheduleProblem(schedule);
          const interval = effectiveIntervalSeconds(schedule);
          if (stopped !== undefined) problems.push(`schedule ${schedule.name} ${stopped}`);
          else if (typeof interval === "string") problems.push(`schedule ${schedule.name}: ${interval}`);
          else fastest = fastest === undefined ? interval : Math.min(fastest, interval);
        }
        if (fastest === undefined) {
          report(`${bridge.functionName} is run by no enabled schedule this pack can judge${problems.length > 0 ? ` (${problems.join("; ")})` : ""}`, bridge.function.urn);
          continue;
        }
        if (fastest > shortest) {
          const alarm = alarms.find((entry) => entry.period === shortest)!.alarm;
          report(`${bridge.functionName} runs at most every ${fastest} s; alarm ${alarm.name} evaluates ${shortest} s periods`, bridge.function.urn);
        }
        // Each datum must describe one alarm period, and arrive within one: a longer window averages a spike
        // away (5 minutes at 8% inside an hour reads as under 1%), a longer lag leaves the latest periods empty.
        const shortestAlarm = alarms.find((entry) => entry.period === shortest)!.alarm;
        const { windowSeconds, lagSeconds } = bridge.document;
        if (windowSeconds === undefined || windowSeconds > shortest) report(`${bridge.functionName} measures ${windowSeconds ?? "an unknown number of"} s per datum; alarm ${shortestAlarm.name} evaluates ${shortest} s periods, so a spike is averaged away`, bridge.function.urn);
        if (lagSeconds === undefined || lagSeconds > shortest) report(`${bridge.functionName} measures ${lagSeconds ?? "an unknown number of"} s behind the present; alarm ${shortestAlarm.name} evaluates ${shortest} s periods, so the latest ones have no data`, bridge.function.urn);
        // terraform-provider-aws lambda_function: timeout "Defaults to 3".
        const timeout = knownNumber(bridge.function.props["timeout"]) ?? 3;
        if (timeout >= fastest) report(`${bridge.functionName} may run ${timeout} s, as long as its ${fastest} s interval: runs would overlap`, bridge.function.urn);
      }
    },
  },
);

interface FailureSettings extends TopicSeverities {
  maxHeartbeatGapSeconds: number;
  maxFailedRuns: number;
}

/** Whether an alarm fires when its metric's value is `value` (the comparison and threshold only). */
function firesAt(alarm: StackResource, value: number): boolean {
  const threshold = knownNumber(alarm.props["threshold"]);
  if (threshold === undefined) return false;
  switch (knownString(alarm.props["comparisonOperator"])) {
    case "GreaterThanThreshold":
      return value > threshold;
    case "GreaterThanOrEqualToThreshold":
      return value >= threshold;
    case "LessThanThreshold":
      return value < threshold;
    case "LessThanOrEqualToThreshold":
      return value <= threshold;
    default:
      return false;
  }
}

function actionsEnabled(alarm: StackResource): boolean {
  return alarm.props["actionsEnabled"] !== false;
}

export const bridgeFailureAlarmed = stackPolicy<FailureSettings>(
  {
    name: "metrics-bridge-failure-alarmed",
    description:
      "A bridge that stops, or cannot read a source, is visible: an alarm on its heartbeat that fires when no heartbeat arrived for at most 5 minutes (missing data breaching, a sum below 1), " +
      "and per source an alarm on its failure flag that fires after at most 3 failed runs; each reaches at least the warning channel (Slack #alerts through Chatbot) with its actions enabled. " +
      `Otherwise an outage of the feed reads as a quiet, healthy system. ${SPEC_MONITOR}; Alert Channels: "Warning (performance degradation): Slack #alerts".`,
    severity: "high",
    remediation: [
      "Keep the bridge's heartbeat alarm: Sum of BridgeHeartbeat < 1 over periods covering at most 5 minutes, treatMissingData breaching, notifying the warning topic.",
      "Keep one BridgeSourceFailed alarm per source (dimension Source), ≥ 1 for at most 3 runs, notifying the warning topic.",
    ],
    topics: TOPICS,
  },
  {
    config: {
      defaults: { criticalTopics: ["*-critical"], warningTopics: ["*-warning"], infoTopics: ["*-info"], maxHeartbeatGapSeconds: 300, maxFailedRuns: 3 },
      schema: {
        criticalTopics: { type: "array", items: { type: "string" }, minItems: 1, description: "Globs matching the critical topic's name." },
        warningTopics: { type: "array", items: { type: "string" }, minItems: 1, description: "Globs matching the warning topic's name." },
        infoTopics: { type: "array", items: { type: "string" }, minItems: 1, description: "Globs matching the info topic's name." },
        maxHeartbeatGapSeconds: { type: "integer", minimum: 60, description: "Longest time without a heartbeat before the alarm fires." },
        maxFailedRuns: { type: "integer", minimum: 1, description: "Most consecutive failed runs of one source before its alarm fires." },
      },
    },
    requires: LAMBDA_FUNCTION,
    validate(resources, settings, report) {
      const topics = resources.filter((r) => r.type === SNS_TOPIC);
      const delivery = deliveries(resources);
      const alarms = resources.filter((r) => r.type === METRIC_ALARM);
      const reaches = (alarm: StackResource) => {
        const reached = reachedSeverity(alarm, topics, delivery, settings);
        return reached !== undefined && SEVERITY_RANK[reached] >= SEVERITY_RANK.warning && actionsEnabled(alarm);
      };
      for (const bridge of bridgesOf(resources)) {
        if (!isDocument(bridge.document)) {
          if ("unknown" in bridge.document) throw new UnknownInputError(`${bridge.function.urn} environment`);
          continue;
        }
        const { namespace, heartbeat, sourceFailed, sources } = bridge.document;
        const on = (metricName: string, dimensions: Record<string, string>) =>
          alarms.filter((alarm) => {
            const metric = evaluatedMetric(alarm);
            return metric?.shape === "metric" && metric.namespace === namespace && metric.metricName === metricName && sameDimensions(metric.dimensions, dimensions);
          });
        const heartbeatOk = (alarm: StackResource) => {
          const metric = evaluatedMetric(alarm)!;
          const periods = knownNumber(alarm.props["evaluationPeriods"]) ?? 1;
          const datapoints = knownNumber(alarm.props["datapointsToAlarm"]) ?? periods;
          return (
            metric.statistic === "Sum" &&
            knownString(alarm.props["treatMissingData"]) === "breaching" &&
            firesAt(alarm, 0) &&
            (metric.period ?? Infinity) * datapoints <= settings.maxHeartbeatGapSeconds &&
            datapoints <= periods &&
            reaches(alarm)
          );
        };
        const findings: string[] = [];
        if (heartbeat === undefined || !on(heartbeat, {}).some(heartbeatOk)) {
          findings.push(`no alarm fires within ${settings.maxHeartbeatGapSeconds} s of a missing ${heartbeat ?? "heartbeat"} (Sum < 1, treatMissingData breaching, reaching #alerts or a page)`);
        }
        const interval = Math.min(...schedulesOf(bridge, resources).map((schedule) => effectiveIntervalSeconds(schedule)).filter((value): value is number => typeof value === "number"), Infinity);
        for (const source of sources) {
          const failedOk = (alarm: StackResource) => {
            const metric = evaluatedMetric(alarm)!;
            const periods = knownNumber(alarm.props["evaluationPeriods"]) ?? 1;
            const datapoints = knownNumber(alarm.props["datapointsToAlarm"]) ?? periods;
            const runsPerPeriod = Number.isFinite(interval) ? Math.max(1, (metric.period ?? 0) / interval) : Infinity;
            return firesAt(alarm, 1) && !firesAt(alarm, 0) && datapoints <= periods && datapoints * runsPerPeriod <= settings.maxFailedRuns && reaches(alarm);
          };
          if (sourceFailed === undefined || !on(sourceFailed.metricName, { [sourceFailed.dimension]: source }).some(failedOk)) {
            findings.push(`no alarm fires after ${settings.maxFailedRuns} failed runs reading ${source} (${sourceFailed?.metricName ?? "source failure"} ≥ 1, reaching #alerts or a page)`);
          }
        }
        if (findings.length > 0) report(`${bridge.functionName}: ${findings.join("; ")}`, bridge.function.urn);
      }
    },
  },
);

interface WatchSettings {
  stacks: string[];
  minWindowMinutes: number;
  minBaselineMinutes: number;
  maxEvaluationMinutes: number;
  maxPageFactor: number;
  maxRollbackErrorRatePercent: number;
  maxMinRequests: number;
  maxMinErrors: number;
  maxBaselineFloorPercent: number;
  criticalTopics: string[];
}

export const watchThresholdsWithinSpec = stackPolicy<WatchSettings>(
  {
    name: "metrics-watch-thresholds-within-spec",
    description:
      "Production watches every deploy no more loosely than the spec: a metrics bridge with the post-deployment watch, watching at least 60 minutes against at least the hour before, paging above at most 2× the baseline " +
      "and dispatching the rollback above at most 5% over at most 5 minutes, with evidence floors that cannot mute it (minimum requests, minimum errors, baseline floor no higher than configured), " +
      "paging a critical topic of the stack, reading a record the deploy workflow writes (a deploy role may put exactly that parameter) and dispatching a workflow the stack commits. " +
      `${SPEC_WATCH}.`,
    severity: "high",
    remediation: [
      "Set flightdeck:metricsBridge.watch in the production stack (windowMinutes ≥ 60, baselineMinutes ≥ 60, evaluationMinutes ≤ 5, pageFactor ≤ 2, rollbackErrorRatePercent ≤ 5).",
      "Keep minRequests, minErrors and baselineFloorPercent at or below the pack's maxima (100 requests, 5 errors, 1%).",
      "Keep the deploy role's ssm:PutParameter on the watch record and the rollback workflow committed by the stack.",
      "Keep the deploy job's watch step (aws ssm put-parameter of the record) running whenever the deploy succeeds: if: success() or absent, no continue-on-error, no `|| true`.",
    ],
    topics: TOPICS,
  },
  {
    config: {
      defaults: {
        stacks: ["production"],
        minWindowMinutes: 60,
        minBaselineMinutes: 60,
        maxEvaluationMinutes: 5,
        maxPageFactor: 2,
        maxRollbackErrorRatePercent: 5,
        maxMinRequests: 100,
        maxMinErrors: 5,
        maxBaselineFloorPercent: 1,
        criticalTopics: ["*-critical"],
      },
      schema: {
        stacks: { type: "array", items: { type: "string" }, description: "Stacks whose deploys must be watched." },
        minWindowMinutes: { type: "number", minimum: 1, description: "Shortest watch after a deploy (the spec: 1 hour)." },
        minBaselineMinutes: { type: "number", minimum: 1, description: "Shortest pre-deploy baseline (the hour before)." },
        maxEvaluationMinutes: { type: "number", minimum: 1, description: "Longest window each verdict averages (the spec: 5 minutes)." },
        maxPageFactor: { type: "number", exclusiveMinimum: 0, description: "Highest multiple of the baseline before a page (the spec: 2×)." },
        maxRollbackErrorRatePercent: { type: "number", exclusiveMinimum: 0, description: "Highest error rate before the automatic rollback (the spec: 5%)." },
        maxMinRequests: { type: "number", minimum: 1, description: "Highest minimum request count a verdict may require." },
        maxMinErrors: { type: "number", minimum: 1, description: "Highest minimum error count a page or rollback may require." },
        maxBaselineFloorPercent: { type: "number", minimum: 0, description: "Highest error rate a quiet baseline may count as." },
        criticalTopics: { type: "array", items: { type: "string" }, minItems: 1, description: "Globs matching the critical topic's name." },
      },
    },
    validate(resources, settings, report) {
      if (!settings.stacks.includes(currentStack())) return;
      const bridges = bridgesOf(resources);
      const unknown = bridges.find((bridge) => "unknown" in bridge.document);
      if (unknown) throw new UnknownInputError(`${unknown.function.urn} environment`);
      const watched = bridges.filter((bridge): bridge is Bridge & { document: BridgeDocument } => isDocument(bridge.document) && bridge.document.watch !== undefined);
      if (watched.length === 0) {
        report("no metrics bridge of this stack watches production deploys (flightdeck:metricsBridge.watch): nobody compares the error rate with its baseline after a deploy, and nothing rolls back at 5%");
        return;
      }
      const topics = resources.filter((r) => r.type === SNS_TOPIC);
      const grants = roleGrants(resources);
      const workflowFiles = resources.filter((r) => r.type === REPOSITORY_FILE);
      for (const bridge of watched) {
        const watch = bridge.document.watch!;
        const n = watch.numbers;
        const findings: string[] = [];
        const bound = (key: string, ok: (value: number) => boolean, need: string) => {
          const value = n[key];
          if (value === undefined || !ok(value)) findings.push(`watch ${key} is ${value ?? "not set"}; the spec needs ${need}`);
        };
        bound("windowMinutes", (v) => v >= settings.minWindowMinutes, `at least ${settings.minWindowMinutes}`);
        bound("baselineMinutes", (v) => v >= settings.minBaselineMinutes, `at least ${settings.minBaselineMinutes}`);
        bound("evaluationMinutes", (v) => v > 0 && v <= settings.maxEvaluationMinutes, `at most ${settings.maxEvaluationMinutes}`);
        bound("pageFactor", (v) => v > 0 && v <= settings.maxPageFactor, `at most ${settings.maxPageFactor}`);
        bound("rollbackErrorRatePercent", (v) => v > 0 && v <= settings.maxRollbackErrorRatePercent, `at most ${settings.maxRollbackErrorRatePercent}`);
        bound("minRequests", (v) => v <= settings.maxMinRequests, `at most ${settings.maxMinRequests}`);
        bound("minErrors", (v) => v <= settings.maxMinErrors, `at most ${settings.maxMinErrors}`);
        bound("baselineFloorPercent", (v) => v >= 0 && v <= settings.maxBaselineFloorPercent, `at most ${settings.maxBaselineFloorPercent}`);
        const topic = watch.criticalTopicArn === undefined ? undefined : resolveTopic(watch.criticalTopicArn, topics, bridge.function, "environment");
        const pages = topic !== undefined && anyGlobMatch(settings.criticalTopics, knownString(topic.props["name"]) ?? topic.name) && deliveries(resources)(topic).paging.length > 0;
        if (!pages) findings.push(`the watch pages ${watch.criticalTopicArn ?? "nothing"}, not a critical topic of this stack that reaches PagerDuty`);
        const record = watch.recordParameter;
        const writer = record !== undefined && grants.filter(isDeployRole).some((role) => role.permissions.some((source) => source.document.kind === "document" && source.document.statements.some((statement) => isAllow(statement) && coversAction(statement, "ssm:PutParameter") && (statement.resources ?? []).some((arn) => parameterArnMatches(arn.trim(), record)))));
        if (!writer) findings.push(`no deploy role of this stack may write the watch record ${record ?? "(none named)"}, so no deploy is ever watched`);
        const writes = record === undefined ? { ok: false, problems: [] } : watchRecordWriters(workflowFiles, record);
        if (!writes.ok) findings.push(`no workflow step of this stack writes the watch record ${record ?? "(none named)"} after every successful deploy (aws ssm put-parameter)${writes.problems.length > 0 ? `: ${writes.problems.join("; ")}` : ""}`);
        const workflow = watch.workflow;
        const committed = workflow === undefined ? undefined : workflowFiles.find((file) => knownString(file.props["file"]) === `.github/workflows/${workflow}`);
        if (!committed) findings.push(`the watch dispatches ${workflow ?? "no workflow"}, which this stack does not commit`);
        else if (!isRollbackDispatch(knownString(committed.props["content"]) ?? "")) {
          findings.push(`the watch dispatches ${workflow}, which is not a rollback workflow (workflow_dispatch with the inputs environment, deployment and reason)`);
        }
        if (findings.length > 0) report(`${bridge.functionName}: ${findings.join("; ")}`, bridge.function.urn);
      }
    },
  },
);

/**
 * Whether a committed workflow writes the watch record whenever its run is going well: a step whose
 * commands (parsed, not comments) run `aws ssm put-parameter` naming the record (in its script or its env),
 * whose `if:` holds on success, whose job can run, with no continue-on-error and no swallowed failure.
 */
function watchRecordWriters(files: StackResource[], record: string): { ok: boolean; problems: string[] } {
  const problems: string[] = [];
  for (const file of files) {
    const path = workflowPathOf(file.props["file"]);
    const content = knownString(file.props["content"]);
    if (path === undefined || content === undefined || !content.includes(record)) continue;
    const workflow = cachedWorkflow(path, content);
    if (workflow instanceof WorkflowParseError) continue;
    const success = { outcome: "success" as const, events: workflow.triggers };
    for (const job of workflow.jobs) {
      for (const step of job.steps) {
        const commands = allCommandsOfStep(step);
        const puts = commands.some((command) => programOf(command) === "aws" && invocation(command).includes("ssm") && invocation(command).includes("put-parameter"));
        const names = (step.run ?? "").includes(record) || Object.values(step.effectiveEnv).some((value) => value === record);
        if (!puts || !names) continue;
        const why = [
          conditionIn(step.if, success) !== true ? `its if (${String(step.if)}) does not hold when the deploy succeeds` : undefined,
          conditionIn(job.if, success) === false ? `its job ${job.id} never runs (if: ${String(job.if)})` : undefined,
          flagValue(step.continueOnError, workflow.triggers) !== false || flagValue(job.continueOnError, workflow.triggers) !== false ? "it may continue on error" : undefined,
          ...swallowedFailures(commands),
        ].filter((problem): problem is string => problem !== undefined);
        if (why.length === 0) return { ok: true, problems: [] };
        problems.push(`${path} ${step.at} (${step.name}): ${why.join(", ")}`);
      }
    }
  }
  return { ok: false, problems };
}

/** Whether a workflow file is dispatchable the way the watch dispatches rollback.yml (infra/workflows/rollback.ts). */
function isRollbackDispatch(content: string): boolean {
  try {
    const document = parse(content) as Record<string, unknown> | null;
    const on = document?.["on"];
    const dispatch = on !== null && typeof on === "object" ? (on as Record<string, unknown>)["workflow_dispatch"] : undefined;
    const inputs = dispatch !== null && typeof dispatch === "object" ? (dispatch as Record<string, unknown>)["inputs"] : undefined;
    return inputs !== null && typeof inputs === "object" && ["environment", "deployment", "reason"].every((name) => name in (inputs as Record<string, unknown>));
  } catch {
    return false;
  }
}

interface RoleSettings {
  allowedActions: string[];
}

const KMS_VIA = /^(ssm|s3|sns)\.[a-z0-9-]+\.amazonaws\.com$/;

/** Why a statement of a bridge role grants more than the bridge needs (one line each). */
function bridgeStatementProblems(statement: Statement, bridge: Bridge & { document: BridgeDocument }, resources: StackResource[], allowed: Set<string>): string[] {
  const problems: string[] = [];
  const actions = grantedActions(statement);
  const extra = actions.filter((action) => !allowed.has(action.name.toLowerCase()));
  if (statement.notActions) problems.push("uses NotAction");
  if (statement.notResources) problems.push("uses NotResource");
  if (extra.length > 0) problems.push(`grants ${[...new Set(extra.map((a) => a.name))].slice(0, 6).join(", ")}`);
  const resourcesOf = statement.resources ?? [];
  const names = new Set(actions.map((action) => action.name.toLowerCase()));
  const wildcard = resourcesOf.filter((resource) => /[*?]/.test(resource));
  if (names.has("cloudwatch:putmetricdata")) {
    const pinned = conditionsOn(statement, "cloudwatch:namespace").some((condition) => pinsExactly(condition) && condition.values.every((value) => value === bridge.document.namespace));
    if (!pinned) problems.push(`allows cloudwatch:PutMetricData without StringEquals cloudwatch:namespace = ${bridge.document.namespace}`);
  }
  if (names.has("ssm:getparameters") || names.has("ssm:getparameter")) {
    const foreign = resourcesOf.filter((arn) => !bridge.document.parameters.some((name) => parameterArnMatches(arn.trim(), name)));
    if (foreign.length > 0) problems.push(`reads parameters other than its own (${foreign.slice(0, 3).join(", ")})`);
  }
  if (names.has("kms:decrypt") || names.has("kms:generatedatakey")) {
    if (wildcard.length > 0) problems.push(`uses KMS keys by wildcard (${wildcard.join(", ")})`);
    const via = conditionsOn(statement, "kms:viaservice").some((condition) => pinsExactly(condition) && condition.values.every((value) => KMS_VIA.test(value)));
    if (!via) problems.push("uses KMS without a kms:ViaService condition (ssm, s3 or sns of the region)");
  }
  if (names.has("logs:createlogstream") || names.has("logs:putlogevents")) {
    const own = `:log-group:/aws/lambda/${bridge.functionName}:`;
    const foreign = resourcesOf.filter((arn) => !arn.includes(own) || /\*.*:log-group|log-group:[^:]*\*/.test(arn));
    if (foreign.length > 0) problems.push(`writes logs outside its own log group (${foreign.slice(0, 2).join(", ")})`);
  }
  if (names.has("s3:putobject")) {
    const buckets = new Set(resources.filter((r) => r.type === "aws:s3/bucket:Bucket").flatMap((bucket) => knownString(bucket.props["bucket"]) ?? []));
    const bad = resourcesOf.filter((arn) => {
      const match = /^arn:aws[a-z-]*:s3:::([^/*?]+)\/(.*)$/.exec(arn.trim());
      return !match || !buckets.has(match[1]!) || !match[2]!.includes("/watch/");
    });
    if (bad.length > 0) problems.push(`writes objects outside the audit log's watch records (${bad.slice(0, 2).join(", ")})`);
  }
  if (names.has("sns:publish")) {
    const topics = resources.filter((r) => r.type === SNS_TOPIC);
    const bad = resourcesOf.filter((arn) => resolveTopic(arn, topics, bridge.function, "role") === undefined && !topics.some((topic) => arn.trim().endsWith(`:${knownString(topic.props["name"]) ?? topic.name}`)));
    if (bad.length > 0 || wildcard.length > 0) problems.push(`publishes to topics other than the stack's (${[...bad, ...wildcard].slice(0, 2).join(", ")})`);
  }
  return problems;
}

export const bridgeRoleLeastPrivilege = stackPolicy<RoleSettings>(
  {
    name: "metrics-bridge-role-least-privilege",
    description:
      "The role a metrics bridge runs as may do only what the bridge does, judged over every document that grants it: cloudwatch:PutMetricData pinned to its namespace (StringEquals cloudwatch:namespace), " +
      "ssm:GetParameter(s) on its own parameters by exact ARN, kms:Decrypt/GenerateDataKey on named keys through SSM, S3 or SNS only (kms:ViaService), logs into its own log group, " +
      "and with the watch s3:PutObject on the audit log's watch records and sns:Publish on the stack's topics; no AWS managed policy, nothing undeclared. " +
      'Spec, Secrets Management: "Access: Env vars injected at runtime (not in code)"; Compliance: "PCI: Production access restricted".',
    severity: "critical",
    remediation: [
      "Keep the bridge's RolePolicy as infra/metrics/bridgePolicies.ts writes it; grant nothing else to its role.",
      "Name parameters, keys, log group, bucket prefix and topic exactly; keep the cloudwatch:namespace and kms:ViaService conditions.",
    ],
    topics: [...TOPICS, "least-privilege"],
  },
  {
    config: {
      defaults: {
        allowedActions: ["cloudwatch:PutMetricData", "ssm:GetParameters", "ssm:GetParameter", "kms:Decrypt", "kms:GenerateDataKey", "logs:CreateLogStream", "logs:PutLogEvents", "s3:PutObject", "sns:Publish"],
      },
      schema: { allowedActions: { type: "array", items: { type: "string" }, description: "Every action a bridge's role may be granted (exact names)." } },
    },
    requires: LAMBDA_FUNCTION,
    validate(resources, settings, report) {
      const grants = roleGrants(resources);
      const allowed = new Set(settings.allowedActions.map((action) => action.toLowerCase()));
      const unknown: string[] = [];
      for (const bridge of bridgesOf(resources)) {
        if (!isDocument(bridge.document)) {
          if ("unknown" in bridge.document) unknown.push(`${bridge.function.urn} environment`);
          continue;
        }
        const documented = bridge as Bridge & { document: BridgeDocument };
        const role = functionRole(bridge, grants);
        if (!role) {
          report(`${bridge.functionName} runs as ${knownString(bridge.function.props["role"]) ?? "an unknown role"}, which this stack does not declare: it cannot be judged`, bridge.function.urn);
          continue;
        }
        const findings: { text: string; urn: string }[] = [];
        for (const { arn, urn } of role.managedPolicies) findings.push({ text: `has the AWS managed policy ${arn} attached`, urn });
        for (const { what, urn } of role.unresolved) findings.push({ text: `is granted ${what}`, urn });
        for (const source of role.permissions) {
          if (source.document.kind === "unknown") {
            unknown.push(source.label);
            continue;
          }
          if (source.document.kind === "invalid") {
            findings.push({ text: `${source.label} ${source.document.reason}: it cannot be judged`, urn: source.urn });
            continue;
          }
          for (const statement of source.document.statements.filter(isAllow)) {
            for (const problem of bridgeStatementProblems(statement, documented, resources, allowed)) findings.push({ text: `${source.label}, ${statementLabel(statement)} ${problem}`, urn: source.urn });
          }
        }
        if (findings.length > 0) {
          const urns = new Set(findings.map((finding) => finding.urn));
          report(`bridge role ${role.roleName}: ${findings.map((finding) => finding.text).join("; ")}`, urns.size === 1 ? findings[0]!.urn : role.role.urn);
        }
      }
      if (unknown.length > 0) throw new UnknownInputError(unknown.join("; "));
    },
  },
);

export const bridgeSecretsProtected = stackPolicy(
  {
    name: "metrics-bridge-secrets-protected",
    description:
      "A metrics bridge's secrets (PostHog key, Railway token, the deploy App's key) are SecureString parameters of this stack, encrypted with a customer managed key of the stack that encrypts nothing else, " +
      "and no other role of the stack may read those parameters or decrypt with that key. The AWS managed key aws/ssm lets every principal of the account decrypt " +
      '(AWS Systems Manager, "Restricting decryption of SecureString parameter values"). Spec, Secrets Management: "Secrets stored in platform (encrypted at rest)"; "Never Commit: API keys in code".',
    severity: "high",
    remediation: [
      "Declare each parameter the bridge reads as type SecureString with keyId set to the bridge's own KMS key.",
      "Grant ssm:GetParameter* on them and kms:Decrypt on that key to no other role.",
    ],
    topics: [...TOPICS, "secrets"],
  },
  {
    requires: LAMBDA_FUNCTION,
    validate(resources, _settings, report) {
      const parameters = resources.filter((r) => r.type === SSM_PARAMETER);
      const grants = roleGrants(resources);
      for (const bridge of bridgesOf(resources)) {
        if (!isDocument(bridge.document)) {
          if ("unknown" in bridge.document) throw new UnknownInputError(`${bridge.function.urn} environment`);
          continue;
        }
        const own = functionRole(bridge, grants);
        const keys = new Set<StackResource>();
        const declared: StackResource[] = [];
        for (const name of bridge.document.secretParameters) {
          const parameter = parameters.find((candidate) => knownString(candidate.props["name"]) === name);
          if (!parameter) {
            report(`${bridge.functionName} reads ${name}, which this stack does not declare: its encryption cannot be judged`, bridge.function.urn);
            continue;
          }
          declared.push(parameter);
          if (knownString(parameter.props["type"]) !== "SecureString") report(`parameter ${name} is ${knownString(parameter.props["type"]) ?? "untyped"}, not a SecureString: the secret is stored in plain text`, parameter.urn);
          const keyId = knownString(parameter.props["keyId"]);
          const key = keyId === undefined ? undefined : resolveKey(keyId, resources, parameter, "keyId");
          if (!key) report(`parameter ${name} is encrypted with ${keyId ?? "the AWS managed key aws/ssm"}, not a customer managed key of this stack: every principal of the account may decrypt it`, parameter.urn);
          else keys.add(key);
        }
        for (const key of keys) {
          const others = parameters.filter((parameter) => !declared.includes(parameter) && (() => { const id = knownString(parameter.props["keyId"]); return id !== undefined && resolveKey(id, resources, parameter, "keyId") === key; })());
          if (others.length > 0) report(`${bridge.functionName}'s key ${key.name} also encrypts ${others.map((p) => knownString(p.props["name"]) ?? p.name).join(", ")}: the bridge's key must be its own`, key.urn);
        }
        const keyArns = [...keys].map((key) => knownString(key.props["arn"]) ?? "");
        for (const role of grants) {
          if (own && role.role.urn === own.role.urn) continue;
          for (const source of role.permissions) {
            if (source.document.kind !== "document") continue;
            for (const statement of source.document.statements.filter(isAllow)) {
              const readsParameter = ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath", "ssm:GetParameterHistory"].some((action) => coversAction(statement, action)) && bridge.document.secretParameters.some((name) => (statement.resources ?? []).some((arn) => arn.trim() === "*" || parameterArnMatches(arn.trim(), name) || wildcardCovers(arn.trim(), name)));
              const decrypts = coversAction(statement, "kms:Decrypt") && (statement.resources ?? []).some((arn) => arn.trim() === "*" || keyArns.some((keyArn) => keyArn !== "" && coversResource({ ...statement, resources: [arn] }, keyArn)) || [...keys].some((key) => arn.includes(key.name)));
              if (readsParameter || decrypts) report(`role ${role.roleName} may ${readsParameter ? "read the bridge's secret parameters" : "decrypt with the bridge's key"} (${source.label}, ${statementLabel(statement)}): only the bridge may`, source.urn);
            }
          }
        }
      }
    },
  },
);

/** Whether an SSM ARN pattern with wildcards (`…:parameter/flightdeck/*`, `arn:aws:ssm:*`) covers the parameter `name`. */
function wildcardCovers(pattern: string, name: string): boolean {
  if (!/[*?]/.test(pattern) || !/^arn:aws[a-z-]*:ssm:/.test(pattern)) return false;
  const at = pattern.indexOf(":parameter");
  if (at < 0) return true;
  const bare = name.startsWith("/") ? name : `/${name}`;
  const body = pattern.slice(at + ":parameter".length).replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${body}$`).test(bare);
}

export const metricsPolicies = [alarmMetricPublished, bridgeScheduleWithinAlarmPeriod, bridgeFailureAlarmed, watchThresholdsWithinSpec, bridgeRoleLeastPrivilege, bridgeSecretsProtected];
