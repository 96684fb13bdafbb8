import type { StackResource } from "./define";
import { GITHUB_OIDC_AUDIENCE, GITHUB_OIDC_HOST, trustsGithub } from "./githubOidc";
import { ParsedDocument, Statement, conditionsOn, isAllow, pinsExactly } from "./policyDocument";
import { RoleGrants } from "./roles";
import { Plain, at, isRecord, jsonDocument, knownNumber, knownString } from "./values";

/**
 * How the bootstrap's roles are told apart, from their trust policies alone: the pipeline's (GitHub's
 * OIDC tokens for one subject of this repository) and the people's (named IAM principals).
 */

/** The repository part of a subject: `repo:OWNER/REPO`, or `repo:OWNER@ID/REPO@ID` with immutable subject claims. */
export function subjectPrefix(repository: string, ids: string): string {
  const [owner, name] = repository.split("/");
  const [ownerId, repoId] = ids.split("/");
  return ids === "" ? `repo:${repository}` : `repo:${owner}@${ownerId}/${name}@${repoId}`;
}

export interface GithubTrust {
  /** Each Allow statement trusting GitHub, with the one subject it pins exactly (undefined when it pins none). */
  statements: { statement: Statement; subject?: string; audiencePinned: boolean }[];
}

/** The subject an Allow statement pins exactly (one value, exact operator), or undefined. */
function pinnedValue(statement: Statement, key: string): string | undefined {
  const pins = conditionsOn(statement, key).filter(pinsExactly);
  const values = new Set(pins.flatMap((condition) => condition.values));
  return pins.length > 0 && values.size === 1 ? [...values][0] : undefined;
}

export function githubTrust(trust: ParsedDocument): GithubTrust {
  if (trust.kind !== "document") return { statements: [] };
  return {
    statements: trust.statements.filter(trustsGithub).map((statement) => ({
      statement,
      subject: pinnedValue(statement, `${GITHUB_OIDC_HOST}:sub`),
      audiencePinned: pinnedValue(statement, `${GITHUB_OIDC_HOST}:aud`) === GITHUB_OIDC_AUDIENCE,
    })),
  };
}

/** The one subject every GitHub statement of a role pins, or undefined (none, several, or one unpinned). */
export function soleSubject(grants: RoleGrants): string | undefined {
  const { statements } = githubTrust(grants.trust);
  const subjects = new Set(statements.map((entry) => entry.subject));
  if (statements.length === 0 || subjects.size !== 1 || subjects.has(undefined)) return undefined;
  return [...subjects][0];
}

/** Whether only GitHub's tokens may assume the role (every Allow trust statement federates GitHub). */
export function onlyGithubTrusted(grants: RoleGrants): boolean {
  if (grants.trust.kind !== "document") return false;
  const allows = grants.trust.statements.filter(isAllow);
  return allows.length > 0 && allows.every(trustsGithub);
}

/** The IAM principals (users, roles, accounts) an Allow trust statement names. */
export function humanPrincipals(grants: RoleGrants): string[] {
  if (grants.trust.kind !== "document") return [];
  return grants.trust.statements.filter(isAllow).flatMap((statement) => statement.principal?.aws ?? []);
}

