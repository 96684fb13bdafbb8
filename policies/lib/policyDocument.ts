import { expandAction, matchesAction, ActionInfo } from "./iamActions";
import { Plain, PlainRecord, isRecord, isUnknown, plain } from "./values";

/**
 * IAM-style JSON documents (identity policies, role trust policies, bucket, key and topic policies)
 * normalised into statements a rule can judge whole, however they are spelled.
 *
 * What the normalisation relies on (AWS IAM User Guide):
 * - Grammar (reference_policies_grammar.html): `Statement` is one statement or a list; `Action`,
 *   `Resource` and each principal entry take a string or a list; `Principal`/`NotPrincipal`,
 *   `Action`/`NotAction`, `Resource`/`NotResource` are alternatives.
 * - Effect (reference_policies_elements_effect.html): "Valid values for Effect are Allow and Deny.
 *   The Effect value is case sensitive." Anything else is judged as if it allowed (pessimistic).
 * - Principal (reference_policies_elements_principal.html): `"*"` and `{"AWS": "*"}` are equivalent
 *   ("all principals"); an account is `arn:aws:iam::ID:root` or the short form `ID`.
 * - Condition (reference_policies_elements_condition.html): "Context key names are not case-sensitive";
 *   operators may carry a `ForAllValues:`/`ForAnyValue:` set qualifier and an `IfExists` suffix
 *   (reference_policies_elements_condition_operators.html).
 * Element names are read case-insensitively too: a document IAM would reject cannot grant anything,
 * and reading it pessimistically never lets a misspelled element hide a grant.
 */

export type Effect = "Allow" | "Deny";

export interface Principals {
  /** `"*"` or `{"AWS": "*"}`: everyone, including anonymous callers. */
  everyone: boolean;
  aws: string[];
  service: string[];
  federated: string[];
  canonicalUser: string[];
}

export interface Condition {
  /** The operator as written (`ForAnyValue:StringLike`). */
  operator: string;
  /** The operator without qualifier or IfExists, lower case (`stringlike`). */
  test: string;
  qualifier?: "forallvalues" | "foranyvalue";
  ifExists: boolean;
  /** The context key, lower case (key names are case-insensitive). */
  key: string;
  values: string[];
}

export interface Statement {
  index: number;
  sid?: string;
  /** Allow, Deny, or what was written when it is neither (judged as Allow). */
  effect: string;
  actions?: string[];
  notActions?: string[];
  resources?: string[];
  notResources?: string[];
  principal?: Principals;
  notPrincipal?: Principals;
  conditions: Condition[];
}

export type ParsedDocument = { kind: "document"; statements: Statement[] } | { kind: "unknown" } | { kind: "invalid"; reason: string };

/** Reads a field by name, ignoring case (`Effect`, `effect`). */
function field(record: PlainRecord, name: string): Plain | undefined {
  if (name in record) return record[name];
  const lower = name.toLowerCase();
  const key = Object.keys(record).find((candidate) => candidate.toLowerCase() === lower);
  return key === undefined ? undefined : record[key];
}

function containsUnknown(value: Plain | undefined): boolean {
  if (isUnknown(value)) return true;
  if (Array.isArray(value)) return value.some(containsUnknown);
  if (isRecord(value)) return Object.values(value).some(containsUnknown);
  return false;
}

function strings(value: Plain | undefined): string[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value.flatMap((item) => strings(item));
  if (typeof value === "string") return [value];
  if (typeof value === "number" || typeof value === "boolean") return [String(value)];
  return [];
}

function principalsOf(value: Plain | undefined): Principals | undefined {
  if (value === undefined || value === null) return undefined;
  const principals: Principals = { everyone: false, aws: [], service: [], federated: [], canonicalUser: [] };
  if (typeof value === "string") {
    // "*" is everyone; any other bare string is not valid grammar: judged as everyone (pessimistic).
    principals.everyone = true;
    return principals;
  }
  if (!isRecord(value)) {
    principals.everyone = true;
    return principals;
  }
  for (const [key, entry] of Object.entries(value)) {
    const values = strings(entry);
    switch (key.toLowerCase()) {
      case "aws":
        if (values.some((v) => v.trim() === "*")) principals.everyone = true;
        principals.aws.push(...values.filter((v) => v.trim() !== "*"));
        break;
      case "service":
        principals.service.push(...values);
        break;
      case "federated":
        principals.federated.push(...values);
        break;
      case "canonicaluser":
        principals.canonicalUser.push(...values);
        break;
      default:
        principals.everyone = true;
    }
  }
  return principals;
}

function conditionsOf(value: Plain | undefined): Condition[] {
  if (!isRecord(value)) return [];
  const conditions: Condition[] = [];
  for (const [operator, block] of Object.entries(value)) {
    let rest = operator.trim();
    let qualifier: Condition["qualifier"];
    const qualified = /^(forallvalues|foranyvalue):(.*)$/i.exec(rest);
    if (qualified) {
      qualifier = qualified[1]!.toLowerCase() as Condition["qualifier"];
      rest = qualified[2]!;
    }
    const ifExists = /ifexists$/i.test(rest);
    const test = (ifExists ? rest.slice(0, -"ifexists".length) : rest).toLowerCase();
    if (!isRecord(block)) continue;
    for (const [key, values] of Object.entries(block)) {
      conditions.push({ operator, test, qualifier, ifExists, key: key.toLowerCase(), values: strings(values) });
    }
  }
  return conditions;
}

