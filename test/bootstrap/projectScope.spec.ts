import { strict as assert } from "node:assert";
import { PROGRAM_ONLY_POLICIES, forProject } from "../../policies/lib/project";
import { PROJECT_ENV } from "../../policies/lib/stack";
import { allPolicies } from "../../policies/rules";
import { judge, withEnvironment } from "../policies/judge";

/**
 * One pack, two projects: the engine names the project in PULUMI_NODEJS_PROJECT
 * (pulumi/pulumi@v3.259.0 pkg/resource/plugin/analyzer_plugin.go constructEnv), and the pack judges
 * the bootstrap with its own policies, held to the floors like production (test/policies/floors.spec.ts).
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
});
