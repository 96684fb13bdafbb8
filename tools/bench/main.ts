/**
 * `npm run bench`: how fast the offline plan is on the stacks users have, as medians of several runs:
 *   the import floor (a node process that only loads @pulumi/pulumi and the providers the program uses),
 *   the plan of each stack without the policy pack and with it (the pack's share is the difference), with
 *   its verdict, and production's against its target: the plan with its verdict in under 3 s;
 *   the test suite's time.
 * Flags: --runs N (default 5), --no-tests (skip the test suite).
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { PROJECT_ROOT } from "../projectRoot";
import { medianSeconds, timeCommand } from "./measure";

/** Tuesday 10:00 in New York: the schedule policy passes, so every run does the same work. */
const IN_DEPLOY_WINDOW = "2026-12-01T15:00:00Z";
/** The production plan with its policy verdict, on this project's own machine (issue 20). */
const TARGET_SECONDS = 3;

interface BenchOptions {
  runs: number;
  tests: boolean;
}

function parseOptions(argv: readonly string[]): BenchOptions {
  const options: BenchOptions = { runs: 5, tests: true };
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index];
    if (arg === "--no-tests") options.tests = false;
    else if (arg === "--runs" && /^\d+$/.test(argv[index + 1] ?? "")) options.runs = Number(argv[++index]);
    else throw new Error(`unknown argument ${JSON.stringify(arg)}; usage: npm run bench -- [--runs N] [--no-tests]`);
  }
  return options;
}

const seconds = (value: number) => `${value.toFixed(3)} s`;

function log(line = ""): void {
  process.stdout.write(line + "\n");
}

function main(): void {
  const options = parseOptions(process.argv.slice(2));
  const node = process.execPath;
  const built = spawnSync("npm", ["run", "-s", "build:offline"], { cwd: PROJECT_ROOT, stdio: "inherit" });
  if (built.status !== 0) throw new Error("npm run build:offline failed");
  const floorScript = path.join(PROJECT_ROOT, ".build", "tools", "bench", "floor.js");
  const planScript = path.join(PROJECT_ROOT, ".build", "tools", "plan", "main.js");

  log(`flightdeck bench — medians of ${options.runs} runs, ${new Date().toISOString()}, node ${process.version}`);
  log();
  const floor = medianSeconds(options.runs, () => timeCommand(node, [floorScript], PROJECT_ROOT));
  log(`import floor (@pulumi/pulumi + providers)      ${seconds(floor.median)}`);

  for (const stack of ["staging", "production"]) {
    const plan = (...extra: string[]) => () => timeCommand(node, [planScript, "--stack", stack, "--format", "json", "--at", IN_DEPLOY_WINDOW, ...extra], PROJECT_ROOT);
    const without = medianSeconds(options.runs, plan("--no-policy"));
    const judged = medianSeconds(options.runs, plan());
    const share = judged.median - without.median;
    const verdict = judged.status === 0 ? "passes" : "a mandatory violation";
    log(`plan ${stack.padEnd(10)} without policies          ${seconds(without.median)}`);
    log(`plan ${stack.padEnd(10)} with policies             ${seconds(judged.median)}  (verdict: ${verdict}; the pack's share ${seconds(share)}, ${((share / judged.median) * 100).toFixed(0)}%)`);
    if (stack === "production") log(`production plan with its verdict: target < ${TARGET_SECONDS} s: ${judged.median < TARGET_SECONDS ? "meets target" : "MISSES target"}`);
  }

  if (options.tests) {
    log();
    const suite = medianSeconds(options.runs, () => timeCommand("npx", ["mocha"], PROJECT_ROOT));
    log(`test suite (npx mocha)                         ${seconds(suite.median)}`);
  }
}

try {
  main();
} catch (error) {
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
}
