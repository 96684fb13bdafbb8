/**
 * The analyzer messages the client sends and reads, encoded and decoded directly on the protobuf wire.
 *
 * The generated classes build a tree of jspb objects per resource (Struct, Value, ListValue, options)
 * only to serialise it once; on a large stack that was most of the client's time. These functions
 * write the same bytes (field numbers from pulumi's analyzer.proto and google/protobuf/struct.proto,
 * map keys sorted as jspb sorts them, proto3 defaults omitted as the generated code omits them), and a
 * resource's properties are encoded once for both its `analyze` and the `analyzeStack` request.
 * test/tools/policyWire.spec.ts checks the bytes against the generated classes.
 */
import { BinaryWriter } from "google-protobuf";
import * as analyzer from "@pulumi/pulumi/proto/analyzer_pb";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** What a resource's analyze and analyzeStack messages carry besides its properties. */
export interface WireResource {
  urn: string;
  type: string;
  name: string;
  parent: string | null;
  options: { protect: boolean; deleteBeforeReplace: boolean; dependsOn: string[] };
}

/** A resource's provider as the engine sends it (AnalyzerProviderResource); `properties` from encodeStruct. */
export interface WireProvider {
  urn: string;
  type: string;
  name: string;
  properties: Uint8Array;
}

// jspb's writeMessage writes nothing for a null value, but a null Value is a message (null_value = 0): passed boxed.
const NULL: unique symbol = Symbol("null");
type Boxed = Exclude<Json, null> | typeof NULL;
const box = (value: Json): Boxed => (value === null ? NULL : value);

// google.protobuf.Value: null_value = 1, number_value = 2, string_value = 3, bool_value = 4, struct_value = 5, list_value = 6.
function writeValue(value: Boxed, writer: BinaryWriter): void {
  if (value === NULL) writer.writeEnum(1, 0);
  else if (typeof value === "number") writer.writeDouble(2, value);
  else if (typeof value === "string") writer.writeString(3, value);
  else if (typeof value === "boolean") writer.writeBool(4, value);
  else if (Array.isArray(value)) writer.writeMessage(6, value, writeList);
  else writer.writeMessage(5, value, writeStruct);
}

// google.protobuf.ListValue: repeated Value values = 1.
function writeList(values: Json[], writer: BinaryWriter): void {
  for (const value of values) writer.writeMessage(1, box(value), writeValue);
}

// google.protobuf.Struct: map<string, Value> fields = 1, each entry { key = 1; value = 2 }, keys sorted (as jspb's Map does).
function writeStruct(struct: { [key: string]: Json }, writer: BinaryWriter): void {
  for (const key of Object.keys(struct).sort()) {
    writer.writeMessage(1, key, (entryKey: string, entry: BinaryWriter) => {
      entry.writeString(1, entryKey);
      entry.writeMessage(2, box(struct[entryKey]!), writeValue);
    });
  }
}

/** A Struct's bytes, as `Struct.fromJavaScript(properties).serializeBinary()` writes them. */
export function encodeStruct(properties: { [key: string]: Json }): Uint8Array {
  const writer = new BinaryWriter();
  writeStruct(properties, writer);
  return writer.getResultBuffer();
}

// AnalyzerResourceOptions: protect = 1, deleteBeforeReplace = 3, deleteBeforeReplaceDefined = 4, parent = 8.
function writeOptions(resource: WireResource, writer: BinaryWriter): void {
  if (resource.options.protect) writer.writeBool(1, true);
  if (resource.options.deleteBeforeReplace) writer.writeBool(3, true);
  writer.writeBool(4, true);
  if (resource.parent) writer.writeString(8, resource.parent);
}

// AnalyzerProviderResource: type = 1, properties = 2, urn = 3, name = 4.
function writeProvider(provider: WireProvider, writer: BinaryWriter): void {
  if (provider.type) writer.writeString(1, provider.type);
  writer.writeBytes(2, provider.properties);
  if (provider.urn) writer.writeString(3, provider.urn);
  if (provider.name) writer.writeString(4, provider.name);
}

// AnalyzeRequest and AnalyzerResource share type = 1, properties = 2, urn = 3, name = 4, options = 5, provider = 6.
function writeCommon(resource: WireResource, properties: Uint8Array, provider: WireProvider | undefined, writer: BinaryWriter): void {
  if (resource.type) writer.writeString(1, resource.type);
  writer.writeBytes(2, properties); // a nested message is length-delimited bytes on the wire
  if (resource.urn) writer.writeString(3, resource.urn);
  if (resource.name) writer.writeString(4, resource.name);
  writer.writeMessage(5, resource, writeOptions);
  if (provider) writer.writeMessage(6, provider, writeProvider);
}

