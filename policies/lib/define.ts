import type {
  EnforcementLevel,
  PolicyProviderResource,
  PolicyResource,
  ReportViolation,
  ResourceValidation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidation,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import type { PolicyConfigJSONSchema, PolicyConfigJSONSchemaType } from "@pulumi/policy/schema";
import { PlainRecord, plainRecord } from "./values";

export type Severity = "low" | "medium" | "high" | "critical";

/** What the registry knows about each policy: shown by getAnalyzerInfo and in the offline plan. */
export interface PolicyMetadata {
  /** `<area>-<resource>-<requirement>`, kebab-case. */
  name: string;
  /** Why the policy exists, quoting the spec. */
  description: string;
  severity: Severity;
  /** What to change when the policy is violated, in order. */
  remediation: readonly string[];
  topics: readonly string[];
}

export type FlightdeckPolicy = ResourceValidationPolicy | StackValidationPolicy;

/** Every policy defined so far, by name (rule modules register theirs when imported). */
export const policyRegistry = new Map<string, PolicyMetadata>();

export interface ConfigSpec<C extends object> {
  defaults: C;
  /** JSON schema of each setting; its `default` is filled in from `defaults`. */
  schema: { [K in keyof C]: PolicyConfigJSONSchema };
}

/**
 * The provider the engine analyzes a resource with (`args.provider` / `PolicyResource.provider`): its explicit
 * provider, or the default provider of its package (name `default` or `default_<version>`). Plain inputs.
 */
export interface ProviderInput {
  type: string;
  name: string;
  urn: string;
  props: PlainRecord;
}

/** A resource as a rule sees it: plain inputs (unknowns kept as the engine's sentinels). */
export interface ResourceInput {
  type: string;
  name: string;
  urn: string;
  props: PlainRecord;
  protect: boolean;
  parent?: string;
  /** Absent for components and providers, and when the engine sent none. */
  provider?: ProviderInput;
}

function providerInput(provider: PolicyProviderResource | undefined): ProviderInput | undefined {
  if (!provider) return undefined;
  return { type: provider.type, name: provider.name, urn: provider.urn, props: plainRecord(provider.props) };
}

/** A resource in a stack validation, with what it depends on (URNs). */
export interface StackResource extends ResourceInput {
  dependencies: string[];
  propertyDependencies: Record<string, string[]>;
}

export type Report = (message: string, urn?: string) => void;

/**
 * Thrown by a rule when a value it needs is not known until apply (during preview). The policy
 * reports an advisory note instead of a verdict; the engine runs the policy again on update,
 * when the value is known.
 */
export class UnknownInputError extends Error {
  constructor(readonly path: string) {
    super(`${path} is not known until apply`);
  }
}

export interface ViolationDetails {
  message: string;
  urn?: string;
  enforcementLevel?: EnforcementLevel;
}

/**
 * Reports a violation with its own enforcement level or urn. The SDK's reporter accepts an object
 * as well as a message (server.js `makeReportViolationFun`), though its typings show only the string form.
 */
export function reportWith(report: ReportViolation, details: ViolationDetails): void {
  (report as unknown as (details: ViolationDetails) => void)(details);
}

function register(meta: PolicyMetadata): void {
  if (!/^[a-z][a-z0-9]*(-[a-z0-9]+){2,}$/.test(meta.name)) throw new Error(`policy name ${meta.name} is not <area>-<resource>-<requirement> kebab-case`);
  if (policyRegistry.get(meta.name) === meta) return; // the same policy built again (e.g. with another waivers file)
  if (policyRegistry.has(meta.name)) throw new Error(`policy ${meta.name} is defined twice`);
  policyRegistry.set(meta.name, meta);
}

function configSchemaOf<C extends object>(config: ConfigSpec<C> | undefined): ResourceValidationPolicy["configSchema"] {
  if (!config) return undefined;
  const properties: Record<string, PolicyConfigJSONSchema> = {};
  for (const key of Object.keys(config.schema) as (keyof C & string)[]) {
    properties[key] = { ...config.schema[key], default: config.defaults[key] as unknown as PolicyConfigJSONSchemaType };
  }
  return { properties };
}

function settingsOf<C extends object>(config: ConfigSpec<C> | undefined, given: () => Partial<C>): C {
  const defaults = config?.defaults ?? ({} as C);
  const supplied = given();
  const merged: C = { ...defaults };
  for (const key of Object.keys(defaults) as (keyof C)[]) {
    const value = supplied[key];
    if (value !== undefined) merged[key] = value as C[keyof C];
  }
  return merged;
}

function common(meta: PolicyMetadata) {
  return {
    name: meta.name,
    description: meta.description,
    enforcementLevel: "advisory" as EnforcementLevel,
    severity: meta.severity,
    remediationSteps: meta.remediation.map((step, index) => `${index + 1}. ${step}`).join("\n"),
    tags: [...meta.topics],
  };
}

function noteUnknown(report: ReportViolation, description: string, error: UnknownInputError, urn?: string): void {
  reportWith(report, {
    message: `${description}\nnot judged during preview: ${error.message}; the policy runs again on update`,
    urn,
    enforcementLevel: "advisory",
  });
}

export interface ResourcePolicySpec<C extends object> {
  /**
   * Type tokens the policy judges (`github:index/repositoryRuleset:RepositoryRuleset`), "*" for all, or every
   * type of a package (`{ prefix: "github:" }`).
   */
  types: readonly string[] | "*" | { prefix: string };
  config?: ConfigSpec<C>;
  validate(resource: ResourceInput, settings: C, report: Report, args: ResourceValidationArgs): void;
}

function judgesType(types: ResourcePolicySpec<object>["types"], type: string): boolean {
  if (types === "*") return true;
  if (Array.isArray(types)) return types.includes(type);
  return type.startsWith((types as { prefix: string }).prefix);
}

/** The types each resource policy judges, by policy name: for every other type its validation does nothing. */
export const judgedTypes = new Map<string, ResourcePolicySpec<object>["types"]>();

/** Whether the resource policy `policy` can judge a resource of `type` (true for a policy not defined here). */
export function mayJudge(policy: string, type: string): boolean {
  const types = judgedTypes.get(policy);
  return types === undefined || judgesType(types, type);
}

export function resourcePolicy<C extends object = Record<string, never>>(
  meta: PolicyMetadata,
  spec: ResourcePolicySpec<C>,
): ResourceValidationPolicy {
  register(meta);
  judgedTypes.set(meta.name, spec.types);
  const validation: ResourceValidation = (args, reportViolation) => {
    // Another type: nothing to judge (returning is cheaper than notApplicable, which throws an Error with a stack trace).
    if (!judgesType(spec.types, args.type)) return;
    const settings = settingsOf(spec.config, () => args.getConfig<Partial<C>>());
    const resource: ResourceInput = {
      type: args.type,
      name: args.name,
      urn: args.urn,
      props: plainRecord(args.props),
      protect: args.opts.protect,
      parent: args.opts.parent,
      provider: providerInput(args.provider),
    };
    try {
      spec.validate(resource, settings, (message, urn) => reportViolation(message, urn), args);
    } catch (error) {
      if (error instanceof UnknownInputError) noteUnknown(reportViolation, meta.description, error);
      else throw error;
    }
  };
  return { ...common(meta), configSchema: configSchemaOf(spec.config), validateResource: validation };
}

export interface StackPolicySpec<C extends object> {
  config?: ConfigSpec<C>;
  /** A type the policy needs: with no resource of it in the stack, the policy has nothing to judge and returns at once. */
  requires?: string;
  /** May return a promise (the SDK awaits a stack validation's result). */
  validate(resources: StackResource[], settings: C, report: Report, args: StackValidationArgs): void | Promise<void>;
}

/**
 * A PolicyResource as a StackResource. Every field that needs copying is copied on first read, and
 * once: most stack policies look at a few types only.
 */
class LazyStackResource implements StackResource {
  readonly type: string;
  readonly name: string;
  readonly urn: string;
  private copiedProps: PlainRecord | undefined;
  private copiedDependencies: string[] | undefined;
  private copiedPropertyDependencies: Record<string, string[]> | undefined;
  private copiedProvider: ProviderInput | null | undefined;

  constructor(private readonly resource: PolicyResource) {
    this.type = resource.type;
    this.name = resource.name;
    this.urn = resource.urn;
  }

  get props(): PlainRecord {
    this.copiedProps ??= plainRecord(this.resource.props);
    return this.copiedProps;
  }

  get protect(): boolean {
    return this.resource.opts?.protect ?? false;
  }

  get parent(): string | undefined {
    return this.resource.opts?.parent ?? this.resource.parent?.urn;
  }

  get provider(): ProviderInput | undefined {
    if (this.copiedProvider === undefined) this.copiedProvider = providerInput(this.resource.provider) ?? null;
    return this.copiedProvider ?? undefined;
  }

  get dependencies(): string[] {
    if (this.copiedDependencies === undefined) {
      this.copiedDependencies = (this.resource.dependencies ?? []).map((dependency) => dependency.urn);
      Object.freeze(this.copiedDependencies);
    }
    return this.copiedDependencies;
  }

  get propertyDependencies(): Record<string, string[]> {
    if (this.copiedPropertyDependencies === undefined) {
      const copy: Record<string, string[]> = {};
      for (const [key, dependencies] of Object.entries(this.resource.propertyDependencies ?? {})) {
        copy[key] = Object.freeze(dependencies.map((dependency) => dependency.urn)) as string[];
      }
      this.copiedPropertyDependencies = Object.freeze(copy);
    }
    return this.copiedPropertyDependencies;
  }
}

export function toStackResource(resource: PolicyResource): StackResource {
  return new LazyStackResource(resource);
}

export function stackPolicy<C extends object = Record<string, never>>(meta: PolicyMetadata, spec: StackPolicySpec<C>): StackValidationPolicy {
  register(meta);
  const validation: StackValidation = (args, reportViolation) => {
    if (spec.requires !== undefined && !args.resources.some((resource) => resource.type === spec.requires)) return;
    const settings = settingsOf(spec.config, () => args.getConfig<Partial<C>>());
    const resources = args.resources.map(toStackResource);
    const unknownOrRethrow = (error: unknown) => {
      if (error instanceof UnknownInputError) noteUnknown(reportViolation, meta.description, error, error.path.startsWith("urn:") ? error.path : undefined);
      else throw error;
    };
    try {
      const pending = spec.validate(resources, settings, (message, urn) => reportViolation(message, urn), args);
      // Synchronous validations stay synchronous; only one that returns a promise makes this one.
      if (pending instanceof Promise) return pending.catch(unknownOrRethrow);
    } catch (error) {
      unknownOrRethrow(error);
    }
  };
  return { ...common(meta), configSchema: configSchemaOf(spec.config), validateStack: validation };
}

/** Whether `resource` depends on `target` (directly, or through the named input). */
export function dependsOn(resource: StackResource, targetUrn: string, input?: string): boolean {
  if (input !== undefined && (resource.propertyDependencies[input] ?? []).includes(targetUrn)) return true;
  return resource.dependencies.includes(targetUrn);
}
