import { runSimulation, type Simulation } from "@cloud-copilot/iam-simulate";
import { Plain, isUnknown } from "./values";

/**
 * One request decided by @cloud-copilot/iam-simulate, a maintained IAM evaluator (identity and resource
 * policies, every condition operator, NotPrincipal/NotAction, explicit Deny, same-account rules, service
 * principals allowed only by a resource policy, and a KMS key's own trust: a key policy must allow the
 * principal or the account, https://docs.aws.amazon.com/kms/latest/developerguide/determining-access-key-policy.html).
 * The pack reads documents this way wherever the question is "does this request get through", so that a
 * Deny, a wildcard or a condition in any statement counts the way AWS counts it.
 *
 * Modes (iam-simulate simulationOptions): `Strict` evaluates the context as given, so a condition on a key the
 * request does not carry fails (the request a service really sends: a grant it cannot meet is no grant);
 * `Discovery` lets a condition on a key absent from the context hold (who *may* get through: errs towards may).
 */

export type Decision = "Allowed" | "ImplicitlyDenied" | "ExplicitlyDenied";

export interface IamRequest {
  /** A service principal (`events.amazonaws.com`), a role session (`arn:aws:sts::<account>:assumed-role/<role>/<session>`) or a user ARN. */
  principal: string;
  action: string;
  resource: string;
  resourceAccount: string;
  context: Record<string, string>;
  identityPolicies: { name: string; policy: Plain | undefined }[];
  resourcePolicy?: Plain;
  mode: "Strict" | "Discovery";
}

export class UnreadableDocumentError extends Error {}

/** A policy as IAM reads it: an object, or JSON text parsed. */
function documentOf(value: Plain | undefined, what: string): Plain {
  if (isUnknown(value)) throw new UnreadableDocumentError(`${what} is not known yet`);
  if (typeof value !== "string") return value ?? null;
  try {
    return JSON.parse(value) as Plain;
  } catch {
    throw new UnreadableDocumentError(`${what} is not valid JSON`);
  }
}

const decided = new Map<string, Promise<Decision | { error: string }>>();

/** The decision for a request (memoised per process: a stack asks the same question for many alarms). */
export function decide(request: IamRequest): Promise<Decision | { error: string }> {
  const key = JSON.stringify(request);
  let decision = decided.get(key);
  if (decision === undefined) {
    decision = evaluate(request);
    if (decided.size > 5000) decided.clear();
    decided.set(key, decision);
  }
  return decision;
}

async function evaluate(request: IamRequest): Promise<Decision | { error: string }> {
  let simulation: Simulation;
  try {
    simulation = {
      request: { principal: request.principal, action: request.action, resource: { resource: request.resource, accountId: request.resourceAccount }, contextVariables: request.context },
      identityPolicies: request.identityPolicies.map((entry) => ({ name: entry.name, policy: documentOf(entry.policy, entry.name) })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(request.resourcePolicy !== undefined ? { resourcePolicy: documentOf(request.resourcePolicy, "the resource policy") } : {}),
    };
  } catch (error) {
    if (error instanceof UnreadableDocumentError) return { error: error.message };
    throw error;
  }
  const result = await runSimulation(simulation, { simulationMode: request.mode });
  if (result.resultType === "error") return { error: JSON.stringify(result.errors) };
  return result.overallResult;
}

export function allowed(decision: Decision | { error: string }): boolean {
  return decision === "Allowed";
}

/** `arn:aws:iam::<account>:role/<name>` → the session IAM sees making the calls, and its aws:PrincipalArn. */
export function roleSession(roleArn: string): { principal: string; context: Record<string, string> } {
  const match = /^arn:(aws[a-z-]*):iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(roleArn);
  if (!match) return { principal: roleArn, context: { "aws:PrincipalArn": roleArn } };
  return { principal: `arn:${match[1]}:sts::${match[2]}:assumed-role/${match[3]}/flightdeck-pack`, context: { "aws:PrincipalArn": roleArn } };
}