/** An AnalyzeRequest's bytes; `properties` from encodeStruct, `provider` the resource's provider, if it has one. */
export function encodeAnalyzeRequest(resource: WireResource, properties: Uint8Array, provider?: WireProvider): Buffer {
  const writer = new BinaryWriter();
  writeCommon(resource, properties, provider, writer);
  const bytes = writer.getResultBuffer();
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

// AnalyzerResource: the common fields, parent = 7, dependencies = 8.
function writeStackResource(item: { resource: WireResource; properties: Uint8Array; provider: WireProvider | undefined }, writer: BinaryWriter): void {
  writeCommon(item.resource, item.properties, item.provider, writer);
  if (item.resource.parent) writer.writeString(7, item.resource.parent);
  if (item.resource.options.dependsOn.length > 0) writer.writeRepeatedString(8, item.resource.options.dependsOn);
}

/**
 * An AnalyzeStackRequest's bytes (resources = 1); `properties[i]` from encodeStruct for `resources[i]`,
 * `providers[i]` its provider (or undefined).
 */
export function encodeAnalyzeStackRequest(
  resources: readonly WireResource[],
  properties: readonly Uint8Array[],
  providers: readonly (WireProvider | undefined)[] = [],
): Buffer {
  const writer = new BinaryWriter();
  resources.forEach((resource, index) =>
    writer.writeMessage(1, { resource, properties: properties[index]!, provider: providers[index] }, writeStackResource),
  );
  const bytes = writer.getResultBuffer();
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** A varint at `at` in `bytes`: its value and where the next field starts. */
function readVarint(bytes: Uint8Array, at: number): { value: number; next: number } {
  let value = 0;
  let scale = 1;
  let position = at;
  for (;;) {
    if (position >= bytes.length) throw new Error("AnalyzeResponse: truncated varint");
    const byte = bytes[position++]!;
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) return { value, next: position };
    scale *= 0x80;
  }
}

/** Where the field after one of wire type `wireType` starting at `at` begins. */
function skipField(bytes: Uint8Array, at: number, wireType: number): number {
  switch (wireType) {
    case 0:
      return readVarint(bytes, at).next;
    case 1:
      return at + 8;
    case 2: {
      const { value, next } = readVarint(bytes, at);
      return next + value;
    }
    case 5:
      return at + 4;
    default:
      throw new Error(`AnalyzeResponse: unexpected wire type ${wireType}`);
  }
}

/**
 * google-protobuf reads the three-byte form of a lone surrogate (0xED 0xA0–0xBF …) back into the surrogate,
 * where Buffer's UTF-8 decoder gives U+FFFD: a diagnostic with one is left to google-protobuf.
 */
function hasEncodedSurrogate(buffer: Buffer, start: number, end: number): boolean {
  // Searched within the diagnostic only: a response of thousands of diagnostics would be scanned once per diagnostic.
  const bytes = buffer.subarray(start, end);
  for (let index = bytes.indexOf(0xed); index !== -1 && index + 1 < bytes.length; index = bytes.indexOf(0xed, index + 1)) {
    if (bytes[index + 1]! >= 0xa0) return true;
  }
  return false;
}

// AnalyzeDiagnostic: policyName = 1, policyPackName = 2, policyPackVersion = 3, description = 4, message = 5,
// enforcementLevel = 7, urn = 8, severity = 9 (@pulumi/pulumi proto/analyzer_pb.js deserializeBinaryFromReader).
function decodeDiagnostic(buffer: Buffer, start: number, end: number): analyzer.AnalyzeDiagnostic {
  if (hasEncodedSurrogate(buffer, start, end)) return analyzer.AnalyzeDiagnostic.deserializeBinary(buffer.subarray(start, end));
  const diagnostic = new analyzer.AnalyzeDiagnostic();
  let position = start;
  while (position < end) {
    const key = readVarint(buffer, position);
    const field = Math.floor(key.value / 8);
    const wireType = key.value & 7;
    if (wireType === 2 && field >= 1 && field <= 8 && field !== 6 && field !== 7) {
      const length = readVarint(buffer, key.next);
      const text = buffer.toString("utf8", length.next, length.next + length.value);
      if (field === 1) diagnostic.setPolicyname(text);
      else if (field === 2) diagnostic.setPolicypackname(text);
      else if (field === 3) diagnostic.setPolicypackversion(text);
      else if (field === 4) diagnostic.setDescription(text);
      else if (field === 5) diagnostic.setMessage(text);
      else diagnostic.setUrn(text);
      position = length.next + length.value;
    } else if (wireType === 0 && (field === 7 || field === 9)) {
      const value = readVarint(buffer, key.next);
      if (field === 7) diagnostic.setEnforcementlevel(value.value as analyzer.EnforcementLevel);
      else diagnostic.setSeverity(value.value as analyzer.PolicySeverity);
      position = value.next;
    } else {
      position = skipField(buffer, key.next, wireType);
    }
  }
  return diagnostic;
}

/**
 * The diagnostics of an AnalyzeResponse (diagnostics = 2). The not-applicable list (3), one entry per
 * policy that skipped the resource, is most of a response and nothing the client reads: skipped unread.
 * Strings are decoded by Buffer (native UTF-8), not google-protobuf's decoder in JavaScript: a response
 * with thousands of violations repeats each policy's description thousands of times.
 */
export function decodeDiagnostics(bytes: Uint8Array): analyzer.AnalyzeDiagnostic[] {
  const diagnostics: analyzer.AnalyzeDiagnostic[] = [];
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let position = 0;
  while (position < bytes.length) {
    const key = readVarint(bytes, position);
    const field = Math.floor(key.value / 8);
    const wireType = key.value & 7;
    if (field === 2 && wireType === 2) {
      const length = readVarint(bytes, key.next);
      const end = length.next + length.value;
      if (end > bytes.length) throw new Error("AnalyzeResponse: truncated diagnostic");
      diagnostics.push(decodeDiagnostic(buffer, length.next, end));
      position = end;
    } else {
      position = skipField(bytes, key.next, wireType);
    }
  }
  if (position !== bytes.length) throw new Error("AnalyzeResponse: truncated field");
  return diagnostics;
}
