import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import { MockMonitor, Mocks } from "@pulumi/pulumi/runtime/mocks";
import { Callback } from "@pulumi/pulumi/proto/callback_pb";
import { RegisterResourceRequest, ResourceInvokeRequest } from "@pulumi/pulumi/proto/resource_pb";
import { EngineTransforms } from "./transforms";
import { unwrapSecrets } from "./values";

/**
 * The provider resource the engine hands an analyzer with a resource (AnalyzerProviderResource: urn, type,
 * name, and the provider's inputs as its properties; pulumi/pulumi@v3.259.0 pkg/resource/deploy/step_generator.go
 * analyzeAll and AnalyzeResources, pkg/resource/plugin/analyzer_plugin.go marshalProvider).
 */
export interface RecordedProvider {
  urn: string;
  type: string;
  name: string;
  inputs: Record<string, unknown>;
  /** Paths of the provider's inputs that are secrets. */
  secretPaths: string[];
}

/** One resource as the engine would see it: identity, parent, inputs (secrets unwrapped) and options. */
export interface RecordedResource {
  urn: string;
  type: string;
  name: string;
  parent: string | null;
  custom: boolean;
  inputs: Record<string, unknown>;
  /** Paths (`a.b[0].c`) of input values that were Pulumi secrets. */
  secretPaths: string[];
  options: {
    protect: boolean;
    retainOnDelete: boolean;
    deleteBeforeReplace: boolean;
    dependsOn: string[];
    provider: string | null;
    replaceOnChanges: string[];
  };
  /**
   * The provider the engine analyzes a custom resource with: its explicit provider, or else the default
   * provider the engine registers for its package. Absent for components and for providers themselves.
   */
  provider?: RecordedProvider;
  /** What the engine would run or ship for this resource, as it received it (tools/artifacts checks its behaviour). */
  artifacts?: RecordedArtifacts;
}

/**
 * The code a resource carries, as the engine receives it: each asset or archive input (a Lambda function's
 * `code`) by input name, its files by name with their text (null: a file or archive the engine would read
 * from somewhere this record cannot), and the serialized dynamic provider (`__provider`), which the
 * `pulumi-nodejs` provider host loads and runs (@pulumi/pulumi cmd/dynamic-provider/index.ts getProvider).
 */
export interface RecordedArtifacts {
  archives: Record<string, Record<string, string | null> | null>;
  dynamicProvider?: string;
}

/** An invoke (a data source) as the program made it. */
export interface RecordedInvoke {
  token: string;
  /** The provider reference it went to ("" for the default provider). */
  provider: string;
  args: Record<string, unknown>;
}

/** The stack's config as the engine has it, for default providers: fully-qualified keys, and which are secret. */
export interface EngineConfig {
  config: Record<string, string>;
  secretKeys: readonly string[];
}

type RegisterCallback = (err: unknown, response: unknown) => void;

/**
 * The SDK's mock monitor, recording what each registration asked for once the engine's transforms
 * have run (./transforms.ts; the plain mock hands transforms to the mocks and applies none), and
 * refusing a URN registered twice, as the real engine does (the plain mock accepts it silently).
 */
export class RecordingMonitor extends MockMonitor {
  readonly recorded: RecordedResource[] = [];
  private readonly seenUrns = new Set<string>();

  /** Default providers by URN, in the order the engine would register them (analyzed as resources too). */
  readonly defaultProviders = new Map<string, RecordedProvider>();

  constructor(
    mocks: Mocks,
    private readonly project: string,
    private readonly stack: string,
    private readonly engineConfig: EngineConfig = { config: {}, secretKeys: [] },
  ) {
    super(mocks);
  }

  private readonly transforms = new EngineTransforms();

