import * as path from "node:path";
import { Evaluation, evaluateProgram } from "../../tools/offline/evaluate";
import { RecordedResource } from "../../tools/offline/monitor";
import { readStackConfig } from "../../tools/offline/stackConfig";
import { parsePath } from "../../tools/offline/values";
import type { SsmParameters } from "../../tools/offline/drillRegister";
import { readNamespace } from "../../infra/config/load";
import { requiredSecretKeys } from "../../infra/config/validate";

export { requiredSecretKeys };

export { InvalidConfigError } from "../../tools/offline/evaluate";
export type { RecordedResource } from "../../tools/offline/monitor";

export const PROJECT_DIR = path.resolve(__dirname, "..", "..");

/**
 * The instant the program is evaluated at unless a test says otherwise: what it computes from the
 * date (feature flag stages) must not depend on the day the tests run. Tuesday 2026-11-10, 11:00 in
 * New York, the pack specs' usual clock.
 */
export const HARNESS_NOW = new Date("2026-11-10T16:00:00Z");

/** Secret values the tests set: each a canary that must never appear in plain output. */
export function canarySecrets(keys: readonly string[]): Record<string, string> {
  return Object.fromEntries(keys.map((key) => [key, `canary-${key.replace(/[^A-Za-z0-9]/g, "")}-s3cr3t`]));
}

/** The raw `flightdeck:*` config of a sample stack (keys without namespace), for tests to mutate: a copy each time. */
export function sampleConfig(stack: "staging" | "production"): Record<string, unknown> {
  // The stack files are read and parsed once per process: specs ask for them hundreds of times.
  let raw = sampleConfigs.get(stack);
  if (raw === undefined) {
    raw = readNamespace(readStackConfig(stack, PROJECT_DIR).config);
    sampleConfigs.set(stack, raw);
  }
  return structuredClone(raw);
}

const sampleConfigs = new Map<string, Record<string, unknown>>();

export interface StackRun extends Evaluation {
  /** Every resource of a type token, e.g. `github:index/repositoryRuleset:RepositoryRuleset`. */
  ofType(type: string): RecordedResource[];
  /** The one resource of a type whose logical name ends with `suffix`; throws if not exactly one. */
  one(type: string, suffix?: string): RecordedResource;
}

/**
 * Runs the program for a config given as raw `flightdeck:*` values (unqualified keys), with
 * every secret the config needs set to a canary (or to `secrets`).
 */
export async function runConfig(
  raw: Record<string, unknown>,
  options: { stack?: string; secrets?: Record<string, string>; region?: string; now?: Date; ssmParameters?: SsmParameters; deployedDir?: string } = {},
): Promise<StackRun> {
  const config: Record<string, string> = { "aws:region": options.region ?? "us-east-1" };
  for (const [key, value] of Object.entries(raw)) {
    config[`flightdeck:${key}`] = typeof value === "string" ? value : JSON.stringify(value);
  }
  const secretKeys: string[] = [];
  for (const [key, value] of Object.entries(options.secrets ?? {})) {
    config[`flightdeck:${key}`] = value;
    secretKeys.push(`flightdeck:${key}`);
  }
  const stack = options.stack ?? (typeof raw["environment"] === "string" ? raw["environment"] : "test");
  const input = {
    project: "flightdeck",
    stack,
    config,
    secretKeys,
    placeholderSecrets: options.secrets === undefined,
    now: options.now ?? HARNESS_NOW,
    ssmParameters: options.ssmParameters,
    deployedDir: options.deployedDir,
  };
  // The program is a function of its config and clock (the mocks are deterministic, the registers
  // read the stack files): an evaluation this process already made is handed out again, as a copy.
  // SSM answers given as functions are not data, so those runs are not kept.
  const key = options.ssmParameters === undefined ? JSON.stringify(input) : undefined;
  let evaluation = key === undefined ? undefined : evaluations.get(key);
  if (evaluation === undefined) {
    evaluation = await evaluateProgram(input);
    if (key !== undefined) evaluations.set(key, evaluation);
  }
  return withFinders(structuredClone(evaluation));
}

const evaluations = new Map<string, Evaluation>();

/** Runs a sample stack (Pulumi.yaml merged with Pulumi.<stack>.yaml) with canary secrets. */
export async function runSampleStack(
  stack: "staging" | "production",
  mutate?: (raw: Record<string, unknown>) => void,
  options: { now?: Date; ssmParameters?: SsmParameters; deployedDir?: string } = {},
): Promise<StackRun> {
  const raw = sampleConfig(stack);
  mutate?.(raw);
  return runConfig(raw, { stack, secrets: canarySecrets(requiredSecretKeys(raw)), ...options });
}


function withFinders(evaluation: Evaluation): StackRun {
  const ofType = (type: string) => evaluation.resources.filter((resource) => resource.type === type);
  return {
    ...evaluation,
    ofType,
    one(type, suffix) {
      const matches = ofType(type).filter((resource) => suffix === undefined || resource.name.endsWith(suffix));
      if (matches.length !== 1) {
        throw new Error(`expected exactly one ${type}${suffix ? ` named *${suffix}` : ""}, found ${matches.length}: ${matches.map((m) => m.name).join(", ")}`);
      }
      return matches[0]!;
    },
  };
}

/** The input at a path such as `rules.pullRequest.requiredApprovingReviewCount` or `reviewers[0].users`. */
export function inputAt(resource: RecordedResource, path: string): unknown {
  let current: unknown = resource.inputs;
  for (const segment of parsePath(path)) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}

/** Every string leaf of a value with its path, in the recorder's `a.b[0].c` form (as secret paths are named). */
export function stringLeaves(value: unknown, path = ""): [string, string][] {
  if (typeof value === "string") return [[path, value]];
  if (Array.isArray(value)) return value.flatMap((item, index) => stringLeaves(item, `${path}[${index}]`));
  if (value !== null && typeof value === "object") {
    return Object.entries(value).flatMap(([key, child]) => stringLeaves(child, path === "" ? key : `${path}.${key}`));
  }
  return [];
}
