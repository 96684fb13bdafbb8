import { deployVariables } from "../pipeline/deployContract";
import { expr, Step } from "./model";
import { cliPins } from "./pins";
import { vars } from "./steps";

/** The step id whose `score` output the audit record takes. */
export const LIGHTHOUSE_STEP_ID = "lighthouse";

/** How many Lighthouse runs the post-release audit takes the median of (one run varies with the network). */
export const LIGHTHOUSE_RUNS = 3;

/**
 * The spec's post-deployment check "Lighthouse audit on production URL", after the release is live
 * and its smoke tests passed: Lighthouse CI collects LIGHTHOUSE_RUNS runs of the production URL
 * (`lhci collect --url --numberOfRuns` saves each result as `.lighthouseci/lhr-<ms>.json`:
 * @lhci/utils@0.15.1 src/saved-reports.js saveLHR; options: @lhci/cli@0.15.1 src/collect/collect.js),
 * and the median performance score (`categories.performance.score`, 0–1) × 100 is the release's
 * score. Under the floor (budgets.lighthouseMinScore) it warns (an annotation and the summary);
 * it never fails the job, so it never rolls back (the smoke tests do that) nor pages: the step
 * continues on error, and a run that produced no score records none. The deploy's summary says
 * where the other post-deployment check, the error-rate watch against the pre-deploy baseline,
 * runs (`watch`).
 */
export function lighthouseStep(minScore: number, watch?: { parameter: string; windowMinutes: number }): Step {
  const watchLine = watch
    ? `echo "Error rate against the pre-deploy baseline: the metrics bridge watches it for ${watch.windowMinutes} min (record: SSM ${watch.parameter}; it pages and rolls back on its own)." >> "$GITHUB_STEP_SUMMARY"`
    : `echo "Error rate against the pre-deploy baseline: no post-deployment watch is configured (flightdeck:metricsBridge.watch)." >> "$GITHUB_STEP_SUMMARY"`;
  return {
    // A measurement, not a gate: `lhci collect` asserts nothing (policies/lib/workflow/roles.ts isGateCommand).
    name: "Lighthouse performance of the production URL after release (warns under the floor, never rolls back)",
    id: LIGHTHOUSE_STEP_ID,
    if: expr("success()"),
    "continue-on-error": true,
    env: { WEB_URL: vars(deployVariables.webUrl), LIGHTHOUSE_MIN_SCORE: String(minScore) },
    run: [
      "set -euo pipefail",
      'workdir="$(mktemp -d)"',
      'cd "$workdir"',
      `npx --yes ${cliPins.lhci} collect --url="$WEB_URL" --numberOfRuns=${LIGHTHOUSE_RUNS}`,
      "score=\"$(jq -s '[.[].categories.performance.score | select(. != null)] | sort | if length == 0 then empty else .[length / 2 | floor] * 100 | round end' .lighthouseci/lhr-*.json)\"",
      'echo "## Post-deployment checks" >> "$GITHUB_STEP_SUMMARY"',
      'if [ -z "$score" ]; then',
      '  echo "::warning::Lighthouse produced no performance score for $WEB_URL"',
      '  echo "Lighthouse: no performance score for $WEB_URL." >> "$GITHUB_STEP_SUMMARY"',
      "else",
      '  echo "score=$score" >> "$GITHUB_OUTPUT"',
      '  echo "Lighthouse performance of $WEB_URL: $score (floor $LIGHTHOUSE_MIN_SCORE, median of ' + LIGHTHOUSE_RUNS + ' runs)." >> "$GITHUB_STEP_SUMMARY"',
      '  if [ "$score" -lt "$LIGHTHOUSE_MIN_SCORE" ]; then',
      '    echo "::warning::Lighthouse performance $score is under the floor $LIGHTHOUSE_MIN_SCORE on $WEB_URL (no rollback: investigate)"',
      "  fi",
      "fi",
      watchLine,
    ].join("\n"),
  };
}
