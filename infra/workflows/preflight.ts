import { Schedule } from "../../policies/lib/schedule";
import { SCHEDULE_CHECK_SCRIPT, scheduleCheckEnv } from "../../policies/lib/scheduleCheck";
import { EnvironmentName } from "../config/schema";
import { deploySecrets, deployVariables } from "../pipeline/deployContract";
import { ENV_EXAMPLE_PATH } from "../secrets/envExample";
import { RECOVERY_FILE_PATHS } from "../backup/disasterRecovery";
import { expr, Step } from "./model";
import { secret, vars } from "./steps";

/**
 * The production pre-flight's checks. The schedule check is the pack's own fixed script
 * (policies/lib/scheduleCheck.ts) with the stack's schedule as env data, so the pack can read
 * exactly what the committed pre-flight enforces; the operator's inputs arrive as env (EMERGENCY, REASON).
 */
export function scheduleCheckStep(schedule: Schedule): Step {
  return {
    name: "Inside the deploy window and outside every freeze (or an emergency with a reason)",
    id: "schedule",
    env: { ...scheduleCheckEnv(schedule), EMERGENCY: expr("inputs.emergency"), REASON: expr("inputs.reason") },
    run: SCHEDULE_CHECK_SCRIPT,
  };
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
export const STACK_MANAGED_PATHS = [ENV_EXAMPLE_PATH, ".github/workflows", ...RECOVERY_FILE_PATHS] as const;

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
 * deployment's API image (by digest) to $GITHUB_OUTPUT: production promotes that image; its web
 * is built for production (NEXT_PUBLIC_* values are inlined at build time).
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
    'gh api "repos/$REPOSITORY/deployments/$found_id" --jq \'"image=\\(.payload.image)"\' >> "$GITHUB_OUTPUT"',
  ].join("\n");
}

/**
 * What production runs now (the automatic rollback's target): image, web deployment URL, commit and
 * GitHub deployment id of the newest successful production deployment; and when the deploy started
 * (`started-at`, the post-deployment watch's baseline ends there).
 */
export function previousProductionScript(): string {
  return [
    "set -euo pipefail",
    'echo "started-at=$(date -u +%Y-%m-%dT%H:%M:%SZ)" >> "$GITHUB_OUTPUT"',
    ...newestSuccessfulDeployment("production"),
    'if [ -z "$found_id" ]; then echo "::warning::no earlier successful production deployment: nothing to roll back to"; exit 0; fi',
    'echo "deployment-id=$found_id" >> "$GITHUB_OUTPUT"',
    'gh api "repos/$REPOSITORY/deployments/$found_id" --jq \'"image=\\(.payload.image)\\nweb-url=\\(.payload.webDeploymentUrl)\\nsha=\\(.sha)"\' >> "$GITHUB_OUTPUT"',
  ].join("\n");
}

/**
 * rollback.yml's target: a release the environment ran before, as its deploy recorded it (GitHub
 * deployment payload: API image by digest, web deployment URL). $REQUESTED names a GitHub deployment
 * id to return to; empty means the newest successful deployment whose release differs from the one
 * running now (the newest successful one). Fails unless the target is an earlier successful
 * deployment of $ENVIRONMENT with an image of $REPO pinned by digest and an https web deployment.
 * Writes image, web-url, sha and deployment-id to $GITHUB_OUTPUT.
 */
export function rollbackTargetScript(): string {
  return [
    "set -euo pipefail",
    "release_of() {",
    '  gh api "repos/$REPOSITORY/deployments/$1" --jq \'"\\(.payload.image) \\(.payload.webDeploymentUrl) \\(.sha)"\'',
    "}",
    "successful=()",
    "while read -r id; do",
    '  if [ -z "$id" ]; then continue; fi',
    '  state="$(gh api "repos/$REPOSITORY/deployments/$id/statuses?per_page=1" --jq \'.[0].state // ""\')"',
    '  if [ "$state" = success ]; then successful+=("$id"); fi',
    'done < <(gh api "repos/$REPOSITORY/deployments?environment=$ENVIRONMENT&task=$TASK&per_page=50" --jq \'.[].id\')',
    'if [ "${#successful[@]}" -eq 0 ]; then echo "::error::$ENVIRONMENT has no successful deployment recorded"; exit 1; fi',
    '# a release is its artifacts (image, web deployment); the commit may differ (e.g. a stack-file-only change)',
    'artifacts_of() { release_of "$1" | cut -d " " -f 1,2; }',
    'current="$(artifacts_of "${successful[0]}")"',
    'target=""',
    'for id in "${successful[@]:1}"; do',
    '  if [ -n "$REQUESTED" ]; then',
    '    if [ "$id" = "$REQUESTED" ]; then target="$id"; break; fi',
    '  elif [ "$(artifacts_of "$id")" != "$current" ]; then',
    '    target="$id"',
    "    break",
    "  fi",
    "done",
    'if [ -z "$target" ]; then echo "::error::no earlier successful $ENVIRONMENT deployment${REQUESTED:+ with id $REQUESTED} to return to"; exit 1; fi',
    'read -r image web sha <<< "$(release_of "$target")"',
    'case "$image" in "$REPO"@sha256:*) ;; *) echo "::error::deployment $target recorded no image of $REPO by digest ($image)"; exit 1 ;; esac',
    'case "$web" in https://*) ;; *) echo "::error::deployment $target recorded no web deployment URL ($web)"; exit 1 ;; esac',
    'echo "returning $ENVIRONMENT to deployment $target (commit $sha): $image, $web"',
    'printf \'image=%s\\nweb-url=%s\\nsha=%s\\ndeployment-id=%s\\n\' "$image" "$web" "$sha" "$target" >> "$GITHUB_OUTPUT"',
  ].join("\n");
}
