import { createValidatedPolicy, validateResourcePolicy } from "@cloud-copilot/iam-policy";
import { runSimulation, runUnsafeSimulation } from "@cloud-copilot/iam-simulate";
import { AwsCall } from "./calls";
import { Identity, IdentityPolicy, ResourcePolicies } from "./identities";

/**
 * Each call evaluated by @cloud-copilot/iam-simulate (a real IAM policy evaluator: identity and resource
 * policies, every condition operator, same-account rules and KMS key-policy trust), in Strict mode: the
 * request context is what the call carries, nothing is assumed.
 *
 * iam-simulate 0.1.173's runSimulation keeps a context key with a variable part only when the part follows a
 * `/` (simulationEngine.js listHasVariableKeyMatch), so it drops `kms:EncryptionContext:<key>` although the
 * reference lists `kms:EncryptionContext:${EncryptionContextKey}` for kms:Decrypt. For a call that carries one,
 * runSimulation still validates the action, resource and policies, and runUnsafeSimulation (the same core
 * engine, with the context as given) decides; the statements that allowed it are those without which it is denied.
 */

export interface Verdict {
  call: AwsCall;
  result: "Allowed" | "ImplicitlyDenied" | "ExplicitlyDenied" | "Error";
  /** The identity statements that allowed it, as `<policy name>#<Sid>`. */
  allowedBy: string[];
  error?: string;
}

export function statementId(policyName: string, statement: { Sid?: string }, index: number): string {
  return `${policyName}#${statement.Sid ?? `statement ${index + 1}`}`;
}

function simulation(call: AwsCall, identity: Identity, policies: readonly IdentityPolicy[], resourcePolicy: object | undefined, account: string) {
  return {
    request: { principal: identity.principal, action: call.action, resource: { resource: call.resource, accountId: account }, contextVariables: { ...call.context, "aws:PrincipalArn": identity.roleArn } },
    identityPolicies: policies.map((entry) => ({ name: entry.name, policy: entry.policy })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    ...(resourcePolicy ? { resourcePolicy } : {}),
  };
}

export async function evaluateCall(call: AwsCall, identity: Identity, resourcePolicies: ResourcePolicies, account: string): Promise<Verdict> {
  const resourcePolicy = call.resource === "*" ? undefined : resourcePolicies.of(call.resource, account);
  const response = await runSimulation(simulation(call, identity, identity.policies, resourcePolicy, account), { simulationMode: "Strict" });
  if (response.resultType === "error") return { call, result: "Error", allowedBy: [], error: JSON.stringify(response.errors) };
  const results = response.resultType === "single" ? [response.result] : response.results;
  const dropped = results.flatMap((result) => result.ignoredContextKeys ?? []).filter((key) => key.toLowerCase().startsWith("kms:encryptioncontext:"));
  if (dropped.length > 0) {
    // A validated resource policy carries its name, which runUnsafeSimulation's analysis reports (a plain document has none).
    const named = resourcePolicy ? createValidatedPolicy(resourcePolicy, validateResourcePolicy, { name: "resource policy" }) : undefined;
    const unsafe = (policies: readonly IdentityPolicy[]) => runUnsafeSimulation(simulation(call, identity, policies, named, account), { simulationMode: "Strict" });
    const result = unsafe(identity.policies);
    const allowedBy: string[] = [];
    if (result === "Allowed") {
      identity.policies.forEach((entry, policyIndex) =>
        entry.policy.Statement.forEach((statement, index) => {
          if (statement.Effect !== "Allow") return;
          const without = identity.policies.map((other, otherIndex) => (otherIndex === policyIndex ? { ...other, policy: { ...other.policy, Statement: other.policy.Statement.filter((_, i) => i !== index) } } : other));
          if (unsafe(without) !== "Allowed") allowedBy.push(statementId(entry.name, statement, index));
        }),
      );
    }
    return { call, result, allowedBy };
  }
  const allowedBy = results.flatMap((result) =>
    (result.analysis.identityAnalysis?.allowStatements ?? []).map((statement) => `${statement.policyId}#${statement.statement.sid() ?? `statement ${statement.statement.index()}`}`),
  );
  return { call, result: response.overallResult, allowedBy: [...new Set(allowedBy)] };
}

/** Every Allow statement of a role's identity policies, as `<policy name>#<Sid>`. */
export function allowStatementsOf(identity: Identity): string[] {
  return identity.policies.flatMap((entry) => entry.policy.Statement.flatMap((statement, index) => (statement.Effect === "Allow" ? [statementId(entry.name, statement, index)] : [])));
}
