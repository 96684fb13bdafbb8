import { Freeze, Schedule, WEEKDAYS } from "./schedule";

/**
 * The production pre-flight's schedule check: ONE fixed bash script that reads the schedule as
 * data from its step's env. The program writes the stack's schedule into that env
 * (`scheduleCheckEnv`); the pack reads it back (`scheduleFromEnv`) and, because the script is fixed,
 * knows exactly what the committed step enforces. Infra imports this file; the pack never imports infra.
 *
 * The script fails closed: a malformed value is an error, an unknown time zone is an error (GNU
 * `date` would silently use UTC), a freeze blocks unless EMERGENCY=true with a non-blank REASON, and
 * outside the deploy days and hours only an emergency passes. The calendar rules are those of
 * policies/lib/schedule.ts (inFreeze, inDeployWindow); a spec runs both on the same instants.
 */
export const SCHEDULE_ENV = {
  timezone: "SCHEDULE_TIMEZONE",
  deployDays: "SCHEDULE_DEPLOY_DAYS",
  deployHours: "SCHEDULE_DEPLOY_HOURS",
  freezes: "SCHEDULE_FREEZES",
} as const;

export const SCHEDULE_CHECK_SCRIPT = [
  // Stryker disable next-line StringLiteral: equivalent: every failure leaves through fail(), and every variable is set or has a default.
  "set -euo pipefail",
  // Stryker disable next-line StringLiteral: `date +%a` names weekdays in the runner's locale; no spec machine has another locale compiled to show it.
  "export LC_ALL=C",
  'fail() { echo "::error::$*"; exit 1; }',
  'zone="${SCHEDULE_TIMEZONE:-}"',
  'if ! [[ "$zone" =~ ^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$ ]] || ! [ -f "/usr/share/zoneinfo/$zone" ]; then fail "SCHEDULE_TIMEZONE: unknown time zone \'$zone\'"; fi',
  'read -r -a days <<< "${SCHEDULE_DEPLOY_DAYS:-}"',
  'if [ "${#days[@]}" -eq 0 ]; then fail "SCHEDULE_DEPLOY_DAYS: no deploy day"; fi',
  'for day in "${days[@]}"; do',
  `  case "$day" in ${WEEKDAYS.join("|")}) ;; *) fail "SCHEDULE_DEPLOY_DAYS: not a weekday: $day" ;; esac`,
  "done",
  'hours="${SCHEDULE_DEPLOY_HOURS:-}"',
  'if ! [[ "$hours" =~ ^([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-3]):[0-5][0-9]$ ]]; then fail "SCHEDULE_DEPLOY_HOURS: not HH:MM-HH:MM: $hours"; fi',
  'opens="${hours:0:5}"',
  'closes="${hours:6:5}"',
  'export TZ="$zone"',
  "read -r today weekday now <<< \"$(date '+%Y-%m-%d %a %H:%M')\"",
  'monthday="${today:5}"',
  'frozen=""',
  'while IFS= read -r line; do',
  '  if [ -z "${line// /}" ]; then continue; fi',
  '  read -r from to name <<< "$line"',
  '  if [ -z "${name:-}" ]; then fail "SCHEDULE_FREEZES: not FROM TO NAME: $line"; fi',
  '  if [[ "$from" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}$ && "$to" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}$ ]]; then',
  '    if ! [[ "$today" < "$from" || "$to" < "$today" ]]; then frozen="$name ($from to $to)"; fi',
  '  elif [[ "$from" =~ ^([0-9]{4}-)?[0-9]{2}-[0-9]{2}$ && "$to" =~ ^([0-9]{4}-)?[0-9]{2}-[0-9]{2}$ ]]; then',
  '    first="${from: -5}"',
  '    last="${to: -5}"',
  '    if ! [[ "$last" < "$first" ]]; then',
  '      if ! [[ "$monthday" < "$first" || "$last" < "$monthday" ]]; then frozen="$name ($from to $to)"; fi',
  '    elif ! [[ "$monthday" < "$first" ]] || ! [[ "$last" < "$monthday" ]]; then',
  '      frozen="$name ($from to $to)"',
  "    fi",
  "  else",
  '    fail "SCHEDULE_FREEZES: dates must be MM-DD or YYYY-MM-DD: $line"',
  "  fi",
  'done <<< "${SCHEDULE_FREEZES:-}"',
  "emergency=0",
  'reason="${REASON:-}"',
  'if [ "${EMERGENCY:-false}" = "true" ]; then',
  '  if [ -z "${reason// /}" ]; then fail "an emergency deployment needs a reason"; fi',
  "  emergency=1",
  "fi",
  'if [ -n "$frozen" ]; then',
  '  if [ "$emergency" = 1 ]; then echo "::warning::deploying inside the freeze window $frozen as an emergency: $reason"',
  '  else fail "deployment freeze: $frozen. Re-run with emergency=true and a reason to deploy a hotfix."; fi',
  "fi",
  "in_days=0",
  'for day in "${days[@]}"; do',
  '  if [ "$day" = "$weekday" ]; then in_days=1; fi',
  "done",
  'if [ "$in_days" = 0 ] || [[ "$now" < "$opens" ]] || ! [[ "$now" < "$closes" ]]; then',
  '  window="${days[*]} $opens-$closes $zone; it is $weekday $today $now"',
  '  if [ "$emergency" = 1 ]; then echo "::warning::outside the deploy window ($window), as an emergency: $reason"',
  '  else fail "outside the deploy window ($window). Deploy inside it, or re-run with emergency=true and a reason."; fi',
  "fi",
  'echo "schedule: $weekday $today $now $zone${frozen:+, frozen: $frozen}"',
].join("\n");

