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
import { BinaryReader, BinaryWriter } from "google-protobuf";
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

/**
 * The diagnostics of an AnalyzeResponse (diagnostics = 2). The not-applicable list (3), one entry per
 * policy that skipped the resource, is most of a response and nothing the client reads: skipped unread.
 */
export function decodeDiagnostics(bytes: Uint8Array): analyzer.AnalyzeDiagnostic[] {
  const diagnostics: analyzer.AnalyzeDiagnostic[] = [];
  if (bytes.length === 0) return diagnostics;
  const reader = new BinaryReader(bytes);
  while (reader.nextField()) {
    if (reader.isEndGroup()) break;
    if (reader.getFieldNumber() === 2) {
      const diagnostic = new analyzer.AnalyzeDiagnostic();
      reader.readMessage(diagnostic, analyzer.AnalyzeDiagnostic.deserializeBinaryFromReader);
      diagnostics.push(diagnostic);
    } else {
      reader.skipField();
    }
  }
  return diagnostics;
}
