/**
 * Names shared by the stack and the workflow files it commits: the GitHub environment
 * variables the stack sets (plain, not secret) and the environment secrets the deploy jobs read.
 * The workflows reference them as `${{ vars.X }}` / `${{ secrets.X }}`, never by value.
 */
export const deployVariables = {
  awsRegion: "AWS_REGION",
  auditRoleArn: "AUDIT_ROLE_ARN",
  auditBucket: "AUDIT_BUCKET",
  auditPrefix: "AUDIT_PREFIX",
  criticalTopicArn: "ALERTS_CRITICAL_TOPIC_ARN",
  infoTopicArn: "ALERTS_INFO_TOPIC_ARN",
  /** The CloudWatch namespace of the stack's alert metrics (the audit step publishes DeploymentFailed there). */
  metricsNamespace: "METRICS_NAMESPACE",
  webUrl: "WEB_URL",
  apiUrl: "API_URL",
  vercelTeamId: "VERCEL_TEAM_ID",
  vercelProject: "VERCEL_PROJECT",
  railwayProject: "RAILWAY_PROJECT",
  railwayService: "RAILWAY_SERVICE",
  railwayEnvironment: "RAILWAY_ENVIRONMENT",
  /** The rotated credentials the app's values carry (infra/secrets/runtimeCredentials.ts): JSON, dates only. */
  runtimeRotations: "RUNTIME_ROTATIONS",
} as const;

export const deploySecrets = {
  vercelToken: "VERCEL_TOKEN",
  railwayToken: "RAILWAY_TOKEN",
  migrationDatabaseUrl: "MIGRATION_DATABASE_URL",
} as const;

/** The `rotation` register: one SSM parameter per managed secret, so policies can judge rotation dates. */
export const rotationRegister = {
  parameterPrefix: (product: string, environment: string) => `/flightdeck/${product}/${environment}/secret-rotation/`,
  tagKey: "flightdeck:secret-rotation",
} as const;

/**
 * What the running app carries: each successful deploy (and rollback) records, in this SSM String parameter
 * (dates, never a value), the rotated credentials its release holds (RUNTIME_ROTATIONS at deploy time), so
 * anyone can compare what the app carries with what the stack placed (docs/operations.md; the rotation
 * reminder does not read it yet).
 */
export const deployedCredentials = {
  parameter: (product: string, environment: string) => `/flightdeck/${product}/${environment}/deployed-credentials`,
} as const;
