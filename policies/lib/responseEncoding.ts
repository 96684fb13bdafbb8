/**
 * The analyzer's AnalyzeResponse, encoded to the same bytes as `response.serializeBinary()` but faster.
 *
 * @pulumi/policy 1.21's analyze handler answers every resource with a PolicyNotApplicable entry for each
 * single-type policy of another type (server.js makeAnalyzeRpcFun: "Policy only applies to resources of
 * type '…'"), and each violation repeats its policy's name, pack, version and description. google-protobuf
 * encodes every string character by character in JavaScript, so with a hundred policies most of the
 * pack's time on a large stack went into writing the same strings again and again. Here each repeated
 * part is encoded once, by google-protobuf itself, and its bytes reused; only a violation's message, urn,
 * enforcement level and severity are written per response.
 *
 * Field numbers and order as the generated serializer writes them (@pulumi/pulumi proto/analyzer_pb.js,
 * AnalyzeResponse.serializeBinaryToWriter: diagnostics = 2, not_applicable = 3;
 * AnalyzeDiagnostic.serializeBinaryToWriter: 1 policyName, 2 policyPackName, 3 policyPackVersion,
 * 4 description, 5 message, 7 enforcementLevel, 8 urn, 9 severity, each skipped when empty or 0;
 * PolicyNotApplicable: 1 policy_name, 2 reason).
 */
import { AnalyzeDiagnostic, AnalyzeResponse, PolicyNotApplicable } from "@pulumi/pulumi/proto/analyzer_pb";

const WIRE_VARINT = 0;
const WIRE_LENGTH_DELIMITED = 2;
const RESPONSE_DIAGNOSTICS = 2;
const DIAGNOSTIC_MESSAGE = 5;
const DIAGNOSTIC_ENFORCEMENT_LEVEL = 7;
const DIAGNOSTIC_URN = 8;
const DIAGNOSTIC_SEVERITY = 9;

function varint(value: number): number[] {
  const bytes: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    bytes.push((rest & 0x7f) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  bytes.push(rest);
  return bytes;
}

const tag = (field: number, wireType: number) => varint(field * 8 + wireType);

/** google-protobuf writes a lone surrogate its own way (not as U+FFFD): such strings are left to it. */
const SURROGATE = /[\uD800-\uDFFF]/;

function stringField(field: number, value: string, viaProtobuf: (value: string) => Uint8Array): Uint8Array[] {
  if (value.length === 0) return [];
  if (SURROGATE.test(value)) return [viaProtobuf(value)];
  const bytes = Buffer.from(value, "utf8");
  return [Uint8Array.from([...tag(field, WIRE_LENGTH_DELIMITED), ...varint(bytes.length)]), bytes];
}

function enumField(field: number, value: number): Uint8Array[] {
  return value === 0 ? [] : [Uint8Array.from([...tag(field, WIRE_VARINT), ...varint(value)])];
}

const byteLength = (chunks: readonly Uint8Array[]) => chunks.reduce((total, chunk) => total + chunk.length, 0);

/** Encodes AnalyzeResponse messages, reusing the bytes of the parts that repeat across responses. */
export class AnalyzeResponseEncoder {
  private readonly notApplicableBytes = new Map<string, Uint8Array>();
  private readonly diagnosticPrefixBytes = new Map<string, Uint8Array>();

  encode(response: AnalyzeResponse): Buffer {
    const chunks: Uint8Array[] = [];
    for (const diagnostic of response.getDiagnosticsList()) {
      const body = this.diagnosticBody(diagnostic);
      chunks.push(Uint8Array.from([...tag(RESPONSE_DIAGNOSTICS, WIRE_LENGTH_DELIMITED), ...varint(byteLength(body))]), ...body);
    }
    for (const entry of response.getNotApplicableList()) chunks.push(this.notApplicable(entry));
    return Buffer.concat(chunks);
  }

  /** The whole `not_applicable` field of one entry: the same few (policy, reason) pairs in every response. */
  private notApplicable(entry: PolicyNotApplicable): Uint8Array {
    const key = `${entry.getPolicyName()}\u0000${entry.getReason()}`;
    let bytes = this.notApplicableBytes.get(key);
    if (bytes === undefined) {
      bytes = new AnalyzeResponse().setNotApplicableList([new PolicyNotApplicable().setPolicyName(entry.getPolicyName()).setReason(entry.getReason())]).serializeBinary();
      this.notApplicableBytes.set(key, bytes);
    }
    return bytes;
  }

  private diagnosticBody(diagnostic: AnalyzeDiagnostic): Uint8Array[] {
    const prefixKey = [diagnostic.getPolicyname(), diagnostic.getPolicypackname(), diagnostic.getPolicypackversion(), diagnostic.getDescription()].join("\u0000");
    let prefix = this.diagnosticPrefixBytes.get(prefixKey);
    if (prefix === undefined) {
      prefix = new AnalyzeDiagnostic()
        .setPolicyname(diagnostic.getPolicyname())
        .setPolicypackname(diagnostic.getPolicypackname())
        .setPolicypackversion(diagnostic.getPolicypackversion())
        .setDescription(diagnostic.getDescription())
        .serializeBinary();
      this.diagnosticPrefixBytes.set(prefixKey, prefix);
    }
    return [
      prefix,
      ...stringField(DIAGNOSTIC_MESSAGE, diagnostic.getMessage(), (message) => new AnalyzeDiagnostic().setMessage(message).serializeBinary()),
      ...enumField(DIAGNOSTIC_ENFORCEMENT_LEVEL, diagnostic.getEnforcementlevel()),
      ...stringField(DIAGNOSTIC_URN, diagnostic.getUrn(), (urn) => new AnalyzeDiagnostic().setUrn(urn).serializeBinary()),
      ...enumField(DIAGNOSTIC_SEVERITY, diagnostic.getSeverity()),
    ];
  }
}
