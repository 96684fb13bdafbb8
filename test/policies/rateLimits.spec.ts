import { strict as assert } from "node:assert";
import { BRIDGE_CONFIG_ENV, BridgeConfig } from "../../infra/metrics/contract";
import { maxRunsPerHour } from "../../policies/lib/rateBudget";
import { bridgeCallsWithinRateLimits } from "../../policies/rules/rateLimits";
import { UNKNOWN_STRING } from "../../policies/lib/values";
import { BRIDGE_FUNCTION } from "./bridgeFixtures";
import { validStack } from "./fixtures";
import { Fixture, judge, mutate, without } from "./judge";
import { packSettings } from "./packConfig";

/**
 * metrics-bridge-calls-within-rate-limits: the bridge's worst case per hour against PostHog's 120 HogQL queries
 * per personal API key (PostHog/posthog@00b34d82 posthog/rate_limit.py HogQLQueryThrottle, "120/hour", keyed by the
 * key's hash in get_cache_key; chosen for a HogQLQuery by posthog/api/query.py@ac4ad4a0 get_throttles) and Railway's
 * requests per hour (railwayapp/docs@c2a634f1 content/docs/integrations/api.md "Rate limits": Free 100, Hobby 1000,
 * Pro 10000). Lambda retries a failed asynchronous run twice unless told otherwise
 * (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html); the scheduler's retries go to 185
 * (https://docs.aws.amazon.com/scheduler/latest/APIReference/API_RetryPolicy.html).
 */

const POLICY = "metrics-bridge-calls-within-rate-limits";
const policies = [bridgeCallsWithinRateLimits];

function verdicts(stack: Fixture[], config: Record<string, unknown> = {}): string[] {
  const settings = packSettings("production");
  return judge(stack, { policies, config: { ...settings, [POLICY]: { ...settings[POLICY], ...config } } })
    .filter((verdict) => verdict.policy === POLICY)
    .map((verdict) => verdict.message);
}

function withDocument(change: (document: BridgeConfig) => void, stack: Fixture[] = validStack()): Fixture[] {
  return mutate(stack, "metrics-function", (props) => {
    const variables = (props["environment"] as { variables: Record<string, string> }).variables;
    const document = JSON.parse(variables[BRIDGE_CONFIG_ENV]!) as BridgeConfig;
    change(document);
    variables[BRIDGE_CONFIG_ENV] = JSON.stringify(document);
  });
}

