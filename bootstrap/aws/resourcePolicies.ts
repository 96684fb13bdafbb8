import { PolicyDocument, PolicyStatement, policyDocument } from "../../infra/aws/policyDocument";
import { StackLocation, bucketArn, objectArn, stackWriteArns } from "./stateLayout";

/** Deny everything without TLS, the statement AWS documents (S3 User Guide, "Enforce encryption in transit"). */
function denyInsecureTransport(bucket: string): PolicyStatement {
  return {
    Sid: "DenyInsecureTransport",
    Effect: "Deny",
    Principal: "*",
    Action: "s3:*",
    Resource: [bucketArn(bucket), objectArn(bucket, "*")],
    Condition: { Bool: { "aws:SecureTransport": "false" } },
  };
}

export interface StackWriters {
  location: StackLocation;
  /** The only roles that may write or delete this stack's state objects. */
  writers: string[];
}

/**
 * The state bucket's policy: TLS only, and each stack's state objects writable only by its writers,
 * whoever else in the account has S3 permissions. An explicit Deny wins over any Allow
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html), and for a
 * role session `aws:PrincipalArn` is the role's ARN, not the session's
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn).
 */
export function stateBucketPolicy(bucket: string, stacks: readonly StackWriters[]): PolicyDocument {
  return policyDocument(
    denyInsecureTransport(bucket),
    ...stacks.map(({ location, writers }) => ({
      Sid: `OnlyPipelineWrites${location.stack.replace(/[^A-Za-z0-9]/g, "")}State`,
      Effect: "Deny" as const,
      Principal: "*" as const,
      Action: ["s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion", "s3:PutObjectAcl", "s3:PutObjectRetention", "s3:PutObjectLegalHold"],
      Resource: stackWriteArns(bucket, location),
      Condition: { ArnNotEquals: { "aws:PrincipalArn": [...writers] } },
    })),
  );
}

/**
 * The trail bucket's policy as CloudTrail needs it: it checks the bucket ACL and writes log files under
 * AWSLogs/<account>/ with bucket-owner-full-control, only for this trail (aws:SourceArn)
 * (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html).
 */
export function trailBucketPolicy(bucket: string, account: string, trailArn: string): PolicyDocument {
  return policyDocument(
    denyInsecureTransport(bucket),
    {
      Sid: "CloudTrailChecksAcl",
      Effect: "Allow",
      Principal: { Service: "cloudtrail.amazonaws.com" },
      Action: "s3:GetBucketAcl",
      Resource: bucketArn(bucket),
      Condition: { StringEquals: { "aws:SourceArn": trailArn } },
    },
    {
      Sid: "CloudTrailWritesLogs",
      Effect: "Allow",
      Principal: { Service: "cloudtrail.amazonaws.com" },
      Action: "s3:PutObject",
      Resource: objectArn(bucket, `AWSLogs/${account}/*`),
      Condition: { StringEquals: { "s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": trailArn } },
    },
  );
}

/** Only the break-glass rule may publish to the alert topic (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html#eb-sns-permissions). */
export function alertTopicPolicy(topicArn: string, ruleArn: string): PolicyDocument {
  return policyDocument({
    Sid: "BreakGlassRulePublishes",
    Effect: "Allow",
    Principal: { Service: "events.amazonaws.com" },
    Action: "sns:Publish",
    Resource: topicArn,
    Condition: { ArnEquals: { "aws:SourceArn": ruleArn } },
  });
}

/**
 * Every AssumeRole of the break-glass role, as CloudTrail delivers it to EventBridge: source `aws.sts`,
 * detail-type "AWS API Call via CloudTrail", eventSource `sts.amazonaws.com`
 * (https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-sts.html), with the role in the
 * request's `roleArn` (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html#API_AssumeRole_RequestParameters).
 */
export function assumedRolePattern(roleArn: string): Record<string, unknown> {
  return {
    source: ["aws.sts"],
    "detail-type": ["AWS API Call via CloudTrail"],
    detail: { eventSource: ["sts.amazonaws.com"], eventName: ["AssumeRole"], requestParameters: { roleArn: [roleArn] } },
  };
}
