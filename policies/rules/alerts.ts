import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import {
  CHATBOT_SLACK,
  COMPOSITE_ALARM,
  METRIC_ALARM,
  SEVERITY_RANK,
  SNS_SUBSCRIPTION,
  SNS_TOPIC,
  Severity,
  TopicSeverities,
  alarmActionArns,
  deliveries,
  evaluatedMetric,
  expectedMetricsNamespace,
  filterPolicyOf,
  isAwsNamespace,
  metricNamesRead,
  reachedSeverity,
  resolveTopic,
  severityOfTopic,
} from "../lib/alarms";
import { stackPolicy, StackResource, UnknownInputError } from "../lib/define";
import { isReadOnly } from "../lib/iamActions";
import { accountOf, conditionsOn, grantedActions, isAllow, parsePolicyDocument, pinsExactly, statementLabel } from "../lib/policyDocument";
import { AWS_MANAGED_POLICY, IAM_POLICY, managedPolicyName, roleGrants } from "../lib/roles";
import { resolveKey, stackAccounts } from "../lib/keys";
import { asArray, isUnknown, knownNumber, knownString } from "../lib/values";

export { METRIC_ALARM, SNS_TOPIC };

const TOPICS = ["monitoring", "alerts"];
const SPEC_TABLE =
  'Spec, Monitoring & Alerts: "Error rate > 2% for 5 min; API response time p95 > 1s for 10 min; Deployment status Failed; Database CPU > 85% for 30 min; Disk space > 80%"';
const SPEC_CHANNELS =
  'Spec, Alert Channels: "Critical (error rate, deployment failures): PagerDuty → phone call; Warning (performance degradation): Slack #alerts; Info (successful deployment): Slack #deploys"';

/** One row of the spec's monitoring table, as a bound no alarm may be looser than. */
export interface MetricBound {
  metricName: string;
  /** The spec's threshold: the alarm must fire whenever the metric is above it (at or above it when `inclusive`). */
  threshold: number;
  inclusive: boolean;
  /** Longest time the metric may breach before the alarm fires (period × evaluationPeriods), in seconds. */
  maxWindowSeconds: number;
  /** Statistics that measure what the spec means (a percentile listed also admits higher percentiles). */
  statistics: string[];
  /** How the alarm may treat missing datapoints for this metric (see `specMetricBounds`). */
  treatMissingData: string[];
  /** The dimensions the publishers send the metric with (an alarm on other dimensions watches nothing). */
  dimensions: Record<string, string>;
  /** The unit the publishers send; an alarm with another unit ignores every datapoint. */
  unit: string;
  /** The lowest channel the spec allows for this metric. */
  severity: Severity;
}

/**
 * The spec's table. Missing data, decided per metric:
 * - ErrorRate, ApiLatency, DatabaseCPUUtilization, DiskUsedPercent are published every minute by the
 *   metrics feed; a gap is an outage of the feed, not good news, so `notBreaching` and `ignore` (which
 *   keep the alarm quiet or in its last state) are refused: `missing` (INSUFFICIENT_DATA, the feed's
 *   heartbeat alarm pages) or `breaching`.
 * - DeploymentFailed is published only when a deploy fails; no datum means no failure: `notBreaching`
 *   or `missing`.
 */
export const specMetricBounds: MetricBound[] = [
  {
    metricName: "ErrorRate",
    threshold: 2,
    inclusive: false,
    maxWindowSeconds: 300,
    statistics: ["Average", "Maximum"],
    treatMissingData: ["missing", "breaching"],
    dimensions: {},
    unit: "Percent",
    severity: "critical",
  },
  {
    metricName: "ApiLatency",
    threshold: 1,
    inclusive: false,
    maxWindowSeconds: 600,
    statistics: ["p95"],
    treatMissingData: ["missing", "breaching"],
    dimensions: {},
    unit: "Seconds",
    severity: "warning",
  },
  {
    metricName: "DatabaseCPUUtilization",
    threshold: 85,
    inclusive: false,
    maxWindowSeconds: 1800,
    statistics: ["Average", "Maximum"],
    treatMissingData: ["missing", "breaching"],
    dimensions: {},
    unit: "Percent",
    severity: "warning",
  },
  {
    metricName: "DiskUsedPercent",
    threshold: 80,
    inclusive: false,
    maxWindowSeconds: 300,
    statistics: ["Average", "Maximum"],
    treatMissingData: ["missing", "breaching"],
    dimensions: {},
    unit: "Percent",
    severity: "warning",
  },
  {
    metricName: "DeploymentFailed",
    threshold: 1,
    inclusive: true,
    maxWindowSeconds: 300,
    statistics: ["Sum", "Maximum", "SampleCount", "Average"],
    treatMissingData: ["notBreaching", "missing"],
    dimensions: {},
    unit: "Count",
    severity: "critical",
  },
];

