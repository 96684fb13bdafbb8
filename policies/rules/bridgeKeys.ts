import { Caller, declaredKeys, mayPerform } from "../lib/access";
import { SSM_PARAMETER, bridgesOf, functionRole, isDocument } from "../lib/bridges";
import { StackResource, UnknownInputError, dependsOn, stackPolicy } from "../lib/define";
import { KMS_GRANT, keyPolicyInputs, resolveKey, stackAccounts } from "../lib/keys";
import { ParsedDocument, accountOf, coversAction, isAccountRoot, isAllow, parsePolicyDocument, statementLabel } from "../lib/policyDocument";
import { roleGrants } from "../lib/roles";
import { asArray, isUnknown, knownString } from "../lib/values";

/**
 * Who can read the metrics bridge's secrets, judged from the keys' side. A key policy that names a principal
 * lets it use the key by itself, whatever IAM policies say ("the key policy … can give an IAM principal
 * permission", https://docs.aws.amazon.com/kms/latest/developerguide/determining-access-key-policy.html); a grant
 * does too (https://docs.aws.amazon.com/kms/latest/developerguide/grants.html). So besides the identity policies
 * (metrics-bridge-secrets-protected), every principal a key policy or grant of the bridge's key gives kms:Decrypt
 * must be the bridge's own role, unless a Deny statement of the whole document certainly refuses it (the pack's own
 * evaluator, access.ts's mayPerform, which errs towards "may").
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
  caller: Caller;
}

/**
 * The principals an Allow statement that covers kms:Decrypt admits, each a caller to put to the whole document
 * (access.ts's mayPerform: errs towards "may"). Everyone (`"*"`, NotPrincipal) is stood for by a role no statement
 * names; another account's principal has its own account's IAM policies, which may allow it.
 */
function candidatesOf(policy: ParsedDocument, account: string, ownRoleArn: string | undefined): Candidate[] {
  if (policy.kind !== "document") return [];
  const found = new Map<string, Candidate>();
  const add = (key: string, candidate: Omit<Candidate, "statements">, label: string) => {
    const entry = found.get(key) ?? { ...candidate, statements: [] };
    if (!entry.statements.includes(label)) entry.statements.push(label);
    found.set(key, entry);
  };
  for (const statement of policy.statements.filter(isAllow)) {
    if (!coversAction(statement, DECRYPT)) continue;
    const label = statementLabel(statement);
    if (statement.notPrincipal || statement.principal?.everyone) {
      add("*", { named: statement.notPrincipal ? "everyone but its NotPrincipal" : '"*"', caller: { arn: ANYONE(account), account } }, label);
    }
    for (const service of statement.principal?.service ?? []) add(service, { named: service, caller: { arn: service.trim() } }, label);
    for (const aws of statement.principal?.aws ?? []) {
      const arn = aws.trim();
      if (arn === ownRoleArn) continue;
      const principalAccount = accountOf(arn);
      if (isAccountRoot(arn)) {
        // The account's own root: its identity policies decide (judged by metrics-bridge-secrets-protected).
        if (principalAccount === account) continue;
        add(arn, { named: arn, caller: { arn: `arn:aws:iam::${principalAccount ?? "000000000000"}:role/any-principal`, account: principalAccount, foreign: true } }, label);
        continue;
      }
      add(arn, { named: arn, caller: { arn, account: principalAccount, foreign: principalAccount !== account } }, label);
    }
  }
  return [...found.values()];
}

export const bridgeKeyDecryptBridgeOnly = stackPolicy(
  {
    name: "metrics-bridge-key-decrypt-bridge-only",
    description:
      "Only the metrics bridge's own role can decrypt its secrets through the keys' own documents: no key policy statement or KMS grant of the key that encrypts the bridge's parameters gives kms:Decrypt to another role, a user, " +
      'another account, a service or everyone (NotPrincipal, "*"), unless a Deny statement of the whole key policy certainly refuses it ' +
      '(an Allow\'s conditions are assumed to hold unless they exclude the principal: the answer errs towards "may"). ' +
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
    validate: (resources, _settings, report) => {
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
              // May: an Allow names it and no Deny of the whole document certainly refuses it.
              if (!mayPerform(candidate.caller, { action: DECRYPT, resourceArn: keyArn, resourcePolicies: [parsed], kmsKey: true })) continue;
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
