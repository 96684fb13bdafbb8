import { COMPOSITE_ALARM, METRIC_ALARM, SNS_SUBSCRIPTION, SNS_TOPIC, alarmActionArns, deliveryOf, filterPolicyOf, resolveTopic, topicName, topicNameOfArn } from "./alarms";
import { bridgesOf, functionRole, isDocument } from "./bridges";
import { StackResource, dependsOn } from "./define";
import { resolveKey } from "./keys";
import { RoleGrants, roleGrants } from "./roles";
import { Plain, asArray, asRecord, isUnknown, knownString } from "./values";

/**
 * A paging path as a graph, from what fires to who receives it: a paging source (a CloudWatch alarm's
 * action, an EventBridge rule's target, the metrics bridge's pages, a function or CodeBuild job handed a topic ARN)
 * → the SNS topic it names → the documents that decide whether its publisher may publish (the topic's
 * access policy, the role's identity policies) → the topic's KMS key and the key policy that decides
 * whether the publisher may use it → the subscriptions and Chatbot channels that deliver it → an endpoint.
 * Inputs as @pulumi/aws 7 names them (terraform-provider-aws: cloudwatch_metric_alarm `alarm_actions`,
 * cloudwatch_event_rule `name`/`event_bus_name`/`state`, cloudwatch_event_target `rule`/`arn`/`event_bus_name`,
 * sns_topic `kms_master_key_id`/`policy`, sns_topic_policy `arn`/`policy`, sns_topic_subscription
 * `topic`/`protocol`/`endpoint`/`filter_policy`, kms_key `policy`, kms_key_policy `key_id`/`policy`).
 */

export const EVENT_RULE = "aws:cloudwatch/eventRule:EventRule";
export const EVENT_TARGET = "aws:cloudwatch/eventTarget:EventTarget";
export const SNS_TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy";

/** Who calls sns:Publish (and KMS, through SNS) when the source fires. */
export type Publisher =
  /** An AWS service on the source's behalf; `sourceArn` is the alarm or rule ARN it sends as aws:SourceArn. */
  | { kind: "service"; service: string; sourceArn: string; account: string; region: string }
  /** A role of the stack (a function's execution role) calling SNS itself. */
  | { kind: "role"; roleArn: string; grants: RoleGrants; account: string; region: string };

export interface PagingSource {
  resource: StackResource;
  /** `alarm flightpro-production-error-rate`, `EventBridge rule break-glass-assumed`. */
  label: string;
  topicArn: string;
  /** The input of `resource` that names the topic (its dependency is read there). */
  input: string;
  publisher: Publisher | { kind: "unjudgeable"; reason: string };
}

/** `arn:aws:sns:<region>:<account>:<name>` → region and account. */
export function topicLocation(arn: string): { partition: string; region: string; account: string } | undefined {
  const match = /^arn:(aws[a-z-]*):sns:([a-z0-9-]+):(\d{12}):[A-Za-z0-9_.-]+$/.exec(arn.trim());
  return match ? { partition: match[1]!, region: match[2]!, account: match[3]! } : undefined;
}

function regionOf(resource: StackResource): string | undefined {
  return knownString(resource.props["region"]) ?? knownString(resource.provider?.props["region"]);
}

const isSnsArn = (arn: string) => /^arn:aws[a-z-]*:sns:/.test(arn);

/**
 * CloudWatch alarm actions: the alarm publishes as cloudwatch.amazonaws.com with its own ARN
 * (`arn:aws:cloudwatch:<region>:<account>:alarm:<name>`, Service Authorization Reference, Amazon CloudWatch
 * resource types) as aws:SourceArn. An alarm's SNS action is a topic of its own region (the topic ARN's).
 */
