import { declaredKeys } from "../lib/access";
import { SSM_PARAMETER, bridgesOf, functionRole, isDocument } from "../lib/bridges";
import { StackResource, UnknownInputError, dependsOn, stackPolicy } from "../lib/define";
import { IamRequest, allowed, decide, roleSession } from "../lib/iamEvaluator";
import { KMS_GRANT, keyPolicyInputs, resolveKey, stackAccounts } from "../lib/keys";
import { accountOf, coversAction, isAccountRoot, isAllow, parsePolicyDocument, statementLabel } from "../lib/policyDocument";
import { roleGrants } from "../lib/roles";
import { asArray, isUnknown, knownString } from "../lib/values";

/**
 * Who can read the metrics bridge's secrets, judged from the keys' side. A key policy that names a principal
 * lets it use the key by itself, whatever IAM policies say ("the key policy … can give an IAM principal
 * permission", https://docs.aws.amazon.com/kms/latest/developerguide/determining-access-key-policy.html); a grant
 * does too (https://docs.aws.amazon.com/kms/latest/developerguide/grants.html). So besides the identity policies
 * (metrics-bridge-secrets-protected), every principal a key policy or grant of the bridge's key gives kms:Decrypt
 * must be the bridge's own role, unless the whole document (its Deny statements and conditions) refuses it.
 * The account root is left to IAM: with it, identity policies decide (judged by metrics-bridge-secrets-protected).
 */

const DECRYPT = "kms:Decrypt";
/** A stand-in for whoever a `"*"` or NotPrincipal statement admits. */
const ANYONE = (account: string) => `arn:aws:iam::${account}:role/any-other-principal`;

/** The keys that encrypt a bridge's secret parameters (the parameters' `keyId`, resolved to keys of this stack). */
function bridgeKeys(secretParameters: string[], resources: StackResource[]): StackResource[] {
  const keys = new Set<StackResource>();
  for (const name of secretParameters) {
    const parameter = resources.find((candidate) => candidate.type === SSM_PARAMETER && knownString(candidate.props["name"]) === name);
    const keyId = parameter ? knownString(parameter.props["keyId"]) : undefined;
    const key = parameter && keyId !== undefined ? resolveKey(keyId, resources, parameter, "keyId") : undefined;
    if (key) keys.add(key);
  }
  return [...keys];
}

interface Candidate {
  /** As the key policy names it. */
  named: string;
  /** The statements that name it. */
  statements: string[];
  request: Pick<IamRequest, "principal" | "context" | "identityPolicies">;
}

/** The principals an Allow statement that covers kms:Decrypt admits, as requests to put to the whole document. */
function candidatesOf(policy: ReturnType<typeof parsePolicyDocument>, account: string, ownRoleArn: string | undefined): Candidate[] {
  if (policy.kind !== "document") return [];
  const found = new Map<string, Candidate>();
  const add = (key: string, candidate: Omit<Candidate, "statements">, label: string) => {
    const entry = found.get(key) ?? { ...candidate, statements: [] };
    if (!entry.statements.includes(label)) entry.statements.push(label);
    found.set(key, entry);
  };
  // Another account's principal needs its own account's IAM allow as well: assume its administrators grant it.
  const foreignIdentity = [{ name: "its own account's policy", policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: DECRYPT, Resource: "*" }] } }];
  for (const statement of policy.statements.filter(isAllow)) {
    if (!coversAction(statement, DECRYPT)) continue;
    const label = statementLabel(statement);
    if (statement.notPrincipal || statement.principal?.everyone) {
      const session = roleSession(ANYONE(account));
      add("*", { named: statement.notPrincipal ? "everyone but its NotPrincipal" : '"*"', request: { principal: session.principal, context: session.context, identityPolicies: [] } }, label);
    }
    for (const service of statement.principal?.service ?? []) add(service, { named: service, request: { principal: service, context: {}, identityPolicies: [] } }, label);
    for (const aws of statement.principal?.aws ?? []) {
      const arn = aws.trim();
      if (arn === ownRoleArn) continue;
      const principalAccount = accountOf(arn);
      if (isAccountRoot(arn)) {
        if (principalAccount === account) continue;
        const session = roleSession(`arn:aws:iam::${principalAccount ?? "000000000000"}:role/any-principal`);
        add(arn, { named: arn, request: { principal: session.principal, context: session.context, identityPolicies: foreignIdentity } }, label);
        continue;
      }
      const session = /:role\//.test(arn) ? roleSession(arn) : { principal: arn, context: { "aws:PrincipalArn": arn } };
      add(arn, { named: arn, request: { principal: session.principal, context: session.context, identityPolicies: principalAccount === account ? [] : foreignIdentity } }, label);
    }
  }
  return [...found.values()];
}

