import { now } from "./clock";
import { StackResource, dependsOn } from "./define";
import { RoleGrants } from "./roles";
import { Plain, asArray, asRecord, isUnknown, knownNumber, knownString } from "./values";

/**
 * Metrics bridges as the pack sees them: Lambda functions whose environment carries the bridge's
 * config document (`FLIGHTDECK_BRIDGE`, JSON: the namespace, the metrics it publishes, its secrets'
 * parameters, the watch), the EventBridge Scheduler schedules that invoke them, and the roles they
 * run as. Inputs as @pulumi/aws 7 names them (terraform-provider-aws lambda_function: `environment.variables`,
 * `role`, `timeout`, `reserved_concurrent_executions`; scheduler_schedule: `schedule_expression`,
 * `flexible_time_window { mode, maximum_window_in_minutes }`, `state`, `end_date`, `target { arn, role_arn }`).
 * The pack never imports the program: the document's shape is read defensively, field by field.
 */

export const LAMBDA_FUNCTION = "aws:lambda/function:Function";
export const SCHEDULE = "aws:scheduler/schedule:Schedule";
export const SSM_PARAMETER = "aws:ssm/parameter:Parameter";
export const BRIDGE_ENV = "FLIGHTDECK_BRIDGE";

export interface BridgeMetric {
  metricName: string;
  dimensions: Record<string, string>;
  unit?: string;
}

export interface BridgeWatch {
  recordParameter?: string;
  criticalTopicArn?: string;
  numbers: Record<string, number | undefined>;
  workflow?: string;
}

/** The handler the program's bundle exports (infra/metrics/bundle.ts: one file, index.js, exporting `handler`). */
export const BRIDGE_HANDLER = "index.handler";

export interface BridgeDocument {
  namespace: string;
  /** Every metric the bridge publishes: the spec metrics it lists, its heartbeat and source failure flags. */
  metrics: BridgeMetric[];
  heartbeat?: string;
  sourceFailed?: { metricName: string; dimension: string };
  sources: string[];
  parameters: string[];
  secretParameters: string[];
  /** What the bridge counts as an error in PostHog: the event and its optional HogQL condition. */
  errors?: { event?: string; where?: string };
  /** Each run measures [now − lagSeconds − windowSeconds, now − lagSeconds). */
  windowSeconds?: number;
  lagSeconds?: number;
  /** The PostHog project the bridge queries (its host and project id). */
  posthog?: { host?: string; projectId?: number };
  /** What the bridge counts as a request (the error rate's denominator): a condition that is always false means no datum ever. */
  requests?: { event?: string; where?: string };
  watch?: BridgeWatch;
  /** How often one run sends a failed request to each source again (`posthog.retries`, `railway.retries`); absent when the document does not say. */
  retries: { posthog?: number; railway?: number };
}

export interface Bridge {
  function: StackResource;
  functionName: string;
  /** The parsed document, or why it cannot be judged. */
  document: BridgeDocument | { unknown: true } | { invalid: string };
}

function stringRecord(value: unknown): Record<string, string> {
  const result: Record<string, string> = {};
  if (value === null || typeof value !== "object" || Array.isArray(value)) return result;
  for (const [key, entry] of Object.entries(value)) if (typeof entry === "string") result[key] = entry;
  return result;
}

