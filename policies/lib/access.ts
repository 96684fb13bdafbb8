import type { StackResource } from "./define";
import { KMS_ALIAS, KMS_KEY, keyPolicyDocuments } from "./keys";
import { Condition, ParsedDocument, Statement, coversAction, coversResource, isAccountRoot, wildcardMatch } from "./policyDocument";
import { RoleGrants } from "./roles";
import { knownString, stringsIn } from "./values";

/**
 * Who, among the roles a stack declares, may perform an action on a resource, from every document that
 * decides it: the role's own permissions, the resource's policy (bucket or key policy), and the Deny
 * statements of both. AWS's evaluation for a principal and a resource of one account
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html): an
 * explicit Deny anywhere wins; otherwise an Allow in the identity policy or in the resource policy grants.
 * A KMS key is the exception: its key policy must allow the principal, or allow the account root (which
 * lets IAM policies grant) while an identity policy allows it too
 * (https://docs.aws.amazon.com/kms/latest/developerguide/determining-access-key-policy.html).
 *
 * The answer errs towards "may": an Allow's conditions are assumed to hold unless they name the caller
 * and exclude it, and a Deny counts only when its conditions certainly hold for the caller (those on
 * `aws:PrincipalArn`, which for a role session is the role's ARN:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn).
 * So "nobody else may" is never claimed when some document could still let them.
 */

const PRINCIPAL_ARN = "aws:principalarn";

export interface Caller {
  /** The role's ARN (`arn:aws:iam::<account>:role/<name>`), as resource policies and conditions name it; or a service principal (`lambda.amazonaws.com`). */
  arn: string;
  account?: string;
  grants?: RoleGrants;
  /** A principal of another account: its identity policies are not this stack's, so they may allow anything. */
  foreign?: boolean;
}

function arnListMatches(test: string, values: string[], arn: string): boolean {
  const like = test === "arnlike" || test === "stringlike";
  return values.some((value) => (like ? wildcardMatch(value, arn) : value === arn));
}

/** Whether a condition on aws:PrincipalArn certainly holds (true), certainly fails (false), or cannot be told (undefined). */
function principalCondition(condition: Condition, arn: string): boolean | undefined {
  if (condition.key !== PRINCIPAL_ARN || condition.qualifier !== undefined) return undefined;
  const positive = ["arnequals", "arnlike", "stringequals", "stringlike"];
  const negative = ["arnnotequals", "arnnotlike", "stringnotequals", "stringnotlike"];
  if (positive.includes(condition.test)) return arnListMatches(condition.test, condition.values, arn);
  if (negative.includes(condition.test)) return !arnListMatches(condition.test.replace("not", ""), condition.values, arn);
  return undefined;
}

/** An Allow may apply unless one of its conditions certainly fails for the caller. */
function allowMayApply(statement: Statement, caller: Caller): boolean {
  return statement.conditions.every((condition) => principalCondition(condition, caller.arn) !== false);
}

/** A Deny certainly applies when every one of its conditions certainly holds for the caller. */
function denySurelyApplies(statement: Statement, caller: Caller): boolean {
  return statement.conditions.every((condition) => principalCondition(condition, caller.arn) === true);
}

function namesCaller(statement: Statement, caller: Caller): "caller" | "account" | "everyone" | undefined {
  const principal = statement.principal;
  if (statement.notPrincipal) return statement.notPrincipal.aws.includes(caller.arn) || statement.notPrincipal.service.includes(caller.arn) ? undefined : "everyone";
  if (!principal) return undefined;
  if (principal.everyone) return "everyone";
  if (principal.aws.some((aws) => aws.trim() === caller.arn) || principal.service.some((service) => service.trim() === caller.arn)) return "caller";
  if (caller.account !== undefined && principal.aws.some((aws) => isAccountRoot(aws) && aws.includes(caller.account!))) return "account";
  return undefined;
}

function statementsOf(documents: ParsedDocument[]): Statement[] {
  return documents.flatMap((document) => (document.kind === "document" ? document.statements : []));
}

function identityStatements(caller: Caller): Statement[] {
  return statementsOf((caller.grants?.permissions ?? []).map((source) => source.document));
}

export interface AccessQuestion {
  action: string;
  /** The resource's ARN; undefined for a KMS key whose ARN the inputs do not tell (any key ARN pattern may match it). */
  resourceArn: string | undefined;
  /** The resource's own policies (bucket policy, key policy), parsed. */
  resourcePolicies: ParsedDocument[];
  /** A KMS key: access needs its key policy's consent. */
  kmsKey?: boolean;
}