describe("policies: metrics-bridge-calls-within-rate-limits", () => {
  describe("within the limits", () => {
    it("the bridge as the program declares it: 60 runs, one try each, 60 PostHog queries and 180 Railway requests per hour per bridge", () => {
      assert.deepEqual(verdicts(validStack()), []);
    });

    it("two bridges on one PostHog key at one try: exactly 120 queries an hour", () => {
      assert.deepEqual(verdicts(validStack(), { bridgesPerPosthogKey: 2 }), []);
    });

    it("one PostHog retry on a key of its own: exactly 120", () => {
      assert.deepEqual(verdicts(withDocument((document) => (document.posthog.retries = 1))), []);
    });

    it("a schedule every five minutes leaves room for retries everywhere", () => {
      let stack = mutate(validStack(), "metrics-schedule", (props) => (props["scheduleExpression"] = "rate(5 minutes)"));
      stack = without(stack, "metrics-async");
      stack = withDocument((document) => (document.posthog.retries = 1), stack);
      // 12 runs × 3 Lambda tries × 2 tries = 72 ≤ 120.
      assert.deepEqual(verdicts(stack), []);
    });
  });

  describe("beyond them", () => {
    it("Lambda's default retries (no FunctionEventInvokeConfig): 180 PostHog queries and 1080 Railway requests an hour", () => {
      const messages = verdicts(without(validStack(), "metrics-async"));
      assert.equal(messages.length, 2, messages.join("\n"));
      assert.match(messages[0]!, new RegExp(`${BRIDGE_FUNCTION} can send PostHog 180 requests an hour .*3 tries of each run \\(Lambda's asynchronous retries: 2, its default\\).*PostHog allows 120`));
      // Railway too: 180 runs × 3 tries × 2 bridges.
      assert.match(messages[1]!, /Railway 1080 requests an hour .*Railway allows 1000/);
    });

    it("an event invoke config that keeps Lambda's retries, or leaves them unset (its default 2)", () => {
      const two = mutate(validStack(), "metrics-async", (props) => (props["maximumRetryAttempts"] = 2));
      const unset = mutate(validStack(), "metrics-async", (props) => delete props["maximumRetryAttempts"]);
      for (const stack of [two, unset]) assert.match(verdicts(stack).join("\n"), /PostHog 180 requests/);
    });

    it("PostHog retries: 2 per request is 180 queries an hour", () => {
      assert.match(verdicts(withDocument((document) => (document.posthog.retries = 2))).join("\n"), /PostHog 180 requests/);
    });

    it("a second schedule on the bridge, written as an ARN without a dependency, doubles the runs", () => {
      const second: Fixture = {
        type: "aws:scheduler/schedule:Schedule",
        name: "metrics-schedule-again",
        props: {
          name: `${BRIDGE_FUNCTION}-again`,
          scheduleExpression: "cron(* * * * ? *)",
          flexibleTimeWindow: { mode: "OFF" },
          target: { arn: `arn:aws:lambda:us-east-1:123456789012:function:${BRIDGE_FUNCTION}`, roleArn: "arn:aws:iam::123456789012:role/x", retryPolicy: { maximumRetryAttempts: 0 } },
        },
      };
      const stack = [...withDocument((document) => (document.posthog.retries = 1)), second];
      assert.match(verdicts(stack).join("\n"), /PostHog 240 requests/);
    });

    it("a schedule without retry policy: every delivery the scheduler may retry (up to 185) counts", () => {
      const stack = mutate(validStack(), "metrics-schedule", (props) => delete (props["target"] as Record<string, unknown>)["retryPolicy"]);
      assert.match(verdicts(stack).join("\n"), /PostHog 11160 requests/);
    });

    it("a trigger whose rate cannot be bounded: an EventBridge rule's target on the bridge", () => {
      const target: Fixture = {
        type: "aws:cloudwatch/eventTarget:EventTarget",
        name: "metrics-on-every-event",
        props: { rule: "everything", arn: `arn:aws:lambda:us-east-1:123456789012:function:${BRIDGE_FUNCTION}` },
      };
      assert.match(verdicts([...validStack(), target]).join("\n"), /may also be invoked through EventTarget metrics-on-every-event: how often cannot be bounded/);
    });

    it("a document that does not say how often it retries", () => {
      const stack = withDocument((document) => delete (document.railway as Partial<BridgeConfig["railway"]>).retries);
      assert.match(verdicts(stack).join("\n"), /sets no railway\.retries/);
    });

    it("Railway's Free plan (100 requests an hour) with both stacks' bridges: 360", () => {
      const messages = verdicts(validStack(), { railwayRequestsPerHour: 100 });
      assert.equal(messages.length, 1);
      assert.match(messages[0]!, /Railway 360 requests an hour \(180 per bridge × 2 sharing the limit.*Railway allows 100 requests an hour on the plan/);
    });

    it("is not judged during preview while the bridge's document is unknown", () => {
      const stack = mutate(validStack(), "metrics-function", (props) => ((props["environment"] as { variables: Record<string, string> }).variables[BRIDGE_CONFIG_ENV] = UNKNOWN_STRING));
      assert.match(verdicts(stack).join("\n"), /not judged during preview/);
    });
  });

  describe("runs per hour of a schedule expression (EventBridge Scheduler schedule types: rate, cron, at)", () => {
    const cases: [string, number | RegExp][] = [
      ["rate(1 minute)", 60],
      ["rate(5 minutes)", 12],
      ["rate(7 minutes)", 9],
      ["rate(2 hours)", 1],
      ["rate(1 day)", 1],
      ["cron(* * * * ? *)", 60],
      ["cron(0/15 * * * ? *)", 4],
      ["cron(*/10 9-17 ? * MON-FRI *)", 6],
      ["cron(5,35 * * * ? *)", 2],
      ["cron(10-20/5 * * * ? *)", 3],
      ["cron(L * * * ? *)", 60],
      ["at(2026-12-01T10:00:00)", 1],
      ["every minute", /neither rate/],
      ["cron(* * * *)", /6 fields/],
    ];
    for (const [expression, expected] of cases) {
      it(`${expression} → ${String(expected)}`, () => {
        const runs = maxRunsPerHour(expression);
        if (typeof expected === "number") assert.equal(runs, expected);
        else assert.match(String(runs), expected);
      });
    }
  });
});
