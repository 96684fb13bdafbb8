import { Fixture, urnOf } from "./judge";

export const SHA = "8e5e7e5ab8b370d6c329ec480221332ada57f0ab";

/** The workflow files the program generates for the sample stack (test/policies/workflowFixtures.ts). */
export { deployProductionYaml, deployStagingYaml, verifyYaml } from "./workflowFixtures";
import { deployProductionYaml, deployStagingYaml, verifyYaml } from "./workflowFixtures";
import { recoveryFixtures } from "./recoveryFixtures";
import { reminderFixtures } from "./reminderFixtures";
import { bridgeStack } from "./bridgeFixtures";

const auditPolicy = JSON.stringify({
  Version: "2012-10-17",
  Statement: [
    {
      Sid: "DenyInsecureTransport",
      Effect: "Deny",
      Principal: "*",
      Action: "s3:*",
      Resource: ["arn:aws:s3:::flightpro-deploy-audit-production", "arn:aws:s3:::flightpro-deploy-audit-production/*"],
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    },
  ],
});

export const trustPolicy = {
  Version: "2012-10-17",
  Statement: [
    {
      Effect: "Allow",
      Principal: { Federated: "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" },
      Action: "sts:AssumeRoleWithWebIdentity",
      Condition: {
        StringEquals: {
          "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
          "token.actions.githubusercontent.com:sub": "repo:flightpro/flightpro:environment:production",
        },
      },
    },
  ],
};

/** An SNS topic's ARN as the stack's topic `alerts-<severity>` outputs it. */
export function topicArn(topic: string): string {
  return `arn:aws:sns:us-east-1:123456789012:flightpro-production-${topic}`;
}

function alarm(name: string, metricName: string, props: Record<string, unknown>, topic: string): Fixture {
  return {
    type: "aws:cloudwatch/metricAlarm:MetricAlarm",
    name,
    props: { metricName, namespace: "FlightPro/production", alarmActions: [topicArn(topic)], ...props },
    dependsOn: [topic],
  };
}

/** The alert topics' key: the account administers it; CloudWatch (publishing alarms) and SNS may use it. */
export const alertsKeyPolicy = {
  Version: "2012-10-17",
  Statement: [
    { Sid: "AccountAdministersKey", Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "kms:*", Resource: "*" },
    { Sid: "CloudWatchAlarmsPublishEncrypted", Effect: "Allow", Principal: { Service: "cloudwatch.amazonaws.com" }, Action: ["kms:Decrypt", "kms:GenerateDataKey*"], Resource: "*" },
    { Sid: "SnsDeliversEncrypted", Effect: "Allow", Principal: { Service: "sns.amazonaws.com" }, Action: ["kms:Decrypt", "kms:GenerateDataKey*"], Resource: "*" },
  ],
};

/** The alert channels: a key, the topics, PagerDuty on critical, Chatbot (read-only) posting warning to Slack. */
function alertChannels(): Fixture[] {
  const topic = (severity: string): Fixture => ({
    type: "aws:sns/topic:Topic",
    name: `alerts-${severity}`,
    props: { name: `flightpro-production-alerts-${severity}`, kmsMasterKeyId: "arn:aws:kms:us-east-1:123456789012:key/alerts" },
    dependsOn: ["alerts-key"],
  });
  return [
    { type: "aws:kms/key:Key", name: "alerts-key", props: { description: "alert topics", enableKeyRotation: true, policy: JSON.stringify(alertsKeyPolicy) } },
    topic("critical"),
    topic("warning"),
    {
      type: "aws:sns/topicSubscription:TopicSubscription",
      name: "alerts-critical-pagerduty",
      props: { topic: topicArn("alerts-critical"), protocol: "https", endpoint: "https://events.pagerduty.com/integration/0123456789abcdef/enqueue", endpointAutoConfirms: true },
      dependsOn: ["alerts-critical"],
    },
    {
      type: "aws:iam/role:Role",
      name: "alerts-chatbot",
      props: {
        name: "flightpro-production-alerts-chatbot",
        assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "chatbot.amazonaws.com" }, Action: "sts:AssumeRole" }] }),
      },
    },
    {
      type: "aws:iam/rolePolicy:RolePolicy",
      name: "alerts-chatbot-read",
      props: {
        role: "flightpro-production-alerts-chatbot",
        name: "read-alarm-details",
        policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["cloudwatch:Describe*", "cloudwatch:Get*", "cloudwatch:List*"], Resource: "*" }] }),
      },
      dependsOn: ["alerts-chatbot"],
    },
    {
      type: "aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration",
      name: "alerts-slack-alerts",
      props: {
        configurationName: "flightpro-production-alerts-slack-alerts",
        slackTeamId: "T0FLIGHTPRO",
        slackChannelId: "C0ALERTS01",
        iamRoleArn: "arn:aws:iam::123456789012:role/flightpro-production-alerts-chatbot",
        guardrailPolicyArns: ["arn:aws:iam::aws:policy/CloudWatchReadOnlyAccess"],
        snsTopicArns: [topicArn("alerts-warning")],
      },
      dependsOn: ["alerts-warning", "alerts-chatbot"],
    },
  ];
}