  override async registerResource(request: RegisterResourceRequest, callback: RegisterCallback): Promise<void> {
    const parent = request.getParent() || null;
    const urn = urnOf(this.project, this.stack, parent, request.getType(), request.getName());
    if (this.seenUrns.has(urn)) {
      callback(new Error(`Duplicate resource URN '${urn}'; try giving it a unique name`), undefined);
      return;
    }
    this.seenUrns.add(urn);
    let req: RegisterResourceRequest;
    try {
      req = await this.transforms.apply(request);
    } catch (error) {
      callback(error, undefined);
      return;
    }
    this.transforms.registered(urn, request);
    const { value, secretPaths } = unwrapSecrets(pulumi.runtime.deserializeProperties(req.getObject()!, true));
    const inputs = value as Record<string, unknown>;
    const artifacts = artifactsOf(req.getObject()!.toJavaScript(), inputs);
    summarizeDynamicProvider(inputs);
    summarizeAssets(req.getObject()!.toJavaScript(), inputs);
    const type = req.getType();
    // The engine adds the requested plugin version to a provider's inputs (pkg/resource/deploy/source_eval.go,
    // providers.SetProviderVersion), so policies see it among the provider's properties.
    if (isProviderType(type) && req.getVersion()) inputs["version"] = req.getVersion();
    this.recorded.push({
      urn,
      type,
      name: req.getName(),
      parent,
      custom: req.getCustom(),
      inputs,
      secretPaths,
      options: {
        protect: req.getProtect() ?? false,
        retainOnDelete: req.getRetainondelete() ?? false,
        deleteBeforeReplace: req.getDeletebeforereplace(),
        dependsOn: req.getDependenciesList(),
        provider: req.getProvider() || null,
        replaceOnChanges: req.getReplaceonchangesList(),
      },
      provider: req.getCustom() && !isProviderType(type) ? this.providerOf(type, req.getProvider(), req.getVersion()) : undefined,
      ...(artifacts ? { artifacts } : {}),
    });
    return super.registerResource(req, callback);
  }

  /** Every invoke the program made, with the provider reference it went to ("" for the default provider) and its arguments. */
  readonly invokes: RecordedInvoke[] = [];

  override async invoke(request: ResourceInvokeRequest, callback: RegisterCallback): Promise<void> {
    let req: ResourceInvokeRequest;
    try {
      req = await this.transforms.applyToInvoke(request);
    } catch (error) {
      callback(error, undefined);
      return;
    }
    const args = unwrapSecrets(pulumi.runtime.deserializeProperties(req.getArgs()!, true)).value;
    this.invokes.push({ token: req.getTok(), provider: req.getProvider(), args: (args ?? {}) as Record<string, unknown> });
    return super.invoke(req, callback);
  }

  /** Every resource the program read rather than declared (a StackReference, a `.get`): its type, name and id. */
  readonly reads: { type: string; name: string; id: string }[] = [];

  override async readResource(req: { getType(): string; getName(): string; getId(): string }, callback: RegisterCallback): Promise<void> {
    this.reads.push({ type: req.getType(), name: req.getName(), id: req.getId() });
    return super.readResource(req as Parameters<MockMonitor["readResource"]>[0], callback);
  }

  /** The engine keeps a stack transform for every resource registered after it (the plain mock only tells the mocks). */
  override registerStackTransform(req: Callback, callback: (err: unknown, response: unknown) => void): void {
    this.transforms.registerStackTransform(req);
    callback(null, {});
  }

  override registerStackInvokeTransform(req: Callback, callback: (err: unknown, response: unknown) => void): void {
    this.transforms.registerStackInvokeTransform(req);
    callback(null, {});
  }

  /** Closes the monitor's connections to the program's callback servers. */
  close(): void {
    this.transforms.close();
  }

  /** A custom resource's provider: the explicit one it names (`urn::id`), else its package's default provider. */
  private providerOf(type: string, reference: string, version: string): RecordedProvider {
    if (reference) {
      const providerUrn = reference.slice(0, reference.lastIndexOf("::"));
      const explicit = this.recorded.find((resource) => resource.urn === providerUrn);
      if (!explicit) throw new Error(`provider ${providerUrn} was not registered before the resource that uses it`);
      return { urn: explicit.urn, type: explicit.type, name: explicit.name, inputs: explicit.inputs, secretPaths: explicit.secretPaths };
    }
    const pkg = type.split(":")[0] ?? type;
    // ProviderRequest.DefaultName (pkg/resource/deploy/providers/provider.go): "default", then the version's parts.
    const name = version ? `default_${version.replace(/[.+-]/g, "_")}` : "default";
    const urn = urnOf(this.project, this.stack, null, `pulumi:providers:${pkg}`, name);
    let provider = this.defaultProviders.get(urn);
    if (!provider) {
      // Its inputs are the package's config (pkg/resource/deploy/target.go GetPackageConfig) and the version.
      const inputs: Record<string, unknown> = {};
      const secretPaths: string[] = [];
      for (const [key, configValue] of Object.entries(this.engineConfig.config)) {
        if (!key.startsWith(`${pkg}:`)) continue;
        const short = key.slice(pkg.length + 1);
        inputs[short] = configValue;
        if (this.engineConfig.secretKeys.includes(key)) secretPaths.push(short);
      }
      if (version) inputs["version"] = version;
      provider = { urn, type: `pulumi:providers:${pkg}`, name, inputs, secretPaths };
      this.defaultProviders.set(urn, provider);
    }
    return provider;
  }
}

