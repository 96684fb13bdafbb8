import { PolicyDocument, PolicyStatement, policyDocument } from "../../infra/aws/policyDocument";

/**
 * The bootstrap's key policies. A key policy is the one place that decides who may use a KMS key:
 * "Unless the key policy explicitly allows it, you cannot use IAM policies to allow access to a KMS key",
 * and the account root in a key policy is what lets IAM policies grant an action at all
 * (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html#key-policy-default-allow-root-enable-iam).
 * So the root here gets administration only: no IAM policy anywhere in the account (an administrator's
 * included) can grant Encrypt or Decrypt with the secrets keys, and nobody can create a grant (a grant
 * would hand out use without changing the policy). Use goes to the roles named here, which need no
 * IAM policy for it ("if the key policy gives the principal permission, … the key policy alone" suffices:
 * https://docs.aws.amazon.com/kms/latest/developerguide/determining-access-key-policy.html).
 */

/** Administering a key without using it: no cryptographic operation, no CreateGrant. */
export const KEY_ADMINISTRATION_ACTIONS = [
  "kms:CreateAlias",
  "kms:DeleteAlias",
  "kms:UpdateAlias",
  "kms:DescribeKey",
  "kms:EnableKey",
  "kms:DisableKey",
  "kms:EnableKeyRotation",
  "kms:DisableKeyRotation",
  "kms:RotateKeyOnDemand",
  "kms:GetKeyPolicy",
  "kms:GetKeyRotationStatus",
  "kms:ListKeyPolicies",
  "kms:ListKeyRotations",
  "kms:ListGrants",
  "kms:ListResourceTags",
  "kms:PutKeyPolicy",
  "kms:RevokeGrant",
  "kms:TagResource",
  "kms:UntagResource",
  "kms:UpdateKeyDescription",
  "kms:ScheduleKeyDeletion",
  "kms:CancelKeyDeletion",
];

function accountAdministers(account: string): PolicyStatement {
  return { Sid: "AccountAdministersKeyOnly", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: KEY_ADMINISTRATION_ACTIONS, Resource: "*" };
}

export interface SecretsKeyUsers {
  /** Roles that decrypt the stack's config and state secrets (its deploy role, the preview role, read-only humans). */
  decrypt: string[];
  /** Roles that may also encrypt a new data key (`pulumi stack init` / `change-secrets-provider`): break-glass only. */
  encrypt: string[];
}

/**
 * The `awskms://` key of one stack. Pulumi's cloud secrets manager encrypts a random data key with it
 * once, when the stack is created or its provider changed (kms:Encrypt, generateNewDataKey), and on every
 * later run only decrypts that data key (kms:Decrypt, newCloudSecretsManager); secrets themselves are
 * encrypted locally with the data key (pulumi/pulumi@v3.259.0 pkg/secrets/cloud/manager.go). So running a
 * stack needs Decrypt alone.
 */
export function secretsKeyPolicy(account: string, users: SecretsKeyUsers): PolicyDocument {
  const statements: PolicyStatement[] = [accountAdministers(account)];
  if (users.decrypt.length > 0) statements.push({ Sid: "RunStackDecrypts", Effect: "Allow", Principal: { AWS: [...users.decrypt] }, Action: "kms:Decrypt", Resource: "*" });
  if (users.encrypt.length > 0) statements.push({ Sid: "BreakGlassCreatesDataKeys", Effect: "Allow", Principal: { AWS: [...users.encrypt] }, Action: ["kms:Encrypt", "kms:Decrypt"], Resource: "*" });
  return policyDocument(...statements);
}

/**
 * The state bucket's key. S3 calls KMS as the requester (GenerateDataKey to write, Decrypt to read), so
 * the account root may use it through S3 only: the bucket policy and each role's S3 permissions decide
 * who reads or writes what (https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service).
 */
export function stateKeyPolicy(account: string, region: string): PolicyDocument {
  return policyDocument(accountAdministers(account), {
    Sid: "AccountUsesKeyThroughS3Only",
    Effect: "Allow",
    Principal: { AWS: `arn:aws:iam::${account}:root` },
    Action: ["kms:GenerateDataKey", "kms:Decrypt"],
    Resource: "*",
    Condition: { StringEquals: { "kms:ViaService": `s3.${region}.amazonaws.com`, "kms:CallerAccount": account } },
  });
}

/**
 * The break-glass alert topic's key: EventBridge publishes to an encrypted topic only if the key lets
 * events.amazonaws.com use it (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html#eb-sns-permissions),
 * and SNS decrypts to deliver.
 */
export function alertKeyPolicy(account: string): PolicyDocument {
  return policyDocument(
    accountAdministers(account),
    { Sid: "EventBridgePublishesEncrypted", Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, Action: ["kms:Decrypt", "kms:GenerateDataKey*"], Resource: "*" },
    { Sid: "SnsDeliversEncrypted", Effect: "Allow", Principal: { Service: "sns.amazonaws.com" }, Action: ["kms:Decrypt", "kms:GenerateDataKey*"], Resource: "*" },
  );
}