function statementOf(record: PlainRecord, index: number): Statement {
  const text = (name: string) => {
    const value = field(record, name);
    return value === undefined ? undefined : strings(value);
  };
  const effect = field(record, "Effect");
  return {
    index,
    sid: typeof field(record, "Sid") === "string" ? (field(record, "Sid") as string) : undefined,
    effect: typeof effect === "string" ? effect : String(effect ?? "(none)"),
    actions: text("Action"),
    notActions: text("NotAction"),
    resources: text("Resource"),
    notResources: text("NotResource"),
    principal: principalsOf(field(record, "Principal")),
    notPrincipal: principalsOf(field(record, "NotPrincipal")),
    conditions: conditionsOf(field(record, "Condition")),
  };
}

/** A policy document given as a JSON string or as an object, normalised. */
export function parsePolicyDocument(value: Plain | undefined): ParsedDocument {
  if (isUnknown(value)) return { kind: "unknown" };
  let document: Plain | undefined = value;
  if (typeof value === "string") {
    try {
      document = plain(JSON.parse(value));
    } catch {
      return { kind: "invalid", reason: "is not valid JSON" };
    }
  }
  if (containsUnknown(document)) return { kind: "unknown" };
  if (!isRecord(document)) return { kind: "invalid", reason: "is not a JSON object" };
  const statement = field(document, "Statement");
  const records = Array.isArray(statement) ? statement : statement === undefined ? [] : [statement];
  if (records.some((record) => !isRecord(record))) return { kind: "invalid", reason: "has a Statement entry that is not an object" };
  return { kind: "document", statements: (records as PlainRecord[]).map(statementOf) };
}

export function isAllow(statement: Statement): boolean {
  return statement.effect !== "Deny";
}

/** Whether the statement's Action/NotAction covers the action (`sts:AssumeRoleWithWebIdentity`). */
export function coversAction(statement: Statement, action: string): boolean {
  if (statement.actions !== undefined) return statement.actions.some((pattern) => matchesAction(pattern.trim(), action));
  if (statement.notActions !== undefined) return !statement.notActions.some((pattern) => matchesAction(pattern.trim(), action));
  return false;
}

/** The actions of the reference the statement covers (NotAction: everything the reference knows but the exceptions). */
export function grantedActions(statement: Statement): ActionInfo[] {
  if (statement.actions !== undefined) {
    const seen = new Map<string, ActionInfo>();
    for (const pattern of statement.actions) for (const action of expandAction(pattern).actions) seen.set(action.name, action);
    return [...seen.values()];
  }
  if (statement.notActions !== undefined) {
    return expandAction("*").actions.filter((action) => !statement.notActions!.some((pattern) => matchesAction(pattern.trim(), action.name)));
  }
  return [];
}

/** Whether the statement's Resource/NotResource covers a resource ARN (wildcards in the statement's patterns). */
export function coversResource(statement: Statement, arn: string): boolean {
  const matches = (pattern: string) => pattern.trim() === "*" || wildcardMatch(pattern.trim(), arn);
  if (statement.resources !== undefined) return statement.resources.some(matches);
  if (statement.notResources !== undefined) return !statement.notResources.some(matches);
  // Resource-based policies (bucket, key, topic) may leave Resource out only where it means "this resource".
  return true;
}

/** ARN patterns are matched case-sensitively (resource names are), with `*` and `?`. */
export function wildcardMatch(pattern: string, value: string): boolean {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${body}$`).test(value);
}

/** The conditions on one key (lower case compare), e.g. `token.actions.githubusercontent.com:sub`. */
export function conditionsOn(statement: Statement, key: string): Condition[] {
  const wanted = key.toLowerCase();
  return statement.conditions.filter((condition) => condition.key === wanted);
}

/**
 * Whether a condition pins a single-valued key to exactly the values it lists: an exact-match
 * operator (StringEquals, StringEqualsIgnoreCase, or StringLike/ArnEquals/ArnLike without wildcards),
 * with no set qualifier (AWS: "Do not use ForAllValues or ForAnyValue with single-valued context keys",
 * reference_policies_condition-single-vs-multi-valued-context-keys.html) and no IfExists (true when the key is absent).
 */
export function pinsExactly(condition: Condition): boolean {
  if (condition.qualifier !== undefined || condition.ifExists || condition.values.length === 0) return false;
  if (condition.test === "stringequals" || condition.test === "stringequalsignorecase" || condition.test === "arnequals") return true;
  if (condition.test === "stringlike" || condition.test === "arnlike") return condition.values.every((value) => !/[*?]/.test(value));
  return false;
}

/** The 12-digit account an ARN or a short-form account principal names, if any. */
export function accountOf(principal: string): string | undefined {
  const trimmed = principal.trim();
  if (/^\d{12}$/.test(trimmed)) return trimmed;
  return /^arn:aws[a-z-]*:[a-z0-9-]*:[a-z0-9-]*:(\d{12}):/.exec(trimmed)?.[1];
}

/** Whether an AWS principal is an account root (`arn:aws:iam::ID:root` or `ID`). */
export function isAccountRoot(principal: string): boolean {
  return /^(\d{12}|arn:aws[a-z-]*:iam::\d{12}:root)$/.test(principal.trim());
}

/** Whether an AWS principal names one role (`arn:aws:iam::ID:role/path/name`, no wildcard). */
export function isNamedRole(principal: string): boolean {
  return /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@\/-]+$/.test(principal.trim());
}

/** A short label for messages: `statement 2 (Sid "X")`. */
export function statementLabel(statement: Statement): string {
  return `statement ${statement.index + 1}${statement.sid ? ` (Sid ${JSON.stringify(statement.sid)})` : ""}`;
}
