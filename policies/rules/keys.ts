import { resourcePolicy, stackPolicy, StackResource, UnknownInputError } from "../lib/define";
import { isReadOnly } from "../lib/iamActions";
import { KMS_GRANT, KMS_KEY, KMS_KEY_POLICY, keyPolicyAccounts } from "../lib/keys";
import { ParsedDocument, Statement, accountOf, grantedActions, isAccountRoot, isAllow, isNamedRole, parsePolicyDocument, statementLabel } from "../lib/policyDocument";
import { asArray, isUnknown, knownNumber, knownString } from "../lib/values";

const TOPICS = ["encryption", "least-privilege"];
const SPEC_KEYS = 'Spec, Secrets Management: "Secrets stored in platform (encrypted at rest)"; Compliance & Audit: "HIPAA: Deployment logs retained, access controls"';

/**
 * A symmetric encryption key (the default key spec and usage): the only kind AWS KMS rotates
 * automatically (terraform-provider-aws kms_key: `enable_key_rotation`, "Defaults to false";
 * `rotation_period_in_days` "Must be a number between 90 and 2560 (inclusive)").
 */
function rotatable(props: StackResource["props"]): boolean {
  const spec = knownString(props["customerMasterKeySpec"]) ?? "SYMMETRIC_DEFAULT";
  const usage = knownString(props["keyUsage"]) ?? "ENCRYPT_DECRYPT";
  return spec === "SYMMETRIC_DEFAULT" && usage === "ENCRYPT_DECRYPT";
}

export const keyRotationEnabled = resourcePolicy<{ maxRotationDays: number }>(
  {
    name: "kms-key-rotation-enabled",
    description:
      "Every symmetric KMS key of the stack rotates its key material automatically, at least yearly, so a key that leaked stops protecting new data. " +
      `${SPEC_KEYS}; "Rotation: … every 90 days (API keys), every 180 days (database passwords)".`,
    severity: "high",
    remediation: ["Set enableKeyRotation: true on the key.", "Leave rotationPeriodInDays unset (365 days) or set it between 90 and the configured maximum."],
    topics: TOPICS,
  },
  {
    types: [KMS_KEY],
    config: {
      defaults: { maxRotationDays: 365 },
      schema: { maxRotationDays: { type: "integer", minimum: 90, maximum: 2560, description: "Longest rotation period allowed, in days." } },
    },
    validate({ props }, settings, report, args) {
      if (!rotatable(props)) args.notApplicable("AWS KMS rotates only symmetric encryption keys automatically");
      const enabled = props["enableKeyRotation"];
      if (isUnknown(enabled)) throw new UnknownInputError("enableKeyRotation");
      if (enabled !== true) report(`enableKeyRotation is ${enabled === undefined || enabled === null ? "not set (AWS default: no rotation)" : String(enabled)}`);
      const period = props["rotationPeriodInDays"];
      if (period !== undefined && period !== null) {
        const days = knownNumber(period);
        if (days === undefined) throw new UnknownInputError("rotationPeriodInDays");
        if (days > settings.maxRotationDays) report(`rotationPeriodInDays is ${days}; at most ${settings.maxRotationDays} allowed`);
      }
    },
  },
);

/** Actions that use a key (cryptographic operations), as opposed to administering it. */
const USE_ACTIONS = /^kms:(Encrypt|Decrypt|ReEncrypt(From|To)?|GenerateDataKey.*|GenerateMac|VerifyMac|Sign|Verify|DeriveSharedSecret|GenerateRandom)$/i;

function administers(statement: Statement): string[] {
  return grantedActions(statement)
    .filter((action) => !isReadOnly(action) && !USE_ACTIONS.test(action.name))
    .map((action) => action.name);
}

