import { generateKeyPairSync } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import type { ArtifactJob, ArtifactRuns, BridgeJob, BridgeRuns, FlagJob, FlagRun } from "./job";
import { REQUESTS_PER_SECOND } from "./bridgeScenarios";
import { BridgeServices, startBridgeServices } from "./standIns/bridgeServices";
import { startPostHogStandIn } from "./standIns/posthogFlags";

/**
 * The artifact check's child process: runs what the plan built, as the services that run it would,
 * against stand-ins, and reports what it did. `node child.js DIR`: reads DIR/job.json, writes
 * DIR/runs.json. It judges nothing (tools/artifacts/check.ts compares with what the config expects).
 *
 * - The bridge bundle runs as Lambda's Node.js runtime runs a function: the archive's files in a task
 *   directory, the handler `file.export` required from it and called with an event and a context
 *   ("Define Lambda function handler in Node.js", https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html),
 *   the function's environment variables set, one module for every invocation (a warm environment).
 * - The flag provider is loaded from its `__provider` text as the `pulumi-nodejs` provider host loads it:
 *   `requireFromString(props.__provider).handler()` (@pulumi/pulumi@3.276.0 cmd/dynamic-provider/index.js
 *   getProvider, with the same require-from-string module), then called as the engine calls it for a new
 *   flag and a changed one: check, create, update (cmd/dynamic-provider/index.js check/create/update).
 *
 * The process has no network but the stand-ins: `fetch` to any other host is refused and recorded
 * (the bundle's PostHog, Railway and GitHub calls and the provider's go through `fetch`; the AWS SDK
 * clients go to AWS_ENDPOINT_URL).
 */

const outside: string[] = [];

function guardNetwork(): void {
  const realFetch = globalThis.fetch;
  globalThis.fetch = (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.hostname !== "127.0.0.1") {
      outside.push(`${url.origin}${url.pathname}`);
      return Promise.reject(new TypeError(`fetch failed: the artifact check allows no network (${url.origin})`));
    }
    return realFetch(input, init);
  };
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([promise, new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms / 1000} s`)), ms)))]).finally(() => clearTimeout(timer));
}

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

function loadHandler(job: BridgeJob, taskDir: string): Handler {
  for (const [name, text] of Object.entries(job.files)) {
    const file = path.resolve(taskDir, name);
    if (!file.startsWith(taskDir + path.sep)) throw new Error(`the archive's file ${name} is outside the task directory`);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  const dot = job.handler.lastIndexOf(".");
  if (dot <= 0) throw new Error(`handler ${job.handler} is not <file>.<export>`);
  const moduleFile = path.join(taskDir, `${job.handler.slice(0, dot)}.js`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const loaded = require(moduleFile) as Record<string, unknown>;
  const handler = loaded[job.handler.slice(dot + 1)];
  if (typeof handler !== "function") throw new Error(`${job.handler}: the archive's ${path.basename(moduleFile)} exports no function ${job.handler.slice(dot + 1)}`);
  return handler as Handler;
}

interface BridgeDocumentFields {
  environment?: string;
  posthog?: { host?: string; projectId?: number; requests?: { event?: string }; errors?: { event?: string; where?: string } };
  railway?: { url?: string };
  secrets?: { posthogApiKey?: string; railwayToken?: string; githubAppPrivateKey?: string };
  lagSeconds?: number;
  windowSeconds?: number;
  watch?: { recordParameter?: string; windowMinutes?: number; github?: { apiUrl?: string; appId?: number; installationId?: number } };
}

async function runBridge(job: BridgeJob, dir: string, services: BridgeServices, index: number): Promise<BridgeRuns> {
  const document = JSON.parse(job.config) as BridgeDocumentFields;
  // The services' addresses become the stand-ins'; every other figure is the planned one.
  const rewritten = JSON.parse(job.config) as BridgeDocumentFields;
  if (rewritten.posthog) rewritten.posthog.host = services.url;
  if (rewritten.railway) rewritten.railway.url = `${services.url}/graphql/v2`;
  if (rewritten.watch?.github) rewritten.watch.github.apiUrl = services.url;
  Object.assign(process.env, {
    FLIGHTDECK_BRIDGE: JSON.stringify(rewritten),
    AWS_ENDPOINT_URL: services.url,
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "AKIDARTIFACTCHECK",
    AWS_SECRET_ACCESS_KEY: "artifact-check",
    AWS_SESSION_TOKEN: "artifact-check",
  });
  let handler: Handler;
  try {
    handler = loadHandler(job, path.join(dir, `task-${index}`));
  } catch (error) {
    return { urn: job.urn, error: `the bundle does not load: ${message(error)}`, runs: [] };
  }
  // A 1024-bit key signs as RS256 as well as the App's real one and costs little to make.
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 1024 });
  const runs: BridgeRuns["runs"] = [];
  for (const [number, scenario] of job.scenarios.entries()) {
    const now = Date.now();
    const windowMinutes = document.watch?.windowMinutes ?? 60;
    const deployedAt = new Date(now - Math.min(10, windowMinutes / 2) * 60_000);
    const startedAt = new Date(deployedAt.getTime() - 5 * 60_000);
    const parameters: Record<string, string> = {};
    const secrets = document.secrets ?? {};
    if (secrets.posthogApiKey) parameters[secrets.posthogApiKey] = "phx_artifact_check";
    if (secrets.railwayToken) parameters[secrets.railwayToken] = "rw_artifact_check";
    if (secrets.githubAppPrivateKey) parameters[secrets.githubAppPrivateKey] = privateKey.export({ type: "pkcs1", format: "pem" }).toString();
    if (scenario.watched && document.watch?.recordParameter) {
      parameters[document.watch.recordParameter] = JSON.stringify({
        version: 1,
        environment: document.environment,
        commit: "0a1b2c3d4e5f",
        runUrl: `https://github.com/artifact-check/run/${index}-${number}`,
        runId: `artifact-check-${index}-${number}`,
        startedAt: startedAt.toISOString(),
        deployedAt: deployedAt.toISOString(),
        previousDeployment: "1001",
      });
    }
    services.reset({
      parameters,
      posthog: {
        projectId: document.posthog?.projectId ?? -1,
        apiKey: "phx_artifact_check",
        requestsEvent: document.posthog?.requests?.event ?? "",
        errorsEvent: document.posthog?.errors?.event ?? "",
        errorsWhere: document.posthog?.errors?.where,
      },
      railwayToken: "rw_artifact_check",
      github: { appId: document.watch?.github?.appId ?? -1, installationId: document.watch?.github?.installationId ?? -1, publicKey },
      traffic: { requestsPerSecond: REQUESTS_PER_SECOND, beforePercent: scenario.baselinePercent, afterPercent: scenario.recentPercent, changeAt: scenario.watched ? deployedAt : new Date(0) },
    });
    outside.length = 0;
    const run: BridgeRuns["runs"][number] = { scenario: scenario.id, observed: services.observed, outside: [] };
    try {
      const result = (await withTimeout(handler({ "detail-type": "Scheduled Event", source: "aws.scheduler" }, { functionName: "artifact-check" }), 20_000, "the handler")) as { watch?: { state?: string; detail?: string } } | undefined;
      if (result?.watch) run.watch = { state: result.watch.state, detail: result.watch.detail };
    } catch (error) {
      run.error = message(error);
    }
    run.observed = services.observed;
    run.outside = [...outside];
    runs.push(run);
  }
  return { urn: job.urn, runs };
}

