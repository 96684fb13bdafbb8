import { drillRegister } from "../../infra/backup/contract";
import { buildspec, renderBuildspec } from "../../infra/backup/buildspec";
import { postgresPackages } from "../../infra/backup/buildImage";
import { backupBucketPolicy, backupKeyPolicy, backupLifecycleRules, drillPermissions, schedulerPermissions, serviceTrustPolicy, writerPermissions } from "../../infra/backup/documents";
import { objectiveTags } from "../../infra/backup/drillRegister";
import { recoveryAlarmSpecs } from "../../infra/backup/recoveryAlarms";
import { backupScheduleExpression, drillBudgetSeconds, drillScheduleExpression } from "../../infra/backup/recoveryJobs";
import { BACKUP_SCRIPT, DRILL_SCRIPT } from "../../infra/backup/scripts";
import { disasterRecovery } from "../../infra/backup/settings";
import type { Fixture } from "./judge";

/**
 * The production stack's disaster recovery as the pack receives it, built with the program's own
 * pure builders (infra/backup): the backup bucket and its key, the writer, drill and scheduler roles,
 * the two CodeBuild projects and their schedules, the alarms on the stack's topics, the drill register
 * (the drill passed the day before the specs' clock, IN_WINDOW) and the backup database role.
 */
export const ACCOUNT = "123456789012";
export const BACKUP_BUCKET = "flightpro-db-backups-production";
export const NAMESPACE = "FlightPro/production";
export const REGISTER = drillRegister.parameterName("flightpro", "production");
const KEY_ARN = `arn:aws:kms:us-east-1:${ACCOUNT}:key/backups`;
const JOBS = "flightpro-production-dr-jobs";

export const recoverySettings = disasterRecovery.parse({
  backups: { bucketName: BACKUP_BUCKET, protect: true, connection: { via: "public", host: "ballast.proxy.rlwy.net", port: 41822 } },
  drill: { tables: [{ name: "users" }, { name: "flights" }] },
  platforms: { netlify: { siteName: "flightpro-web-production" }, fly: { app: "flightpro-api-production" } },
  runbook: { statusPageUrl: "https://status.flightpro.com", roles: { incidentCommander: "maria-chen", communications: "sam-rivera", platform: "dev-okafor", database: "maria-chen" } },
});

/** A drill record that passed at `lastPassed`. */
export function passedRecord(lastPassed: string, recoverySeconds = 612): string {
  return JSON.stringify({
    status: "passed",
    lastRun: lastPassed,
    lastPassed,
    recoverySeconds,
    backupKey: "postgres/2026/11/09/20261109T061500Z.dump",
    migrationHead: "0002_waitlist",
    rowCounts: { "public.users": 40, "public.flights": 250 },
    rpoMinutes: 60,
    rtoMinutes: 240,
    budgetSeconds: 3600,
  });
}

const json = (value: unknown) => JSON.stringify(value);
const roleArn = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;

