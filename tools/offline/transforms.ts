import * as grpc from "@grpc/grpc-js";
import * as pulumi from "@pulumi/pulumi";
import { CallbacksClient } from "@pulumi/pulumi/proto/callback_grpc_pb";
import { Callback, CallbackInvokeRequest } from "@pulumi/pulumi/proto/callback_pb";
import {
  RegisterResourceRequest,
  ResourceInvokeRequest,
  TransformInvokeOptions,
  TransformInvokeRequest,
  TransformInvokeResponse,
  TransformRequest,
  TransformResourceOptions,
  TransformResponse,
} from "@pulumi/pulumi/proto/resource_pb";
import { JavaScriptValue, Struct } from "google-protobuf/google/protobuf/struct_pb";

/**
 * The engine's side of resource transforms (`pulumi.runtime.registerResourceTransform`, the `transforms`
 * resource option), as pulumi/pulumi@v3.259.0 pkg/resource/deploy/source_eval.go implements it:
 * - the SDK hands the monitor callbacks (a token and the address of its own Callbacks gRPC server):
 *   RegisterStackTransform for the stack, RegisterResourceRequest.transforms for one resource;
 * - RegisterResource runs, in this order, the resource's own transforms, then those of each ancestor
 *   (nearest first, `rm.resourceTransforms[parent]`, then the parent's parent), then the stack's, in the
 *   order they were registered and only those registered before this resource (the SDK awaits pending
 *   stack registrations before registering a resource: sdk/nodejs/runtime/resource.ts awaitStackRegistrations);
 * - each transform is a CallbacksService.Invoke of a TransformRequest (name, type, parent, custom,
 *   properties, options); its TransformResponse replaces the properties and options that are set, and
 *   the next transform sees the result (wrapTransformCallback);
 * - properties go to a transform with secrets and unknowns as output values (UnmarshalProperties with
 *   UpgradeToOutputValues), and, when the resource has transforms of its own, each property with
 *   dependencies as an output value carrying them (upgradeOutputValues); what comes back is downgraded
 *   to plain values, secrets and unknowns before the resource is registered (downgradeOutputValues);
 * - after a transform, the resource's dependencies are those its options list (plus, when it has
 *   transforms of its own, those its output values carry).
 * Invoke transforms (`registerInvokeTransform`, RegisterStackInvokeTransform) run in registration order
 * on every invoke: a TransformInvokeRequest (token, args, options: provider, version, download URL)
 * whose TransformInvokeResponse replaces the args and options (source_eval.go Invoke, wrapInvokeTransformCallback).
 */
export class EngineTransforms {
  private readonly stack: Callback[] = [];
  private readonly invokeTransforms: Callback[] = [];
  /** Each registered resource's own transforms, and its parent, by URN (for its children). */
  private readonly own = new Map<string, Callback[]>();
  private readonly parents = new Map<string, string>();
  private readonly clients = new Map<string, CallbacksClient>();

  registerStackTransform(callback: Callback): void {
    this.stack.push(callback);
  }

  registerStackInvokeTransform(callback: Callback): void {
    this.invokeTransforms.push(callback);
  }

  /** The invoke as the engine continues with it: every invoke transform applied, or `req` itself when there is none. */
  async applyToInvoke(req: ResourceInvokeRequest): Promise<ResourceInvokeRequest> {
    if (this.invokeTransforms.length === 0) return req;
    let args: Json = req.getArgs()?.toJavaScript() ?? {};
    let options = new TransformInvokeOptions();
    options.setProvider(req.getProvider());
    options.setVersion(req.getVersion());
    options.setPluginDownloadUrl(req.getPlugindownloadurl());
    for (const transform of this.invokeTransforms) {
      const request = new TransformInvokeRequest();
      request.setToken(req.getTok());
      request.setArgs(Struct.fromJavaScript(args as Record<string, JavaScriptValue>));
      request.setOptions(options);
      const response = TransformInvokeResponse.deserializeBinary(await this.invoke(transform, request.serializeBinary()));
      if (response.hasOptions()) options = response.getOptions()!;
      if (response.hasArgs()) args = response.getArgs()!.toJavaScript();
    }
    const result = req.cloneMessage();
    result.setArgs(Struct.fromJavaScript(downgraded(args) as Record<string, JavaScriptValue>));
    result.setProvider(options.getProvider());
    result.setVersion(options.getVersion());
    result.setPlugindownloadurl(options.getPluginDownloadUrl());
    return result;
  }