export const keyPolicyRestricted = stackPolicy<{ accountIds: string[] }>(
  {
    name: "kms-key-policy-restricted",
    description:
      "Key policies and grants give keys to nobody outside the account: no Principal \"*\" (so no kms:* to everyone), no NotPrincipal, AWS principals only the account root or named roles of the account, " +
      "administration (policy, grants, deletion, disabling) only to those, services only the cryptographic operations they need, and grants only to named roles of the account, never the right to create grants. " +
      `${SPEC_KEYS}.`,
    severity: "critical",
    remediation: [
      "Keep the account-root statement (kms:* for arn:aws:iam::<account>:root) and give services only kms:Decrypt / kms:GenerateDataKey*.",
      "Remove statements for \"*\", other accounts, users or wildcard principals; grant roles of this account by their ARN.",
      "List the account in the pack config (accountIds) to pin it; otherwise it is the account the key policies' root statements name.",
    ],
    topics: TOPICS,
  },
  {
    config: {
      defaults: { accountIds: [] },
      schema: { accountIds: { type: "array", items: { type: "string", pattern: "^\\d{12}$" }, description: "The stack's AWS account(s); empty: the one account the key policies' root statements name." } },
    },
    requires: KMS_KEY,
    validate(resources, settings, report) {
      const owners: { resource: StackResource; document: ParsedDocument }[] = [];
      for (const resource of resources) {
        if (resource.type === KMS_KEY && resource.props["policy"] !== undefined && resource.props["policy"] !== null) owners.push({ resource, document: parsePolicyDocument(resource.props["policy"]) });
        if (resource.type === KMS_KEY_POLICY) owners.push({ resource, document: parsePolicyDocument(resource.props["policy"]) });
      }
      const inferred = keyPolicyAccounts(owners.map((owner) => owner.document));
      const accounts = settings.accountIds.length > 0 ? new Set(settings.accountIds) : inferred;
      if (settings.accountIds.length === 0 && inferred.size > 1) report(`key policies give the root of more than one account: ${[...inferred].sort().join(", ")}`);
      const inAccount = (principal: string) => {
        const account = accountOf(principal);
        return account !== undefined && accounts.has(account);
      };
      let unknown = false;
      for (const { resource, document } of owners) {
        if (document.kind === "unknown") {
          unknown = true;
          continue;
        }
        if (document.kind === "invalid") {
          report(`the key policy of ${resource.name} ${document.reason}: it cannot be judged`, resource.urn);
          continue;
        }
        for (const statement of document.statements.filter(isAllow)) {
          const label = `${resource.name} ${statementLabel(statement)}`;
          if (statement.notPrincipal) report(`${label} allows everyone but its NotPrincipal`, resource.urn);
          const principal = statement.principal;
          if (!principal) continue;
          if (principal.everyone) report(`${label} gives the key to any principal ("*")`, resource.urn);
          if (principal.federated.length > 0 || principal.canonicalUser.length > 0) report(`${label} names federated or canonical-user principals`, resource.urn);
          const admin = administers(statement);
          for (const aws of principal.aws) {
            if (!inAccount(aws)) report(`${label} gives the key to ${aws}, outside the stack's account (${[...accounts].join(", ") || "unknown"})`, resource.urn);
            else if (!isAccountRoot(aws) && !isNamedRole(aws)) report(`${label} gives the key to ${aws}; only the account root or named roles may be key principals`, resource.urn);
          }
          if (principal.service.length > 0 && admin.length > 0) {
            report(`${label} lets ${principal.service.join(", ")} administer the key (${admin.slice(0, 5).join(", ")}${admin.length > 5 ? ", …" : ""})`, resource.urn);
          }
        }
      }
      for (const grant of resources) {
        if (grant.type !== KMS_GRANT) continue;
        const grantee = knownString(grant.props["granteePrincipal"]);
        if (grantee === undefined) continue;
        if (!inAccount(grantee) || !(isNamedRole(grantee) || isAccountRoot(grantee))) report(`grant ${grant.name} gives the key to ${grantee}, not a named role of the stack's account`, grant.urn);
        const operations = asArray(grant.props["operations"]).flatMap((operation) => knownString(operation) ?? []);
        if (operations.includes("CreateGrant")) report(`grant ${grant.name} lets ${grantee} create further grants`, grant.urn);
      }
      if (unknown) throw new UnknownInputError("a key policy");
    },
  },
);

export const keyPolicies = [keyRotationEnabled, keyPolicyRestricted];
