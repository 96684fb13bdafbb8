import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { renderWorkflowFiles, workflowsOfModel } from "../../../infra/workflows/files";
import { hardeningProblems, workflowProblems } from "../../../infra/workflows/hardening";
import { PROJECT_DIR } from "../../harness";
import { models, settingsFor } from "./fixtures";

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
  return workflowProblems(".github/workflows/deploy-production.yml", stringify(doc));
}

function deployStep(doc: Doc, predicate: (step: Record<string, unknown>) => boolean): Record<string, unknown> {
  const found = doc.jobs["deploy"]?.steps?.find(predicate);
  assert.ok(found, "no such deploy step");
  return found;
}

describe("workflow rules as the program sees them (the pack's own checks, policies/lib/workflow)", () => {
  for (const model of models) {
    for (const name of workflowsOfModel[model]) {
      it(`${model}: the generated ${name}.yml breaks no rule`, () => {
        const file = renderWorkflowFiles(settingsFor(model)).find((f) => f.name === name);
        assert.ok(file);
        assert.deepEqual(workflowProblems(file.path, file.content), []);
      });
    }
  }

  it("infra.yml (this repository's pipeline) keeps the hardening rules", () => {
    assert.deepEqual(hardeningProblems(readFileSync(path.join(PROJECT_DIR, ".github", "workflows", "infra.yml"), "utf8"), ".github/workflows/infra.yml"), []);
  });

  it("finds an action outside the pin table, a kept checkout token and an expression in run:", () => {
    assert.deepEqual(problemsAfter((doc) => { deployStep(doc, (s) => String(s["uses"]).startsWith("actions/checkout@"))["uses"] = `actions/checkout@${"a".repeat(40)}`; }), [
      `jobs.deploy.steps[1].uses: actions/checkout@${"a".repeat(40)} is not in the pin table (infra/workflows/pins.ts)`,
    ]);
    assert.deepEqual(problemsAfter((doc) => { deployStep(doc, (s) => String(s["uses"]).startsWith("actions/checkout@"))["with"] = {}; }), [
      "jobs.deploy.steps[1].with.persist-credentials: actions/checkout keeps the token in .git/config unless persist-credentials: false",
    ]);
    const injected = problemsAfter((doc) => { doc.jobs["release-notes"]!.steps![0]!["run"] = 'gh release create v1 --notes "${{ inputs.reason }}"'; });
    assert.deepEqual(injected, ["jobs.release-notes.steps[0].run: an expression inside run: is pasted into the script before it runs (pass it through env:)"]);
  });

  it("finds a gate that cannot fail, a deploy without its pre-flight, and an audit that can be skipped", () => {
    const smoke = (doc: Doc) => deployStep(doc, (s) => s["id"] === "smoke");
    assert.match(problemsAfter((doc) => { smoke(doc)["continue-on-error"] = true; }).join("\n"), /jobs\.deploy\.steps\[\d+\]\.continue-on-error: Smoke tests: continue-on-error true/);
    assert.match(problemsAfter((doc) => { smoke(doc)["run"] = `${String(smoke(doc)["run"])} || true`; }).join("\n"), /Smoke tests: `pnpm run test:smoke \|\| true` always succeeds/);
    assert.match(problemsAfter((doc) => { delete doc.jobs["deploy"]!["needs"]; }).join("\n"), /jobs\.deploy\.needs: job deploy deploys to production without waiting for the pre-flight/);
    assert.match(problemsAfter((doc) => { delete deployStep(doc, (s) => s["name"] === "Write the audit record")["if"]; }).join("\n"), /Write the audit record does not run on every outcome/);
  });
});