  /** The transforms that apply to a registration, in the engine's order. */
  transformsFor(req: RegisterResourceRequest): Callback[] {
    const transforms = [...req.getTransformsList()];
    for (let current = req.getParent(); current; current = this.parents.get(current) ?? "") {
      transforms.push(...(this.own.get(current) ?? []));
    }
    return [...transforms, ...this.stack];
  }

  /** Remembers a registered resource's own transforms and parent, as the engine does once it has its URN. */
  registered(urn: string, req: RegisterResourceRequest): void {
    this.parents.set(urn, req.getParent());
    this.own.set(urn, req.getTransformsList());
  }

  /** The registration as the engine continues with it: every applicable transform applied, or `req` itself when none applies. */
  async apply(req: RegisterResourceRequest): Promise<RegisterResourceRequest> {
    const transforms = this.transformsFor(req);
    if (transforms.length === 0) return req;
    const ownTransforms = req.getTransformsList().length > 0;
    let properties = upgraded(req, ownTransforms);
    let options = optionsOf(req);
    for (const transform of transforms) {
      const request = new TransformRequest();
      request.setName(req.getName());
      request.setType(req.getType());
      request.setParent(req.getParent());
      request.setCustom(req.getCustom());
      request.setProperties(Struct.fromJavaScript(properties as Record<string, JavaScriptValue>));
      request.setOptions(options);
      const response = TransformResponse.deserializeBinary(await this.invoke(transform, request.serializeBinary()));
      if (response.hasOptions()) options = response.getOptions()!;
      if (response.hasProperties()) properties = response.getProperties()!.toJavaScript();
    }
    const dependencies = new Set(options.getDependsOnList());
    if (ownTransforms) for (const dependency of outputDependencies(properties)) dependencies.add(dependency);
    return withOptions(req, downgraded(properties) as Record<string, JavaScriptValue>, options, [...dependencies]);
  }

  close(): void {
    for (const client of this.clients.values()) client.close();
    this.clients.clear();
  }

  private invoke(callback: Callback, request: Uint8Array): Promise<Uint8Array> {
    let client = this.clients.get(callback.getTarget());
    if (!client) {
      client = new CallbacksClient(callback.getTarget(), grpc.credentials.createInsecure());
      this.clients.set(callback.getTarget(), client);
    }
    const invoke = new CallbackInvokeRequest();
    invoke.setToken(callback.getToken());
    invoke.setRequest(request);
    return new Promise((resolve, reject) =>
      client.invoke(invoke, (error, response) => (error ? reject(new Error(`invoke transform: ${error.details || error.message}`)) : resolve(response!.getResponse_asU8()))),
    );
  }
}

const SIG = pulumi.runtime.specialSigKey;
const OUTPUT_SIG = pulumi.runtime.specialOutputValueSig;
const SECRET_SIG = pulumi.runtime.specialSecretSig;
const UNKNOWN = pulumi.runtime.unknownValue;

type Json = unknown;

function isObject(value: Json): value is Record<string, Json> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** The registration's properties as a transform receives them (see EngineTransforms). */
function upgraded(req: RegisterResourceRequest, ownTransforms: boolean): Record<string, Json> {
  const upgrade = (value: Json): Json => {
    if (value === UNKNOWN) return { [SIG]: OUTPUT_SIG };
    if (Array.isArray(value)) return value.map(upgrade);
    if (!isObject(value)) return value;
    if (value[SIG] === SECRET_SIG) return { [SIG]: OUTPUT_SIG, secret: true, value: upgrade(value["value"]) };
    if (value[SIG] !== undefined) return value;
    return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, upgrade(child)]));
  };
  const properties = upgrade(req.getObject()?.toJavaScript() ?? {}) as Record<string, Json>;
  if (!ownTransforms) return properties;
  // upgradeOutputValues: a property with dependencies becomes an output value carrying them (every
  // property depends on the request's dependencies when the SDK sent no per-property ones).
  const perProperty = req.getPropertydependenciesMap();
  for (const [key, value] of Object.entries(properties)) {
    const deps = perProperty.getLength() > 0 ? (perProperty.get(key)?.getUrnsList() ?? []) : req.getDependenciesList();
    if (deps.length === 0) continue;
    const output: Record<string, Json> = isObject(value) && value[SIG] === OUTPUT_SIG ? { ...value } : { [SIG]: OUTPUT_SIG, value };
    const current = Array.isArray(output["dependencies"]) ? (output["dependencies"] as string[]) : [];
    output["dependencies"] = [...new Set([...current, ...deps])];
    properties[key] = output;
  }
  return properties;
}

