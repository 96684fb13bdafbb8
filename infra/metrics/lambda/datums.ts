import { BridgeConfig } from "../contract";
import type { BridgeSource } from "../../aws/alertMetrics";
import { Counts, errorRatePercent } from "./posthog";
import { RailwayReadings } from "./railway";

/** One CloudWatch datum as PutMetricData takes it (MetricData entries: MetricName, Dimensions, Timestamp, Value, Unit). */
export interface Datum {
  MetricName: string;
  Dimensions?: { Name: string; Value: string }[];
  Timestamp: Date;
  Value: number;
  Unit: "Percent" | "Seconds" | "Count";
}

/** What one run read: each source's readings, or why it could not read them. */
export interface RunReadings {
  posthog: { ok: true; counts: Counts } | { ok: false; error: string };
  railway: { ok: true; readings: RailwayReadings } | { ok: false; error: string };
}

/**
 * The datums of one run, and only metrics the config lists: the heartbeat (1), each source's failure
 * flag (1 failed, 0 read), and each spec metric whose source was read and had data. A source that
 * failed publishes nothing for its metrics (never a made-up 0); no requests means no error rate.
 */
export function runDatums(config: BridgeConfig, readings: RunReadings, at: Date): Datum[] {
  const datums: Datum[] = [{ MetricName: config.heartbeat.metricName, Timestamp: at, Value: 1, Unit: config.heartbeat.unit }];
  const failed = (source: BridgeSource, value: number): Datum => ({
    MetricName: config.sourceFailed.metricName,
    Dimensions: [{ Name: config.sourceFailed.dimension, Value: source }],
    Timestamp: at,
    Value: value,
    Unit: config.sourceFailed.unit,
  });
  datums.push(failed("posthog", readings.posthog.ok ? 0 : 1), failed("railway", readings.railway.ok ? 0 : 1));
  const values: Partial<Record<BridgeConfig["metrics"][number]["id"], number | undefined>> = {};
  if (readings.posthog.ok) values["error-rate"] = errorRatePercent(readings.posthog.counts);
  if (readings.railway.ok) {
    values["api-latency-p95"] = readings.railway.readings.apiLatencyP95Seconds;
    values["database-cpu"] = readings.railway.readings.databaseCpuPercent;
    values["disk-used"] = readings.railway.readings.diskUsedPercent;
  }
  for (const metric of config.metrics) {
    const value = values[metric.id];
    if (value === undefined) continue;
    const dimensions = Object.entries(metric.dimensions).map(([Name, Value]) => ({ Name, Value }));
    datums.push({ MetricName: metric.metricName, ...(dimensions.length > 0 ? { Dimensions: dimensions } : {}), Timestamp: at, Value: value, Unit: metric.unit });
  }
  return datums;
}
