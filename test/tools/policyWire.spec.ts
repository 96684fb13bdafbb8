import { strict as assert } from "node:assert";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import * as analyzer from "@pulumi/pulumi/proto/analyzer_pb";
import type { RecordedProvider, RecordedResource } from "../../tools/offline/monitor";
import { UNKNOWN } from "../../tools/offline/values";
import { wireProperties } from "../../tools/policy/client";
import { WireProvider, decodeDiagnostics, encodeAnalyzeRequest, encodeAnalyzeStackRequest, encodeStruct } from "../../tools/policy/wire";
import { syntheticStack } from "../../tools/policy/bench";

/** The client's messages, written on the wire directly, are byte for byte what the generated classes write. */
function resource(overrides: Partial<RecordedResource> & { inputs: Record<string, unknown> }): RecordedResource {
  return {
    urn: "urn:pulumi:production::flightdeck::github:index/repositoryFile:RepositoryFile::file",
    type: "github:index/repositoryFile:RepositoryFile",
    name: "file",
    parent: null,
    custom: true,
    secretPaths: [],
    options: { protect: false, retainOnDelete: false, deleteBeforeReplace: false, dependsOn: [], provider: null, replaceOnChanges: [] },
    ...overrides,
  };
}

const samples: RecordedResource[] = [
  resource({ inputs: {} }),
  resource({
    inputs: {
      zeta: 1.5,
      alpha: "text with ünïcode and \u2603",
      empty: "",
      no: false,
      yes: true,
      nothing: null,
      skipped: undefined,
      unknown: UNKNOWN,
      nested: { b: [1, "two", null, { c: [] }], a: { deep: { deeper: -0.25 } }, B: 3 },
      big: 1e300,
      negative: -42,
    },
    secretPaths: ["alpha", "nested.b[1]"],
  }),
  resource({
    name: "",
    parent: "urn:pulumi:production::flightdeck::flightdeck:pipelines:WorkflowFiles::files",
    inputs: { list: [[1], [], [[null]]] },
    options: { protect: true, retainOnDelete: true, deleteBeforeReplace: true, dependsOn: ["urn:a", "urn:b"], provider: null, replaceOnChanges: [] },
  }),
  ...syntheticStack(16),
];

function options(r: RecordedResource): analyzer.AnalyzerResourceOptions {
  const o = new analyzer.AnalyzerResourceOptions();
  o.setProtect(r.options.protect);
  o.setDeletebeforereplace(r.options.deleteBeforeReplace);
  o.setDeletebeforereplacedefined(true);
  if (r.parent) o.setParent(r.parent);
  return o;
}

