import { expr, Step } from "./model";

/**
 * Starts the post-deployment watch (infra/metrics): once production runs the new release, the deploy
 * job writes the watch record, an SSM String parameter the metrics bridge reads every minute, with the
 * audit role's credentials (which may put that one parameter and nothing else in SSM). The bridge then
 * compares the error rate with the hour before `startedAt` (the pre-flight, when the deploy began) for
 * the watch window after `deployedAt`, pages with the commit and run link, and dispatches the rollback
 * workflow back to `previousDeployment`. No runner waits for the hour.
 * `startedAt` and `previousDeployment` come from the pre-flight's outputs (preflight.ts previousProductionScript).
 */
export function deployWatchStep(recordParameter: string, needs: { startedAt: string; previousDeployment: string }): Step {
  return {
    name: "Start the post-deployment watch (the metrics bridge watches the error rate for the next hour)",
    if: expr("success()"),
    env: {
      WATCH_PARAMETER: recordParameter,
      COMMIT: expr("github.sha"),
      REPOSITORY: expr("github.repository"),
      SERVER_URL: expr("github.server_url"),
      RUN_ID: expr("github.run_id"),
      RUN_ATTEMPT: expr("github.run_attempt"),
      STARTED_AT: needs.startedAt,
      PREVIOUS_DEPLOYMENT: needs.previousDeployment,
    },
    run: [
      "set -euo pipefail",
      'deployed_at="$(date -u +%Y-%m-%dT%H:%M:%SZ)"',
      'record="$(jq -cn --arg commit "$COMMIT" --arg runUrl "$SERVER_URL/$REPOSITORY/actions/runs/$RUN_ID/attempts/$RUN_ATTEMPT" \\',
      '  --arg runId "$RUN_ID-$RUN_ATTEMPT" --arg startedAt "${STARTED_AT:-$deployed_at}" --arg deployedAt "$deployed_at" \\',
      '  --arg previous "${PREVIOUS_DEPLOYMENT:-}" \\',
      "  '{version: 1, environment: \"production\", commit: $commit, runUrl: $runUrl, runId: $runId,",
      "    startedAt: $startedAt, deployedAt: $deployedAt, previousDeployment: $previous}')\"",
      'aws ssm put-parameter --name "$WATCH_PARAMETER" --type String --overwrite --value "$record" > /dev/null',
      'echo "Post-deployment watch started: $record" >> "$GITHUB_STEP_SUMMARY"',
    ].join("\n"),
  };
}
