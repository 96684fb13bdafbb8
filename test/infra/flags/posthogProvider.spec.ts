import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { filtersFor } from "../../../infra/flags/filters";
import { SERIALIZED_PROVIDER } from "../../../infra/flags/featureFlag";
import { FeatureFlagInputs, FeatureFlagOutputs, makePostHogFeatureFlagProvider } from "../../../infra/flags/posthogProvider";
import { specStages } from "../../../infra/flags/rollout";
import { PostHogStandIn, startPostHogStandIn } from "../../../tools/artifacts/standIns/posthogFlags";

type Provider = pulumi.dynamic.ResourceProvider<FeatureFlagInputs, FeatureFlagOutputs>;

function isProvider(value: unknown): value is Provider {
  if (value === null || typeof value !== "object") return false;
  return ["check", "diff", "create", "read", "update", "delete"].every((method) => typeof Object.getOwnPropertyDescriptor(value, method)?.value === "function");
}

/**
 * The provider as the engine runs it: the flag's `__provider` text, loaded the way the
 * `pulumi-nodejs` provider process loads it (@pulumi/pulumi cmd/dynamic-provider/index.ts
 * `getProvider`: require-from-string compiles the text as a module, then `handler()`). Compiled
 * with `new Function`, it sees the globals and nothing of this file, as a module would.
 */
function loadSerialized(text: string): Provider {
  const module = { exports: {} as Record<string, unknown> };
  new Function("exports", "require", "module", "__filename", "__dirname", text)(module.exports, require, module, "provider.js", ".");
  const handler = module.exports["handler"];
  assert.equal(typeof handler, "function");
  const provider: unknown = typeof handler === "function" ? handler() : undefined;
  assert.ok(isProvider(provider), "the module's handler returns the provider");
  return provider;
}

function inputsFor(standIn: PostHogStandIn, overrides: Partial<FeatureFlagInputs> = {}): FeatureFlagInputs {
  return {
    host: standIn.url,
    projectId: standIn.projectId,
    apiKey: standIn.apiKey,
    key: "new-dashboard",
    name: "The redesigned flight-planning dashboard (owner: maria-chen). Managed by flightdeck.",
    active: true,
    filters: filtersFor({ percent: 5, team: true }, ["user_maria_chen", "user_dev_okafor"]),
    description: "The redesigned flight-planning dashboard",
    owner: "maria-chen",
    killSwitch: false,
    earlyAccess: ["user_maria_chen", "user_dev_okafor"],
    rollout: { start: "2026-11-24", timezone: "America/New_York", stages: specStages.map((stage) => ({ ...stage })) },
    stage: "5% (day 3 of plan since 2026-11-24; next: 25% on 2026-12-01)",
    environment: "production",
    staging: null,
    register: { parameter: "/flightdeck/flightpro/production/feature-flags/new-dashboard", recordedStart: "2026-11-24" },
    ...overrides,
  };
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof Error);
    return error;
  }
  assert.fail("expected the call to fail");
}

