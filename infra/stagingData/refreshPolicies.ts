import { PolicyDocument, policyDocument } from "../aws/policyDocument";
import { backupObjectsArn, bucketArn } from "../backup/documents";

export interface RefreshPermissionsInput {
  accountId: string;
  region: string;
  /** Production's backup bucket and prefix: read, never written. */
  sourceBucket: string;
  sourcePrefix: string;
  /** The SecureString parameters the project reads (staging's connection string, the masking key). */
  parameterArns: string[];
  logGroupName: string;
}

/**
 * The refresh job reads production's backups and nothing else of production: list and get under the
 * prefix, decrypt through S3 only for that bucket's objects (S3 passes the object's or bucket's ARN
 * as the encryption context `aws:s3:arn`: https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html,
 * "Encryption context"), so no other key use; it reads its two parameters and writes its logs. It has
 * no write of any kind on the bucket, and no production database credential exists for it.
 */
export function refreshPermissions(input: RefreshPermissionsInput): PolicyDocument {
  return policyDocument(
    {
      Sid: "ListProductionBackups",
      Effect: "Allow",
      Action: "s3:ListBucket",
      Resource: bucketArn(input.sourceBucket),
      Condition: { StringLike: { "s3:prefix": [`${input.sourcePrefix}*`] } },
    },
    { Sid: "ReadProductionBackups", Effect: "Allow", Action: "s3:GetObject", Resource: backupObjectsArn(input.sourceBucket, input.sourcePrefix) },
    {
      Sid: "DecryptProductionBackupsThroughS3",
      Effect: "Allow",
      Action: "kms:Decrypt",
      Resource: `arn:aws:kms:${input.region}:${input.accountId}:key/*`,
      Condition: {
        StringEquals: { "kms:ViaService": `s3.${input.region}.amazonaws.com` },
        StringLike: { "kms:EncryptionContext:aws:s3:arn": [bucketArn(input.sourceBucket), `${backupObjectsArn(input.sourceBucket, input.sourcePrefix)}`] },
      },
    },
    { Sid: "ReadRefreshParameters", Effect: "Allow", Action: "ssm:GetParameters", Resource: input.parameterArns },
    {
      Sid: "WriteBuildLogs",
      Effect: "Allow",
      Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
      Resource: `arn:aws:logs:${input.region}:${input.accountId}:log-group:${input.logGroupName}:*`,
    },
  );
}
