/**
 * The canonical scenarios a metrics bridge bundle is run against, and what each must do, derived from the
 * figures of the bridge's own config document (`FLIGHTDECK_BRIDGE`, the document the policy pack judges
 * against the spec: policies/lib/bridges.ts, policies/rules/metrics.ts), never from the code under test.
 *
 * The spec: "Watch error rate for 1 hour after production deploy; Compare with baseline (pre-deploy error
 * rate); If errors spike > 2x baseline → investigate immediately" and its change log's "automated rollback
 * on error rate > 5%". With the spec's figures (pageFactor 2, rollbackErrorRatePercent 5) the scenarios are
 * the canonical ones: a 1% baseline then 1.5% is quiet, then 2.5% pages, then 6% dispatches the rollback;
 * and whatever the watch does, the error rate is published in percent (2.5% is 2.5, unit Percent), the
 * unit of the alarm thresholds the pack judges. Stricter figures move the scenarios with them.
 */

/** The watch figures the scenarios are derived from (the document's `watch`, as the pack reads it). */
export interface WatchFigures {
  pageFactor: number;
  rollbackErrorRatePercent: number;
  minRequests: number;
  minErrors: number;
  baselineFloorPercent: number;
  evaluationMinutes: number;
  windowMinutes: number;
}

export type WatchAction = "none" | "page" | "rollback";

export interface BridgeScenario {
  /** kebab-case, stable: replay cases and reports name it. */
  id: string;
  /** In words, with its figures: `baseline 1% then 2.5%`. */
  title: string;
  /** The error rate of the hour before the deploy, and after it (percent). */
  baselinePercent: number;
  recentPercent: number;
  /** Whether a deploy is being watched (a watch record the deploy workflow wrote, inside the watch window). */
  watched: boolean;
  /** What the watch must do: nothing, page the critical topic, or dispatch the rollback workflow (and page). */
  expectAction: WatchAction;
}

/** Requests per second the stand-in serves: enough for any verdict floor the pack allows (minRequests ≤ 100 over ≥ 1 minute). */
export const REQUESTS_PER_SECOND = 20;

/** The canonical pre-deploy baseline: 1%, or the document's floor when that is higher (a lower baseline counts as the floor). */
export const CANONICAL_BASELINE_PERCENT = 1;

/**
 * What the spec asks of the watch for these rates, over the evaluated minutes at REQUESTS_PER_SECOND: no
 * verdict without evidence (minRequests, minErrors), a rollback above rollbackErrorRatePercent, a page above
 * pageFactor × the baseline (never below the floor), else nothing.
 */
export function expectedAction(figures: WatchFigures, baselinePercent: number, recentPercent: number): WatchAction {
  const requests = REQUESTS_PER_SECOND * 60 * figures.evaluationMinutes;
  const errors = Math.floor((requests * recentPercent) / 100);
  if (requests < figures.minRequests || errors < figures.minErrors) return "none";
  if (recentPercent > figures.rollbackErrorRatePercent) return "rollback";
  if (recentPercent > figures.pageFactor * Math.max(baselinePercent, figures.baselineFloorPercent)) return "page";
  return "none";
}

const round = (value: number) => Math.round(value * 1000) / 1000;

/** The scenarios for a bridge; `figures` undefined: the bridge has no watch (staging), only the published error rate is checked. */
export function bridgeScenarios(figures: WatchFigures | undefined): BridgeScenario[] {
  if (figures === undefined) {
    return [{ id: "bridge-publishes-error-rate-percent", title: "2.5% errors, no deploy watched", baselinePercent: 2.5, recentPercent: 2.5, watched: false, expectAction: "none" }];
  }
  const baseline = Math.max(CANONICAL_BASELINE_PERCENT, figures.baselineFloorPercent);
  const pageAbove = figures.pageFactor * baseline;
  const rates = {
    quiet: round(pageAbove * 0.75),
    page: round(pageAbove * 1.25),
    rollback: round(figures.rollbackErrorRatePercent * 1.2),
  };
  const scenario = (id: string, recent: number): BridgeScenario => ({
    id,
    title: `baseline ${baseline}% then ${recent}%`,
    baselinePercent: baseline,
    recentPercent: recent,
    watched: true,
    expectAction: expectedAction(figures, baseline, recent),
  });
  return [scenario("bridge-watch-quiet", rates.quiet), scenario("bridge-watch-pages", rates.page), scenario("bridge-watch-rolls-back", rates.rollback)];
}

/** Reads the watch figures from the document the pack judges; a missing figure is named (the check then fails closed). */
export function watchFigures(numbers: Record<string, number | undefined>): WatchFigures | string {
  const keys = ["pageFactor", "rollbackErrorRatePercent", "minRequests", "minErrors", "baselineFloorPercent", "evaluationMinutes", "windowMinutes"] as const;
  const missing = keys.filter((key) => typeof numbers[key] !== "number");
  if (missing.length > 0) return `the watch in FLIGHTDECK_BRIDGE has no ${missing.join(", ")}`;
  return Object.fromEntries(keys.map((key) => [key, numbers[key]!])) as unknown as WatchFigures;
}
