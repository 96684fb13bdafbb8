import { strict as assert } from "node:assert";
import { DeclaredPolicy, reconcile } from "../../policies/lib/packConfig";
import { PROGRAM_ONLY_POLICIES, forProject } from "../../policies/lib/project";
import { PROJECT_ENV } from "../../policies/lib/stack";
import { allPolicies } from "../../policies/rules";
import { judge, withEnvironment } from "../policies/judge";

/**
 * One pack, two projects: the engine names the project in PULUMI_NODEJS_PROJECT
 * (pulumi/pulumi@v3.259.0 pkg/resource/plugin/analyzer_plugin.go constructEnv), and the pack judges
 * the bootstrap with its own policies, held to the floors like production.
 */
describe("the pack in the bootstrap project", () => {
  const inProject = <T>(project: string, run: () => T) => withEnvironment({ [PROJECT_ENV]: project }, run);
  const served = allPolicies.map(forProject);

  it("the program's own policies judge the program (and any renamed project), not the bootstrap", () => {
    const empty = [{ type: "aws:sns/topic:Topic", name: "topic", props: { name: "t" } }];
    const policies = served.filter((policy) => policy.name === "audit-log-bucket-declared");
    assert.equal(inProject("flightdeck-bootstrap", () => judge(empty, { policies, stack: "bootstrap" })).length, 0);
    assert.equal(inProject("flightdeck", () => judge(empty, { policies, stack: "production" })).length, 1);
    assert.equal(inProject("renamed-bootstrap", () => judge(empty, { policies, stack: "bootstrap" })).length, 1, "a renamed bootstrap gets the program's policies, and fails them");
    for (const name of PROGRAM_ONLY_POLICIES) assert.ok(allPolicies.some((policy) => policy.name === name), `${name} is a policy of the pack`);
  });

  it("the bootstrap's policies judge nothing outside the bootstrap project", () => {
    const role = [{ type: "aws:iam/role:Role", name: "role", props: { name: "r", assumeRolePolicy: JSON.stringify({ Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:user/x" }, Action: "sts:AssumeRole" }] }) } }];
    const policies = served.filter((policy) => policy.name === "bootstrap-human-role-mfa-required");
    assert.equal(inProject("flightdeck", () => judge(role, { policies, stack: "production" })).length, 0);
    assert.match(inProject("flightdeck-bootstrap", () => judge(role, { policies, stack: "bootstrap" }))[0]?.message ?? "", /without MFA/);
  });

  it("every stack of the bootstrap project is governed: an advisory policy or a loosened setting is a finding, and runs mandatory at its floor", () => {
    const declarations: DeclaredPolicy[] = [
      { name: "bootstrap-human-role-mfa-required", defaults: { maxSessionSeconds: 3600 } },
      { name: "bootstrap-repository-ruleset-protected", defaults: { repository: "flightdeck", defaultBranch: "main", minApprovals: 1, requiredChecks: ["test", "offline plan and policy verdict"] } },
    ];
    const received = new Map([
      ["bootstrap-human-role-mfa-required", { level: "advisory" as const, settings: { maxSessionSeconds: 43200 } }],
      ["bootstrap-repository-ruleset-protected", { level: "mandatory" as const, settings: { requiredChecks: ["test"] } }],
    ]);
    const governed = inProject("flightdeck-bootstrap", () => reconcile(received, declarations, "any-stack-name"));
    assert.deepEqual(governed.findings, [
      'bootstrap-human-role-mfa-required is advisory in any-stack-name: every policy is mandatory there (spec: "Quality Gates (must pass before production)")',
      "bootstrap-human-role-mfa-required.maxSessionSeconds is 43200: must be at most 3600 (an emergency session lasts at most an hour (issue 12: break-glass session ≤ 1 h))",
      'bootstrap-repository-ruleset-protected.requiredChecks leaves out "offline plan and policy verdict": must include "test", "offline plan and policy verdict" (Spec, Protections: "Automated tests must pass" (and the plan\'s verdict is infra.yml\'s gate))',
    ]);
    assert.deepEqual(governed.effective.get("bootstrap-human-role-mfa-required"), { level: "mandatory", settings: { maxSessionSeconds: 3600 } });
    assert.deepEqual(inProject("flightdeck", () => reconcile(received, declarations, "staging")).findings, [], "staging of the program is not governed");
  });
});
