import { LAMBDA_FUNCTION, bridgesOf, isDocument } from "../lib/bridges";
import { UnknownInputError, stackPolicy } from "../lib/define";
import { RateSource, maxBridgeRunsPerHour, maxSourceCallsPerHour } from "../lib/rateBudget";

/**
 * The metrics bridge within its sources' rate limits. The limits are the vendors' (cited below) and live in
 * the policy's config, so an organisation on another plan says so in policies/config/<stack>.json.
 */

interface RateLimitSettings {
  posthogQueriesPerHour: number;
  bridgesPerPosthogKey: number;
  railwayRequestsPerHour: number;
  bridgesPerRailwayLimit: number;
}

const SOURCES: { source: RateSource; label: string; limit: keyof RateLimitSettings; sharedBy: keyof RateLimitSettings; what: string }[] = [
  { source: "posthog", label: "PostHog", limit: "posthogQueriesPerHour", sharedBy: "bridgesPerPosthogKey", what: "HogQL queries an hour per personal API key" },
  { source: "railway", label: "Railway", limit: "railwayRequestsPerHour", sharedBy: "bridgesPerRailwayLimit", what: "requests an hour on the plan" },
];

export const bridgeCallsWithinRateLimits = stackPolicy<RateLimitSettings>(
  {
    name: "metrics-bridge-calls-within-rate-limits",
    description:
      "Each metrics bridge stays within its sources' rate limits in the worst case: the runs its schedules can start in an hour, times every delivery the scheduler may retry, " +
      "times every retry Lambda makes of a failed run, times the tries of each request in a run, times the bridges sharing the limit, is at most the limit. " +
      "PostHog allows 120 HogQL queries per hour per personal API key (PostHog/posthog posthog/rate_limit.py HogQLQueryThrottle, chosen for HogQLQuery by posthog/api/query.py); " +
      "Railway 100, 1,000 or 10,000 requests per hour on the Free, Hobby or Pro plan (https://docs.railway.com/integrations/api#rate-limits). " +
      'A throttled bridge publishes nothing: the alarms read the gap as missing data, never as a breach. Spec, Monitoring & Alerts: "Error rate | PostHog | > 2% for 5 min"; "API response time p95 | Railway | > 1s for 10 min".',
    severity: "high",
    remediation: [
      "Give each stack's bridge a PostHog personal API key of its own (flightdeck:metricsPosthogApiKey), or set bridgesPerPosthogKey to how many bridges share one.",
      "Keep flightdeck:metricsBridge.posthog.retries and railway.retries low enough (0 for PostHog at one run a minute), and the bridge's Lambda asynchronous retries at 0 (aws.lambda.FunctionEventInvokeConfig maximumRetryAttempts).",
      "Keep the schedule's retryPolicy.maximumRetryAttempts at 0, and no other trigger (event rule, permission, event source mapping) on the bridge.",
      "On another Railway plan, set railwayRequestsPerHour to its limit (Free 100, Hobby 1000, Pro 10000).",
    ],
    topics: ["monitoring", "metrics-bridge", "rate-limits"],
  },
  {
    config: {
      defaults: { posthogQueriesPerHour: 120, bridgesPerPosthogKey: 1, railwayRequestsPerHour: 1000, bridgesPerRailwayLimit: 2 },
      schema: {
        posthogQueriesPerHour: { type: "integer", minimum: 1, description: "PostHog's HogQL queries per hour per personal API key (HogQLQueryThrottle: 120/hour)." },
        bridgesPerPosthogKey: { type: "integer", minimum: 1, description: "How many bridges query PostHog with the same personal API key (1: one key per stack)." },
        railwayRequestsPerHour: { type: "integer", minimum: 1, description: "Railway's public API requests per hour on the organisation's plan (Free 100, Hobby 1000, Pro 10000)." },
        bridgesPerRailwayLimit: { type: "integer", minimum: 1, description: "How many bridges draw on the same Railway limit (the stacks of one Railway account: staging and production)." },
      },
    },
    requires: LAMBDA_FUNCTION,
    validate(resources, settings, report) {
      for (const bridge of bridgesOf(resources)) {
        if (!isDocument(bridge.document)) {
          if ("unknown" in bridge.document) throw new UnknownInputError(`${bridge.function.urn} environment`);
          report(`${bridge.functionName}: ${bridge.document.invalid}`, bridge.function.urn);
          continue;
        }
        const bound = maxBridgeRunsPerHour(bridge, resources);
        if (typeof bound === "string") {
          report(`${bridge.functionName}: ${bound}`, bridge.function.urn);
          continue;
        }
        for (const { source, label, limit, sharedBy, what } of SOURCES) {
          const calls = maxSourceCallsPerHour(bound, bridge.document, source);
          if (typeof calls === "string") {
            report(`${bridge.functionName}: ${calls}`, bridge.function.urn);
            continue;
          }
          const total = calls * settings[sharedBy];
          if (total > settings[limit]) {
            report(
              `${bridge.functionName} can send ${label} ${total} requests an hour (${calls} per bridge × ${settings[sharedBy]} sharing the limit; ${bound.runsPerHour} runs: ${bound.detail}; ` +
                `${1 + (bridge.document.retries[source] ?? 0)} tries per request); ${label} allows ${settings[limit]} ${what}`,
              bridge.function.urn,
            );
          }
        }
      }
    },
  },
);

export const rateLimitPolicies = [bridgeCallsWithinRateLimits];
