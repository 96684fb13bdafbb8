import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { renderWorkflowFiles } from "../../../infra/workflows/files";
import { assertHardened, hardeningProblems } from "../../../infra/workflows/hardening";
import { PROJECT_DIR } from "../../harness";
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

describe("infra.yml (flightdeck's own pipeline)", () => {
  type Job = Record<string, unknown> & { steps: Record<string, unknown>[] };
  const doc = () => parse(readFileSync(path.join(PROJECT_DIR, ".github", "workflows", "infra.yml"), "utf8")) as { on: Record<string, unknown>; jobs: Record<string, Job> };

  it("tests and plans every stack offline on pull requests, without secrets", () => {
    const { on, jobs } = doc();
    assert.deepEqual(Object.keys(on), ["pull_request", "push"]);
    const runs = (job: Job | undefined) => (job?.steps ?? []).map((s) => String(s["run"] ?? "")).join("\n");
    assert.match(runs(jobs["test"]), /npm ci\n[\s\S]*npm test/);
    const plan = runs(jobs["plan"]);
    assert.match(plan, /for stack in staging production; do/);
    assert.match(plan, /npm run --silent plan -- --stack "\$stack" --no-policy --format json --out "\.\.\/plans\/base-\$stack\.json"/, "the base branch's plan is saved");
    assert.match(plan, /npm run --silent plan -- --stack "\$stack" "\$\{against\[@\]\}" --format json/, "the pull request is planned against it");
    assert.match(plan, /--format sarif/);
    assert.match(plan, /plan:comment -- \.\.\/plans\/staging\.json \.\.\/plans\/production\.json/);
    assert.match(plan, /cat \.\.\/comment\.md >> "\$GITHUB_STEP_SUMMARY"/, "forks get the comment in the job summary");
    assert.doesNotMatch(JSON.stringify(jobs["plan"]), /secrets\./);
  });

  it("comments in place on same-repository pull requests, uploads SARIF, and fails on a mandatory violation", () => {
    const plan = doc().jobs["plan"]!;
    const step = (name: RegExp) => plan.steps.find((s) => name.test(String(s["name"])));
    const comment = step(/^Comment on the pull request/);
    assert.match(String(comment?.["if"]), /head\.repo\.full_name == github\.repository/);
    assert.match(String(comment?.["run"]), /<!-- flightdeck-plan -->[\s\S]*gh api -X PATCH/);
    const upload = step(/SARIF/);
    assert.match(String(upload?.["uses"]), /^github\/codeql-action\/upload-sarif@[0-9a-f]{40}$/);
    const gate = plan.steps[plan.steps.length - 1]!;
    assert.match(String(gate["run"]), /plans\/\$stack\.exit[\s\S]*exit "\$status"/);
    assert.equal(gate["if"], undefined, "the gate runs after the comment and SARIF, and always decides");
  });

  it("previews same-repository pull requests with the policy pack and comments the verdict, also on failure", () => {
    const preview = doc().jobs["preview"];
    assert.ok(preview);
    assert.match(String(preview["if"]), /github\.event\.pull_request\.head\.repo\.full_name == github\.repository/);
    const pulumi = preview.steps.find((s) => String(s["uses"]).startsWith("pulumi/actions@"));
    assert.deepEqual(
      { ...(pulumi?.["with"] as Record<string, unknown>), "github-token": undefined, "stack-name": undefined },
      { command: "preview", "comment-on-pr": true, "edit-pr-comment": true, policyPacks: "policies", policyPackConfigs: "policies/config/${{ matrix.stack }}.json", "github-token": undefined, "stack-name": undefined },
    );
    const onFailure = preview.steps.find((s) => String(s["if"]).includes("failure()"));
    assert.ok(onFailure);
    assert.equal((onFailure["env"] as Record<string, string>)["OUTPUT"], "${{ steps.preview.outputs.output }}");
    assert.match(String(onFailure["run"]), /gh pr comment "\$PR_NUMBER"/);
  });

  it("on push to main, updates staging, then production behind the production environment", () => {
    const { jobs } = doc();
    const up = (id: string) => jobs[id]?.steps.find((s) => String(s["uses"]).startsWith("pulumi/actions@"))?.["with"] as Record<string, string>;
    assert.equal(up("up-staging")["command"], "up");
    assert.equal(up("up-staging")["stack-name"], "staging");
    assert.equal(up("up-production")["stack-name"], "production");
    assert.deepEqual(jobs["up-production"]?.["needs"], ["up-staging"]);
    assert.equal(jobs["up-production"]?.["environment"], "production");
    assert.match(String(jobs["up-staging"]?.["if"]), /github\.event_name == 'push' && github\.ref == 'refs\/heads\/main'/);
  });
});
