import { strict as assert } from "node:assert";
import { createVerify, generateKeyPairSync } from "node:crypto";
import { createServer, IncomingMessage, Server, ServerResponse } from "node:http";
import { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";
import { bridgeBundle } from "../../../infra/metrics/bundle";
import { BRIDGE_CONFIG_ENV, BridgeConfig } from "../../../infra/metrics/contract";
import { deadlineIn } from "../../../infra/metrics/lambda/http";
import { errorRateQuery, readErrorCounts } from "../../../infra/metrics/lambda/posthog";
import { readRailway } from "../../../infra/metrics/lambda/railway";
import { hogqlResponse } from "../../../tools/artifacts/standIns/bridgeServices";
import { withLambdaLog } from "../../harness/lambdaLog";
import { bridgeDocument } from "../../policies/bridgeFixtures";

/**
 * The bridge against one local server on 127.0.0.1 standing in for PostHog, Railway and AWS, serving the
 * documented shapes only:
 * - PostHog `POST /api/projects/{id}/query/` → HogQLQueryResponse `{ columns, results, types, hogql }`
 *   (PostHog/posthog posthog/schema.py), errors `{ type, code, detail, attr }` (posthog/exceptions.py),
 *   429 with Retry-After (DRF throttles);
 * - Railway `POST /graphql/v2` → `{ data: { latency: { samples }, cpu: [MetricsResult], volume: VolumeInstance } }`
 *   or `{ errors: [{ message: "Not Authorized" }] }` (railwayapp/cli@v5.43.1 src/gql/schema.json, src/client.rs);
 * - AWS through the SDK v3 clients pointed at it with AWS_ENDPOINT_URL (@smithy/core getEndpointUrlConfig):
 *   SSM GetParameters is awsJson1_1 (`X-Amz-Target: AmazonSSM.GetParameters`), CloudWatch PutMetricData is
 *   awsJson1_0 in @aws-sdk/client-cloudwatch 3.1162 (`X-Amz-Target: GraniteServiceVersion20100801.PutMetricData`,
 *   dist-cjs/index.js `protocol: AwsJson1_0Protocol`; bodies gzip-compressed above 10 KiB by its compression plugin).
 */

interface Recorded {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

type Handler = (request: Recorded, response: ServerResponse) => void;

let server: Server;
let base: string;
const recorded: Recorded[] = [];
let route: Handler = () => undefined;

function json(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { "content-type": "application/json", ...headers });
  response.end(JSON.stringify(body));
}

before(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      let raw = Buffer.concat(chunks);
      if (request.headers["content-encoding"] === "gzip") raw = gunzipSync(raw);
      const entry = { method: request.method ?? "", url: request.url ?? "", headers: request.headers, body: raw.toString("utf8") };
      recorded.push(entry);
      route(entry, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  recorded.length = 0;
});

const posthogConfig = () => ({ ...bridgeDocument().posthog, host: base });
const railwayConfig = () => ({ ...bridgeDocument().railway, url: `${base}/graphql/v2` });
const window = { name: "current", from: new Date("2026-12-01T15:28:00Z"), to: new Date("2026-12-01T15:29:00Z") };
const options = () => ({ deadline: deadlineIn(5000), timeoutMs: 1000 });

/**
 * How ClickHouse's parseDateTime64BestEffort reads date-time text given a default zone: a zone
 * designator (Z, ±hh:mm) in the text wins; otherwise the wall-clock time is in the default zone.
 */
function readAsClickHouse(text: string, zone: string): number {
  if (/(Z|[+-]\d{2}:?\d{2})$/.test(text)) return Date.parse(text);
  const [date, time] = text.split(/[ T]/);
  const wall = Date.parse(`${date}T${time}Z`);
  // The zone's offset at that wall time: format the instant in the zone and take the difference.
  const parts = new Intl.DateTimeFormat("en-US", { timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" }).formatToParts(wall);
  const part = (type: string) => parts.find((each) => each.type === type)!.value;
  const shown = Date.parse(`${part("year")}-${part("month")}-${part("day")}T${part("hour")}:${part("minute")}:${part("second")}Z`);
  return wall - (shown - wall);
}

function hogqlAnswer(columns: string[], row: number[]) {
  return hogqlResponse(columns, row, "SELECT …");
}

describe("metrics bridge: sources against documented responses", () => {
  it("PostHog: one HogQL query with the events and window as values, counts read by column", async () => {
    route = (_request, response) => json(response, 200, hogqlAnswer(["current_requests", "current_errors"], [1200, 30]));
    const counts = await readErrorCounts(posthogConfig(), "phx_test", [window], options());
    assert.deepEqual(counts.get("current"), { requests: 1200, errors: 30 });
    const sent = JSON.parse(recorded[0]!.body) as { query: { kind: string; query: string; values: Record<string, string> } };
    assert.equal(recorded[0]!.url, "/api/projects/41028/query/");
    assert.equal(recorded[0]!.headers["authorization"], "Bearer phx_test");
    assert.equal(sent.query.kind, "HogQLQuery");
    assert.deepEqual(sent.query.values["requests_event"], "api_request");
    assert.equal(sent.query.values["current_from"], "2026-12-01T15:28:00Z");
    assert.doesNotMatch(sent.query.query, /api_request/, "event names travel as values, never as query text");
    assert.match(sent.query.query, /toInt\(properties\.status_code\) >= 500/);
  });

  it("PostHog: every window bound means the same instant in a project of any time zone", () => {
    // HogQL prints toDateTime(text) as parseDateTime64BestEffortOrNull(text, 6, '<project zone>')
    // (PostHog/posthog@af2acc5c posthog/hogql/functions/mapping.py, tz_aware); ClickHouse reads text
    // without a zone in that zone, and text with one as that instant (ClickHouse/ClickHouse@08ff8195
    // tests/queries/0_stateless/01281_parseDateTime64BestEffort.sql/.reference, "Timezones").
    const baseline = { name: "baseline", from: new Date("2026-12-01T14:29:00Z"), to: new Date("2026-12-01T15:29:00Z") };
    const windows = [window, baseline];
    const { query, values } = errorRateQuery(posthogConfig(), windows);
    const bounds = [...query.matchAll(/toDateTime\(\{(\w+)\}\)/g)].map((match) => match[1]!);
    assert.ok(bounds.length >= 6, "the windows' bounds go through toDateTime");
    const expected: Record<string, number> = { all_from: baseline.from.getTime(), all_to: baseline.to.getTime() };
    for (const each of windows) Object.assign(expected, { [`${each.name}_from`]: each.from.getTime(), [`${each.name}_to`]: each.to.getTime() });
    for (const zone of ["UTC", "America/New_York", "Asia/Kolkata"]) {
      for (const name of bounds) assert.equal(readAsClickHouse(values[name]!, zone), expected[name], `${name} in a project of ${zone}`);
    }
  });

  it("PostHog: an empty window is 0 requests (no error rate), never a failure", async () => {
    route = (_request, response) => json(response, 200, hogqlAnswer(["current_requests", "current_errors"], [0, 0]));
    assert.deepEqual((await readErrorCounts(posthogConfig(), "k", [window], options())).get("current"), { requests: 0, errors: 0 });
  });

  it("PostHog: 401 names the project and PostHog's error, without retrying", async () => {
    route = (_request, response) => json(response, 401, { type: "authentication_error", code: "authentication_failed", detail: "Personal API key found in request is invalid.", attr: null });
    await assert.rejects(readErrorCounts(posthogConfig(), "bad", [window], options()), /project 41028 failed: 401 authentication_error\/authentication_failed: Personal API key found in request is invalid\./);
    assert.equal(recorded.length, 1);
  });

  it("PostHog: 429 is retried after its Retry-After when the stack allows a retry, and tried once by default", async () => {
    let calls = 0;
    route = (_request, response) => {
      calls++;
      if (calls === 1) json(response, 429, { type: "throttled_error", code: "throttled", detail: "Request was throttled. Expected available in 1 second.", attr: null }, { "retry-after": "1" });
      else json(response, 200, hogqlAnswer(["current_requests", "current_errors"], [10, 1]));
    };
    const started = Date.now();
    assert.deepEqual((await readErrorCounts({ ...posthogConfig(), retries: 1 }, "k", [window], options())).get("current"), { requests: 10, errors: 1 });
    assert.equal(calls, 2);
    assert.ok(Date.now() - started >= 950, "waited for Retry-After");

    // The default: no retry, each try counts against the key's 120 queries an hour.
    calls = 0;
    await assert.rejects(readErrorCounts(posthogConfig(), "k", [window], options()), /429 throttled_error\/throttled/);
    assert.equal(calls, 1);
  });

  it("PostHog: no answer within the timeout is a failure naming the host", async () => {
    route = () => undefined; // never answers
    await assert.rejects(readErrorCounts(posthogConfig(), "k", [window], { deadline: deadlineIn(1500), timeoutMs: 300 }), /127\.0\.0\.1:\d+: no answer within 300 ms/);
  });

  it("Railway: p95 in seconds, database CPU as usage ÷ limit, disk as current ÷ size; missing samples publish nothing", async () => {
    route = (_request, response) =>
      json(response, 200, {
        data: {
          latency: { samples: [{ ts: 1764602880, p95: 1250 }] },
          cpu: [
            { measurement: "CPU_USAGE", values: [{ ts: 1, value: 0.5 }, { ts: 2, value: 0.7 }] },
            { measurement: "CPU_LIMIT", values: [{ ts: 1, value: 2 }, { ts: 2, value: 2 }] },
          ],
          volume: { currentSizeMB: 4096, sizeMB: 5120 },
        },
      });
    const readings = await readRailway(railwayConfig(), "railway-token", window, options());
    assert.deepEqual(readings, { apiLatencyP95Seconds: 1.25, databaseCpuPercent: 30, diskUsedPercent: 80 });
    assert.equal(recorded[0]!.headers["project-access-token"], "railway-token");
    const sent = JSON.parse(recorded[0]!.body) as { variables: Record<string, string> };
    assert.deepEqual([sent.variables["startDate"], sent.variables["endDate"]], ["2026-12-01T15:28:00.000Z", "2026-12-01T15:29:00.000Z"]);

    route = (_request, response) => json(response, 200, { data: { latency: { samples: [] }, cpu: [], volume: { currentSizeMB: 10, sizeMB: 100 } } });
    assert.deepEqual(await readRailway(railwayConfig(), "t", window, options()), { diskUsedPercent: 10 });
  });

  it("Railway: a GraphQL error (Not Authorized) is a failure with Railway's message", async () => {
    route = (_request, response) => json(response, 200, { data: null, errors: [{ message: "Not Authorized" }] });
    await assert.rejects(readRailway(railwayConfig(), "t", window, options()), /Railway \(environment e\): Not Authorized/);
  });
});

describe("metrics bridge: the bundled handler, run as Lambda runs it", () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  });

  function awsRoute(extra: Handler): Handler {
    return (request, response) => {
      const target = String(request.headers["x-amz-target"] ?? "");
      if (target === "AmazonSSM.GetParameters") {
        const names = (JSON.parse(request.body) as { Names: string[] }).Names;
        const known: Record<string, string> = { "/flightdeck/flightpro/production/metrics-bridge/posthog-api-key": "phx_live", "/flightdeck/flightpro/production/metrics-bridge/railway-token": "rw_live" };
        json(response, 200, {
          Parameters: names.filter((name) => known[name] !== undefined).map((name) => ({ Name: name, Type: "SecureString", Value: known[name], Version: 1, ARN: `arn:aws:ssm:us-east-1:123456789012:parameter${name}`, DataType: "text" })),
          InvalidParameters: names.filter((name) => known[name] === undefined),
        }, { "x-amzn-requestid": "r1" });
        return;
      }
      if (target === "GraniteServiceVersion20100801.PutMetricData") {
        response.writeHead(200, { "content-type": "application/x-amz-json-1.0", "x-amzn-requestid": "r2" });
        response.end("{}");
        return;
      }
      extra(request, response);
    };
  }

  it("publishes exactly the heartbeat, each source's flag and the metrics it read, in the stack's namespace", async function () {
    this.timeout(60000);
    const bundle = bridgeBundle();
    const config: BridgeConfig = { ...bridgeDocument(), posthog: posthogConfig(), railway: railwayConfig() };
    delete config.watch;
    delete config.secrets.githubAppPrivateKey;
    Object.assign(process.env, {
      [BRIDGE_CONFIG_ENV]: JSON.stringify(config),
      AWS_ENDPOINT_URL: base,
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
      AWS_SECRET_ACCESS_KEY: "secret",
      AWS_SESSION_TOKEN: "session",
    });
    route = awsRoute((request, response) => {
      if (request.url.startsWith("/api/projects/")) json(response, 200, hogqlAnswer(["current_requests", "current_errors"], [400, 10]));
      else if (request.url === "/graphql/v2") json(response, 200, { data: null, errors: [{ message: "Not Authorized" }] });
      else json(response, 404, {});
    });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const lambda = require(bundle.path) as { handler: (event: unknown, context: unknown) => Promise<{ failures: Record<string, string> }> };
    const { result, log } = await withLambdaLog(() => lambda.handler({ "detail-type": "Scheduled Event", source: "aws.scheduler" }, {}));
    assert.match(result.failures["railway"] ?? "", /Not Authorized/);
    // Its log: the failed source in a line of its own, then the run's summary as one JSON line.
    assert.deepEqual(log.slice(0, -1), ["flightdeck bridge: railway: Railway (environment e): Not Authorized"]);
    assert.deepEqual(JSON.parse(log.at(-1)!), result);
    const put = recorded.find((request) => request.headers["x-amz-target"] === "GraniteServiceVersion20100801.PutMetricData");
    assert.ok(put, "PutMetricData was called");
    assert.equal(put.headers["content-type"], "application/x-amz-json-1.0");
    const body = JSON.parse(put.body) as { Namespace: string; MetricData: { MetricName: string; Value: number; Unit: string; Dimensions?: { Name: string; Value: string }[] }[] };
    assert.equal(body.Namespace, "FlightPro/production");
    assert.deepEqual(
      body.MetricData.map((datum) => [datum.MetricName, datum.Value, datum.Unit, datum.Dimensions ?? []]),
      [
        ["BridgeHeartbeat", 1, "Count", []],
        ["BridgeSourceFailed", 0, "Count", [{ Name: "Source", Value: "posthog" }]],
        ["BridgeSourceFailed", 1, "Count", [{ Name: "Source", Value: "railway" }]],
        ["ErrorRate", 2.5, "Percent", []],
      ],
      "Railway failed: no latency, CPU or disk datum (never a made-up 0)",
    );
  });

  it("the watch: above 5% it records, dispatches rollback.yml as the deploy App and pages, once per deploy", async function () {
    this.timeout(60000);
    const bundle = bridgeBundle();
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const now = Date.now();
    const record = {
      version: 1,
      environment: "production",
      commit: "0123abcd",
      runUrl: "https://github.com/flightpro/flightpro/actions/runs/77/attempts/1",
      runId: "77-1",
      startedAt: new Date(now - 30 * 60_000).toISOString(),
      deployedAt: new Date(now - 20 * 60_000).toISOString(),
      previousDeployment: "1001",
    };
    const document = bridgeDocument();
    const config: BridgeConfig = {
      ...document,
      posthog: posthogConfig(),
      railway: railwayConfig(),
      watch: { ...document.watch!, github: { ...document.watch!.github, apiUrl: base } },
    };
    Object.assign(process.env, {
      [BRIDGE_CONFIG_ENV]: JSON.stringify(config),
      AWS_ENDPOINT_URL: base,
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
      AWS_SECRET_ACCESS_KEY: "secret",
    });
    const stored = new Set<string>();
    const secrets: Record<string, string> = {
      "/flightdeck/flightpro/production/metrics-bridge/posthog-api-key": "phx_live",
      "/flightdeck/flightpro/production/metrics-bridge/railway-token": "rw_live",
      "/flightdeck/flightpro/production/metrics-bridge/github-app-private-key": privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
      "/flightdeck/flightpro/production/deploy-watch": JSON.stringify(record),
    };
    const counts: Record<string, number> = { current_requests: 1000, current_errors: 80, baseline_requests: 10000, baseline_errors: 50, recent_requests: 1000, recent_errors: 80 };
    route = (request, response) => {
      const target = String(request.headers["x-amz-target"] ?? "");
      if (target === "AmazonSSM.GetParameters") {
        const names = (JSON.parse(request.body) as { Names: string[] }).Names;
        json(response, 200, {
          Parameters: names.filter((name) => secrets[name] !== undefined).map((name) => ({ Name: name, Type: name.endsWith("deploy-watch") ? "String" : "SecureString", Value: secrets[name], Version: 1 })),
          InvalidParameters: names.filter((name) => secrets[name] === undefined),
        });
      } else if (target === "GraniteServiceVersion20100801.PutMetricData") {
        json(response, 200, {});
      } else if (request.url.startsWith("/api/projects/")) {
        const columns = [...(JSON.parse(request.body) as { query: { query: string } }).query.query.matchAll(/ AS (\w+)/g)].map((match) => match[1]!);
        json(response, 200, hogqlAnswer(columns, columns.map((column) => counts[column] ?? 0)));
      } else if (request.url === "/graphql/v2") {
        json(response, 200, { data: { latency: { samples: [] }, cpu: [], volume: { currentSizeMB: 1, sizeMB: 10 } } });
      } else if (request.method === "PUT" && request.url.startsWith("/flightpro-deploy-audit-production/")) {
        // S3 conditional write: 412 Precondition Failed when the key exists (If-None-Match: *).
        if (request.headers["if-none-match"] === "*" && stored.has(request.url)) {
          response.writeHead(412, { "content-type": "application/xml" });
          response.end("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you specified did not hold</Message><Condition>If-None-Match</Condition><RequestId>r</RequestId></Error>");
        } else {
          stored.add(request.url);
          response.writeHead(200, { etag: '"abc"' });
          response.end();
        }
      } else if (request.url === "/app/installations/51234567/access_tokens") {
        const [header, payload, signature] = String(request.headers["authorization"]).replace(/^Bearer /, "").split(".");
        const verified = createVerify("RSA-SHA256").update(`${header}.${payload}`).verify(publicKey, Buffer.from(signature!, "base64url"));
        const claims = JSON.parse(Buffer.from(payload!, "base64url").toString()) as { iss: string; iat: number; exp: number };
        if (!verified || claims.iss !== "918273" || claims.exp - claims.iat > 600) json(response, 401, { message: "A JSON web token could not be decoded" });
        else json(response, 201, { token: "ghs_installation", expires_at: "2026-12-01T16:00:00Z", permissions: { actions: "write" }, repository_selection: "selected" });
      } else if (request.url === "/repos/flightpro/flightpro/actions/workflows/rollback.yml/dispatches") {
        response.writeHead(204);
        response.end();
      } else if (request.url === "/" && request.body.includes("Action=Publish")) {
        response.writeHead(200, { "content-type": "text/xml" });
        response.end('<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>m-1</MessageId></PublishResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></PublishResponse>');
      } else json(response, 404, { message: `unexpected ${request.method} ${request.url}` });
    };
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const lambda = require(bundle.path) as { handler: (event: unknown, context: unknown) => Promise<{ watch?: { state: string; detail?: string } }> };
    const { result: first } = await withLambdaLog(() => lambda.handler({}, {}));
    assert.equal(first.watch?.state, "rollback-dispatched", JSON.stringify(first));

    const put = recorded.find((request) => request.method === "PUT")!;
    assert.equal(put.url.split("?")[0], "/flightpro-deploy-audit-production/deployments/production/watch/77-1/automatic-rollback.json");
    assert.equal(put.headers["if-none-match"], "*");
    assert.ok(put.headers["content-md5"], "object lock needs Content-MD5 (or a checksum)");
    assert.equal((JSON.parse(put.body) as { kind: string; deploy: { commit: string } }).deploy.commit, "0123abcd");
    const dispatch = recorded.find((request) => request.url.endsWith("/dispatches"))!;
    assert.equal(dispatch.headers["authorization"], "Bearer ghs_installation");
    const sent = JSON.parse(dispatch.body) as { ref: string; inputs: Record<string, string> };
    assert.equal(sent.ref, "main");
    assert.equal(sent.inputs["environment"], "production");
    assert.equal(sent.inputs["deployment"], "1001");
    assert.match(sent.inputs["reason"] ?? "", /8% errors \(80 of 1000 requests\).*0123abcd/);
    const token = recorded.find((request) => request.url.endsWith("/access_tokens"))!;
    assert.deepEqual(JSON.parse(token.body), { repositories: ["flightpro"], permissions: { actions: "write" } });
    const page = new URLSearchParams(recorded.find((request) => request.body.includes("Action=Publish"))!.body);
    assert.equal(page.get("TopicArn"), "arn:aws:sns:us-east-1:123456789012:flightpro-production-alerts-critical");
    assert.match(page.get("Message") ?? "", /commit 0123abcd, run https:\/\/github\.com\/flightpro\/flightpro\/actions\/runs\/77\/attempts\/1/);

    // The next run finds its record: no second rollback, no second page.
    recorded.length = 0;
    const { result: second } = await withLambdaLog(() => lambda.handler({}, {}));
    assert.equal(second.watch?.state, "rollback-already-done");
    assert.equal(recorded.filter((request) => request.url.endsWith("/dispatches") || request.body.includes("Action=Publish")).length, 0);
  });
});
