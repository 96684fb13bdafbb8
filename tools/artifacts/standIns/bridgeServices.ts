import { createVerify, KeyObject } from "node:crypto";
import { createServer, IncomingMessage, Server, ServerResponse } from "node:http";
import { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";

/**
 * One server on 127.0.0.1 standing in for everything the metrics bridge calls, answering with the
 * documented shapes only (the same shapes test/infra/metrics/bridgeHandler.spec.ts pins):
 * - AWS, through the SDK v3 clients pointed at it with `AWS_ENDPOINT_URL` ("Service-specific endpoints",
 *   https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html; @smithy/core getEndpointUrlConfig):
 *   SSM GetParameters (awsJson1_1, `X-Amz-Target: AmazonSSM.GetParameters`, `{Parameters, InvalidParameters}`),
 *   CloudWatch PutMetricData (awsJson1_0 in @aws-sdk/client-cloudwatch 3.1162, `X-Amz-Target:
 *   GraniteServiceVersion20100801.PutMetricData`, gzip above 10 KiB), S3 PutObject (REST, path style on an
 *   IP endpoint; 412 PreconditionFailed when `If-None-Match: *` meets an existing key,
 *   https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html) and SNS Publish (query
 *   protocol, `Action=Publish`, a PublishResponse document);
 * - PostHog `POST /api/projects/{id}/query/` → HogQLQueryResponse `{columns, results, types, hogql}`
 *   (https://posthog.com/docs/api/queries; PostHog/posthog posthog/schema.py), errors `{type, code, detail, attr}`;
 * - Railway `POST /graphql/v2` → `{data: {...}}` (railwayapp/cli@v5.43.1 src/gql/schema.json);
 * - GitHub: `POST /app/installations/{id}/access_tokens` with an App JWT (RS256) → 201 `{token, expires_at, …}`,
 *   `POST /repos/{owner}/{repo}/actions/workflows/{workflow}/dispatches` → 204 (https://docs.github.com/en/rest/actions/workflows).
 *
 * PostHog's counts come from a traffic model: REQUESTS_PER_SECOND requests every second, of which the
 * baseline's error rate before the deploy started and the recent rate from when it went live; each
 * `countIf(...) AS column` of the query is answered for the event and the window it names.
 */

export interface Traffic {
  requestsPerSecond: number;
  /** Rate (percent) before `changeAt`, and from it on. */
  beforePercent: number;
  afterPercent: number;
  changeAt: Date;
}

export interface BridgeServicesSetup {
  /** SSM parameters by name (SecureString values come back decrypted, as WithDecryption asks). */
  parameters: Record<string, string>;
  posthog: { projectId: number; apiKey: string; requestsEvent: string; errorsEvent: string; errorsWhere?: string };
  railwayToken: string;
  github: { appId: number; installationId: number; publicKey: KeyObject };
  traffic: Traffic;
}

export interface Observed {
  published: { namespace: string; metricName: string; value: number; unit?: string; dimensions: Record<string, string> }[];
  pages: { topicArn: string; subject: string }[];
  dispatches: { owner: string; repository: string; workflow: string; ref?: string; inputs?: Record<string, string> }[];
  audits: string[];
  /** Requests the stand-in could not answer as the service documents (what, and why). */
  unexpected: string[];
}

export interface BridgeServices {
  url: string;
  setup: BridgeServicesSetup | undefined;
  observed: Observed;
  reset(setup: BridgeServicesSetup): void;
  close(): Promise<void>;
}

/** A HogQLQueryResponse of one row of counts, as PostHog's query API answers (see above). */
export function hogqlResponse(columns: string[], row: number[], hogql: string): { columns: string[]; results: number[][]; types: string[][]; hogql: string; is_cached: boolean } {
  return { columns, results: [row], types: columns.map((column) => [column, "UInt64"]), hogql, is_cached: false };
}

function json(response: ServerResponse, status: number, body: unknown, type = "application/json"): void {
  response.writeHead(status, { "content-type": type, "x-amzn-requestid": "artifact-check" });
  response.end(JSON.stringify(body));
}

function emptyObserved(): Observed {
  return { published: [], pages: [], dispatches: [], audits: [], unexpected: [] };
}

/** Errors in [0, t): the integral of the rate, so that any window's count is a whole number and the rates hold. */
function cumulativeErrors(traffic: Traffic, seconds: number): number {
  const change = traffic.changeAt.getTime() / 1000;
  const perSecond = (percent: number) => (traffic.requestsPerSecond * percent) / 100;
  return seconds <= change ? perSecond(traffic.beforePercent) * seconds : perSecond(traffic.beforePercent) * change + perSecond(traffic.afterPercent) * (seconds - change);
}

function countIn(traffic: Traffic, errors: boolean, from: number, to: number): number {
  const [a, b] = [Math.floor(from / 1000), Math.floor(to / 1000)];
  if (b <= a) return 0;
  return errors ? Math.floor(cumulativeErrors(traffic, b)) - Math.floor(cumulativeErrors(traffic, a)) : traffic.requestsPerSecond * (b - a);
}

/** The HogQL query's `countIf(<condition>) AS <column>` terms, answered from the traffic model; a string says what could not be read. */
export function answerHogql(setup: BridgeServicesSetup, query: string, values: Record<string, unknown>): { columns: string[]; row: number[] } | string {
  const columns: string[] = [];
  const row: number[] = [];
  for (const term of query.matchAll(/countIf\((.*?)\) AS (\w+)/g)) {
    const [, condition, column] = term as unknown as [string, string, string];
    const placeholder = (pattern: RegExp) => {
      const name = pattern.exec(condition)?.[1];
      const value = name === undefined ? undefined : values[name];
      return typeof value === "string" ? value : undefined;
    };
    const event = placeholder(/event = \{(\w+)\}/);
    const from = placeholder(/timestamp >= toDateTime\(\{(\w+)\}\)/);
    const to = placeholder(/timestamp < toDateTime\(\{(\w+)\}\)/);
    if (event === undefined || from === undefined || to === undefined || Number.isNaN(Date.parse(from)) || Number.isNaN(Date.parse(to))) {
      return `the stand-in cannot read ${column}'s condition (an event and a window as {placeholders}): ${condition}`;
    }
    const { errorsEvent, errorsWhere, requestsEvent } = setup.posthog;
    const isErrors = errorsWhere !== undefined ? event === errorsEvent && condition.includes(errorsWhere) : event === errorsEvent && errorsEvent !== requestsEvent;
    if (!isErrors && event !== requestsEvent) return `${column} counts event ${event}, which the stand-in's traffic does not have`;
    columns.push(column);
    row.push(countIn(setup.traffic, isErrors, Date.parse(from), Date.parse(to)));
  }
  if (columns.length === 0) return "the query has no countIf(...) AS column term";
  return { columns, row };
}

function verifyAppJwt(authorization: string | undefined, setup: BridgeServicesSetup): string | undefined {
  const [header, payload, signature] = String(authorization ?? "").replace(/^Bearer /, "").split(".");
  if (!header || !payload || !signature) return "no JWT";
  if (!createVerify("RSA-SHA256").update(`${header}.${payload}`).verify(setup.github.publicKey, Buffer.from(signature, "base64url"))) return "a JWT not signed by the App's key";
  const claims = JSON.parse(Buffer.from(payload, "base64url").toString()) as { iss?: unknown; iat?: number; exp?: number };
  if (String(claims.iss) !== String(setup.github.appId)) return `a JWT issued by ${String(claims.iss)}, not App ${setup.github.appId}`;
  if (typeof claims.iat !== "number" || typeof claims.exp !== "number" || claims.exp - claims.iat > 600) return "a JWT valid for more than 10 minutes";
  return undefined;
}

function route(services: BridgeServices, request: IncomingMessage, body: string, response: ServerResponse): void {
  const setup = services.setup!;
  const observed = services.observed;
  const url = request.url ?? "/";
  const target = String(request.headers["x-amz-target"] ?? "");
  const refuse = (why: string, status = 400) => {
    observed.unexpected.push(`${request.method} ${url.split("?")[0]}: ${why}`);
    json(response, status, { message: why });
  };
  if (target === "AmazonSSM.GetParameters") {
    const names = (JSON.parse(body) as { Names?: string[] }).Names ?? [];
    json(response, 200, {
      Parameters: names.filter((name) => setup.parameters[name] !== undefined).map((name) => ({ Name: name, Type: "SecureString", Value: setup.parameters[name], Version: 1, DataType: "text" })),
      InvalidParameters: names.filter((name) => setup.parameters[name] === undefined),
    }, "application/x-amz-json-1.1");
    return;
  }
  if (target === "GraniteServiceVersion20100801.PutMetricData") {
    const document = JSON.parse(body) as { Namespace?: string; MetricData?: { MetricName: string; Value: number; Unit?: string; Dimensions?: { Name: string; Value: string }[] }[] };
    for (const datum of document.MetricData ?? []) {
      observed.published.push({ namespace: document.Namespace ?? "", metricName: datum.MetricName, value: datum.Value, unit: datum.Unit, dimensions: Object.fromEntries((datum.Dimensions ?? []).map((d) => [d.Name, d.Value])) });
    }
    json(response, 200, {}, "application/x-amz-json-1.0");
    return;
  }
  if (request.method === "PUT" && target === "") {
    const key = url.split("?")[0]!;
    if (request.headers["if-none-match"] === "*" && observed.audits.includes(key)) {
      response.writeHead(412, { "content-type": "application/xml" });
      response.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you specified did not hold</Message><Condition>If-None-Match</Condition><RequestId>r</RequestId></Error>');
      return;
    }
    observed.audits.push(key);
    response.writeHead(200, { etag: '"artifact-check"' });
    response.end();
    return;
  }
  if (request.method === "POST" && url === "/" && body.includes("Action=Publish")) {
    const form = new URLSearchParams(body);
    observed.pages.push({ topicArn: form.get("TopicArn") ?? "", subject: form.get("Subject") ?? "" });
    response.writeHead(200, { "content-type": "text/xml" });
    response.end('<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>m-1</MessageId></PublishResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></PublishResponse>');
    return;
  }
  const query = /^\/api\/projects\/(\d+)\/query\/$/.exec(url);
  if (request.method === "POST" && query) {
    if (request.headers["authorization"] !== `Bearer ${setup.posthog.apiKey}`) {
      json(response, 401, { type: "authentication_error", code: "authentication_failed", detail: "Personal API key found in request is invalid.", attr: null });
      return;
    }
    if (Number(query[1]) !== setup.posthog.projectId) return refuse(`project ${query[1]}, not the configured ${setup.posthog.projectId}`, 404);
    const sent = JSON.parse(body) as { query?: { kind?: string; query?: string; values?: Record<string, unknown> } };
    if (sent.query?.kind !== "HogQLQuery" || typeof sent.query.query !== "string") return refuse("not a HogQLQuery");
    const answer = answerHogql(setup, sent.query.query, sent.query.values ?? {});
    if (typeof answer === "string") {
      observed.unexpected.push(`PostHog query: ${answer}`);
      json(response, 400, { type: "validation_error", code: "invalid_input", detail: answer, attr: "query" });
      return;
    }
    json(response, 200, hogqlResponse(answer.columns, answer.row, sent.query.query));
    return;
  }
  if (request.method === "POST" && url === "/graphql/v2") {
    if (request.headers["project-access-token"] !== setup.railwayToken) {
      json(response, 200, { data: null, errors: [{ message: "Not Authorized" }] });
      return;
    }
    json(response, 200, { data: { latency: { samples: [] }, cpu: [], volume: { currentSizeMB: 1024, sizeMB: 10240 } } });
    return;
  }
  if (request.method === "POST" && url === `/app/installations/${setup.github.installationId}/access_tokens`) {
    const problem = verifyAppJwt(request.headers["authorization"], setup);
    if (problem !== undefined) {
      observed.unexpected.push(`GitHub access token: ${problem}`);
      json(response, 401, { message: "A JSON web token could not be decoded", documentation_url: "https://docs.github.com/rest" });
      return;
    }
    json(response, 201, { token: "ghs_artifact_check", expires_at: "2099-01-01T00:00:00Z", permissions: { actions: "write" }, repository_selection: "selected" });
    return;
  }
  const dispatch = /^\/repos\/([^/]+)\/([^/]+)\/actions\/workflows\/([^/]+)\/dispatches$/.exec(url);
  if (request.method === "POST" && dispatch) {
    if (request.headers["authorization"] !== "Bearer ghs_artifact_check") {
      json(response, 401, { message: "Bad credentials" });
      return;
    }
    const sent = JSON.parse(body) as { ref?: string; inputs?: Record<string, string> };
    observed.dispatches.push({ owner: dispatch[1]!, repository: dispatch[2]!, workflow: decodeURIComponent(dispatch[3]!), ref: sent.ref, inputs: sent.inputs });
    response.writeHead(204);
    response.end();
    return;
  }
  refuse("not a call the bridge's services answer", 404);
}

export async function startBridgeServices(): Promise<BridgeServices> {
  const services: BridgeServices = {
    url: "",
    setup: undefined,
    observed: emptyObserved(),
    reset(setup) {
      services.setup = setup;
      services.observed = emptyObserved();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      let raw = Buffer.concat(chunks);
      try {
        if (request.headers["content-encoding"] === "gzip") raw = gunzipSync(raw);
        route(services, request, raw.toString("utf8"), response);
      } catch (error) {
        services.observed.unexpected.push(`${request.method} ${request.url}: ${error instanceof Error ? error.message : String(error)}`);
        json(response, 400, { message: "unreadable request" });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  services.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return services;
}
