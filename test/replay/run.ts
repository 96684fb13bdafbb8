import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { Expectation, Judge, ReplayCase, ReplayClass, judgeOf } from "./cases";
import { EditError } from "./edits";
import { WorkerPool } from "./pool";
import { Workspace, buildCopy, isBundledCode } from "./workspace";

/** The stack and the moment every case is planned for: Tuesday 10:00 in New York, inside the deploy window. */
export const REPLAY_STACK = "production";
export const REPLAY_AT = "2026-12-01T15:00:00Z";

/**
 * - caught: blocked as expected (exit 1 with the expected policies, or exit 2 with the expected error);
 * - passed: a compliant change that exits 0;
 * - slipped: a non-compliant change that exits 0;
 * - wrong-reason: blocked, but not by what should block it;
 * - false-positive: a compliant change that is blocked;
 * - crashed: exit 3 or another code (an internal error: never a verdict);
 * - broken: the case's edit did not apply (the repository changed under it).
 */
export type Outcome = "caught" | "passed" | "slipped" | "wrong-reason" | "false-positive" | "crashed" | "broken";

export interface CaseResult {
  id: string;
  class: ReplayClass;
  title: string;
  judge: Judge;
  outcome: Outcome;
  exitCode?: number;
  /** Policies with a mandatory violation. */
  mandatory: string[];
  /** Error lines (exit 2), as the plan printed them. */
  errors: string[];
  /** Why the outcome, in one line. */
  detail: string;
  seconds: number;
}

export const isSuccess = (outcome: Outcome): boolean => outcome === "caught" || outcome === "passed";

interface ProcessResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the copy's `npm run plan` bundle (what `npm run plan` runs after building it). Node's compile
 * cache, shared by every case (the bundles and node_modules are the same files), saves each process
 * compiling @pulumi/pulumi and the providers' SDKs again; it changes no behaviour.
 */
function run(dir: string, args: string[], compileCache: string): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, NODE_COMPILE_CACHE: compileCache };
    const child = spawn(process.execPath, [path.join(dir, ".build/tools/plan/main.js"), ...args], { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("error", reject);
    child.once("close", (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr }));
  });
}

interface Verdict {
  code: number;
  mandatory: string[];
  errors: string[];
}

/** The plan's error lines (`plan: …`), without the usage text. */
function errorLines(stderr: string): string[] {
  return stderr
    .split("\n")
    .filter((line) => line.startsWith("plan: ") && !line.startsWith("plan: wrote "))
    .map((line) => line.slice("plan: ".length));
}

function mandatoryPolicies(planFile: string): string[] {
  return existsSync(planFile) ? mandatoryIn(readFileSync(planFile, "utf8")) : [];
}

function mandatoryIn(planJson: string): string[] {
  if (planJson === "") return [];
  const plan = JSON.parse(planJson) as { policy?: { violations?: { policy: string; enforcementLevel: string }[] } };
  return [...new Set((plan.policy?.violations ?? []).filter((v) => v.enforcementLevel === "mandatory").map((v) => v.policy))].sort();
}

/** The verdict on the copy `dir` as `judge` gives it (see Judge). */
async function judgeCopy(workspace: Workspace, pool: WorkerPool, dir: string, judge: Judge): Promise<Verdict> {
  const planFile = path.join(dir, ".replay-plan.json");
  const common = ["--stack", REPLAY_STACK, "--at", REPLAY_AT];
  // What is deployed is the base copy: the registers the program reads offline (the flags' day 0) come from its stack files.
  const deployed = ["--deployed", workspace.base];
  if (judge === "local") {
    // The copy's `npm run plan`, in a worker (./worker.ts): its exit code and its JSON plan.
    const reply = await pool.plan(dir, [...common, ...deployed, "--format", "json"]);
    if ("crash" in reply) return { code: 3, mandatory: [], errors: [`internal error: ${reply.crash.split("\n")[0]}`] };
    return { code: reply.exitCode, mandatory: mandatoryIn(reply.output), errors: reply.errors };
  }
  // infra.yml's evaluate job: the pull request's own tooling, no pack.
  const evaluation = path.join(dir, ".replay-evaluation.json");
  const evaluated = await run(dir, [...common, ...deployed, "--no-policy", "--format", "evaluation", "--out", evaluation], workspace.compileCache);
  if (evaluated.code !== 0) {
    // The judge job reports a stack that could not be planned as exit 2 (infra.yml); another code is an internal error.
    return { code: evaluated.code, mandatory: [], errors: errorLines(evaluated.stderr) };
  }
  // infra.yml's judge job: the base's tooling, pack, config and waivers; the pull request's stack files as data.
  const judged = await run(workspace.base, [...common, "--judge", evaluation, "--project", dir, "--format", "json", "--out", planFile], workspace.compileCache);
  return { code: judged.code, mandatory: mandatoryPolicies(planFile), errors: errorLines(judged.stderr) };
}

function classify(expect: Expectation, verdict: Verdict): { outcome: Outcome; detail: string } {
  const got = `exit ${verdict.code}` + (verdict.mandatory.length > 0 ? ` (${verdict.mandatory.join(", ")})` : "") + (verdict.errors.length > 0 ? `: ${verdict.errors[0]}` : "");
  if (verdict.code !== 0 && verdict.code !== 1 && verdict.code !== 2) return { outcome: "crashed", detail: got };
  switch (expect.exit) {
    case 0:
      return verdict.code === 0 ? { outcome: "passed", detail: "exit 0" } : { outcome: "false-positive", detail: got };
    case 1: {
      if (verdict.code === 0) return { outcome: "slipped", detail: "exit 0" };
      const missing = expect.policies.filter((policy) => !verdict.mandatory.includes(policy));
      if (verdict.code === 1 && missing.length === 0) return { outcome: "caught", detail: got };
      return { outcome: "wrong-reason", detail: `${got}; expected ${missing.length > 0 ? missing.join(", ") : "exit 1"}` };
    }
    case 2: {
      if (verdict.code === 0) return { outcome: "slipped", detail: "exit 0" };
      if (verdict.code === 2 && verdict.errors.some((line) => expect.error.test(line))) return { outcome: "caught", detail: got };
      return { outcome: "wrong-reason", detail: `${got}; expected exit 2 matching ${String(expect.error)}` };
    }
  }
}

/** Applies one case to a fresh copy, judges it, and removes the copy. */
export async function replayCase(workspace: Workspace, pool: WorkerPool, replayCase: ReplayCase): Promise<CaseResult> {
  const started = process.hrtime.bigint();
  const judge = judgeOf(replayCase);
  const result = (outcome: Outcome, detail: string, verdict?: Verdict): CaseResult => ({
    id: replayCase.id,
    class: replayCase.class,
    title: replayCase.title,
    judge,
    outcome,
    exitCode: verdict?.code,
    mandatory: verdict?.mandatory ?? [],
    errors: verdict?.errors ?? [],
    detail,
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
  });
  const dir = workspace.copy(replayCase.id);
  try {
    try {
      for (const edit of replayCase.edits) edit.apply(dir);
    } catch (error) {
      if (error instanceof EditError) return result("broken", error.message);
      throw error;
    }
    if (replayCase.edits.some((edit) => edit.files.some(isBundledCode))) {
      try {
        await buildCopy(dir);
      } catch (error) {
        return result("broken", `the changed program does not build: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`);
      }
    }
    const verdict = await judgeCopy(workspace, pool, dir, judge);
    const { outcome, detail } = classify(replayCase.expect, verdict);
    return result(outcome, detail, verdict);
  } finally {
    workspace.remove(dir);
  }
}
