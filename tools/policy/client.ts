import { ChildProcess } from "node:child_process";
import * as grpc from "@grpc/grpc-js";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as analyzer from "@pulumi/pulumi/proto/analyzer_pb";
import type { RecordedProvider, RecordedResource } from "../offline/monitor";
import { UNKNOWN } from "../offline/values";
import { ConfiguredPolicy, EnforcementLevel, levelName, readPolicyConfigFile, resolvePolicyConfig } from "./policyConfig";
import { PACK_DIR, PackSpawnOptions, SpawnedPack, spawnPack } from "./spawn";

export { PACK_DIR };
export { PolicyConfigError, readPolicyConfigFile, resolvePolicyConfig } from "./policyConfig";
export type { EnforcementLevel };

/**
 * The offline client of a policy pack: it speaks the analyzer protocol through the stubs @pulumi/pulumi
 * generates from pulumi's analyzer.proto (proto/analyzer_grpc_pb, analyzer_pb), over @grpc/grpc-js, as
 * the engine does (pulumi/pulumi@v3.259.0:pkg/resource/plugin/analyzer_plugin.go): getAnalyzerInfo,
 * configure, configureStack, analyze per resource, analyzeStack.
 */
export type Severity = "low" | "medium" | "high" | "critical";

export interface PolicyViolation {
  policy: string;
  enforcementLevel: EnforcementLevel;
  severity: Severity | null;
  /** The resource the violation is about; null for a stack-level violation. */
  urn: string | null;
  /** What is wrong (the policy's description, which every violation repeats, is in `policies`). */
  message: string;
}

export interface WaivedViolation extends PolicyViolation {
  /** "waived by X until D: reason". */
  waiver: string;
}

export interface PolicyMetadata {
  name: string;
  description: string;
  /** The level the pack runs it at, after the config file. */
  enforcementLevel: EnforcementLevel;
  severity: Severity | null;
  remediation: string[];
  topics: string[];
  type: "resource" | "stack";
  /** The policy's settings, defaults applied. */
  config: Record<string, unknown>;
}

export interface PolicyReport {
  pack: string;
  version: string;
  violations: PolicyViolation[];
  waived: WaivedViolation[];
  policies: PolicyMetadata[];
}

export interface AnalyzeOptions {
  stack: string;
  resources: RecordedResource[];
  /** A `--policy-pack-config` file (policies/config/<stack>.json). */
  policyConfigPath: string;
  /** A waivers file instead of policies/waivers.yaml. */
  waiversPath?: string;
  /** The time the pack judges at (schedule, rotation, waiver expiry); default: now. */
  now?: Date;
  project?: string;
}

const LEVELS: Record<EnforcementLevel, analyzer.EnforcementLevel> = {
  advisory: analyzer.EnforcementLevel.ADVISORY,
  mandatory: analyzer.EnforcementLevel.MANDATORY,
  disabled: analyzer.EnforcementLevel.DISABLED,
  remediate: analyzer.EnforcementLevel.REMEDIATE,
};

function severityName(severity: analyzer.PolicySeverity): Severity | null {
  switch (severity) {
    case analyzer.PolicySeverity.POLICY_SEVERITY_LOW:
      return "low";
    case analyzer.PolicySeverity.POLICY_SEVERITY_MEDIUM:
      return "medium";
    case analyzer.PolicySeverity.POLICY_SEVERITY_HIGH:
      return "high";
    case analyzer.PolicySeverity.POLICY_SEVERITY_CRITICAL:
      return "critical";
    default:
      return null;
  }
}

// The engine's wire encoding of secrets and unknowns (sdk/go/common/resource/plugin/rpc.go).
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * A recorded resource's inputs as the engine marshals them for an analyzer (KeepSecrets,
 * KeepUnknowns): secrets wrapped in the secret signature, unknowns as the unknown sentinel.
 */
