import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { Expectation, Judge, ReplayCase, ReplayClass, judgeOf } from "./cases";
import { EditError } from "./edits";
import { WorkerPool } from "./pool";
import { Workspace, buildCopy, isBundledCode } from "./workspace";

/** The stack a case is planned for unless it names one, and the moment every case is planned for: Tuesday 10:00 in New York, inside the deploy window. */
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
  /** The stack it was planned for. */
  stack: string;
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

interface Verdict {
  code: number;
  mandatory: string[];
  errors: string[];
}

/** The policies with a mandatory violation, and each failed artifact check as `artifact:<scenario>` (tools/artifacts). */
function mandatoryIn(planJson: string): string[] {
  if (planJson === "") return [];
  const plan = JSON.parse(planJson) as { policy?: { violations?: { policy: string; enforcementLevel: string }[] }; artifacts?: { checks?: { scenario: string; passed: boolean }[] } };
  const failedArtifacts = (plan.artifacts?.checks ?? []).filter((check) => !check.passed).map((check) => `artifact:${check.scenario}`);
  return [...new Set([...(plan.policy?.violations ?? []).filter((v) => v.enforcementLevel === "mandatory").map((v) => v.policy), ...failedArtifacts])].sort();
}

/** The verdict on the copy `dir` as `judge` gives it (see Judge). */
async function judgeCopy(workspace: Workspace, pool: WorkerPool, dir: string, judge: Judge, stack: string): Promise<Verdict> {
  const common = ["--stack", stack, "--at", REPLAY_AT];
  // What is deployed is the base copy: the registers the program reads offline (the flags' day 0) come from its stack files.
  const deployed = ["--deployed", workspace.base];
  if (judge === "local") {
    // The copy's `npm run plan`, in a worker (./worker.ts): its exit code and its JSON plan.
    const reply = await pool.plan(dir, [...common, ...deployed, "--format", "json"]);
    if ("crash" in reply) return { code: 3, mandatory: [], errors: [`internal error: ${reply.crash.split("\n")[0]}`] };
    return { code: reply.exitCode, mandatory: mandatoryIn(reply.output), errors: reply.errors };
  }
  // infra.yml's evaluate job: the base's tooling evaluates the pull request's program (its checkout as --project), no pack.
  // Both jobs run the base copy's plan tool, in a worker as the local cases do.
  const evaluation = path.join(dir, ".replay-evaluation.json");
  const evaluated = await pool.plan(workspace.base, [...common, "--project", dir, ...deployed, "--no-policy", "--format", "evaluation"]);
  if ("crash" in evaluated) return { code: 3, mandatory: [], errors: [`internal error: ${evaluated.crash.split("\n")[0]}`] };
  // The judge job reports a stack that could not be planned as exit 2 (infra.yml); an evaluation that exits 1
  // (its artifact check failed) is handed on and judged, as infra.yml hands on whatever evaluation was written.
  if (evaluated.exitCode !== 0 && !(evaluated.exitCode === 1 && evaluated.output !== "")) return { code: evaluated.exitCode, mandatory: [], errors: evaluated.errors };
  writeFileSync(evaluation, evaluated.output);
  // infra.yml's judge job: the base's tooling, pack, config and waivers; the pull request's stack files as data.
  const judged = await pool.plan(workspace.base, [...common, "--judge", evaluation, "--project", dir, "--format", "json"]);
  if ("crash" in judged) return { code: 3, mandatory: [], errors: [`internal error: ${judged.crash.split("\n")[0]}`] };
  return { code: judged.exitCode, mandatory: mandatoryIn(judged.output), errors: judged.errors };
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

/**
 * The base itself, planned once for each stack before any case, as a pull request's base is: it must
 * pass (every case is judged against a compliant base). Its builds land in the base's `.build` (the
 * program, the bridge's bundle, the artifact check's memo), which each case's copy starts from: each
 * is keyed by the digest of its inputs, so a case rebuilds only what it changed, as a second
 * `npm run plan` in a checkout does.
 */
export async function planBase(workspace: Workspace, pool: WorkerPool, stacks: readonly string[]): Promise<void> {
  const failures = await Promise.all(
    stacks.map(async (stack) => {
      const reply = await pool.plan(workspace.base, ["--stack", stack, "--at", REPLAY_AT, "--deployed", workspace.base, "--format", "json"]);
      if ("crash" in reply) return `${stack}: internal error: ${reply.crash.split("\n")[0]}`;
      if (reply.exitCode !== 0) return `${stack}: exit ${reply.exitCode}${mandatoryIn(reply.output).map((policy) => ` ${policy}`).join(",")}${reply.errors.length > 0 ? `: ${reply.errors[0]}` : ""}`;
      return undefined;
    }),
  );
  const failed = failures.filter((failure): failure is string => failure !== undefined);
  if (failed.length > 0) throw new Error(`the base does not pass its own plan, so no case can be judged against it:\n  ${failed.join("\n  ")}`);
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
    stack: replayCase.stack ?? REPLAY_STACK,
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
    const verdict = await judgeCopy(workspace, pool, dir, judge, replayCase.stack ?? REPLAY_STACK);
    const { outcome, detail } = classify(replayCase.expect, verdict);
    return result(outcome, detail, verdict);
  } finally {
    workspace.remove(dir);
  }
}
