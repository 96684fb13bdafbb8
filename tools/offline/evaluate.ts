import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { FilePosition, InvalidConfigError } from "./errors";
import { offlineMocks } from "./mocks";
import { RecordedInvoke, RecordedResource, RecordingMonitor } from "./monitor";
import { unwrapSecrets } from "./values";
import { PROJECT_ROOT } from "../projectRoot";
import { locateProblem } from "./located";
import { StackConfigMap, stackFileName } from "./stackConfig";
import { AmbientRead, withAmbientInputRecorded } from "./ambient";
import { BuiltProgram, buildProgram, locateProgram, programBuildProblems, runProgramEntry } from "./entry";
import { describeAmbientRead } from "./ambient";
import { unsecretOutsideAllowList } from "./unsecret";
import { AmbientInputError, ProgramError } from "./errors";
import { OfflineProgram, offlineProgram } from "./programs";
import type { SsmParameters } from "./drillRegister";
import { flagRegistersFromFiles, registers } from "./flagRegister";
import { keepPromiseStacksShort } from "./promiseStacks";

export interface EvaluationInput {
  project: string;
  stack: string;
  /** Fully-qualified config keys (`flightdeck:model`, `aws:region`), values as the CLI passes them. */
  config: Record<string, string>;
  /** Fully-qualified keys whose values are secrets. */
  secretKeys: readonly string[];
  /** Give secrets that are not set a marked placeholder (the offline plan of a fresh clone). */
  placeholderSecrets?: boolean;
  /** Secrets the stack file holds encrypted: their placeholder carries a digest of the ciphertext, so a rotated secret differs. */
  encrypted?: Record<string, string>;
  /** The instant the program computes time-dependent values at (feature flag stages); default now. */
  now?: Date;
  /**
   * What SSM path reads answer (the drill and flag registers); default: the newest scheduled drill passed
   * (drillRegister.ts), and each stack's flags as its stack file in `deployedDir` declares them (flagRegister.ts).
   */
  ssmParameters?: SsmParameters;
  /** The checkout whose stack files stand for what is deployed (the flag registers' content); default `projectDir`. */
  deployedDir?: string;
  /**
   * The project whose program is evaluated (its Pulumi.yaml's `main`) and whose stack files are read;
   * default this checkout's. It may be another checkout (in CI, the pull request's): its program and its
   * own model of its config run on its node_modules, with this checkout's engine.
   */
  projectDir?: string;
  /** Where each key is set (readStackConfig), to name the file in messages. */
  positions?: Record<string, FilePosition>;
  /** Where a value inside a key is (readStackConfig): config problems are reported as `file:line:column: key: …`. */
  locate?: StackConfigMap["locate"];
}

export interface Evaluation {
  project: string;
  stack: string;
  resources: RecordedResource[];
  outputs: Record<string, unknown>;
  /** Fully-qualified secret keys that were not set and got a placeholder. */
  placeholders: string[];
  /** Fully-qualified secret keys set encrypted in the stack file; their placeholder follows the ciphertext. */
  encryptedPlaceholders: string[];
  /** Every invoke the program made (token, the provider reference it went to, "" for the default provider, and its arguments). */
  invokes?: RecordedInvoke[];
  /** Every resource the program read instead of declaring (stack references, `.get`s). */
  reads?: { type: string; name: string; id: string }[];
}

export { InvalidConfigError };

export const DIY_ORGANIZATION = "organization";


export const PLACEHOLDER_PREFIX = "<unset secret: offline placeholder for ";
export const ENCRYPTED_PREFIX = "<encrypted secret: offline placeholder for ";

/**
 * Runs the program of the project for one stack as the language host would (its Pulumi.yaml `main`,
 * ./entry.ts) under Pulumi's mock runtime, with the engine's transforms applied (./monitor.ts), in its
 * declared environment (./ambient.ts), and records every resource. The config checks the program makes
 * first (./programs.ts) run before it, so that a bad config is reported by file and key.
 * Runs are sequential: the runtime is one per process.
 */
