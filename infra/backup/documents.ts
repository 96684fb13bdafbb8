import { PolicyDocument, accountRootStatement, policyDocument } from "../aws/policyDocument";

/**
 * The backups' documents as plain data: what the buckets refuse, who may assume the job roles and
 * what each may do, and how long backups live. Pure, so tests read them without mocks.
 */

export function bucketArn(bucketName: string): string {
  return `arn:aws:s3:::${bucketName}`;
}

/** Where the backup job writes: `arn:aws:s3:::<bucket>/<prefix>*`. */
export function backupObjectsArn(bucketName: string, prefix: string): string {
  return `${bucketArn(bucketName)}/${prefix}*`;
}

/** A backup bucket's key: administered by the account, so only IAM policies of the account grant its use. */
export function backupKeyPolicy(accountId: string): PolicyDocument {
  return policyDocument(accountRootStatement(accountId));
}

/**
 * A backup bucket refuses plain-HTTP access of any kind, the permanent deletion of any backup
 * version, and its own deletion: a backup is removed only by its lifecycle rule (which S3 runs
 * itself, not subject to the bucket policy), and deleting the bucket needs this policy changed first.
 */
export function backupBucketPolicy(bucketName: string): PolicyDocument {
  const bucket = bucketArn(bucketName);
  return policyDocument(
    {
      Sid: "DenyInsecureTransport",
      Effect: "Deny",
      Principal: "*",
      Action: "s3:*",
      Resource: [bucket, `${bucket}/*`],
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    },
    { Sid: "DenyBackupVersionDeletion", Effect: "Deny", Principal: "*", Action: "s3:DeleteObjectVersion", Resource: `${bucket}/*` },
    { Sid: "DenyBucketDeletion", Effect: "Deny", Principal: "*", Action: "s3:DeleteBucket", Resource: bucket },
  );
}

export interface BackupLifecycleRule {
  id: string;
  status: "Enabled";
  filter: { prefix: string };
  expiration: { days: number };
  noncurrentVersionExpiration: { noncurrentDays: number };
  abortIncompleteMultipartUpload: { daysAfterInitiation: number };
}

/** Backups expire after the configured days; a version superseded early is kept a few days more; unfinished uploads go after a day. */
export function backupLifecycleRules(prefix: string, retentionDays: number, noncurrentDays: number): BackupLifecycleRule[] {
  return [
    {
      id: "expire-backups",
      status: "Enabled",
      filter: { prefix },
      expiration: { days: retentionDays },
      noncurrentVersionExpiration: { noncurrentDays: noncurrentDays },
      abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
    },
  ];
}

/** A role only an AWS service of this account assumes (CodeBuild, EventBridge Scheduler, S3 replication). */
export function serviceTrustPolicy(service: string, accountId: string): PolicyDocument {
  return policyDocument({
    Sid: "ServiceOfThisAccount",
    Effect: "Allow",
    Principal: { Service: service },
    Action: "sts:AssumeRole",
    Condition: { StringEquals: { "aws:SourceAccount": accountId } },
  });
}

export interface JobContext {
  accountId: string;
  region: string;
  /** The CloudWatch Logs group both jobs write to. */
  logGroupName: string;
  metricsNamespace: string;
}

function logStatements(context: JobContext) {
  return {
    Sid: "WriteBuildLogs",
    Effect: "Allow" as const,
    Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
    Resource: `arn:aws:logs:${context.region}:${context.accountId}:log-group:${context.logGroupName}:*`,
  };
}

function metricStatement(context: JobContext) {
  return {
    Sid: "PublishRecoveryMetrics",
    Effect: "Allow" as const,
    Action: "cloudwatch:PutMetricData",
    Resource: "*",
    Condition: { StringEquals: { "cloudwatch:namespace": context.metricsNamespace } },
  };
}

export interface WriterInput extends JobContext {
  bucketName: string;
  prefix: string;
  keyArn: string;
  /** The SecureString parameter holding the backup role's connection string. */
  credentialsParameterArn: string;
  /** When the job runs in a VPC: the subnets CodeBuild places its network interface in. */
  vpcSubnetIds?: string[];
}

/**
 * What a CodeBuild project in a VPC needs of its service role to create, describe and delete its
 * network interface, as AWS's example policy grants it ("Allow CodeBuild access to AWS services required
 * to create a VPC network interface", https://docs.aws.amazon.com/codebuild/latest/userguide/auth-and-access-control-iam-identity-based-access-control.html#customer-managed-policies-example-create-vpc-network-interface):
 * the Describe and Create/DeleteNetworkInterface actions on "*", CreateNetworkInterfacePermission only
 * in the project's subnets and only for CodeBuild.
 */
export function vpcNetworkInterfaceStatements(context: JobContext, subnetIds: readonly string[]) {
  return [
    {
      Sid: "ManageBuildNetworkInterface",
      Effect: "Allow" as const,
      Action: [
        "ec2:CreateNetworkInterface",
        "ec2:DescribeDhcpOptions",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DeleteNetworkInterface",
        "ec2:DescribeSubnets",
        "ec2:DescribeSecurityGroups",
        "ec2:DescribeVpcs",
      ],
      Resource: "*",
    },
    {
      Sid: "AttachBuildNetworkInterface",
      Effect: "Allow" as const,
      Action: "ec2:CreateNetworkInterfacePermission",
      Resource: `arn:aws:ec2:${context.region}:${context.accountId}:network-interface/*`,
      Condition: {
        StringEquals: {
          "ec2:Subnet": subnetIds.map((id) => `arn:aws:ec2:${context.region}:${context.accountId}:subnet/${id}`),
          "ec2:AuthorizedService": "codebuild.amazonaws.com",
        },
      },
    },
  ];
}