const PERCENTILE = /^p(\d+(?:\.\d+)?)$/;

/** Whether a statistic is one the bound allows; a higher percentile than an allowed one is stricter (p99 for p95). */
export function statisticAllowed(statistic: string | undefined, allowed: readonly string[]): boolean {
  if (statistic === undefined) return false;
  if (allowed.includes(statistic)) return true;
  const percentile = PERCENTILE.exec(statistic);
  if (!percentile) return false;
  return allowed.some((candidate) => {
    const floor = PERCENTILE.exec(candidate);
    return floor !== null && Number(percentile[1]) >= Number(floor[1]) && Number(percentile[1]) <= 100;
  });
}

function sameDimensions(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => b[key] === a[key]);
}

/** Why an alarm does not meet the bound on its own, or undefined when it does. */
export function loosenessOf(alarm: StackResource, bound: MetricBound, namespace: string | undefined): string | undefined {
  const props = alarm.props;
  const metric = evaluatedMetric(alarm);
  if (!metric || metric.shape !== "metric" || metric.metricName !== bound.metricName) return `does not compare ${bound.metricName} itself with a threshold (metric math)`;
  if (namespace !== undefined && metric.namespace !== namespace) return `watches namespace ${metric.namespace ?? "(none)"}, not the stack's ${namespace}`;
  if (!sameDimensions(metric.dimensions, bound.dimensions)) {
    return `filters on dimensions ${JSON.stringify(metric.dimensions)}; the metric is published with ${JSON.stringify(bound.dimensions)}, so it watches nothing`;
  }
  if (metric.unit !== undefined && metric.unit !== bound.unit) return `filters on unit ${metric.unit}; the metric is published in ${bound.unit}, so it watches nothing`;
  const operator = knownString(props["comparisonOperator"]) ?? "";
  const threshold = knownNumber(props["threshold"]);
  if (threshold === undefined) return "has no static threshold";
  if (operator === "GreaterThanThreshold") {
    if (bound.inclusive ? !(threshold < bound.threshold) : threshold > bound.threshold) {
      return `fires above ${threshold}; the spec needs ${bound.inclusive ? "≥" : ">"} ${bound.threshold}`;
    }
  } else if (operator === "GreaterThanOrEqualToThreshold") {
    if (threshold > bound.threshold) return `fires at ${threshold} or more; the spec needs ${bound.inclusive ? "≥" : ">"} ${bound.threshold}`;
  } else {
    return `compares with ${operator || "no operator"}; the spec needs an upper bound (GreaterThan…Threshold)`;
  }
  const period = metric.period ?? 0;
  const periods = knownNumber(props["evaluationPeriods"]) ?? 1;
  const datapoints = knownNumber(props["datapointsToAlarm"]) ?? periods;
  if (datapoints > periods) return `needs ${datapoints} breaching datapoints out of ${periods} evaluated: it can never fire`;
  if (period * periods > bound.maxWindowSeconds) return `waits ${period * periods} s (${periods} × ${period} s); the spec allows ${bound.maxWindowSeconds} s`;
  if (!statisticAllowed(metric.statistic, bound.statistics)) return `uses statistic ${metric.statistic ?? "(none)"}; the spec's ${bound.metricName} is measured as ${bound.statistics.join(" or ")}`;
  if (PERCENTILE.test(metric.statistic ?? "") && knownString(props["evaluateLowSampleCountPercentiles"]) === "ignore") {
    return "ignores periods with few samples (evaluateLowSampleCountPercentiles: ignore), so a quiet outage never changes its state";
  }
  // terraform-provider-aws: treat_missing_data "Defaults to missing".
  const missing = knownString(props["treatMissingData"]) ?? "missing";
  if (!bound.treatMissingData.includes(missing)) return `treats missing data as ${missing}; for ${bound.metricName} only ${bound.treatMissingData.join(" or ")} (a gap must not read as healthy)`;
  return undefined;
}

