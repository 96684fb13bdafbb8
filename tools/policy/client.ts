import { ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import * as grpc from "@grpc/grpc-js";
import Ajv from "ajv";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as analyzer from "@pulumi/pulumi/proto/analyzer_pb";
import type { RecordedProvider, RecordedResource } from "../offline/monitor";
import { UNKNOWN } from "../offline/values";
import { PACK_DIR, PackSpawnOptions, SpawnedPack, spawnPack } from "./spawn";
import { WireProvider, decodeDiagnostics, encodeAnalyzeRequest, encodeAnalyzeStackRequest, encodeStruct } from "./wire";

export { PACK_DIR };

export type EnforcementLevel = "advisory" | "mandatory" | "disabled" | "remediate";
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

function levelName(level: analyzer.EnforcementLevel): EnforcementLevel {
  const found = (Object.keys(LEVELS) as EnforcementLevel[]).find((name) => LEVELS[name] === level);
  return found ?? "advisory";
}

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

const identity = (bytes: Buffer): Buffer => bytes;
const ANALYZE = "/pulumirpc.Analyzer/Analyze";
const ANALYZE_STACK = "/pulumirpc.Analyzer/AnalyzeStack";

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

/** Encodes each distinct provider once (many resources share one). */
function providerEncoder(): (provider: RecordedProvider | undefined) => WireProvider | undefined {
  const encoded = new Map<string, WireProvider>();
  return (provider) => {
    if (!provider) return undefined;
    let wire = encoded.get(provider.urn);
    if (!wire) {
      wire = { urn: provider.urn, type: provider.type, name: provider.name, properties: encodeStruct(wireProperties(provider)) };
      encoded.set(provider.urn, wire);
    }
    return wire;
  };
}

function call<Req, Res>(
  method: (request: Req, metadata: grpc.Metadata, options: Partial<grpc.CallOptions>, callback: (error: grpc.ServiceError | null, response: Res) => void) => grpc.ClientUnaryCall,
  request: Req,
): Promise<Res> {
  return new Promise((resolve, reject) => {
    method(request, new grpc.Metadata(), { deadline: Date.now() + 120_000 }, (error, response) => (error ? reject(error) : resolve(response)));
  });
}

/** A policy pack process, started as the engine starts it, spoken to over the analyzer protocol. */
export class PolicyPackProcess {
  /** How long the last analyzeAll spent in each phase (for tools/policy/bench.ts). */
  readonly timings = { analyzeMs: 0, analyzeStackMs: 0 };

  private constructor(
    private readonly child: ChildProcess,
    readonly client: AnalyzerClient,
    /** Extra connections for analyze calls: one HTTP/2 connection caps the throughput well below what the pack can do. */
    private readonly lanes: AnalyzerClient[],
    private readonly stderr: () => string,
  ) {}

  /** Spawns the pack in its directory, as the engine does, and connects to the port it prints. */
  static start(options: PackSpawnOptions): Promise<PolicyPackProcess> {
    return PolicyPackProcess.connect(spawnPack(options));
  }

  /** Connects to a pack spawned earlier (see spawnPack), once it prints its port. */
  static async connect(spawned: SpawnedPack): Promise<PolicyPackProcess> {
    const port = await spawned.port;
    const connect = (lane: number) =>
      new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
        "grpc.max_receive_message_length": 400 * 1024 * 1024,
        "grpc.max_send_message_length": 400 * 1024 * 1024,
        // Distinct channel options give each lane its own connection.
        "grpc.channel_id": lane,
      } as Partial<grpc.ClientOptions>);
    const lanes = Array.from({ length: LANES }, (_, lane) => connect(lane + 1));
    return new PolicyPackProcess(spawned.child, connect(0), lanes, spawned.stderr);
  }

  get errorOutput(): string {
    return this.stderr();
  }

  info(): Promise<analyzer.AnalyzerInfo> {
    return call(this.client.getAnalyzerInfo.bind(this.client), new Empty());
  }

  /**
   * Applies a `--policy-pack-config` file as the engine does: per policy, its own level, else `all`,
   * else the pack's default; settings are the configSchema defaults overlaid with the file's values,
   * validated against the schema. Returns each policy's effective level and settings.
   */
  async configure(info: analyzer.AnalyzerInfo, configPath: string): Promise<Map<string, { level: EnforcementLevel; config: Record<string, unknown> }>> {
    const effective = resolvePolicyConfig(info, readPolicyConfigFile(configPath), configPath);
    const request = new analyzer.ConfigureAnalyzerRequest();
    const map = request.getPolicyconfigMap();
    for (const [name, { level, config }] of effective) {
      const policyConfig = new analyzer.PolicyConfig();
      policyConfig.setEnforcementlevel(LEVELS[level]);
      policyConfig.setProperties(Struct.fromJavaScript(config as { [key: string]: Json }));
      map.set(name, policyConfig);
    }
    await call(this.client.configure.bind(this.client), request);
    return effective;
  }

  async configureStack(stack: string, project: string): Promise<void> {
    const request = new analyzer.AnalyzerStackConfigureRequest();
    request.setStack(stack);
    request.setProject(project);
    await call(this.client.configureStack.bind(this.client), request);
  }

  /**
   * `analyze` for every resource (one call each, as the engine makes them, IN_FLIGHT at once over the
   * lanes), then `analyzeStack` over them all. Messages are written straight to the wire (./wire.ts),
   * each resource's properties once for both; calls carry no per-call deadline (one timer bounds the
   * whole run, and cancels what is still in flight when it fires).
   */
  async analyzeAll(recorded: RecordedResource[], timeoutMs = 120_000): Promise<{ diagnostic: analyzer.AnalyzeDiagnostic; urn: string | null }[]> {
    const resources = withDefaultProviders(recorded);
    const inFlight = new Set<grpc.ClientUnaryCall>();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        for (const call of inFlight) call.cancel();
        reject(new Error(`policy pack did not analyze ${resources.length} resources within ${timeoutMs / 1000} s`));
      }, timeoutMs);
    });
    const unary = (client: grpc.Client, method: string, request: Buffer): Promise<analyzer.AnalyzeDiagnostic[]> =>
      new Promise((resolve, reject) => {
        const call = client.makeUnaryRequest(method, identity, decodeDiagnostics, request, new grpc.Metadata(), {}, (error, diagnostics) => {
          inFlight.delete(call);
          if (error) reject(error);
          else resolve(diagnostics ?? []);
        });
        inFlight.add(call);
      });
    try {
      return await Promise.race([this.analyzeAndStack(resources, unary), timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async analyzeAndStack(
    resources: RecordedResource[],
    unary: (client: grpc.Client, method: string, request: Buffer) => Promise<analyzer.AnalyzeDiagnostic[]>,
  ): Promise<{ diagnostic: analyzer.AnalyzeDiagnostic; urn: string | null }[]> {
    const started = performance.now();
    const properties: Uint8Array[] = new Array(resources.length);
    const providers: (WireProvider | undefined)[] = new Array(resources.length);
    const encodeProvider = providerEncoder();
    const results: { diagnostic: analyzer.AnalyzeDiagnostic; urn: string | null }[][] = new Array(resources.length);
    let next = 0;
    const worker = async () => {
      while (next < resources.length) {
        const index = next++;
        const resource = resources[index]!;
        const bytes = encodeStruct(wireProperties(resource));
        properties[index] = bytes;
        providers[index] = encodeProvider(resource.provider);
        const lane = this.lanes[index % this.lanes.length] ?? this.client;
        const diagnostics = await unary(lane, ANALYZE, encodeAnalyzeRequest(resource, bytes, providers[index]));
        results[index] = diagnostics.map((diagnostic) => ({ diagnostic, urn: diagnostic.getUrn() || resource.urn }));
      }
    };
    await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, resources.length) }, worker));
    this.timings.analyzeMs = performance.now() - started;

    const stackStarted = performance.now();
    const stackDiagnostics = await unary(this.client, ANALYZE_STACK, encodeAnalyzeStackRequest(resources, properties, providers));
    this.timings.analyzeStackMs = performance.now() - stackStarted;
    return [...results.flat(), ...stackDiagnostics.map((diagnostic) => ({ diagnostic, urn: diagnostic.getUrn() || null }))];
  }

  close(): void {
    this.client.close();
    for (const lane of this.lanes) lane.close();
    if (this.child.exitCode === null) this.child.kill();
  }
}

