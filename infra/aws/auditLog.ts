import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AuditSettings } from "../config/schema";
import { auditBucketPolicy, auditKeyPolicy, auditLifecycleRules, bucketArn } from "./auditPolicies";
import { toJson } from "./policyDocument";

export interface AuditLogArgs {
  audit: AuditSettings;
}

/**
 * The deployment audit log (the spec: "exported to S3 (7 years)"): a private, TLS-only,
 * versioned bucket with object lock, encrypted with its own rotating KMS key. Records cannot be
 * deleted; they move to Glacier and expire only when their retention ends.
 */
export class AuditLog extends pulumi.ComponentResource {
  readonly bucket: aws.s3.Bucket;
  readonly key: aws.kms.Key;
  readonly bucketName: pulumi.Output<string>;
  readonly bucketArn: string;
  readonly keyArn: pulumi.Output<string>;
  readonly prefix: string;

  constructor(name: string, args: AuditLogArgs, opts?: pulumi.ComponentResourceOptions) {
    super("flightdeck:aws:AuditLog", name, {}, opts);
    const { audit } = args;
    const keep: pulumi.CustomResourceOptions = audit.protect ? { protect: true, retainOnDelete: true } : {};
    const accountId = aws.getCallerIdentityOutput({}, { parent: this }).accountId;

    this.key = new aws.kms.Key(
      `${name}-key`,
      {
        description: `Encrypts the deployment audit records in ${audit.bucketName}`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        policy: accountId.apply((id) => toJson(auditKeyPolicy(id))),
      },
      { parent: this, ...keep },
    );
    new aws.kms.Alias(`${name}-key-alias`, { name: `alias/${audit.bucketName}`, targetKeyId: this.key.keyId }, { parent: this });

    this.bucket = new aws.s3.Bucket(
      `${name}-bucket`,
      { bucket: audit.bucketName, objectLockEnabled: true, forceDestroy: false },
      { parent: this, ...keep },
    );
    const bucket = this.bucket.bucket;
    const child = { parent: this };

    const ownership = new aws.s3.BucketOwnershipControls(
      `${name}-ownership`,
      { bucket, rule: { objectOwnership: "BucketOwnerEnforced" } },
      child,
    );
    const publicAccess = new aws.s3.BucketPublicAccessBlock(
      `${name}-public-access`,
      { bucket, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
      child,
    );
    const versioning = new aws.s3.BucketVersioning(
      `${name}-versioning`,
      { bucket, versioningConfiguration: { status: "Enabled" } },
      child,
    );
    new aws.s3.BucketObjectLockConfiguration(
      `${name}-object-lock`,
      {
        bucket,
        objectLockEnabled: "Enabled",
        rule: { defaultRetention: { mode: audit.retention.mode, days: audit.retention.days } },
      },
      { ...child, dependsOn: [versioning] },
    );
    new aws.s3.BucketServerSideEncryptionConfiguration(
      `${name}-encryption`,
      {
        bucket,
        rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: this.key.arn }, bucketKeyEnabled: true }],
      },
      child,
    );
    // The public access block comes first: a bucket policy is refused while it is being judged public.
    new aws.s3.BucketPolicy(
      `${name}-policy`,
      { bucket, policy: toJson(auditBucketPolicy(audit.bucketName)) },
      { ...child, dependsOn: [publicAccess, ownership] },
    );
    new aws.s3.BucketLifecycleConfiguration(
      `${name}-lifecycle`,
      { bucket, rules: auditLifecycleRules(audit) },
      { ...child, dependsOn: [versioning] },
    );

    this.bucketName = bucket;
    this.bucketArn = bucketArn(audit.bucketName);
    this.keyArn = this.key.arn;
    this.prefix = audit.prefix;
    this.registerOutputs({ bucketName: this.bucketName, keyArn: this.keyArn, prefix: this.prefix });
  }
}
