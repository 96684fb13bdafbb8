import { BridgeConfig, EventDefinition } from "../contract";
import { Deadline, SourceError, parseJson, request } from "./http";

/**
 * PostHog through its query API: `POST /api/projects/{project_id}/query/` with a personal API key
 * (`Authorization: Bearer`, scope query:read) and a `HogQLQuery` (https://posthog.com/docs/api/queries;
 * PostHog/posthog posthog/api/query.py QueryViewSet.create). The response's `results` is a list of rows
 * and `columns` their names (posthog/schema.py HogQLQueryResponse). `values` fills `{placeholders}`
 * with constants (frontend/src/queries/schema.ts HogQLQuery.values), so event names and times never
 * become query text.
 *
 * One query per run, whatever it measures: a personal API key may run 120 HogQL queries an hour
 * (posthog/rate_limit.py HogQLQueryThrottle, "120/hour", on the query endpoint for kind HogQLQuery),
 * and the bridge runs 60 times an hour.
 */

/** A half-open time window [from, to). */
export interface Window {
  name: string;
  from: Date;
  to: Date;
}

export interface Counts {
  requests: number;
  errors: number;
}

/**
 * An instant as ISO 8601 text with its zone (`2026-12-01T15:28:00Z`). HogQL's `toDateTime` is time-zone
 * aware: it becomes `parseDateTime64BestEffortOrNull(text, 6, '<the project's time zone>')`
 * (PostHog/posthog@af2acc5c posthog/hogql/functions/mapping.py, `tz_aware=True`), which reads zone-less
 * text as a time in that zone. Text that names its zone is that instant in any zone
 * (ClickHouse/ClickHouse@08ff8195 tests/queries/0_stateless/01281_parseDateTime64BestEffort.sql and
 * .reference: `'…03:37:03.253184Z'` with `'Europe/Minsk'` is 06:37:03 Minsk, the same instant).
 */
export function utcInstantText(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

function condition(definition: EventDefinition, eventPlaceholder: string): string {
  return definition.where === undefined ? `event = {${eventPlaceholder}}` : `event = {${eventPlaceholder}} AND (${definition.where})`;
}

/** The HogQL query and its values for the windows (each a pair of columns `<name>_requests`, `<name>_errors`). */
export function errorRateQuery(config: BridgeConfig["posthog"], windows: Window[]): { query: string; values: Record<string, string> } {
  const values: Record<string, string> = { requests_event: config.requests.event, errors_event: config.errors.event };
  const columns: string[] = [];
  for (const window of windows) {
    values[`${window.name}_from`] = utcInstantText(window.from);
    values[`${window.name}_to`] = utcInstantText(window.to);
    const within = `timestamp >= toDateTime({${window.name}_from}) AND timestamp < toDateTime({${window.name}_to})`;
    columns.push(`countIf(${condition(config.requests, "requests_event")} AND ${within}) AS ${window.name}_requests`);
    columns.push(`countIf(${condition(config.errors, "errors_event")} AND ${within}) AS ${window.name}_errors`);
  }
  const from = new Date(Math.min(...windows.map((window) => window.from.getTime())));
  const to = new Date(Math.max(...windows.map((window) => window.to.getTime())));
  values["all_from"] = utcInstantText(from);
  values["all_to"] = utcInstantText(to);
  const query =
    `SELECT ${columns.join(", ")} FROM events ` +
    "WHERE timestamp >= toDateTime({all_from}) AND timestamp < toDateTime({all_to}) AND event IN ({requests_event}, {errors_event})";
  return { query, values };
}

/** PostHog's error body (posthog/exceptions.py: `type`, `code`, `detail`, `attr`) as one line. */
function describeError(status: number, body: unknown): string {
  if (body !== null && typeof body === "object") {
    const record = body as Record<string, unknown>;
    const parts = [record["type"], record["code"]].filter((part) => typeof part === "string").join("/");
    const detail = typeof record["detail"] === "string" ? record["detail"] : "";
    if (parts !== "" || detail !== "") return `${status} ${parts}${detail ? `: ${detail}` : ""}`;
  }
  return String(status);
}

/** Requests and errors in each window, from one query. */
export async function readErrorCounts(
  config: BridgeConfig["posthog"],
  apiKey: string,
  windows: Window[],
  options: { deadline: Deadline; timeoutMs: number },
): Promise<Map<string, Counts>> {
  const { query, values } = errorRateQuery(config, windows);
  const host = config.host.replace(/\/$/, "");
  const url = `${host}/api/projects/${config.projectId}/query/`;
  const result = await request(url, {
    method: "POST",
    headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
    body: JSON.stringify({ query: { kind: "HogQLQuery", query, values }, refresh: "force_blocking" }),
    timeoutMs: options.timeoutMs,
    deadline: options.deadline,
    retries: config.retries,
  });
  const body = result.text === "" ? undefined : parseJson(result, "PostHog");
  if (result.status !== 200) throw new SourceError(`PostHog query for project ${config.projectId} failed: ${describeError(result.status, body)}`, result.status);
  const record = body !== null && typeof body === "object" ? (body as Record<string, unknown>) : {};
  const columns = record["columns"];
  const rows = record["results"];
  if (!Array.isArray(columns) || !Array.isArray(rows)) throw new SourceError("PostHog answered without columns and results");
  const row = rows[0];
  if (!Array.isArray(row)) throw new SourceError("PostHog answered with no row (an aggregate query always has one)");
  const read = (column: string): number => {
    const index = columns.indexOf(column);
    const value = index < 0 ? undefined : row[index];
    const number = typeof value === "string" ? Number(value) : value;
    if (typeof number !== "number" || !Number.isFinite(number) || number < 0) throw new SourceError(`PostHog's ${column} is not a count (got ${JSON.stringify(value)})`);
    return number;
  };
  const counts = new Map<string, Counts>();
  for (const window of windows) counts.set(window.name, { requests: read(`${window.name}_requests`), errors: read(`${window.name}_errors`) });
  return counts;
}

/** Errors ÷ requests in percent; undefined with no requests (no traffic is not a 0% error rate). */
export function errorRatePercent(counts: Counts): number | undefined {
  return counts.requests === 0 ? undefined : (counts.errors / counts.requests) * 100;
}
