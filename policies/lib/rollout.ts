import { UnknownInputError } from "./define";
import { asArray, asRecord, isRecord, isUnknown, knownNumber, knownString, Plain, PlainRecord } from "./values";

/**
 * Rollout plans and what a PostHog flag serves, as the pack reads them from a flag's inputs. The
 * pack never imports the program, so this is the pack's own reading of the same data: plan days
 * are calendar days in the plan's time zone, a stage is 0%, "team" or a percentage.
 */

export interface Exposure {
  percent: number;
  team: boolean;
}

export const OFF: Exposure = { percent: 0, team: false };

export interface Stage {
  day: number;
  exposure: Exposure;
  /** As written: a percentage or "team". */
  label: string;
}

export interface Plan {
  start: string;
  timezone: string;
  stages: Stage[];
}

/** A total order: off < team only < 1% < … < 100%. */
export function rank(exposure: Exposure): number {
  return exposure.percent > 0 ? 1 + Math.min(100, exposure.percent) : exposure.team ? 1 : 0;
}

export function describe(exposure: Exposure): string {
  if (exposure.percent >= 100) return "100%";
  if (exposure.percent > 0) return `${exposure.percent}%${exposure.team ? " + team" : ""}`;
  return exposure.team ? "team only" : "0%";
}

export function stageExposure(rollout: Plain | undefined): Exposure | undefined {
  if (rollout === "team") return { percent: 0, team: true };
  const percent = knownNumber(rollout);
  if (percent === undefined || percent < 0 || percent > 100) return undefined;
  return { percent, team: percent > 0 };
}

/** The plan a flag records (`rollout: {start, timezone, stages}`), or a reason it cannot be read. */
export function planOf(props: PlainRecord): Plan | string {
  const rollout = asRecord(props["rollout"]);
  if (isUnknown(props["rollout"])) throw new UnknownInputError("rollout");
  if (!rollout) return "the flag records no rollout plan (rollout)";
  const start = knownString(rollout["start"]);
  if (!start || !isCalendarDate(start)) return `rollout.start is not a date (got ${JSON.stringify(rollout["start"])})`;
  const timezone = knownString(rollout["timezone"]);
  if (!timezone || !isTimeZone(timezone)) return `rollout.timezone is not an IANA time zone (got ${JSON.stringify(rollout["timezone"])})`;
  const stages: Stage[] = [];
  for (const [index, entry] of asArray(rollout["stages"]).entries()) {
    const record = asRecord(entry);
    const day = knownNumber(record?.["day"]);
    const exposure = stageExposure(record?.["rollout"]);
    if (day === undefined || !Number.isInteger(day) || day < 0 || !exposure) return `rollout.stages[${index}] is not {day, rollout} (got ${JSON.stringify(entry)})`;
    stages.push({ day, exposure, label: record?.["rollout"] === "team" ? "team" : `${exposure.percent}%` });
  }
  if (stages.length === 0) return "the plan has no stages (rollout.stages)";
  return { start, timezone, stages };
}

/** The calendar date (YYYY-MM-DD) of an instant in a time zone. */
export function localDate(at: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat("en-US", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).formatToParts(at);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? "";
  return `${part("year")}-${part("month")}-${part("day")}`;
}

const DAY_MS = 86_400_000;

export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** The stage a plan has reached at `at` (undefined before its first stage), and the plan day. */
export function dueAt(plan: Plan, at: Date): { stage?: Stage; planDay: number } {
  const planDay = daysBetween(plan.start, localDate(at, plan.timezone));
  let stage: Stage | undefined;
  for (const candidate of plan.stages) if (candidate.day <= planDay) stage = candidate;
  return { stage, planDay };
}

/** The stage the plan is at on a plan day (the same rule as dueAt, by day). */
export function stageOnDay(stages: readonly Stage[], day: number): Stage | undefined {
  let stage: Stage | undefined;
  for (const candidate of stages) if (candidate.day <= day) stage = candidate;
  return stage;
}