export function wireProperties(resource: Pick<RecordedResource, "inputs" | "secretPaths">): { [key: string]: Json } {
  const secrets = new Set(resource.secretPaths);
  const walk = (value: unknown, at: string): Json | undefined => {
    let result: Json | undefined;
    if (value === undefined) return undefined;
    if (value === UNKNOWN) result = UNKNOWN_STRING;
    else if (value === null || typeof value === "boolean" || typeof value === "number" || typeof value === "string") result = value;
    else if (Array.isArray(value)) result = value.map((item, index) => walk(item, `${at}[${index}]`) ?? null);
    else if (typeof value === "object") {
      const record: { [key: string]: Json } = {};
      for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
        const converted = walk(child, at === "" ? key : `${at}.${key}`);
        if (converted !== undefined) record[key] = converted;
      }
      result = record;
    } else result = String(value);
    return secrets.has(at) ? { [SIG_KEY]: SECRET_SIG, value: result } : result;
  };
  const properties: { [key: string]: Json } = {};
  for (const [key, value] of Object.entries(resource.inputs)) {
    const converted = walk(value, key);
    if (converted !== undefined) properties[key] = converted;
  }
  return properties;
}

/**
 * The resources the engine analyzes for a recorded program: the default providers it registers for packages
 * used without an explicit provider (pkg/resource/deploy/default_providers.go), each before the first resource
 * that uses it, then the program's resources in order.
 */
export function withDefaultProviders(resources: readonly RecordedResource[]): RecordedResource[] {
  const known = new Set(resources.map((resource) => resource.urn));
  const result: RecordedResource[] = [];
  for (const resource of resources) {
    const provider = resource.provider;
    if (provider && !known.has(provider.urn)) {
      known.add(provider.urn);
      result.push({
        urn: provider.urn,
        type: provider.type,
        name: provider.name,
        parent: null,
        custom: true,
        inputs: provider.inputs,
        secretPaths: provider.secretPaths,
        options: { protect: false, retainOnDelete: false, deleteBeforeReplace: false, dependsOn: [], provider: null, replaceOnChanges: [] },
      });
    }
    result.push(resource);
  }
  return result;
}

/** A resource's options as the engine sends them (analyzer_plugin.go marshalResourceOptions; the recorded program always states deleteBeforeReplace). */
function resourceOptions(resource: RecordedResource): analyzer.AnalyzerResourceOptions {
  const options = new analyzer.AnalyzerResourceOptions();
  options.setProtect(resource.options.protect);
  options.setDeletebeforereplace(resource.options.deleteBeforeReplace);
  options.setDeletebeforereplacedefined(true);
  if (resource.parent) options.setParent(resource.parent);
  return options;
}

/** A resource's provider as the engine sends it (analyzer_plugin.go marshalProvider). */
function providerResource(provider: RecordedProvider): analyzer.AnalyzerProviderResource {
  return new analyzer.AnalyzerProviderResource()
    .setUrn(provider.urn)
    .setType(provider.type)
    .setName(provider.name)
    .setProperties(Struct.fromJavaScript(wireProperties(provider)));
}

/** The AnalyzeRequest the engine sends for one resource. */
export function analyzeRequest(resource: RecordedResource): analyzer.AnalyzeRequest {
  const request = new analyzer.AnalyzeRequest()
    .setUrn(resource.urn)
    .setType(resource.type)
    .setName(resource.name)
    .setProperties(Struct.fromJavaScript(wireProperties(resource)))
    .setOptions(resourceOptions(resource));
  if (resource.provider) request.setProvider(providerResource(resource.provider));
  return request;
}

/** The AnalyzeStackRequest the engine sends for the stack's resources. */
export function analyzeStackRequest(resources: readonly RecordedResource[]): analyzer.AnalyzeStackRequest {
  return new analyzer.AnalyzeStackRequest().setResourcesList(
    resources.map((resource) => {
      const item = new analyzer.AnalyzerResource()
        .setUrn(resource.urn)
        .setType(resource.type)
        .setName(resource.name)
        .setProperties(Struct.fromJavaScript(wireProperties(resource)))
        .setOptions(resourceOptions(resource))
        .setDependenciesList(resource.options.dependsOn);
      if (resource.parent) item.setParent(resource.parent);
      if (resource.provider) item.setProvider(providerResource(resource.provider));
      return item;
    }),
  );
}

