import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import type { PlanDocument } from "../../tools/plan/document";
import { evaluateProgram } from "../../tools/offline/evaluate";
import { UnknownProjectError } from "../../tools/offline/programs";
import { runPlan } from "../../tools/plan/main";
import { BOOTSTRAP_DIR } from "./harness";

/**
 * `npm run plan -- --project bootstrap --stack bootstrap`: the bootstrap evaluated offline and judged by
 * the same pack as the program, spawned and driven over the analyzer protocol with
 * policies/config/bootstrap.json, as `pulumi preview` in bootstrap/ with `--policy-pack ../policies
 * --policy-pack-config ../policies/config/bootstrap.json` would (the engine passes the project's name to
 * the pack in PULUMI_NODEJS_PROJECT: pulumi/pulumi@v3.259.0 pkg/resource/plugin/analyzer_plugin.go).
 */
describe("npm run plan -- --project bootstrap", function () {
  this.timeout(180_000);
  let dir: string;
  let evaluation: string;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "flightdeck-bootstrap-plan-"));
    const recorded = await runPlan(["--project", "bootstrap", "--stack", "bootstrap", "--no-policy", "--format", "evaluation"]);
    assert.equal(recorded.exitCode, 0, recorded.errors.join("\n"));
    evaluation = recorded.output;
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("passes on a clean clone: every policy mandatory (the bootstrap is governed), none violated", async () => {
    const result = await runPlan(["--project", "bootstrap", "--stack", "bootstrap", "--format", "json"]);
    assert.equal(result.exitCode, 0, result.errors.join("\n"));
    const plan = JSON.parse(result.output) as PlanDocument;
    assert.equal(plan.project, "flightdeck-bootstrap");
    assert.equal(plan.stack, "bootstrap");
    assert.deepEqual(plan.policy?.violations, []);
    const levels = new Set(plan.policy?.policies.map((policy) => policy.enforcementLevel));
    assert.deepEqual([...levels], ["mandatory"]);
    const bootstrapPolicies = plan.policy?.policies.filter((policy) => policy.name.startsWith("bootstrap-")).map((policy) => policy.name).sort();
    assert.deepEqual(bootstrapPolicies, [
      "bootstrap-break-glass-role-alarmed",
      "bootstrap-human-role-mfa-required",
      "bootstrap-pipeline-role-trust-pinned",
      "bootstrap-production-apply-pipeline-only",
      "bootstrap-pull-request-role-read-only",
      "bootstrap-repository-ruleset-protected",
      "bootstrap-state-bucket-protected",
    ]);
    assert.deepEqual(plan.unsetSecrets.sort(), ["flightdeck-bootstrap:githubAppPrivateKey", "flightdeck-bootstrap:pagerDutyEndpoint"]);
    assert.ok(!result.output.includes("<unset secret"), "placeholders are printed as [secret]");
  });

  it("judges a changed bootstrap with the pack: a branch's jobs trusted by the production role exits 1, naming them", async () => {
    const plan = JSON.parse(evaluation) as PlanDocument;
    const role = plan.resources.find((resource) => resource.name === "flightpro-infra-deploy-production-role")!;
    const trust = JSON.parse(String(role.inputs["assumeRolePolicy"])) as { Statement: { Condition: { StringEquals: Record<string, string> } }[] };
    trust.Statement.push(structuredClone(trust.Statement[0]!));
    trust.Statement[1]!.Condition.StringEquals["token.actions.githubusercontent.com:sub"] = "repo:flightpro/flightdeck:ref:refs/heads/main";
    role.inputs["assumeRolePolicy"] = JSON.stringify(trust);
    const file = path.join(dir, "bootstrap.json");
    writeFileSync(file, JSON.stringify(plan));
    const judged = await runPlan(["--project", "bootstrap", "--stack", "bootstrap", "--judge", file, "--format", "json"]);
    assert.equal(judged.exitCode, 1, judged.errors.join("\n"));
    const violations = (JSON.parse(judged.output) as PlanDocument).policy!.violations;
    // A branch's jobs could now act as production's deploy role: it is no longer only the production environment's,
    // and jobs outside an environment may assume a role that writes.
    assert.deepEqual([...new Set(violations.map((violation) => violation.policy))].sort(), [
      "bootstrap-pipeline-role-trust-pinned",
      "bootstrap-production-apply-pipeline-only",
      "bootstrap-pull-request-role-read-only",
    ]);
    assert.ok(violations.every((violation) => violation.enforcementLevel === "mandatory"));
    assert.ok(violations.some((violation) => /trusts repo:flightpro\/flightdeck:ref:refs\/heads\/main; a pipeline role trusts one of/.test(violation.message)));
  });

  it("exits 2 for a --project outside this checkout without --judge, an unknown stack, and a project this checkout has no program for", async () => {
    const outside = await runPlan(["--project", dir, "--stack", "bootstrap"]);
    assert.equal(outside.exitCode, 2);
    assert.match(outside.errors[0] ?? "", /^--project goes with --judge unless it names a project of this checkout/);
    const unknownStack = await runPlan(["--project", "bootstrap", "--stack", "production", "--no-policy"]);
    assert.equal(unknownStack.exitCode, 2);
    assert.equal(unknownStack.errors[0], `unknown stack "production": no Pulumi.production.yaml in ${BOOTSTRAP_DIR} (stacks there: bootstrap)`);
    await assert.rejects(
      evaluateProgram({ project: "someone-elses", stack: "bootstrap", config: {}, secretKeys: [] }),
      (error: unknown) => error instanceof UnknownProjectError && /no program for Pulumi project "someone-elses" in this checkout \(known: flightdeck, flightdeck-bootstrap\)/.test(error.message),
    );
  });
});
