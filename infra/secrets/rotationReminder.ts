import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { toJson } from "../aws/policyDocument";
import { buildspec, renderBuildspec } from "../backup/buildspec";
import { serviceTrustPolicy } from "../backup/documents";
import { BUILD_IMAGE } from "../backup/buildImage";
import { rotationReminder } from "./reminderContract";
import { reminderPermissions, reminderSchedulerPermissions } from "./reminderPolicies";
import { REMINDER_SCRIPT } from "./reminderScript";

/** Every day at 14:00 UTC (EventBridge Scheduler cron: minutes hours day-of-month month day-of-week year, one day field `?`). */
export const REMINDER_SCHEDULE = "cron(0 14 * * ? *)";

export interface RotationReminderArgs {
  productName: string;
  stack: string;
  registerPath: string;
  warningTopicArn: pulumi.Input<string>;
  criticalTopicArn: pulumi.Input<string>;
  topicKeyArn: pulumi.Input<string>;
}

/**
 * The spec's "automated reminders" (Rotation: "API keys: Every 90 days (automated reminders)"): a
 * CodeBuild project that runs the reminder script (reminderScript.ts) over the rotation register
 * every day, started by EventBridge Scheduler, with a role that may read the register and post to
 * the warning and critical topics, nothing more.
 */
export class RotationReminder extends pulumi.ComponentResource {
  readonly project: aws.codebuild.Project;

  constructor(name: string, args: RotationReminderArgs, opts?: pulumi.ComponentResourceOptions) {
    super("flightdeck:secrets:RotationReminder", name, {}, opts);
    const child = { parent: this };
    const accountId = aws.getCallerIdentityOutput({}, child).accountId;
    const region = aws.getRegionOutput({}, child).region;
    const logGroupName = `/flightdeck/${name}`;
    new aws.cloudwatch.LogGroup(`${name}-logs`, { name: logGroupName, retentionInDays: 90 }, child);
    const role = (suffix: string, service: string, description: string) =>
      new aws.iam.Role(
        `${name}-${suffix}`,
        { name: `${name}-${suffix}`, description, maxSessionDuration: 3600, assumeRolePolicy: accountId.apply((id) => toJson(serviceTrustPolicy(service, id))) },
        child,
      );
    const jobRole = role("job", "codebuild.amazonaws.com", "The rotation reminder: reads the rotation register, posts to the warning and critical topics");
    new aws.iam.RolePolicy(
      `${name}-job-permissions`,
      {
        role: jobRole.name,
        name: "remind-rotations",
        policy: pulumi
          .all([accountId, region, args.warningTopicArn, args.criticalTopicArn, args.topicKeyArn])
          .apply(([account, regionName, warning, critical, key]) =>
            toJson(reminderPermissions({ accountId: account, region: regionName, registerPath: args.registerPath, topicArns: [warning, critical], topicKeyArn: key, logGroupName })),
          ),
      },
      child,
    );
    const env = rotationReminder.env;
    const plain = (entries: Record<string, pulumi.Input<string>>) => Object.entries(entries).map(([key, value]) => ({ name: key, type: "PLAINTEXT", value }));
    this.project = new aws.codebuild.Project(
      `${name}-job`,
      {
        name: `${name}-job`,
        description: `Daily: warns #alerts ${rotationReminder.warnDays} days before a secret of ${args.registerPath} is due and on the day, pages once it is overdue`,
        serviceRole: jobRole.arn,
        artifacts: { type: "NO_ARTIFACTS" },
        logsConfig: { cloudwatchLogs: { groupName: logGroupName, status: "ENABLED" } },
        concurrentBuildLimit: 1,
        queuedTimeout: 60,
        buildTimeout: 10,
        environment: {
          computeType: "BUILD_GENERAL1_SMALL",
          image: BUILD_IMAGE,
          type: "LINUX_CONTAINER",
          imagePullCredentialsType: "CODEBUILD",
          environmentVariables: plain({
            [env.registerPath]: args.registerPath,
            [env.warningTopic]: args.warningTopicArn,
            [env.criticalTopic]: args.criticalTopicArn,
            [env.warnDays]: String(rotationReminder.warnDays),
            PRODUCT: args.productName,
            STACK: args.stack,
          }),
        },
        source: { type: "NO_SOURCE", buildspec: renderBuildspec(buildspec(REMINDER_SCRIPT, [])) },
      },
      child,
    );
    const schedulerRole = role("scheduler", "scheduler.amazonaws.com", "EventBridge Scheduler starts the rotation reminder");
    new aws.iam.RolePolicy(
      `${name}-scheduler-permissions`,
      { role: schedulerRole.name, name: "start-reminder", policy: this.project.arn.apply((arn) => toJson(reminderSchedulerPermissions(arn))) },
      child,
    );
    new aws.scheduler.Schedule(
      `${name}-schedule`,
      {
        name: `${name}-job`,
        description: "Starts the rotation reminder every day",
        scheduleExpression: REMINDER_SCHEDULE,
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