function alarmSources(resources: StackResource[]): PagingSource[] {
  return resources.flatMap((alarm) => {
    if (alarm.type !== METRIC_ALARM && alarm.type !== COMPOSITE_ALARM) return [];
    const name = knownString(alarm.props["name"]) ?? knownString(alarm.props["alarmName"]) ?? alarm.name;
    return alarmActionArns(alarm).filter(isSnsArn).map((topicArn): PagingSource => {
      const location = topicLocation(topicArn);
      const region = regionOf(alarm) ?? location?.region;
      const publisher: PagingSource["publisher"] =
        location && region
          ? { kind: "service", service: "cloudwatch.amazonaws.com", sourceArn: `arn:${location.partition}:cloudwatch:${region}:${location.account}:alarm:${name}`, account: location.account, region }
          : { kind: "unjudgeable", reason: `its action ${topicArn} is not a topic ARN` };
      return { resource: alarm, label: `alarm ${name}`, topicArn, input: "alarmActions", publisher };
    });
  });
}

/**
 * EventBridge rule targets that are topics: EventBridge publishes as events.amazonaws.com with the rule's ARN
 * (`arn:aws:events:<region>:<account>:rule/[<bus>/]<name>`) as aws:SourceArn
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html#eb-sns-permissions);
 * "The targets you associate with a rule must be in the same Region as the rule"
 * (https://repost.aws/knowledge-center/sns-not-getting-eventbridge-notification).
 */
function ruleSources(resources: StackResource[]): PagingSource[] {
  const rules = resources.filter((resource) => resource.type === EVENT_RULE);
  return resources.flatMap((target): PagingSource[] => {
    if (target.type !== EVENT_TARGET) return [];
    const topicArn = knownString(target.props["arn"]);
    if (topicArn === undefined || !isSnsArn(topicArn)) return [];
    const ruleName = knownString(target.props["rule"]);
    const rule = rules.find((candidate) => (ruleName !== undefined && knownString(candidate.props["name"]) === ruleName) || dependsOn(target, candidate.urn, "rule"));
    const label = `EventBridge rule ${ruleName ?? target.name}`;
    if (!rule) return [{ resource: target, label, topicArn, input: "arn", publisher: { kind: "unjudgeable", reason: `its target ${target.name} names rule ${ruleName ?? "(unknown)"}, which this stack does not declare` } }];
    const location = topicLocation(topicArn);
    if (!location) return [{ resource: target, label, topicArn, input: "arn", publisher: { kind: "unjudgeable", reason: `its target ${topicArn} is not a topic ARN` } }];
    // terraform-provider-aws cloudwatch_event_rule: state ENABLED (default), DISABLED or ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS.
    const state = knownString(rule.props["state"]);
    if (state === "DISABLED" || rule.props["isEnabled"] === false) {
      return [{ resource: rule, label, topicArn, input: "arn", publisher: { kind: "unjudgeable", reason: `rule ${knownString(rule.props["name"]) ?? rule.name} is disabled: it never fires` } }];
    }
    const region = regionOf(rule) ?? location.region;
    const bus = knownString(rule.props["eventBusName"]) ?? "default";
    const name = knownString(rule.props["name"]) ?? rule.name;
    const sourceArn = `arn:${location.partition}:events:${region}:${location.account}:rule/${bus === "default" ? "" : `${bus}/`}${name}`;
    return [{ resource: target, label: `EventBridge rule ${name}`, topicArn, input: "arn", publisher: { kind: "service", service: "events.amazonaws.com", sourceArn, account: location.account, region } }];
  });
}