describe("policy client wire encoding", () => {
  it("writes a resource's properties as Struct.fromJavaScript does (keys sorted, secrets wrapped, unknowns as the sentinel)", () => {
    for (const r of samples) {
      const expected = Struct.fromJavaScript(wireProperties(r)).serializeBinary();
      assert.deepEqual(Buffer.from(encodeStruct(wireProperties(r))), Buffer.from(expected), r.name);
    }
  });

  it("writes AnalyzeRequest as the generated class does", () => {
    for (const r of samples) {
      const request = new analyzer.AnalyzeRequest();
      request.setUrn(r.urn);
      request.setType(r.type);
      request.setName(r.name);
      request.setProperties(Struct.fromJavaScript(wireProperties(r)));
      request.setOptions(options(r));
      const encoded = encodeAnalyzeRequest(r, encodeStruct(wireProperties(r)));
      assert.deepEqual(encoded, Buffer.from(request.serializeBinary()), r.name);
      assert.equal(analyzer.AnalyzeRequest.deserializeBinary(encoded).getProperties()?.toJavaScript()["skipped"], undefined);
    }
  });

  it("writes AnalyzeStackRequest as the generated class does", () => {
    const request = new analyzer.AnalyzeStackRequest();
    request.setResourcesList(
      samples.map((r) => {
        const item = new analyzer.AnalyzerResource();
        item.setUrn(r.urn);
        item.setType(r.type);
        item.setName(r.name);
        item.setProperties(Struct.fromJavaScript(wireProperties(r)));
        item.setOptions(options(r));
        if (r.parent) item.setParent(r.parent);
        item.setDependenciesList(r.options.dependsOn);
        return item;
      }),
    );
    const encoded = encodeAnalyzeStackRequest(samples, samples.map((r) => encodeStruct(wireProperties(r))));
    assert.deepEqual(encoded, Buffer.from(request.serializeBinary()));
  });

  // pulumi/pulumi@v3.259.0 proto/pulumi/analyzer.proto: AnalyzeRequest.provider = 6, AnalyzerResource.provider = 6,
  // AnalyzerProviderResource { type = 1, properties = 2, urn = 3, name = 4 }; the engine fills it with the
  // provider's URN, type, name and inputs (pkg/resource/plugin/analyzer_plugin.go marshalProvider).
  describe("with the resource's provider", () => {
    const provider: RecordedProvider = {
      urn: "urn:pulumi:production::flightdeck::pulumi:providers:github::flightpro-production-github",
      type: "pulumi:providers:github",
      name: "flightpro-production-github",
      inputs: { owner: "flightpro", organization: "flightpro", appAuth: '{"id":"918273"}', version: "6.15.0" },
      secretPaths: ["appAuth"],
    };
    const withProvider = samples.slice(0, 3).map((r) => ({ ...r, provider }));
    const wire: WireProvider = { urn: provider.urn, type: provider.type, name: provider.name, properties: encodeStruct(wireProperties(provider)) };
    const generated = () => {
      const message = new analyzer.AnalyzerProviderResource();
      message.setUrn(provider.urn);
      message.setType(provider.type);
      message.setName(provider.name);
      message.setProperties(Struct.fromJavaScript(wireProperties(provider)));
      return message;
    };

    it("writes AnalyzeRequest.provider as the generated class does", () => {
      for (const r of withProvider) {
        const request = new analyzer.AnalyzeRequest();
        request.setUrn(r.urn);
        request.setType(r.type);
        request.setName(r.name);
        request.setProperties(Struct.fromJavaScript(wireProperties(r)));
        request.setOptions(options(r));
        request.setProvider(generated());
        const encoded = encodeAnalyzeRequest(r, encodeStruct(wireProperties(r)), wire);
        assert.deepEqual(encoded, Buffer.from(request.serializeBinary()), r.name);
        assert.equal(analyzer.AnalyzeRequest.deserializeBinary(encoded).getProvider()?.getProperties()?.toJavaScript()["owner"], "flightpro");
      }
    });

    it("writes AnalyzerResource.provider as the generated class does", () => {
      const request = new analyzer.AnalyzeStackRequest();
      request.setResourcesList(
        withProvider.map((r) => {
          const item = new analyzer.AnalyzerResource();
          item.setUrn(r.urn);
          item.setType(r.type);
          item.setName(r.name);
          item.setProperties(Struct.fromJavaScript(wireProperties(r)));
          item.setOptions(options(r));
          item.setProvider(generated());
          if (r.parent) item.setParent(r.parent);
          item.setDependenciesList(r.options.dependsOn);
          return item;
        }),
      );
      const encoded = encodeAnalyzeStackRequest(withProvider, withProvider.map((r) => encodeStruct(wireProperties(r))), withProvider.map(() => wire));
      assert.deepEqual(encoded, Buffer.from(request.serializeBinary()));
    });
  });

  it("reads an AnalyzeResponse's diagnostics and skips its not-applicable list", () => {
    const response = new analyzer.AnalyzeResponse();
    const notApplicable = new analyzer.PolicyNotApplicable();
    notApplicable.setPolicyName("some-policy-name");
    notApplicable.setReason("Policy only applies to resources of type 'x'");
    const diagnostic = new analyzer.AnalyzeDiagnostic();
    diagnostic.setPolicyname("workflow-actions-pinned-to-sha");
    diagnostic.setMessage("not pinned");
    diagnostic.setUrn("urn:x");
    diagnostic.setEnforcementlevel(analyzer.EnforcementLevel.MANDATORY);
    diagnostic.setSeverity(analyzer.PolicySeverity.POLICY_SEVERITY_HIGH);
    response.setNotApplicableList([notApplicable, notApplicable]);
    response.setDiagnosticsList([diagnostic, diagnostic]);
    const decoded = decodeDiagnostics(response.serializeBinary());
    assert.deepEqual(
      decoded.map((d) => d.toObject()),
      analyzer.AnalyzeResponse.deserializeBinary(response.serializeBinary())
        .getDiagnosticsList()
        .map((d) => d.toObject()),
    );
    assert.equal(decoded.length, 2);
    assert.deepEqual(decodeDiagnostics(new Uint8Array(0)), []);
  });

  it("reads every field of every diagnostic as google-protobuf does: non-ASCII, emoji, lone surrogates, long strings, unknown fields", () => {
    const diagnostic = (message: string, urn: string, level: analyzer.EnforcementLevel, severity: analyzer.PolicySeverity) =>
      new analyzer.AnalyzeDiagnostic()
        .setPolicyname("secrets-value-not-in-plain-input")
        .setPolicypackname("flightdeck")
        .setPolicypackversion("3.4.3")
        .setDescription(`No secret's value in a plain input — “Never commit API keys”. ${"x".repeat(300)}`)
        .setMessage(message)
        .setEnforcementlevel(level)
        .setUrn(urn)
        .setSeverity(severity);
    const response = new analyzer.AnalyzeResponse().setDiagnosticsList([
      diagnostic("naïve → 部署 🚀", "urn:pulumi:production::flightdeck::x::🚀", analyzer.EnforcementLevel.MANDATORY, analyzer.PolicySeverity.POLICY_SEVERITY_CRITICAL),
      diagnostic("a lone \uD83D surrogate", "urn:x\uDE80", analyzer.EnforcementLevel.ADVISORY, analyzer.PolicySeverity.POLICY_SEVERITY_LOW),
      diagnostic("é".repeat(20000), "", analyzer.EnforcementLevel.ADVISORY, analyzer.PolicySeverity.POLICY_SEVERITY_UNSPECIFIED),
    ]);
    const bytes = response.serializeBinary();
    // An unknown field (a newer engine's) after the diagnostics: field 15, a string.
    const withUnknown = new Uint8Array([...bytes, (15 << 3) | 2, 3, 0x61, 0x62, 0x63]);
    const expected = analyzer.AnalyzeResponse.deserializeBinary(bytes).getDiagnosticsList().map((d) => d.toObject());
    assert.deepEqual(decodeDiagnostics(bytes).map((d) => d.toObject()), expected);
    assert.deepEqual(decodeDiagnostics(withUnknown).map((d) => d.toObject()), expected);
    assert.throws(() => decodeDiagnostics(bytes.subarray(0, bytes.length - 1)), /truncated/);
  });
});
