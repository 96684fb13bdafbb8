import { strict as assert } from "node:assert";
import { inputAt, runConfig, runSampleStack, sampleConfig } from "../harness";
import { stableNumber } from "../../tools/offline/mocks";
import { deployVariables } from "../../infra/pipeline/deployContract";

const ENVIRONMENT = "github:index/repositoryEnvironment:RepositoryEnvironment";
const BRANCH_POLICY = "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy";
const VARIABLE = "github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable";
const COMPONENT = "flightdeck:github:DeploymentEnvironment";

/** The production sample reshaped into another model: no staging branch (and, for local-only, nothing deployed). */
function asModel(model: "direct-prod" | "local-only"): Record<string, unknown> {
  const raw = sampleConfig("production");
  raw["model"] = model;
  const github = raw["github"] as { branches: Record<string, unknown> };
  delete github.branches["staging"];
  if (model === "local-only") for (const key of ["web", "api", "database", "alerts", "audit", "secrets", "disasterRecovery"]) delete raw[key];
  return raw;
}

describe("DeploymentEnvironment", () => {
  it("production deploys only from main, after the configured reviewers (resolved to numeric ids) approve", async () => {
    const run = await runSampleStack("production");
    const environment = run.one(ENVIRONMENT);
    assert.equal(inputAt(environment, "environment"), "production");
    assert.deepEqual(inputAt(environment, "deploymentBranchPolicy"), { customBranchPolicies: true, protectedBranches: false });
    const policy = run.one(BRANCH_POLICY);
    assert.equal(inputAt(policy, "branchPattern"), "main");
    assert.equal(inputAt(policy, "environment"), "production");
    assert.equal(inputAt(policy, "tagPattern"), undefined);
    // Pulumi.production.yaml names users maria-chen, dev-okafor and team release-managers; the mock GitHub gives each a stable id.
    assert.deepEqual(inputAt(environment, "reviewers[0].users"), [stableNumber("user:maria-chen"), stableNumber("user:dev-okafor")]);
    assert.deepEqual(inputAt(environment, "reviewers[0].teams"), [stableNumber("team:release-managers")]);
    assert.equal(typeof inputAt(environment, "reviewers[0].users[0]"), "number");
  });

  it("production prevents self-review, admins cannot bypass, and the wait timer comes from config", async () => {
    const run = await runSampleStack("production", (raw) => {
      (raw["deployEnvironment"] as { waitTimerMinutes: number }).waitTimerMinutes = 15;
    });
    const environment = run.one(ENVIRONMENT);
    assert.equal(inputAt(environment, "preventSelfReview"), true);
    assert.equal(inputAt(environment, "canAdminsBypass"), false);
    assert.equal(inputAt(environment, "waitTimer"), 15);
  });

  it("staging deploys only from the staging branch, with no reviewers and so without prevent_self_review", async () => {
    const run = await runSampleStack("staging");
    const environment = run.one(ENVIRONMENT);
    assert.equal(inputAt(environment, "environment"), "staging");
    assert.deepEqual(inputAt(environment, "reviewers"), []);
    // terraform-provider-github v6.13.0 github/resource_github_repository_environment.go createUpdateEnvironmentData
    // sends prevent_self_review on every create and update, reviewers only when there are some; GitHub answers
    // 422 "Required reviewers must have at least one reviewer to set prevent_self_review" to true without reviewers,
    // and accepts the flag false (the provider's acceptance test update_to_add_reviewers in
    // github/resource_github_repository_environment_test.go creates an environment with no reviewers and the flag at its default, false).
    assert.equal(inputAt(environment, "preventSelfReview"), false);
    assert.equal(inputAt(environment, "deploymentBranchPolicy.customBranchPolicies"), true);
    assert.equal(inputAt(run.one(BRANCH_POLICY), "branchPattern"), "staging");
  });

  it("prevents self-review by default when there are reviewers, and as configured", async () => {
    const defaulted = await runSampleStack("production", (raw) => {
      delete (raw["deployEnvironment"] as Record<string, unknown>)["preventSelfReview"];
    });
    assert.equal(inputAt(defaulted.one(ENVIRONMENT), "preventSelfReview"), true);
    const allowed = await runSampleStack("production", (raw) => {
      (raw["deployEnvironment"] as Record<string, unknown>)["preventSelfReview"] = false;
    });
    assert.equal(inputAt(allowed.one(ENVIRONMENT), "preventSelfReview"), false);
  });

  it("parents its children to the component and names them after it", async () => {
    const run = await runSampleStack("production");
    const component = run.one(COMPONENT);
    // RUNTIME_ROTATIONS is the secret inventory's: it is written after the values it describes (secretInventory.spec.ts).
    const variables = run.ofType(VARIABLE).filter((variable) => inputAt(variable, "variableName") !== deployVariables.runtimeRotations);
    assert.equal(variables.length, run.ofType(VARIABLE).length - 1);
    for (const child of [...run.ofType(ENVIRONMENT), ...run.ofType(BRANCH_POLICY), ...variables]) {
      assert.equal(child.parent, component.urn, child.name);
      assert.ok(child.name.startsWith(`${component.name}-`), child.name);
    }
  });

  it("sets the deploy jobs' plain variables (URLs, Vercel and Railway identifiers) in the environment, none secret", async () => {
    const run = await runSampleStack("production");
    const variables = new Map(run.ofType(VARIABLE).map((variable) => [inputAt(variable, "variableName"), variable]));
    const expected: Record<string, string> = {
      [deployVariables.webUrl]: "https://app.flightpro.com",
      [deployVariables.apiUrl]: "https://api.flightpro.com",
      [deployVariables.vercelTeamId]: "team_flightpro",
      [deployVariables.railwayProject]: "flightpro",
      [deployVariables.railwayService]: "api",
      [deployVariables.railwayEnvironment]: "production",
    };
    for (const [name, value] of Object.entries(expected)) {
      const variable = variables.get(name);
      assert.ok(variable, `no variable ${name}`);
      assert.equal(inputAt(variable, "value"), value, name);
      assert.equal(inputAt(variable, "environment"), "production", name);
      assert.deepEqual(variable.secretPaths, [], name);
    }
    const project = variables.get(deployVariables.vercelProject);
    assert.ok(project, "no VERCEL_PROJECT variable");
    assert.match(String(inputAt(project, "value")), /\S/);
    const known = new Set<unknown>(Object.values(deployVariables));
    for (const name of variables.keys()) assert.ok(known.has(name), `${String(name)} is not a name of deployVariables`);
  });

  it("exports the environment's name", async () => {
    const run = await runSampleStack("staging");
    assert.equal(run.outputs["deployEnvironment"], "staging");
  });

  it("direct-prod has a production environment and no staging one", async () => {
    const run = await runConfig(asModel("direct-prod"));
    const environments = run.ofType(ENVIRONMENT);
    assert.deepEqual(environments.map((environment) => inputAt(environment, "environment")), ["production"]);
    assert.equal(inputAt(run.one(BRANCH_POLICY), "branchPattern"), "main");
  });

  it("local-only has no deploy environment at all", async () => {
    const run = await runConfig(asModel("local-only"));
    assert.ok(run.resources.length > 0, "the stack ran");
    assert.deepEqual(run.ofType(COMPONENT), []);
    assert.deepEqual(run.ofType(ENVIRONMENT), []);
    assert.deepEqual(run.ofType(BRANCH_POLICY), []);
    assert.deepEqual(run.ofType(VARIABLE), []);
    assert.equal(run.outputs["deployEnvironment"], null, "no deploy environment: the output is null (infra/index.ts)");
  });
});
