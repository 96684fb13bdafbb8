import { Fixture, urnOf } from "./judge";

export const SHA = "8e5e7e5ab8b370d6c329ec480221332ada57f0ab";

/** The workflow files the program generates for the sample stack (test/policies/workflowFixtures.ts). */
export { deployProductionYaml, verifyYaml } from "./workflowFixtures";
import { deployProductionYaml, verifyYaml } from "./workflowFixtures";

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

function alarm(name: string, metricName: string, props: Record<string, unknown>, topic: string): Fixture {
  return {
    type: "aws:cloudwatch/metricAlarm:MetricAlarm",
    name,
    props: { metricName, namespace: "FlightPro/production", alarmActions: [`arn:aws:sns:us-east-1:123456789012:${topic}`], ...props },
    dependsOn: [topic],
  };
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
            requiredChecks: ["lint", "typecheck", "unit-tests", "build", "security-scan", "migration-reversibility", "performance-budgets"].map((context) => ({ context })),
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
    { type: "aws:sns/topic:Topic", name: "alerts-critical", props: { name: "flightpro-production-alerts-critical", kmsMasterKeyId: "alias/aws/sns" } },
    { type: "aws:sns/topic:Topic", name: "alerts-warning", props: { name: "flightpro-production-alerts-warning", kmsMasterKeyId: "alias/aws/sns" } },
    alarm("error-rate", "ErrorRate", { comparisonOperator: "GreaterThanThreshold", threshold: 2, period: 60, evaluationPeriods: 5, statistic: "Average" }, "alerts-critical"),
    alarm("api-latency", "ApiLatency", { comparisonOperator: "GreaterThanThreshold", threshold: 1, period: 60, evaluationPeriods: 10, extendedStatistic: "p95" }, "alerts-warning"),
    alarm("database-cpu", "DatabaseCPUUtilization", { comparisonOperator: "GreaterThanThreshold", threshold: 85, period: 60, evaluationPeriods: 30, statistic: "Average" }, "alerts-warning"),
    alarm("disk-used", "DiskUsedPercent", { comparisonOperator: "GreaterThanThreshold", threshold: 80, period: 300, evaluationPeriods: 1, statistic: "Maximum" }, "alerts-warning"),
    alarm("deployment-failed", "DeploymentFailed", { comparisonOperator: "GreaterThanOrEqualToThreshold", threshold: 1, period: 60, evaluationPeriods: 1, statistic: "Sum" }, "alerts-critical"),
    { type: "random:index/randomPassword:RandomPassword", name: "db-app-password", props: { length: 32, special: false } },
    {
      type: "postgresql:index/role:Role",
      name: "db-app",
      props: { name: "flightpro_app", login: true, superuser: false, createRole: false, createDatabase: false, password: "generated-by-random-32-chars", roles: [] },
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
      type: "github:index/repositoryFile:RepositoryFile",
      name: "workflow-verify",
      props: { repository: "flightpro", branch: "main", file: ".github/workflows/verify.yml", content: verifyYaml, commitMessage: "ci: verify.yml" },
    },
  ];
}

export { urnOf };
