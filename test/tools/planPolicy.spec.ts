import { strict as assert } from "node:assert";
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { PlanDocument } from "../../tools/plan/document";
import { runPlan } from "../../tools/plan/main";
import { PROJECT_DIR } from "../harness";
import { linkProgram, scratchDir } from "../harness/scratch";

/** Tuesday 10:00 America/New_York (UTC-5 in December): inside the deploy window, outside every freeze. */
const IN_WINDOW = "2026-12-01T15:00:00Z";
/** Thursday 24 December, 11:00 New York: inside the holiday freeze. */
const IN_FREEZE = "2026-12-24T16:00:00Z";

function planOf(output: string): PlanDocument {
  return JSON.parse(output) as PlanDocument;
}

describe("npm run plan with the policy pack", function () {
  this.timeout(120000);

  for (const stack of ["staging", "production"] as const) {
    it(`${stack}: the sample stack passes every policy inside a deploy window (exit 0)`, async () => {
      const result = await runPlan(["--stack", stack, "--format", "json", "--at", IN_WINDOW]);
      const plan = planOf(result.output);
      assert.deepEqual(plan.policy?.violations, []);
      assert.equal(result.exitCode, 0);
      assert.equal(plan.policy?.pack, "flightdeck");
      assert.match(plan.policy?.version ?? "", /^\d+\.\d+\.\d+$/);
      assert.ok((plan.policy?.policies.length ?? 0) >= 30, "the pack describes its policies");
    });
  }

  it("production inside the holiday freeze: a mandatory schedule violation, exit 1", async () => {
    const result = await runPlan(["--stack", "production", "--format", "json", "--at", IN_FREEZE]);
    assert.equal(result.exitCode, 1);
    const violations = planOf(result.output).policy?.violations ?? [];
    assert.deepEqual(violations.map((v) => [v.policy, v.enforcementLevel, v.urn]), [["schedule-production-deploy-window", "mandatory", null]]);
    assert.match(violations[0]!.message, /holidays/);
  });

  it("staging inside the freeze: the same policy is advisory there, exit 0", async () => {
    const result = await runPlan(["--stack", "staging", "--format", "json", "--at", IN_FREEZE]);
    assert.equal(result.exitCode, 0);
    const levels = (planOf(result.output).policy?.violations ?? []).map((v) => v.enforcementLevel);
    assert.ok(levels.every((level) => level === "advisory"), levels.join(","));
  });

  it("a non-compliant change (no approval required on main) is a mandatory violation with its remediation in text", async () => {
    const dir = scratchDir("policy");
    const project = readFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), "utf8").replace("requiredApprovals: 1", "requiredApprovals: 0");
    assert.ok(project.includes("requiredApprovals: 0"));
    linkProgram(dir);
    writeFileSync(path.join(dir, "Pulumi.yaml"), project);
    copyFileSync(path.join(PROJECT_DIR, "Pulumi.production.yaml"), path.join(dir, "Pulumi.production.yaml"));
    // Production's flags read what staging serves (its flag register, offline answered from its stack file).
    copyFileSync(path.join(PROJECT_DIR, "Pulumi.staging.yaml"), path.join(dir, "Pulumi.staging.yaml"));

    const json = await runPlan(["--stack", "production", "--format", "json", "--at", IN_WINDOW], { projectDir: dir });
    assert.equal(json.exitCode, 1);
    const violations = planOf(json.output).policy?.violations ?? [];
    assert.deepEqual(violations.map((v) => [v.policy, v.enforcementLevel]), [["github-ruleset-pull-request-required", "mandatory"]]);

    const text = await runPlan(["--stack", "production", "--at", IN_WINDOW], { projectDir: dir });
    assert.equal(text.exitCode, 1);
    const block = text.output.slice(text.output.indexOf("[mandatory] github-ruleset-pull-request-required"));
    assert.match(block, /^\[mandatory\] github-ruleset-pull-request-required \(high\)\n {4}- github:index\/repositoryRuleset:RepositoryRuleset flightpro-production-rules-ruleset: requiredApprovingReviewCount is 0/);
    assert.match(block, /\n {4}remediation:\n {6}1\. \S/);
    assert.match(text.output, /BLOCKED/);
  });

  it("rejects a bad --at with exit 2", async () => {
    const result = await runPlan(["--stack", "production", "--at", "next tuesday"]);
    assert.equal(result.exitCode, 2);
    assert.equal(result.errors[0], '--at must be an ISO 8601 time such as 2026-12-01T15:00:00Z (got "next tuesday")');
  });
});
