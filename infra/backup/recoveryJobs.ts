import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { toJson } from "../aws/policyDocument";
import { PGVECTOR_EXTENSION, pgvectorInstallCommands, postgresPackages } from "./buildImage";
import { buildspec, renderBuildspec } from "./buildspec";
import { drillPermissions, schedulerPermissions, writerPermissions } from "./documents";
import { ScheduledBuilds, plainVariables } from "./scheduledBuilds";
import { BACKUP_SCRIPT, DRILL_SCRIPT } from "./scripts";
import { DisasterRecoverySettings } from "./settings";

const WEEKDAYS: Record<DisasterRecoverySettings["drill"]["weekday"], string> = { Mon: "MON", Tue: "TUE", Wed: "WED", Thu: "THU", Fri: "FRI", Sat: "SAT", Sun: "SUN" };

/**
 * EventBridge Scheduler expressions (https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html):
 * `rate(value unit)`, and `cron(minutes hours day-of-month month day-of-week year)` where one of the
 * two day fields must be `?`.
 */
export function backupScheduleExpression(intervalMinutes: number): string {
  return `rate(${intervalMinutes} ${intervalMinutes === 1 ? "minute" : "minutes"})`;
}

export function drillScheduleExpression(drill: Pick<DisasterRecoverySettings["drill"], "weekday" | "time">): string {
  const [hours, minutes] = drill.time.split(":").map(Number);
  return `cron(${minutes} ${hours} ? * ${WEEKDAYS[drill.weekday]} *)`;
}

/** The drill's share of the RTO, in seconds: the budget its alarm holds it to. */
export function drillBudgetSeconds(recovery: DisasterRecoverySettings): number {
  return Math.floor(recovery.rtoMinutes * 60 * recovery.drill.rtoShare);
}

/** `schema.table:minRows` words for DRILL_TABLES (an unqualified table is in the app's schema, public). */
export function drillTablesValue(recovery: DisasterRecoverySettings): string {
  return recovery.drill.tables.map((table) => `${table.name.includes(".") ? table.name : `public.${table.name}`}:${table.minRows}`).join(" ");
}

export interface RecoveryJobsArgs {
  recovery: DisasterRecoverySettings;
  accountId: pulumi.Output<string>;
  region: pulumi.Output<string>;
  bucketName: pulumi.Input<string>;
  keyArn: pulumi.Input<string>;
  /** The backup role's connection string (a secret), kept as a SecureString the backup project reads. */
  databaseUrl: pulumi.Input<string>;
  credentialsParameterName: string;
  registerParameterName: string;
  metricsNamespace: string;
}

/**
 * The backup and restore-drill jobs as CodeBuild projects started by EventBridge Scheduler, each
 * with its own service role (the writer writes backups only; the drill reads them and its register),
 * one log group, and the scheduler's role that may start the two projects and nothing else.
 */
export class RecoveryJobs extends pulumi.ComponentResource {
  readonly backupProject: aws.codebuild.Project;
  readonly drillProject: aws.codebuild.Project;
  readonly writerRole: aws.iam.Role;
  readonly drillRole: aws.iam.Role;