interface Provider {
  check?(olds: unknown, news: unknown): Promise<{ inputs?: Record<string, unknown>; failures?: unknown[] }>;
  diff?(id: string, olds: unknown, news: unknown): Promise<{ changes?: boolean }>;
  create(inputs: unknown): Promise<{ id: string; outs?: Record<string, unknown> }>;
  update?(id: string, olds: unknown, news: unknown): Promise<unknown>;
}

/** The require-from-string the provider host loads `__provider` with: the one @pulumi/pulumi depends on. */
function requireFromString(): (code: string, filename?: string) => Record<string, unknown> {
  const sdk = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(require.resolve("require-from-string", { paths: [sdk] })) as (code: string, filename?: string) => Record<string, unknown>;
}

async function runFlag(job: FlagJob): Promise<FlagRun> {
  const projectId = typeof job.inputs["projectId"] === "number" ? job.inputs["projectId"] : 1;
  const standIn = await startPostHogStandIn({ projectId, apiKey: "phx_artifact_check_flags" });
  outside.length = 0;
  const run: FlagRun = { urn: job.urn, outside: [] };
  try {
    const exported = requireFromString()(job.provider);
    const make = exported["handler"];
    if (typeof make !== "function") throw new Error("__provider exports no handler()");
    const provider = (make as () => Provider)();
    const news: Record<string, unknown> = { ...job.inputs, host: standIn.url, apiKey: standIn.apiKey };
    const checked = provider.check ? await withTimeout(provider.check({}, news), 20_000, "check") : { inputs: news, failures: [] };
    run.checkFailures = checked.failures ?? [];
    const inputs = checked.inputs ?? news;
    run.checkedFilters = inputs["filters"];
    const sentBy = (method: string) => {
      const request = [...standIn.requests].reverse().find((each) => each.method === method);
      return request ? { method, body: request.body } : undefined;
    };
    const created = await withTimeout(provider.create(inputs), 20_000, "create");
    run.created = sentBy("POST");
    run.storedFilters = standIn.flags.get(Number(created.id))?.filters;
    // The next stage's update: the engine asks diff whether the declared filters changed, then calls update
    // with them (cmd/dynamic-provider/index.js diff, update). The stored state is the flag at another rollout.
    const [nobody, everyone] = [0, 100].map((percent) => ({ groups: [{ properties: [], rollout_percentage: percent }] }));
    const stored = { ...(created.outs ?? inputs), filters: JSON.stringify(inputs["filters"]) === JSON.stringify(nobody) ? everyone : nobody };
    const diff = provider.diff ? await withTimeout(provider.diff(created.id, stored, inputs), 20_000, "diff") : { changes: true };
    run.diffChanges = diff.changes === true;
    if (provider.update) {
      await withTimeout(provider.update(created.id, stored, inputs), 20_000, "update");
      run.updated = sentBy("PATCH");
    }
  } catch (error) {
    run.error = message(error).split(standIn.apiKey).join("[secret]");
  } finally {
    run.outside = [...outside];
    await standIn.close();
  }
  return run;
}

async function main(): Promise<void> {
  const dir = process.argv[2];
  if (!dir) throw new Error("usage: child.js DIR");
  const job = JSON.parse(readFileSync(path.join(dir, "job.json"), "utf8")) as ArtifactJob;
  guardNetwork();
  const runs: ArtifactRuns = { bridges: [], flags: [] };
  if (job.bridges.length > 0) {
    const services = await startBridgeServices();
    try {
      for (const [index, bridge] of job.bridges.entries()) runs.bridges.push(await runBridge(bridge, dir, services, index));
    } finally {
      await services.close();
    }
  }
  for (const flag of job.flags) runs.flags.push(await runFlag(flag));
  writeFileSync(path.join(dir, "runs.json"), JSON.stringify(runs));
}

main().then(
  // The bundle's clients may keep sockets open: the process ends when the runs are written.
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`artifact check: ${message(error)}\n`);
    process.exit(3);
  },
);
