import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { toJson } from "../aws/policyDocument";
import { BackupBucket } from "./backupBucket";
import { bucketArn, replicationPermissions, serviceTrustPolicy } from "./documents";

export interface BackupReplicationArgs {
  source: BackupBucket;
  sourceBucketName: string;
  sourceRegion: pulumi.Output<string>;
  replica: BackupBucket;
  replicaBucketName: string;
  replicaRegion: string;
  prefix: string;
  accountId: pulumi.Output<string>;
}

/**
 * Every new backup copied to the replica bucket in another region (S3 replication, V2 rules with a
 * filter), KMS-encrypted there with the replica's own key. Deletions are not replicated
 * (deleteMarkerReplication Disabled): losing a backup in one region never removes its copy.
 */
export class BackupReplication extends pulumi.ComponentResource {
  constructor(name: string, args: BackupReplicationArgs, opts?: pulumi.ComponentResourceOptions) {
    super("flightdeck:dr:BackupReplication", name, {}, opts);
    const child = { parent: this };
    const role = new aws.iam.Role(
      `${name}-role`,
      {
        name,
        description: `S3 replicates the backups of ${args.sourceBucketName} to ${args.replicaBucketName}`,
        assumeRolePolicy: args.accountId.apply((id) => toJson(serviceTrustPolicy("s3.amazonaws.com", id))),
      },
      child,
    );
    const permissions = new aws.iam.RolePolicy(
      `${name}-permissions`,
      {
        role: role.name,
        name: "replicate-backups",
        policy: pulumi.all([args.source.keyArn, args.replica.keyArn, args.sourceRegion]).apply(([sourceKeyArn, replicaKeyArn, sourceRegion]) =>
          toJson(
            replicationPermissions({
              sourceBucket: args.sourceBucketName,
              sourceKeyArn,
              sourceRegion,
              replicaBucket: args.replicaBucketName,
              replicaKeyArn,
              replicaRegion: args.replicaRegion,
            }),
          ),
        ),
      },
      child,
    );
    new aws.s3.BucketReplicationConfig(
      `${name}-config`,
      {
        bucket: args.source.bucketName,
        role: role.arn,
        rules: [
          {
            id: "replicate-backups",
            status: "Enabled",
            priority: 1,
            filter: { prefix: args.prefix },
            deleteMarkerReplication: { status: "Disabled" },
            sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: "Enabled" } },
            destination: {
              bucket: bucketArn(args.replicaBucketName),
              encryptionConfiguration: { replicaKmsKeyId: args.replica.keyArn },
            },
          },
        ],
      },
      // Replication needs versioning on both buckets first.
      { ...child, dependsOn: [args.source.versioning, args.replica.versioning, permissions] },
    );
    this.registerOutputs({ roleArn: role.arn });
  }
}
