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
import type { AddedNotApplicable } from "./analyzeDispatch";

const WIRE_VARINT = 0;
const WIRE_LENGTH_DELIMITED = 2;
const RESPONSE_DIAGNOSTICS = 2;
const DIAGNOSTIC_MESSAGE = 5;
const DIAGNOSTIC_ENFORCEMENT_LEVEL = 7;
const DIAGNOSTIC_URN = 8;
const DIAGNOSTIC_SEVERITY = 9;
const MAX_VARIANTS_PER_POLICY = 8;

const varintLength = (value: number) => (value < 0x80 ? 1 : value < 0x4000 ? 2 : value < 0x200000 ? 3 : value < 0x10000000 ? 4 : 5);
const tagOf = (field: number, wireType: number) => field * 8 + wireType;

/** google-protobuf writes a lone surrogate its own way (not as U+FFFD): a diagnostic with one is left to it. */
const SURROGATE = /[\uD800-\uDFFF]/;

/** One buffer, written front to back. */
class Writer {
  private offset = 0;
  constructor(readonly buffer: Buffer) {}

  varint(value: number): void {
    let rest = value;
    while (rest >= 0x80) {
      this.buffer[this.offset++] = (rest & 0x7f) | 0x80;
      rest = Math.floor(rest / 0x80);
    }
    this.buffer[this.offset++] = rest;
  }

  bytes(bytes: Uint8Array): void {
    this.buffer.set(bytes, this.offset);
    this.offset += bytes.length;
  }

  /** A string field of `byteLength` UTF-8 bytes (skipped when empty, as the generated code does). */
  string(field: number, value: string, byteLength: number): void {
    if (byteLength === 0) return;
    this.varint(tagOf(field, WIRE_LENGTH_DELIMITED));
    this.varint(byteLength);
    this.offset += this.buffer.write(value, this.offset, byteLength, "utf8");
  }

  enum(field: number, value: number): void {
    if (value === 0) return;
    this.varint(tagOf(field, WIRE_VARINT));
    this.varint(value);
  }

  get written(): number {
    return this.offset;
  }
}

const stringFieldLength = (field: number, byteLength: number) => (byteLength === 0 ? 0 : varintLength(tagOf(field, WIRE_LENGTH_DELIMITED)) + varintLength(byteLength) + byteLength);
const enumFieldLength = (field: number, value: number) => (value === 0 ? 0 : varintLength(tagOf(field, WIRE_VARINT)) + varintLength(value));

/** A diagnostic, measured: its cached first fields, the UTF-8 lengths of its own strings, its body's length. */
interface MeasuredDiagnostic {
  diagnostic: AnalyzeDiagnostic;
  /** The whole body from google-protobuf, for a diagnostic with a lone surrogate. */
  encoded?: Uint8Array;
  prefix: Uint8Array;
  messageLength: number;
  urnLength: number;
  bodyLength: number;
}

/** One entry of an AnalyzeResponse's `not_applicable` field, tag included, as google-protobuf writes it. */
export function notApplicableField(policy: string, reason: string): Uint8Array {
  return new AnalyzeResponse().setNotApplicableList([new PolicyNotApplicable().setPolicyName(policy).setReason(reason)]).serializeBinary();
}

/** Encodes AnalyzeResponse messages, reusing the bytes of the parts that repeat across responses. */
export class AnalyzeResponseEncoder {
  /**
   * By policy name (the policy's own string each time, so its hash is cached), then by comparing the other
   * strings: the SDK builds each not-applicable reason anew, and hashing it for a map would cost more.
   */
  private readonly notApplicableBytes = new Map<string, { reason: string; bytes: Uint8Array }[]>();
  private readonly prefixBytes = new Map<string, { pack: string; version: string; description: string; bytes: Uint8Array }[]>();

