import { readFileSync } from "node:fs";
import * as path from "node:path";

/**
 * Which AWS API calls (IAM actions) the provider makes for each resource type and data source the
 * stacks plan: JamesWoolfenden/pike's per-resource mapping (vendored in ../pike, see its README), by
 * the Terraform name @pulumi/aws bridges (pulumi/pulumi-aws provider/cmd/pulumi-resource-aws/bridge-metadata.json,
 * "renames"), with the corrections and additions below, each from the terraform-provider-aws source
 * (hashicorp/terraform-provider-aws, the v6 line @pulumi/aws 7 bridges) or AWS's documentation.
 *
 * What an entry says besides the pike file: how to fill the ARN formats of the resource types the calls
 * are authorised against (the Service Authorization Reference's variables: BucketName, RoleNameWithPath,
 * ...) from the planned inputs; which service a role passed with iam:PassRole goes to; and the request
 * context a call carries (kms:ViaService when a service calls KMS for the caller).
 *
 * A planned type, invoke or read with no entry here fails the sufficiency spec and names the entry to add.
 */

export interface Planned {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
  protect: boolean;
  retainOnDelete: boolean;
  region: string;
  account: string;
  /** A KMS key's id, as the engine knows it once the key exists. */
  keyId?: string;
}

/** Values of ARN-format variables (Region and Account default to the resource's). */
export type ArnValues = Record<string, string | undefined>;

export interface Correction {
  action: string;
  why: string;
  /** Only when this holds for the planned resource (default: always). */
  when?: (resource: Planned) => boolean;
}

export interface TypeEntry {
  /** The pike mapping file (under ../pike) of the Terraform type the Pulumi type bridges. */
  pike: string;
  /** ARN variables of the resource itself. */
  self: (resource: Planned) => ArnValues;
  /** ARN variables for other resource types its calls name (`service:resourceType` of the reference), e.g. the role a PassRole passes. */
  related?: Record<string, (resource: Planned) => ArnValues | undefined>;
  /** The service principal a role passed by iam:PassRole is passed to (iam:PassedToService). */
  passedTo?: string;
  /** Request context of some calls (kms:ViaService, encryption context), by action (lower case). */
  context?: (resource: Planned, action: string) => Record<string, string | string[]> | undefined;
  /** Actions pike lists that this provider does not call for this resource (or calls only when `when` holds). */
  drop?: Correction[];
  /** Actions the provider calls that pike does not list. */
  add?: Correction[];
  /** The service-linked role its service makes on first use (iam:CreateServiceLinkedRole). */
  serviceLinkedRole?: { service: string; roleName: string };
  /** Actions pike lists outside `destroy` that only deleting the resource calls. */
  deleteOnly?: string[];
}

const PIKE_DIR = path.join(__dirname, "..", "pike");

export interface PikeMapping {
  apply: string[];
  plan: string[];
  modify: string[];
  destroy: string[];
  attributes: Record<string, string[]>;
}

const pikeCache = new Map<string, PikeMapping | null>();

/** A pike mapping file: its single object, or null for a data source that calls nothing (`[]`). */
export function pikeMapping(file: string): PikeMapping | null {
  let mapping = pikeCache.get(file);
  if (mapping === undefined) {
    const parsed = JSON.parse(readFileSync(path.join(PIKE_DIR, file), "utf8")) as Partial<PikeMapping>[];
    const first = parsed[0];
    mapping = first
      ? { apply: first.apply ?? [], plan: first.plan ?? [], modify: first.modify ?? [], destroy: first.destroy ?? [], attributes: first.attributes ?? {} }
      : null;
    pikeCache.set(file, mapping);
  }
  return mapping;
}

