import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { readNamespace } from "../../infra/config/load";
import { stackFileName } from "../../infra/config/secretKeys";
import { FilePosition, InvalidConfigError } from "./errors";
import { offlineMocks } from "./mocks";
import { RecordedInvoke, RecordedResource, RecordingMonitor } from "./monitor";
import { unwrapSecrets } from "./values";
import { ROLLOUT_CLOCK_ENV } from "../../infra/flags/clock";
import { PROJECT_ROOT } from "../projectRoot";
import { StackReferenceOutputs, stackReferencesFromFiles } from "./stackReferences";
import { offlineProgram } from "./programs";
import { SsmParameters, drillRegisterFromConfig } from "./drillRegister";

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
  /** What stack references read; default: computed from the referenced stack's file in `projectDir`. */
  stackReferences?: StackReferenceOutputs;
  /** What SSM path reads answer (the drill register); default: the newest scheduled drill passed (see drillRegister.ts). */
  ssmParameters?: SsmParameters;
  /** Where the referenced stacks' files are; default the repository's. */
  projectDir?: string;
  /** Where each key is set (readStackConfig), to name the file in messages. */
  positions?: Record<string, FilePosition>;
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
 * Runs the program of the project (this checkout's, by project name: ./programs.ts) for one stack
 * under Pulumi's mock runtime and records every resource.
 * Runs are sequential: the runtime is one per process.
 */
export async function evaluateProgram(input: EvaluationInput): Promise<Evaluation> {
  const program = offlineProgram(input.project);
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
  const problems = program.problems(config, isSecret, (key) => input.positions?.[key]?.file ?? stackFileName(input.stack));
  if (problems.length > 0) throw new InvalidConfigError(problems);

  pulumi.runtime.setAllConfig(config, [...secretKeys]);
  const region = config["aws:region"] ?? "us-east-1";
  const now = input.now ?? new Date();
  const mocks = offlineMocks(region, input.stackReferences ?? stackReferencesFromFiles(input.projectDir ?? PROJECT_ROOT, now), input.ssmParameters ?? drillRegisterFromConfig(readNamespace(config), now));
  // A DIY backend's organization is "organization" (stack references name `organization/<project>/<stack>`).
  await pulumi.runtime.setMocks(mocks, input.project, input.stack, false, DIY_ORGANIZATION);
  const monitor = new RecordingMonitor(mocks, input.project, input.stack, { config, secretKeys: [...secretKeys] });
  pulumi.runtime.setMockOptions(monitor, input.project, input.stack, false, DIY_ORGANIZATION);

  const previousClock = process.env[ROLLOUT_CLOCK_ENV];
  process.env[ROLLOUT_CLOCK_ENV] = now.toISOString();
  let rawOutputs: Record<string, unknown> | undefined;
  try {
    rawOutputs = await pulumi.runtime.runInPulumiStack(async () => program.run());
  } finally {
    if (previousClock === undefined) delete process.env[ROLLOUT_CLOCK_ENV];
    else process.env[ROLLOUT_CLOCK_ENV] = previousClock;
  }
  await pulumi.runtime.disconnect();
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
