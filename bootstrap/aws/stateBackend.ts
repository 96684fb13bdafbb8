import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { toJson } from "../../infra/aws/policyDocument";
import { stateKeyPolicy } from "./keyPolicies";
import { StackWriters, stateBucketPolicy } from "./resourcePolicies";

export interface StateBackendArgs {
  bucketName: string;
  account: string;
  region: string;
  /** Each stack's state location and the roles that alone may write it. */
  writers: StackWriters[];
  /** Roles the bucket policy names must exist before it is set (AWS validates principals). */
  dependsOn: pulumi.Input<pulumi.Resource>[];
}

/**
 * The S3 bucket Pulumi's DIY backend keeps every stack's state in (`pulumi login s3://<bucket>`):
 * versioned (an overwritten or deleted checkpoint can be recovered), encrypted with its own rotating
 * KMS key, private (ACLs off, public access blocked), TLS only, each stack's objects writable only by
 * the roles that apply it. The bucket and key are protected: `pulumi destroy` or a refactoring cannot
 * delete them, and forceDestroy is off, so a delete never empties it first.
 */
export class StateBackend extends pulumi.ComponentResource {
  readonly bucket: aws.s3.Bucket;
  readonly key: aws.kms.Key;
  readonly bucketName: pulumi.Output<string>;
  readonly keyArn: pulumi.Output<string>;

  constructor(name: string, args: StateBackendArgs, opts?: pulumi.ComponentResourceOptions) {
    super("flightdeck:bootstrap:StateBackend", name, {}, opts);
    const keep = { parent: this, protect: true, retainOnDelete: true };
    const child = { parent: this };

    this.key = new aws.kms.Key(
      `${name}-key`,
      {
        description: `Encrypts the Pulumi state in ${args.bucketName}`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        policy: toJson(stateKeyPolicy(args.account, args.region)),
      },
      keep,
    );
    new aws.kms.Alias(`${name}-key-alias`, { name: `alias/${args.bucketName}`, targetKeyId: this.key.keyId }, child);
    this.keyArn = this.key.arn;

    this.bucket = new aws.s3.Bucket(`${name}-bucket`, { bucket: args.bucketName, forceDestroy: false }, keep);
    const bucket = this.bucket.bucket;
    this.bucketName = bucket;
    new aws.s3.BucketOwnershipControls(`${name}-ownership`, { bucket, rule: { objectOwnership: "BucketOwnerEnforced" } }, child);
    const publicAccess = new aws.s3.BucketPublicAccessBlock(
      `${name}-public-access`,
      { bucket, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
      child,
    );
    new aws.s3.BucketVersioning(`${name}-versioning`, { bucket, versioningConfiguration: { status: "Enabled" } }, child);
    new aws.s3.BucketServerSideEncryptionConfiguration(
      `${name}-encryption`,
      { bucket, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: this.key.arn }, bucketKeyEnabled: true }] },
      child,
    );
    new aws.s3.BucketPolicy(
      `${name}-policy`,
      { bucket, policy: toJson(stateBucketPolicy(args.bucketName, args.writers)) },
      { parent: this, dependsOn: [publicAccess, ...args.dependsOn] },
    );
    this.registerOutputs({ bucketName: this.bucketName, keyArn: this.keyArn });
  }
}
