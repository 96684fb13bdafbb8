import { strict as assert } from "node:assert";
import Ajv from "ajv";
import type {
  PolicyProviderResource,
  PolicyResource,
  ReportViolation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import { FlightdeckPolicy, ViolationDetails } from "../../policies/lib/define";
import { CLOCK_ENV } from "../../policies/lib/clock";
import { STACK_ENV } from "../../policies/lib/stack";
import { allPolicies } from "../../policies/rules";
import { ISOLATION_POLICY } from "../../policies/rules/isolation";

/** A resource as a test declares it: type, logical name, inputs, and the names it depends on. */
export interface Fixture {
  type: string;
  name: string;
  props: Record<string, unknown>;
  protect?: boolean;
  dependsOn?: string[];
  /** Inputs (top-level keys) that depend on the named resources. */
  propertyDependencies?: Record<string, string[]>;
  /**
   * The provider the engine sends with the resource (see `providerOf`): null for none at all; absent for the
   * one the compliant program uses (the stack's GitHub provider for github:* types, else the package's default).
   */
  provider?: FixtureProvider | null;
}

export interface FixtureProvider {
  type: string;
  name: string;
  props: Record<string, unknown>;
}

/**
 * The stack's GitHub provider as the engine sends it to the pack: its inputs, appAuth JSON-encoded as
 * @pulumi/github 6.15 provider.js sends it (pulumi.output(args.appAuth).apply(JSON.stringify)).
 */
export const GITHUB_PROVIDER: FixtureProvider = {
  type: "pulumi:providers:github",
  name: "flightpro-production-github",
  props: {
    owner: "flightpro",
    organization: "flightpro",
    appAuth: JSON.stringify({ id: "918273", installationId: "51234567", pemFile: "-----BEGIN RSA PRIVATE KEY-----\nfixture\n-----END RSA PRIVATE KEY-----" }),
    baseUrl: "https://api.github.com/",
    version: "6.15.0",
  },
};

/** The provider the engine would send with a fixture: the stack's GitHub provider for GitHub resources, the package's default otherwise. */
export function providerOf(fixture: Fixture): PolicyProviderResource | undefined {
  if (fixture.provider === null) return undefined;
  const pkg = fixture.type.split(":")[0]!;
  const provider = fixture.provider ?? (pkg === "github" ? GITHUB_PROVIDER : { type: `pulumi:providers:${pkg}`, name: "default", props: {} });
  return { ...provider, urn: urnOf(provider) };
}

export interface Verdict {
  policy: string;
  message: string;
  urn?: string;
  enforcementLevel?: string;
}

export class NotApplicableError extends Error {}

export const STACK = "production";

export function urnOf(fixture: { type: string; name: string }, stack = STACK): string {
  return `urn:pulumi:${stack}::flightdeck::${fixture.type}::${fixture.name}`;
}

function notApplicable(reason?: string): never {
  throw new NotApplicableError(reason ?? "not applicable");
}

const options = { protect: false, ignoreChanges: [], aliases: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }, additionalSecretOutputs: [] };
// One of each for every resource: the specs build arguments for thousands of policy and resource pairs.
const isType = () => false;
const asType = () => undefined;

/** Arguments as the SDK's analyze handler builds them: stack tags, config, and a notApplicable that throws. */
export function resourceArgs(fixture: Fixture, config: Record<string, unknown> = {}): ResourceValidationArgs {
  return {
    type: fixture.type,
    props: fixture.props,
    urn: urnOf(fixture),
    name: fixture.name,
    opts: { ...options, protect: fixture.protect ?? false },
    stackTags: new Map<string, string>([["pulumi:project", "flightdeck"]]),
    isType,
    asType,
    getConfig: <T extends object>() => config as T,
    notApplicable,
    provider: providerOf(fixture),
  };
}

