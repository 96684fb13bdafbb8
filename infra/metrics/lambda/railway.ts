import { BridgeConfig } from "../contract";
import { Deadline, SourceError, parseJson, request } from "./http";

/**
 * Railway through its public GraphQL API (https://docs.railway.com/reference/public-api), with a project
 * token in the `Project-Access-Token` header (scoped to one environment; railwayapp/cli@v5.43.1
 * src/client.rs sends it so). Field names are the schema's (railwayapp/cli@v5.43.1 src/gql/schema.json):
 * - `httpDurationMetrics(serviceId, environmentId, startDate, endDate, stepSeconds)` → `samples { ts p50 p90
 *   p95 p99 }`; without stepSeconds an aggregate call returns one sample for the window (src/controllers/
 *   metrics.rs), in milliseconds (the CLI prints them as `p95_ms`);
 * - `metrics(projectId, environmentId, serviceId, startDate, endDate, measurements: [MetricMeasurement!]!)`
 *   → `[MetricsResult { measurement values { ts value } }]`, CPU_USAGE and CPU_LIMIT in vCPU (the CLI's
 *   utilization is usage ÷ limit × 100);
 * - `volumeInstance(id)` → `VolumeInstance { currentSizeMB sizeMB }` (the CLI's volume usage).
 * One request per run: the three as aliased fields of one document (Railway limits requests per hour).
 * A failure comes back as `errors` (e.g. "Not Authorized"; src/client.rs parse_graphql_response), or 429 with Retry-After.
 */

export const RAILWAY_QUERY = `query FlightdeckBridge(
  $projectId: String!, $environmentId: String!, $apiServiceId: String!, $databaseServiceId: String!,
  $volumeInstanceId: String!, $startDate: DateTime!, $endDate: DateTime!
) {
  latency: httpDurationMetrics(serviceId: $apiServiceId, environmentId: $environmentId, startDate: $startDate, endDate: $endDate) {
    samples { ts p95 }
  }
  cpu: metrics(projectId: $projectId, environmentId: $environmentId, serviceId: $databaseServiceId, startDate: $startDate, endDate: $endDate, measurements: [CPU_USAGE, CPU_LIMIT]) {
    measurement
    values { ts value }
  }
  volume: volumeInstance(id: $volumeInstanceId) { currentSizeMB sizeMB }
}`;

/** What Railway measured in the window; a value is absent when Railway has no data for it (no traffic, no samples). */
export interface RailwayReadings {
  apiLatencyP95Seconds?: number;
  databaseCpuPercent?: number;
  diskUsedPercent?: number;
}

function numbers(values: unknown): number[] {
  if (!Array.isArray(values)) return [];
  return values.flatMap((point) => {
    const value = point !== null && typeof point === "object" ? (point as Record<string, unknown>)["value"] : undefined;
    return typeof value === "number" && Number.isFinite(value) ? [value] : [];
  });
}

const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;

export function readingsOf(data: Record<string, unknown>): RailwayReadings {
  const readings: RailwayReadings = {};
  const latency = data["latency"] as { samples?: unknown } | null | undefined;
  if (latency === null || latency === undefined || !Array.isArray(latency.samples)) throw new SourceError("Railway answered without httpDurationMetrics samples");
  const p95s = latency.samples.flatMap((sample) => {
    const value = sample !== null && typeof sample === "object" ? (sample as Record<string, unknown>)["p95"] : undefined;
    return typeof value === "number" && Number.isFinite(value) && value >= 0 ? [value] : [];
  });
  // Several samples (a bucketed answer): the latest is the current one, as the CLI reads them.
  if (p95s.length > 0) readings.apiLatencyP95Seconds = p95s[p95s.length - 1]! / 1000;

  const cpu = data["cpu"];
  if (!Array.isArray(cpu)) throw new SourceError("Railway answered without metrics for the database");
  const series = (measurement: string) => numbers(cpu.find((entry) => entry !== null && typeof entry === "object" && (entry as Record<string, unknown>)["measurement"] === measurement)?.["values"]);
  const usage = series("CPU_USAGE");
  const limit = series("CPU_LIMIT");
  if (usage.length > 0 && limit.length > 0 && mean(limit) > 0) readings.databaseCpuPercent = (mean(usage) / mean(limit)) * 100;

  const volume = data["volume"] as Record<string, unknown> | null | undefined;
  if (volume === null || volume === undefined) throw new SourceError("Railway answered without the volume instance");
  const current = volume["currentSizeMB"];
  const size = volume["sizeMB"];
  if (typeof current === "number" && typeof size === "number" && size > 0 && current >= 0) readings.diskUsedPercent = (current / size) * 100;
  return readings;
}

export async function readRailway(
  config: BridgeConfig["railway"],
  token: string,
  window: { from: Date; to: Date },
  options: { deadline: Deadline; timeoutMs: number },
): Promise<RailwayReadings> {
  const result = await request(config.url, {
    method: "POST",
    headers: { "project-access-token": token, "content-type": "application/json" },
    body: JSON.stringify({
      query: RAILWAY_QUERY,
      variables: {
        projectId: config.projectId,
        environmentId: config.environmentId,
        apiServiceId: config.apiServiceId,
        databaseServiceId: config.databaseServiceId,
        volumeInstanceId: config.databaseVolumeInstanceId,
        startDate: window.from.toISOString(),
        endDate: window.to.toISOString(),
      },
    }),
    timeoutMs: options.timeoutMs,
    deadline: options.deadline,
    retries: config.retries,
  });
  const body = result.text === "" ? undefined : parseJson(result, "Railway");
  const record = body !== null && typeof body === "object" ? (body as Record<string, unknown>) : {};
  const errors = Array.isArray(record["errors"]) ? record["errors"] : [];
  if (errors.length > 0) {
    const messages = errors.map((error) => (error !== null && typeof error === "object" && typeof (error as Record<string, unknown>)["message"] === "string" ? (error as Record<string, string>)["message"] : "unknown error"));
    throw new SourceError(`Railway (environment ${config.environmentId}): ${messages.join("; ")}`, result.status);
  }
  if (result.status !== 200) throw new SourceError(`Railway answered ${result.status}`, result.status);
  const data = record["data"];
  if (data === null || typeof data !== "object") throw new SourceError("Railway answered without data");
  return readingsOf(data as Record<string, unknown>);
}
