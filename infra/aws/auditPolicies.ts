import { OidcSubjectIds, environmentSubject } from "../github/oidcSubject";
import { AuditSettings } from "../config/schema";
import { PolicyDocument, PolicyStatement, accountRootStatement, policyDocument } from "./policyDocument";

/**
 * The audit log's documents as plain data: who may assume the deploy role, what it may do,
 * what the bucket refuses, and how long records live. Pure, so tests read them without mocks.
 */

export const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";
export const GITHUB_OIDC_URL = `https://${GITHUB_OIDC_HOST}`;
export const GITHUB_OIDC_AUDIENCE = "sts.amazonaws.com";

export function bucketArn(bucketName: string): string {
  return `arn:aws:s3:::${bucketName}`;
}

/** Where deploy jobs write records: `arn:aws:s3:::<bucket>/<prefix>*`. */
export function recordsArn(bucketName: string, prefix: string): string {
  return `${bucketArn(bucketName)}/${prefix}*`;
}

/** The OIDC subject of one repository's deploy jobs for one GitHub deployment environment (the name form, or the immutable one with ids). */
export function deploySubject(owner: string, repository: string, environment: string, ids?: OidcSubjectIds): string {
  return environmentSubject(owner, repository, ids, environment);
}

/** Only GitHub's tokens for exactly this subject, for the STS audience the official action asks for: exact subject and audience, no wildcard. */
export function githubOidcTrustPolicy(providerArn: string, subject: string, sid: string): PolicyDocument {
  if (/[*?]/.test(subject)) throw new Error(`an OIDC subject must be exact (got ${JSON.stringify(subject)})`);
  return policyDocument({
    Sid: sid,
    Effect: "Allow",
    Principal: { Federated: providerArn },
    Action: "sts:AssumeRoleWithWebIdentity",
    Condition: {
      StringEquals: {
        [`${GITHUB_OIDC_HOST}:aud`]: GITHUB_OIDC_AUDIENCE,
        [`${GITHUB_OIDC_HOST}:sub`]: subject,
      },
    },
  });
}

/** Only the deploy jobs of this repository's environment may assume the role. */
export function deployRoleTrustPolicy(providerArn: string, subject: string): PolicyDocument {
  return githubOidcTrustPolicy(providerArn, subject, "GithubDeployJobsOfOneEnvironment");
}

export interface DeployRolePermissionsInput {
  bucketName: string;
  prefix: string;
  auditKeyArn: string;
  /** The topics deploy jobs announce to: info (successful deployment) and critical (failed deployment). */
  topicArns: string[];
  /** The key the alert topics are encrypted with; publishing to an encrypted topic needs it, through SNS only. */
  topicKeyArn: string;
  region: string;
  /** The CloudWatch namespace of the stack's alert metrics: the deploy jobs publish DeploymentFailed there, nowhere else. */
  metricsNamespace: string;
  /** The post-deployment watch's record (an SSM String parameter's ARN) the production deploy writes, when the stack watches deploys. */
  watchRecordParameterArn?: string;
}

/**
 * The deploy role writes audit records, announces deployments and reports failed ones as a metric;
 * it cannot read, list, delete or change anything. PutMetricData has no resource-level
 * permissions (its Resource is always "*"): the `cloudwatch:namespace` condition is the bound.
 */
export function deployRolePermissions(input: DeployRolePermissionsInput): PolicyDocument {
  return policyDocument(
    { Sid: "WriteAuditRecords", Effect: "Allow", Action: "s3:PutObject", Resource: recordsArn(input.bucketName, input.prefix) },
    { Sid: "EncryptAuditRecords", Effect: "Allow", Action: ["kms:GenerateDataKey", "kms:Encrypt"], Resource: input.auditKeyArn },
    { Sid: "AnnounceDeployments", Effect: "Allow", Action: "sns:Publish", Resource: input.topicArns },
    {
      Sid: "PublishToEncryptedTopics",
      Effect: "Allow",
      Action: ["kms:GenerateDataKey", "kms:Decrypt"],
      Resource: input.topicKeyArn,
      Condition: { StringEquals: { "kms:ViaService": `sns.${input.region}.amazonaws.com` } },
    },
    {
      Sid: "ReportFailedDeployments",
      Effect: "Allow",
      Action: "cloudwatch:PutMetricData",
      Resource: "*",
      Condition: { StringEquals: { "cloudwatch:namespace": input.metricsNamespace } },
    },
    ...(input.watchRecordParameterArn === undefined
      ? []
      : [{ Sid: "StartThePostDeploymentWatch", Effect: "Allow" as const, Action: "ssm:PutParameter", Resource: input.watchRecordParameterArn }]),
  );
}

/**
 * The audit key: administered by the account, so only IAM policies grant its use (the deploy
 * role's, for encrypting records). S3 calls KMS with the writer's own credentials.
 */
export function auditKeyPolicy(accountId: string): PolicyDocument {
  return policyDocument(accountRootStatement(accountId));
}

/** The bucket refuses plain-HTTP access of any kind and the deletion of any record or record version. */
export function auditBucketPolicy(bucketName: string): PolicyDocument {
  const bucket = bucketArn(bucketName);
  const statements: PolicyStatement[] = [
    {
      Sid: "DenyInsecureTransport",
      Effect: "Deny",
      Principal: "*",
      Action: "s3:*",
      Resource: [bucket, `${bucket}/*`],
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    },
    {
      Sid: "DenyRecordDeletion",
      Effect: "Deny",
      Principal: "*",
      Action: ["s3:DeleteObject", "s3:DeleteObjectVersion"],
      Resource: `${bucket}/*`,
    },
  ];
  return policyDocument(...statements);
}

export interface LifecycleRule {
  id: string;
  status: "Enabled";
  filter: { prefix: string };
  transitions?: { days: number; storageClass: "GLACIER" }[];
  expiration: { days: number };
  noncurrentVersionExpiration: { noncurrentDays: number };
  abortIncompleteMultipartUpload: { daysAfterInitiation: number };
}

/**
 * Records move to Glacier after `glacierAfterDays` (only when that is before they expire) and
 * expire when their retention ends, never before: current versions after the retention days,
 * and versions superseded early only a full retention period after that.
 */
export function auditLifecycleRules(audit: AuditSettings): LifecycleRule[] {
  const retentionDays = audit.retention.days;
  const rule: LifecycleRule = {
    id: "archive-then-expire-after-retention",
    status: "Enabled",
    filter: { prefix: audit.prefix },
    expiration: { days: retentionDays },
    noncurrentVersionExpiration: { noncurrentDays: retentionDays },
    abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
  };
  if (audit.glacierAfterDays < retentionDays) rule.transitions = [{ days: audit.glacierAfterDays, storageClass: "GLACIER" }];
  return [rule];
}