/** downgradeOutputValues: output values back to plain values, secrets and unknowns. */
function downgraded(value: Json): Json {
  if (Array.isArray(value)) return value.map(downgraded);
  if (!isObject(value)) return value;
  if (value[SIG] === OUTPUT_SIG) {
    const result = "value" in value ? downgraded(value["value"]) : UNKNOWN;
    return value["secret"] === true ? { [SIG]: SECRET_SIG, value: result } : result;
  }
  if (value[SIG] === SECRET_SIG) return { [SIG]: SECRET_SIG, value: downgraded(value["value"]) };
  if (value[SIG] !== undefined) return value;
  return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, downgraded(child)]));
}

function outputDependencies(value: Json, into: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((item) => outputDependencies(item, into));
  else if (isObject(value)) {
    if (value[SIG] === OUTPUT_SIG && Array.isArray(value["dependencies"])) into.push(...(value["dependencies"] as string[]));
    for (const child of Object.values(value)) outputDependencies(child, into);
  }
  return into;
}

/** The options the engine hands a transform, from the registration (source_eval.go RegisterResource). */
function optionsOf(req: RegisterResourceRequest): TransformResourceOptions {
  const options = new TransformResourceOptions();
  options.setDependsOnList(req.getDependenciesList());
  if (req.hasProtect()) options.setProtect(req.getProtect()!);
  options.setIgnoreChangesList(req.getIgnorechangesList());
  options.setReplaceOnChangesList(req.getReplaceonchangesList());
  options.setVersion(req.getVersion());
  options.setAliasesList(req.getAliasesList());
  options.setProvider(req.getProvider());
  for (const [name, reference] of req.getProvidersMap().entries()) options.getProvidersMap().set(name, reference);
  if (req.hasCustomtimeouts()) options.setCustomTimeouts(req.getCustomtimeouts());
  options.setPluginDownloadUrl(req.getPlugindownloadurl());
  if (req.hasRetainondelete()) options.setRetainOnDelete(req.getRetainondelete()!);
  options.setDeletedWith(req.getDeletedwith());
  options.setReplaceWithList(req.getReplaceWithList());
  if (req.getDeletebeforereplacedefined()) options.setDeleteBeforeReplace(req.getDeletebeforereplace());
  options.setAdditionalSecretOutputsList(req.getAdditionalsecretoutputsList());
  options.setImport(req.getImportid());
  options.setHideDiffList(req.getHidediffsList());
  if (req.hasHooks()) options.setHooks(req.getHooks());
  return options;
}

/** The registration with the transformed properties and options, as the engine registers it. */
function withOptions(req: RegisterResourceRequest, properties: Record<string, JavaScriptValue>, options: TransformResourceOptions, dependencies: string[]): RegisterResourceRequest {
  const result = req.cloneMessage();
  result.setObject(Struct.fromJavaScript(properties));
  result.setDependenciesList(dependencies);
  if (options.hasProtect()) result.setProtect(options.getProtect()!);
  else result.clearProtect();
  result.setIgnorechangesList(options.getIgnoreChangesList());
  result.setReplaceonchangesList(options.getReplaceOnChangesList());
  result.setVersion(options.getVersion());
  result.setAliasesList(options.getAliasesList());
  result.setProvider(options.getProvider());
  result.getProvidersMap().clear();
  for (const [name, reference] of options.getProvidersMap().entries()) result.getProvidersMap().set(name, reference);
  result.setPlugindownloadurl(options.getPluginDownloadUrl());
  result.setCustomtimeouts(options.getCustomTimeouts());
  if (options.hasRetainOnDelete()) result.setRetainondelete(options.getRetainOnDelete()!);
  else result.clearRetainondelete();
  result.setDeletedwith(options.getDeletedWith());
  result.setReplaceWithList(options.getReplaceWithList());
  result.setDeletebeforereplace(options.getDeleteBeforeReplace() ?? false);
  result.setDeletebeforereplacedefined(options.hasDeleteBeforeReplace());
  result.setAdditionalsecretoutputsList(options.getAdditionalSecretOutputsList());
  result.setImportid(options.getImport());
  result.setHidediffsList(options.getHideDiffList());
  return result;
}
