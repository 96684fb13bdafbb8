import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { InvalidConfigError, evaluateProgram } from "../offline/evaluate";
import { UnknownStackError, readStackConfig } from "../offline/stackConfig";
import { PlanArgs, USAGE, UsageError, parsePlanArgs } from "./args";
import { planDocument } from "./document";
import { renderText } from "./render/text";

const PROJECT_DIR = path.resolve(__dirname, "..", "..");

/** Exit codes: 0 the plan is clean, 1 a mandatory policy violation remains, 2 bad input. */
export async function runPlan(
  argv: readonly string[],
  options: { projectDir?: string } = {},
): Promise<{ exitCode: number; output: string; errors: string[] }> {
  let args: PlanArgs;
  try {
    args = parsePlanArgs(argv);
    const stackConfig = readStackConfig(args.stack, options.projectDir ?? PROJECT_DIR);
    const evaluation = await evaluateProgram({ ...stackConfig, secretKeys: [], placeholderSecrets: true });
    const plan = planDocument(evaluation);
    const output = args.format === "json" ? JSON.stringify(plan, null, 2) + "\n" : renderText(plan);
    return { exitCode: 0, output, errors: [] };
  } catch (error) {
    if (error instanceof UsageError) return { exitCode: 2, output: "", errors: [error.message, USAGE] };
    if (error instanceof UnknownStackError) return { exitCode: 2, output: "", errors: [error.message] };
    if (error instanceof InvalidConfigError) return { exitCode: 2, output: "", errors: error.problems };
    throw error;
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const result = await runPlan(argv);
  for (const line of result.errors) process.stderr.write(`plan: ${line}\n`);
  if (result.output) {
    const out = outPath(argv);
    if (out) {
      writeFileSync(out, result.output);
      process.stderr.write(`plan: wrote ${out}\n`);
    } else {
      process.stdout.write(result.output);
    }
  }
  process.exitCode = result.exitCode;
}

function outPath(argv: readonly string[]): string | undefined {
  try {
    return parsePlanArgs(argv).out;
  } catch {
    return undefined;
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`plan: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 3;
  });
}
