import { declaredKeys } from "../lib/access";
import { CertainDocuments, CertainRequest, Certainty, certainlyAllowed } from "../lib/certainAccess";
import { stackPolicy, StackResource, UnknownInputError } from "../lib/define";
import { PagingSource, Publisher, keyOfTopic, pagingSources, receiversOf, subscriptionGap, topicLocation, topicOf, topicPolicies } from "../lib/paging";
import { topicName } from "../lib/alarms";
import { defaultKeyPolicy, keyPolicyInputs } from "../lib/keys";
import { ParsedDocument, parsePolicyDocument } from "../lib/policyDocument";
import { isUnknown } from "../lib/values";

const SPEC_CHANNELS =
  'Spec, Alert Channels: "Critical (error rate, deployment failures): PagerDuty → phone call; Warning (performance degradation): Slack #alerts; Info (successful deployment): Slack #deploys"';

/**
 * The data-key operations SNS performs with the publisher's permissions when a message reaches an encrypted topic:
 * "To allow the AWS service to have the kms:GenerateDataKey* and kms:Decrypt permissions, add the following statement
 * to the KMS policy" (awsdocs/amazon-sns-developer-guide@32e7b11 doc_source/sns-key-management.md, "Enable
 * compatibility between event sources from AWS services and encrypted topics",
 * https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services). SNS calls
 * kms:GenerateDataKey, which a `kms:GenerateDataKey*` statement covers. A role that publishes needs the same two on the
 * key beside sns:Publish (the same page's example policy for a publisher of an encrypted topic).
 */
export const KEY_ACTIONS = ["kms:GenerateDataKey", "kms:Decrypt"];

function who(publisher: Publisher): string {
  return publisher.kind === "service" ? `${publisher.service} (as ${publisher.sourceArn})` : `role ${publisher.grants.roleName}`;
}

function identityOf(publisher: Publisher): ParsedDocument[] {
  return publisher.kind === "role" ? publisher.grants.permissions.map((source) => source.document) : [];
}

/**
 * The sns:Publish request the source makes. A service publishing on a resource's behalf carries that resource as
 * aws:SourceArn and its account as aws:SourceAccount ("aws:SourceArn … is included in the request context only when
 * a call to your resource is being made directly by an AWS service principal on behalf of a resource for which the
 * configuration triggered the service-to-service request",
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-sourcearn,
 * #condition-keys-sourceaccount); EventBridge's own example pins aws:SourceArn to the rule
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html#eb-sns-permissions). A role's
 * call carries aws:PrincipalArn (the role's ARN for a role session) and aws:PrincipalAccount
 * (#condition-keys-principalarn, #condition-keys-principalaccount).
 */
export function publishRequest(publisher: Publisher, topicArn: string): CertainRequest {
  if (publisher.kind === "service") {
    return { principal: { kind: "service", service: publisher.service }, action: "sns:Publish", resourceArn: topicArn, context: { "aws:SourceArn": publisher.sourceArn, "aws:SourceAccount": publisher.account } };
  }
  return {
    principal: { kind: "role", arn: publisher.roleArn, account: publisher.account },
    action: "sns:Publish",
    resourceArn: topicArn,
    context: { "aws:PrincipalArn": publisher.roleArn, "aws:PrincipalAccount": publisher.account },
  };
}

/**
 * The KMS request SNS makes for the publisher. A role's call comes through SNS: kms:ViaService
 * `sns.<region>.amazonaws.com` and kms:CallerAccount, the caller's account
 * (https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service,
 * #conditions-kms-caller-account). A service publisher is the principal itself: the key policy must name it
 * (sns-key-management.md, above). CloudWatch's request carries the alarm as aws:SourceArn/aws:SourceAccount;
 * EventBridge's carries neither, so a key-policy grant to events.amazonaws.com conditioned on them never matches
 * (AWS's note, as quoted by https://aws.github.io/modern-data-architecture-accelerator/typedocs/functions/_aws-mdaa_cloudwatch-constructs.grantCloudWatchAlarmsTopicAccess.html).
 * No other key is assumed present: a condition on one makes the grant uncertain.
 */
