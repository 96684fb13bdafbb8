import { strict as assert } from "node:assert";
import { stepBash } from "../../harness/bash";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { buildWorkflows } from "../../../infra/workflows/files";
import { LIGHTHOUSE_STEP_ID } from "../../../infra/workflows/lighthouse";
import { isStepsJob, Step, StepsJob } from "../../../infra/workflows/model";
import { auditRecordStep } from "../../../infra/workflows/steps";
import { settingsFor } from "./fixtures";

/**
 * The post-release Lighthouse audit of deploy-production.yml: where it runs in the deploy job, and
 * what its script does with the results Lighthouse CI saves (`.lighthouseci/lhr-<ms>.json`, each a
 * Lighthouse result whose `categories.performance.score` is 0–1: @lhci/utils@0.15.1
 * src/saved-reports.js), run by bash and jq with `npx` replaced by a stand-in that writes them.
 */

function deployJob(mutate?: (raw: Record<string, unknown>) => void): StepsJob {
  const file = buildWorkflows(settingsFor("staging-prod", mutate)).find((f) => f.name === "deploy-production");
  const job = file?.workflow.jobs["deploy"];
  assert.ok(job && isStepsJob(job));
  return job;
}

interface Outcome {
  status: number;
  output: string;
  summary: string;
  stdout: string;
  lhciArgs: string;
}

/** Runs the step's script with `npx` answering with the given scores (null: a run with no score; none: no result files). */
function runStep(step: Step, scores: (number | null)[]): Outcome {
  const dir = mkdtempSync(path.join(tmpdir(), "lighthouse-"));
  try {
    const bin = path.join(dir, "bin");
    spawnSync("mkdir", [bin]);
    const results = scores.map((score, index) => `echo '${JSON.stringify({ categories: { performance: { score } } })}' > .lighthouseci/lhr-${1000 + index}.json`);
    writeFileSync(path.join(bin, "npx"), ["#!/bin/bash", `echo "$*" > ${dir}/lhci-args`, "mkdir -p .lighthouseci", ...results, ""].join("\n"));
    chmodSync(path.join(bin, "npx"), 0o755);
    for (const file of ["output", "summary", "lhci-args"]) writeFileSync(path.join(dir, file), "");
    const result = spawnSync("bash", stepBash(step.run ?? ""), {
      encoding: "utf8",
      env: { PATH: `${bin}:/usr/bin:/bin`, GITHUB_OUTPUT: path.join(dir, "output"), GITHUB_STEP_SUMMARY: path.join(dir, "summary"), ...step.env, WEB_URL: "https://app.flightpro.com" },
    });
    const read = (file: string) => readFileSync(path.join(dir, file), "utf8");
    return { status: result.status ?? -1, output: read("output"), summary: read("summary"), stdout: result.stdout, lhciArgs: read("lhci-args") };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("deploy-production.yml: the Lighthouse audit after release", () => {
  const job = deployJob();
  const index = job.steps.findIndex((step) => step.id === LIGHTHOUSE_STEP_ID);
  const step = job.steps[index]!;

  it("runs after the smoke tests and the release record, before the audit record, only when they succeeded, and never fails the job", () => {
    assert.ok(index > job.steps.findIndex((s) => s.id === "smoke"));
    assert.ok(index > job.steps.findIndex((s) => /Record the GitHub deployment/.test(s.name)));
    assert.ok(index < job.steps.findIndex((s) => s.name === "Write the audit record"));
    assert.equal(step.if, "${{ success() }}");
    assert.equal(step["continue-on-error"], true);
    assert.equal(step.env?.["LIGHTHOUSE_MIN_SCORE"], "85", "budgets.lighthouseMinScore");
    assert.equal(job.steps.find((s) => s.name === "Write the audit record")?.env?.["LIGHTHOUSE_SCORE"], "${{ steps.lighthouse.outputs.score }}");
  });

  it("records the median score of the production URL and links the post-deployment watch in the summary", () => {
    const outcome = runStep(step, [0.91, 0.88, 0.95]);
    assert.equal(outcome.status, 0);
    assert.equal(outcome.output, "score=91\n");
    assert.match(outcome.lhciArgs, /^--yes @lhci\/cli@0\.15\.1 collect --url=https:\/\/app\.flightpro\.com --numberOfRuns=3$/m);
    assert.doesNotMatch(outcome.stdout, /::warning::/);
    assert.match(outcome.summary, /Lighthouse performance of https:\/\/app\.flightpro\.com: 91 \(floor 85/);
    assert.match(outcome.summary, /the metrics bridge watches it for 60 min \(record: SSM \/flightdeck\/flightpro\/production\/deploy-watch/);
  });

  it("warns under the floor, and exits 0 (no rollback, no page)", () => {
    const outcome = runStep(step, [0.7, 0.6, 0.72]);
    assert.equal(outcome.status, 0);
    assert.equal(outcome.output, "score=70\n");
    assert.match(outcome.stdout, /::warning::Lighthouse performance 70 is under the floor 85/);
  });

  it("records no score when Lighthouse produced none", () => {
    const outcome = runStep(step, [null]);
    assert.equal(outcome.status, 0);
    assert.equal(outcome.output, "");
    assert.match(outcome.stdout, /::warning::Lighthouse produced no performance score/);
  });

  it("takes the floor from the budgets, and says so when no watch is configured", () => {
    const other = deployJob((raw) => {
      raw["budgets"] = { lighthouseMinScore: 92, initialJsMaxKb: 200, dockerImageMaxMb: 500 };
      delete (raw["metricsBridge"] as Record<string, unknown>)["watch"];
    }).steps.find((s) => s.id === LIGHTHOUSE_STEP_ID)!;
    assert.equal(other.env?.["LIGHTHOUSE_MIN_SCORE"], "92");
    const outcome = runStep(other, [0.9]);
    assert.match(outcome.stdout, /::warning::Lighthouse performance 90 is under the floor 92/);
    assert.match(outcome.summary, /no post-deployment watch is configured/);
  });

  it("the audit record carries the score as a number, or null", () => {
    const audit = auditRecordStep("production", "success", {});
    const script = audit.run ?? "";
    const build = script.slice(script.indexOf('record="$(jq -n'), script.indexOf('key="'));
    // The step's own variables, each given a plain value (the expressions GitHub would fill).
    const env = Object.fromEntries(Object.keys(audit.env ?? {}).map((key) => [key, `value-of-${key}`]));
    const record = (score: string) => {
      const result = spawnSync("bash", stepBash(`set -euo pipefail\nwhen=now\n${build}\necho "$record"`), { encoding: "utf8", env: { PATH: "/usr/bin:/bin", ...env, LIGHTHOUSE_SCORE: score } });
      assert.equal(result.status, 0, result.stderr);
      return JSON.parse(result.stdout) as Record<string, unknown>;
    };
    assert.equal(record("91")["lighthouse"], 91);
    assert.equal(record("")["lighthouse"], null);
  });
});
