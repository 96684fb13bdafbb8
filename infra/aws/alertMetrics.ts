import type { AlertRule, Severity, Statistic } from "../config/schema";

/**
 * The spec's monitoring table as CloudWatch metrics: one pure mapping from the schema's metric
 * ids to the metric names the app and pipelines publish, and the threshold maths of each alarm.
 * No Pulumi here: the alert component turns these plain values into resources.
 */
export interface MetricDefinition {
  metricName: string;
  /**
   * The unit publishers send the metric in (the contract with the app and pipelines). Alarms do not
   * filter on it: an alarm with a unit ignores datapoints published without one.
   */
  unit: "Percent" | "Seconds" | "Count";
  /** The statistic the metric's name promises (p95 latency is a p95 or nothing). */
  requiredStatistic?: Statistic;
  /**
   * What a gap means. Metrics the feed publishes every minute (error rate, latency, CPU, disk): a gap
   * is an outage of the feed, never good news, so `missing` (the alarm goes to INSUFFICIENT_DATA;
   * the feed's own heartbeat alarm pages). DeploymentFailed is published only when a deploy fails:
   * no datum means no failure, `notBreaching`. The policy pack holds the same table
   * (alerts-alarm-thresholds-within-spec).
   */
  treatMissingData: "notBreaching" | "missing";
  /** Who publishes it: the metrics bridge from one of its sources, or the deploy workflow's audit step. */
  publisher: { bridge: "posthog" | "railway" } | "deploy-workflow";
  /** The dimensions publishers send and alarms read (none for the spec's metrics). */
  dimensions: Record<string, string>;
}

/** The metrics alert rules may watch: a new one is one entry here (the schema's `metric` ids are these keys). */
const definitions = {
  "error-rate": { metricName: "ErrorRate", unit: "Percent", treatMissingData: "missing", publisher: { bridge: "posthog" }, dimensions: {} },
  "api-latency-p95": { metricName: "ApiLatency", unit: "Seconds", requiredStatistic: "p95", treatMissingData: "missing", publisher: { bridge: "railway" }, dimensions: {} },
  "deployment-failed": { metricName: "DeploymentFailed", unit: "Count", treatMissingData: "notBreaching", publisher: "deploy-workflow", dimensions: {} },
  "database-cpu": { metricName: "DatabaseCPUUtilization", unit: "Percent", treatMissingData: "missing", publisher: { bridge: "railway" }, dimensions: {} },
  "disk-used": { metricName: "DiskUsedPercent", unit: "Percent", treatMissingData: "missing", publisher: { bridge: "railway" }, dimensions: {} },
} satisfies Record<string, MetricDefinition>;

export type MetricName = keyof typeof definitions;
export const metricDefinitions: Record<MetricName, MetricDefinition> = definitions;
export const metricNames = Object.keys(definitions) as [MetricName, ...MetricName[]];

/**
 * The bridge's own health, published by the bridge on every run: a heartbeat (1 per run) and, per source,
 * whether reading it failed (1) or worked (0), with the source as the `Source` dimension. Their alarms
 * (infra/metrics/metricsBridge.ts) page when the heartbeat is missing or a source keeps failing.
 */
export const bridgeHealthMetrics = {
  heartbeat: { metricName: "BridgeHeartbeat", unit: "Count" },
  sourceFailed: { metricName: "BridgeSourceFailed", unit: "Count", dimension: "Source" },
} as const;

/** The bridge's sources, as the `Source` dimension values of BridgeSourceFailed. */
export const bridgeSources = ["posthog", "railway"] as const;
export type BridgeSource = (typeof bridgeSources)[number];

/** The namespace of the product's metrics: configured, or `<product.name>/<environment>`. */
export function alertNamespace(configured: string | undefined, productName: string, environment: string): string {
  return configured ?? `${productName}/${environment}`;
}

/** Percentiles go to `extendedStatistic`, the rest to `statistic` (CloudWatch takes exactly one). */
export function isPercentile(statistic: AlertRule["statistic"]): boolean {
  return /^p\d+(\.\d+)?$/.test(statistic);
}

