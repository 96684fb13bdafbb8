import { Condition, ParsedDocument, Statement, coversAction, isAccountRoot, statementLabel, wildcardMatch } from "./policyDocument";

/**
 * Whether a request is CERTAINLY allowed, by every document that decides it: the question a paging path asks
 * ("does this alarm's message get through?"), the opposite direction to access.ts ("who else may?").
 *
 * AWS's evaluation within one account (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html):
 * an explicit Deny in any applicable policy wins; otherwise an Allow in the identity policy or in the resource-based
 * policy grants. A KMS key is the exception: "If the key policy doesn't allow access, no IAM policy can" — the key
 * policy must allow the principal itself, or allow the account (which lets IAM policies grant) while an identity
 * policy allows it too (https://docs.aws.amazon.com/kms/latest/developerguide/determining-access-key-policy.html).
 *
 * Certain means:
 * - an Allow counts only when its principal, action and resource certainly cover the request and EVERY condition
 *   certainly holds for the request's context; a condition on a key the request is not known to carry, an operator
 *   this reader does not evaluate, a set qualifier or a policy variable makes the Allow uncertain (it does not count);
 * - a Deny counts unless one of its conditions certainly fails: a Deny that may apply fails the certainty.
 * The operators evaluated are StringEquals, StringLike, ArnEquals, ArnLike and their Not forms, with IfExists
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html):
 * "ArnEquals, ArnLike: Case-sensitive matching of the ARN. Each of the six colon-delimited components of the ARN is
 * checked separately and each can include multi-character match wildcards (*) or single-character match wildcards (?)";
 * StringEquals is exact and case-sensitive, StringLike takes `*` and `?`. Several values of one key are ORed, a
 * negated operator's values NORed, several keys and operators ANDed
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html).
 */

export type CertainPrincipal =
  /** An AWS service principal (`cloudwatch.amazonaws.com`) acting on a resource's behalf. */
  | { kind: "service"; service: string }
  /** A role of `account` (`arn:aws:iam::<account>:role/<name>`), as resource policies name it. */
  | { kind: "role"; arn: string; account: string };

export interface CertainRequest {
  principal: CertainPrincipal;
  action: string;
  /** The resource's ARN; undefined when the inputs do not tell it (then only `*` certainly covers it). */
  resourceArn: string | undefined;
  /** The context keys the request certainly carries, by name (any case), with their values. Any other key is unknown. */
  context: Record<string, string>;
}

export interface CertainDocuments {
  /** The resource's own policies (topic policy, key policy): each must allow (a resource can have one policy in force; each candidate is judged). */
  resourcePolicies: ParsedDocument[];
  /** The principal's identity policies (a role's); none for a service principal. */
  identityPolicies: ParsedDocument[];
  /** A KMS key: its key policy must consent (the principal, or the account with an identity Allow). */
  kmsKey?: boolean;
}

export type Certainty = { allowed: true } | { allowed: false; reason: string };

const OPERATORS = ["stringequals", "stringlike", "arnequals", "arnlike"];

/** ARN components as IAM compares them: six, the last one (the resource) keeps its own colons. */
function arnComponents(value: string): string[] | undefined {
  const parts = value.split(":");
  if (parts.length < 6) return undefined;
  return [...parts.slice(0, 5), parts.slice(5).join(":")];
}

function arnMatches(pattern: string, value: string): boolean {
  const wanted = arnComponents(pattern);
  const actual = arnComponents(value);
  if (!wanted || !actual) return false;
  return wanted.every((component, index) => wildcardMatch(component, actual[index]!));
}

function valueMatches(test: string, pattern: string, value: string): boolean {
  switch (test) {
    case "stringequals":
      return pattern === value;
    case "stringlike":
      return wildcardMatch(pattern, value);
    default:
      return arnMatches(pattern, value);
  }
}

/** Whether a condition certainly holds (true), certainly fails (false), or cannot be told (undefined). */
export function conditionCertainty(condition: Condition, context: Record<string, string>): boolean | undefined {
  if (condition.qualifier !== undefined || condition.values.some((value) => value.includes("${"))) return undefined;
  const negated = /^(string|arn)not/.test(condition.test);
  const test = negated ? condition.test.replace("not", "") : condition.test;
  if (!OPERATORS.includes(test)) return undefined;
  const key = Object.keys(context).find((candidate) => candidate.toLowerCase() === condition.key);
  // A key the request is not known to carry: absent or present, this reader cannot tell.
  if (key === undefined) return undefined;
  const value = context[key]!;
  const matched = condition.values.some((pattern) => valueMatches(test, pattern, value));
  return negated ? !matched : matched;
}