/** The bridge document of a function's environment, read field by field. */
export function readBridgeDocument(text: string): BridgeDocument | { invalid: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { invalid: `${BRIDGE_ENV} is not JSON` };
  }
  const record = (value !== null && typeof value === "object" ? value : {}) as Record<string, unknown>;
  const namespace = typeof record["namespace"] === "string" ? record["namespace"] : undefined;
  if (namespace === undefined) return { invalid: `${BRIDGE_ENV} names no namespace` };
  const metrics: BridgeMetric[] = [];
  const sources = new Set<string>();
  for (const entry of Array.isArray(record["metrics"]) ? record["metrics"] : []) {
    const metric = (entry ?? {}) as Record<string, unknown>;
    if (typeof metric["metricName"] !== "string") continue;
    metrics.push({ metricName: metric["metricName"], dimensions: stringRecord(metric["dimensions"]), unit: typeof metric["unit"] === "string" ? metric["unit"] : undefined });
    if (typeof metric["source"] === "string") sources.add(metric["source"]);
  }
  const heartbeat = typeof (record["heartbeat"] as Record<string, unknown> | undefined)?.["metricName"] === "string" ? ((record["heartbeat"] as Record<string, string>)["metricName"] as string) : undefined;
  const failedRecord = (record["sourceFailed"] ?? {}) as Record<string, unknown>;
  const sourceFailed =
    typeof failedRecord["metricName"] === "string" && typeof failedRecord["dimension"] === "string" ? { metricName: failedRecord["metricName"], dimension: failedRecord["dimension"] } : undefined;
  if (heartbeat !== undefined) metrics.push({ metricName: heartbeat, dimensions: {}, unit: "Count" });
  if (sourceFailed) for (const source of sources) metrics.push({ metricName: sourceFailed.metricName, dimensions: { [sourceFailed.dimension]: source }, unit: "Count" });
  const secrets = stringRecord(record["secrets"]);
  const watchRecord = record["watch"] !== null && typeof record["watch"] === "object" ? (record["watch"] as Record<string, unknown>) : undefined;
  let watch: BridgeWatch | undefined;
  if (watchRecord) {
    const numbers: Record<string, number | undefined> = {};
    for (const key of ["windowMinutes", "baselineMinutes", "evaluationMinutes", "pageFactor", "rollbackErrorRatePercent", "minRequests", "minErrors", "baselineFloorPercent"]) {
      numbers[key] = typeof watchRecord[key] === "number" ? (watchRecord[key] as number) : undefined;
    }
    const github = (watchRecord["github"] ?? {}) as Record<string, unknown>;
    watch = {
      recordParameter: typeof watchRecord["recordParameter"] === "string" ? watchRecord["recordParameter"] : undefined,
      criticalTopicArn: typeof watchRecord["criticalTopicArn"] === "string" ? watchRecord["criticalTopicArn"] : undefined,
      workflow: typeof github["workflow"] === "string" ? github["workflow"] : undefined,
      numbers,
    };
  }
  const secretParameters = Object.values(secrets);
  const errorsRecord = ((record["posthog"] ?? {}) as Record<string, unknown>)["errors"];
  const errors = errorsRecord !== null && typeof errorsRecord === "object" ? (errorsRecord as Record<string, unknown>) : undefined;
  const posthogRecord = (record["posthog"] ?? {}) as Record<string, unknown>;
  const requestsRecord = posthogRecord["requests"];
  const requests = requestsRecord !== null && typeof requestsRecord === "object" ? (requestsRecord as Record<string, unknown>) : undefined;
  return {
    namespace,
    metrics,
    heartbeat,
    sourceFailed,
    sources: [...sources],
    secretParameters,
    parameters: [...secretParameters, ...(watch?.recordParameter ? [watch.recordParameter] : [])],
    errors: errors ? { event: typeof errors["event"] === "string" ? errors["event"] : undefined, where: typeof errors["where"] === "string" ? errors["where"] : undefined } : undefined,
    windowSeconds: typeof record["windowSeconds"] === "number" ? record["windowSeconds"] : undefined,
    lagSeconds: typeof record["lagSeconds"] === "number" ? record["lagSeconds"] : undefined,
    posthog: { host: typeof posthogRecord["host"] === "string" ? posthogRecord["host"] : undefined, projectId: typeof posthogRecord["projectId"] === "number" ? posthogRecord["projectId"] : undefined },
    requests: requests ? { event: typeof requests["event"] === "string" ? requests["event"] : undefined, where: typeof requests["where"] === "string" ? requests["where"] : undefined } : undefined,
    watch,
    retries: { posthog: retriesOf(record["posthog"]), railway: retriesOf(record["railway"]) },
  };
}

function retriesOf(source: unknown): number | undefined {
  const retries = source !== null && typeof source === "object" ? (source as Record<string, unknown>)["retries"] : undefined;
  return typeof retries === "number" && Number.isInteger(retries) && retries >= 0 ? retries : undefined;
}

/** Every function of the stack that carries a bridge document. */
export function bridgesOf(resources: StackResource[]): Bridge[] {
  return resources.flatMap((resource): Bridge[] => {
    if (resource.type !== LAMBDA_FUNCTION) return [];
    const variables = asRecord(asRecord(resource.props["environment"])?.["variables"]);
    const raw = variables?.[BRIDGE_ENV];
    if (raw === undefined || raw === null) return [];
    const functionName = knownString(resource.props["name"]) ?? resource.name;
    if (isUnknown(raw)) return [{ function: resource, functionName, document: { unknown: true as const } }];
    if (typeof raw !== "string") return [{ function: resource, functionName, document: { invalid: `${BRIDGE_ENV} is not a string` } }];
    return [{ function: resource, functionName, document: readBridgeDocument(raw) }];
  });
}

export function isDocument(document: Bridge["document"]): document is BridgeDocument {
  return "namespace" in document;
}

/** Schedules whose target is the function (its ARN from the function's output: a dependency, and the name at the end). */
export function schedulesOf(bridge: Bridge, resources: StackResource[]): StackResource[] {
  return resources.filter((schedule) => {
    if (schedule.type !== SCHEDULE || !dependsOn(schedule, bridge.function.urn, "target")) return false;
    const raw = asRecord(schedule.props["target"])?.["arn"];
    const arn = knownString(raw);
    // A function created in this update has no ARN during preview: its target depends on it.
    return arn === undefined ? isUnknown(raw) : arn.split(":").pop() === bridge.functionName;
  });
}

const UNIT_SECONDS: Record<string, number> = { minute: 60, minutes: 60, hour: 3600, hours: 3600, day: 86400, days: 86400 };

