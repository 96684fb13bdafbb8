import { ScheduleSettings } from "../config/schema";
import { deploySecrets, deployVariables } from "../pipeline/deployContract";
import { secret, vars } from "./steps";

/**
 * Pure shell fragments of the production pre-flight. The schedule is data from the stack
 * config, written into the script as literals (never an expression); the operator's inputs
 * arrive as environment variables (EMERGENCY, REASON).
 */

/** Bash that fails inside a freeze window unless EMERGENCY=true with a REASON, and warns outside the regular window. */
export function scheduleCheckScript(schedule: ScheduleSettings): string {
  const freezes = schedule.freezes.map((freeze) => {
    const full = freeze.from.length === 10 || freeze.to.length === 10;
    const from = full ? toYmd(freeze.from) : freeze.from.replace("-", "");
    const to = full ? toYmd(freeze.to) : freeze.to.replace("-", "");
    const today = full ? "$ymd" : "$md";
    const inside =
      full || from <= to ? `[ "${today}" -ge ${num(from)} ] && [ "${today}" -le ${num(to)} ]` : `{ [ "${today}" -ge ${num(from)} ] || [ "${today}" -le ${num(to)} ]; }`;
    return `if ${inside}; then frozen=${quote(`${freeze.name} (${freeze.from} to ${freeze.to})`)}; fi`;
  });
  return [
    "set -euo pipefail",
    "export LC_ALL=C",
    `export TZ=${quote(schedule.timezone)}`,
    'md="$(date +%m%d | sed \'s/^0*//\')"',
    'ymd="$(date +%Y%m%d)"',
    'dow="$(date +%a)"',
    'now="$(date +%H:%M)"',
    'frozen=""',
    ...freezes,
    'if [ -n "$frozen" ]; then',
    '  if [ "$EMERGENCY" = "true" ] && [ -n "${REASON// /}" ]; then',
    '    echo "::warning::deploying inside the freeze window $frozen as an emergency: $REASON"',
    "  else",
    '    echo "::error::deployment freeze: $frozen. Re-run with emergency=true and a reason to deploy a hotfix."',
    "    exit 1",
    "  fi",
    "fi",
    'if [ "$EMERGENCY" = "true" ] && [ -z "${REASON// /}" ]; then echo "::error::an emergency deployment needs a reason"; exit 1; fi',
    `case "$dow" in ${schedule.deployDays.join("|")}) in_days=1 ;; *) in_days=0 ;; esac`,
    `if [ "$in_days" = 0 ] || [[ "$now" < ${quote(schedule.deployHours.from)} ]] || [[ "$now" > ${quote(schedule.deployHours.to)} ]]; then`,
    `  echo "::warning::outside the regular deployment window (${schedule.deployDays.join(", ")} ${schedule.deployHours.from}-${schedule.deployHours.to} ${schedule.timezone})"`,
    "fi",
  ].join("\n");
}

/** YYYYMMDD; a yearly MM-DD edge of a dated window counts as this year's. */
function toYmd(date: string): string {
  return date.length === 10 ? date.replace(/-/g, "") : `$(date +%Y)${date.replace("-", "")}`;
}

function num(value: string): string {
  return value.startsWith("$") ? `"${value}"` : String(Number(value));
}

function quote(value: string): string {
  return `'${value.replace(/'/g, "'\\''")}'`;
}

/** The variables and secrets a production deploy needs, as env entries, and the script that checks they are set. */
export function requiredSettingsEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of Object.values(deployVariables)) env[name] = vars(name);
  for (const name of Object.values(deploySecrets)) env[name] = secret(name);
  return env;
}

export const requiredSettingsScript = [
  "set -euo pipefail",
  "missing=()",
  `for name in ${[...Object.values(deployVariables), ...Object.values(deploySecrets)].join(" ")}; do`,
  '  if [ -z "${!name:-}" ]; then missing+=("$name"); fi',
  "done",
  'if [ "${#missing[@]}" -gt 0 ]; then echo "::error::not set in the production environment: ${missing[*]}"; exit 1; fi',
].join("\n");