/** The metrics bridge's pages: its function publishes to the topic its document names, as the role it runs as. */
function bridgeSources(resources: StackResource[]): PagingSource[] {
  const grants = roleGrants(resources);
  return bridgesOf(resources).flatMap((bridge): PagingSource[] => {
    if (!isDocument(bridge.document)) return [];
    const topicArn = bridge.document.watch?.criticalTopicArn;
    if (topicArn === undefined) return [];
    const label = `metrics bridge ${bridge.functionName}'s pages`;
    const role = functionRole(bridge, grants);
    const location = topicLocation(topicArn);
    if (!role || !location) return [{ resource: bridge.function, label, topicArn, input: "environment", publisher: { kind: "unjudgeable", reason: role ? `it pages ${topicArn}, not a topic ARN` : "it runs as a role this stack does not declare" } }];
    const roleArn = `arn:${location.partition}:iam::${location.account}:role/${role.roleName}`;
    return [{ resource: bridge.function, label, topicArn, input: "environment", publisher: { kind: "role", roleArn, grants: role, account: location.account, region: regionOf(bridge.function) ?? location.region } }];
  });
}

const LAMBDA_FUNCTION = "aws:lambda/function:Function";
const CODEBUILD_PROJECT = "aws:codebuild/project:Project";

/** A job's plain environment (Lambda `environment.variables`, CodeBuild `environment.environmentVariables` PLAINTEXT) and the role it runs as. */
function jobOf(resource: StackResource): { variables: [string, Plain][]; roleReference: string | undefined; roleInput: string } | undefined {
  if (resource.type === LAMBDA_FUNCTION) {
    return { variables: Object.entries(asRecord(asRecord(resource.props["environment"])?.["variables"]) ?? {}), roleReference: knownString(resource.props["role"]), roleInput: "role" };
  }
  if (resource.type === CODEBUILD_PROJECT) {
    const variables = asArray(asRecord(resource.props["environment"])?.["environmentVariables"]).flatMap((entry): [string, Plain][] => {
      const record = asRecord(entry);
      const name = knownString(record?.["name"]);
      return record && name !== undefined && (record["type"] === undefined || record["type"] === "PLAINTEXT") ? [[name, record["value"] ?? null]] : [];
    });
    return { variables, roleReference: knownString(resource.props["serviceRole"]), roleInput: "serviceRole" };
  }
  return undefined;
}

/**
 * Jobs that page: a Lambda function or CodeBuild project handed a topic ARN of the stack in its environment (the
 * rotation reminder's WARNING_TOPIC_ARN/CRITICAL_TOPIC_ARN) publishes to it as the role it runs as.
 */
function jobSources(resources: StackResource[]): PagingSource[] {
  const grants = roleGrants(resources);
  const topics = resources.filter((r) => r.type === SNS_TOPIC);
  return resources.flatMap((resource): PagingSource[] => {
    const job = jobOf(resource);
    if (!job) return [];
    const name = knownString(resource.props["name"]) ?? resource.name;
    return job.variables.flatMap(([variable, value]): PagingSource[] => {
      const topicArn = knownString(value);
      const location = topicArn === undefined ? undefined : topicLocation(topicArn);
      if (topicArn === undefined || !location || !topics.some((topic) => topicName(topic) === topicNameOfArn(topicArn))) return [];
      const label = `${resource.type === LAMBDA_FUNCTION ? "function" : "job"} ${name} (${variable})`;
      const role = grants.find((candidate) => (job.roleReference !== undefined && job.roleReference.endsWith(`:role/${candidate.roleName}`)) || dependsOn(resource, candidate.role.urn, job.roleInput));
      if (!role) return [{ resource, label, topicArn, input: "environment", publisher: { kind: "unjudgeable", reason: "it runs as a role this stack does not declare" } }];
      const roleArn = `arn:${location.partition}:iam::${location.account}:role/${role.roleName}`;
      return [{ resource, label, topicArn, input: "environment", publisher: { kind: "role", roleArn, grants: role, account: location.account, region: regionOf(resource) ?? location.region } }];
    });
  });
}

export function pagingSources(resources: StackResource[]): PagingSource[] {
  return [...alarmSources(resources), ...ruleSources(resources), ...bridgeSources(resources), ...jobSources(resources)];
}

