import { StackResource, dependsOn } from "./define";
import { anyGlobMatch } from "./glob";
import { asArray, asRecord, isRecord, knownNumber, knownString, Plain, PlainRecord } from "./values";

/**
 * CloudWatch alarms as a whole: which metric an alarm really evaluates (a plain metric alarm, or
 * `metricQueries` metric math), which SNS topics of the stack its actions reach, and whether
 * those topics reach a person. Inputs as @pulumi/aws 7 (terraform-provider-aws) names them:
 * website/docs/r/cloudwatch_metric_alarm.html.markdown ("If you specify at least one metric_query,
 * you may not specify a metric_name, namespace, period or statistic"; `actions_enabled` "Defaults to
 * true"; `treat_missing_data` "Defaults to missing"), sns_topic_subscription, chatbot_slack_channel_configuration.
 */

export const METRIC_ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
export const COMPOSITE_ALARM = "aws:cloudwatch/compositeAlarm:CompositeAlarm";
export const SNS_TOPIC = "aws:sns/topic:Topic";
export const SNS_SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription";
export const CHATBOT_SLACK = "aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration";

/** The series an alarm compares with its threshold. */
export interface EvaluatedMetric {
  /** `metric`: one metric with a statistic; `expression`: metric math (an anomaly band, a formula). */
  shape: "metric" | "expression";
  namespace?: string;
  metricName?: string;
  dimensions: Record<string, string>;
  /** Statistic or percentile (`Average`, `p95`). */
  statistic?: string;
  period?: number;
  unit?: string;
  /** Every metric the alarm reads (for expressions: the inputs of the formula). */
  reads: { namespace?: string; metricName?: string }[];
}

function dimensionsOf(value: Plain | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, dimension] of Object.entries(asRecord(value) ?? {})) result[key] = typeof dimension === "string" ? dimension : JSON.stringify(dimension);
  return result;
}

function metricOf(record: PlainRecord | undefined): EvaluatedMetric["reads"][number] {
  return { namespace: knownString(record?.["namespace"]), metricName: knownString(record?.["metricName"]) };
}

const evaluated = new WeakMap<StackResource, EvaluatedMetric | null>();

/** What a metric alarm evaluates; undefined for a malformed alarm (no metric, no query). Computed once per resource. */
export function evaluatedMetric(alarm: StackResource): EvaluatedMetric | undefined {
  let metric = evaluated.get(alarm);
  if (metric === undefined) {
    metric = readEvaluatedMetric(alarm) ?? null;
    evaluated.set(alarm, metric);
  }
  return metric ?? undefined;
}

function readEvaluatedMetric(alarm: StackResource): EvaluatedMetric | undefined {
  const props = alarm.props;
  const queries = asArray(props["metricQueries"]).filter(isRecord);
  if (queries.length === 0) {
    if (knownString(props["metricName"]) === undefined) return undefined;
    return {
      shape: "metric",
      namespace: knownString(props["namespace"]),
      metricName: knownString(props["metricName"]),
      dimensions: dimensionsOf(props["dimensions"]),
      statistic: knownString(props["extendedStatistic"]) ?? knownString(props["statistic"]),
      period: knownNumber(props["period"]),
      unit: knownString(props["unit"]),
      reads: [metricOf(props)],
    };
  }
  const reads = queries.map((query) => asRecord(query["metric"])).filter((metric): metric is PlainRecord => metric !== undefined).map(metricOf);
  // The series the alarm compares: the threshold metric of a band alarm, else the one query that returns data.
  const returned = queries.filter((query) => query["returnData"] === true);
  const thresholdId = knownString(props["thresholdMetricId"]);
  const compared = thresholdId !== undefined ? returned.filter((query) => query["id"] !== thresholdId) : returned;
  const single = compared.length === 1 ? compared[0] : queries.length === 1 ? queries[0] : undefined;
  const metric = asRecord(single?.["metric"]);
  if (!single || !metric || thresholdId !== undefined) return { shape: "expression", dimensions: {}, reads };
  return {
    shape: "metric",
    namespace: knownString(metric["namespace"]),
    metricName: knownString(metric["metricName"]),
    dimensions: dimensionsOf(metric["dimensions"]),
    statistic: knownString(metric["stat"]),
    period: knownNumber(metric["period"]),
    unit: knownString(metric["unit"]),
    reads,
  };
}

/** The metric names an alarm reads, however it is written. */
export function metricNamesRead(alarm: StackResource): string[] {
  return (evaluatedMetric(alarm)?.reads ?? []).flatMap((read) => read.metricName ?? []);
}

/** `arn:aws:sns:region:account:name` → name. */
export function topicNameOfArn(arn: string): string | undefined {
  return /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:([A-Za-z0-9_.-]+)$/.exec(arn.trim())?.[1];
}

export function topicName(topic: StackResource): string {
  return knownString(topic.props["name"]) ?? topic.name;
}

/**
 * The stack's topic an SNS ARN in `holder`'s input names: same topic name AND a dependency of the
 * holder on that topic (the ARN came from the topic's output, not a hand-written ARN of a lookalike
 * topic in another account).
 */
export function resolveTopic(arn: string, topics: StackResource[], holder: StackResource, input: string): StackResource | undefined {
  const name = topicNameOfArn(arn);
  if (name === undefined) return undefined;
  return topics.find((topic) => topicName(topic) === name && dependsOn(holder, topic.urn, input));
}

/** An alarm's ALARM-state action ARNs (metric and composite alarms both take `alarmActions`). */
export function alarmActionArns(alarm: StackResource): string[] {
  return asArray(alarm.props["alarmActions"]).flatMap((action) => knownString(action) ?? []);
}

