import { strict as assert } from "node:assert";
import { parse, stringify } from "yaml";
import { renderWorkflowFiles } from "../../../infra/workflows/files";
import { assertHardened, hardeningProblems } from "../../../infra/workflows/hardening";
import { settingsFor } from "./fixtures";

type Doc = Record<string, unknown> & { jobs: Record<string, Record<string, unknown> & { steps?: Record<string, unknown>[] }> };

/** The rendered deploy-production.yml as data, for one mutation per test. */
function productionDoc(): Doc {
  const file = renderWorkflowFiles(settingsFor("staging-prod")).find((f) => f.name === "deploy-production");
  assert.ok(file);
  return parse(file.content) as Doc;
}

function problemsAfter(mutate: (doc: Doc) => void): string[] {
  const doc = productionDoc();
  mutate(doc);
  return hardeningProblems(stringify(doc));
}

function step(doc: Doc, job: string, index: number): Record<string, unknown> {
  const found = doc.jobs[job]?.steps?.[index];
  assert.ok(found, `${job}.steps[${index}]`);
  return found;
}

/** The deploy job's checkout step and its index (the one job in the production environment). */
function deployCheckout(doc: Doc): { index: number; step: Record<string, unknown> } {
  const steps = doc.jobs["deploy"]?.steps ?? [];
  const index = steps.findIndex((s) => String(s["uses"]).startsWith("actions/checkout@"));
  assert.ok(index >= 0, "deploy job checks out");
  return { index, step: steps[index]! };
}

describe("workflow hardening checker", () => {
  it("passes the unmutated file", () => {
    assert.deepEqual(problemsAfter(() => {}), []);
  });

  const at = deployCheckout(productionDoc()).index;

  it("catches an action referenced by tag instead of a commit SHA", () => {
    assert.deepEqual(problemsAfter((doc) => { deployCheckout(doc).step["uses"] = "actions/checkout@v4"; }), [
      `jobs.deploy.steps[${at}].uses: actions/checkout@v4 is not pinned to a full commit SHA`,
    ]);
  });

  it("catches a SHA that is not in the pin table", () => {
    const problems = problemsAfter((doc) => { deployCheckout(doc).step["uses"] = `actions/checkout@${"a".repeat(40)}`; });
    assert.deepEqual(problems, [`jobs.deploy.steps[${at}].uses: actions/checkout@${"a".repeat(40)} is not in the pin table`]);
  });

  it("catches a checkout that keeps its credentials", () => {
    assert.deepEqual(problemsAfter((doc) => { deployCheckout(doc).step["with"] = {}; }), [
      `jobs.deploy.steps[${at}]: actions/checkout needs persist-credentials: false`,
    ]);
  });

  it("catches an untrusted expression inside run:", () => {
    const problems = problemsAfter((doc) => { step(doc, "release-notes", 0)["run"] = 'gh release create v1 --notes "${{ inputs.reason }}"'; });
    assert.deepEqual(problems, ["jobs.release-notes.steps[0].run: an expression inside run: (pass it through env:)"]);
  });

  it("catches id-token: write on a job that does not assume the AWS role, and a broad top level", () => {
    assert.deepEqual(problemsAfter((doc) => { doc.jobs["preflight"]!["permissions"] = { contents: "read", "id-token": "write" }; }), [
      "jobs.preflight.permissions: id-token: write only on jobs that assume the AWS role",
    ]);
    assert.deepEqual(problemsAfter((doc) => { doc["permissions"] = "write-all"; }), [
      "permissions: the top level must grant nothing ({}) or only contents: read",
    ]);
    assert.deepEqual(problemsAfter((doc) => { delete doc.jobs["deploy"]!["permissions"]; }), [
      "jobs.deploy.permissions: every job states its permissions",
      "jobs.deploy.permissions: assumes the AWS role without id-token: write",
    ]);
  });

  it("catches pull_request_target, a missing timeout, and a deploy that may be cancelled", () => {
    assert.deepEqual(problemsAfter((doc) => { doc["on"] = { pull_request_target: {} }; }), [
      "on: pull_request_target runs untrusted code with a write token",
    ]);
    assert.deepEqual(problemsAfter((doc) => { delete doc.jobs["deploy"]!["timeout-minutes"]; }), [
      "jobs.deploy.timeout-minutes: every job has a timeout",
    ]);
    const cancelled = problemsAfter((doc) => { doc["concurrency"] = { group: "deploy-production", "cancel-in-progress": true }; });
    assert.ok(cancelled.length > 0 && cancelled.every((p) => p.endsWith("cancel-in-progress: false")), cancelled.join("\n"));
  });

  it("stops the program before committing a file that breaks a rule", () => {
    const doc = productionDoc();
    deployCheckout(doc).step["uses"] = "actions/checkout@main";
    assert.throws(() => assertHardened("deploy-production.yml", stringify(doc)), /deploy-production\.yml breaks the workflow hardening rules:\n {2}jobs\.deploy/);
  });
});