const boundsSchema: PolicyConfigJSONSchema = {
  type: "array",
  minItems: 1,
  items: {
    type: "object",
    required: ["metricName", "threshold", "inclusive", "maxWindowSeconds", "statistics", "treatMissingData", "dimensions", "unit", "severity"],
    properties: {
      metricName: { type: "string" },
      threshold: { type: "number" },
      inclusive: { type: "boolean" },
      maxWindowSeconds: { type: "integer", minimum: 10 },
      statistics: { type: "array", items: { type: "string" }, minItems: 1 },
      treatMissingData: { type: "array", items: { type: "string", enum: ["missing", "breaching", "notBreaching", "ignore"] }, minItems: 1 },
      dimensions: { type: "object", additionalProperties: { type: "string" } },
      unit: { type: "string" },
      severity: { type: "string", enum: ["critical", "warning", "info"] },
    },
  },
  description: "The spec's monitoring table: one bound per metric.",
};

const namespaceSchema: PolicyConfigJSONSchema = {
  type: "string",
  description: "The stack's CloudWatch namespace for the spec's metrics; empty: the namespace most of the stack's alarms watch that ends with /<stack>.",
};

export const alarmsWithinSpec = stackPolicy<{ metrics: MetricBound[]; namespace: string }>(
  {
    name: "alerts-alarm-thresholds-within-spec",
    description:
      `Every metric of the spec's monitoring table has an alarm that, as a whole, fires when the table says: ${SPEC_TABLE}. ` +
      "The alarm compares the metric itself in the stack's namespace, with the publishers' dimensions and unit, a statistic that measures it (p95 for latency; never Minimum or SampleCount for a rate), " +
      "a threshold and window no looser than the table, datapointsToAlarm it can reach, and a missing-data treatment that does not read an outage of the metrics feed as healthy.",
    severity: "high",
    remediation: [
      "Add or tighten the rule in flightdeck:alerts.rules: threshold at most the spec's, periodSeconds × evaluationPeriods at most the spec's duration, the metric's statistic.",
      "Do not add dimensions or a unit the publishers do not send; keep treatMissingData as infra/aws/alertMetrics.ts decides per metric.",
    ],
    topics: TOPICS,
  },
  {
    config: { defaults: { metrics: specMetricBounds, namespace: "" }, schema: { metrics: boundsSchema, namespace: namespaceSchema } },
    validate(resources, settings, report) {
      const alarms = resources.filter((r) => r.type === METRIC_ALARM);
      const namespace = expectedMetricsNamespace(resources, settings.namespace);
      for (const bound of settings.metrics) {
        const candidates = alarms.filter((alarm) => metricNamesRead(alarm).includes(bound.metricName));
        if (candidates.length === 0) {
          report(`no alarm on ${bound.metricName}`);
          continue;
        }
        const problems = candidates.map((alarm) => ({ alarm, problem: loosenessOf(alarm, bound, namespace) }));
        if (problems.every(({ problem }) => problem !== undefined)) {
          for (const { alarm, problem } of problems) report(`alarm ${alarm.name} on ${bound.metricName} ${problem}`, alarm.urn);
        }
      }
    },
  },
);

interface RoutingSettings extends TopicSeverities {
  namespace: string;
}

const topicGlobsSchema = (severity: string) => ({
  type: "array" as const,
  items: { type: "string" as const },
  minItems: 1,
  description: `Globs matching the ${severity} SNS topic's name or logical name.`,
});

const topicDefaults: TopicSeverities = { criticalTopics: ["*-critical"], warningTopics: ["*-warning"], infoTopics: ["*-info"] };

