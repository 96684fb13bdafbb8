import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { Evaluation, EvaluationInput, evaluateProgram } from "../../tools/offline/evaluate";

/**
 * The program is a function of its input (config, secrets, clock) and of the stack files it reads
 * (Pulumi*.yaml of the project and of the deployed checkout: its flag registers): the mocks are
 * deterministic. An evaluation this process already made for the same input and the same files is
 * handed out again, as a copy, so every spec file a mocha worker runs shares it. Not kept: runs
 * without a clock (they read the real one) and runs whose SSM answers are functions (not data).
 */
export async function evaluateOnce(input: EvaluationInput): Promise<Evaluation> {
  const key = input.now === undefined || input.ssmParameters !== undefined ? undefined : keyOf(input);
  let evaluation = key === undefined ? undefined : evaluations.get(key);
  if (evaluation === undefined) {
    evaluation = await evaluateProgram(input);
    if (key !== undefined) evaluations.set(key, evaluation);
  }
  return structuredClone(evaluation);
}

const evaluations = new Map<string, Evaluation>();

function keyOf(input: EvaluationInput): string {
  // `locate` is a function of the same stack files (positions in them); the files' digest stands for it.
  const { locate: _locate, ...data } = input;
  const dirs = [...new Set([input.projectDir ?? REPOSITORY, input.deployedDir ?? input.projectDir ?? REPOSITORY].map((dir) => path.resolve(dir)))];
  return JSON.stringify({ data, stackFiles: dirs.map(stackFilesDigest) });
}

function stackFilesDigest(dir: string): string {
  const hash = createHash("sha256");
  for (const name of readdirSync(dir).filter((file) => /^Pulumi(\..+)?\.yaml$/.test(file)).sort()) {
    hash.update(`${name}\0`).update(readFileSync(path.join(dir, name))).update("\0");
  }
  return `${dir}:${hash.digest("hex")}`;
}

const REPOSITORY = path.resolve(__dirname, "..", "..");
