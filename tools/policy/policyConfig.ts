/**
 * A `--policy-pack-config` file, read and reconciled with a pack's policies exactly as the engine does
 * before its one Configure call (pulumi/pulumi@v3.259.0):
 * - pkg/resource/analyzer/config.go parsePolicyPackConfig: a JSON object (empty text: no config); each
 *   entry a level string, or an object whose `enforcementLevel` (a string, if present) is taken out and
 *   whose other keys are the settings; a level must be advisory, mandatory, remediate or disabled
 *   (sdk/go/common/apitype/policy.go IsValid);
 * - ReconcilePolicyPackConfig: every policy's declared level and its configSchema's top-level defaults,
 *   then the pack's initial config, then the file, each through applyConfig (`all`'s level for every
 *   policy, then each entry's level and settings merged key by key; an entry naming no policy of the
 *   pack is passed on to the pack as it is);
 * - validatePolicyPackConfig: each policy with a configSchema, its reconciled settings against
 *   `{ type: "object", properties, required }` (gojsonschema v1.2.0, pkg/go.mod; with no $schema it reads
 *   the hybrid draft, xeipuuv/gojsonschema@v1.2.0:schemaLoader.go, so const and contains apply,
 *   schema.go: draft >= 6); any problem fails the preview before the pack judges
 *   anything (pkg/engine/update.go loadPolicyPlugins: each problem an error "validating policy config: <pack> <version>  <problem>", then the update stops).
 * Ajv (draft-07) validates here: the keywords the pack's schemas use mean the same in both.
 */
import { readFileSync } from "node:fs";
import Ajv, { ValidateFunction } from "ajv";
import type * as analyzer from "@pulumi/pulumi/proto/analyzer_pb";
import type { Level } from "../../policies/lib/floors";

export type EnforcementLevel = Level;

/** A policy's level and settings, as the engine sends them in Configure. */
export interface ConfiguredPolicy {
  level: EnforcementLevel;
  config: Record<string, unknown>;
}

export class PolicyConfigError extends Error {}

