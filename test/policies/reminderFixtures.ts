import { toJson } from "../../infra/aws/policyDocument";
import { buildspec, renderBuildspec } from "../../infra/backup/buildspec";
import { serviceTrustPolicy } from "../../infra/backup/documents";
import { BUILD_IMAGE } from "../../infra/backup/buildImage";
import { rotationReminder } from "../../infra/secrets/reminderContract";
import { reminderPermissions, reminderSchedulerPermissions } from "../../infra/secrets/reminderPolicies";
import { REMINDER_SCRIPT } from "../../infra/secrets/reminderScript";
import { REMINDER_SCHEDULE } from "../../infra/secrets/rotationReminder";
import { Fixture } from "./judge";

/** The production stack's rotation reminder, built with the program's own builders (infra/secrets/rotationReminder.ts). */
const ACCOUNT = "123456789012";
const NAME = "flightpro-production-rotation-reminder";
export const REMINDER_PROJECT = "reminder-job";
export const REMINDER_SCHEDULE_FIXTURE = "reminder-schedule";
const topic = (severity: string) => `arn:aws:sns:us-east-1:${ACCOUNT}:flightpro-production-alerts-${severity}`;

export function reminderFixtures(): Fixture[] {
  const env = rotationReminder.env;
  const path = "/flightdeck/flightpro/production/secret-rotation/";
  const variables = {
    [env.registerPath]: path,
    [env.warningTopic]: topic("warning"),
    [env.criticalTopic]: topic("critical"),
    [env.warnDays]: String(rotationReminder.warnDays),
    PRODUCT: "FlightPro",
    STACK: "production",
  };
  const roleArn = (suffix: string) => `arn:aws:iam::${ACCOUNT}:role/${NAME}-${suffix}`;
  return [
    { type: "aws:iam/role:Role", name: "reminder-job-role", props: { name: `${NAME}-job`, assumeRolePolicy: toJson(serviceTrustPolicy("codebuild.amazonaws.com", ACCOUNT)) } },
    {
      type: "aws:iam/rolePolicy:RolePolicy",
      name: "reminder-job-permissions",
      props: {
        role: `${NAME}-job`,
        name: "remind-rotations",
        // The alert key's ARN as the topics' kmsMasterKeyId names it (fixtures.ts): the program passes the same output,
        // alertRules.key.arn, to both (infra/stack.ts). Another key's ARN here is a reminder that cannot encrypt its pages.
        policy: toJson(reminderPermissions({ accountId: ACCOUNT, region: "us-east-1", registerPath: path, topicArns: [topic("warning"), topic("critical")], topicKeyArn: `arn:aws:kms:us-east-1:${ACCOUNT}:key/alerts`, logGroupName: `/flightdeck/${NAME}` })),
      },
    },
    {
      type: "aws:codebuild/project:Project",
      name: REMINDER_PROJECT,
      // Its topic variables are the alert topics' arn outputs (infra/secrets/rotationReminder.ts).
      dependsOn: ["alerts-warning", "alerts-critical"],
      props: {
        name: `${NAME}-job`,
        serviceRole: roleArn("job"),
        artifacts: { type: "NO_ARTIFACTS" },
        environment: {
          computeType: "BUILD_GENERAL1_SMALL",
          image: BUILD_IMAGE,
          type: "LINUX_CONTAINER",
          environmentVariables: Object.entries(variables).map(([name, value]) => ({ name, type: "PLAINTEXT", value })),
        },
        source: { type: "NO_SOURCE", buildspec: renderBuildspec(buildspec(REMINDER_SCRIPT, [])) },
      },
    },
    { type: "aws:iam/role:Role", name: "reminder-scheduler-role", props: { name: `${NAME}-scheduler`, assumeRolePolicy: toJson(serviceTrustPolicy("scheduler.amazonaws.com", ACCOUNT)) } },
    {
      type: "aws:iam/rolePolicy:RolePolicy",
      name: "reminder-scheduler-permissions",
      props: { role: `${NAME}-scheduler`, name: "start-reminder", policy: toJson(reminderSchedulerPermissions(`arn:aws:codebuild:us-east-1:${ACCOUNT}:project/${NAME}-job`)) },
    },
    {
      type: "aws:scheduler/schedule:Schedule",
      name: REMINDER_SCHEDULE_FIXTURE,
      props: {
        name: `${NAME}-job`,
        scheduleExpression: REMINDER_SCHEDULE,
        scheduleExpressionTimezone: "UTC",
        flexibleTimeWindow: { mode: "OFF" },
        state: "ENABLED",
        target: { arn: `arn:aws:codebuild:us-east-1:${ACCOUNT}:project/${NAME}-job`, roleArn: roleArn("scheduler") },
      },
    },
  ];
}
