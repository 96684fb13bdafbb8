import { EnvironmentName, ScheduleSettings } from "../config/schema";
import { deploySecrets, deployVariables } from "../pipeline/deployContract";
import { ENV_EXAMPLE_PATH } from "../secrets/envExample";
import { secret, vars } from "./steps";

/**
 * Pure shell fragments of the production pre-flight. The schedule is data from the stack
 * config, written into the script as literals (never an expression); the operator's inputs
 * arrive as environment variables (EMERGENCY, REASON).
 */

/** Bash that fails inside a freeze window unless EMERGENCY=true with a REASON, and warns outside the regular window. */
export function scheduleCheckScript(schedule: ScheduleSettings): string {
  const freezes = schedule.freezes.map((freeze) => {
    // As the policy reads them (policies/rules/schedule.ts inFreeze): a dated window when both edges
    // are dated, else an every-year window on the MM-DD parts, which may wrap the new year.
    const dated = freeze.from.length === 10 && freeze.to.length === 10;
    const from = dated ? freeze.from.replace(/-/g, "") : freeze.from.slice(-5).replace("-", "");
    const to = dated ? freeze.to.replace(/-/g, "") : freeze.to.slice(-5).replace("-", "");
    const today = dated ? "$ymd" : "$md";
    const inside =
      dated || from <= to ? `[ "${today}" -ge ${num(from)} ] && [ "${today}" -le ${num(to)} ]` : `{ [ "${today}" -ge ${num(from)} ] || [ "${today}" -le ${num(to)} ]; }`;
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
    "# from inclusive, to exclusive (as the schedule policy reads deployHours)",
    `if [ "$in_days" = 0 ] || [[ "$now" < ${quote(schedule.deployHours.from)} ]] || ! [[ "$now" < ${quote(schedule.deployHours.to)} ]]; then`,
    `  echo "::warning::outside the regular deployment window (${schedule.deployDays.join(", ")} ${schedule.deployHours.from}-${schedule.deployHours.to} ${schedule.timezone})"`,
    "fi",
  ].join("\n");
}

function num(value: string): string {
  return String(Number(value));
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

/**
 * Paths each stack commits to its own deploy branch, with content that differs per environment
 * (`.env.example` names the stack; the workflow files are rendered per stack). They never match
 * between staging and main, so the "same code as staging" check ignores them.
 */
export const STACK_MANAGED_PATHS = [ENV_EXAMPLE_PATH, ".github/workflows"] as const;

/**
 * Bash that sets found_id and found_sha to the newest GitHub deployment of `environment` (task
 * $TASK, repository $REPOSITORY) whose latest status is success, skipping a deployment when
 * `skipUnless` (a bash command over "$sha") fails. Needs `gh` with a token that reads deployments.
 */
export function newestSuccessfulDeployment(environment: EnvironmentName, skipUnless?: string): string[] {
  return [
    'found_id=""',
    'found_sha=""',
    "while read -r id sha; do",
    '  [ -n "$id" ] || continue',
    ...(skipUnless === undefined ? [] : [`  ${skipUnless} || continue`]),
    '  state="$(gh api "repos/$REPOSITORY/deployments/$id/statuses?per_page=1" --jq \'.[0].state // ""\')"',
    '  if [ "$state" = success ]; then found_id="$id"; found_sha="$sha"; break; fi',
    `done < <(gh api "repos/$REPOSITORY/deployments?environment=${environment}&task=$TASK&per_page=30" --jq '.[] | "\\(.id) \\(.sha)"')`,
  ];
}

/**
 * The pre-flight's "same code as staging" check (staging-prod): the newest successful staging
 * deployment (smoke tests passed) of a commit whose files equal $COMMIT's, except the files the
 * stacks manage per branch. Compares with git, so the job checks out the full history
 * (fetch-depth 0: every branch, so the staging commits are there). Writes the staging
 * deployment's image and web deployment URL to $GITHUB_OUTPUT.
 */
export function stagingArtifactScript(): string {
  const excludes = STACK_MANAGED_PATHS.map((path) => quote(`:(exclude)${path}`)).join(" ");
  return [
    "set -euo pipefail",
    "# Same files as this commit, except those each stack commits to its own branch.",
    "same_code() {",
    '  git cat-file -e "$1^{commit}" 2> /dev/null || return 1',
    `  git diff --quiet "$1" "$COMMIT" -- . ${excludes}`,
    "}",
    ...newestSuccessfulDeployment("staging", 'same_code "$sha"'),
    'if [ -z "$found_id" ]; then echo "::error::commit $COMMIT has no staging deployment of the same code with passing smoke tests"; exit 1; fi',
    'echo "promoting staging deployment $found_id (commit $found_sha)"',
    'gh api "repos/$REPOSITORY/deployments/$found_id" --jq \'"image=\\(.payload.image)\\nweb-url=\\(.payload.webDeploymentUrl)"\' >> "$GITHUB_OUTPUT"',
  ].join("\n");
}

/** What production runs now (the automatic rollback's target): image, web deployment URL and commit of the newest successful production deployment. */
export function previousProductionScript(): string {
  return [
    "set -euo pipefail",
    ...newestSuccessfulDeployment("production"),
    'if [ -z "$found_id" ]; then echo "::warning::no earlier successful production deployment: nothing to roll back to"; exit 0; fi',
    'gh api "repos/$REPOSITORY/deployments/$found_id" --jq \'"image=\\(.payload.image)\\nweb-url=\\(.payload.webDeploymentUrl)\\nsha=\\(.sha)"\' >> "$GITHUB_OUTPUT"',
  ].join("\n");
}