/**
 * Who a flag serves, judged from what it sends to PostHog (`active`, `filters`), not from its
 * plan. PostHog serves a flag on any matching release condition (`filters.groups`, and the early
 * access `super_groups`, each OR-ed; PostHog/posthog:posthog/models/feature_flag/feature_flag.py),
 * a condition's `rollout_percentage` of null meaning all its users, and reads a legacy top-level
 * `rollout_percentage` when `filters` has no `groups` (`FeatureFlag.get_filters`). Only a condition
 * that is exactly "distinct_id is one of the team's ids" counts as the team; any other condition
 * counts as its rollout percentage of all users, whatever its properties narrow it to.
 */
export function servedExposure(props: PlainRecord, teamIds: readonly string[]): Exposure {
  if (isUnknown(props["active"])) throw new UnknownInputError("active");
  if (props["active"] === false) return OFF;
  if (isUnknown(props["filters"])) throw new UnknownInputError("filters");
  const filters = asRecord(props["filters"]) ?? {};
  const groups: Plain[] = Array.isArray(filters["groups"])
    ? [...filters["groups"], ...asArray(filters["super_groups"])]
    : [{ properties: filters["properties"] ?? [], rollout_percentage: props["rollout_percentage"] ?? null }];
  let percent = 0;
  let team = false;
  for (const group of groups) {
    const record = asRecord(group) ?? {};
    const raw = record["rollout_percentage"];
    if (isUnknown(raw)) throw new UnknownInputError("filters.groups[].rollout_percentage");
    const share = raw === null || raw === undefined ? 100 : Math.max(0, Math.min(100, knownNumber(raw) ?? 100));
    if (share === 0) continue;
    if (isTeamCondition(record["properties"], teamIds) && share === 100) team = true;
    else percent = Math.max(percent, share);
  }
  return { percent, team };
}

function isTeamCondition(properties: Plain | undefined, teamIds: readonly string[]): boolean {
  const list = asArray(properties);
  if (list.length !== 1 || !isRecord(list[0])) return false;
  const property = list[0];
  const operator = property["operator"] ?? "exact";
  const values = Array.isArray(property["value"]) ? property["value"] : [property["value"] ?? null];
  return (
    property["key"] === "distinct_id" &&
    (property["type"] ?? "person") === "person" &&
    operator === "exact" &&
    values.length > 0 &&
    values.every((value) => typeof value === "string" && teamIds.includes(value))
  );
}

export function isCalendarDate(date: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return false;
  const parsed = new Date(`${date}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === date;
}

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * The flag register's reading a flag records (`register: {parameter, recordedStart}`): the day 0 the
 * stack's own `pulumi up` wrote before this run (infra/flags/register.ts), or null for a flag's first
 * run in the stack. A reason instead when the flag records no readable reading.
 */
export function registerReading(props: PlainRecord): { parameter: string; recordedStart: string | null } | string {
  if (isUnknown(props["register"])) throw new UnknownInputError("register");
  const register = asRecord(props["register"]);
  if (!register) return "records no reading of its flag register (register), so its real day 0 is unknown";
  if (isUnknown(register["recordedStart"])) throw new UnknownInputError("register.recordedStart");
  const parameter = knownString(register["parameter"]);
  const recorded = register["recordedStart"];
  if (!parameter) return `register.parameter is not a parameter name (got ${JSON.stringify(register["parameter"])})`;
  if (recorded !== null && (typeof recorded !== "string" || !isCalendarDate(recorded))) return `register.recordedStart is not a date or null (got ${JSON.stringify(recorded)})`;
  return { parameter, recordedStart: recorded };
}

/**
 * The day 0 a plan runs from: its start, but never before the day 0 the register recorded, and for a
 * flag with no record (its first run in the stack) never before today, in the plan's time zone. The
 * pack's own reading of the program's rule (infra/flags/register.ts dayZero), at the pack's clock.
 */
export function dayZeroOf(plan: Plan, recordedStart: string | null, at: Date): string {
  const floor = recordedStart ?? localDate(at, plan.timezone);
  return plan.start > floor ? plan.start : floor;
}