/** The documents that govern a topic: its own `policy` and every TopicPolicy for it (each may be the one SNS keeps). */
export function topicPolicies(topic: StackResource, topicArn: string, resources: StackResource[]): { resource: StackResource; policy: Plain }[] {
  const found: { resource: StackResource; policy: Plain }[] = [];
  const own = topic.props["policy"];
  if (own !== undefined && own !== null && own !== "") found.push({ resource: topic, policy: own });
  for (const resource of resources) {
    if (resource.type !== SNS_TOPIC_POLICY) continue;
    const arn = resource.props["arn"];
    if (knownString(arn) === topicArn || (isUnknown(arn) && dependsOn(resource, topic.urn, "arn")) || (knownString(arn) === undefined && dependsOn(resource, topic.urn, "arn"))) {
      found.push({ resource, policy: resource.props["policy"] ?? null });
    }
  }
  return found;
}

/** The protocols that deliver to a person or a program that pages one (the brief's email, https and lambda). */
const DELIVERING_PROTOCOLS = ["email", "email-json", "https", "lambda"];

/** Why a subscription delivers nothing, or undefined when it has a protocol, an endpoint of that protocol, and no filter. */
export function subscriptionGap(subscription: StackResource): string | undefined {
  const protocol = knownString(subscription.props["protocol"]);
  if (protocol === undefined || !DELIVERING_PROTOCOLS.includes(protocol)) return `uses protocol ${protocol ?? "(none)"}, not one of ${DELIVERING_PROTOCOLS.join(", ")}`;
  if (filterPolicyOf(subscription) !== undefined) return "filters messages (alarm notifications carry no message attributes)";
  const raw = subscription.props["endpoint"];
  // A secret endpoint the plan cannot read (PagerDuty's integration URL) is judged by its protocol alone.
  if (isUnknown(raw)) return undefined;
  const endpoint = (knownString(raw) ?? "").trim();
  if (endpoint === "") return "has no endpoint";
  if (protocol === "https") {
    try {
      if (new URL(endpoint).protocol !== "https:") return `sends to ${endpoint}, not an https URL`;
    } catch {
      return undefined;
    }
  }
  if (protocol.startsWith("email") && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(endpoint)) return `sends to ${endpoint}, not an email address`;
  if (protocol === "lambda" && !/^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+(:[A-Za-z0-9_$-]+)?$/.test(endpoint)) return `sends to ${endpoint}, not a Lambda function ARN`;
  return undefined;
}

/** The subscriptions of a topic (by dependency and name) and the Chatbot channels that post it. */
export function receiversOf(topic: StackResource, resources: StackResource[]): { subscriptions: StackResource[]; chat: StackResource[] } {
  const subscriptions = resources.filter((r) => r.type === SNS_SUBSCRIPTION && resolveTopic(knownString(r.props["topic"]) ?? "", [topic], r, "topic") !== undefined);
  return { subscriptions, chat: deliveryOf(topic, resources).chat };
}

export function topicOf(source: PagingSource, resources: StackResource[]): StackResource | undefined {
  const topics = resources.filter((r) => r.type === SNS_TOPIC);
  if (source.input === "environment") {
    // The bridge's document is one JSON string: the topic is the one it names that the function depends on.
    const name = topicNameOfArn(source.topicArn);
    return topics.find((topic) => topicName(topic) === name && dependsOn(source.resource, topic.urn, source.input));
  }
  return resolveTopic(source.topicArn, topics, source.resource, source.input);
}

export function keyOfTopic(topic: StackResource, resources: StackResource[]): { reference: string | undefined; key: StackResource | undefined; unknown: boolean } {
  const raw = topic.props["kmsMasterKeyId"];
  if (isUnknown(raw)) return { reference: undefined, key: undefined, unknown: true };
  const reference = knownString(raw);
  if (reference === undefined || reference === "") return { reference: undefined, key: undefined, unknown: false };
  return { reference, key: resolveKey(reference, resources, topic, "kmsMasterKeyId"), unknown: false };
}