describe("flags: the PostHog dynamic provider against a stand-in of PostHog's API", function () {
  let standIn: PostHogStandIn;
  const provider = loadSerialized(SERIALIZED_PROVIDER);
  beforeEach(async () => {
    standIn = await startPostHogStandIn();
  });
  afterEach(async () => {
    await standIn.close();
  });

  it("is a self-contained module: no require, no file path, no secret, and small", () => {
    assert.doesNotMatch(SERIALIZED_PROVIDER, /\brequire\(/);
    assert.doesNotMatch(SERIALIZED_PROVIDER, /\/work\/|node_modules|infra\/flags|phx_/);
    assert.ok(SERIALIZED_PROVIDER.length < 32_000, `${SERIALIZED_PROVIDER.length} bytes`);
  });

  it("captures nothing: Pulumi's closure serializer finds no variable the factory's text would lack", async () => {
    // What pulumi.dynamic.Resource would serialize: each `with({…})` lists a function's captured variables.
    const serialized = await pulumi.runtime.serializeFunction(makePostHogFeatureFlagProvider);
    const captured = [...serialized.text.matchAll(/with\(\{([^}]*)\}\)/g)].flatMap((match) => match[1]!.split(",").map((entry) => entry.split(":")[0]!.trim()));
    const allowed = ["this", "arguments", "makePostHogFeatureFlagProvider", "__name", "__defProp"];
    assert.deepEqual(captured.filter((name) => !allowed.includes(name)), []);
    assert.equal(serialized.containsSecrets, false);
  });

  it("create: POSTs the key, description, active and release conditions with the key as a bearer token; the id is PostHog's", async () => {
    const inputs = inputsFor(standIn);
    const created = await provider.create(inputs);
    const stored = [...standIn.flags.values()];
    assert.equal(stored.length, 1);
    assert.equal(created.id, String(stored[0]!.id));
    assert.equal(created.outs?.flagId, stored[0]!.id);
    const request = standIn.requests[0]!;
    assert.equal(request.method, "POST");
    assert.equal(request.path, `/api/projects/${standIn.projectId}/feature_flags/`);
    assert.equal(request.authorization, `Bearer ${standIn.apiKey}`);
    assert.deepEqual(request.body, { key: "new-dashboard", name: inputs.name, active: true, filters: inputs.filters });
    assert.deepEqual(stored[0]!.filters, inputs.filters);
  });

  it("read: the live flag, so a refresh sees a change made in PostHog's UI", async () => {
    const { id, outs } = await provider.create(inputsFor(standIn));
    const flag = standIn.flags.get(Number(id))!;
    flag.filters = { groups: [{ properties: [], rollout_percentage: 0 }] };
    const read = await provider.read!(id, outs);
    assert.equal(read.id, id);
    assert.deepEqual(read.props?.filters, { groups: [{ properties: [], rollout_percentage: 0 }] });
    assert.equal(read.props?.stage, outs?.stage, "flightdeck's record is kept");
  });

  it("read: a flag deleted in PostHog (soft: deleted true; for good: 404) reads back as gone", async () => {
    const { id, outs } = await provider.create(inputsFor(standIn));
    standIn.flags.get(Number(id))!.deleted = true;
    assert.deepEqual(await provider.read!(id, outs), {});
    standIn.flags.delete(Number(id));
    assert.deepEqual(await provider.read!(id, outs), {});
  });

  it("update: PATCHes the description, active and release conditions; the stage moves on", async () => {
    const { id, outs } = await provider.create(inputsFor(standIn));
    const news = inputsFor(standIn, { filters: filtersFor({ percent: 25, team: true }, ["user_maria_chen", "user_dev_okafor"]), stage: "25% (day 7 …)" });
    const updated = await provider.update!(id, outs!, news);
    const request = standIn.requests.at(-1)!;
    assert.equal(request.method, "PATCH");
    assert.equal(request.path, `/api/projects/${standIn.projectId}/feature_flags/${id}/`);
    assert.deepEqual(request.body, { name: news.name, active: true, filters: news.filters });
    assert.deepEqual(standIn.flags.get(Number(id))!.filters, news.filters);
    assert.equal(updated.outs?.stage, "25% (day 7 …)");
  });

  it("delete: sets deleted with a PATCH (PostHog answers DELETE with 405), and a flag already gone is fine", async () => {
    const { id, outs } = await provider.create(inputsFor(standIn));
    await provider.delete!(id, outs!);
    assert.deepEqual(standIn.requests.map((request) => request.method), ["POST", "PATCH"]);
    assert.deepEqual(standIn.requests[1]!.body, { deleted: true });
    assert.equal(standIn.flags.get(Number(id))!.deleted, true);
    standIn.flags.delete(Number(id));
    await provider.delete!(id, outs!);
  });

  it("diff: another key, project or host replaces the flag; a new stage updates it; nothing new changes nothing", async () => {
    const { outs } = await provider.create(inputsFor(standIn));
    assert.deepEqual(await provider.diff!("1", outs!, inputsFor(standIn)), { changes: false, replaces: [], deleteBeforeReplace: false });
    const nextStage = inputsFor(standIn, { filters: filtersFor({ percent: 25, team: true }, ["user_maria_chen"]) });
    assert.deepEqual(await provider.diff!("1", outs!, nextStage), { changes: true, replaces: [], deleteBeforeReplace: false });
    assert.deepEqual((await provider.diff!("1", outs!, inputsFor(standIn, { key: "new-dashboard-v2" }))).replaces, ["key"]);
    assert.deepEqual((await provider.diff!("1", outs!, inputsFor(standIn, { projectId: 7 }))).replaces, ["projectId"]);
  });

  it("diff after a refresh: filters PostHog answers with its keys in jsonb's order are no change", async () => {
    const inputs = inputsFor(standIn, { filters: filtersFor({ percent: 5, team: true }, ["user_maria_chen"]) });
    const { id, outs } = await provider.create(inputs);
    const refreshed = await provider.read!(id, outs!);
    // The stand-in answers as PostgreSQL's jsonb does: the team condition's keys come back reordered.
    assert.notEqual(JSON.stringify(refreshed.props!["filters"]), JSON.stringify(inputs.filters), "PostHog's order differs from the program's");
    assert.deepEqual(await provider.diff!(id, refreshed.props as typeof outs & object, inputs), { changes: false, replaces: [], deleteBeforeReplace: false });
    const moved = inputsFor(standIn, { filters: filtersFor({ percent: 25, team: true }, ["user_maria_chen"]) });
    assert.equal((await provider.diff!(id, refreshed.props as typeof outs & object, moved)).changes, true, "a real change still shows");
  });

  it("check: names the flag and the input PostHog would refuse", async () => {
    const result = await provider.check!(inputsFor(standIn), inputsFor(standIn, { key: "new dashboard!", projectId: 0, filters: { groups: [] } }));
    assert.deepEqual(result.failures?.map((failure) => failure.property), ["key", "projectId", "filters"]);
    assert.match(result.failures![0]!.reason, /feature flag "new dashboard!": PostHog allows only letters, numbers, hyphens/);
    assert.deepEqual((await provider.check!(inputsFor(standIn), inputsFor(standIn))).failures, []);
  });

  it("401: a clear error naming the flag and the config key, never the key itself", async () => {
    const error = await rejection(provider.create(inputsFor(standIn, { apiKey: "phx_wrong_key_abcdef" })));
    assert.match(error.message, /^PostHog feature flag "new-dashboard" \(project 41028 at http:\/\/127\.0\.0\.1:\d+\): create failed with HTTP 401/);
    assert.match(error.message, /authentication_error\/authentication_failed: Personal API key found in request Authorization header is invalid\./);
    assert.match(error.message, /flightdeck:posthogPersonalApiKey/);
    assert.doesNotMatch(error.message, /phx_wrong_key_abcdef/);
  });

  it("404: updating a flag deleted for good says so and how to recover", async () => {
    const { id, outs } = await provider.create(inputsFor(standIn));
    standIn.flags.delete(Number(id));
    const error = await rejection(provider.update!(id, outs!, inputsFor(standIn)));
    assert.match(error.message, /"new-dashboard".*update failed with HTTP 404 \(invalid_request\/not_found: Not found\.\); the flag no longer exists in PostHog: run `pulumi refresh`/);
  });

  it("updating a flag soft-deleted in PostHog's UI is an error, not a silent change to a deleted flag", async () => {
    const { id, outs } = await provider.create(inputsFor(standIn));
    standIn.flags.get(Number(id))!.deleted = true;
    const error = await rejection(provider.update!(id, outs!, inputsFor(standIn)));
    assert.match(error.message, /"new-dashboard".*deleted in PostHog outside Pulumi/);
  });

  it("400 unique key: names the flag and the existing flag's id, found through the list's next pages", async () => {
    standIn.pageSize = 1;
    standIn.seed({ key: "new-dashboard-legacy", name: "new-dashboard (old)" });
    standIn.seed({ key: "new-dashboard-beta" });
    const existing = standIn.seed({ key: "new-dashboard", name: "made by hand" });
    const error = await rejection(provider.create(inputsFor(standIn)));
    assert.match(error.message, /"new-dashboard".*create failed with HTTP 400 \(validation_error\/unique on key: There is already a feature flag with this key\.\)/);
    assert.match(error.message, new RegExp(`already exists \\(id ${existing.id}\\), created outside this stack`));
    const listed = standIn.requests.filter((request) => request.method === "GET").map((request) => request.path);
    assert.equal(listed.length, 3, listed.join("\n"));
    assert.match(listed[2]!, /offset=2/);
  });

  it("400 validation error on the key: PostHog's message, naming the flag", async () => {
    const error = await rejection(provider.create(inputsFor(standIn, { key: "new dashboard" })));
    assert.match(error.message, /"new dashboard".*HTTP 400 \(validation_error\/invalid_key on key: Only letters, numbers, hyphens \(-\) & underscores \(_\) are allowed\.\)/);
  });

  it("429: waits out Retry-After and tries again", async () => {
    standIn.force({
      status: 429,
      body: { type: "throttled_error", code: "throttled", detail: "Request was throttled. Expected available in 1 second.", attr: null },
      headers: { "Retry-After": "1" },
    });
    const started = Date.now();
    const created = await provider.create(inputsFor(standIn));
    assert.ok(Date.now() - started >= 950, `waited ${Date.now() - started} ms`);
    assert.deepEqual(standIn.requests.map((request) => request.method), ["POST", "POST"]);
    assert.ok(standIn.flags.has(Number(created.id)));
  });

  it("429 with a wait longer than a run should take: a clear error naming the flag, after one request", async () => {
    standIn.force({
      status: 429,
      body: { type: "throttled_error", code: "throttled", detail: "Request was throttled. Expected available in 3600 seconds.", attr: null },
      headers: { "Retry-After": "3600" },
    });
    const error = await rejection(provider.create(inputsFor(standIn)));
    assert.match(error.message, /^PostHog feature flag "new-dashboard" .*: POST rate limited by PostHog \(HTTP 429 after 1 attempt; Retry-After 3600 s\): Request was throttled\. Expected available in 3600 seconds\./);
    assert.match(error.message, /480 requests\/minute and 4800\/hour/);
    assert.equal(standIn.requests.length, 1);
  });

  it("a server that is not there: the flag and the URL, no key", async () => {
    await standIn.close();
    const error = await rejection(provider.create(inputsFor(standIn)));
    assert.match(error.message, /PostHog feature flag "new-dashboard" .*POST http:\/\/127\.0\.0\.1:\d+\/api\/projects\/41028\/feature_flags\/ failed/);
    assert.doesNotMatch(error.message, new RegExp(standIn.apiKey));
    standIn = await startPostHogStandIn();
  });
});