/** One unary call with the generated client, as a promise, bounded by a deadline. */
function call<Req, Res>(
  method: (request: Req, metadata: grpc.Metadata, options: Partial<grpc.CallOptions>, callback: (error: grpc.ServiceError | null, response: Res) => void) => grpc.ClientUnaryCall,
  request: Req,
): Promise<Res> {
  return new Promise((resolve, reject) => {
    method(request, new grpc.Metadata(), { deadline: Date.now() + 120_000 }, (error, response) => (error ? reject(error) : resolve(response)));
  });
}

/** Analyze calls in flight at once (the engine analyzes resources as their steps run, several at a time). */
const IN_FLIGHT = 16;

/** A policy pack process, started as the engine starts it, spoken to over the analyzer protocol. */
export class PolicyPackProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly client: AnalyzerClient,
    private readonly stderr: () => string,
  ) {}

  /** Spawns the pack in its directory, as the engine does, and connects to the port it prints. */
  static start(options: PackSpawnOptions): Promise<PolicyPackProcess> {
    return PolicyPackProcess.connect(spawnPack(options));
  }

  /** Connects to a pack spawned earlier (see spawnPack), once it prints its port. */
  static async connect(spawned: SpawnedPack): Promise<PolicyPackProcess> {
    const port = await spawned.port;
    // The pack's server takes messages up to 400 MiB (@pulumi/policy server.js maxRPCMessageSize): so does the client.
    const client = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
      "grpc.max_receive_message_length": 400 * 1024 * 1024,
      "grpc.max_send_message_length": 400 * 1024 * 1024,
    });
    return new PolicyPackProcess(spawned.child, client, spawned.stderr);
  }

  get errorOutput(): string {
    return this.stderr();
  }

  info(): Promise<analyzer.AnalyzerInfo> {
    return call(this.client.getAnalyzerInfo.bind(this.client), new Empty());
  }

  /** Sends each policy's effective level and settings in one Configure call, as the engine does (see ./policyConfig.ts). */
  async configure(effective: Map<string, ConfiguredPolicy>): Promise<void> {
    const request = new analyzer.ConfigureAnalyzerRequest();
    const map = request.getPolicyconfigMap();
    for (const [name, { level, config }] of effective) {
      const policyConfig = new analyzer.PolicyConfig();
      policyConfig.setEnforcementlevel(LEVELS[level] ?? analyzer.EnforcementLevel.ADVISORY);
      policyConfig.setProperties(Struct.fromJavaScript(config as { [key: string]: Json }));
      map.set(name, policyConfig);
    }
    await call(this.client.configure.bind(this.client), request);
  }

  async configureStack(stack: string, project: string): Promise<void> {
    const request = new analyzer.AnalyzerStackConfigureRequest();
    request.setStack(stack);
    request.setProject(project);
    await call(this.client.configureStack.bind(this.client), request);
  }

  /** `analyze` for every resource (one call each, as the engine makes them), then `analyzeStack` over them all. */
  async analyzeAll(recorded: RecordedResource[]): Promise<{ diagnostic: analyzer.AnalyzeDiagnostic; urn: string | null }[]> {
    const resources = withDefaultProviders(recorded);
    const results: { diagnostic: analyzer.AnalyzeDiagnostic; urn: string | null }[][] = new Array(resources.length);
    let next = 0;
    const worker = async () => {
      while (next < resources.length) {
        const index = next++;
        const resource = resources[index]!;
        const response = await call(this.client.analyze.bind(this.client), analyzeRequest(resource));
        results[index] = response.getDiagnosticsList().map((diagnostic) => ({ diagnostic, urn: diagnostic.getUrn() || resource.urn }));
      }
    };
    await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, resources.length) }, worker));
    const stack = await call(this.client.analyzeStack.bind(this.client), analyzeStackRequest(resources));
    return [...results.flat(), ...stack.getDiagnosticsList().map((diagnostic) => ({ diagnostic, urn: diagnostic.getUrn() || null }))];
  }

  close(): void {
    this.client.close();
    if (this.child.exitCode === null) this.child.kill();
  }
}

const WAIVED = /^(waived by [^\n]*)\n?/;