function isProviderType(type: string): boolean {
  return type.startsWith("pulumi:providers:");
}

/**
 * A dynamic resource's `__provider` input is its provider's serialized JavaScript (@pulumi/pulumi
 * dynamic/index.ts): kilobytes of code in every flag. The record keeps its size and digest, so a
 * changed provider still shows as a changed input.
 */
function summarizeDynamicProvider(inputs: Record<string, unknown>): void {
  const code = inputs["__provider"];
  if (typeof code !== "string") return;
  inputs["__provider"] = `<serialized dynamic provider: ${code.length} bytes, sha256:${createHash("sha256").update(code).digest("hex").slice(0, 16)}>`;
}

/**
 * Assets and archives (a Lambda function's `code`) as the engine receives them: signature objects naming
 * files (pulumi/pulumi sdk/nodejs/runtime/rpc.ts serializeProperty: `specialAssetSig`/`specialArchiveSig`
 * with `path`, `text` or `assets`). The record shows each file by its name, size and digest, never a
 * machine's path, so two checkouts plan the same code alike and a changed bundle shows as a changed input.
 */
function summarizeAssets(raw: Record<string, unknown>, inputs: Record<string, unknown>): void {
  const sig = pulumi.runtime.specialSigKey;
  const describe = (value: unknown): string | undefined => {
    if (value === null || typeof value !== "object") return undefined;
    const record = value as Record<string, unknown>;
    if (record[sig] === pulumi.runtime.specialAssetSig) {
      const content = typeof record["text"] === "string" ? Buffer.from(record["text"]) : typeof record["path"] === "string" ? readIfPresent(record["path"]) : undefined;
      return content === undefined ? "asset (unreadable)" : `${content.length} bytes, sha256:${createHash("sha256").update(content).digest("hex").slice(0, 16)}`;
    }
    if (record[sig] === pulumi.runtime.specialArchiveSig && record["assets"] !== null && typeof record["assets"] === "object") {
      const files = Object.entries(record["assets"] as Record<string, unknown>).map(([name, asset]) => `${name} (${describe(asset) ?? "unknown"})`);
      return `<archive: ${files.join(", ")}>`;
    }
    return undefined;
  };
  for (const [key, value] of Object.entries(raw)) {
    const summary = describe(value);
    if (summary !== undefined) inputs[key] = summary;
  }
}

/** The code among a registration's inputs (see RecordedArtifacts), before it is summarized; undefined when there is none. */
function artifactsOf(raw: Record<string, unknown>, inputs: Record<string, unknown>): RecordedArtifacts | undefined {
  const sig = pulumi.runtime.specialSigKey;
  const text = (asset: unknown): string | null => {
    if (asset === null || typeof asset !== "object") return null;
    const record = asset as Record<string, unknown>;
    if (record[sig] !== pulumi.runtime.specialAssetSig) return null;
    if (typeof record["text"] === "string") return record["text"];
    return typeof record["path"] === "string" ? (readIfPresent(record["path"])?.toString("utf8") ?? null) : null;
  };
  const archives: RecordedArtifacts["archives"] = {};
  for (const [key, value] of Object.entries(raw)) {
    if (value === null || typeof value !== "object") continue;
    const record = value as Record<string, unknown>;
    if (record[sig] === pulumi.runtime.specialAssetSig) archives[key] = { [key]: text(value) };
    else if (record[sig] === pulumi.runtime.specialArchiveSig) {
      // An AssetArchive names its files; a FileArchive or RemoteArchive (a path, a URL) is not read here.
      const assets = record["assets"];
      archives[key] = assets !== null && typeof assets === "object" ? Object.fromEntries(Object.entries(assets as Record<string, unknown>).map(([name, asset]) => [name, text(asset)])) : null;
    }
  }
  const provider = inputs["__provider"];
  if (Object.keys(archives).length === 0 && typeof provider !== "string") return undefined;
  return { archives, ...(typeof provider === "string" ? { dynamicProvider: provider } : {}) };
}

function readIfPresent(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

/** The URN the engine gives a resource: the parent's type chain, then the resource's type and name. */
export function urnOf(project: string, stack: string, parent: string | null, type: string, name: string): string {
  let qualifiedType = type;
  if (parent) {
    const parentQualifiedType = parent.split("::")[2] ?? "";
    const parentType = parentQualifiedType.split("$").pop() ?? parentQualifiedType;
    qualifiedType = `${parentType}$${type}`;
  }
  return `urn:pulumi:${stack}::${project}::${qualifiedType}::${name}`;
}