export function stackArgs(fixtures: Fixture[], config: Record<string, unknown> = {}): StackValidationArgs {
  const resources: PolicyResource[] = fixtures.map((fixture) => ({
    type: fixture.type,
    props: fixture.props,
    urn: urnOf(fixture),
    name: fixture.name,
    opts: { ...options, protect: fixture.protect ?? false },
    dependencies: [],
    propertyDependencies: {},
    isType,
    asType,
    provider: providerOf(fixture),
  }));
  const byName = new Map(resources.map((resource) => [resource.name, resource]));
  fixtures.forEach((fixture, index) => {
    const resource = resources[index]!;
    resource.dependencies = (fixture.dependsOn ?? []).map((name) => byName.get(name)).filter((r): r is PolicyResource => r !== undefined);
    for (const [key, names] of Object.entries(fixture.propertyDependencies ?? {})) {
      resource.propertyDependencies[key] = names.map((name) => byName.get(name)).filter((r): r is PolicyResource => r !== undefined);
    }
  });
  return {
    resources,
    stackTags: new Map<string, string>([["pulumi:project", "flightdeck"]]),
    getConfig: <T extends object>() => config as T,
    notApplicable,
  };
}

function collector(policy: string, into: Verdict[], defaultUrn?: string): ReportViolation {
  return ((message: string | ViolationDetails, urn?: string) => {
    if (typeof message === "object") into.push({ policy, message: message.message, urn: message.urn ?? defaultUrn, enforcementLevel: message.enforcementLevel });
    else into.push({ policy, message, urn: urn ?? defaultUrn });
  }) as ReportViolation;
}

function isStack(policy: FlightdeckPolicy): policy is StackValidationPolicy {
  return "validateStack" in policy;
}

/** Runs one resource policy on one resource: its verdicts, or "not applicable". */
export function runResourcePolicy(policy: ResourceValidationPolicy, fixture: Fixture, config: Record<string, unknown> = {}): Verdict[] | "not applicable" {
  const verdicts: Verdict[] = [];
  const validations = policy.validateResource === undefined ? [] : Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource];
  try {
    for (const validate of validations) void validate(resourceArgs(fixture, config), collector(policy.name, verdicts, urnOf(fixture)));
  } catch (error) {
    if (error instanceof NotApplicableError) return "not applicable";
    throw error;
  }
  return verdicts;
}

export function runStackPolicy(policy: StackValidationPolicy, fixtures: Fixture[], config: Record<string, unknown> = {}): Verdict[] | "not applicable" {
  const verdicts: Verdict[] = [];
  try {
    void policy.validateStack(stackArgs(fixtures, config), collector(policy.name, verdicts));
  } catch (error) {
    if (error instanceof NotApplicableError) return "not applicable";
    throw error;
  }
  return verdicts;
}

export interface JudgeOptions {
  /** Per-policy settings (as in a --policy-pack-config file, without enforcementLevel). */
  config?: Record<string, Record<string, unknown>>;
  now?: string;
  stack?: string;
  policies?: FlightdeckPolicy[];
}