export async function evaluateProgram(input: EvaluationInput): Promise<Evaluation> {
  keepPromiseStacksShort();
  const projectDir = input.projectDir ?? PROJECT_ROOT;
  let program: OfflineProgram;
  try {
    program = offlineProgram(input.project, projectDir);
  } catch (error) {
    const problems = programBuildProblems(error, projectDir);
    if (!problems) throw error;
    throw new ProgramError([
      ...problems,
      "the offline engine reads the program's config model from these modules (tools/offline/programs.ts): a change that moves or renames them lands in the engine first",
    ]);
  }
  const namespace = program.namespace;
  const config = { ...input.config };
  const secretKeys = new Set(input.secretKeys);
  const placeholders: string[] = [];
  const encryptedPlaceholders: string[] = [];

  if (input.placeholderSecrets) {
    for (const key of program.requiredSecretKeys(config)) {
      const qualified = `${namespace}:${key}`;
      if (config[qualified] !== undefined) continue;
      const ciphertext = input.encrypted?.[qualified];
      secretKeys.add(qualified);
      if (ciphertext === undefined) {
        config[qualified] = `${PLACEHOLDER_PREFIX}${qualified}>`;
        placeholders.push(qualified);
      } else {
        config[qualified] = `${ENCRYPTED_PREFIX}${qualified}, ciphertext sha256:${createHash("sha256").update(ciphertext).digest("hex")}>`;
        encryptedPlaceholders.push(qualified);
      }
    }
  }
  // The same checks, in the same words, as the program's loadStackConfig under the real CLI.
  const isSecret = (qualified: string) => secretKeys.has(qualified) || input.encrypted?.[qualified] !== undefined;
  const now = input.now ?? new Date();
  const problems = program.problems(config, isSecret, (key) => input.positions?.[key]?.file ?? stackFileName(input.stack), now);
  if (problems.length > 0) {
    throw new InvalidConfigError(input.locate ? problems.map((problem) => locateProblem(problem, input.locate, stackFileName(input.stack))) : problems);
  }

  const entry = locateProgram(projectDir);
  let built: BuiltProgram;
  try {
    built = buildProgram(entry);
  } catch (error) {
    const problems = programBuildProblems(error, projectDir);
    if (problems) throw new ProgramError(problems);
    throw error;
  }
  pulumi.runtime.setAllConfig(config, [...secretKeys]);
  const region = config["aws:region"] ?? "us-east-1";
  const deployedDir = input.deployedDir ?? projectDir;
  const mocks = offlineMocks(region, input.ssmParameters ?? registers(program.ssmParameters(config, now), flagRegistersFromFiles(deployedDir, now)));
  // A DIY backend's organization is "organization" (stack references name `organization/<project>/<stack>`).
  await pulumi.runtime.setMocks(mocks, input.project, input.stack, false, DIY_ORGANIZATION);
  const monitor = new RecordingMonitor(mocks, input.project, input.stack, { config, secretKeys: [...secretKeys] });
  pulumi.runtime.setMockOptions(monitor, input.project, input.stack, false, DIY_ORGANIZATION);

  let evaluated: { result: Record<string, unknown> | undefined; reads: AmbientRead[] };
  try {
    evaluated = await withAmbientInputRecorded({ program: built, declared: program.environment(now) }, async () => {
      const outputs = await pulumi.runtime.runInPulumiStack(async () => (await runProgramEntry(entry, built)) as Record<string, unknown>);
      await pulumi.runtime.disconnect();
      return outputs;
    });
  } catch (error) {
    // The program's own stop (the CLI prints a RunError's message alone, without a stack: sdk/nodejs/cmd/run/run.ts).
    // isInstance, not instanceof: the program's RunError is its own @pulumi/pulumi's when it is another checkout's.
    if (pulumi.RunError.isInstance(error)) {
      const [first, ...rest] = error.message.split("\n");
      const located = rest.map((line) => (input.locate ? locateProblem(line.trim(), input.locate, stackFileName(input.stack)) : line.trim()));
      throw new ProgramError([`the program stopped: ${first}`, ...located]);
    }
    throw error;
  } finally {
    monitor.close();
  }
  const unsecrets = unsecretOutsideAllowList(built);
  if (evaluated.reads.length > 0) throw new AmbientInputError([...evaluated.reads.map((read) => describeAmbientRead(read, program.environmentFile)), ...unsecrets], evaluated.reads);
  if (unsecrets.length > 0) throw new ProgramError(unsecrets);
  const rawOutputs = evaluated.result;
  const outputs = (unwrapSecrets(rawOutputs ?? {}).value ?? {}) as Record<string, unknown>;
  return {
    project: input.project,
    stack: input.stack,
    resources: monitor.recorded,
    outputs,
    placeholders,
    encryptedPlaceholders,
    invokes: monitor.invokes,
    reads: monitor.reads,
  };
}