/** Whether the caller may perform the action on the resource, by every document the stack declares. */
export function mayPerform(caller: Caller, question: AccessQuestion): boolean {
  const { action, resourceArn } = question;
  const resourceStatements = statementsOf(question.resourcePolicies);
  const identity = identityStatements(caller);
  // An unknown key ARN: any pattern that may name a KMS key may name it (an Allow counts, a Deny is not certain).
  const mayName = (statement: Statement) =>
    resourceArn !== undefined ? coversResource(statement, resourceArn) : statement.notResources !== undefined || (statement.resources ?? []).some((pattern) => pattern.trim() === "*" || /:kms:/.test(pattern));
  const covers = (statement: Statement) => coversAction(statement, action) && mayName(statement);
  const denied =
    identity.some((statement) => statement.effect === "Deny" && resourceArn !== undefined && covers(statement) && denySurelyApplies(statement, caller)) ||
    resourceStatements.some((statement) => statement.effect === "Deny" && coversAction(statement, action) && (resourceArn === undefined || coversResource(statement, resourceArn)) && namesCaller(statement, caller) !== undefined && denySurelyApplies(statement, caller));
  if (denied) return false;
  const identityAllows = caller.foreign === true || identity.some((statement) => statement.effect !== "Deny" && covers(statement) && allowMayApply(statement, caller));
  const resourceAllows = (whom: "caller" | "account" | "everyone") =>
    resourceStatements.some(
      (statement) =>
        statement.effect !== "Deny" && coversAction(statement, action) && (resourceArn === undefined || coversResource(statement, resourceArn)) && namesCaller(statement, caller) === whom && allowMayApply(statement, caller),
    );
  if (question.kmsKey) return resourceAllows("caller") || resourceAllows("everyone") || (resourceAllows("account") && identityAllows);
  return identityAllows || resourceAllows("caller") || resourceAllows("everyone");
}

/** Whether the resource's own policies certainly refuse the caller the action (a Deny whose conditions certainly hold). */
export function refusedByResourcePolicy(caller: Caller, question: AccessQuestion): boolean {
  return statementsOf(question.resourcePolicies).some(
    (statement) =>
      statement.effect === "Deny" &&
      question.resourceArn !== undefined &&
      coversAction(statement, question.action) &&
      coversResource(statement, question.resourceArn) &&
      namesCaller(statement, caller) !== undefined &&
      denySurelyApplies(statement, caller),
  );
}

/** A KMS key of the stack, its ARN when the inputs tell it, and its key policies. */
export interface DeclaredKey {
  key: StackResource;
  arn: string | undefined;
  policies: ParsedDocument[];
}

/** Key ARNs in a string: a plain input, or a policy document's JSON naming them. */
function keyArnsIn(text: string): string[] {
  return text.match(/arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+/g) ?? [];
}

/**
 * A key's ARN is an output: it is read where the stack passes it on, in an input that depends on that key
 * alone (an alias's `targetKeyId` gives its id; a policy or configuration that names the ARN gives it).
 */
function keyArnOf(key: StackResource, resources: StackResource[], keys: StackResource[]): string | undefined {
  const found = new Set<string>();
  const ids = new Set<string>();
  const onlyThisKey = (urns: readonly string[]) => {
    const depended = keys.filter((candidate) => urns.includes(candidate.urn));
    return depended.length === 1 && depended[0] === key;
  };
  for (const resource of resources) {
    // Per input where the engine says (propertyDependencies), else the resource's dependencies as a whole.
    const inputs = Object.keys(resource.propertyDependencies).length > 0
      ? Object.entries(resource.propertyDependencies).filter(([, urns]) => onlyThisKey(urns)).map(([input]) => input)
      : onlyThisKey(resource.dependencies) ? Object.keys(resource.props) : [];
    for (const input of inputs) {
      if (resource.type === KMS_ALIAS && input === "targetKeyId") {
        const id = knownString(resource.props["targetKeyId"]);
        if (id !== undefined) ids.add(id);
        continue;
      }
      for (const { value } of stringsIn(resource.props[input])) {
        const arns = keyArnsIn(value);
        if (arns.length === 1 && arns[0] === value) found.add(value);
      }
    }
  }
  for (const id of ids) {
    for (const resource of resources) for (const { value } of stringsIn(resource.props)) for (const arn of keyArnsIn(value)) if (arn.endsWith(`:key/${id}`)) found.add(arn);
  }
  return found.size === 1 ? [...found][0] : undefined;
}

/** The stack's keys, each with its ARN (when the inputs tell it) and its key policies. */
export function declaredKeys(resources: StackResource[]): DeclaredKey[] {
  const keys = resources.filter((resource) => resource.type === KMS_KEY);
  return keys.map((key) => ({ key, arn: keyArnOf(key, resources, keys), policies: keyPolicyDocuments(key, resources) }));
}
