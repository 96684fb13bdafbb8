import { StackResource, dependsOn } from "./define";
import { ParsedDocument, accountOf, isAccountRoot, parsePolicyDocument } from "./policyDocument";
import { Plain, knownString } from "./values";

/**
 * KMS keys and the documents that govern them (@pulumi/aws 7 / terraform-provider-aws):
 * `aws:kms/key:Key` (`policy`; "If a key policy is not specified, AWS gives the KMS key a default key
 * policy that gives all principals in the owning account unlimited access", kms_key.html.markdown),
 * `aws:kms/keyPolicy:KeyPolicy` (`keyId`, `policy`), `aws:kms/alias:Alias` (`name`, `targetKeyId`),
 * `aws:kms/grant:Grant` (`keyId`, `granteePrincipal`, `operations`).
 */
export const KMS_KEY = "aws:kms/key:Key";
export const KMS_KEY_POLICY = "aws:kms/keyPolicy:KeyPolicy";
export const KMS_ALIAS = "aws:kms/alias:Alias";
export const KMS_GRANT = "aws:kms/grant:Grant";

/**
 * The stack's key a reference in `holder`'s input names: a key the input depends on (a key ARN or
 * id from the key's outputs), or `alias/<name>` of an Alias of this stack targeting such a key.
 */
export function resolveKey(reference: string, resources: StackResource[], holder: StackResource, input: string): StackResource | undefined {
  const keys = resources.filter((r) => r.type === KMS_KEY);
  const aliasName = /(?:^|:)(alias\/.+)$/.exec(reference)?.[1];
  if (aliasName !== undefined) {
    if (aliasName.startsWith("alias/aws/")) return undefined;
    const alias = resources.find((r) => r.type === KMS_ALIAS && knownString(r.props["name"]) === aliasName);
    return alias ? keys.find((key) => dependsOn(alias, key.urn, "targetKeyId")) : undefined;
  }
  return keys.find((key) => dependsOn(holder, key.urn, input));
}

/** Every policy document that governs a key: its own `policy` and any KeyPolicy for it. Empty: AWS's default key policy. */
export function keyPolicyDocuments(key: StackResource, resources: StackResource[]): ParsedDocument[] {
  const documents: ParsedDocument[] = [];
  if (key.props["policy"] !== undefined && key.props["policy"] !== null) documents.push(parsePolicyDocument(key.props["policy"]));
  for (const keyPolicy of resources) {
    if (keyPolicy.type === KMS_KEY_POLICY && dependsOn(keyPolicy, key.urn, "keyId")) documents.push(parsePolicyDocument(keyPolicy.props["policy"]));
  }
  return documents;
}

/** The account(s) key policies give to `:root`: the account the stack runs in (the program writes the caller's account there). */
export function keyPolicyAccounts(documents: ParsedDocument[]): Set<string> {
  const accounts = new Set<string>();
  for (const document of documents) {
    if (document.kind !== "document") continue;
    for (const statement of document.statements) for (const aws of statement.principal?.aws ?? []) if (isAccountRoot(aws)) accounts.add(accountOf(aws)!);
  }
  return accounts;
}

/** The stack's AWS account(s): configured in the pack config, else inferred from the stack's key policies. */
export function stackAccounts(resources: StackResource[], configured: readonly string[]): Set<string> {
  if (configured.length > 0) return new Set(configured);
  return keyPolicyAccounts(resources.filter((r) => r.type === KMS_KEY).flatMap((key) => keyPolicyDocuments(key, resources)));
}

/** The documents that govern a key: its own `policy` and every KeyPolicy for it; none: AWS's default key policy. */
export function keyPolicyInputs(key: StackResource, resources: StackResource[]): { resource: StackResource; policy: Plain }[] {
  const found: { resource: StackResource; policy: Plain }[] = [];
  const own = key.props["policy"];
  if (own !== undefined && own !== null && own !== "") found.push({ resource: key, policy: own });
  for (const resource of resources) if (resource.type === KMS_KEY_POLICY && dependsOn(resource, key.urn, "keyId")) found.push({ resource, policy: resource.props["policy"] ?? null });
  return found;
}

/**
 * AWS's default key policy, which a key created without one gets: "gives the AWS account that owns the KMS key
 * full access to the KMS key", so IAM policies decide for the account's principals and no service principal
 * is named (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html).
 */
export function defaultKeyPolicy(partition: string, account: string): Plain {
  return { Version: "2012-10-17", Statement: [{ Sid: "Enable IAM User Permissions", Effect: "Allow", Principal: { AWS: `arn:${partition}:iam::${account}:root` }, Action: "kms:*", Resource: "*" }] };
}

