import { z } from "zod";

/**
 * `flightdeck:metricsBridge`: where the bridge reads the spec's metrics (PostHog, Railway) and how the
 * post-deployment watch judges a production deploy. Well-formedness only; whether the watch's thresholds
 * are no looser than the spec is the policy pack's (policies/rules/metrics.ts).
 */

/** HogQL expressions from config are spliced into one query: no placeholders, statements or comments. */
const hogqlCondition = z
  .string()
  .min(1)
  .max(500)
  .regex(/^[^{};]*$/, "must be one HogQL boolean expression (no braces, no semicolons)")
  .refine((text) => !text.includes("--") && !text.includes("/*"), { message: "must not contain comments" });

const eventDefinition = z.strictObject({
  event: z.string().min(1).max(200).describe("the PostHog event name (e.g. $exception, api_request)"),
  where: hogqlCondition.optional().describe("a HogQL condition on the event (e.g. toInt(properties.status) >= 500)"),
});

const railwayId = z.string().regex(/^[A-Za-z0-9-]{1,64}$/, "must be a Railway id (the UUID in the dashboard URL or `railway status --json`)");

export const watchSettings = z.strictObject({
  windowMinutes: z.number().int().min(1).max(1440).default(60).describe("how long after a production deploy the bridge watches it; the spec: 1 hour"),
  baselineMinutes: z.number().int().min(5).max(1440).default(60).describe("the pre-deploy baseline: the error rate over this long before the deploy started"),
  evaluationMinutes: z.number().int().min(1).max(60).default(5).describe("each run compares the error rate over this many recent minutes; the spec: > 5% for 5 minutes"),
  pageFactor: z.number().positive().default(2).describe("page (critical) when the error rate exceeds this many times the baseline; the spec: 2×"),
  rollbackErrorRatePercent: z.number().positive().max(100).default(5).describe("dispatch the rollback workflow above this error rate; the spec: 5%"),
  minRequests: z.number().int().min(1).default(100).describe("no verdict on fewer requests than this in the evaluated minutes (a quiet hour is not evidence)"),
  minErrors: z.number().int().min(1).default(5).describe("no page or rollback on fewer errors than this in the evaluated minutes"),
  baselineFloorPercent: z.number().min(0).max(100).default(0.5).describe("a baseline below this error rate counts as this rate: 0 errors before and a handful after is not 2× anything"),
  rollbackWorkflow: z.string().regex(/^[A-Za-z0-9._-]+\.ya?ml$/, "must be a workflow file name").default("rollback.yml"),
});

/** The retention periods CloudWatch Logs accepts (PutRetentionPolicy, retentionInDays). */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

export const metricsBridge = z.strictObject({
  scheduleMinutes: z.number().int().min(1).max(60).default(1).describe("how often EventBridge Scheduler runs the bridge; at most the shortest alarm period"),
  logRetentionDays: z
    .number()
    .int()
    .refine((days) => LOG_RETENTION_DAYS.includes(days), { message: `must be one of ${LOG_RETENTION_DAYS.join(", ")}` })
    .default(30)
    .describe("retention of the bridge's log group, a value CloudWatch Logs accepts"),
  windowSeconds: z.number().int().min(60).max(3600).default(60).describe("each run measures this many seconds (error rate, p95 latency, CPU)"),
  lagSeconds: z.number().int().min(0).max(600).default(60).describe("the measured window ends this long before the run, so late-ingested data is counted"),
  posthog: z.strictObject({
    host: z.string().regex(/^https:\/\/[^\s/]+\/?$/, "must be the PostHog instance's https:// base URL").describe("e.g. https://us.posthog.com"),
    projectId: z.number().int().positive(),
    requests: eventDefinition.describe("what counts as a request (the error rate's denominator)"),
    errors: eventDefinition.describe("what counts as an error (the numerator)"),
    retries: z
      .number()
      .int()
      .min(0)
      .max(2)
      .default(0)
      .describe("how often a failed query is sent again in one run; each try counts against PostHog's 120 HogQL queries per hour per personal API key (metrics-bridge-calls-within-rate-limits)"),
  }),
  railway: z.strictObject({
    projectId: railwayId,
    environmentId: railwayId,
    apiServiceId: railwayId.describe("the API service: p95 latency (httpDurationMetrics)"),
    databaseServiceId: railwayId.describe("the PostgreSQL service: CPU (CPU_USAGE ÷ CPU_LIMIT)"),
    databaseVolumeInstanceId: railwayId.describe("the database's volume instance: disk used (currentSizeMB ÷ sizeMB)"),
    retries: z
      .number()
      .int()
      .min(0)
      .max(2)
      .default(2)
      .describe("how often a failed request is sent again in one run; each try counts against Railway's requests per hour (metrics-bridge-calls-within-rate-limits)"),
  }),
  watch: watchSettings.optional().describe("the post-deployment watch (production): page above pageFactor × baseline, roll back above rollbackErrorRatePercent"),
});

export type MetricsBridgeSettings = z.output<typeof metricsBridge>;
export type WatchSettings = z.output<typeof watchSettings>;

/** Secret config keys the bridge needs: a PostHog personal API key (scope query:read) and a Railway project token. */
export const METRICS_POSTHOG_API_KEY = "metricsPosthogApiKey";
export const METRICS_RAILWAY_TOKEN = "metricsRailwayToken";