export function keyRequest(publisher: Publisher, action: string, keyArn: string | undefined): CertainRequest {
  if (publisher.kind === "service") {
    const context: Record<string, string> = publisher.service === "cloudwatch.amazonaws.com" ? { "aws:SourceArn": publisher.sourceArn, "aws:SourceAccount": publisher.account } : {};
    return { principal: { kind: "service", service: publisher.service }, action, resourceArn: keyArn, context };
  }
  return {
    principal: { kind: "role", arn: publisher.roleArn, account: publisher.account },
    action,
    resourceArn: keyArn,
    context: { "aws:PrincipalArn": publisher.roleArn, "aws:PrincipalAccount": publisher.account, "kms:ViaService": `sns.${publisher.region}.amazonaws.com`, "kms:CallerAccount": publisher.account },
  };
}

/** The documents that decide a publish: the topic's access policies (none: SNS's default, judged by the caller) and the role's identity policies. */
export function publishDocuments(publisher: Publisher, topicPolicyDocuments: ParsedDocument[]): CertainDocuments {
  return { resourcePolicies: topicPolicyDocuments, identityPolicies: identityOf(publisher) };
}

export function keyDocuments(publisher: Publisher, keyPolicy: ParsedDocument): CertainDocuments {
  return { resourcePolicies: [keyPolicy], identityPolicies: identityOf(publisher), kmsKey: true };
}

function because(certainty: Certainty): string {
  return certainty.allowed ? "" : certainty.reason;
}

interface Break {
  problem: string;
  urn: string;
}

/** Where a paging path stops, or undefined when the source's message reaches someone. */
function pathBreak(source: PagingSource, resources: StackResource[], keyArns: Map<string, string | undefined>): Break | undefined {
  const publisher = source.publisher;
  if (publisher.kind === "unjudgeable") return { problem: `the path stops at its start: ${publisher.reason}`, urn: source.resource.urn };
  const topic = topicOf(source, resources);
  if (!topic) return { problem: `publishes to ${source.topicArn}, which is not a topic of this stack it depends on: the path cannot be judged`, urn: source.resource.urn };
  const name = topicName(topic);

  // 1. The topic's access policy (and, for a role, its identity policies) let the publisher publish.
  const policies = topicPolicies(topic, source.topicArn, resources);
  if (policies.some(({ policy }) => isUnknown(policy))) throw new UnknownInputError(`${topic.urn} policy`);
  if (policies.length === 0) {
    // SNS's default access policy names the account's principals ("AWS": "*" with AWS:SourceOwner): CloudWatch alarms and
    // the account's roles publish under it; EventBridge does not: "Your Amazon SNS topic's resource-based policy must allow
    // EventBridge … events.amazonaws.com must be listed as the Service" (https://repost.aws/knowledge-center/sns-not-getting-eventbridge-notification).
    if (publisher.kind === "service" && publisher.service === "events.amazonaws.com") {
      return { problem: `topic ${name} keeps SNS's default access policy, which does not let events.amazonaws.com publish: add a topic policy allowing it sns:Publish for this rule`, urn: topic.urn };
    }
    if (publisher.kind === "role") {
      const certainty = certainlyAllowed(publishRequest(publisher, source.topicArn), publishDocuments(publisher, []));
      if (!certainty.allowed) return { problem: `${who(publisher)} may not certainly publish to topic ${name} (its identity policies: ${because(certainty)})`, urn: publisher.grants.role.urn };
    }
  }
  for (const { resource, policy } of policies) {
    const certainty = certainlyAllowed(publishRequest(publisher, source.topicArn), publishDocuments(publisher, [parsePolicyDocument(policy)]));
    if (!certainty.allowed) return { problem: `the access policy of topic ${name} (${resource.name}) does not certainly let ${who(publisher)} publish: ${because(certainty)}`, urn: resource.urn };
  }

  // 2. The topic's key lets the publisher's messages be encrypted.
  const { reference, key, unknown } = keyOfTopic(topic, resources);
  if (unknown) throw new UnknownInputError(`${topic.urn} kmsMasterKeyId`);
  if (reference !== undefined) {
    if (!key) {
      const awsManaged = /(^|:)alias\/aws\/sns$/.test(reference);
      if (awsManaged && publisher.kind === "service") {
        return { problem: `topic ${name} is encrypted with the AWS managed key aws/sns, whose key policy cannot name ${publisher.service}: every message it publishes is dropped`, urn: topic.urn };
      }
      if (!awsManaged) return { problem: `topic ${name} is encrypted with ${reference}, not a key of this stack: whether ${who(publisher)} may use it cannot be judged`, urn: topic.urn };
    } else {
      const location = topicLocation(source.topicArn)!;
      const documents = keyPolicyInputs(key, resources);
      if (documents.some(({ policy }) => isUnknown(policy))) throw new UnknownInputError(`${key.urn} policy`);
      const governing = documents.length > 0 ? documents : [{ resource: key, policy: defaultKeyPolicy(location.partition, location.account) }];
      // Unknown when the inputs do not tell it: then only a `*` Resource certainly covers the key.
      const keyArn = keyArns.get(key.urn);
      for (const { resource, policy } of governing) {
        for (const action of KEY_ACTIONS) {
          const certainty = certainlyAllowed(keyRequest(publisher, action, keyArn), keyDocuments(publisher, parsePolicyDocument(policy)));
          if (!certainty.allowed) {
            const which = documents.length > 0 ? `the key policy of ${key.name}${resource === key ? "" : ` (${resource.name})`}` : `${key.name}'s default key policy`;
            return { problem: `${which} does not certainly let ${who(publisher)} ${action} for topic ${name}: ${because(certainty)}`, urn: resource.urn };
          }
        }
      }
    }
  }

  // 3. Someone receives it.
  const { subscriptions, chat } = receiversOf(topic, resources);
  if (chat.length > 0) return undefined;
  const gaps = subscriptions.map((subscription) => ({ subscription, gap: subscriptionGap(subscription) }));
  if (gaps.some(({ gap }) => gap === undefined)) return undefined;
  const why = gaps.length === 0 ? "it has no subscription" : gaps.map(({ subscription, gap }) => `subscription ${subscription.name} ${gap}`).join("; ");
  return { problem: `topic ${name} delivers to nobody (${why}) and no Chatbot channel posts it`, urn: topic.urn };
}