export function recoveryFixtures(): Fixture[] {
  const settings = recoverySettings;
  const context = { accountId: ACCOUNT, region: "us-east-1", logGroupName: `/flightdeck/${JOBS}`, metricsNamespace: NAMESPACE };
  const role = (suffix: string, service: string): Fixture => ({
    type: "aws:iam/role:Role",
    name: `dr-${suffix}`,
    props: { name: `${JOBS}-${suffix}`, assumeRolePolicy: json(serviceTrustPolicy(service, ACCOUNT)), maxSessionDuration: 3600 },
  });
  const rolePolicy = (suffix: string, document: unknown): Fixture => ({
    type: "aws:iam/rolePolicy:RolePolicy",
    name: `dr-${suffix}-permissions`,
    props: { role: `${JOBS}-${suffix}`, name: suffix, policy: json(document) },
    dependsOn: [`dr-${suffix}`],
  });
  const project = (suffix: string, projectName: string, script: string, server: boolean, variables: Record<string, string>): Fixture => ({
    type: "aws:codebuild/project:Project",
    name: `dr-${suffix}`,
    props: {
      name: projectName,
      serviceRole: roleArn(`${JOBS}-${suffix === "backup" ? "writer" : "drill"}`),
      artifacts: { type: "NO_ARTIFACTS" },
      environment: {
        computeType: "BUILD_GENERAL1_SMALL",
        image: "aws/codebuild/amazonlinux-x86_64-standard:5.0",
        type: "LINUX_CONTAINER",
        environmentVariables: Object.entries(variables).map(([name, value]) => ({ name, type: "PLAINTEXT", value })),
      },
      source: { type: "NO_SOURCE", buildspec: renderBuildspec(buildspec(script, postgresPackages(15, { server }))) },
    },
    dependsOn: [`dr-${suffix === "backup" ? "writer" : "drill"}`],
  });
  const schedule = (suffix: string, projectName: string, expression: string): Fixture => ({
    type: "aws:scheduler/schedule:Schedule",
    name: `dr-${suffix}-schedule`,
    props: {
      name: projectName,
      scheduleExpression: expression,
      flexibleTimeWindow: { mode: "OFF" },
      state: "ENABLED",
      target: { arn: `arn:aws:codebuild:us-east-1:${ACCOUNT}:project/${projectName}`, roleArn: roleArn(`${JOBS}-scheduler`), retryPolicy: { maximumEventAgeInSeconds: 900, maximumRetryAttempts: 10 } },
    },
    dependsOn: [`dr-${suffix}`],
  });
  const alarms = recoveryAlarmSpecs({ recovery: settings, namespace: NAMESPACE, backupProject: `${JOBS}-backup`, drillProject: `${JOBS}-restore-drill`, budgetSeconds: drillBudgetSeconds(settings) }).map(
    (spec): Fixture => {
      const topic = spec.severity === "critical" ? "alerts-critical" : "alerts-warning";
      return {
        type: "aws:cloudwatch/metricAlarm:MetricAlarm",
        name: `dr-alarms-${spec.id}`,
        props: {
          name: `flightpro-production-dr-alarms-${spec.id}`,
          namespace: spec.namespace,
          metricName: spec.metricName,
          ...(spec.dimensions ? { dimensions: spec.dimensions } : {}),
          statistic: spec.statistic,
          period: spec.period,
          evaluationPeriods: spec.evaluationPeriods,
          datapointsToAlarm: spec.evaluationPeriods,
          comparisonOperator: spec.comparisonOperator,
          threshold: spec.threshold,
          treatMissingData: spec.treatMissingData,
          alarmActions: [`arn:aws:sns:us-east-1:${ACCOUNT}:flightpro-production-${topic}`],
        },
        dependsOn: [topic],
      };
    },
  );
  const bucket = BACKUP_BUCKET;
  return [
    { type: "aws:kms/key:Key", name: "dr-backups-key", props: { description: "backups", enableKeyRotation: true, policy: json(backupKeyPolicy(ACCOUNT)) }, protect: true },
    { type: "aws:s3/bucket:Bucket", name: "dr-backups-bucket", props: { bucket, forceDestroy: false }, protect: true },
    { type: "aws:s3/bucketOwnershipControls:BucketOwnershipControls", name: "dr-backups-ownership", props: { bucket, rule: { objectOwnership: "BucketOwnerEnforced" } } },
    {
      type: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
      name: "dr-backups-public-access",
      props: { bucket, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
    },
    { type: "aws:s3/bucketVersioning:BucketVersioning", name: "dr-backups-versioning", props: { bucket, versioningConfiguration: { status: "Enabled" } } },
    {
      type: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
      name: "dr-backups-encryption",
      props: { bucket, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: KEY_ARN }, bucketKeyEnabled: true }] },
      dependsOn: ["dr-backups-key"],
    },
    { type: "aws:s3/bucketPolicy:BucketPolicy", name: "dr-backups-policy", props: { bucket, policy: json(backupBucketPolicy(bucket)) } },
    {
      type: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
      name: "dr-backups-lifecycle",
      props: { bucket, rules: backupLifecycleRules("postgres/", 35, 7) },
    },
    role("writer", "codebuild.amazonaws.com"),
    rolePolicy("writer", writerPermissions({ ...context, bucketName: bucket, prefix: "postgres/", keyArn: KEY_ARN, credentialsParameterArn: `arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/flightdeck/flightpro/production/backup/database-url` })),
    role("drill", "codebuild.amazonaws.com"),
    rolePolicy("drill", drillPermissions({ ...context, bucketName: bucket, prefix: "postgres/", keyArn: KEY_ARN, registerParameterArn: `arn:aws:ssm:us-east-1:${ACCOUNT}:parameter${REGISTER}` })),
    role("scheduler", "scheduler.amazonaws.com"),
    rolePolicy("scheduler", schedulerPermissions([`arn:aws:codebuild:us-east-1:${ACCOUNT}:project/${JOBS}-backup`, `arn:aws:codebuild:us-east-1:${ACCOUNT}:project/${JOBS}-restore-drill`])),
    project("backup", `${JOBS}-backup`, BACKUP_SCRIPT, false, { BACKUP_BUCKET: bucket, BACKUP_PREFIX: "postgres/", METRICS_NAMESPACE: NAMESPACE, RPO_MINUTES: "60" }),
    project("drill", `${JOBS}-restore-drill`, DRILL_SCRIPT, true, { BACKUP_BUCKET: bucket, BACKUP_PREFIX: "postgres/", METRICS_NAMESPACE: NAMESPACE, REGISTER_PARAMETER: REGISTER }),
    schedule("backup", `${JOBS}-backup`, backupScheduleExpression(15)),
    schedule("drill", `${JOBS}-restore-drill`, drillScheduleExpression(settings.drill)),
    {
      type: "aws:ssm/parameter:Parameter",
      name: "dr-register-parameter",
      props: {
        name: REGISTER,
        type: "String",
        insecureValue: passedRecord("2026-11-09T06:27:00Z"),
        tags: { [drillRegister.tagKey]: "true", [objectiveTags.rpoMinutes]: "60", [objectiveTags.rtoMinutes]: "240" },
      },
    },
    ...alarms,
    { type: "random:index/randomPassword:RandomPassword", name: "dr-db-password", props: { length: 32, special: false } },
    {
      type: "postgresql:index/role:Role",
      name: "dr-db-role",
      props: { name: "flightpro_backup", login: true, superuser: false, createRole: false, createDatabase: false, connectionLimit: 2, password: "generated-by-random-32-chars", roles: [] },
      dependsOn: ["dr-db-password"],
    },
    {
      type: "postgresql:index/grant:Grant",
      name: "dr-db-backup-migrations-tables",
      props: { database: "flightpro", role: "flightpro_backup", schema: "alembic", objectType: "table", privileges: ["SELECT"] },
    },
  ];
}
