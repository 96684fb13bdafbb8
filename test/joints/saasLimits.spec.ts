import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { createServer, Server, ServerResponse } from "node:http";
import { AddressInfo } from "node:net";
import * as path from "node:path";
import { parse } from "yaml";
import { bridgeBundle } from "../../infra/metrics/bundle";
import { BRIDGE_CONFIG_ENV, BridgeConfig } from "../../infra/metrics/contract";
import { MINT_RETRIES } from "../../infra/metrics/lambda/github";
import { REQUESTS_PER_RUN } from "../../policies/lib/rateBudget";
import { bridgeCallsWithinRateLimits } from "../../policies/rules/rateLimits";
import { Evaluation } from "../../tools/offline/evaluate";
import { RecordedResource, runSampleStack } from "../harness";
import { withLambdaLog } from "../harness/lambdaLog";
import { Fixture, judge } from "../policies/judge";
import { packSettings } from "../policies/packConfig";
import { PROVIDER_CALLS } from "./github/providerCalls";

/**
 * The SaaS joint (issue 18, finding 9): the most calls an hour the stacks' schedules and retries can make with
 * each credential, against each service's documented limit. Counted here from the planned stacks and the bundled
 * bridge run against failing stand-ins, independently of the pack's arithmetic (policies/lib/rateBudget.ts),
 * whose verdict must agree.
 *
 * The services' limits:
 * - PostHog: 120 HogQL queries an hour per personal API key (PostHog/posthog@00b34d82 posthog/rate_limit.py
 *   HogQLQueryThrottle `rate = "120/hour"`, keyed by the key's hash in PersonalApiKeyRateThrottle.get_cache_key;
 *   posthog/api/query.py@ac4ad4a0 get_throttles picks it for a HogQLQuery);
 * - Railway: 100 (Free), 1,000 (Hobby), 10,000 (Pro) requests an hour (railwayapp/docs@c2a634f1
 *   content/docs/integrations/api.md "Rate limits"); the sample stacks assume Hobby, both stacks on one account;
 * - GitHub: an App installation 5,000 requests an hour at least, GITHUB_TOKEN 1,000 per repository
 *   (github/docs@21143d5a content/rest/using-the-rest-api/rate-limits-for-the-rest-api.md).
 * How often AWS runs the bridge: the scheduler invokes Lambda asynchronously
 * (https://docs.aws.amazon.com/lambda/latest/dg/with-eventbridge-scheduler.html); Lambda retries a failed
 * asynchronous run twice unless the function's event invoke config says otherwise
 * (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html); the scheduler retries a
 * delivery up to its retry policy's MaximumRetryAttempts (https://docs.aws.amazon.com/scheduler/latest/APIReference/API_RetryPolicy.html).
 */

const LIMITS = { posthogPerKey: 120, railwayHobby: 1000, railwayFree: 100, githubInstallation: 5000, githubToken: 1000 };
/**
 * What the project budgets the deploy App's installation for: infra runs (a preview or an up of one stack) an hour,
 * across every pull request and push, each at its worst (every GitHub resource changed and read back). A budget,
 * not a measurement: 40 is ten pushes an hour, each running both stacks, with room to spare; the spec fails when
 * the stacks' GitHub resources grow past it. The deploy windows of the strategy need a handful a day.
 */
const INFRA_RUNS_PER_HOUR = 40;

const FUNCTION = "aws:lambda/function:Function";
const SCHEDULE = "aws:scheduler/schedule:Schedule";
const EVENT_INVOKE_CONFIG = "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig";

interface BridgePlan {
  stack: string;
  document: BridgeConfig;
  functionName: string;
  /** Deliveries an hour: each schedule's runs × (1 + its retry policy's retries). */
  deliveriesPerHour: number;
  /** Lambda's tries of each delivered run. */
  lambdaTries: number;
}

/** The bridge of a planned stack, counted from its resources (only `rate(N minute[s])` schedules: anything else fails here). */
function bridgeOf(plan: Evaluation, resources: RecordedResource[] = plan.resources): BridgePlan {
  const fn = resources.find((resource) => resource.type === FUNCTION && (resource.inputs["environment"] as { variables?: Record<string, string> } | undefined)?.variables?.[BRIDGE_CONFIG_ENV]);
  assert.ok(fn, `${plan.stack}: no bridge function`);
  const functionName = String(fn.inputs["name"]);
  const document = JSON.parse((fn.inputs["environment"] as { variables: Record<string, string> }).variables[BRIDGE_CONFIG_ENV]!) as BridgeConfig;
  let deliveriesPerHour = 0;
  for (const schedule of resources.filter((resource) => resource.type === SCHEDULE && String((resource.inputs["target"] as { arn?: string }).arn).endsWith(`:function:${functionName}`))) {
    const rate = /^rate\((\d+) minutes?\)$/.exec(String(schedule.inputs["scheduleExpression"]));
    assert.ok(rate, `${plan.stack}: ${schedule.name} runs ${String(schedule.inputs["scheduleExpression"])}: count it here`);
    const retries = (schedule.inputs["target"] as { retryPolicy?: { maximumRetryAttempts?: number } }).retryPolicy?.maximumRetryAttempts ?? 185;
    deliveriesPerHour += (60 / Number(rate[1])) * (1 + retries);
  }
  const config = resources.find((resource) => resource.type === EVENT_INVOKE_CONFIG && resource.inputs["functionName"] === functionName);
  const lambdaTries = 1 + (config ? Number(config.inputs["maximumRetryAttempts"] ?? 2) : 2);
  return { stack: plan.stack, document, functionName, deliveriesPerHour, lambdaTries };
}

