import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { toJson } from "../../infra/aws/policyDocument";
import { trailBucketPolicy } from "./resourcePolicies";

export interface AuditTrailArgs {
  bucketName: string;
  account: string;
  region: string;
}

/**
 * A multi-region CloudTrail trail with log file validation, into a private, versioned, TLS-only bucket:
 * the record of every AWS API call (who assumed break-glass and what the session did), and what
 * EventBridge needs to receive "AWS API Call via CloudTrail" events at all ("To record events with a
 * detail-type value of AWS API Call via CloudTrail, a CloudTrail trail with logging enabled is required":
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event.html). Global service
 * events (STS's global endpoint) are included. Protected like the state: it is the audit record.
 */
export class AuditTrail extends pulumi.ComponentResource {
  readonly trail: aws.cloudtrail.Trail;
  readonly bucket: aws.s3.Bucket;

  constructor(name: string, args: AuditTrailArgs, opts?: pulumi.ComponentResourceOptions) {
    super("flightdeck:bootstrap:AuditTrail", name, {}, opts);
    const child = { parent: this };
    this.bucket = new aws.s3.Bucket(`${name}-bucket`, { bucket: args.bucketName, forceDestroy: false }, { parent: this, protect: true, retainOnDelete: true });
    const bucket = this.bucket.bucket;
    new aws.s3.BucketOwnershipControls(`${name}-ownership`, { bucket, rule: { objectOwnership: "BucketOwnerEnforced" } }, child);
    const publicAccess = new aws.s3.BucketPublicAccessBlock(
      `${name}-public-access`,
      { bucket, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
      child,
    );
    new aws.s3.BucketVersioning(`${name}-versioning`, { bucket, versioningConfiguration: { status: "Enabled" } }, child);
    // CloudTrail encrypts log files with SSE-S3 unless given a KMS key (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/encrypting-cloudtrail-log-files-with-aws-kms.html).
    new aws.s3.BucketServerSideEncryptionConfiguration(`${name}-encryption`, { bucket, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] }, child);
    const trailArn = `arn:aws:cloudtrail:${args.region}:${args.account}:trail/${name}`;
    const policy = new aws.s3.BucketPolicy(
      `${name}-policy`,
      { bucket, policy: toJson(trailBucketPolicy(args.bucketName, args.account, trailArn)) },
      { parent: this, dependsOn: [publicAccess] },
    );
    this.trail = new aws.cloudtrail.Trail(
      `${name}-trail`,
      { name, s3BucketName: bucket, isMultiRegionTrail: true, includeGlobalServiceEvents: true, enableLogFileValidation: true, enableLogging: true },
      { parent: this, dependsOn: [policy] },
    );
    this.registerOutputs({ trailArn: this.trail.arn });
  }
}