  constructor(name: string, args: RecoveryJobsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("flightdeck:dr:RecoveryJobs", name, {}, opts);
    const { recovery } = args;
    const child = { parent: this };
    const builds = new ScheduledBuilds(name, this, args.accountId);
    const logGroupName = builds.logGroupName;

    const credentials = new aws.ssm.Parameter(
      `${name}-database-url`,
      {
        name: args.credentialsParameterName,
        type: "SecureString",
        description: "Connection string of the database's backup role (read-only), read by the backup job. Managed by flightdeck.",
        value: pulumi.secret(args.databaseUrl),
      },
      child,
    );

    this.writerRole = builds.role("writer", "codebuild.amazonaws.com", "The backup job: writes new backup objects, reads nothing else");
    this.drillRole = builds.role("drill", "codebuild.amazonaws.com", "The restore drill: reads backups, updates the drill register");
    const context = pulumi.all([args.accountId, args.region, pulumi.output(args.bucketName), pulumi.output(args.keyArn), credentials.arn]);
    const writerPolicy = new aws.iam.RolePolicy(
      `${name}-writer-permissions`,
      {
        role: this.writerRole.name,
        name: "write-backups",
        policy: context.apply(([accountId, region, bucketName, keyArn, credentialsArn]) =>
          toJson(
            writerPermissions({
              accountId,
              region,
              logGroupName,
              metricsNamespace: args.metricsNamespace,
              bucketName,
              prefix: recovery.backups.prefix,
              keyArn,
              credentialsParameterArn: credentialsArn,
              vpcSubnetIds: recovery.backups.connection.via === "vpc" ? recovery.backups.connection.subnetIds : undefined,
            }),
          ),
        ),
      },
      child,
    );
    new aws.iam.RolePolicy(
      `${name}-drill-permissions`,
      {
        role: this.drillRole.name,
        name: "restore-drill",
        policy: context.apply(([accountId, region, bucketName, keyArn]) =>
          toJson(
            drillPermissions({
              accountId,
              region,
              logGroupName,
              metricsNamespace: args.metricsNamespace,
              bucketName,
              prefix: recovery.backups.prefix,
              keyArn,
              registerParameterArn: `arn:aws:ssm:${region}:${accountId}:parameter${args.registerParameterName}`,
            }),
          ),
        ),
      },
      child,
    );

    const version = recovery.backups.postgresVersion;
    const connection = recovery.backups.connection;
    const extensions = recovery.drill.extensions;
    this.backupProject = builds.project(
      `${name}-backup`,
      {
        name: `${name}-backup`,
        description: `pg_dump of the database every ${recovery.backups.intervalMinutes} minutes into s3://${recovery.backups.bucketName}/${recovery.backups.prefix} (RPO ${recovery.rpoMinutes} min)`,
        serviceRole: this.writerRole.arn,
        // A backup that takes longer than the interval would overlap the next one.
        buildTimeout: Math.max(5, recovery.backups.intervalMinutes),
        variables: [
          { name: "DATABASE_URL", type: "PARAMETER_STORE", value: credentials.name },
          ...plainVariables({
            BACKUP_BUCKET: args.bucketName,
            BACKUP_PREFIX: recovery.backups.prefix,
            METRICS_NAMESPACE: args.metricsNamespace,
            RPO_MINUTES: String(recovery.rpoMinutes),
          }),
        ],
        source: { type: "NO_SOURCE", buildspec: renderBuildspec(buildspec(BACKUP_SCRIPT, postgresPackages(version, { server: false }))) },
        vpcConfig: connection.via === "vpc" ? { vpcId: connection.vpcId, subnets: connection.subnetIds, securityGroupIds: connection.securityGroupIds } : undefined,
      },
      // In a VPC, CodeBuild checks at create that the service role may describe the network: its policy first.
      { dependsOn: [writerPolicy] },
    );
    const budget = drillBudgetSeconds(recovery);
    this.drillProject = builds.project(`${name}-drill`, {
      name: `${name}-restore-drill`,
      description: `Weekly restore of the newest backup into a throwaway PostgreSQL, within ${budget} s of the ${recovery.rtoMinutes}-minute RTO`,
      serviceRole: this.drillRole.arn,
      // Twice the budget: a drill that overruns still reports how long it took; one that hangs fails the build.
      buildTimeout: Math.min(2160, Math.max(5, Math.ceil((2 * budget) / 60))),
      variables: plainVariables({
        BACKUP_BUCKET: args.bucketName,
        BACKUP_PREFIX: recovery.backups.prefix,
        METRICS_NAMESPACE: args.metricsNamespace,
        REGISTER_PARAMETER: args.registerParameterName,
        DRILL_TABLES: drillTablesValue(recovery),
        BUDGET_SECONDS: String(budget),
        RPO_MINUTES: String(recovery.rpoMinutes),
        RTO_MINUTES: String(recovery.rtoMinutes),
        DRILL_EXTENSIONS: extensions.join(" "),
      }),
      source: {
        type: "NO_SOURCE",
        buildspec: renderBuildspec(
          buildspec(DRILL_SCRIPT, postgresPackages(version, { server: true, extensions }), {
            ensureUser: "postgres",
            installCommands: extensions.includes(PGVECTOR_EXTENSION) ? pgvectorInstallCommands(recovery.drill.pgvectorVersion) : [],
          }),
        ),
      },
      });

    const schedulerRole = builds.role("scheduler", "scheduler.amazonaws.com", "EventBridge Scheduler starts the backup and drill projects");
    new aws.iam.RolePolicy(
      `${name}-scheduler-permissions`,
      {
        role: schedulerRole.name,
        name: "start-recovery-jobs",
        policy: pulumi.all([this.backupProject.arn, this.drillProject.arn]).apply((arns) => toJson(schedulerPermissions(arns))),
      },
      child,
    );
    const intervalSeconds = recovery.backups.intervalMinutes * 60;
    builds.schedule(`${name}-backup-schedule`, {
      name: `${name}-backup`,
      description: `Starts the backup every ${recovery.backups.intervalMinutes} minutes`,
      scheduleExpression: backupScheduleExpression(recovery.backups.intervalMinutes),
      project: this.backupProject,
      role: schedulerRole,
      // Retried until the next start is due, never longer: a late backup is superseded by the next.
      maximumEventAgeInSeconds: Math.max(60, recovery.backups.intervalMinutes * 60),
    });
    builds.schedule(`${name}-drill-schedule`, {
      name: `${name}-restore-drill`,
      description: `Starts the restore drill every ${recovery.drill.weekday} at ${recovery.drill.time} UTC`,
      scheduleExpression: drillScheduleExpression(recovery.drill),
      scheduleExpressionTimezone: "UTC",
      project: this.drillProject,
      role: schedulerRole,
    });
    this.registerOutputs({ backupProject: this.backupProject.name, drillProject: this.drillProject.name });
  }
}
