import { BridgeSource, bridgeHealthMetrics, metricDefinitions } from "../aws/alertMetrics";
import { MetricName } from "../config/schema";

/**
 * What the stack hands the metrics bridge (one JSON document in the function's environment,
 * `FLIGHTDECK_BRIDGE`), and what the bridge may publish. The component writes it from the validated
 * settings; the handler reads it and publishes exactly the metrics it lists, nothing else; the policy
 * pack reads the same document to know what the stack's bridge publishes and how its watch judges.
 * Pure data: imported by the program and by the bundled handler (no Pulumi, no AWS SDK here).
 */

export const BRIDGE_CONFIG_ENV = "FLIGHTDECK_BRIDGE";

/** Railway's public GraphQL endpoint (https://docs.railway.com/reference/public-api). */
export const RAILWAY_GRAPHQL_URL = "https://backboard.railway.com/graphql/v2";
/** GitHub's REST API (https://docs.github.com/en/rest). */
export const GITHUB_API_URL = "https://api.github.com";

export interface EventDefinition {
  event: string;
  where?: string;
}

/** One metric the bridge publishes: name, unit and dimensions, from infra/aws/alertMetrics.ts. */
export interface PublishedMetric {
  id: MetricName;
  metricName: string;
  unit: "Percent" | "Seconds" | "Count";
  dimensions: Record<string, string>;
  source: BridgeSource;
}

export interface WatchConfig {
  /** The SSM parameter the deploy workflow writes its watch record to (String, JSON). */
  recordParameter: string;
  windowMinutes: number;
  baselineMinutes: number;
  evaluationMinutes: number;
  pageFactor: number;
  rollbackErrorRatePercent: number;
  minRequests: number;
  minErrors: number;
  baselineFloorPercent: number;
  /** The critical topic: the page (with commit and run link). */
  criticalTopicArn: string;
  /** Where the automatic rollback and the page are recorded (S3 PutObject, If-None-Match: at most once). */
  audit: { bucket: string; prefix: string };
  /** The rollback workflow the watch dispatches, with the deploy App that may dispatch it. */
  github: { apiUrl: string; owner: string; repository: string; appId: number; installationId: number; workflow: string; ref: string };
}

export interface BridgeConfig {
  version: 1;
  environment: string;
  namespace: string;
  heartbeat: { metricName: string; unit: "Count" };
  sourceFailed: { metricName: string; unit: "Count"; dimension: string };
  metrics: PublishedMetric[];
  /** Each run measures [now − lagSeconds − windowSeconds, now − lagSeconds). */
  windowSeconds: number;
  lagSeconds: number;
  /** `retries`: how many times a failed request (429, 5xx, no answer) is sent again within one run; each try counts against the source's rate limit. */
  posthog: { host: string; projectId: number; requests: EventDefinition; errors: EventDefinition; retries: number };
  railway: { url: string; projectId: string; environmentId: string; apiServiceId: string; databaseServiceId: string; databaseVolumeInstanceId: string; retries: number };
  /** SSM parameter names of the secrets (SecureString). */
  secrets: { posthogApiKey: string; railwayToken: string; githubAppPrivateKey?: string };
  /** The whole run's budget and each request's timeout, in milliseconds (the function's timeout is above the budget). */
  budgetMs: number;
  requestTimeoutMs: number;
  watch?: WatchConfig;
}

/** The metrics of the monitoring table the bridge publishes (the deploy workflow publishes DeploymentFailed). */
export function bridgePublishedMetrics(): PublishedMetric[] {
  return (Object.entries(metricDefinitions) as [MetricName, (typeof metricDefinitions)[MetricName]][]).flatMap(([id, definition]) =>
    typeof definition.publisher === "object"
      ? [{ id, metricName: definition.metricName, unit: definition.unit, dimensions: definition.dimensions, source: definition.publisher.bridge }]
      : [],
  );
}

export const healthMetrics = {
  heartbeat: { metricName: bridgeHealthMetrics.heartbeat.metricName, unit: bridgeHealthMetrics.heartbeat.unit },
  sourceFailed: { metricName: bridgeHealthMetrics.sourceFailed.metricName, unit: bridgeHealthMetrics.sourceFailed.unit, dimension: bridgeHealthMetrics.sourceFailed.dimension },
} as const;

/**
 * The run's time budget: the schedule fires every minute, so a run must end well inside it (the
 * function's timeout is 55 s; the handler stops starting work at 45 s).
 */
export const RUN_BUDGET_MS = 45_000;
export const REQUEST_TIMEOUT_MS = 10_000;
export const FUNCTION_TIMEOUT_SECONDS = 55;

/** The watch record the deploy workflow writes (infra/workflows/deployWatch.ts) and the bridge reads. */
export interface WatchRecord {
  version: 1;
  environment: string;
  commit: string;
  runUrl: string;
  /** The run's id and attempt: the key of this watch's audit records. */
  runId: string;
  /** When the deploy was started (the pre-flight): the baseline is the hour before it. */
  startedAt: string;
  /** When the release was recorded as live: the watch runs for windowMinutes from here. */
  deployedAt: string;
  /** The GitHub deployment the automatic rollback returns to (what ran before), empty when none. */
  previousDeployment: string;
}

/** Reads a watch record, or says why it is not one. */
export function parseWatchRecord(text: string): WatchRecord | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return "is not JSON";
  }
  if (value === null || typeof value !== "object") return "is not an object";
  const record = value as Record<string, unknown>;
  for (const key of ["environment", "commit", "runUrl", "runId", "startedAt", "deployedAt", "previousDeployment"] as const) {
    if (typeof record[key] !== "string") return `has no ${key}`;
  }
  for (const key of ["startedAt", "deployedAt"] as const) {
    if (Number.isNaN(Date.parse(record[key] as string))) return `${key} is not a time`;
  }
  if (!/^\d*$/.test(record["previousDeployment"] as string)) return "previousDeployment is not a deployment id";
  return { version: 1, ...(record as Omit<WatchRecord, "version">) };
}
