import { Exposure, localDate } from "./rollout";

/**
 * The flag register: one SSM parameter per flag and stack (`/flightdeck/<product>/<environment>/feature-flags/<key>`),
 * written by that stack's `pulumi up` after PostHog has taken the flag's stage, holding what the stack serves
 * and its real day 0. Each run reads it back by path (GetParametersByPath: it is authorised against the
 * path, and answers nothing, not an error, before the first write:
 * https://docs.aws.amazon.com/systems-manager/latest/userguide/ps-retrieval-authorization.html), so:
 * - a stack judges each flag's stage from the day 0 it recorded, not from whatever `rollout.start` a
 *   change writes now: the start can be postponed, never backdated;
 * - production reads staging's register to know what staging serves, without reading staging's state.
 * The policy pack cannot import the program: policies/lib/rollout.ts reads the same record.
 */
export const flagRegister = {
  path: (product: string, environment: string) => `/flightdeck/${product}/${environment}/feature-flags`,
  parameterName: (product: string, environment: string, key: string) => `${flagRegister.path(product, environment)}/${key}`,
  tagKey: "flightdeck:feature-flag",
} as const;

/** What a stack's `pulumi up` writes for one flag (JSON). */
export interface FlagRecord {
  key: string;
  /** Day 0 as this stack applied it (YYYY-MM-DD in the plan's time zone): never earlier than a day 0 recorded before. */
  start: string;
  /** The stage applied, in words, and who it serves. */
  stage: string;
  exposure: Exposure;
  killSwitch: boolean;
  /** Where the record came from when it was not read from the register (the offline plan). */
  note?: string;
}

/**
 * The stack a stack's flags follow: production follows staging when the deployment has both (the
 * model has staging, and the bootstrap declares both stacks), so production reads staging's register.
 * One rule for the program (which reads) and the bootstrap (which grants the read).
 */
export function leadStackOf(environment: string, stacks: readonly string[]): string | undefined {
  return environment === "production" && stacks.includes("staging") ? "staging" : undefined;
}

/** The records under one register path, by flag key; a value that is not a record is skipped (read as no record). */
export function recordsOf(read: { names: readonly string[]; values: readonly string[] }, path: string): Map<string, FlagRecord> {
  const records = new Map<string, FlagRecord>();
  read.names.forEach((name, index) => {
    if (!name.startsWith(`${path}/`)) return;
    const record = parseRecord(read.values[index]);
    if (record && record.key === name.slice(path.length + 1)) records.set(record.key, record);
  });
  return records;
}

function parseRecord(text: string | undefined): FlagRecord | undefined {
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== "object") return undefined;
  const record = value as Record<string, unknown>;
  const exposure = record["exposure"] as Record<string, unknown> | undefined;
  if (typeof record["key"] !== "string" || typeof record["start"] !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(record["start"])) return undefined;
  if (!exposure || typeof exposure["percent"] !== "number" || typeof exposure["team"] !== "boolean") return undefined;
  return {
    key: record["key"],
    start: record["start"],
    stage: typeof record["stage"] === "string" ? record["stage"] : "",
    exposure: { percent: exposure["percent"], team: exposure["team"] },
    killSwitch: record["killSwitch"] === true,
  };
}

/**
 * The day 0 a run applies: the configured start, but never before the day 0 the register recorded,
 * and, for a flag the register has no record of (its first run in this stack), never before the run's
 * own day. Dates compare as text (YYYY-MM-DD).
 */
export function dayZero(configuredStart: string, recordedStart: string | undefined, at: Date, timezone: string): string {
  const floor = recordedStart ?? localDate(at, timezone);
  return configuredStart > floor ? configuredStart : floor;
}