export const alarmActionsEnabled = stackPolicy<RoutingSettings>(
  {
    name: "alerts-alarm-actions-enabled",
    description:
      "Every alarm (metric or composite) acts when it fires: actions enabled, at least one ALARM action, every SNS action a topic of this stack that reaches a person " +
      "(PagerDuty, or Slack through AWS Chatbot), no actions suppressor, and it watches this stack's namespace. " +
      `${SPEC_CHANNELS}.`,
    severity: "critical",
    remediation: [
      "Remove actionsEnabled: false and actionsSuppressor; keep alarmActions pointing at the stack's topic of the alarm's severity (okActions alone never notify on ALARM).",
      "Reference the topic's arn output (not a hand-written ARN), and keep its PagerDuty subscription or Chatbot configuration.",
    ],
    topics: TOPICS,
  },
  {
    config: {
      defaults: { ...topicDefaults, namespace: "" },
      schema: { criticalTopics: topicGlobsSchema("critical"), warningTopics: topicGlobsSchema("warning"), infoTopics: topicGlobsSchema("info"), namespace: namespaceSchema },
    },
    // A composite alarm combines metric alarms: a stack with none has nothing to judge.
    requires: METRIC_ALARM,
    validate(resources, settings, report) {
      const topics = resources.filter((r) => r.type === SNS_TOPIC);
      const delivery = deliveries(resources);
      const namespace = expectedMetricsNamespace(resources, settings.namespace);
      for (const alarm of resources) {
        if (alarm.type !== METRIC_ALARM && alarm.type !== COMPOSITE_ALARM) continue;
        const label = `alarm ${alarm.name}`;
        if (alarm.props["actionsEnabled"] === false) report(`${label} has actionsEnabled: false: it changes state and notifies nobody`, alarm.urn);
        if (alarm.type === COMPOSITE_ALARM && asArray(alarm.props["actionsSuppressors"]).length + (alarm.props["actionsSuppressor"] ? 1 : 0) > 0) {
          report(`${label} can be silenced by an actions suppressor`, alarm.urn);
        }
        const actions = alarmActionArns(alarm);
        if (actions.length === 0 && !isUnknown(alarm.props["alarmActions"])) report(`${label} has no alarmActions: nothing happens when it fires (okActions and insufficientDataActions do not)`, alarm.urn);
        for (const arn of actions) {
          if (!/^arn:aws[a-z-]*:sns:/.test(arn)) continue;
          const topic = resolveTopic(arn, topics, alarm, "alarmActions");
          if (!topic) {
            report(`${label} notifies ${arn}, which is not a topic of this stack it depends on`, alarm.urn);
            continue;
          }
          const reached = delivery(topic);
          if (reached.paging.length === 0 && reached.chat.length === 0) report(`${label} notifies topic ${topic.name}, which has no PagerDuty subscription and no Chatbot configuration: nobody receives it`, alarm.urn);
        }
        if (actions.length > 0 && actions.every((arn) => !/^arn:aws[a-z-]*:sns:/.test(arn))) report(`${label} notifies no SNS topic, so no person`, alarm.urn);
        if (alarm.type === METRIC_ALARM && namespace !== undefined) {
          for (const read of evaluatedMetric(alarm)?.reads ?? []) {
            if (read.namespace !== undefined && !isAwsNamespace(read.namespace) && read.namespace !== namespace) {
              report(`${label} watches namespace ${read.namespace}, not this stack's ${namespace}`, alarm.urn);
            }
          }
        }
      }
    },
  },
);

