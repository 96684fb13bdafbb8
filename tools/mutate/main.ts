/**
 * `npm run mutate -- <file…>`: mutation testing of pack files with StrykerJS (stryker.config.mjs), one
 * file at a time, each against the spec files tools/mutate/specs.ts gives it; prints each file's
 * score, writes its row of the scores table in docs/mutation.md and keeps its reports as
 * reports/mutation/<file>.{json,html}. `<file>:<line>[-<line>]` mutates those lines only (Stryker's
 * mutation range), to look at a few survivors again: its score is printed, not recorded.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { PROJECT_ROOT } from "../projectRoot";
import { FileScore, formatScore, MutationReport, scoreOf, withScores } from "./report";
import { specsFor } from "./specs";

const CONFIG = path.join(PROJECT_ROOT, "stryker.config.mjs");
const HOOK = path.join(PROJECT_ROOT, "tools", "mutate", "mochaCliExtensions.mjs");
const STRYKER = path.join(PROJECT_ROOT, "node_modules", "@stryker-mutator", "core", "bin", "stryker.js");
const DOC = path.join(PROJECT_ROOT, "docs", "mutation.md");

interface StrykerConfig {
  thresholds: { high: number };
  jsonReporter: { fileName: string };
  htmlReporter: { fileName: string };
}

interface Target {
  /** The pack file, relative to the repository root. */
  file: string;
  /** Lines to mutate (`12` or `12-30`), or the whole file. */
  lines?: string;
}

function targetOf(arg: string): Target {
  const [, given = arg, lines] = /^(.*?)(?::(\d+(?:-\d+)?))?$/.exec(arg) ?? [];
  return { file: path.relative(PROJECT_ROOT, path.resolve(given)).split(path.sep).join("/"), lines };
}

/** Stryker's mutation range for lines `from-to`: `file:from:0-to:<end of line>`. */
function mutateArgument({ file, lines }: Target): string {
  if (lines === undefined) return file;
  const [from, to = from] = lines.split("-");
  return `${file}:${from}:0-${to}:10000`;
}

function usage(problem: string): never {
  console.error(`${problem}\nusage: npm run mutate -- [--concurrency N] <file…>   (pack files, e.g. policies/lib/waivers.ts)`);
  process.exit(2);
}

function git(...args: string[]): string {
  const result = spawnSync("git", args, { cwd: PROJECT_ROOT, encoding: "utf8" });
  return result.status === 0 ? result.stdout.trim() : "";
}

/** The commit measured, marked `+` when the file or its specs differ from it. */
function commitOf(files: string[]): string {
  const head = git("rev-parse", "--short", "HEAD") || "unknown";
  return git("status", "--porcelain", "--", ...files) === "" ? head : `${head}+`;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  // `--concurrency N`: test runner processes (the config's 1 suits a shared two-core machine); it changes
  // only how long a run takes, never a score.
  const concurrencyAt = args.indexOf("--concurrency");
  const concurrency = concurrencyAt === -1 ? undefined : args.splice(concurrencyAt, 2)[1];
  if (concurrency !== undefined && !/^[1-9]\d*$/.test(concurrency)) usage(`--concurrency ${concurrency ?? ""}: not a positive whole number`);
  const targets = args.map(targetOf);
  if (targets.length === 0) usage("no file named");
  for (const { file } of targets) {
    if (!/^policies\/.+\.ts$/.test(file) || !existsSync(path.join(PROJECT_ROOT, file))) usage(`${file}: not a TypeScript file of the policy pack (policies/…/*.ts)`);
    if (specsFor(PROJECT_ROOT, file).length === 0) usage(`${file}: no spec imports it; add its specs to tools/mutate/specs.ts`);
  }
  const config = ((await import(pathToFileURL(CONFIG).href)) as { default: StrykerConfig }).default;
  const goal = config.thresholds.high;
  const reportFile = path.join(PROJECT_ROOT, config.jsonReporter.fileName);
  const htmlFile = path.join(PROJECT_ROOT, config.htmlReporter.fileName);
  const scores: FileScore[] = [];
  for (const target of targets) {
    const { file, lines } = target;
    const specs = specsFor(PROJECT_ROOT, file);
    console.log(`\n== ${file}${lines === undefined ? "" : ` lines ${lines}`} against ${specs.join(", ")}`);
    rmSync(reportFile, { force: true });
    // Read before the run: Stryker measures the files as they are when it copies them into its sandbox,
    // and a commit made while it runs would otherwise be recorded as the one measured.
    const measured = commitOf([file, ...specs]);
    // The hook loads in Stryker's own process (it imports the runner plugin for its options schema);
    // the test runner processes get it from the config's testRunnerNodeArgs.
    const run = spawnSync(process.execPath, ["--import", pathToFileURL(HOOK).href, STRYKER, "run", CONFIG, "--mutate", mutateArgument(target), ...(concurrency === undefined ? [] : ["--concurrency", concurrency])], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, FLIGHTDECK_MUTATE_SPECS: specs.join(",") },
      stdio: "inherit",
    });
    if (run.status !== 0 || !existsSync(reportFile)) {
      console.error(`${file}: Stryker failed (exit ${run.status ?? run.signal}); no score recorded`);
      process.exitCode = 1;
      continue;
    }
    const score = scoreOf(JSON.parse(readFileSync(reportFile, "utf8")) as MutationReport, file, specs, measured);
    if (lines !== undefined) {
      console.log(`\n${file} lines ${lines}: ${formatScore(score.score)} (not recorded: part of the file)`);
      continue;
    }
    scores.push(score);
    writeFileSync(DOC, withScores(readFileSync(DOC, "utf8"), [score], goal));
    const kept = path.join(path.dirname(reportFile), file.replaceAll("/", "_").replace(/\.ts$/, ""));
    copyFileSync(reportFile, `${kept}.json`);
    if (existsSync(htmlFile)) copyFileSync(htmlFile, `${kept}.html`);
  }
  if (scores.length === 0) return;
  console.log(`\nmutation score (target ${goal}%; docs/mutation.md updated):`);
  for (const score of scores) {
    const verdict = score.score !== undefined && score.score >= goal ? "meets target" : "BELOW target";
    console.log(`  ${score.file}: ${formatScore(score.score)} (${score.killed + score.timeout} detected of ${score.killed + score.timeout + score.survived + score.noCoverage}; ${score.ignored} ignored) ${verdict}`);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
