import { existsSync, statSync, writeFileSync } from "node:fs";
import { PlanFileError, readPlanFile } from "./base";
import { gateChanges } from "./gate";
import { renderMarkdown } from "./render/markdown";

export const COMBINE_USAGE = "usage: npm run plan:comment -- PLAN.json [PLAN.json ...] [--out FILE] [--gate-base DIR --gate-head DIR]";

/**
 * One pull-request comment for several stacks, from plans saved with `--format json` (with
 * `--against` for their diffs). Exit 0, or 2 on bad input.
 */
export function runCombine(argv: readonly string[]): { exitCode: number; output: string; errors: string[]; out?: string } {
  const files: string[] = [];
  const values = new Map<string, string>();
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index]!;
    const flag = ["--out", "--gate-base", "--gate-head"].find((name) => arg === name || arg.startsWith(`${name}=`));
    if (flag !== undefined) {
      const value = arg === flag ? argv[++index] : arg.slice(flag.length + 1);
      if (!value || value.startsWith("--")) return usage(`${flag} needs a value`);
      if (values.has(flag)) return usage(`${flag} given twice`);
      values.set(flag, value);
    } else if (arg.startsWith("--")) {
      return usage(`unknown argument ${JSON.stringify(arg)}`);
    } else {
      files.push(arg);
    }
  }
  if (files.length === 0) return usage("give at least one plan saved with `npm run plan -- --stack <name> --format json`");
  const out = values.get("--out");
  const gateBase = values.get("--gate-base");
  const gateHead = values.get("--gate-head");
  if ((gateBase === undefined) !== (gateHead === undefined)) return usage("--gate-base and --gate-head go together: the base branch's checkout and the pull request's");
  for (const [flag, dir] of [["--gate-base", gateBase], ["--gate-head", gateHead]] as const) {
    if (dir !== undefined && !(existsSync(dir) && statSync(dir).isDirectory())) return { exitCode: 2, output: "", errors: [`${flag} ${dir}: no such directory`] };
  }
  try {
    const plans = files.map((file) => readPlanFile(file, "plan"));
    const stacks = plans.map((plan) => plan.stack);
    const twice = stacks.find((stack, index) => stacks.indexOf(stack) !== index);
    if (twice !== undefined) return { exitCode: 2, output: "", errors: [`two plans of stack "${twice}"`] };
    const gate = gateBase !== undefined && gateHead !== undefined ? gateChanges(gateBase, gateHead) : undefined;
    return { exitCode: 0, output: renderMarkdown(plans, { gate }), errors: [], out };
  } catch (error) {
    if (error instanceof PlanFileError) return { exitCode: 2, output: "", errors: [error.message] };
    throw error;
  }
}

function usage(message: string) {
  return { exitCode: 2, output: "", errors: [message, COMBINE_USAGE] };
}

if (require.main === module) {
  try {
    const result = runCombine(process.argv.slice(2));
    for (const line of result.errors) process.stderr.write(`plan:comment: ${line}\n`);
    if (result.output && result.out) {
      writeFileSync(result.out, result.output);
      process.stderr.write(`plan:comment: wrote ${result.out}\n`);
    } else if (result.output) {
      process.stdout.write(result.output);
    }
    process.exitCode = result.exitCode;
  } catch (error) {
    process.stderr.write(`plan:comment: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 3;
  }
}
