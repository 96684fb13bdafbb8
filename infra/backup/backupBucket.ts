import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { toJson } from "../aws/policyDocument";
import { backupBucketPolicy, backupKeyPolicy, backupLifecycleRules } from "./documents";

export interface BackupBucketArgs {
  bucketName: string;
  prefix: string;
  retentionDays: number;
  noncurrentRetentionDays: number;
  accountId: pulumi.Input<string>;
  /** Another region than the provider's (a replica); absent: the provider's region. */
  region?: string;
  protect: boolean;
}

/**
 * A bucket that keeps database backups: its own rotating KMS key, versioned, private (public access
 * blocked, ACLs off), TLS-only, refusing the deletion of any backup version and of itself, backups
 * expiring by lifecycle only. In another region (a replica) every resource names that region
 * (@pulumi/aws 7 resources take a `region` argument, "Defaults to the Region set in the provider").
 */
export class BackupBucket extends pulumi.ComponentResource {
  readonly bucket: aws.s3.Bucket;
  readonly key: aws.kms.Key;
  readonly bucketName: pulumi.Output<string>;
  readonly keyArn: pulumi.Output<string>;
  /** The versioning configuration: replication needs it on both sides first. */
  readonly versioning: aws.s3.BucketVersioning;

  constructor(name: string, args: BackupBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    super("flightdeck:dr:BackupBucket", name, {}, opts);
    const keep: pulumi.CustomResourceOptions = args.protect ? { protect: true, retainOnDelete: true } : {};
    const region = args.region === undefined ? {} : { region: args.region };
    const child = { parent: this };

    this.key = new aws.kms.Key(
      `${name}-key`,
      {
        description: `Encrypts the database backups in ${args.bucketName}`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        policy: pulumi.output(args.accountId).apply((id) => toJson(backupKeyPolicy(id))),
        ...region,
      },
      { ...child, ...keep },
    );
    new aws.kms.Alias(`${name}-key-alias`, { name: `alias/${args.bucketName}`, targetKeyId: this.key.keyId, ...region }, child);

    this.bucket = new aws.s3.Bucket(`${name}-bucket`, { bucket: args.bucketName, forceDestroy: false, ...region }, { ...child, ...keep });
    const bucket = this.bucket.bucket;
    const ownership = new aws.s3.BucketOwnershipControls(`${name}-ownership`, { bucket, rule: { objectOwnership: "BucketOwnerEnforced" }, ...region }, child);
    const publicAccess = new aws.s3.BucketPublicAccessBlock(
      `${name}-public-access`,
      { bucket, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true, ...region },
      child,
    );
    this.versioning = new aws.s3.BucketVersioning(`${name}-versioning`, { bucket, versioningConfiguration: { status: "Enabled" }, ...region }, child);
    new aws.s3.BucketServerSideEncryptionConfiguration(
      `${name}-encryption`,
      { bucket, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: this.key.arn }, bucketKeyEnabled: true }], ...region },
      child,
    );
    // The public access block first: a bucket policy is refused while it is being judged public.
    new aws.s3.BucketPolicy(`${name}-policy`, { bucket, policy: toJson(backupBucketPolicy(args.bucketName)), ...region }, { ...child, dependsOn: [publicAccess, ownership] });
    new aws.s3.BucketLifecycleConfiguration(
      `${name}-lifecycle`,
      { bucket, rules: backupLifecycleRules(args.prefix, args.retentionDays, args.noncurrentRetentionDays), ...region },
      { ...child, dependsOn: [this.versioning] },
    );

    this.bucketName = bucket;
    this.keyArn = this.key.arn;
    this.registerOutputs({ bucketName: this.bucketName, keyArn: this.keyArn });
  }
}