/** How many of the evaluated periods must breach: configured, else all of them ("for N minutes"). */
export function datapointsToAlarm(rule: AlertRule): number {
  return rule.datapointsToAlarm ?? rule.evaluationPeriods;
}

/** How long the condition must hold before the alarm fires, in seconds. */
export function breachWindowSeconds(rule: AlertRule): number {
  return rule.periodSeconds * datapointsToAlarm(rule);
}

/** The anomaly band's expression: the metric's expected band, `threshold` standard deviations wide. */
export function anomalyBandExpression(metricId: string, deviations: number): string {
  if (!(deviations > 0)) throw new Error(`an anomaly band needs a positive width in standard deviations (got ${deviations})`);
  return `ANOMALY_DETECTION_BAND(${metricId}, ${deviations})`;
}

interface AlarmCommon {
  alarmDescription: string;
  comparisonOperator: AlertRule["comparison"];
  evaluationPeriods: number;
  datapointsToAlarm: number;
  treatMissingData: MetricDefinition["treatMissingData"];
  severity: Severity;
}

export interface ThresholdAlarmSpec extends AlarmCommon {
  kind: "threshold";
  namespace: string;
  metricName: string;
  statistic?: string;
  extendedStatistic?: string;
  period: number;
  threshold: number;
}

export interface AnomalyAlarmSpec extends AlarmCommon {
  kind: "anomaly";
  thresholdMetricId: string;
  metricQueries: {
    id: string;
    returnData: boolean;
    label?: string;
    expression?: string;
    metric?: { namespace: string; metricName: string; period: number; stat: string };
  }[];
}

export type AlarmSpec = ThresholdAlarmSpec | AnomalyAlarmSpec;

/** The description a responder reads first: what crossed which line, and the runbook action. */
export function alarmDescription(rule: AlertRule, metric: MetricDefinition): string {
  const window = formatDuration(breachWindowSeconds(rule));
  const condition =
    rule.kind === "anomaly"
      ? `${metric.metricName} above its expected band (${rule.threshold} standard deviations)`
      : `${metric.metricName} ${comparisonSymbol(rule.comparison)} ${rule.threshold}${unitSuffix(metric.unit)}`;
  return `[${rule.severity}] ${condition} for ${window}. Action: ${rule.action}`;
}

/** The plain CloudWatch alarm arguments of one rule (everything but the topic it notifies). */
export function alarmSpec(rule: AlertRule, namespace: string): AlarmSpec {
  const metric = metricDefinitions[rule.metric];
  if (metric.requiredStatistic !== undefined && rule.statistic !== metric.requiredStatistic) {
    throw new Error(`alert rule ${rule.id}: metric ${rule.metric} is measured as ${metric.requiredStatistic} (got statistic ${rule.statistic})`);
  }
  const common: AlarmCommon = {
    alarmDescription: alarmDescription(rule, metric),
    comparisonOperator: rule.comparison,
    evaluationPeriods: rule.evaluationPeriods,
    datapointsToAlarm: datapointsToAlarm(rule),
    treatMissingData: metric.treatMissingData,
    severity: rule.severity,
  };
  if (rule.kind === "anomaly") {
    return {
      ...common,
      kind: "anomaly",
      thresholdMetricId: "band",
      metricQueries: [
        {
          id: "m1",
          returnData: true,
          metric: { namespace, metricName: metric.metricName, period: rule.periodSeconds, stat: rule.statistic },
        },
        { id: "band", returnData: true, label: `${metric.metricName} (expected)`, expression: anomalyBandExpression("m1", rule.threshold) },
      ],
    };
  }
  return {
    ...common,
    kind: "threshold",
    namespace,
    metricName: metric.metricName,
    ...(isPercentile(rule.statistic) ? { extendedStatistic: rule.statistic } : { statistic: rule.statistic }),
    period: rule.periodSeconds,
    threshold: rule.threshold,
  };
}

function comparisonSymbol(comparison: AlertRule["comparison"]): string {
  return comparison === "GreaterThanOrEqualToThreshold" ? ">=" : ">";
}

function unitSuffix(unit: MetricDefinition["unit"]): string {
  if (unit === "Percent") return "%";
  if (unit === "Seconds") return " s";
  return "";
}

export function formatDuration(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}