/** Turns the pack's diagnostics into the report's violations and waived notes. */
export function reportOf(
  info: analyzer.AnalyzerInfo,
  effective: Map<string, ConfiguredPolicy>,
  diagnostics: { diagnostic: analyzer.AnalyzeDiagnostic; urn: string | null }[],
): PolicyReport {
  const descriptions = new Map(info.getPoliciesList().map((policy) => [policy.getName(), policy.getDescription()]));
  const violations: PolicyViolation[] = [];
  const waived: WaivedViolation[] = [];
  for (const { diagnostic, urn } of diagnostics) {
    const policy = diagnostic.getPolicyname();
    let message = diagnostic.getMessage();
    const waiver = WAIVED.exec(message);
    if (waiver) message = message.slice(waiver[0].length);
    const description = descriptions.get(policy);
    if (description && message.startsWith(description)) message = message.slice(description.length).replace(/^\n/, "");
    const violation: PolicyViolation = {
      policy,
      enforcementLevel: levelName(diagnostic.getEnforcementlevel()),
      severity: severityName(diagnostic.getSeverity()),
      urn,
      message: message || (description ?? ""),
    };
    if (waiver) waived.push({ ...violation, waiver: waiver[1]! });
    else violations.push(violation);
  }
  const policies: PolicyMetadata[] = info.getPoliciesList().map((policy) => ({
    name: policy.getName(),
    description: policy.getDescription(),
    enforcementLevel: effective.get(policy.getName())?.level ?? levelName(policy.getEnforcementlevel()),
    severity: severityName(policy.getSeverity()),
    remediation: policy
      .getRemediationSteps()
      .split("\n")
      .map((step) => step.replace(/^\d+\.\s*/, ""))
      .filter((step) => step !== ""),
    topics: policy.getTagsList(),
    type: policy.getPolicyType() === analyzer.PolicyType.POLICY_TYPE_STACK ? "stack" : "resource",
    config: effective.get(policy.getName())?.config ?? {},
  }));
  return { pack: info.getName(), version: info.getVersion(), violations, waived, policies };
}

/**
 * Judges a stack's recorded resources with the policy pack, as `pulumi preview --policy-pack policies
 * --policy-pack-config <file>` would: one pack process, every resource analyzed, then the stack.
 */
export async function analyzeWithPack(options: AnalyzeOptions): Promise<PolicyReport> {
  const pack = await PolicyPackProcess.start({ stack: options.stack, project: options.project, waiversPath: options.waiversPath, now: options.now });
  try {
    return await analyzePrepared(await preparePack(pack, options), options.resources);
  } finally {
    pack.close();
  }
}

/** A pack that knows its policies and has been configured for a stack: ready to analyze. */
export interface PreparedPack {
  pack: PolicyPackProcess;
  info: analyzer.AnalyzerInfo;
  effective: Map<string, ConfiguredPolicy>;
}

/**
 * What the engine does before it analyzes anything: the pack's info, the policy config reconciled and
 * validated (./policyConfig.ts) and sent in Configure, the stack. Needs no resource. (The plan refuses a
 * config below the level floors before it starts the pack: ./levelFloors.ts.)
 */
export async function preparePack(pack: PolicyPackProcess, options: Pick<AnalyzeOptions, "stack" | "project" | "policyConfigPath">): Promise<PreparedPack> {
  return withPackOutput(pack, async () => {
    const project = options.project ?? "flightdeck";
    const file = readPolicyConfigFile(options.policyConfigPath);
    const info = await pack.info();
    const effective = resolvePolicyConfig(info, file, options.policyConfigPath);
    await pack.configure(effective);
    await pack.configureStack(options.stack, project);
    return { pack, info, effective };
  });
}

/** Every resource through `analyze`, then the stack through `analyzeStack`, as a report. */
export async function analyzePrepared(prepared: PreparedPack, resources: RecordedResource[]): Promise<PolicyReport> {
  return withPackOutput(prepared.pack, async () => reportOf(prepared.info, prepared.effective, await prepared.pack.analyzeAll(resources)));
}

/** Runs a call to the pack; a failure carries what the pack printed on stderr. */
async function withPackOutput<T>(pack: PolicyPackProcess, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const detail = pack.errorOutput.trim();
    if (detail && error instanceof Error) error.message += `\n${detail}`;
    throw error;
  }
}