const str = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);
const lastSegment = (arn: unknown, separator = ":"): string | undefined => str(arn)?.split(separator).pop();
/** `arn:aws:iam::<account>:role/<name>` → `<name>` (RoleNameWithPath). */
const roleOf = (arn: unknown): ArnValues | undefined => {
  const match = /^arn:aws:iam::\d{12}:role\/(.+)$/.exec(str(arn) ?? "");
  return match ? { RoleNameWithPath: match[1] } : undefined;
};
const keyOf = (arn: unknown): ArnValues | undefined => {
  const match = /^arn:aws:kms:([a-z0-9-]+):(\d{12}):key\/(.+)$/.exec(str(arn) ?? "");
  return match ? { Region: match[1], Account: match[2], KeyId: match[3] } : undefined;
};
const bucket = (resource: Planned): ArnValues => ({ BucketName: str(resource.inputs["bucket"]) });

/**
 * terraform-provider-aws v5 removed EC2-Classic, with it the provider's platform lookup
 * (ec2:DescribeAccountAttributes, `skip_get_ec2_platforms`: hashicorp/terraform-provider-aws#31155,
 * #30966); pulumi-aws dropped the setting (pulumi/pulumi-aws#2296). Pike's files recorded it from older runs.
 */
const NO_EC2_PLATFORMS: Correction = { action: "ec2:DescribeAccountAttributes", why: "EC2-Classic platform lookup, removed in terraform-provider-aws v5 (#31155)" };

/**
 * The AWS managed key of Parameter Store (`alias/aws/ssm`), which a SecureString without a KeyId uses. Its key
 * policy lets every principal of the account use it through Parameter Store
 * (https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#aws-managed-key: "the key policy for an
 * AWS managed key ... allows any principal in the account to use it, but only through the AWS service"; Parameter
 * Store: https://docs.aws.amazon.com/kms/latest/developerguide/services-parameter-store.html).
 */
export const SSM_MANAGED_KEY_ID = "aws-managed-aws-ssm";
export function ssmManagedKeyPolicy(account: string, region: string): object {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "AllowAccessThroughParameterStoreForAllPrincipalsInTheAccount",
        Effect: "Allow",
        Principal: { AWS: "*" },
        Action: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
        Resource: "*",
        Condition: { StringEquals: { "kms:CallerAccount": account, "kms:ViaService": `ssm.${region}.amazonaws.com` } },
      },
    ],
  };
}

function parameterArn(resource: Planned, name: string): string {
  return `arn:aws:ssm:${resource.region}:${resource.account}:parameter/${name.replace(/^\//, "")}`;
}

const S3_OBJECT_ACTIONS_ON_A_BUCKET = "internal/service/s3/bucket.go: resourceBucketCreate/Read read and write bucket configuration only (HeadBucket, GetBucket*), never an object";