/** A production stack that every policy accepts (at IN_WINDOW, with default settings). */
export function validStack(): Fixture[] {
  const auditBucket = { type: "aws:s3/bucket:Bucket", name: "flightpro-production-audit-bucket" };
  return [
    {
      type: "github:index/repositoryRuleset:RepositoryRuleset",
      name: "main-ruleset",
      props: {
        name: "flightdeck-main",
        repository: "flightpro",
        target: "branch",
        enforcement: "active",
        conditions: { refName: { includes: ["refs/heads/main"], excludes: [] } },
        bypassActors: [{ actorType: "Integration", actorId: 918273, bypassMode: "always" }],
        rules: {
          deletion: true,
          nonFastForward: true,
          pullRequest: { requiredApprovingReviewCount: 1, dismissStaleReviewsOnPush: true, requireLastPushApproval: true },
          requiredStatusChecks: {
            strictRequiredStatusChecksPolicy: true,
            // Bound to GitHub Actions (integration 15368), as the stack declares them.
            requiredChecks: ["lint", "typecheck", "unit-tests", "build", "security-scan", "migration-reversibility", "performance-budgets"].map((context) => ({ context, integrationId: 15368 })),
          },
        },
      },
    },
    {
      type: "github:index/repositoryEnvironment:RepositoryEnvironment",
      name: "production-environment",
      props: {
        repository: "flightpro",
        environment: "production",
        deploymentBranchPolicy: { customBranchPolicies: true, protectedBranches: false },
        reviewers: [{ users: [41234567], teams: [7654321] }],
        preventSelfReview: true,
        canAdminsBypass: false,
        waitTimer: 0,
      },
    },
    {
      type: "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy",
      name: "production-branch-policy",
      props: { repository: "flightpro", environment: "production", branchPattern: "main" },
      dependsOn: ["production-environment"],
    },
    {
      type: "github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable",
      name: "var-AUDIT_BUCKET",
      props: { repository: "flightpro", environment: "production", variableName: "AUDIT_BUCKET", value: "flightpro-deploy-audit-production" },
    },
    {
      type: "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret",
      name: "secret-VERCEL_TOKEN",
      props: { repository: "flightpro", environment: "production", secretName: "VERCEL_TOKEN", value: "vercel_live_token_value" },
    },
    {
      type: "vercel:index/projectEnvironmentVariable:ProjectEnvironmentVariable",
      name: "env-STRIPE_SECRET_KEY",
      props: { projectId: "prj_1", key: "STRIPE_SECRET_KEY", value: "sk_live_51Habcdefghijklmnop", targets: ["production"], sensitive: true },
    },
    {
      type: "vercel:index/projectEnvironmentVariable:ProjectEnvironmentVariable",
      name: "env-NEXT_PUBLIC_API_URL",
      props: { projectId: "prj_1", key: "NEXT_PUBLIC_API_URL", value: "https://api.flightpro.com", targets: ["production"], sensitive: false },
    },
    ...Object.entries({ STRIPE_MODE: "live", FEATURE_FLAGS_UNRELEASED: "false", LOG_LEVEL: "info", RATE_LIMIT_PER_MINUTE: "120" }).map(([key, value]) => ({
      type: "vercel:index/projectEnvironmentVariable:ProjectEnvironmentVariable",
      name: `runtime-${key}`,
      props: { projectId: "prj_1", key, value, targets: ["production"], sensitive: false, comment: "production runtime setting, managed by flightdeck (not a secret)" },
    })),
    {
      type: "aws:ssm/parameter:Parameter",
      name: "rotation-STRIPE_SECRET_KEY",
      props: {
        name: "/flightdeck/flightpro/production/secret-rotation/STRIPE_SECRET_KEY",
        type: "String",
        tags: { "flightdeck:secret-rotation": "true" },
        insecureValue: JSON.stringify({ name: "STRIPE_SECRET_KEY", kind: "api-key", periodDays: 90, lastRotated: "2026-10-05", destinations: { vercel: true } }),
      },
    },
    {
      type: "aws:ssm/parameter:Parameter",
      name: "rotation-VERCEL_TOKEN",
      props: {
        name: "/flightdeck/flightpro/production/secret-rotation/VERCEL_TOKEN",
        type: "String",
        tags: { "flightdeck:secret-rotation": "true" },
        insecureValue: JSON.stringify({ name: "VERCEL_TOKEN", kind: "token", periodDays: 90, lastRotated: "2026-10-20", destinations: { githubEnvironment: true } }),
      },
    },
    { ...auditBucket, props: { bucket: "flightpro-deploy-audit-production", objectLockEnabled: true, forceDestroy: false }, protect: true },
    { type: "aws:kms/key:Key", name: "flightpro-production-audit-key", props: { description: "audit records", enableKeyRotation: true }, protect: true },
    {
      type: "aws:s3/bucketVersioning:BucketVersioning",
      name: "audit-versioning",
      props: { bucket: "flightpro-deploy-audit-production", versioningConfiguration: { status: "Enabled" } },
    },
    {
      type: "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
      name: "audit-lock",
      props: { bucket: "flightpro-deploy-audit-production", rule: { defaultRetention: { mode: "COMPLIANCE", days: 2557 } } },
    },
    {
      type: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
      name: "audit-encryption",
      props: {
        bucket: "flightpro-deploy-audit-production",
        rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: "arn:aws:kms:us-east-1:123456789012:key/1" }, bucketKeyEnabled: true }],
      },
      dependsOn: ["flightpro-production-audit-key"],
    },
    {
      type: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
      name: "audit-public-access",
      props: { bucket: "flightpro-deploy-audit-production", blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
    },
    { type: "aws:s3/bucketPolicy:BucketPolicy", name: "audit-policy", props: { bucket: "flightpro-deploy-audit-production", policy: auditPolicy } },
    {
      type: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
      name: "audit-lifecycle",
      props: {
        bucket: "flightpro-deploy-audit-production",
        rules: [{ id: "glacier", status: "Enabled", transitions: [{ days: 90, storageClass: "GLACIER" }], expiration: { days: 2600 } }],
      },
    },
    {
      type: "aws:iam/role:Role",
      name: "deploy-audit-role",
      props: { name: "flightpro-production-deploy-audit", assumeRolePolicy: JSON.stringify(trustPolicy) },
    },
    ...alertChannels(),
    alarm("error-rate", "ErrorRate", { comparisonOperator: "GreaterThanThreshold", threshold: 2, period: 60, evaluationPeriods: 5, statistic: "Average" }, "alerts-critical"),
    alarm("api-latency", "ApiLatency", { comparisonOperator: "GreaterThanThreshold", threshold: 1, period: 60, evaluationPeriods: 10, extendedStatistic: "p95" }, "alerts-warning"),
    alarm("database-cpu", "DatabaseCPUUtilization", { comparisonOperator: "GreaterThanThreshold", threshold: 85, period: 60, evaluationPeriods: 30, statistic: "Average" }, "alerts-warning"),
    alarm("disk-used", "DiskUsedPercent", { comparisonOperator: "GreaterThanThreshold", threshold: 80, period: 300, evaluationPeriods: 1, statistic: "Maximum" }, "alerts-warning"),
    alarm("deployment-failed", "DeploymentFailed", { comparisonOperator: "GreaterThanOrEqualToThreshold", threshold: 1, period: 60, evaluationPeriods: 1, statistic: "Sum" }, "alerts-critical"),
    { type: "random:index/randomPassword:RandomPassword", name: "db-app-password", props: { length: 32, special: false } },
    {
      type: "postgresql:index/role:Role",
      name: "db-app",
      props: { name: "flightpro_app", login: true, superuser: false, createRole: false, createDatabase: false, connectionLimit: 20, password: "generated-by-random-32-chars", roles: [] },
      dependsOn: ["db-app-password"],
    },
    { type: "postgresql:index/role:Role", name: "db-owner", props: { name: "flightpro_owner", login: false, roles: [] } },
    {
      type: "postgresql:index/grant:Grant",
      name: "db-app-tables",
      props: { database: "flightpro", role: "flightpro_app", schema: "public", objectType: "table", privileges: ["SELECT", "INSERT", "UPDATE", "DELETE"] },
    },
    {
      type: "postgresql:index/defaultPrivileges:DefaultPrivileges",
      name: "db-app-default-tables",
      props: { database: "flightpro", role: "flightpro_app", owner: "flightpro_owner", schema: "public", objectType: "table", privileges: ["SELECT", "INSERT", "UPDATE", "DELETE"] },
    },
    {
      type: "github:index/repositoryFile:RepositoryFile",
      name: "workflow-deploy-production",
      props: { repository: "flightpro", branch: "main", file: ".github/workflows/deploy-production.yml", content: deployProductionYaml, commitMessage: "ci: deploy-production.yml" },
    },
    {
      // The staging-prod model's production stack commits the staging pipeline too (runtime-production-keeps-staging).
      type: "github:index/repositoryFile:RepositoryFile",
      name: "workflow-deploy-staging",
      props: { repository: "flightpro", branch: "main", file: ".github/workflows/deploy-staging.yml", content: deployStagingYaml, commitMessage: "ci: deploy-staging.yml" },
    },
    {
      type: "github:index/repositoryFile:RepositoryFile",
      name: "workflow-verify",
      props: { repository: "flightpro", branch: "main", file: ".github/workflows/verify.yml", content: verifyYaml, commitMessage: "ci: verify.yml" },
    },
    ...recoveryFixtures(),
    ...reminderFixtures(),
    ...bridgeStack(),
  ];
}

export { urnOf };