/** Why people may assume the role without MFA or for longer than allowed, one line each; empty when they may not. */
export function humanTrustProblems(grants: RoleGrants, maxSessionSeconds: number): string[] {
  if (grants.trust.kind !== "document") return [];
  const problems: string[] = [];
  for (const statement of grants.trust.statements.filter(isAllow)) {
    const principal = statement.principal;
    if (!principal || (principal.aws.length === 0 && !principal.everyone)) continue;
    const label = `statement ${statement.index + 1}`;
    const mfa = conditionsOn(statement, "aws:MultiFactorAuthPresent").some(
      (condition) => condition.test === "bool" && !condition.ifExists && condition.qualifier === undefined && condition.values.length > 0 && condition.values.every((value) => value.toLowerCase() === "true"),
    );
    if (!mfa) problems.push(`${label} lets people assume ${grants.roleName} without MFA (needs Bool aws:MultiFactorAuthPresent "true", without IfExists)`);
    for (const aws of principal.aws) {
      if (!/^arn:aws[a-z-]*:iam::\d{12}:(user|role)\/[^*?]+$/.test(aws.trim())) problems.push(`${label} trusts ${aws}: name each person's IAM user or role, not an account or a wildcard`);
    }
    if (principal.everyone) problems.push(`${label} trusts every principal ("*")`);
  }
  const raw = grants.role.props["maxSessionDuration"];
  const seconds = raw === undefined || raw === null ? 3600 : knownNumber(raw);
  if (seconds !== undefined && seconds > maxSessionSeconds) problems.push(`${grants.roleName}'s sessions last up to ${seconds} s; at most ${maxSessionSeconds} s`);
  return problems;
}

/** Whether people (AWS principals) may assume the role. */
export function trustsPeople(grants: RoleGrants): boolean {
  return humanPrincipals(grants).length > 0 || (grants.trust.kind === "document" && grants.trust.statements.filter(isAllow).some((statement) => statement.principal?.everyone === true));
}

export const EVENT_RULE = "aws:cloudwatch/eventRule:EventRule";
export const EVENT_TARGET = "aws:cloudwatch/eventTarget:EventTarget";
export const SNS_TOPIC = "aws:sns/topic:Topic";
export const SNS_SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription";
export const CLOUDTRAIL = "aws:cloudtrail/trail:Trail";

function strings(value: Plain | undefined): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : typeof value === "string" ? [value] : [];
}

/**
 * Whether an EventBridge pattern matches every AssumeRole of the role: source aws.sts, detail-type
 * "AWS API Call via CloudTrail", eventSource sts.amazonaws.com, eventName AssumeRole and the role's ARN in
 * requestParameters.roleArn, each an exact value, and nothing else that narrows it
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html: every field of a
 * pattern must match; an array matches any of its values).
 */
export function patternMatchesAssumeRole(pattern: Plain | undefined, roleArn: string): boolean {
  if (!isRecord(pattern)) return false;
  const detail = pattern["detail"];
  if (Object.keys(pattern).some((key) => !["source", "detail-type", "detail"].includes(key))) return false;
  if (!strings(pattern["source"]).includes("aws.sts") || !strings(pattern["detail-type"]).includes("AWS API Call via CloudTrail")) return false;
  if (!isRecord(detail) || Object.keys(detail).some((key) => !["eventSource", "eventName", "requestParameters"].includes(key))) return false;
  if (!strings(detail["eventSource"]).includes("sts.amazonaws.com") || !strings(detail["eventName"]).includes("AssumeRole")) return false;
  const parameters = detail["requestParameters"];
  if (!isRecord(parameters) || Object.keys(parameters).some((key) => key !== "roleArn")) return false;
  return strings(parameters["roleArn"]).includes(roleArn);
}

/**
 * AssumeRole is a read-only management event: a rule receives it only in state ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS
 * ("Receiving read-only management events from AWS services",
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-cloudtrail.html#eb-service-event-cloudtrail-management).
 */
export const READ_ONLY_EVENTS_STATE = "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS";
/** CloudTrail logs calls to the STS global endpoint in us-east-1 (https://docs.aws.amazon.com/IAM/latest/UserGuide/cloudtrail-integration.html#stscloudtrail_region). */
export const GLOBAL_ENDPOINT_REGION = "us-east-1";

/** The region a resource is in: its own `region` argument (@pulumi/aws 7), else its provider's. */
function regionOf(resource: StackResource): string | undefined {
  return knownString(resource.props["region"]) ?? knownString(resource.provider?.props["region"]);
}