/** How a statement's Principal/NotPrincipal names the request's principal: certainly, as its account, or not at all. */
function names(statement: Statement, principal: CertainPrincipal, identity: boolean): "principal" | "account" | "everyone" | undefined {
  // Identity policies have no Principal: they apply to the identity they are attached to.
  if (identity) return "principal";
  const listed = (p: NonNullable<Statement["principal"]>) =>
    principal.kind === "service" ? p.service.some((service) => service.trim() === principal.service) : p.aws.some((aws) => aws.trim() === principal.arn);
  if (statement.notPrincipal) return statement.notPrincipal.everyone || listed(statement.notPrincipal) ? undefined : "everyone";
  const p = statement.principal;
  if (!p) return undefined;
  if (p.everyone) return "everyone";
  if (listed(p)) return "principal";
  if (principal.kind === "role" && p.aws.some((aws) => isAccountRoot(aws) && aws.includes(principal.account))) return "account";
  return undefined;
}

function resourceCertainlyCovered(statement: Statement, arn: string | undefined): boolean {
  if (statement.resources !== undefined) return statement.resources.some((pattern) => pattern.trim() === "*" || (arn !== undefined && wildcardMatch(pattern.trim(), arn)));
  if (statement.notResources !== undefined) return arn !== undefined && !statement.notResources.some((pattern) => pattern.trim() === "*" || wildcardMatch(pattern.trim(), arn));
  return true;
}

function resourceMayBeCovered(statement: Statement, arn: string | undefined): boolean {
  if (arn === undefined) return statement.resources === undefined || statement.resources.length > 0;
  return resourceCertainlyCovered(statement, arn);
}

function statementsOf(document: ParsedDocument): Statement[] {
  return document.kind === "document" ? document.statements : [];
}

/** The first Deny that may apply to the request, if any. */
function mayDeny(documents: ParsedDocument[], request: CertainRequest, resourceDocuments: boolean): Statement | undefined {
  for (const document of documents) {
    for (const statement of statementsOf(document)) {
      if (statement.effect !== "Deny" || !coversAction(statement, request.action) || !resourceMayBeCovered(statement, request.resourceArn)) continue;
      // A resource policy's Deny naming the principal's account reaches the account's roles; a service is not of the account.
      if (resourceDocuments && names(statement, request.principal, false) === undefined) continue;
      if (statement.conditions.some((condition) => conditionCertainty(condition, request.context) === false)) continue;
      return statement;
    }
  }
  return undefined;
}

/** Whether a document has an Allow that certainly applies, naming the principal the given way. */
function certainlyAllows(document: ParsedDocument, request: CertainRequest, identity: boolean, whom: readonly ReturnType<typeof names>[]): boolean {
  return statementsOf(document).some(
    (statement) =>
      statement.effect === "Allow" &&
      whom.includes(names(statement, request.principal, identity)) &&
      coversAction(statement, request.action) &&
      resourceCertainlyCovered(statement, request.resourceArn) &&
      statement.conditions.every((condition) => conditionCertainty(condition, request.context) === true),
  );
}

/**
 * Whether the request is certainly allowed. Every resource policy given is judged (a resource with two candidate
 * documents, e.g. a topic's `policy` and a TopicPolicy, is only certain if each allows); an unreadable document
 * (unknown or invalid) is never certain.
 */
export function certainlyAllowed(request: CertainRequest, documents: CertainDocuments): Certainty {
  const all = [...documents.resourcePolicies, ...documents.identityPolicies];
  const unreadable = all.find((document) => document.kind !== "document");
  if (unreadable) return { allowed: false, reason: unreadable.kind === "invalid" ? `a document ${unreadable.reason}` : "a document is not known yet" };
  const deny = mayDeny(documents.resourcePolicies, request, true) ?? mayDeny(documents.identityPolicies, request, false);
  if (deny) return { allowed: false, reason: `a Deny statement may refuse it (${statementLabel(deny)})` };
  const identityAllows = documents.identityPolicies.some((document) => certainlyAllows(document, request, true, ["principal"]));
  const resourceAllows = (document: ParsedDocument) =>
    certainlyAllows(document, request, false, ["principal", "everyone"]) || (certainlyAllows(document, request, false, ["account"]) && identityAllows);
  if (documents.resourcePolicies.length === 0) return identityAllows ? { allowed: true } : { allowed: false, reason: "no statement certainly allows it" };
  // Outside KMS, a same-account identity Allow suffices whatever the resource policy allows.
  const allowed = documents.resourcePolicies.every((document) => resourceAllows(document) || (!documents.kmsKey && identityAllows));
  return allowed ? { allowed: true } : { allowed: false, reason: "no statement certainly allows it" };
}