/**
 * PagerDuty's Amazon CloudWatch integration posts to `https://events.pagerduty.com/integration/<key>/enqueue`
 * (EU service region: events.eu.pagerduty.com). The endpoint is a secret; when the value is not a URL
 * at all (a plan that cannot read the secret), only the protocol can be judged.
 */
export const PAGERDUTY_HOSTS = ["events.pagerduty.com", "events.eu.pagerduty.com"];

export function pagesPagerDuty(subscription: StackResource): boolean {
  if (knownString(subscription.props["protocol"]) !== "https") return false;
  const endpoint = knownString(subscription.props["endpoint"]);
  if (endpoint === undefined) return true;
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return true;
  }
  return url.protocol === "https:" && PAGERDUTY_HOSTS.includes(url.hostname.toLowerCase());
}

/** A subscription's filter policy, when it has one (a non-empty policy drops every message it does not match). */
export function filterPolicyOf(subscription: StackResource): string | undefined {
  const raw = subscription.props["filterPolicy"];
  if (raw === undefined || raw === null) return undefined;
  const text = typeof raw === "string" ? raw.trim() : JSON.stringify(raw);
  return text === "" ? undefined : text;
}

export interface TopicDelivery {
  /** Subscriptions that page PagerDuty and are not filtered. */
  paging: StackResource[];
  /** Chatbot Slack configurations that post the topic. */
  chat: StackResource[];
  /** Subscriptions with a filter policy. */
  filtered: StackResource[];
}

export function deliveryOf(topic: StackResource, resources: StackResource[]): TopicDelivery {
  const topics = [topic];
  const subscriptions = resources.filter(
    (r) => r.type === SNS_SUBSCRIPTION && resolveTopic(knownString(r.props["topic"]) ?? "", topics, r, "topic") !== undefined,
  );
  const filtered = subscriptions.filter((subscription) => filterPolicyOf(subscription) !== undefined);
  return {
    paging: subscriptions.filter((subscription) => filterPolicyOf(subscription) === undefined && pagesPagerDuty(subscription)),
    chat: resources.filter(
      (r) => r.type === CHATBOT_SLACK && asArray(r.props["snsTopicArns"]).some((arn) => resolveTopic(knownString(arn) ?? "", topics, r, "snsTopicArns") !== undefined),
    ),
    filtered,
  };
}

/** deliveryOf for each topic, computed once per stack evaluation. */
export function deliveries(resources: StackResource[]): (topic: StackResource) => TopicDelivery {
  const cache = new Map<string, TopicDelivery>();
  const relevant = resources.filter((r) => r.type === SNS_SUBSCRIPTION || r.type === CHATBOT_SLACK);
  return (topic) => {
    let delivery = cache.get(topic.urn);
    if (delivery === undefined) {
      delivery = deliveryOf(topic, relevant);
      cache.set(topic.urn, delivery);
    }
    return delivery;
  };
}

export type Severity = "critical" | "warning" | "info";
export const SEVERITY_RANK: Record<Severity, number> = { info: 1, warning: 2, critical: 3 };

export interface TopicSeverities {
  criticalTopics: string[];
  warningTopics: string[];
  infoTopics: string[];
}

/** A topic's severity by its name (the stack names its topics `<prefix>-<severity>`), or undefined. */
export function severityOfTopic(topic: StackResource, settings: TopicSeverities): Severity | undefined {
  const names = [topicName(topic), topic.name];
  const matches = (globs: string[]) => names.some((name) => anyGlobMatch(globs, name));
  if (matches(settings.criticalTopics)) return "critical";
  if (matches(settings.warningTopics)) return "warning";
  if (matches(settings.infoTopics)) return "info";
  return undefined;
}

/**
 * The severity an alarm really reaches: the highest severity among the stack topics it notifies
 * that reach someone (a critical topic counts only when it pages PagerDuty; a warning or info
 * topic when AWS Chatbot posts it to Slack).
 */
export function reachedSeverity(alarm: StackResource, topics: StackResource[], delivery: (topic: StackResource) => TopicDelivery, settings: TopicSeverities): Severity | undefined {
  let best: Severity | undefined;
  for (const arn of alarmActionArns(alarm)) {
    const topic = resolveTopic(arn, topics, alarm, "alarmActions");
    if (!topic) continue;
    const severity = severityOfTopic(topic, settings);
    if (severity === undefined) continue;
    const reached = delivery(topic);
    const reaches = severity === "critical" ? reached.paging.length > 0 : reached.chat.length > 0 || reached.paging.length > 0;
    if (reaches && (best === undefined || SEVERITY_RANK[severity] > SEVERITY_RANK[best])) best = severity;
  }
  return best;
}

/** Whether a namespace is AWS's own (`AWS/Lambda`): alarms may watch those wherever the stack's resources publish. */
export function isAwsNamespace(namespace: string): boolean {
  return namespace.startsWith("AWS/");
}

/** The custom namespace the stack's metric alarms watch most, when none is configured. */
export function expectedMetricsNamespace(resources: StackResource[], configured = ""): string | undefined {
  if (configured !== "") return configured;
  const counts = new Map<string, number>();
  for (const alarm of resources) {
    if (alarm.type !== METRIC_ALARM) continue;
    for (const read of evaluatedMetric(alarm)?.reads ?? []) {
      if (read.namespace !== undefined && !isAwsNamespace(read.namespace)) counts.set(read.namespace, (counts.get(read.namespace) ?? 0) + 1);
    }
  }
  let best: string | undefined;
  for (const [namespace, count] of counts) if (best === undefined || count > counts.get(best)!) best = namespace;
  return best;
}
