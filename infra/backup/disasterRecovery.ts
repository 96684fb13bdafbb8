import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AlertRules } from "../aws/alerts";
import { StackSettings } from "../config/schema";
import { PostgresDatabase } from "../database/postgresDatabase";
import { BackupBucket } from "./backupBucket";
import { BackupDatabaseRole } from "./backupRole";
import { DrillRegister } from "./drillRegister";
import { FLY_TOML_PATH, NETLIFY_TOML_PATH, renderFlyToml, renderNetlifyToml } from "./platforms";
import { RecoveryAlarms } from "./recoveryAlarms";
import { RecoveryFiles } from "./recoveryFiles";
import { RecoveryJobs, drillBudgetSeconds } from "./recoveryJobs";
import { BackupReplication } from "./replication";
import { RUNBOOK_PATH, renderRunbook } from "./runbook";
import { DisasterRecoverySettings } from "./settings";

/** Files the stacks commit per branch with content that differs per environment (the pre-flight's "same code" check ignores them). */
export const RECOVERY_FILE_PATHS = [NETLIFY_TOML_PATH, FLY_TOML_PATH, RUNBOOK_PATH] as const;

export interface DisasterRecoveryArgs {
  settings: StackSettings;
  recovery: DisasterRecoverySettings;
  database: PostgresDatabase;
  alertRules: AlertRules;
  /** This stack's deploy branch (the platform files and runbook are committed there). */
  branch: string;
  stack: string;
  /** The backup role's password rotation (database/passwordRotation.ts). */
  passwordSchedule: { now: Date; periodDays: number };
}

/**
 * The spec's Disaster Recovery section: backups that meet the RPO (a dedicated, replicated bucket
 * written every few minutes by a job that may only write), the RPO measured by alarms, restores
 * rehearsed weekly with the result in a register, and the backup platforms and runbook prepared.
 */
export class DisasterRecovery extends pulumi.ComponentResource {
  readonly backupBucket: pulumi.Output<string>;
  readonly registerParameter: string;

  constructor(name: string, args: DisasterRecoveryArgs, opts?: pulumi.ComponentResourceOptions) {
    super("flightdeck:dr:DisasterRecovery", name, {}, opts);
    const { settings, recovery } = args;
    const backups = recovery.backups;
    const child = { parent: this };
    const accountId = aws.getCallerIdentityOutput({}, child).accountId;
    const region = aws.getRegionOutput({}, child).region;

    const primary = new BackupBucket(
      `${name}-backups`,
      {
        bucketName: backups.bucketName,
        prefix: backups.prefix,
        retentionDays: backups.retentionDays,
        noncurrentRetentionDays: backups.noncurrentRetentionDays,
        accountId,
        protect: backups.protect,
      },
      child,
    );
    if (backups.replica) {
      const replica = new BackupBucket(
        `${name}-replica`,
        {
          bucketName: backups.replica.bucketName,
          prefix: backups.prefix,
          retentionDays: backups.retentionDays,
          noncurrentRetentionDays: backups.noncurrentRetentionDays,
          accountId,
          region: backups.replica.region,
          protect: backups.protect,
        },
        child,
      );
      new BackupReplication(
        `${name}-replication`,
        {
          source: primary,
          sourceBucketName: backups.bucketName,
          sourceRegion: region,
          replica,
          replicaBucketName: backups.replica.bucketName,
          replicaRegion: backups.replica.region,
          prefix: backups.prefix,
          accountId,
        },
        child,
      );
    }

    const database = settings.database;
    if (!database) throw new Error(`${name}: disaster recovery backs up flightdeck:database, which this stack does not declare`);
    const role = new BackupDatabaseRole(
      `${name}-db`,
      {
        database,
        provider: args.database.provider,
        databaseName: args.database.database.name,
        roleNames: args.database.roleNames,
        dependsOn: [args.database],
        schedule: args.passwordSchedule,
        endpoint:
          backups.connection.via === "public"
            ? { host: backups.connection.host ?? database.host, port: backups.connection.port ?? database.port }
            : { host: database.host, port: database.port },
      },
      child,
    );

    const budgetSeconds = drillBudgetSeconds(recovery);
    const register = new DrillRegister(
      `${name}-register`,
      { productSlug: settings.product.slug, environment: settings.environment, rpoMinutes: recovery.rpoMinutes, rtoMinutes: recovery.rtoMinutes, budgetSeconds },
      child,
    );
    const jobs = new RecoveryJobs(
      `${name}-jobs`,
      {
        recovery,
        accountId,
        region,
        bucketName: primary.bucketName,
        keyArn: primary.keyArn,
        databaseUrl: role.url,
        credentialsParameterName: `/flightdeck/${settings.product.slug}/${settings.environment}/backup/database-url`,
        registerParameterName: register.parameterName,
        metricsNamespace: args.alertRules.namespace,
      },
      child,
    );
    new RecoveryAlarms(
      `${name}-alarms`,
      {
        recovery,
        namespace: args.alertRules.namespace,
        backupProject: jobs.backupProject.name,
        drillProject: jobs.drillProject.name,
        budgetSeconds,
        topicArns: { critical: args.alertRules.topicArns.critical, warning: args.alertRules.topicArns.warning },
      },
      child,
    );

    const runbook = pulumi
      .all([region, jobs.drillProject.name])
      .apply(([regionName, drillProject]) => renderRunbook(settings, recovery, { stack: args.stack, region: regionName, drillProject }));
    new RecoveryFiles(
      `${name}-files`,
      {
        repository: settings.github.repository,
        branch: args.branch,
        stack: args.stack,
        files: {
          [NETLIFY_TOML_PATH]: renderNetlifyToml(settings, args.stack),
          [FLY_TOML_PATH]: renderFlyToml(settings, recovery, args.stack),
          [RUNBOOK_PATH]: runbook,
        },
      },
      child,
    );

    this.backupBucket = primary.bucketName;
    this.registerParameter = register.parameterName;
    this.registerOutputs({ backupBucket: this.backupBucket, registerParameter: this.registerParameter });
  }
}
