import { WatchConfig, WatchRecord } from "../contract";
import { Counts, Window, errorRatePercent } from "./posthog";

/**
 * The post-deployment watch's decision, pure: the spec's "Monitor error rate for 1 hour" after a
 * production deploy, "Compare with baseline (pre-deploy error rate)", "If errors spike > 2x baseline →
 * investigate immediately", and its change log's "automated rollback on error rate > 5%" ("Error rate
 * > 5% for 5 minutes"). A verdict needs evidence: at least `minRequests` requests and `minErrors` errors
 * in the evaluated minutes, and a baseline below `baselineFloorPercent` counts as that floor, so a quiet
 * baseline (0 errors) followed by a handful of errors is neither a page nor a rollback.
 */

export type WatchThresholds = Pick<WatchConfig, "windowMinutes" | "baselineMinutes" | "evaluationMinutes" | "pageFactor" | "rollbackErrorRatePercent" | "minRequests" | "minErrors" | "baselineFloorPercent">;

const MINUTE = 60_000;

/** Whether the record's watch is running at `now`: from the deploy until windowMinutes after it. */
export function watchActive(record: WatchRecord, thresholds: Pick<WatchThresholds, "windowMinutes">, now: Date): boolean {
  const deployed = Date.parse(record.deployedAt);
  return now.getTime() >= deployed && now.getTime() < deployed + thresholds.windowMinutes * MINUTE;
}

/**
 * The two windows the watch compares: the baseline (the baselineMinutes before the deploy started) and
 * the recent minutes (evaluationMinutes ending `lagSeconds` ago, never before the release went live).
 */
export function watchWindows(record: WatchRecord, thresholds: WatchThresholds, now: Date, lagSeconds: number): { baseline: Window; recent: Window } {
  const started = Date.parse(record.startedAt);
  const deployed = Date.parse(record.deployedAt);
  const end = now.getTime() - lagSeconds * 1000;
  return {
    baseline: { name: "baseline", from: new Date(started - thresholds.baselineMinutes * MINUTE), to: new Date(started) },
    recent: { name: "recent", from: new Date(Math.max(deployed, end - thresholds.evaluationMinutes * MINUTE)), to: new Date(Math.max(deployed, end)) },
  };
}

export type WatchVerdict =
  | { kind: "insufficient"; reason: string; recent: Counts }
  | { kind: "healthy"; ratePercent: number; baselinePercent: number; recent: Counts }
  | { kind: "page"; ratePercent: number; baselinePercent: number; recent: Counts; reason: string }
  | { kind: "rollback"; ratePercent: number; baselinePercent: number; recent: Counts; reason: string };

/** The baseline the watch compares with: the measured rate, or the floor when it is lower or unmeasurable. */
export function effectiveBaselinePercent(baseline: Counts, thresholds: Pick<WatchThresholds, "minRequests" | "baselineFloorPercent">): number {
  const measured = baseline.requests >= thresholds.minRequests ? errorRatePercent(baseline) : undefined;
  return Math.max(measured ?? 0, thresholds.baselineFloorPercent);
}

export function judgeWatch(baseline: Counts, recent: Counts, thresholds: WatchThresholds): WatchVerdict {
  if (recent.requests < thresholds.minRequests) {
    return { kind: "insufficient", reason: `${recent.requests} requests in the last ${thresholds.evaluationMinutes} min (a verdict needs ${thresholds.minRequests})`, recent };
  }
  const ratePercent = errorRatePercent(recent)!;
  const baselinePercent = effectiveBaselinePercent(baseline, thresholds);
  const enoughErrors = recent.errors >= thresholds.minErrors;
  const summary = `${format(ratePercent)}% errors (${recent.errors} of ${recent.requests} requests) in the last ${thresholds.evaluationMinutes} min`;
  if (enoughErrors && ratePercent > thresholds.rollbackErrorRatePercent) {
    return { kind: "rollback", ratePercent, baselinePercent, recent, reason: `${summary}, above the ${thresholds.rollbackErrorRatePercent}% rollback threshold` };
  }
  if (enoughErrors && ratePercent > thresholds.pageFactor * baselinePercent) {
    return { kind: "page", ratePercent, baselinePercent, recent, reason: `${summary}, above ${thresholds.pageFactor}× the pre-deploy baseline of ${format(baselinePercent)}%` };
  }
  return { kind: "healthy", ratePercent, baselinePercent, recent };
}

function format(percent: number): string {
  return percent.toFixed(2).replace(/\.?0+$/, "");
}