export const alarmSeverityRouted = stackPolicy<TopicSeverities & { metrics: MetricBound[] }>(
  {
    name: "alerts-alarm-severity-routed",
    description:
      `Each alarm on a metric of the spec's table reaches at least the spec's channel: error rate and deployment failures page (the critical topic with a PagerDuty subscription), ` +
      `performance and capacity alarms reach at least Slack #alerts (the warning topic through AWS Chatbot), never only #deploys. ${SPEC_CHANNELS}.`,
    severity: "critical",
    remediation: [
      "Set severity: critical on the error-rate and deployment-failed rules in flightdeck:alerts.rules (warning or critical on the others).",
      "Keep the critical topic's PagerDuty subscription and the warning topic's Chatbot configuration.",
    ],
    topics: TOPICS,
  },
  {
    config: {
      defaults: { ...topicDefaults, metrics: specMetricBounds },
      schema: { criticalTopics: topicGlobsSchema("critical"), warningTopics: topicGlobsSchema("warning"), infoTopics: topicGlobsSchema("info"), metrics: boundsSchema },
    },
    requires: METRIC_ALARM,
    validate(resources, settings, report) {
      const topics = resources.filter((r) => r.type === SNS_TOPIC);
      const delivery = deliveries(resources);
      for (const alarm of resources) {
        if (alarm.type !== METRIC_ALARM) continue;
        const read = metricNamesRead(alarm);
        const bounds = settings.metrics.filter((bound) => read.includes(bound.metricName));
        if (bounds.length === 0) continue;
        const needed = bounds.reduce<Severity>((max, bound) => (SEVERITY_RANK[bound.severity] > SEVERITY_RANK[max] ? bound.severity : max), "info");
        const reached = reachedSeverity(alarm, topics, delivery, settings);
        if (reached === undefined || SEVERITY_RANK[reached] < SEVERITY_RANK[needed]) {
          const channel = needed === "critical" ? "the paging topic (PagerDuty)" : "the warning topic (Slack through Chatbot) or the paging topic";
          report(`alarm ${alarm.name} on ${bounds.map((b) => b.metricName).join(", ")} reaches ${reached ?? "no channel"}; the spec needs ${needed}: ${channel}`, alarm.urn);
        }
      }
    },
  },
);

export const subscriptionsUnfiltered = stackPolicy<TopicSeverities>(
  {
    name: "alerts-subscription-unfiltered",
    description:
      "A subscription to an alert topic delivers every alarm: no filterPolicy (CloudWatch alarm notifications carry no message attributes, so an attribute filter drops them all, and a body filter drops the ones it does not match). " +
      `${SPEC_CHANNELS}.`,
    severity: "high",
    remediation: ["Remove filterPolicy (and filterPolicyScope) from the subscriptions of the critical, warning and info topics."],
    topics: TOPICS,
  },
  {
    config: {
      defaults: topicDefaults,
      schema: { criticalTopics: topicGlobsSchema("critical"), warningTopics: topicGlobsSchema("warning"), infoTopics: topicGlobsSchema("info") },
    },
    requires: SNS_SUBSCRIPTION,
    validate(resources, settings, report) {
      const topics = resources.filter((r) => r.type === SNS_TOPIC);
      const alarmed = alarmedTopics(resources, topics);
      for (const subscription of resources) {
        if (subscription.type !== SNS_SUBSCRIPTION) continue;
        const topic = resolveTopic(knownString(subscription.props["topic"]) ?? "", topics, subscription, "topic");
        if (!topic || !(severityOfTopic(topic, settings) !== undefined || alarmed.has(topic.urn))) continue;
        const filter = filterPolicyOf(subscription);
        if (filter !== undefined) report(`subscription ${subscription.name} to ${topic.name} filters messages (${filter.slice(0, 120)})`, subscription.urn);
      }
    },
  },
);

/** The URNs of the topics some alarm notifies. */
function alarmedTopics(resources: StackResource[], topics: StackResource[]): Set<string> {
  const alarmed = new Set<string>();
  for (const alarm of resources) {
    if (alarm.type !== METRIC_ALARM && alarm.type !== COMPOSITE_ALARM) continue;
    for (const arn of alarmActionArns(alarm)) {
      const topic = resolveTopic(arn, topics, alarm, "alarmActions");
      if (topic) alarmed.add(topic.urn);
    }
  }
  return alarmed;
}

export const topicEncrypted = stackPolicy(
  {
    name: "alerts-topic-kms-encrypted",
    description:
      "Alert topics are encrypted at rest with a customer managed KMS key of this stack. " +
      "With the AWS managed key (alias/aws/sns) alarms cannot publish and every notification is dropped; whether the key's policy lets each publisher use it (kms:GenerateDataKey* and kms:Decrypt) is judged per paging path, with the alarm's or rule's own ARN, by alerts-paging-path-delivers. " +
      'Spec, Secrets Management: "encrypted at rest"; Alert Channels.',
    severity: "high",
    remediation: ["Set kmsMasterKeyId on every topic to the stack's alerts key (its arn output)."],
    topics: TOPICS,
  },
  {
    requires: SNS_TOPIC,
    validate(resources, _settings, report) {
      const topics = resources.filter((r) => r.type === SNS_TOPIC);
      for (const topic of topics) {
        const reference = topic.props["kmsMasterKeyId"];
        if (isUnknown(reference)) throw new UnknownInputError(`${topic.urn} kmsMasterKeyId`);
        const keyId = knownString(reference);
        if (keyId === undefined || keyId === "") {
          report(`topic ${topic.name} has no kmsMasterKeyId`, topic.urn);
          continue;
        }
        if (!resolveKey(keyId, resources, topic, "kmsMasterKeyId")) {
          report(`topic ${topic.name} is encrypted with ${keyId}, not a customer managed key of this stack${/alias\/aws\//.test(keyId) ? " (CloudWatch alarms cannot use AWS managed keys)" : ""}`, topic.urn);
        }
      }
    },
  },
);

