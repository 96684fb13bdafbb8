import { Bridge, BridgeDocument, SCHEDULE, schedulesOf } from "./bridges";
import { StackResource, UnknownInputError, dependsOn } from "./define";
import { asRecord, isUnknown, knownNumber, knownString } from "./values";

/**
 * The most calls a metrics bridge can make to each source in an hour: how often it can run (its schedules,
 * the scheduler's delivery retries, Lambda's retries of a failed run) times the tries of each request in
 * one run. Upper bounds throughout: a count the pack cannot bound is a problem, never a guess.
 *
 * - EventBridge Scheduler `rate(value unit)`, `cron(minutes hours day-of-month month day-of-week year)` and
 *   `at(...)` ("Schedule types on EventBridge Scheduler", https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html);
 *   its RetryPolicy retries a delivery up to MaximumRetryAttempts, 0–185
 *   (https://docs.aws.amazon.com/scheduler/latest/APIReference/API_RetryPolicy.html): an unset count is bounded by 185.
 *   A delivery retried after an answer that was lost may still have queued the run: each delivery counts.
 * - The scheduler invokes Lambda asynchronously (https://docs.aws.amazon.com/lambda/latest/dg/with-eventbridge-scheduler.html),
 *   and Lambda retries a failed asynchronous run up to the function's MaximumRetryAttempts, 0–2, twice by default
 *   (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html; terraform-provider-aws
 *   internal/service/lambda/function_event_invoke_config.go: `maximum_retry_attempts` Default 2).
 * - Each run of the bridge sends one request to each source (infra/metrics/lambda/handler.ts: one HogQL query for
 *   every window, one Railway GraphQL query), each sent again up to its document's `retries`
 *   (test/joints/saasLimits.spec.ts runs the bundle against failing stand-ins and counts them).
 */

export const EVENT_INVOKE_CONFIG = "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig";
export const LAMBDA_PERMISSION = "aws:lambda/permission:Permission";
export const EVENT_SOURCE_MAPPING = "aws:lambda/eventSourceMapping:EventSourceMapping";
export const EVENT_TARGET = "aws:cloudwatch/eventTarget:EventTarget";

/** Requests one run of the bridge sends to each source before any retry. */
export const REQUESTS_PER_RUN = { posthog: 1, railway: 1 } as const;
export type RateSource = keyof typeof REQUESTS_PER_RUN;

/** The scheduler's largest MaximumRetryAttempts (API_RetryPolicy: valid range 0–185). */
export const SCHEDULER_MAX_RETRIES = 185;
/** Lambda's retries of a failed asynchronous run when the function does not set them. */
export const LAMBDA_DEFAULT_ASYNC_RETRIES = 2;

/** How many values a cron field's list of `*`, `n`, `a-b`, each with an optional `/step`, takes in [low, high]. */
function cronFieldCount(field: string, low: number, high: number): number | undefined {
  const values = new Set<number>();
  for (const part of field.split(",")) {
    const match = /^(\*|\d+(?:-\d+)?)(?:\/(\d+))?$/.exec(part);
    if (!match) return undefined;
    const [from, to] = match[1] === "*" ? [low, high] : match[1]!.includes("-") ? match[1]!.split("-").map(Number) : [Number(match[1]), match[2] ? high : Number(match[1])];
    const step = match[2] ? Number(match[2]) : 1;
    if (step < 1 || from! < low || to! > high || from! > to!) return undefined;
    for (let value = from!; value <= to!; value += step) values.add(value);
  }
  return values.size;
}

/** The most runs a schedule expression can start within one hour, or why it cannot be bounded. */
export function maxRunsPerHour(expression: string): number | string {
  const text = expression.trim();
  const rate = /^rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)$/.exec(text);
  if (rate) {
    const seconds = Number(rate[1]) * (rate[2]!.startsWith("minute") ? 60 : rate[2]!.startsWith("hour") ? 3600 : 86400);
    return seconds <= 0 ? `${expression} has no interval` : Math.ceil(3600 / seconds);
  }
  if (/^at\(.+\)$/.test(text)) return 1;
  const cron = /^cron\((.+)\)$/.exec(text);
  if (cron) {
    const fields = cron[1]!.trim().split(/\s+/);
    if (fields.length !== 6) return `${expression}: cron needs 6 fields (got ${fields.length})`;
    // Cron fires at most once a minute: the minutes field bounds the runs in any hour.
    return cronFieldCount(fields[0]!, 0, 59) ?? 60;
  }
  return `${expression} is neither rate(…), cron(…) nor at(…)`;
}

