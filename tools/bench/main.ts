/**
 * `npm run bench`: how fast the offline plan and the policy pack are, as medians of several runs.
 *   the import floor (a node process that only loads @pulumi/pulumi and the providers the program uses),
 *   the plan of each stack without and with the policy pack, and its ratio to the floor,
 *   the pack's throughput on synthetic stacks of 100, 1,000 and 10,000 resources, and its growth,
 *   the test suite's time.
 * Flags: --runs N (default 5), --no-tests (skip the test suite), --baseline DIR (also time the pack of the checkout
 * in DIR, e.g. a worktree of an earlier commit with its dependencies installed, in the same runs, and print the ratio).
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { baselinePack, measureThroughputs, ownPack, perSecond } from "../policy/bench";
import { PROJECT_ROOT } from "../projectRoot";
import { medianSeconds, timeCommand } from "./measure";

/** Tuesday 10:00 in New York: the schedule policy passes, so every run does the same work. */
const IN_DEPLOY_WINDOW = "2026-12-01T15:00:00Z";
const TARGET_RATIO = 2;
const TARGET_THROUGHPUT = 5000;

interface BenchOptions {
  runs: number;
  tests: boolean;
  baseline?: string;
}

function parseOptions(argv: readonly string[]): BenchOptions {
  const options: BenchOptions = { runs: 5, tests: true };
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index];
    if (arg === "--no-tests") options.tests = false;
    else if (arg === "--runs" && /^\d+$/.test(argv[index + 1] ?? "")) options.runs = Number(argv[++index]);
    else if (arg === "--baseline" && argv[index + 1] !== undefined) options.baseline = argv[++index];
    else throw new Error(`unknown argument ${JSON.stringify(arg)}; usage: npm run bench -- [--runs N] [--no-tests] [--baseline DIR]`);
  }
  return options;
}

const seconds = (value: number) => `${value.toFixed(3)} s`;
const verdict = (ok: boolean) => (ok ? "meets target" : "MISSES target");

function log(line = ""): void {
  process.stdout.write(line + "\n");
}

async function main(): Promise<void> {
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
    const withPolicies = medianSeconds(options.runs, plan());
    const ratio = withPolicies.median / floor.median;
    log(`plan ${stack.padEnd(10)} without policies          ${seconds(without.median)}  (${(without.median / floor.median).toFixed(2)} × floor)`);
    log(`plan ${stack.padEnd(10)} with policies             ${seconds(withPolicies.median)}  (${ratio.toFixed(2)} × floor; target ≤ ${TARGET_RATIO} ×: ${verdict(ratio <= TARGET_RATIO)})`);
  }
  log();

  const sizes = [100, 1000, 10000];
  const packs = options.baseline === undefined ? [ownPack()] : [ownPack(), baselinePack(options.baseline)];
  if (options.baseline !== undefined) log(`baseline pack: ${path.resolve(options.baseline)} (timed in the same runs, taking turns)`);
  const throughput = [];
  for (const count of sizes) {
    const [result, baseline] = await measureThroughputs(count, options.runs, packs);
    throughput.push(result!);
    log(`pack throughput ${String(count).padStart(6)} resources  ${seconds(result!.medianSeconds)}  ${perSecond(result!.resourcesPerSecond).padStart(7)} resources/s  (target ≥ ${TARGET_THROUGHPUT.toLocaleString("en-US")}: ${verdict(result!.resourcesPerSecond >= TARGET_THROUGHPUT)})`);
    if (baseline) {
      const ratio = result!.resourcesPerSecond / baseline.resourcesPerSecond;
      log(`       baseline ${String(count).padStart(6)} resources  ${seconds(baseline.medianSeconds)}  ${perSecond(baseline.resourcesPerSecond).padStart(7)} resources/s  (this pack: ${ratio.toFixed(2)} × the baseline's; a drop of at most 20%: ${verdict(ratio >= 0.8)})`);
    }
  }
  for (let index = 1; index < throughput.length; index++) {
    const small = throughput[index - 1]!;
    const large = throughput[index]!;
    const growth = large.medianSeconds / small.medianSeconds;
    const perResource = (large.medianSeconds / large.count) / (small.medianSeconds / small.count);
    log(`growth ${small.count} → ${large.count}: time × ${growth.toFixed(2)} for × ${large.count / small.count} resources (time per resource × ${perResource.toFixed(2)}; 1.00 is linear)`);
  }

  if (options.tests) {
    log();
    const suite = medianSeconds(options.runs, () => timeCommand("npx", ["mocha"], PROJECT_ROOT));
    log(`test suite (npx mocha)                         ${seconds(suite.median)}`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
});
