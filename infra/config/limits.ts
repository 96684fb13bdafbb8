import { alarmDescription, metricDefinitions } from "../aws/alertMetrics";
import { rotationRegister } from "../pipeline/deployContract";
import { isRotated, isRotatedByProgram, rotationComment, rotationRecord } from "../secrets/rotation";
import { StackSettings } from "./schema";

/**
 * What the target APIs accept, checked on the values the components will send (built by the same
 * functions), so a value too long fails at plan time with its key path rather than at apply.
 */
export const apiLimits = {
  /** vercel/terraform-provider-vercel vercel/resource_project.go: environment[].comment, stringvalidator.LengthBetween(0, 1000). */
  vercelCommentChars: 1000,
  /** Vercel docs, Environment variables, limits: 64 KB of environment variables per deployment, so no one value is larger. */
  vercelValueBytes: 64 * 1024,
  /** AWS Systems Manager PutParameter: a parameter name you specify is at most 1011 characters (the 2048 listed include reserved ones). */
  ssmNameChars: 1011,
  /** PutParameter: Standard-tier values are at most 4 KB ("Standard tier parameters support a maximum parameter value of 4096 characters"). */
  ssmStandardValueChars: 4096,
  /** PutParameter: Description, maximum length 1024. */
  ssmDescriptionChars: 1024,
  /** CloudWatch PutMetricAlarm: AlarmDescription, maximum length 1024. */
  alarmDescriptionChars: 1024,
} as const;

/** One line per value past its API's limit: `flightdeck:key.path: …`. */
export function apiLimitProblems(settings: StackSettings): string[] {
  const problems: string[] = [];
  const at = (path: string, message: string) => problems.push(`flightdeck:${path}: ${message}`);

  settings.secrets.forEach((entry, index) => {
    const path = `secrets[${index}]`;
    if (entry.destinations.vercel) {
      const comment = rotationComment(entry);
      if (comment.length > apiLimits.vercelCommentChars) {
        at(`${path}.description`, `makes the Vercel variable's comment ${comment.length} characters; Vercel accepts at most ${apiLimits.vercelCommentChars} (shorten the description by ${comment.length - apiLimits.vercelCommentChars})`);
      }
    }
    if (entry.value !== undefined && Buffer.byteLength(entry.value) > apiLimits.vercelValueBytes) {
      at(`${path}.value`, `is ${Buffer.byteLength(entry.value)} bytes; a Vercel environment variable holds at most ${apiLimits.vercelValueBytes}`);
    }
    // docs.github.com, Secrets reference, naming your secrets: "Must not start with the GITHUB_ prefix" (case-insensitive: names are stored upper case).
    if (entry.destinations.githubEnvironment && entry.name.toUpperCase().startsWith("GITHUB_")) {
      at(`${path}.name`, `GitHub reserves the GITHUB_ prefix: a secret cannot be named ${entry.name}`);
    }
    // An entry without its rotation date is reported by validate.ts; its record is measured once it has one.
    if (isRotated(entry) && entry.rotation !== undefined && (isRotatedByProgram(entry) || entry.rotation.lastRotated !== undefined)) {
      const name = `${rotationRegister.parameterPrefix(settings.product.slug, settings.environment)}${entry.name}`;
      if (name.length > apiLimits.ssmNameChars) at(`${path}.name`, `makes its rotation register parameter name ${name.length} characters; SSM accepts at most ${apiLimits.ssmNameChars}`);
      // A generated entry's date comes at apply: measured with the longest one it can be.
      const value = JSON.stringify(rotationRecord(entry, isRotatedByProgram(entry) ? { rotatedAt: "9999-12-31T23:59:59Z", validUntil: "9999-12-31T23:59:59Z" } : undefined));
      if (value.length > apiLimits.ssmStandardValueChars) at(path, `makes its rotation register record ${value.length} characters; a Standard SSM parameter holds at most ${apiLimits.ssmStandardValueChars}`);
    }
  });
  for (const [key, value] of Object.entries(settings.runtimeSettings)) {
    if (Buffer.byteLength(value) > apiLimits.vercelValueBytes) at(`runtimeSettings.${key}`, `is ${Buffer.byteLength(value)} bytes; a Vercel environment variable holds at most ${apiLimits.vercelValueBytes}`);
  }
  settings.alerts?.rules.forEach((rule, index) => {
    const description = alarmDescription(rule, metricDefinitions[rule.metric]);
    if (description.length > apiLimits.alarmDescriptionChars) {
      at(`alerts.rules[${index}].action`, `makes the alarm description ${description.length} characters; CloudWatch accepts at most ${apiLimits.alarmDescriptionChars} (shorten the action by ${description.length - apiLimits.alarmDescriptionChars})`);
    }
  });
  return problems;
}