/**
 * The backup job's identity: it writes new backup objects and nothing else. No S3 read, list or
 * delete of any kind. kms:Decrypt on the backup key is granted only through S3 because S3 needs it
 * for a multipart upload to an SSE-KMS bucket ("the requester needs permissions for the kms:Decrypt
 * action on the UploadPart and UploadPartCopy APIs", S3 API reference, CreateMultipartUpload); with
 * no s3:GetObject it decrypts no backup. It reads its own connection string and its own size metric
 * (GetMetricStatistics has no resource-level permissions), and publishes to the stack's namespace only.
 */
export function writerPermissions(input: WriterInput): PolicyDocument {
  return policyDocument(
    { Sid: "WriteBackups", Effect: "Allow", Action: "s3:PutObject", Resource: backupObjectsArn(input.bucketName, input.prefix) },
    {
      Sid: "EncryptBackupsThroughS3",
      Effect: "Allow",
      Action: ["kms:GenerateDataKey", "kms:Encrypt", "kms:Decrypt"],
      Resource: input.keyArn,
      Condition: { StringEquals: { "kms:ViaService": `s3.${input.region}.amazonaws.com` } },
    },
    { Sid: "ReadDatabaseCredentials", Effect: "Allow", Action: "ssm:GetParameters", Resource: input.credentialsParameterArn },
    metricStatement(input),
    { Sid: "ReadOwnSizeMetric", Effect: "Allow", Action: "cloudwatch:GetMetricStatistics", Resource: "*" },
    logStatements(input),
    ...(input.vpcSubnetIds ? vpcNetworkInterfaceStatements(input, input.vpcSubnetIds) : []),
  );
}

export interface DrillInput extends JobContext {
  bucketName: string;
  prefix: string;
  keyArn: string;
  registerParameterArn: string;
}

/** The drill's identity: lists and reads backups (never writes or deletes one), and reads and writes its register. */
export function drillPermissions(input: DrillInput): PolicyDocument {
  return policyDocument(
    {
      Sid: "ListBackups",
      Effect: "Allow",
      Action: "s3:ListBucket",
      Resource: bucketArn(input.bucketName),
      Condition: { StringLike: { "s3:prefix": [`${input.prefix}*`] } },
    },
    { Sid: "ReadBackups", Effect: "Allow", Action: "s3:GetObject", Resource: backupObjectsArn(input.bucketName, input.prefix) },
    {
      Sid: "DecryptBackupsThroughS3",
      Effect: "Allow",
      Action: "kms:Decrypt",
      Resource: input.keyArn,
      Condition: { StringEquals: { "kms:ViaService": `s3.${input.region}.amazonaws.com` } },
    },
    { Sid: "UpdateDrillRegister", Effect: "Allow", Action: ["ssm:GetParameter", "ssm:PutParameter"], Resource: input.registerParameterArn },
    metricStatement(input),
    logStatements(input),
  );
}

/** EventBridge Scheduler starts the two build projects, nothing else. */
export function schedulerPermissions(projectArns: string[]): PolicyDocument {
  return policyDocument({ Sid: "StartRecoveryJobs", Effect: "Allow", Action: "codebuild:StartBuild", Resource: projectArns });
}

export interface ReplicationInput {
  sourceBucket: string;
  sourceKeyArn: string;
  sourceRegion: string;
  replicaBucket: string;
  replicaKeyArn: string;
  replicaRegion: string;
}

/**
 * S3 replication of KMS-encrypted backups (S3 User Guide, "Setting up permissions for live
 * replication" and "Replicating objects created with server-side encryption (SSE-KMS)"): read the
 * source's replication configuration and object versions, decrypt them through S3 in the source
 * region, replicate objects and tags (never deletes) to the replica and encrypt them there.
 */
export function replicationPermissions(input: ReplicationInput): PolicyDocument {
  const source = bucketArn(input.sourceBucket);
  const replica = bucketArn(input.replicaBucket);
  return policyDocument(
    { Sid: "ReadReplicationConfiguration", Effect: "Allow", Action: ["s3:GetReplicationConfiguration", "s3:ListBucket"], Resource: source },
    {
      Sid: "ReadSourceVersions",
      Effect: "Allow",
      Action: ["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging"],
      Resource: `${source}/*`,
    },
    { Sid: "ReplicateToReplica", Effect: "Allow", Action: ["s3:ReplicateObject", "s3:ReplicateTags"], Resource: `${replica}/*` },
    {
      Sid: "DecryptSourceThroughS3",
      Effect: "Allow",
      Action: "kms:Decrypt",
      Resource: input.sourceKeyArn,
      Condition: { StringEquals: { "kms:ViaService": `s3.${input.sourceRegion}.amazonaws.com` } },
    },
    {
      Sid: "EncryptReplicaThroughS3",
      Effect: "Allow",
      Action: ["kms:Encrypt", "kms:GenerateDataKey"],
      Resource: input.replicaKeyArn,
      Condition: { StringEquals: { "kms:ViaService": `s3.${input.replicaRegion}.amazonaws.com` } },
    },
  );
}
