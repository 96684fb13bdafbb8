import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { toJson } from "../aws/policyDocument";
import { buildspec, renderBuildspec } from "../backup/buildspec";
import { PGVECTOR_EXTENSION, pgvectorInstallCommands, postgresPackages } from "../backup/buildImage";
import { schedulerPermissions } from "../backup/documents";
import { drillScheduleExpression } from "../backup/recoveryJobs";
import { ScheduledBuilds, plainVariables } from "../backup/scheduledBuilds";
import { refreshPermissions } from "./refreshPolicies";
import { REFRESH_EXTENSIONS, REFRESH_SCRIPT } from "./refreshScript";
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
    const builds = new ScheduledBuilds(name, this, accountId);

    const secret = (suffix: string, description: string, value: pulumi.Input<string>) =>
      new aws.ssm.Parameter(`${name}-${suffix}`, { name: `${args.parameterPrefix}${suffix}`, type: "SecureString", description, value: pulumi.secret(value) }, child);
    const key = new random.RandomPassword(`${name}-masking-key`, { length: 48, special: false }, child);
    const keyParameter = secret("masking-key", "Key of the staging refresh's keyed hashes (joins survive masking; originals cannot be tested without it). Managed by flightdeck.", key.result);
    const urlParameter = secret("database-url", "Staging's connection string the refresh loads the masked rows as. Managed by flightdeck.", args.stagingDatabaseUrl);

    const jobRole = builds.role("job", "codebuild.amazonaws.com", "The staging refresh: reads production's backups, loads masked rows into staging");
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
              logGroupName: builds.logGroupName,
            }),
          ),
        ),
      },
      child,
    );
    this.project = builds.project(`${name}-job`, {
      name: `${name}-job`,
      description: `Weekly: the newest backup of s3://${data.source.bucketName}/${data.source.prefix}, masked by flightdeck:stagingData.masking, into staging`,
      serviceRole: jobRole.arn,
      buildTimeout: 120,
      variables: [
        ...plainVariables({ BACKUP_BUCKET: data.source.bucketName, BACKUP_PREFIX: data.source.prefix, MASKING_RULES: JSON.stringify(data.masking) }),
        { name: "MASKING_KEY", type: "PARAMETER_STORE", value: keyParameter.name },
        { name: "STAGING_DATABASE_URL", type: "PARAMETER_STORE", value: urlParameter.name },
        ...plainVariables({ [REFRESH_EXTENSIONS]: data.extensions.join(" ") }),
      ],
      // The extensions the schema uses, installed in the throwaway server before the restore, as the drill's (recoveryJobs.ts).
      source: {
        type: "NO_SOURCE",
        buildspec: renderBuildspec(
          buildspec(REFRESH_SCRIPT, postgresPackages(data.postgresVersion, { server: true, extensions: data.extensions }), {
            ensureUser: "postgres",
            installCommands: data.extensions.includes(PGVECTOR_EXTENSION) ? pgvectorInstallCommands(data.pgvectorVersion) : [],
          }),
        ),
      },
    });
    const schedulerRole = builds.role("scheduler", "scheduler.amazonaws.com", "EventBridge Scheduler starts the staging refresh");
    new aws.iam.RolePolicy(
      `${name}-scheduler-permissions`,
      { role: schedulerRole.name, name: "start-staging-refresh", policy: this.project.arn.apply((arn) => toJson(schedulerPermissions([arn]))) },
      child,
    );
    builds.schedule(`${name}-schedule`, {
      name: `${name}-job`,
      description: `Starts the staging refresh every ${data.schedule.weekday} at ${data.schedule.time} UTC`,
      scheduleExpression: drillScheduleExpression(data.schedule),
      scheduleExpressionTimezone: "UTC",
      project: this.project,
      role: schedulerRole,
    });
    this.registerOutputs({ project: this.project.name });
  }
}
