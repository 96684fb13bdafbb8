import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { dependsOn, resourcePolicy, stackPolicy, StackResource } from "../lib/define";
import { anyGlobMatch } from "../lib/glob";
import { asArray, knownNumber, knownString } from "../lib/values";

export const METRIC_ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
export const SNS_TOPIC = "aws:sns/topic:Topic";

const TOPICS = ["monitoring", "alerts"];

/** One row of the spec's monitoring table, as a bound no alarm may be looser than. */
export interface MetricBound {
  metricName: string;
  /** The spec's threshold: the alarm must fire whenever the metric is above it (at or above it when `inclusive`). */
  threshold: number;
  inclusive: boolean;
  /** Longest time the metric may breach before the alarm fires (period × evaluationPeriods), in seconds; 0 = no bound. */
  maxWindowSeconds: number;
  /** A statistic the alarm must use (`p95` for latency), or "" for any. */
  statistic: string;
}

export const specMetricBounds: MetricBound[] = [
  { metricName: "ErrorRate", threshold: 2, inclusive: false, maxWindowSeconds: 300, statistic: "" },
  { metricName: "ApiLatency", threshold: 1, inclusive: false, maxWindowSeconds: 600, statistic: "p95" },
  { metricName: "DatabaseCPUUtilization", threshold: 85, inclusive: false, maxWindowSeconds: 1800, statistic: "" },
  { metricName: "DiskUsedPercent", threshold: 80, inclusive: false, maxWindowSeconds: 0, statistic: "" },
  { metricName: "DeploymentFailed", threshold: 1, inclusive: true, maxWindowSeconds: 0, statistic: "" },
];

/** Why an alarm is looser than the bound, or undefined when it is not. */
export function loosenessOf(alarm: StackResource, bound: MetricBound): string | undefined {
  const props = alarm.props;
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
  const period = knownNumber(props["period"]) ?? 0;
  const periods = knownNumber(props["evaluationPeriods"]) ?? 1;
  if (bound.maxWindowSeconds > 0 && period * periods > bound.maxWindowSeconds) {
    return `waits ${period * periods} s (${periods} × ${period} s); the spec allows ${bound.maxWindowSeconds} s`;
  }
  if (bound.statistic !== "") {
    const statistic = knownString(props["extendedStatistic"]) ?? knownString(props["statistic"]);
    if (statistic !== bound.statistic) return `uses statistic ${statistic ?? "(none)"}; the spec measures ${bound.statistic}`;
  }
  return undefined;
}

const boundsSchema: PolicyConfigJSONSchema = {
  type: "array",
  minItems: 1,
  items: {
    type: "object",
    required: ["metricName", "threshold", "inclusive", "maxWindowSeconds", "statistic"],
    properties: {
      metricName: { type: "string" },
      threshold: { type: "number" },
      inclusive: { type: "boolean" },
      maxWindowSeconds: { type: "integer", minimum: 0 },
      statistic: { type: "string" },
    },
  },
  description: "The spec's monitoring table: one bound per metric.",
};

export const alarmsWithinSpec = stackPolicy<{ metrics: MetricBound[] }>(
  {
    name: "alerts-alarm-thresholds-within-spec",
    description:
      "Every metric of the spec's monitoring table has an alarm no looser than the table: " +
      '"Error rate > 2% for 5 min; API response time p95 > 1s for 10 min; Deployment status Failed; Database CPU > 85% for 30 min; Disk space > 80%".',
    severity: "high",
    remediation: [
      "Add or tighten the alarm in flightdeck:alerts.rules: threshold at most the spec's, periodSeconds × evaluationPeriods at most the spec's duration.",
    ],
    topics: TOPICS,
  },
  {
    config: { defaults: { metrics: specMetricBounds }, schema: { metrics: boundsSchema } },
    validate(resources, settings, report) {
      const alarms = resources.filter((r) => r.type === METRIC_ALARM);
      for (const bound of settings.metrics) {
        const candidates = alarms.filter((alarm) => alarm.props["metricName"] === bound.metricName);
        if (candidates.length === 0) {
          report(`no alarm on ${bound.metricName}`);
          continue;
        }
        const problems = candidates.map((alarm) => ({ alarm, problem: loosenessOf(alarm, bound) }));
        if (problems.every(({ problem }) => problem !== undefined)) {
          for (const { alarm, problem } of problems) report(`alarm ${alarm.name} on ${bound.metricName} ${problem}`, alarm.urn);
        }
      }
    },
  },
);

function isPagingTopic(topic: StackResource, globs: readonly string[]): boolean {
  return topic.type === SNS_TOPIC && (anyGlobMatch(globs, topic.name) || anyGlobMatch(globs, knownString(topic.props["name"]) ?? ""));
}

function notifies(alarm: StackResource, topic: StackResource): boolean {
  if (dependsOn(alarm, topic.urn, "alarmActions")) return true;
  const name = knownString(topic.props["name"]);
  return asArray(alarm.props["alarmActions"]).some((action) => typeof action === "string" && name !== undefined && action.endsWith(`:${name}`));
}

export const criticalAlarmsPage = stackPolicy<{ criticalMetrics: string[]; pagingTopics: string[] }>(
  {
    name: "alerts-critical-alarm-pages",
    description:
      'Critical alarms wake someone up. Spec, Alert Channels: "Critical (error rate, deployment failures): PagerDuty → phone call".',
    severity: "high",
    remediation: ["Put the critical (paging) SNS topic in the alarm's alarmActions (severity: critical in flightdeck:alerts.rules)."],
    topics: TOPICS,
  },
  {
    config: {
      defaults: { criticalMetrics: ["ErrorRate", "DeploymentFailed"], pagingTopics: ["*critical*"] },
      schema: {
        criticalMetrics: { type: "array", items: { type: "string" }, description: "Metrics whose alarms must page." },
        pagingTopics: { type: "array", items: { type: "string" }, minItems: 1, description: "Globs matching the paging SNS topic's name or logical name." },
      },
    },
    requires: METRIC_ALARM,
    validate(resources, settings, report, args) {
      const alarms = resources.filter((r) => r.type === METRIC_ALARM && settings.criticalMetrics.includes(knownString(r.props["metricName"]) ?? ""));
      if (alarms.length === 0) args.notApplicable("no alarm on a critical metric");
      const paging = resources.filter((r) => isPagingTopic(r, settings.pagingTopics));
      for (const alarm of alarms) {
        if (!paging.some((topic) => notifies(alarm, topic))) {
          report(`alarm ${alarm.name} on ${String(alarm.props["metricName"])} does not notify the paging topic (${settings.pagingTopics.join(", ")})`, alarm.urn);
        }
      }
    },
  },
);

export const topicEncrypted = resourcePolicy(
  {
    name: "alerts-topic-kms-encrypted",
    description: 'Alert messages (which name systems and errors) are encrypted at rest. Spec, Secrets Management: "encrypted at rest".',
    severity: "medium",
    remediation: ["Set kmsMasterKeyId on the topic (alias/aws/sns, or the stack's KMS key)."],
    topics: TOPICS,
  },
  {
    types: [SNS_TOPIC],
    validate({ props }, _settings, report) {
      const key = props["kmsMasterKeyId"];
      if (key === undefined || key === null || key === "") report("the topic has no kmsMasterKeyId");
    },
  },
);

export const alertPolicies = [alarmsWithinSpec, criticalAlarmsPage, topicEncrypted];