export const bridgeKeyDecryptBridgeOnly = stackPolicy(
  {
    name: "metrics-bridge-key-decrypt-bridge-only",
    description:
      "Only the metrics bridge's own role can decrypt its secrets through the keys' own documents: no key policy statement or KMS grant of the key that encrypts the bridge's parameters gives kms:Decrypt to another role, a user, " +
      'another account, a service or everyone (NotPrincipal, "*"), unless the whole key policy (its Deny statements and conditions, evaluated by an IAM evaluator) refuses it. ' +
      "A key policy that names a principal lets it decrypt whatever its IAM policies say, so judging identity policies alone misses it. " +
      'Spec, Secrets Management: "Secrets stored in platform (encrypted at rest)"; "Access: Env vars injected at runtime (not in code)".',
    severity: "high",
    remediation: [
      "Keep the bridge key's policy to the account-root statement (IAM decides) and, if named at all, the bridge's own role.",
      "Remove key policy statements and aws.kms.Grant resources that give kms:Decrypt to any other principal.",
    ],
    topics: ["encryption", "least-privilege", "secrets"],
  },
  {
    requires: "aws:lambda/function:Function",
    validate: async (resources, _settings, report) => {
      const grants = roleGrants(resources);
      const keyArns = new Map(declaredKeys(resources).map((declared) => [declared.key.urn, declared.arn]));
      const accounts = stackAccounts(resources, []);
      for (const bridge of bridgesOf(resources)) {
        if (!isDocument(bridge.document)) {
          if ("unknown" in bridge.document) throw new UnknownInputError(`${bridge.function.urn} environment`);
          continue;
        }
        const own = functionRole(bridge, grants);
        for (const key of bridgeKeys(bridge.document.secretParameters, resources)) {
          const keyArn = keyArns.get(key.urn);
          const account = accountOf(keyArn ?? "") ?? (accounts.size === 1 ? [...accounts][0]! : "000000000000");
          const ownRoleArn = own ? `arn:aws:iam::${account}:role/${own.roleName}` : undefined;
          for (const { resource, policy } of keyPolicyInputs(key, resources)) {
            if (isUnknown(policy)) throw new UnknownInputError(`${resource.urn} policy`);
            const parsed = parsePolicyDocument(policy);
            if (parsed.kind === "invalid") {
              report(`the key policy of ${key.name} ${parsed.reason}: who may decrypt the bridge's secrets cannot be judged`, resource.urn);
              continue;
            }
            for (const candidate of candidatesOf(parsed, account, ownRoleArn)) {
              const request = { ...candidate.request, action: DECRYPT, resource: keyArn ?? `arn:aws:kms:us-east-1:${account}:key/${key.name}`, resourceAccount: account, resourcePolicy: policy };
              // May: some context lets an Allow hold (Discovery), and no Deny holds for the principal as it calls (Strict, its own keys).
              if (!allowed(await decide({ ...request, mode: "Discovery" }))) continue;
              if ((await decide({ ...request, mode: "Strict" })) === "ExplicitlyDenied") continue;
              report(`the key policy of ${key.name}${resource === key ? "" : ` (${resource.name})`} lets ${candidate.named} decrypt ${bridge.functionName}'s secrets (${candidate.statements.join(", ")}): only the bridge's role ${own?.roleName ?? "(undeclared)"} may`, resource.urn);
            }
          }
          for (const grant of resources) {
            if (grant.type !== KMS_GRANT || !dependsOn(grant, key.urn, "keyId")) continue;
            const operations = asArray(grant.props["operations"]).flatMap((operation) => knownString(operation) ?? []);
            const grantee = knownString(grant.props["granteePrincipal"]);
            if (!operations.includes("Decrypt") || (grantee !== undefined && grantee === ownRoleArn)) continue;
            report(`grant ${grant.name} lets ${grantee ?? "an unknown principal"} decrypt with ${key.name}, ${bridge.functionName}'s secrets key: only the bridge's role may`, grant.urn);
          }
        }
      }
    },
  },
);

export const bridgeKeyPolicies = [bridgeKeyDecryptBridgeOnly];