const LEVELS: readonly string[] = ["advisory", "mandatory", "remediate", "disabled"];

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** A policy config file's JSON; a file that is not JSON is bad input naming the file, not an internal error. */
export function readPolicyConfigFile(configPath: string): unknown {
  const text = readFileSync(configPath, "utf8");
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new PolicyConfigError(`${configPath}: not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
}

/** The level an entry of the file sets (undefined when it sets none), as parsePolicyPackConfig reads it. */
export function entryLevel(entry: unknown, name: string, source: string): EnforcementLevel | undefined {
  const level = typeof entry === "string" ? entry : isRecord(entry) ? entry["enforcementLevel"] : undefined;
  if (level === undefined) return undefined;
  if (typeof level !== "string" || !LEVELS.includes(level)) {
    throw new PolicyConfigError(`${source}: parsing enforcement level for ${JSON.stringify(name)}: ${JSON.stringify(level)} is not a valid enforcement level`);
  }
  return level as EnforcementLevel;
}

/** The file's entries: level and settings by name (`all` included), as parsePolicyPackConfig makes them. */
function parseEntries(file: unknown, source: string): Map<string, { level?: EnforcementLevel; settings: Record<string, unknown> }> {
  if (!isRecord(file)) throw new PolicyConfigError(`${source}: expected a JSON object`);
  if ("environments" in file) throw new PolicyConfigError(`${source}: "environments" names Pulumi ESC environments, which the offline plan cannot open`);
  const entries = new Map<string, { level?: EnforcementLevel; settings: Record<string, unknown> }>();
  for (const [name, entry] of Object.entries(file)) {
    if (typeof entry !== "string" && !isRecord(entry)) throw new PolicyConfigError(`${source}: parsing ${JSON.stringify(name)}: must be a string or object`);
    const level = entryLevel(entry, name, source);
    const settings: Record<string, unknown> = {};
    if (isRecord(entry)) for (const [key, value] of Object.entries(entry)) if (key !== "enforcementLevel") settings[key] = value;
    if (level !== undefined || Object.keys(settings).length > 0) entries.set(name, { level, settings });
  }
  return entries;
}

const LEVEL_NAMES: Record<number, EnforcementLevel> = { 0: "advisory", 1: "mandatory", 2: "disabled", 3: "remediate" };

/** analyzer.proto EnforcementLevel (ADVISORY = 0, MANDATORY = 1, DISABLED = 2, REMEDIATE = 3) by name. */
export function levelName(level: analyzer.EnforcementLevel): EnforcementLevel {
  return LEVEL_NAMES[level] ?? "advisory";
}

function applyConfig(result: Map<string, ConfiguredPolicy>, given: Map<string, { level?: EnforcementLevel; settings: Record<string, unknown> }>): void {
  const all = given.get("all")?.level;
  if (all !== undefined) for (const entry of result.values()) entry.level = all;
  for (const [name, { level, settings }] of given) {
    const current = result.get(name);
    result.set(name, { level: level ?? current?.level ?? ("" as EnforcementLevel), config: { ...(current?.config ?? {}), ...settings } });
  }
}

const ajv = new Ajv({ allErrors: true, strict: false });
const validators = new Map<string, ValidateFunction>();

/** A policy's settings validator, compiled once per schema. */
function validatorOf(schema: analyzer.PolicyConfigSchema): ValidateFunction {
  const document = { type: "object", properties: schema.getProperties()?.toJavaScript() ?? {}, required: schema.getRequiredList() };
  const key = JSON.stringify(document);
  let validate = validators.get(key);
  if (validate === undefined) {
    validate = ajv.compile(document);
    validators.set(key, validate);
  }
  return validate;
}

/** The value or values a `const` or `enum` allows, for the message. */
function allowed(params: Record<string, unknown>): string {
  if ("allowedValue" in params) return ` ${JSON.stringify(params["allowedValue"])}`;
  if ("allowedValues" in params) return ` ${JSON.stringify(params["allowedValues"])}`;
  return "";
}

/**
 * The engine's reading of a policy config file for the pack `info` describes: each policy's effective
 * level and settings (and any other entry of the file, passed on as the engine passes it); a setting
 * its configSchema refuses is a PolicyConfigError listing every problem.
 */
export function resolvePolicyConfig(info: analyzer.AnalyzerInfo, file: unknown, source = "policy config"): Map<string, ConfiguredPolicy> {
  const result = new Map<string, ConfiguredPolicy>();
  for (const policy of info.getPoliciesList()) {
    const properties = (policy.getConfigschema()?.getProperties()?.toJavaScript() ?? {}) as Record<string, unknown>;
    const defaults: Record<string, unknown> = {};
    for (const [key, schema] of Object.entries(properties)) if (isRecord(schema) && "default" in schema) defaults[key] = schema["default"];
    result.set(policy.getName(), { level: levelName(policy.getEnforcementlevel()), config: defaults });
  }
  const initial = new Map<string, { level?: EnforcementLevel; settings: Record<string, unknown> }>();
  info.getInitialconfigMap().forEach((entry, name) => initial.set(name, { level: levelName(entry.getEnforcementlevel()), settings: (entry.getProperties()?.toJavaScript() ?? {}) as Record<string, unknown> }));
  applyConfig(result, initial);
  applyConfig(result, parseEntries(file, source));

  const problems: string[] = [];
  for (const policy of info.getPoliciesList()) {
    const schema = policy.getConfigschema();
    if (!schema) continue;
    const validate = validatorOf(schema);
    if (!validate(result.get(policy.getName())?.config ?? {})) {
      problems.push(...(validate.errors ?? []).map((error) => `${policy.getName()}${error.instancePath.replace(/\//g, ".")}: ${error.message ?? "invalid"}${allowed(error.params)}`));
    }
  }
  if (problems.length > 0) throw new PolicyConfigError(`${source}: invalid policy settings:\n  ${problems.sort().join("\n  ")}`);
  return result;
}
