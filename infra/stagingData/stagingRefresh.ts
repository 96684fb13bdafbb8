import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { toJson } from "../aws/policyDocument";
import { buildspec, renderBuildspec } from "../backup/buildspec";
import { BUILD_IMAGE, postgresPackages } from "../backup/buildImage";
import { schedulerPermissions, serviceTrustPolicy } from "../backup/documents";
import { drillScheduleExpression } from "../backup/recoveryJobs";
import { refreshPermissions } from "./refreshPolicies";
import { REFRESH_SCRIPT } from "./refreshScript";
import { AnonymizedStagingData } from "./settings";

export interface StagingRefreshArgs {
  data: AnonymizedStagingData;
  /** `/flightdeck/<slug>/staging/staging-refresh/`: where its two SecureString parameters live. */
  parameterPrefix: string;
  /** Staging's connection string that owns its tables (the migrator's, which acts as the owner role): a secret. */
  stagingDatabaseUrl: pulumi.Input<string>;
}

/**
 * The weekly staging refresh (refreshScript.ts) as a CodeBuild project started by EventBridge
 * Scheduler, like the restore drill (infra/backup/recoveryJobs.ts): its own role that reads
 * production's backups and nothing else of production (refreshPolicies.ts), staging's connection
 * string and a generated masking key as SecureString parameters, one log group.
 */
export class StagingRefresh extends pulumi.ComponentResource {
  readonly project: aws.codebuild.Project;

  constructor(name: string, args: StagingRefreshArgs, opts?: pulumi.ComponentResourceOptions) {
    super("flightdeck:stagingData:StagingRefresh", name, {}, opts);
    const child = { parent: this };
    const { data } = args;
    const accountId = aws.getCallerIdentityOutput({}, child).accountId;
    const region = aws.getRegionOutput({}, child).region;
    const logGroupName = `/flightdeck/${name}`;
    new aws.cloudwatch.LogGroup(`${name}-logs`, { name: logGroupName, retentionInDays: 90 }, child);

    const secret = (suffix: string, description: string, value: pulumi.Input<string>) =>
      new aws.ssm.Parameter(`${name}-${suffix}`, { name: `${args.parameterPrefix}${suffix}`, type: "SecureString", description, value: pulumi.secret(value) }, child);
    const key = new random.RandomPassword(`${name}-masking-key`, { length: 48, special: false }, child);
    const keyParameter = secret("masking-key", "Key of the staging refresh's keyed hashes (joins survive masking; originals cannot be tested without it). Managed by flightdeck.", key.result);
    const urlParameter = secret("database-url", "Staging's connection string the refresh loads the masked rows as. Managed by flightdeck.", args.stagingDatabaseUrl);

    const role = (suffix: string, service: string, description: string) =>
      new aws.iam.Role(
        `${name}-${suffix}`,
        { name: `${name}-${suffix}`, description, maxSessionDuration: 3600, assumeRolePolicy: accountId.apply((id) => toJson(serviceTrustPolicy(service, id))) },
        child,
      );
    const jobRole = role("job", "codebuild.amazonaws.com", "The staging refresh: reads production's backups, loads masked rows into staging");
    new aws.iam.RolePolicy(
      `${name}-job-permissions`,
      {
        role: jobRole.name,
        name: "refresh-staging",
        policy: pulumi.all([accountId, region, keyParameter.arn, urlParameter.arn]).apply(([account, regionName, keyArn, urlArn]) =>
          toJson(
            refreshPermissions({
              accountId: account,
              region: regionName,
              sourceBucket: data.source.bucketName,
              sourcePrefix: data.source.prefix,
              parameterArns: [keyArn, urlArn],
              logGroupName,
            }),
          ),
        ),
      },
      child,
    );
    this.project = new aws.codebuild.Project(
      `${name}-job`,
      {
        name: `${name}-job`,
        description: `Weekly: the newest backup of s3://${data.source.bucketName}/${data.source.prefix}, masked by flightdeck:stagingData.masking, into staging`,
        serviceRole: jobRole.arn,
        artifacts: { type: "NO_ARTIFACTS" },
        logsConfig: { cloudwatchLogs: { groupName: logGroupName, status: "ENABLED" } },
        concurrentBuildLimit: 1,
        queuedTimeout: 60,
        buildTimeout: 120,
        environment: {
          computeType: "BUILD_GENERAL1_SMALL",
          image: BUILD_IMAGE,
          type: "LINUX_CONTAINER",
          imagePullCredentialsType: "CODEBUILD",
          environmentVariables: [
            { name: "BACKUP_BUCKET", type: "PLAINTEXT", value: data.source.bucketName },
            { name: "BACKUP_PREFIX", type: "PLAINTEXT", value: data.source.prefix },
            { name: "MASKING_RULES", type: "PLAINTEXT", value: JSON.stringify(data.masking) },
            { name: "MASKING_KEY", type: "PARAMETER_STORE", value: keyParameter.name },
            { name: "STAGING_DATABASE_URL", type: "PARAMETER_STORE", value: urlParameter.name },
          ],
        },
        source: { type: "NO_SOURCE", buildspec: renderBuildspec(buildspec(REFRESH_SCRIPT, postgresPackages(data.postgresVersion, { server: true }), { ensureUser: "postgres" })) },
      },
      child,
    );
    const schedulerRole = role("scheduler", "scheduler.amazonaws.com", "EventBridge Scheduler starts the staging refresh");
    new aws.iam.RolePolicy(
      `${name}-scheduler-permissions`,
      { role: schedulerRole.name, name: "start-staging-refresh", policy: this.project.arn.apply((arn) => toJson(schedulerPermissions([arn]))) },
      child,
    );
    new aws.scheduler.Schedule(
      `${name}-schedule`,
      {
        name: `${name}-job`,
        description: `Starts the staging refresh every ${data.schedule.weekday} at ${data.schedule.time} UTC`,
        scheduleExpression: drillScheduleExpression(data.schedule),
        scheduleExpressionTimezone: "UTC",
        flexibleTimeWindow: { mode: "OFF" },
        state: "ENABLED",
        target: { arn: this.project.arn, roleArn: schedulerRole.arn, retryPolicy: { maximumEventAgeInSeconds: 3600, maximumRetryAttempts: 10 } },
      },
      child,
    );
    this.registerOutputs({ project: this.project.name });
  }
}