  /**
   * `added`: not-applicable entries the response gets besides its own (lib/analyzeDispatch.ts), each placed
   * by its policy's index among its own entries' (`policyIndex`), as the SDK's walk over the policies orders them.
   */
  encode(response: AnalyzeResponse, added: readonly AddedNotApplicable[] = [], policyIndex?: ReadonlyMap<string, number>): Buffer {
    const measured = response.getDiagnosticsList().map((diagnostic) => this.measure(diagnostic));
    const own = response.getNotApplicableList();
    const skipped = added.length === 0 ? own.map((entry) => this.notApplicable(entry)) : mergeByIndex(own.map((entry) => ({ index: policyIndex?.get(entry.getPolicyName()) ?? Number.MAX_SAFE_INTEGER, bytes: this.notApplicable(entry) })), added);
    let total = 0;
    for (const { bodyLength } of measured) total += varintLength(tagOf(RESPONSE_DIAGNOSTICS, WIRE_LENGTH_DELIMITED)) + varintLength(bodyLength) + bodyLength;
    for (const bytes of skipped) total += bytes.length;
    const writer = new Writer(Buffer.allocUnsafe(total));
    for (const item of measured) {
      writer.varint(tagOf(RESPONSE_DIAGNOSTICS, WIRE_LENGTH_DELIMITED));
      writer.varint(item.bodyLength);
      if (item.encoded) {
        writer.bytes(item.encoded);
        continue;
      }
      const { diagnostic } = item;
      writer.bytes(item.prefix);
      writer.string(DIAGNOSTIC_MESSAGE, diagnostic.getMessage(), item.messageLength);
      writer.enum(DIAGNOSTIC_ENFORCEMENT_LEVEL, diagnostic.getEnforcementlevel());
      writer.string(DIAGNOSTIC_URN, diagnostic.getUrn(), item.urnLength);
      writer.enum(DIAGNOSTIC_SEVERITY, diagnostic.getSeverity());
    }
    for (const bytes of skipped) writer.bytes(bytes);
    if (writer.written !== total) throw new Error(`AnalyzeResponse encoding wrote ${writer.written} of ${total} bytes`);
    return writer.buffer;
  }

  private measure(diagnostic: AnalyzeDiagnostic): MeasuredDiagnostic {
    const message = diagnostic.getMessage();
    const urn = diagnostic.getUrn();
    const prefix = this.prefix(diagnostic);
    if (SURROGATE.test(message) || SURROGATE.test(urn)) {
      const encoded = diagnostic.serializeBinary();
      return { diagnostic, encoded, prefix, messageLength: 0, urnLength: 0, bodyLength: encoded.length };
    }
    const messageLength = Buffer.byteLength(message, "utf8");
    const urnLength = Buffer.byteLength(urn, "utf8");
    const bodyLength =
      prefix.length +
      stringFieldLength(DIAGNOSTIC_MESSAGE, messageLength) +
      enumFieldLength(DIAGNOSTIC_ENFORCEMENT_LEVEL, diagnostic.getEnforcementlevel()) +
      stringFieldLength(DIAGNOSTIC_URN, urnLength) +
      enumFieldLength(DIAGNOSTIC_SEVERITY, diagnostic.getSeverity());
    return { diagnostic, prefix, messageLength, urnLength, bodyLength };
  }

  /** Fields 1–4 (policy, pack, version, description): the same for every violation of a policy. */
  private prefix(diagnostic: AnalyzeDiagnostic): Uint8Array {
    const policy = diagnostic.getPolicyname();
    const pack = diagnostic.getPolicypackname();
    const version = diagnostic.getPolicypackversion();
    const description = diagnostic.getDescription();
    const known = variantsOf(this.prefixBytes, policy);
    const found = known.find((candidate) => candidate.description === description && candidate.pack === pack && candidate.version === version);
    if (found !== undefined) return found.bytes;
    const bytes = new AnalyzeDiagnostic().setPolicyname(policy).setPolicypackname(pack).setPolicypackversion(version).setDescription(description).serializeBinary();
    if (known.length < MAX_VARIANTS_PER_POLICY) known.push({ pack, version, description, bytes });
    return bytes;
  }

  /** The whole `not_applicable` field of one entry: the same few (policy, reason) pairs in every response. */
  private notApplicable(entry: PolicyNotApplicable): Uint8Array {
    const policy = entry.getPolicyName();
    const reason = entry.getReason();
    const known = variantsOf(this.notApplicableBytes, policy);
    const found = known.find((candidate) => candidate.reason === reason);
    if (found !== undefined) return found.bytes;
    const bytes = notApplicableField(policy, reason);
    // A policy's reasons are a few fixed sentences; one that varied per resource would not be kept.
    if (known.length < MAX_VARIANTS_PER_POLICY) known.push({ reason, bytes });
    return bytes;
  }
}

/** Both lists' bytes by index (each list is in index order); equal indices keep the response's own first. */
function mergeByIndex(own: readonly AddedNotApplicable[], added: readonly AddedNotApplicable[]): Uint8Array[] {
  const merged: Uint8Array[] = [];
  let a = 0;
  let b = 0;
  while (a < own.length || b < added.length) {
    if (b >= added.length || (a < own.length && own[a]!.index <= added[b]!.index)) merged.push(own[a++]!.bytes);
    else merged.push(added[b++]!.bytes);
  }
  return merged;
}

function variantsOf<T>(byPolicy: Map<string, T[]>, policy: string): T[] {
  let known = byPolicy.get(policy);
  if (known === undefined) {
    known = [];
    byPolicy.set(policy, known);
  }
  return known;
}
