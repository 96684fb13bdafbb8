import { writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import * as path from "node:path";
import { parseFlags } from "../../tools/cli/flags";
import { PROJECT_ROOT } from "../../tools/projectRoot";
import { ReplayCase, replayClasses } from "./cases";
import { corpus, heldBack } from "./corpus";
import { CaseResult, REPLAY_AT, REPLAY_STACK, isSuccess, planBase, replayCase } from "./run";
import { WorkerPool } from "./pool";
import { Workspace } from "./workspace";

const USAGE = "usage: npm run replay -- [--set corpus|held-back|all] [--only ID-OR-CLASS[,…]] [--jobs N] [--report FILE] [--repository DIR]";

interface ReplayArgs {
  set: "corpus" | "held-back" | "all";
  only?: string[];
  jobs: number;
  report?: string;
  /** The checkout whose gate is replayed (default: this one); e.g. another worktree, to measure a gate before a fix. */
  repository: string;
}

const FLAGS = { set: { type: "string" }, only: { type: "string" }, jobs: { type: "string" }, report: { type: "string" }, repository: { type: "string" } } as const;

function parseArgs(argv: readonly string[]): ReplayArgs {
  const flags = parseFlags(argv, FLAGS, (message) => new Error(`${message}\n${USAGE}`));
  const set = flags.set ?? "corpus";
  if (set !== "corpus" && set !== "held-back" && set !== "all") throw new Error(`--set must be corpus, held-back or all\n${USAGE}`);
  const jobs = flags.jobs === undefined ? Math.min(2, availableParallelism()) : Number(flags.jobs);
  if (!Number.isInteger(jobs) || jobs < 1) throw new Error(`--jobs must be a positive integer\n${USAGE}`);
  return { set, only: flags.only?.split(","), jobs, report: flags.report, repository: flags.repository === undefined ? PROJECT_ROOT : path.resolve(flags.repository) };
}

function selected(args: ReplayArgs): readonly ReplayCase[] {
  const cases = args.set === "corpus" ? corpus : args.set === "held-back" ? heldBack : [...corpus, ...heldBack];
  if (!args.only) return cases;
  return cases.filter((replayCase) => args.only!.some((wanted) => replayCase.id === wanted || replayCase.class === wanted));
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const cases = selected(args);
  const ids = new Set<string>();
  for (const replayCase of [...corpus, ...heldBack]) {
    if (ids.has(replayCase.id)) throw new Error(`duplicate case id ${replayCase.id}`);
    ids.add(replayCase.id);
  }
  const started = Date.now();
  const workspace = await Workspace.create(args.repository);
  const pool = await WorkerPool.start(workspace.base, Math.min(args.jobs, cases.length), { ...process.env, NODE_COMPILE_CACHE: workspace.compileCache });
  const results: CaseResult[] = [];
  try {
    await planBase(workspace, pool, [...new Set(cases.map((replayCase) => replayCase.stack ?? REPLAY_STACK))]);
    let next = 0;
    const worker = async () => {
      while (next < cases.length) {
        const replay = cases[next++]!;
        const result = await replayCase(workspace, pool, replay);
        results.push(result);
        const mark = isSuccess(result.outcome) ? "ok  " : "FAIL";
        process.stdout.write(`${mark} ${result.outcome.padEnd(14)} ${result.id} [${result.judge}${result.stack === REPLAY_STACK ? "" : ` ${result.stack}`}] ${result.seconds.toFixed(1)}s  ${result.detail}\n`);
      }
    };
    await Promise.all(Array.from({ length: Math.min(args.jobs, cases.length) }, worker));
  } finally {
    pool.close();
    workspace.dispose();
  }
  results.sort((a, b) => cases.findIndex((c) => c.id === a.id) - cases.findIndex((c) => c.id === b.id));
  const seconds = (Date.now() - started) / 1000;
  const elsewhere = cases.filter((c) => (c.stack ?? REPLAY_STACK) !== REPLAY_STACK).length;
  process.stdout.write(`\n${summary(results)}\n${cases.length} case(s) of ${REPLAY_STACK}${elsewhere > 0 ? ` (${elsewhere} of another stack)` : ""} at ${REPLAY_AT} against ${args.repository} in ${seconds.toFixed(1)} s with ${args.jobs} job(s)\n`);
  if (args.report) writeFileSync(args.report, JSON.stringify({ at: REPLAY_AT, stack: REPLAY_STACK, seconds, results }, null, 2) + "\n");
  const failed = results.filter((result) => !isSuccess(result.outcome));
  if (failed.length > 0) {
    process.stdout.write(`\n${failed.length} case(s) failed:\n${failed.map((r) => `  ${r.id} (${r.class}): ${r.outcome}: ${r.detail}`).join("\n")}\n`);
    process.exitCode = 1;
  }
}

/** Cases per class and outcome. */
function summary(results: readonly CaseResult[]): string {
  const outcomes = ["caught", "passed", "slipped", "wrong-reason", "false-positive", "crashed", "broken"] as const;
  const rows = replayClasses
    .map((replayClass) => {
      const inClass = results.filter((result) => result.class === replayClass);
      if (inClass.length === 0) return undefined;
      const counts = outcomes.map((outcome) => inClass.filter((result) => result.outcome === outcome).length);
      return [replayClass, String(inClass.length), ...counts.map(String)];
    })
    .filter((row): row is string[] => row !== undefined);
  const total = ["total", String(results.length), ...outcomes.map((outcome) => String(results.filter((result) => result.outcome === outcome).length))];
  const table = [["class", "cases", ...outcomes], ...rows, total];
  const widths = table[0]!.map((_, column) => Math.max(...table.map((row) => row[column]!.length)));
  return table.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join("  ")).join("\n");
}

main().catch((error: unknown) => {
  process.stderr.write(`replay: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
});