export const pagingPathDelivers = stackPolicy(
  {
    name: "alerts-paging-path-delivers",
    description:
      "Every paging source reaches a person, judged as one path: each CloudWatch alarm action, each EventBridge rule that targets a topic (the break-glass alarm), the metrics bridge's pages and every job handed a topic ARN (the rotation reminder) → a topic of this stack " +
      "→ the topic's access policy lets that publisher publish (cloudwatch.amazonaws.com or events.amazonaws.com with the alarm's or rule's own ARN as aws:SourceArn; a function's or job's role with its identity policies) " +
      "→ the topic's KMS key policy lets the same publisher kms:GenerateDataKey and kms:Decrypt → an unfiltered email, https or lambda subscription with an endpoint, or a Chatbot channel. " +
      "Each joint must certainly let the message through, with each document read whole: a Deny statement that may apply, or an Allow whose conditions (aws:SourceArn, aws:SourceAccount, kms:ViaService, … by ArnEquals/ArnLike/StringEquals/StringLike and their Not forms) cannot be shown to hold for that source, breaks the path; so a rule, a topic, a key and a subscription that each exist cannot leave it broken in between. " +
      `${SPEC_CHANNELS}.`,
    severity: "critical",
    remediation: [
      "Topic policy: allow the publisher's service principal sns:Publish with aws:SourceArn equal to the alarm's or rule's ARN (or a pattern covering it) and aws:SourceAccount the account; no Deny that catches it.",
      'Key policy: allow {"Service": "cloudwatch.amazonaws.com"} (alarms) or {"Service": "events.amazonaws.com"} (rules, without aws:SourceArn/aws:SourceAccount conditions) kms:GenerateDataKey* and kms:Decrypt; keep the account-root statement for roles.',
      "Keep at least one unfiltered subscription (PagerDuty https, email, or lambda) or a Chatbot channel on every topic a source pages.",
    ],
    topics: ["monitoring", "alerts"],
  },
  {
    validate: (resources, _settings, report) => {
      const sources = pagingSources(resources);
      if (sources.length === 0) return;
      const keyArns = new Map(declaredKeys(resources).map((declared) => [declared.key.urn, declared.arn]));
      // One message per break, naming every source it silences.
      const breaks = new Map<string, { problem: string; urn: string; labels: string[] }>();
      for (const source of sources) {
        const found = pathBreak(source, resources, keyArns);
        if (!found) continue;
        const key = `${found.urn}\n${found.problem}`;
        const entry = breaks.get(key) ?? { ...found, labels: [] };
        if (!entry.labels.includes(source.label)) entry.labels.push(source.label);
        breaks.set(key, entry);
      }
      for (const { problem, urn, labels } of breaks.values()) {
        const named = labels.length > 4 ? `${labels.slice(0, 4).join(", ")} and ${labels.length - 4} more` : labels.join(", ");
        report(`${named}: nobody is paged, ${problem}`, urn);
      }
    },
  },
);

export const pagingPolicies = [pagingPathDelivers];