/** The bridge's function named by a `functionName` input: its name or ARN, unqualified or `$LATEST`. */
function namesBridge(resource: StackResource, bridge: Bridge, input: string): boolean {
  const raw = resource.props[input];
  if (isUnknown(raw)) return dependsOn(resource, bridge.function.urn, input);
  const value = knownString(raw);
  if (value === undefined) return false;
  const name = value.startsWith("arn:") ? value.split(":")[6] : value.split(":")[0];
  const qualifier = value.startsWith("arn:") ? value.split(":")[7] : value.split(":")[1];
  return name === bridge.functionName && (qualifier === undefined || qualifier === "$LATEST");
}

export interface RunBound {
  /** Runs the bridge can start in an hour, counting every delivery and every Lambda retry. */
  runsPerHour: number;
  /** How it was counted, for the message. */
  detail: string;
}

/** The most runs of the bridge in an hour, or why they cannot be bounded. */
export function maxBridgeRunsPerHour(bridge: Bridge, resources: StackResource[]): RunBound | string {
  const others = resources.filter(
    (resource) =>
      ((resource.type === LAMBDA_PERMISSION || resource.type === EVENT_SOURCE_MAPPING) && namesBridge(resource, bridge, "functionName")) ||
      (resource.type === EVENT_TARGET && (dependsOn(resource, bridge.function.urn, "arn") || knownString(resource.props["arn"])?.split(":")[6] === bridge.functionName)),
  );
  if (others.length > 0) return `${bridge.functionName} may also be invoked through ${others.map((resource) => `${resource.type.split(":").pop()} ${resource.name}`).join(", ")}: how often cannot be bounded`;

  let deliveries = 0;
  const parts: string[] = [];
  // Every schedule whose target is the function, by dependency or by a written ARN.
  const schedules = resources.filter(
    (resource) => resource.type === SCHEDULE && (schedulesOf(bridge, [resource]).length > 0 || knownString(asRecord(resource.props["target"])?.["arn"])?.split(":")[6] === bridge.functionName),
  );
  for (const schedule of schedules) {
    if ((knownString(schedule.props["state"]) ?? "ENABLED") === "DISABLED") continue;
    const expression = knownString(schedule.props["scheduleExpression"]);
    if (expression === undefined) {
      if (isUnknown(schedule.props["scheduleExpression"])) throw new UnknownInputError(`${schedule.urn} scheduleExpression`);
      return `schedule ${schedule.name} has no scheduleExpression`;
    }
    const runs = maxRunsPerHour(expression);
    if (typeof runs === "string") return `schedule ${schedule.name}: ${runs}`;
    const retryPolicy = asRecord(asRecord(schedule.props["target"])?.["retryPolicy"]);
    const rawRetries = retryPolicy?.["maximumRetryAttempts"];
    if (isUnknown(rawRetries)) throw new UnknownInputError(`${schedule.urn} target.retryPolicy.maximumRetryAttempts`);
    const retries = knownNumber(rawRetries) ?? SCHEDULER_MAX_RETRIES;
    deliveries += runs * (1 + retries);
    parts.push(`${schedule.name} ${expression}: ${runs} an hour × ${1 + retries} deliveries`);
  }

  const configs = resources.filter((resource) => resource.type === EVENT_INVOKE_CONFIG && namesBridge(resource, bridge, "functionName"));
  let lambdaRetries = LAMBDA_DEFAULT_ASYNC_RETRIES;
  if (configs.length > 0) {
    const counts = configs.map((config) => {
      const raw = config.props["maximumRetryAttempts"];
      if (isUnknown(raw)) throw new UnknownInputError(`${config.urn} maximumRetryAttempts`);
      return knownNumber(raw) ?? LAMBDA_DEFAULT_ASYNC_RETRIES;
    });
    lambdaRetries = Math.max(...counts);
  }
  parts.push(`${1 + lambdaRetries} tries of each run (Lambda's asynchronous retries: ${lambdaRetries}${configs.length === 0 ? ", its default" : ""})`);
  return { runsPerHour: deliveries * (1 + lambdaRetries), detail: parts.join("; ") };
}

/** The most requests the bridge sends to a source in an hour, or why it cannot be bounded. */
export function maxSourceCallsPerHour(bound: RunBound, document: BridgeDocument, source: RateSource): number | string {
  const retries = document.retries[source];
  if (retries === undefined) return `its document sets no ${source}.retries: how often a failed request is sent again is unknown`;
  return bound.runsPerHour * REQUESTS_PER_RUN[source] * (1 + retries);
}