/** The step env that hands a schedule to SCHEDULE_CHECK_SCRIPT. Freeze names must be one line (the schema says so). */
export function scheduleCheckEnv(schedule: Schedule): Record<string, string> {
  return {
    [SCHEDULE_ENV.timezone]: schedule.timezone,
    [SCHEDULE_ENV.deployDays]: schedule.deployDays.join(" "),
    [SCHEDULE_ENV.deployHours]: `${schedule.deployHours.from}-${schedule.deployHours.to}`,
    [SCHEDULE_ENV.freezes]: schedule.freezes.map((freeze) => `${freeze.from} ${freeze.to} ${freeze.name}`).join("\n"),
  };
}

const DATE = /^(\d{4}-)?\d{2}-\d{2}$/;
const CLOCK = "([01]\\d|2[0-3]):[0-5]\\d";

/**
 * The schedule a step's env hands to SCHEDULE_CHECK_SCRIPT, read as the script reads it; or the
 * problems that make the script fail (or read it otherwise) when it is not well-formed.
 */
export function scheduleFromEnv(env: Record<string, unknown>): { schedule: Schedule } | { problems: string[] } {
  const problems: string[] = [];
  const text = (key: string): string => {
    const value = env[key];
    if (typeof value === "string") return value;
    if (typeof value === "number" || typeof value === "boolean") return String(value);
    problems.push(`${key} is ${value === undefined ? "not set" : "not a plain value"}`);
    return "";
  };
  // Not trimmed: the script matches the zone as given, and refuses one with blanks around it.
  const timezone = text(SCHEDULE_ENV.timezone);
  if (timezone !== "" && !/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(timezone)) problems.push(`${SCHEDULE_ENV.timezone} is not a time zone name: ${timezone}`);
  // Stryker disable next-line Regex: equivalent: splitting at each blank leaves empty words between blanks, which the filter drops.
  const deployDays = text(SCHEDULE_ENV.deployDays).split(/\s+/).filter((day) => day !== "");
  if (deployDays.length === 0) problems.push(`${SCHEDULE_ENV.deployDays} names no day`);
  for (const day of deployDays) if (!(WEEKDAYS as readonly string[]).includes(day)) problems.push(`${SCHEDULE_ENV.deployDays}: not a weekday: ${day}`);
  const hours = new RegExp(`^(${CLOCK})-(${CLOCK})$`).exec(text(SCHEDULE_ENV.deployHours));
  if (!hours) problems.push(`${SCHEDULE_ENV.deployHours} is not HH:MM-HH:MM`);
  const freezes: Freeze[] = [];
  const freezeText = env[SCHEDULE_ENV.freezes] === undefined ? "" : text(SCHEDULE_ENV.freezes);
  for (const line of freezeText.split("\n")) {
    if (line.trim() === "") continue;
    // Stryker disable next-line StringLiteral: equivalent: a non-blank line has a first word, and a missing second one fails DATE whatever it defaults to.
    const [from = "", to = "", ...name] = line.trim().split(/\s+/);
    if (!DATE.test(from) || !DATE.test(to) || name.length === 0) problems.push(`${SCHEDULE_ENV.freezes}: not FROM TO NAME with MM-DD or YYYY-MM-DD dates: ${line}`);
    else freezes.push({ name: name.join(" "), from, to });
  }
  if (problems.length > 0 || !hours) return { problems };
  return { schedule: { timezone, deployDays, deployHours: { from: hours[1]!, to: hours[3]! }, freezes } };
}

/** Whether a step's run text is the schedule check (trailing whitespace aside). */
export function isScheduleCheckScript(run: string): boolean {
  return run.replace(/\s+$/, "") === SCHEDULE_CHECK_SCRIPT;
}
