import { StackResource, stackPolicy } from "../lib/define";
import { CODEBUILD_PROJECT, buildspecText, projectVariable, scheduleEnabled, scheduleGapMinutes, schedulesOf } from "../lib/recovery";
import { asArray, asRecord, at, knownString } from "../lib/values";
import { SSM_PARAMETER, isRotationRegisterEntry } from "./secrets";

/**
 * The reminder job's contract, as the pack's own copy (the pack never imports the program:
 * infra/secrets/reminderContract.ts holds the program's, test/policies/reminders.spec.ts checks they agree).
 */
export const REMINDER_ENV = { registerPath: "REGISTER_PATH", warningTopic: "WARNING_TOPIC_ARN", criticalTopic: "CRITICAL_TOPIC_ARN", warnDays: "WARN_DAYS" } as const;
export const REMINDER_WARN_DAYS = 14;
/** What a reminder's buildspec must run: read the register, post to SNS. */
const REMINDER_COMMANDS = [/\baws\s+ssm\s+get-parameters-by-path\b/, /\baws\s+sns\s+publish\b/];
const DAY_MINUTES = 1440;

/** Whether the project sets a variable (PLAINTEXT or untyped), known or not yet known (a topic ARN at preview). */
function setsVariable(project: StackResource, name: string): boolean {
  return asArray(at(project.props, "environment.environmentVariables")).some((variable) => {
    const record = asRecord(variable) ?? {};
    return knownString(record["name"]) === name && (record["type"] === undefined || record["type"] === "PLAINTEXT") && record["value"] !== undefined && record["value"] !== "";
  });
}

/** Why a project is not a daily reminder of the register path it reads, or undefined when it is. */
function reminderProblem(project: StackResource, resources: StackResource[]): string | undefined {
  const text = buildspecText(project);
  if (!REMINDER_COMMANDS.every((command) => command.test(text))) return "its buildspec does not read the register and post to SNS";
  for (const name of [REMINDER_ENV.warningTopic, REMINDER_ENV.criticalTopic]) if (!setsVariable(project, name)) return `it sets no ${name}`;
  const warnDays = Number(projectVariable(project, REMINDER_ENV.warnDays));
  if (!(warnDays >= REMINDER_WARN_DAYS)) return `it warns ${projectVariable(project, REMINDER_ENV.warnDays) ?? "(unset)"} days ahead, fewer than ${REMINDER_WARN_DAYS}`;
  const daily = schedulesOf(project, resources).some((schedule) => {
    const gap = scheduleGapMinutes(schedule);
    return scheduleEnabled(schedule) && gap !== undefined && gap <= DAY_MINUTES;
  });
  return daily ? undefined : "no enabled schedule starts it at least once a day";
}

/** The secret a register entry's record names, when its value reads. */
function secretName(entry: StackResource): string | undefined {
  try {
    const record = JSON.parse(knownString(entry.props["insecureValue"] ?? entry.props["value"]) ?? "") as { name?: unknown };
    return typeof record.name === "string" ? record.name : undefined;
  } catch {
    return undefined;
  }
}

/** The register path a parameter is read under by GetParametersByPath (its parent, `/`-ended). */
function parentPath(name: string): string {
  return name.slice(0, name.lastIndexOf("/") + 1);
}

export const rotationReminderScheduled = stackPolicy(
  {
    name: "secrets-rotation-reminder-scheduled",
    description:
      'Every secret in the rotation register has an automated reminder. Spec, Rotation: "API keys: Every 90 days (automated reminders)". ' +
      `A CodeBuild project reads the register path the secret is under (${REMINDER_ENV.registerPath}: ssm get-parameters-by-path) and posts to SNS (sns publish) with ${REMINDER_ENV.warningTopic} and ${REMINDER_ENV.criticalTopic} set, ` +
      `warning at least ${REMINDER_WARN_DAYS} days ahead (${REMINDER_ENV.warnDays}), started by an enabled schedule at least once a day. The date itself is judged by secrets-rotation-register-current.`,
    severity: "high",
    remediation: [
      "Keep flightdeck's rotation reminder (infra/secrets/rotationReminder.ts): the stack declares it with the secrets inventory and the alert topics.",
      `Point its ${REMINDER_ENV.registerPath} at the register's path, keep ${REMINDER_ENV.warnDays} at ${REMINDER_WARN_DAYS} or more and its schedule daily and enabled.`,
    ],
    topics: ["secrets", "rotation"],
  },
  {
    validate(resources, _settings, report) {
      const entries = resources.filter((resource) => resource.type === SSM_PARAMETER && isRotationRegisterEntry(resource.props));
      if (entries.length === 0) return;
      const projects = resources.filter((resource) => resource.type === CODEBUILD_PROJECT);
      const verdicts = new Map<string, { path: string; problem: string | undefined }>();
      for (const project of projects) {
        const path = projectVariable(project, REMINDER_ENV.registerPath);
        if (path !== undefined) verdicts.set(project.urn, { path: path.endsWith("/") ? path : `${path}/`, problem: reminderProblem(project, resources) });
      }
      for (const entry of entries) {
        const name = knownString(entry.props["name"]) ?? "";
        const readers = [...verdicts.entries()].filter(([, verdict]) => verdict.path === parentPath(name));
        if (readers.some(([, verdict]) => verdict.problem === undefined)) continue;
        const why = readers.length === 0 ? `no reminder job reads ${parentPath(name) || "its path"}` : readers.map(([urn, verdict]) => `${urn.split("::").pop()}: ${verdict.problem}`).join("; ");
        report(`secret ${secretName(entry) ?? (name.slice(name.lastIndexOf("/") + 1) || "(unnamed)")} has no daily rotation reminder (${why})`, entry.urn);
      }
    },
  },
);

export const reminderPolicies = [rotationReminderScheduled];