export const RESOURCE_TYPES: Record<string, TypeEntry> = {
  "aws:s3/bucket:Bucket": {
    pike: "resource/s3/aws_s3_bucket.json",
    self: bucket,
    drop: ["s3:GetObject", "s3:GetObjectAcl", "s3:PutObject", "s3:PutObjectLegalHold", "s3:PutObjectRetention"].map((action) => ({ action, why: S3_OBJECT_ACTIONS_ON_A_BUCKET })),
  },
  "aws:s3/bucketOwnershipControls:BucketOwnershipControls": { pike: "resource/s3/aws_s3_bucket_ownership_controls.json", self: bucket },
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": { pike: "resource/s3/aws_s3_bucket_public_access_block.json", self: bucket },
  "aws:s3/bucketVersioning:BucketVersioning": { pike: "resource/s3/aws_s3_bucket_versioning.json", self: bucket },
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": { pike: "resource/s3/aws_s3_bucket_server_side_encryption_configuration.json", self: bucket },
  "aws:s3/bucketPolicy:BucketPolicy": { pike: "resource/s3/aws_s3_bucket_policy.json", self: bucket },
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": {
    pike: "resource/s3/aws_s3_bucket_lifecycle_configuration.json",
    self: bucket,
    // DeleteBucketLifecycle "To use this operation, you must have permission to perform the s3:PutLifecycleConfiguration action"
    // (https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucketLifecycle.html); nothing calls PutBucketLogging.
    drop: [{ action: "s3:PutBucketLogging", why: "deleting a lifecycle configuration is DeleteBucketLifecycle, authorised as s3:PutLifecycleConfiguration" }],
    add: [{ action: "s3:PutLifecycleConfiguration", why: "DeleteBucketLifecycle (S3 API reference)" }],
  },
  "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration": { pike: "resource/s3/aws_s3_bucket_object_lock_configuration.json", self: bucket, drop: [NO_EC2_PLATFORMS] },
  "aws:s3/bucketReplicationConfig:BucketReplicationConfig": {
    pike: "resource/s3/aws_s3_bucket_replication_configuration.json",
    self: bucket,
    related: { "iam:role": (resource) => roleOf(resource.inputs["role"]) },
    passedTo: "s3.amazonaws.com",
    drop: [NO_EC2_PLATFORMS],
  },
  "aws:kms/key:Key": {
    pike: "resource/kms/aws_kms_key.json",
    self: (resource) => ({ KeyId: resource.keyId }),
    // internal/service/kms/key.go resourceKeyDelete: ScheduleKeyDeletion is how a key is deleted (pike files it under modify).
    deleteOnly: ["kms:ScheduleKeyDeletion"],
  },
  "aws:kms/alias:Alias": {
    pike: "resource/kms/aws_kms_alias.json",
    self: (resource) => ({ Alias: str(resource.inputs["name"])?.replace(/^alias\//, ""), KeyId: str(resource.inputs["targetKeyId"]) }),
  },
  "aws:iam/role:Role": { pike: "resource/iam/aws_iam_role.json", self: (resource) => ({ RoleNameWithPath: str(resource.inputs["name"]) }) },
  "aws:iam/rolePolicy:RolePolicy": { pike: "resource/iam/aws_iam_role_policy.json", self: (resource) => ({ RoleNameWithPath: str(resource.inputs["role"]) }) },
  "aws:iam/policy:Policy": { pike: "resource/iam/aws_iam_policy.json", self: (resource) => ({ PolicyNameWithPath: str(resource.inputs["name"]) }) },
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment": { pike: "resource/iam/aws_iam_role_policy_attachment.json", self: (resource) => ({ RoleNameWithPath: str(resource.inputs["role"]) }) },
  "aws:iam/openIdConnectProvider:OpenIdConnectProvider": {
    pike: "resource/iam/aws_iam_openid_connect_provider.json",
    self: (resource) => ({ OidcProviderName: str(resource.inputs["url"])?.replace(/^https:\/\//, "") }),
    drop: [NO_EC2_PLATFORMS],
  },
  "aws:sns/topic:Topic": { pike: "resource/sns/aws_sns_topic.json", self: (resource) => ({ TopicName: str(resource.inputs["name"]) }) },
  "aws:sns/topicSubscription:TopicSubscription": { pike: "resource/sns/aws_sns_topic_subscription.json", self: (resource) => ({ TopicName: lastSegment(resource.inputs["topic"]) }) },
  "aws:sns/topicPolicy:TopicPolicy": { pike: "resource/sns/aws_sns_topic_policy.json", self: (resource) => ({ TopicName: lastSegment(resource.inputs["arn"]) }) },
  "aws:cloudwatch/metricAlarm:MetricAlarm": { pike: "resource/cloudwatch/aws_cloudwatch_metric_alarm.json", self: (resource) => ({ AlarmName: str(resource.inputs["name"]) }) },
  "aws:cloudwatch/logGroup:LogGroup": { pike: "resource/logs/aws_cloudwatch_log_group.json", self: (resource) => ({ LogGroupName: str(resource.inputs["name"]) }) },
  "aws:ssm/parameter:Parameter": {
    pike: "resource/ssm/aws_ssm_parameter.json",
    self: (resource) => ({ ParameterNameWithoutLeadingSlash: str(resource.inputs["name"])?.replace(/^\//, "") }),
    related: {
      // A SecureString is encrypted with its KeyId, or with Parameter Store's AWS managed key.
      "kms:key": (resource) => keyOf(resource.inputs["keyId"]) ?? { KeyId: SSM_MANAGED_KEY_ID },
    },
    // Parameter Store calls KMS with the caller's credentials, through ssm.<region>, with the parameter's ARN
    // as encryption context (https://docs.aws.amazon.com/kms/latest/developerguide/services-parameter-store.html).
    context: (resource, action) =>
      action.startsWith("kms:")
        ? {
            "kms:ViaService": `ssm.${resource.region}.amazonaws.com`,
            "kms:CallerAccount": resource.account,
            "kms:EncryptionContext:PARAMETER_ARN": parameterArn(resource, str(resource.inputs["name"]) ?? ""),
          }
        : undefined,
    // Only a SecureString is encrypted: "Parameter Store uses AWS KMS ... only for SecureString parameters" (same page).
    drop: ["kms:Encrypt", "kms:Decrypt"].map((action) => ({ action, why: "KMS is called for SecureString parameters only", when: (resource: Planned) => resource.inputs["type"] !== "SecureString" })),
  },
  "aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration": {
    pike: "resource/chatbot/aws_chatbot_slack_channel_configuration.json",
    self: (resource) => ({ ConfigurationType: "slack-channel", ChatbotConfigurationName: str(resource.inputs["configurationName"]) }),
    related: {
      // iam:PassRole passes the channel's role; iam:CreateServiceLinkedRole makes Chatbot's service-linked role
      // (https://docs.aws.amazon.com/chatbot/latest/adminguide/slr-permissions.html: AWSServiceRoleForAWSChatbot, trusted by
      // management.chatbot.amazonaws.com; "You must configure permissions to allow an IAM entity ... to create ... a service-linked role").
      "iam:role": (resource) => roleOf(resource.inputs["iamRoleArn"]),
    },
    passedTo: "chatbot.amazonaws.com",
    // internal/service/chatbot/slack_channel_configuration.go@2e60b4c8 calls Create/Describe/Update/DeleteSlackChannelConfiguration
    // (and the tag interceptor); the association APIs pike lists are for custom actions, which the resource does not manage.
    drop: ["chatbot:AssociateToConfiguration", "chatbot:DisassociateFromConfiguration", "chatbot:ListAssociations"].map((action) => ({
      action,
      why: "custom-action associations: slack_channel_configuration.go never calls them",
    })),
    serviceLinkedRole: { service: "management.chatbot.amazonaws.com", roleName: "AWSServiceRoleForAWSChatbot" },
  },
  "aws:lambda/function:Function": {
    pike: "resource/lambda/aws_lambda_function.json",
    self: (resource) => ({ FunctionName: str(resource.inputs["name"]) }),
    related: { "iam:role": (resource) => roleOf(resource.inputs["role"]) },
    passedTo: "lambda.amazonaws.com",
    drop: [
      NO_EC2_PLATFORMS,
      // internal/service/lambda/function.go: a function's delete waits for its network interfaces only with vpc_config.
      { action: "ec2:DescribeNetworkInterfaces", why: "only for a function in a VPC (vpc_config)", when: (resource) => resource.inputs["vpcConfig"] === undefined },
    ],
    // internal/service/lambda/function.go (as bootstrap/aws/programPermissions.ts reads it): update calls UpdateFunctionCode
    // and UpdateFunctionConfiguration; reserved concurrency is Put/DeleteFunctionConcurrency.
    add: [
      { action: "lambda:UpdateFunctionCode", why: "function.go resourceFunctionUpdate: a changed code archive" },
      { action: "lambda:UpdateFunctionConfiguration", why: "function.go resourceFunctionUpdate: changed settings (environment, timeout, role)" },
      { action: "lambda:PutFunctionConcurrency", why: "function.go: reserved_concurrent_executions", when: (resource) => resource.inputs["reservedConcurrentExecutions"] !== undefined },
      { action: "lambda:DeleteFunctionConcurrency", why: "function.go: reserved_concurrent_executions removed", when: (resource) => resource.inputs["reservedConcurrentExecutions"] !== undefined },
    ],
  },
  "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig": {
    pike: "resource/lambda/aws_lambda_function_event_invoke_config.json",
    // function_name is the function's name or ARN (the resource's ID parser takes either).
    self: (resource) => ({ FunctionName: lastSegment(resource.inputs["functionName"]) }),
    drop: [
      NO_EC2_PLATFORMS,
      // hashicorp/terraform-provider-aws@21d93134 internal/service/lambda/function_event_invoke_config.go: create and update both
      // call PutFunctionEventInvokeConfig; UpdateFunctionEventInvokeConfig is never called.
      { action: "lambda:UpdateFunctionEventInvokeConfig", why: "function_event_invoke_config.go updates with PutFunctionEventInvokeConfig" },
    ],
  },
  "aws:codebuild/project:Project": {
    pike: "resource/codebuild/aws_codebuild_project.json",
    self: (resource) => ({ ProjectName: str(resource.inputs["name"]) }),
    related: { "iam:role": (resource) => roleOf(resource.inputs["serviceRole"]) },
    passedTo: "codebuild.amazonaws.com",
  },
  "aws:scheduler/schedule:Schedule": {
    pike: "resource/scheduler/aws_scheduler_schedule.json",
    // A schedule without group_name is in group "default" (internal/service/scheduler/schedule.go).
    self: (resource) => ({ GroupName: str(resource.inputs["groupName"]) ?? "default", ScheduleName: str(resource.inputs["name"]) }),
    related: { "iam:role": (resource) => roleOf((resource.inputs["target"] as Record<string, unknown> | undefined)?.["roleArn"]) },
    passedTo: "scheduler.amazonaws.com",
  },
  "aws:cloudwatch/eventRule:EventRule": { pike: "resource/events/aws_cloudwatch_event_rule.json", self: (resource) => ({ RuleName: str(resource.inputs["name"]) }) },
  "aws:cloudwatch/eventTarget:EventTarget": { pike: "resource/events/aws_cloudwatch_event_target.json", self: (resource) => ({ RuleName: str(resource.inputs["rule"]) }) },
  "aws:cloudtrail/trail:Trail": { pike: "resource/cloudtrail/aws_cloudtrail.json", self: (resource) => ({ TrailName: str(resource.inputs["name"]) }) },
};

/** Pulumi types that make no AWS call (components, other providers' resources are judged elsewhere). */
export function isAwsResource(type: string): boolean {
  return type.startsWith("aws:");
}

export interface InvokeEntry {
  pike: string;
  /** ARN variables of what the data source reads, from the invoke's arguments. */
  self: (args: Record<string, unknown>, region: string, account: string) => ArnValues;
  /** Why a data source pike lists as calling nothing needs no permission. */
  why?: string;
}

export const INVOKES: Record<string, InvokeEntry> = {
  // sts:GetCallerIdentity: "No permissions are required to perform this operation"
  // (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html); pike lists no action.
  "aws:index/getCallerIdentity:getCallerIdentity": { pike: "data/misc/aws_caller_identity.json", self: () => ({}), why: "GetCallerIdentity needs no permission" },
  "aws:index/getRegion:getRegion": { pike: "data/misc/aws_region.json", self: () => ({}), why: "the provider's configured region: no call" },
  "aws:index/getPartition:getPartition": { pike: "data/misc/aws_partition.json", self: () => ({}), why: "the provider's partition: no call" },
  // GetParametersByPath "authorizes against the path in the request rather than against the parameters it returns"
  // (https://docs.aws.amazon.com/systems-manager/latest/userguide/ps-retrieval-authorization.html).
  "aws:ssm/getParametersByPath:getParametersByPath": {
    pike: "data/ssm/aws_ssm_parameters_by_path.json",
    self: (args) => ({ ParameterNameWithoutLeadingSlash: str(args["path"])?.replace(/^\//, "") }),
  },
};

/** Packages whose resources and invokes call other APIs than AWS's (GitHub, Vercel, PostgreSQL, ...): no AWS call. */
export function callsAws(token: string): boolean {
  return token.startsWith("aws:");
}