export const chatbotGuardrailsReadOnly = stackPolicy<{ readOnlyManagedPolicies: string[] }>(
  {
    name: "alerts-chatbot-guardrails-read-only",
    description:
      "AWS Chatbot only posts alerts to Slack: its channel guardrails are read-only policies and the role it assumes can only read. " +
      "Without guardrailPolicyArns, AWS applies AdministratorAccess (terraform-provider-aws chatbot_slack_channel_configuration), and anyone in the channel could change the account from Slack. " +
      `${SPEC_CHANNELS}; "PCI: Production access restricted".`,
    severity: "high",
    remediation: [
      "Set guardrailPolicyArns to read-only AWS managed policies (arn:aws:iam::aws:policy/CloudWatchReadOnlyAccess or ReadOnlyAccess).",
      "Give the Chatbot role (iamRoleArn) only Read/List actions.",
    ],
    topics: [...TOPICS, "least-privilege"],
  },
  {
    config: {
      defaults: { readOnlyManagedPolicies: ["ReadOnlyAccess", "CloudWatchReadOnlyAccess"] },
      schema: { readOnlyManagedPolicies: { type: "array", items: { type: "string" }, description: "AWS managed policies that only read, allowed as guardrails and on the Chatbot role." } },
    },
    requires: CHATBOT_SLACK,
    validate(resources, settings, report) {
      const policies = resources.filter((r) => r.type === IAM_POLICY);
      const grants = roleGrants(resources);
      for (const channel of resources) {
        if (channel.type !== CHATBOT_SLACK) continue;
        const raw = channel.props["guardrailPolicyArns"];
        if (isUnknown(raw)) throw new UnknownInputError(`${channel.urn} guardrailPolicyArns`);
        const guardrails = asArray(raw).flatMap((arn) => knownString(arn) ?? []);
        if (guardrails.length === 0) report(`Chatbot channel ${channel.name} sets no guardrailPolicyArns: AWS applies AdministratorAccess`, channel.urn);
        for (const arn of guardrails) {
          if (AWS_MANAGED_POLICY.test(arn)) {
            if (!settings.readOnlyManagedPolicies.includes(managedPolicyName(arn))) report(`Chatbot channel ${channel.name} has guardrail ${managedPolicyName(arn)}, not a read-only policy`, channel.urn);
            continue;
          }
          const policy = policies.find((candidate) => {
            const name = knownString(candidate.props["name"]);
            return name !== undefined && arn.endsWith(`:policy/${name}`);
          });
          const document = policy ? parsePolicyDocument(policy.props["policy"]) : undefined;
          if (!document || document.kind === "invalid") report(`Chatbot channel ${channel.name} has guardrail ${arn}, which this stack does not declare: it cannot be judged`, channel.urn);
          else if (document.kind === "document") {
            const writes = document.statements.filter(isAllow).flatMap((statement) => grantedActions(statement).filter((action) => !isReadOnly(action)));
            if (writes.length > 0) report(`Chatbot channel ${channel.name}'s guardrail ${arn} allows ${[...new Set(writes.map((a) => a.name))].slice(0, 5).join(", ")}`, channel.urn);
          }
        }
        const roleArn = knownString(channel.props["iamRoleArn"]);
        const role = grants.find((candidate) => roleArn !== undefined && roleArn.endsWith(`:role/${candidate.roleName}`));
        if (!role) {
          if (roleArn !== undefined) report(`Chatbot channel ${channel.name} assumes ${roleArn}, a role this stack does not declare: it cannot be judged`, channel.urn);
          continue;
        }
        for (const { arn } of role.managedPolicies) {
          if (!settings.readOnlyManagedPolicies.includes(managedPolicyName(arn))) report(`Chatbot role ${role.roleName} has ${managedPolicyName(arn)} attached`, channel.urn);
        }
        for (const source of role.permissions) {
          if (source.document.kind !== "document") continue;
          const writes = source.document.statements.filter(isAllow).flatMap((statement) => grantedActions(statement).filter((action) => !isReadOnly(action)));
          if (writes.length > 0) report(`Chatbot role ${role.roleName} may ${[...new Set(writes.map((a) => a.name))].slice(0, 5).join(", ")} (${source.label})`, source.urn);
        }
      }
    },
  },
);

