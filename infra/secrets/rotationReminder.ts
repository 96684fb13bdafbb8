import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { toJson } from "../aws/policyDocument";
import { buildspec, renderBuildspec } from "../backup/buildspec";
import { ScheduledBuilds, plainVariables } from "../backup/scheduledBuilds";
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
    const builds = new ScheduledBuilds(name, this, accountId);
    const jobRole = builds.role("job", "codebuild.amazonaws.com", "The rotation reminder: reads the rotation register, posts to the warning and critical topics");
    new aws.iam.RolePolicy(
      `${name}-job-permissions`,
      {
        role: jobRole.name,
        name: "remind-rotations",
        policy: pulumi
          .all([accountId, region, args.warningTopicArn, args.criticalTopicArn, args.topicKeyArn])
          .apply(([account, regionName, warning, critical, key]) =>
            toJson(reminderPermissions({ accountId: account, region: regionName, registerPath: args.registerPath, topicArns: [warning, critical], topicKeyArn: key, logGroupName: builds.logGroupName })),
          ),
      },
      child,
    );
    const env = rotationReminder.env;
    this.project = builds.project(`${name}-job`, {
      name: `${name}-job`,
      description: `Daily: warns #alerts ${rotationReminder.warnDays} days before a secret of ${args.registerPath} is due and on the day, pages once it is overdue`,
      serviceRole: jobRole.arn,
      buildTimeout: 10,
      variables: plainVariables({
        [env.registerPath]: args.registerPath,
        [env.warningTopic]: args.warningTopicArn,
        [env.criticalTopic]: args.criticalTopicArn,
        [env.warnDays]: String(rotationReminder.warnDays),
        PRODUCT: args.productName,
        STACK: args.stack,
      }),
      source: { type: "NO_SOURCE", buildspec: renderBuildspec(buildspec(REMINDER_SCRIPT, [])) },
    });
    const schedulerRole = builds.role("scheduler", "scheduler.amazonaws.com", "EventBridge Scheduler starts the rotation reminder");
    new aws.iam.RolePolicy(
      `${name}-scheduler-permissions`,
      { role: schedulerRole.name, name: "start-reminder", policy: this.project.arn.apply((arn) => toJson(reminderSchedulerPermissions(arn))) },
      child,
    );
    builds.schedule(`${name}-schedule`, {
      name: `${name}-job`,
      description: "Starts the rotation reminder every day",
      scheduleExpression: REMINDER_SCHEDULE,
      scheduleExpressionTimezone: "UTC",
      project: this.project,
      role: schedulerRole,
    });
    this.registerOutputs({ project: this.project.name });
  }
}