/** Connections for analyze calls, and calls in flight at once (measured with tools/policy/bench.ts --throughput). */
const LANES = 8;
const IN_FLIGHT = 256;

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

export class PolicyConfigError extends Error {}

/** A policy config file's JSON; a file that is not JSON is bad input naming the file, not an internal error. */
export function readPolicyConfigFile(configPath: string): unknown {
  const text = readFileSync(configPath, "utf8");
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new PolicyConfigError(`${configPath}: not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
}

/** The engine's reading of a policy config file for this pack (see `PolicyPackProcess.configure`). */
export function resolvePolicyConfig(
  info: analyzer.AnalyzerInfo,
  file: unknown,
  source = "policy config",
): Map<string, { level: EnforcementLevel; config: Record<string, unknown> }> {
  if (!isRecord(file)) throw new PolicyConfigError(`${source}: expected a JSON object`);
  const names = info.getPoliciesList().map((policy) => policy.getName());
  const unknown = Object.keys(file).filter((key) => key !== "all" && !names.includes(key));
  if (unknown.length > 0) throw new PolicyConfigError(`${source}: no policy named ${unknown.join(", ")} in pack ${info.getName()}`);
  const levelOf = (value: unknown): EnforcementLevel | undefined => {
    const level = typeof value === "string" ? value : isRecord(value) ? value["enforcementLevel"] : undefined;
    if (level === undefined) return undefined;
    if (typeof level !== "string" || !(level in LEVELS)) throw new PolicyConfigError(`${source}: invalid enforcement level ${JSON.stringify(level)}`);
    return level as EnforcementLevel;
  };
  const all = levelOf(file["all"]);
  const ajv = new Ajv({ allErrors: true, strict: false, useDefaults: true });
  const problems: string[] = [];
  const result = new Map<string, { level: EnforcementLevel; config: Record<string, unknown> }>();
  for (const policy of info.getPoliciesList()) {
    const name = policy.getName();
    const given = file[name];
    const level = levelOf(given) ?? all ?? levelName(policy.getEnforcementlevel());
    const config: Record<string, unknown> = {};
    if (isRecord(given)) for (const [key, value] of Object.entries(given)) if (key !== "enforcementLevel") config[key] = value;
    const schema = policy.getConfigschema();
    if (schema) {
      const properties = (schema.getProperties()?.toJavaScript() ?? {}) as Record<string, unknown>;
      const validate = ajv.compile({ type: "object", properties, required: schema.getRequiredList() });
      if (!validate(config)) {
        problems.push(...(validate.errors ?? []).map((error) => `${name}${error.instancePath.replace(/\//g, ".")}: ${error.message ?? "invalid"}`));
      }
    } else if (Object.keys(config).length > 0) {
      problems.push(`${name}: takes no settings (got ${Object.keys(config).join(", ")})`);
    }
    result.set(name, { level, config });
  }
  if (problems.length > 0) throw new PolicyConfigError(`${source}: invalid policy settings:\n  ${problems.join("\n  ")}`);
  return result;
}

const WAIVED = /^(waived by [^\n]*)\n?/;

/** Turns the pack's diagnostics into the report's violations and waived notes. */
export function reportOf(
  info: analyzer.AnalyzerInfo,
  effective: Map<string, { level: EnforcementLevel; config: Record<string, unknown> }>,
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
  effective: Map<string, { level: EnforcementLevel; config: Record<string, unknown> }>;
}

/** What the engine does before it analyzes anything: policy info, the policy config, the stack. Needs no resource. */
export async function preparePack(pack: PolicyPackProcess, options: Pick<AnalyzeOptions, "stack" | "project" | "policyConfigPath">): Promise<PreparedPack> {
  return withPackOutput(pack, async () => {
    const info = await pack.info();
    const effective = await pack.configure(info, options.policyConfigPath);
    await pack.configureStack(options.stack, options.project ?? "flightdeck");
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