/** The plan as the pack's fixtures (dependencies by name), for the pack's own verdict on it. */
function fixturesOf(resources: RecordedResource[]): Fixture[] {
  const names = new Map(resources.map((resource) => [resource.urn, resource.name]));
  return resources
    .filter((resource) => resource.custom)
    .map((resource) => ({
      type: resource.type,
      name: resource.name,
      props: structuredClone(resource.inputs),
      dependsOn: resource.options.dependsOn.map((urn) => names.get(urn)).filter((name): name is string => name !== undefined),
    }));
}

function packVerdicts(plan: Evaluation, resources: RecordedResource[] = plan.resources): string[] {
  const settings = packSettings(plan.stack as "staging" | "production");
  return judge(fixturesOf(resources), { stack: plan.stack, policies: [bridgeCallsWithinRateLimits], config: settings }).map((verdict) => verdict.message);
}

/** A stand-in answering every PostHog and Railway request with 429 and `Retry-After: 0` (retried at once), and AWS as the bundle needs it. */
async function measureTriesPerRun(document: BridgeConfig): Promise<{ posthog: number; railway: number }> {
  const counts = { posthog: 0, railway: 0 };
  const json = (response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    response.writeHead(status, { "content-type": "application/json", ...headers });
    response.end(JSON.stringify(body));
  };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const target = String(request.headers["x-amz-target"] ?? "");
      if (target === "AmazonSSM.GetParameters") {
        const names = (JSON.parse(Buffer.concat(chunks).toString("utf8")) as { Names: string[] }).Names;
        const secrets = [document.secrets.posthogApiKey, document.secrets.railwayToken];
        json(response, 200, {
          Parameters: names.filter((name) => secrets.includes(name)).map((name) => ({ Name: name, Type: "SecureString", Value: "stand-in", Version: 1 })),
          InvalidParameters: names.filter((name) => !secrets.includes(name)),
        });
      } else if (target === "GraniteServiceVersion20100801.PutMetricData") {
        response.writeHead(200, { "content-type": "application/x-amz-json-1.0" });
        response.end("{}");
      } else if (request.url?.startsWith("/api/projects/")) {
        counts.posthog++;
        json(response, 429, { type: "throttled_error", code: "throttled", detail: "Request was throttled.", attr: null }, { "retry-after": "0" });
      } else if (request.url === "/graphql/v2") {
        counts.railway++;
        json(response, 429, { errors: [{ message: "Too many requests" }] }, { "retry-after": "0" });
      } else json(response, 404, {});
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const saved = { ...process.env };
  try {
    const config: BridgeConfig = { ...document, posthog: { ...document.posthog, host: base }, railway: { ...document.railway, url: `${base}/graphql/v2` } };
    Object.assign(process.env, {
      [BRIDGE_CONFIG_ENV]: JSON.stringify(config),
      AWS_ENDPOINT_URL: base,
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
      AWS_SECRET_ACCESS_KEY: "secret",
    });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const lambda = require(bridgeBundle().path) as { handler: () => Promise<{ failures: Record<string, string> }> };
    const { result: summary } = await withLambdaLog(() => lambda.handler());
    assert.ok(summary.failures["posthog"] && summary.failures["railway"], "both sources failed, after every try");
    return counts;
  } finally {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

describe("joints: calls an hour per credential against each service's documented limit (PostHog, Railway, GitHub)", function () {
  this.timeout(180_000);
  let staging: Evaluation;
  let production: Evaluation;
  let bridges: BridgePlan[];
  const measured = new Map<string, { posthog: number; railway: number }>();

  before(async () => {
    staging = await runSampleStack("staging");
    production = await runSampleStack("production");
    bridges = [bridgeOf(staging), bridgeOf(production)];
    for (const bridge of bridges) measured.set(bridge.stack, await measureTriesPerRun(bridge.document));
  });

  const perHour = (bridge: BridgePlan, source: "posthog" | "railway") => bridge.deliveriesPerHour * bridge.lambdaTries * measured.get(bridge.stack)![source];

  it("the bundled bridge sends each source what its document says: one request a run, tried 1 + retries times", () => {
    for (const bridge of bridges) {
      assert.deepEqual(measured.get(bridge.stack), {
        posthog: REQUESTS_PER_RUN.posthog * (1 + bridge.document.posthog.retries),
        railway: REQUESTS_PER_RUN.railway * (1 + bridge.document.railway.retries),
      });
    }
  });

  it("PostHog: each stack's key within 120 HogQL queries an hour (and two stacks could share one key)", () => {
    const counts = bridges.map((bridge) => perHour(bridge, "posthog"));
    assert.deepEqual(counts, [60, 60], "one run a minute, one delivery, no Lambda retry, one try");
    for (const count of counts) assert.ok(count <= LIMITS.posthogPerKey);
    assert.ok(counts[0]! + counts[1]! <= LIMITS.posthogPerKey, "both stacks on one key: 120, at the limit");
    assert.deepEqual([...packVerdicts(staging), ...packVerdicts(production)], [], "the pack agrees");
  });

  it("Railway: both stacks' bridges within the Hobby plan's 1,000 requests an hour (not the Free plan's 100)", () => {
    const total = bridges.reduce((sum, bridge) => sum + perHour(bridge, "railway"), 0);
    assert.equal(total, 360);
    assert.ok(total <= LIMITS.railwayHobby);
    assert.ok(total > LIMITS.railwayFree, "on the Free plan the bridges would be throttled: say so in the pack config (railwayRequestsPerHour)");
  });

  it("fails when one setting goes: without the bridge's event invoke config, Lambda's default retries make 180 PostHog queries an hour, and metrics-bridge-calls-within-rate-limits says so", () => {
    const resources = production.resources.filter((resource) => resource.type !== EVENT_INVOKE_CONFIG);
    const bridge = bridgeOf(production, resources);
    assert.equal(bridge.lambdaTries, 3);
    assert.equal(perHour(bridge, "posthog"), 180);
    assert.ok(perHour(bridge, "posthog") > LIMITS.posthogPerKey);
    assert.match(packVerdicts(production, resources).join("\n"), /can send PostHog 180 requests an hour.*PostHog allows 120/);
  });

  it("GitHub: the deploy App's installation covers the bridge's rollback dispatch and 40 infra runs an hour at their worst; GITHUB_TOKEN too", () => {
    // The bridge calls GitHub only for a rollback: at most once per watched deploy (its S3 audit record is written
    // If-None-Match first), minting a token (1 + MINT_RETRIES tries) and dispatching once (never retried).
    const bridgePerDeploy = 1 + MINT_RETRIES + 1;
    // An infra run reads each GitHub resource and data source of the stack (every GET its provider makes) and
    // changes each at most once (one create, update or delete call, read back: its GETs again).
    const worstOf = (type: string) => {
      const calls = PROVIDER_CALLS[type];
      if (!calls) return Number.NaN;
      const gets = calls.filter((call) => call.verb === "get").length;
      return calls.length > gets ? 2 * gets + 1 : gets;
    };
    const callsPerRun = (plan: Evaluation) =>
      plan.resources.filter((resource) => resource.custom && resource.type.startsWith("github:") && !resource.type.startsWith("pulumi:providers:")).reduce((sum, resource) => sum + worstOf(resource.type), 0) +
      (plan.invokes ?? []).filter((invoke) => invoke.token.startsWith("github:")).reduce((sum, invoke) => sum + worstOf(invoke.token), 0);
    const worstRun = Math.max(callsPerRun(staging), callsPerRun(production));
    assert.ok(Number.isFinite(worstRun) && worstRun > 0, "every GitHub type of the plans has its calls mapped");
    const installationPerHour = INFRA_RUNS_PER_HOUR * (worstRun + bridgePerDeploy);
    assert.ok(installationPerHour <= LIMITS.githubInstallation, `${INFRA_RUNS_PER_HOUR} runs × (${worstRun} provider calls + ${bridgePerDeploy} bridge calls) = ${installationPerHour} > ${LIMITS.githubInstallation}`);

    // GITHUB_TOKEN: the gh calls of the checked-in infra workflow's jobs per run (a listing page or more, then one write).
    const infra = parse(readFileSync(path.join(__dirname, "..", "..", ".github", "workflows", "infra.yml"), "utf8")) as { jobs: Record<string, { steps?: { run?: string }[] }> };
    const ghCalls = Object.values(infra.jobs).flatMap((job) => job.steps ?? []).reduce((sum, step) => sum + [...(step.run ?? "").matchAll(/\bgh (api|pr comment)\b/g)].length, 0);
    assert.ok(ghCalls > 0);
    assert.ok(INFRA_RUNS_PER_HOUR * ghCalls * 2 <= LIMITS.githubToken, `${INFRA_RUNS_PER_HOUR} runs × ${ghCalls} gh calls (× 2 for a second listing page) exceed GITHUB_TOKEN's 1,000 an hour`);
  });
});
