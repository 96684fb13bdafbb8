import { strict as assert } from "node:assert";
import { AnalyzeDiagnostic, AnalyzeResponse, EnforcementLevel, PolicyNotApplicable, PolicySeverity } from "@pulumi/pulumi/proto/analyzer_pb";
import { AnalyzeResponseEncoder } from "../../policies/lib/responseEncoding";

// The reference is the generated serializer the engine-facing server would otherwise use
// (@pulumi/pulumi proto/analyzer_grpc_pb.js serialize_pulumirpc_AnalyzeResponse: `arg.serializeBinary()`).

function diagnostic(fields: { policy: string; message: string; urn?: string; level?: EnforcementLevel; severity?: PolicySeverity; description?: string; version?: string }): AnalyzeDiagnostic {
  const result = new AnalyzeDiagnostic()
    .setPolicyname(fields.policy)
    .setPolicypackname("flightdeck")
    .setPolicypackversion(fields.version ?? "3.4.2")
    .setDescription(fields.description ?? `Why ${fields.policy} exists — quoting the spec: “Never commit API keys”.`)
    .setMessage(fields.message)
    .setEnforcementlevel(fields.level ?? EnforcementLevel.MANDATORY);
  if (fields.urn !== undefined) result.setUrn(fields.urn);
  if (fields.severity !== undefined) result.setSeverity(fields.severity);
  return result;
}

const notApplicable = (policy: string, reason: string) => new PolicyNotApplicable().setPolicyName(policy).setReason(reason);

function response(diagnostics: AnalyzeDiagnostic[], skipped: PolicyNotApplicable[]): AnalyzeResponse {
  return new AnalyzeResponse().setDiagnosticsList(diagnostics).setNotApplicableList(skipped);
}

const RULESET_ONLY = "Policy only applies to resources of type 'github:index/repositoryRuleset:RepositoryRuleset'";
const URN = "urn:pulumi:production::flightdeck::github:index/repositoryRuleset:RepositoryRuleset::main";

describe("the pack encodes AnalyzeResponses to the bytes the generated serializer writes", () => {
  const cases: [string, AnalyzeResponse][] = [
    ["an empty response", response([], [])],
    ["only not-applicable entries", response([], [notApplicable("github-ruleset-active", RULESET_ONLY), notApplicable("alerts-alarm-actions-enabled", "Policy only applies to resources of type 'aws:cloudwatch/metricAlarm:MetricAlarm'")])],
    ["an entry without a reason", response([], [notApplicable("github-ruleset-active", "")])],
    ["a violation with urn and severity", response([diagnostic({ policy: "github-ruleset-active", message: "enforcement is evaluate", urn: URN, severity: PolicySeverity.POLICY_SEVERITY_HIGH })], [])],
    ["an advisory note without urn or severity", response([diagnostic({ policy: "github-ruleset-active", message: "not judged during preview", level: EnforcementLevel.ADVISORY })], [])],
    ["level and severity left at 0", response([diagnostic({ policy: "p-q-r", message: "m", level: EnforcementLevel.ADVISORY, severity: PolicySeverity.POLICY_SEVERITY_UNSPECIFIED })], [])],
    ["an empty message and description", response([diagnostic({ policy: "p-q-r", message: "", description: "", version: "" })], [])],
    ["a message over 127 and over 16,383 bytes (longer length varints)", response([diagnostic({ policy: "p-q-r", message: "x".repeat(200) }), diagnostic({ policy: "p-q-r", message: "é".repeat(9000), urn: URN })], [])],
    ["non-ASCII: accents, CJK, an emoji (a surrogate pair)", response([diagnostic({ policy: "p-q-r", message: "naïve → 部署 🚀 done", urn: `${URN}-🚀` })], [])],
    ["lone surrogates, which google-protobuf writes its own way", response([diagnostic({ policy: "p-q-r", message: "bad \uD83D end", urn: `${URN}\uDE80` })], [])],
    [
      "violations and entries of several policies, repeated",
      response(
        [
          diagnostic({ policy: "a-b-c", message: "first", urn: URN, severity: PolicySeverity.POLICY_SEVERITY_CRITICAL }),
          diagnostic({ policy: "a-b-c", message: "second", urn: `${URN}2`, severity: PolicySeverity.POLICY_SEVERITY_CRITICAL }),
          diagnostic({ policy: "d-e-f", message: "third", severity: PolicySeverity.POLICY_SEVERITY_LOW, level: EnforcementLevel.ADVISORY }),
        ],
        [notApplicable("g-h-i", RULESET_ONLY), notApplicable("g-h-i", RULESET_ONLY), notApplicable("j-k-l", "not a workflow file")],
      ),
    ],
  ];

  for (const [title, message] of cases) {
    it(title, () => {
      const encoder = new AnalyzeResponseEncoder();
      const expected = Buffer.from(message.serializeBinary());
      assert.deepEqual(encoder.encode(message), expected);
      // A second time, from the reused parts.
      assert.deepEqual(encoder.encode(message), expected);
    });
  }

  it("a policy that gives a new reason for every resource: each is encoded right", () => {
    const encoder = new AnalyzeResponseEncoder();
    for (let index = 0; index < 20; index++) {
      const message = response([], [notApplicable("g-h-i", `not resource ${index}`), notApplicable("g-h-i", RULESET_ONLY)]);
      assert.deepEqual(encoder.encode(message), Buffer.from(message.serializeBinary()));
    }
  });

  it("a part reused from one response is not reused for another that differs in it", () => {
    const encoder = new AnalyzeResponseEncoder();
    encoder.encode(response([diagnostic({ policy: "a-b-c", message: "m", version: "3.4.2" })], [notApplicable("g-h-i", RULESET_ONLY)]));
    const other = response([diagnostic({ policy: "a-b-c", message: "m", version: "3.4.3" })], [notApplicable("g-h-i", "Policy only applies to resources of type 'aws:s3/bucket:Bucket'")]);
    assert.deepEqual(encoder.encode(other), Buffer.from(other.serializeBinary()));
    assert.deepEqual(AnalyzeResponse.deserializeBinary(encoder.encode(other)).toObject(), other.toObject());
  });
});