/** Runs the clock and stack variables the pack reads for the duration of `run`. */
export function withEnvironment<T>(values: Record<string, string | undefined>, run: () => T): T {
  const saved = Object.fromEntries(Object.keys(values).map((key) => [key, process.env[key]]));
  const assign = (entries: Record<string, string | undefined>) => {
    for (const [key, value] of Object.entries(entries)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
  assign(values);
  try {
    return run();
  } finally {
    assign(saved);
  }
}

/** A Tuesday, 11:00 in New York, outside every freeze: a time production may deploy. */
export const IN_WINDOW = "2026-11-10T16:00:00Z";

/** Every policy of the pack over a set of resources, as the engine would run them: verdicts in order. */
export function judge(fixtures: Fixture[], options: JudgeOptions = {}): Verdict[] {
  // The isolation policy judges a stack against every stack's identity, which only a config gives it: the
  // fixtures here are one stack's, so it runs when a test names it or configures it (test/policies/isolation*.spec.ts;
  // the plan specs run it with every other policy on the real stacks and configs).
  const policies = options.policies ?? allPolicies.filter((policy) => policy.name !== ISOLATION_POLICY || options.config?.[ISOLATION_POLICY] !== undefined);
  return withEnvironment({ [CLOCK_ENV]: options.now ?? IN_WINDOW, [STACK_ENV]: options.stack ?? STACK }, () => {
    const verdicts: Verdict[] = [];
    for (const policy of policies) {
      const config = options.config?.[policy.name] ?? {};
      if (isStack(policy)) {
        const result = runStackPolicy(policy, fixtures, config);
        if (result !== "not applicable") verdicts.push(...result);
      } else {
        for (const fixture of fixtures) {
          const result = runResourcePolicy(policy, fixture, config);
          if (result !== "not applicable") verdicts.push(...result);
        }
      }
    }
    return verdicts;
  });
}

/**
 * What the engine says of a policy's settings before the pack runs: it fills in the configSchema defaults,
 * applies the config file and validates the result against `{ type: "object", properties, required }`
 * with gojsonschema (pulumi/pulumi pkg/resource/analyzer/config.go, ReconcilePolicyPackConfig and
 * validatePolicyConfig); one problem per failed keyword, empty when the settings are accepted.
 */
export function settingsProblems(policy: FlightdeckPolicy, settings: Record<string, unknown>): string[] {
  const schema = policy.configSchema;
  if (schema === undefined) throw new Error(`${policy.name} takes no settings`);
  const defaults = Object.fromEntries(Object.entries(schema.properties ?? {}).map(([key, property]) => [key, property.default]));
  const validate = new Ajv({ allErrors: true, strict: false }).compile({ type: "object", properties: schema.properties, required: schema.required });
  return validate({ ...defaults, ...settings }) ? [] : (validate.errors ?? []).map((error) => `${error.instancePath || "(settings)"} ${error.message ?? "invalid"}`);
}

/** The policies a set of verdicts names, sorted and de-duplicated. */
export function policiesOf(verdicts: Verdict[]): string[] {
  return [...new Set(verdicts.map((verdict) => verdict.policy))].sort();
}

/** A deep copy of the fixtures with one resource's props changed. */
export function mutate(fixtures: Fixture[], name: string, change: (props: Record<string, unknown>, fixture: Fixture) => void): Fixture[] {
  const copy: Fixture[] = structuredClone(fixtures);
  const target = copy.find((fixture) => fixture.name === name);
  if (!target) throw new Error(`no fixture named ${name}`);
  change(target.props, target);
  return copy;
}

export function without(fixtures: Fixture[], ...names: string[]): Fixture[] {
  return structuredClone(fixtures).filter((fixture) => !names.includes(fixture.name));
}

/** A copy of the fixtures with the input at `path` (dots; numbers index arrays) of one resource set, or removed when `value` is undefined. */
export function withInput(fixtures: Fixture[], name: string, path: string, value: unknown): Fixture[] {
  return mutate(fixtures, name, (props) => {
    const segments = path.split(".");
    let current: unknown = props;
    for (const segment of segments.slice(0, -1)) {
      const next: unknown = (current as Record<string, unknown>)[segment];
      if (next === null || typeof next !== "object") throw new Error(`${name}: no object at ${segment} of ${path}`);
      current = next;
    }
    const record = current as Record<string, unknown>;
    const last = segments[segments.length - 1]!;
    if (value === undefined) delete record[last];
    else record[last] = value;
  });
}

/** Asserts the verdicts are exactly one violation, of `policy`, with a message matching `pattern`. */
export function assertOnly(verdicts: Verdict[], policy: string, pattern: RegExp): void {
  assert.equal(verdicts.length, 1, `expected exactly one violation of ${policy}, got ${JSON.stringify(verdicts, null, 1)}`);
  assert.equal(verdicts[0]!.policy, policy);
  assert.match(verdicts[0]!.message, pattern);
}

export interface MutationCase {
  title: string;
  stack: () => Fixture[];
  policy: string;
  message: RegExp;
  options?: JudgeOptions;
  /** Other policies the same change rightly violates too (one violation each). */
  alsoBy?: string[];
}

/** One `it` per case: the mutated stack gets exactly the expected violation (and those of `alsoBy`). */
export function itRejects(cases: MutationCase[]): void {
  for (const testCase of cases) {
    it(`${testCase.policy}: ${testCase.title}`, () => {
      const verdicts = judge(testCase.stack(), testCase.options);
      const also = new Set(testCase.alsoBy ?? []);
      assert.deepEqual(verdicts.filter((verdict) => also.has(verdict.policy)).map((verdict) => verdict.policy).sort(), [...also].sort(), JSON.stringify(verdicts, null, 1));
      assertOnly(verdicts.filter((verdict) => !also.has(verdict.policy)), testCase.policy, testCase.message);
    });
  }
}
