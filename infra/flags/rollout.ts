/**
 * Rollout plans as data, and the stage a plan is at on a given day. Pure: no Pulumi, no network.
 *
 * A plan is a start date (day 0, a calendar date in a time zone) and stages, each from a plan
 * day on: 0% (off), "team" (the flag's early-access members only) or a percentage of users
 * (the team keeps the flag). The spec's plan, from "Feature Flags → Rollout Strategy":
 * 0% on day 0, team only on day 1, 5% on day 3, 25% on day 7, 50% on day 14, 100% on day 21.
 */

/** A stage's audience: a percentage of all users, or "team" (early-access members only). */
export type StageRollout = number | "team";

export interface PlanStage {
  /** Plan day the stage begins on (day 0 is the start date). */
  day: number;
  rollout: StageRollout;
}

/** The spec's stages. */
export const specStages: readonly PlanStage[] = [
  { day: 0, rollout: 0 },
  { day: 1, rollout: "team" },
  { day: 3, rollout: 5 },
  { day: 7, rollout: 25 },
  { day: 14, rollout: 50 },
  { day: 21, rollout: 100 },
];

export interface RolloutPlan {
  /** Day 0, YYYY-MM-DD, in `timezone`. */
  start: string;
  /** IANA time zone whose midnights separate plan days. */
  timezone: string;
  stages: readonly PlanStage[];
  /** On: the flag is off for everyone, whatever the plan says. */
  killSwitch: boolean;
}

/** Who gets the flag: a percentage of all users, plus (or only) the early-access team. */
export interface Exposure {
  percent: number;
  team: boolean;
}

export const OFF: Exposure = { percent: 0, team: false };

export function exposureOf(rollout: StageRollout): Exposure {
  if (rollout === "team") return { percent: 0, team: true };
  return { percent: rollout, team: rollout > 0 };
}

/** A total order on exposures: off < team only < 1% < … < 100%. */
export function exposureRank(exposure: Exposure): number {
  return exposure.percent > 0 ? 1 + exposure.percent : exposure.team ? 1 : 0;
}

export function describeExposure(exposure: Exposure): string {
  if (exposure.percent >= 100) return "100%";
  if (exposure.percent > 0) return `${exposure.percent}%`;
  return exposure.team ? "team only" : "0%";
}

export interface RolloutState {
  exposure: Exposure;
  /** Days since the start date in the plan's time zone (negative before it). */
  planDay: number;
  /** The stage in force, by index into the plan; undefined before the first stage. */
  stageIndex?: number;
  /** The date the stage in force began (YYYY-MM-DD), when there is one. */
  stageSince?: string;
  next?: { rollout: StageRollout; date: string };
  /** What a preview shows, e.g. `5% (day 3 of plan since 2026-12-01; next: 25% on 2026-12-08)`. */
  label: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** The calendar date (YYYY-MM-DD) of an instant in a time zone. */
export function localDate(at: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat("en-US", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).formatToParts(at);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? "";
  return `${part("year")}-${part("month")}-${part("day")}`;
}

/** Whole calendar days from `from` to `to` (both YYYY-MM-DD); independent of daylight saving. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** The stage of `plan` in force at `at`, and how a preview describes it. */
export function rolloutAt(plan: RolloutPlan, at: Date): RolloutState {
  const planDay = daysBetween(plan.start, localDate(at, plan.timezone));
  let stageIndex: number | undefined;
  plan.stages.forEach((stage, index) => {
    if (stage.day <= planDay) stageIndex = index;
  });
  const nextStage = plan.stages[stageIndex === undefined ? 0 : stageIndex + 1];
  const next = nextStage ? { rollout: nextStage.rollout, date: addDays(plan.start, nextStage.day) } : undefined;
  const current = stageIndex === undefined ? undefined : plan.stages[stageIndex];
  const planned = current ? exposureOf(current.rollout) : OFF;
  const exposure = plan.killSwitch ? OFF : planned;
  const stageSince = current ? addDays(plan.start, current.day) : undefined;
  return { exposure, planDay, stageIndex, stageSince, next, label: labelOf(plan, planned, current, next) };
}

function labelOf(plan: RolloutPlan, planned: Exposure, current: PlanStage | undefined, next: RolloutState["next"]): string {
  const nextText = next ? `next: ${describeExposure(exposureOf(next.rollout))} on ${next.date}` : "complete: remove the flag in the next release";
  if (plan.killSwitch) {
    return `0% (kill switch on; the plan is at ${current ? `${describeExposure(planned)} since ${addDays(plan.start, current.day)}` : `0%, not started (day 0 is ${plan.start})`})`;
  }
  if (!current) return `0% (plan not started; day 0 is ${plan.start})`;
  return `${describeExposure(planned)} (day ${current.day} of plan since ${plan.start}; ${nextText})`;
}
