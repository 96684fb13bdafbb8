import { strict as assert } from "node:assert";
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import type { Policy } from "@pulumi/policy";
import { AnalyzeRequest, AnalyzeResponse, AnalyzerProviderResource, AnalyzerResourceOptions } from "@pulumi/pulumi/proto/analyzer_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { AnalyzeDispatch, AnalyzeHandler, ServedPack } from "../../policies/lib/analyzeDispatch";
import { CLOCK_ENV } from "../../policies/lib/clock";
import { AnalyzeResponseEncoder } from "../../policies/lib/responseEncoding";
import { PROJECT_ENV, STACK_ENV } from "../../policies/lib/stack";
import { buildPack } from "../../policies/pack";
import { syntheticStack } from "../../tools/policy/bench";
import { PolicyPackProcess } from "../../tools/policy/client";
import { PACK_DIR } from "../../tools/policy/spawn";
import { scratchDir } from "../harness/scratch";
import { validStack } from "./fixtures";
import { Fixture, IN_WINDOW, providerOf, urnOf } from "./judge";

/**
 * The pack answers Analyze with the SDK's own handler (@pulumi/policy@1.21.0 server.js makeAnalyzeRpcFun)
 * run per resource type over the policies that can judge it, plus the not-applicable entries the SDK
 * writes for the single-type policies left out. The reference is the SDK's handler over every policy, as
 * serve() registers it, and its response serialized by the generated code (analyzer_grpc_pb.js).
 */
const server = require("@pulumi/policy/server") as { makeAnalyzeRpcFun(name: string, version: string, level: "advisory", policies: Policy[]): AnalyzeHandler };

const json = (value: unknown): Parameters<typeof Struct.fromJavaScript>[0] => JSON.parse(JSON.stringify(value ?? {})) as Parameters<typeof Struct.fromJavaScript>[0];

function requestFor(fixture: Fixture): AnalyzeRequest {
  const request = new AnalyzeRequest()
    .setType(fixture.type)
    .setName(fixture.name)
    .setUrn(urnOf(fixture))
    .setProperties(Struct.fromJavaScript(json(fixture.props)))
    .setOptions(new AnalyzerResourceOptions().setProtect(fixture.protect ?? false));
  const provider = providerOf(fixture);
  if (provider) request.setProvider(new AnalyzerProviderResource().setType(provider.type).setName(provider.name).setUrn(provider.urn).setProperties(Struct.fromJavaScript(json(provider.props))));
  return request;
}

function answer(handler: AnalyzeHandler, request: AnalyzeRequest): Promise<AnalyzeResponse> {
  return new Promise((resolve, reject) => handler({ request }, (error, response) => (error ? reject(new Error(String(error.details))) : response ? resolve(response) : reject(new Error("no response")))));
}

describe("the pack runs Analyze per resource type and answers as the SDK's handler over every policy", () => {
  const saved = { [CLOCK_ENV]: process.env[CLOCK_ENV], [STACK_ENV]: process.env[STACK_ENV], [PROJECT_ENV]: process.env[PROJECT_ENV] };
  before(() => Object.assign(process.env, { [CLOCK_ENV]: IN_WINDOW, [STACK_ENV]: "production", [PROJECT_ENV]: "flightdeck" }));
  after(() => {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });

  // Every type of the compliant production stack, the benchmark's types (some with violations), a file that
  // is not a workflow (judging policies answer notApplicable themselves), and a type no policy judges.
  const fixtures = (): Fixture[] => [
    ...validStack(),
    // Sent without a provider, as the benchmark sends them: the GitHub ones violate the provider policy too.
    ...syntheticStack(16).map((resource): Fixture => ({ type: resource.type, name: resource.name, props: resource.inputs as Record<string, unknown>, provider: null })),
    { type: "github:index/repositoryFile:RepositoryFile", name: "readme", props: { repository: "flightpro", file: "README.md", content: "# FlightPro", branch: "main" } },
    { type: "random:index/randomPet:RandomPet", name: "pet", props: { length: 2 } },
  ];

  it("writes the same bytes for every resource, violations and not-applicable entries included", async () => {
    const pack = buildPack({ waiversFile: path.join(PACK_DIR, "waivers.yaml"), stack: "production" });
    const served: ServedPack = { name: "flightdeck", version: "0.0.0-test", enforcementLevel: pack.enforcementLevel, policies: pack.policies };
    const reference = server.makeAnalyzeRpcFun(served.name, served.version, "advisory", [...served.policies]);
    const dispatch = new AnalyzeDispatch(served);
    const encoder = new AnalyzeResponseEncoder();
    let withViolations = 0;
    let withOwnNotApplicable = 0;
    const resources = fixtures();
    for (const fixture of resources) {
      const expected = await answer(reference, requestFor(fixture));
      const actual = await answer(dispatch.handle, requestFor(fixture));
      assert.deepEqual(encoder.encode(actual, dispatch.added.get(actual), dispatch.policyIndex), Buffer.from(expected.serializeBinary()), `${fixture.type} ${fixture.name}`);
      if (expected.getDiagnosticsList().length > 0) withViolations++;
      if (actual.getNotApplicableList().length > 0) withOwnNotApplicable++;
    }
    // The comparison covered what it must: responses with violations, and with the judging policies' own entries merged in.
    assert.ok(withOwnNotApplicable >= 5, `${withOwnNotApplicable} responses with the judging policies' own not-applicable entries`);
    assert.ok(withViolations >= 8, `${withViolations} responses with violations`);
    assert.ok(new Set(resources.map((resource) => resource.type)).size >= 30);
  });

  it("over the analyzer protocol, with the levels the Configure call set: no entry for a disabled policy, one for an enabled one", async () => {
    // server.js makeAnalyzeRpcFun skips a disabled policy before its type check, so it is never "not applicable".
    const config = path.join(scratchDir("dispatch"), "dev.json");
    writeFileSync(config, JSON.stringify({ all: "mandatory", "workflow-file-parses": "disabled" }));
    const pack = await PolicyPackProcess.start({ stack: "dev", now: new Date(IN_WINDOW) });
    try {
      await pack.configure(await pack.info(), config);
      const variable: Fixture = { type: "vercel:index/projectEnvironmentVariable:ProjectEnvironmentVariable", name: "api-url", props: { projectId: "prj", key: "API_URL", value: "https://api.flightpro.com", targets: ["production"], sensitive: true } };
      const response = await new Promise<AnalyzeResponse>((resolve, reject) => pack.client.analyze(requestFor(variable), (error, value) => (error ? reject(error) : resolve(value))));
      const skipped = response.getNotApplicableList().map((entry) => entry.getPolicyName());
      assert.ok(skipped.includes("workflow-actions-pinned-to-sha"), skipped.join(", "));
      assert.ok(!skipped.includes("workflow-file-parses"), skipped.join(", "));
    } finally {
      pack.close();
    }
  });
});