/**
 * The longest gap between two runs of a schedule expression, in seconds, or why it cannot be judged.
 * EventBridge Scheduler: `rate(value unit)` (minute(s), hour(s), day(s)) or `cron(minutes hours day-of-month
 * month day-of-week year)` ("Schedule types on EventBridge Scheduler"). Cron is judged only for a minutes
 * field of `*`, `*\/N` or `0/N` with every other field a wildcard.
 */
export function scheduleIntervalSeconds(expression: string): number | string {
  const rate = /^rate\((\d+)\s+(minutes?|hours?|days?)\)$/.exec(expression.trim());
  if (rate) return Number(rate[1]) * UNIT_SECONDS[rate[2]!]!;
  const cron = /^cron\((.+)\)$/.exec(expression.trim());
  if (cron) {
    const fields = cron[1]!.trim().split(/\s+/);
    if (fields.length !== 6) return `cron needs 6 fields (got ${fields.length})`;
    const [minutes, ...rest] = fields as [string, ...string[]];
    if (!rest.every((field, index) => field === "*" || field === "?" || (index === rest.length - 1 && field === "*"))) return `${expression} does not run every hour of every day`;
    if (minutes === "*") return 60;
    const step = /^(?:\*|0)\/(\d+)$/.exec(minutes);
    if (step && Number(step[1]) > 0 && 60 % Number(step[1]) === 0) return Number(step[1]) * 60;
    return `${expression}: only *, */N or 0/N minutes (N dividing 60) can be judged`;
  }
  return `${expression} is neither rate(…) nor cron(…)`;
}

/** A schedule's effective longest gap: its expression's, plus a flexible window's delay. */
export function effectiveIntervalSeconds(schedule: StackResource): number | string {
  const expression = knownString(schedule.props["scheduleExpression"]);
  if (expression === undefined) return "has no known scheduleExpression";
  const interval = scheduleIntervalSeconds(expression);
  if (typeof interval === "string") return interval;
  const window = asRecord(schedule.props["flexibleTimeWindow"]);
  const mode = knownString(window?.["mode"]);
  if (mode !== "OFF") return interval + (knownNumber(window?.["maximumWindowInMinutes"]) ?? 1440) * 60;
  return interval;
}

/**
 * Whether a schedule runs at all: ENABLED (the provider's default), no end date, no start date still to come
 * (EventBridge Scheduler StartDate: "The date, in UTC, after which the schedule can begin invoking its target",
 * https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateSchedule.html).
 */
export function scheduleProblem(schedule: StackResource): string | undefined {
  const state = knownString(schedule.props["state"]) ?? "ENABLED";
  if (state !== "ENABLED") return `is ${state}`;
  if (knownString(schedule.props["endDate"]) !== undefined) return `stops at ${knownString(schedule.props["endDate"])} (endDate)`;
  const start = knownString(schedule.props["startDate"]);
  if (start !== undefined && !(Date.parse(start) <= now().getTime())) return `starts only at ${start} (startDate)`;
  return undefined;
}

/** The role a function runs as (its `role` ARN names it), among the stack's roles. */
export function functionRole(bridge: Bridge, grants: RoleGrants[]): RoleGrants | undefined {
  const arn = knownString(bridge.function.props["role"]);
  return grants.find((candidate) => (arn !== undefined && arn.endsWith(`:role/${candidate.roleName}`)) || dependsOn(bridge.function, candidate.role.urn, "role"));
}

/** An SSM parameter's ARN ends with `:parameter/<name without the leading slash>`. */
export function parameterArnMatches(arn: string, name: string): boolean {
  const bare = name.startsWith("/") ? name.slice(1) : name;
  return arn.endsWith(`:parameter/${bare}`) && /^arn:aws[a-z-]*:ssm:[a-z0-9-]+:\d{12}:parameter\//.test(arn);
}

/** The function's environment variables that are set (names). */
export function environmentNames(resource: StackResource): string[] {
  return Object.keys(asRecord(asRecord(resource.props["environment"])?.["variables"]) ?? {});
}

export function reservedConcurrency(resource: StackResource): number | undefined {
  return knownNumber(resource.props["reservedConcurrentExecutions"]);
}

export function asStrings(value: Plain | undefined): string[] {
  return asArray(value).flatMap((entry) => knownString(entry) ?? []);
}

/**
 * Whether a HogQL condition can never hold, spelled the obvious ways (`false`, `0`, `1 = 0`, `NOT true`,
 * `null`, in parentheses, any case): an error definition with one counts no errors, so the ErrorRate it
 * publishes is always 0. A heuristic for the plain spellings, not a HogQL evaluator.
 */
export function constantlyFalse(condition: string): boolean {
  let text = condition.toLowerCase().replace(/\s+/g, "");
  while (/^\(.*\)$/.test(text)) text = text.slice(1, -1);
  return ["false", "0", "null", "1=0", "0=1", "1=2", "2=1", "1!=1", "0!=0", "1<>1", "0<>0", "nottrue", "not1", "not(true)", "not(1)", "1<0", "0>1", "1>2"].includes(text);
}