/** Whether a resource's ARN input (or its dependency) names a topic of the stack that has a subscription. */
function subscribedTopic(target: StackResource, resources: StackResource[]): boolean {
  const arn = knownString(target.props["arn"]);
  const topic = resources
    .filter((resource) => resource.type === SNS_TOPIC)
    .find((candidate) => {
      const name = knownString(candidate.props["name"]);
      return (name !== undefined && arn !== undefined && arn.endsWith(`:${name}`)) || (target.propertyDependencies["arn"] ?? []).includes(candidate.urn);
    });
  if (!topic) return false;
  const topicName = knownString(topic.props["name"]);
  return resources.some(
    (resource) => resource.type === SNS_SUBSCRIPTION && ((topicName !== undefined && (knownString(resource.props["topic"]) ?? "").endsWith(`:${topicName}`)) || resource.dependencies.includes(topic.urn)),
  );
}

function targetsOf(rule: StackResource, resources: StackResource[]): StackResource[] {
  const ruleName = knownString(rule.props["name"]);
  return resources.filter((resource) => resource.type === EVENT_TARGET && (knownString(resource.props["rule"]) === ruleName || resource.dependencies.includes(rule.urn)));
}

/**
 * Why the role's assumptions would not reach anyone, or undefined when they do: a rule in the read-only-events
 * state matches them and targets a subscribed topic (in region R), and the STS global endpoint's events are covered
 * too: R is us-east-1, or a rule there in the same state forwards them to R's default event bus.
 */
export function alarmGap(roleArn: string, resources: StackResource[]): string | undefined {
  const matching = resources.filter((resource) => resource.type === EVENT_RULE && resource.props["state"] !== "DISABLED" && patternMatchesAssumeRole(jsonDocument(resource.props["eventPattern"]), roleArn));
  if (matching.length === 0) return `no EventBridge rule of this stack matches its AssumeRole events (source aws.sts, eventName AssumeRole, requestParameters.roleArn ${roleArn})`;
  const rules = matching.filter((rule) => rule.props["state"] === READ_ONLY_EVENTS_STATE);
  if (rules.length === 0) {
    return `its EventBridge rule is in state ${knownString(matching[0]!.props["state"]) ?? "ENABLED"}, which skips read-only management events such as sts:AssumeRole: set state ${READ_ONLY_EVENTS_STATE}`;
  }
  const paging = rules.filter((rule) => targetsOf(rule, resources).some((target) => subscribedTopic(target, resources)));
  if (paging.length === 0) return "its EventBridge rule has no target topic of this stack with a subscription: the alarm reaches nobody";
  const pagingRegions = new Set(paging.map(regionOf));
  if (pagingRegions.has(GLOBAL_ENDPOINT_REGION)) return undefined;
  const forwarded = rules.some(
    (rule) =>
      regionOf(rule) === GLOBAL_ENDPOINT_REGION &&
      targetsOf(rule, resources).some((target) => {
        const bus = /^arn:aws[a-z-]*:events:([a-z0-9-]+):\d{12}:event-bus\/default$/.exec(knownString(target.props["arn"]) ?? "");
        return bus !== null && pagingRegions.has(bus[1]) && knownString(target.props["roleArn"]) !== undefined;
      }),
  );
  return forwarded
    ? undefined
    : `no rule in ${GLOBAL_ENDPOINT_REGION} (state ${READ_ONLY_EVENTS_STATE}) pages or forwards to the alarm's region: an AssumeRole through the STS global endpoint, which CloudTrail delivers in ${GLOBAL_ENDPOINT_REGION}, reaches nobody`;
}

/** Whether the stack declares a logging CloudTrail trail (EventBridge receives CloudTrail's API-call events only while one logs). */
export function declaresLoggingTrail(resources: StackResource[]): boolean {
  return resources.some((resource) => resource.type === CLOUDTRAIL && resource.props["enableLogging"] !== false && at(resource.props, "isMultiRegionTrail") !== false);
}

/** The ARN of a role of the stack, as other documents name it. */
export function roleArnOf(grants: RoleGrants, accounts: ReadonlySet<string>): string {
  const account = accounts.size === 1 ? [...accounts][0]! : "*";
  return `arn:aws:iam::${account}:role/${grants.roleName}`;
}