const SNS_TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy";
/** Context keys that pin a request to one account (IAM global condition keys; AWS:SourceOwner is SNS's default topic policy's). */
const ACCOUNT_KEYS = ["aws:sourceowner", "aws:sourceaccount", "aws:principalaccount"];

export const topicPolicyRestricted = stackPolicy<{ accountIds: string[] }>(
  {
    name: "alerts-topic-policy-restricted",
    description:
      "Alert topics' access policies (aws.sns.TopicPolicy or the topic's own policy) let nobody outside the account publish to, subscribe to, reconfigure or delete them: " +
      'no Allow to "*" unless pinned to the account (AWS:SourceOwner / aws:SourceAccount / aws:PrincipalAccount, as SNS\'s default policy is), no NotPrincipal, no other account, services may only publish. ' +
      `A stranger who can change or unsubscribe the topic silences alerts. ${SPEC_CHANNELS}.`,
    severity: "critical",
    remediation: ["Leave the topic policy unset (SNS's default: the account only), or name only this account's principals and services that publish (sns:Publish)."],
    topics: TOPICS,
  },
  {
    config: {
      defaults: { accountIds: [] },
      schema: { accountIds: { type: "array", items: { type: "string", pattern: "^\\d{12}$" }, description: "The stack's AWS account(s); empty: the account the stack's key policies give to root." } },
    },
    requires: SNS_TOPIC,
    validate(resources, settings, report) {
      const accounts = stackAccounts(resources, settings.accountIds);
      const documents = resources.flatMap((resource) =>
        (resource.type === SNS_TOPIC || resource.type === SNS_TOPIC_POLICY) && resource.props["policy"] !== undefined && resource.props["policy"] !== null
          ? [{ resource, document: parsePolicyDocument(resource.props["policy"]) }]
          : [],
      );
      for (const { resource, document } of documents) {
        if (document.kind === "unknown") throw new UnknownInputError(`${resource.urn} policy`);
        if (document.kind === "invalid") {
          report(`the policy of ${resource.name} ${document.reason}: it cannot be judged`, resource.urn);
          continue;
        }
        for (const statement of document.statements.filter(isAllow)) {
          const label = `${resource.name} ${statementLabel(statement)}`;
          if (statement.notPrincipal) report(`${label} allows everyone but its NotPrincipal`, resource.urn);
          const principal = statement.principal;
          if (!principal) continue;
          const pinnedToAccount = ACCOUNT_KEYS.some((key) =>
            conditionsOn(statement, key).some((condition) => pinsExactly(condition) && condition.values.every((value) => accounts.has(value))),
          );
          if (principal.everyone && !pinnedToAccount) report(`${label} allows any principal ("*") without pinning the account`, resource.urn);
          for (const aws of principal.aws) {
            const account = accountOf(aws);
            if (account === undefined || !accounts.has(account)) report(`${label} allows ${aws}, outside the stack's account (${[...accounts].join(", ") || "unknown"})`, resource.urn);
          }
          if (principal.service.length > 0) {
            const beyondPublish = grantedActions(statement).filter((action) => action.name !== "sns:Publish");
            if (beyondPublish.length > 0) report(`${label} lets ${principal.service.join(", ")} ${beyondPublish.slice(0, 4).map((a) => a.name).join(", ")}; services may only publish`, resource.urn);
          }
        }
      }
    },
  },
);

export const alertPolicies = [alarmsWithinSpec, alarmActionsEnabled, alarmSeverityRouted, subscriptionsUnfiltered, topicEncrypted, topicPolicyRestricted, chatbotGuardrailsReadOnly];
