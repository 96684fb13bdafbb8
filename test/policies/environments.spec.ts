import { strict as assert } from "node:assert";
import { environmentProductionReviewed } from "../../policies/rules/environments";
import { validStack } from "./fixtures";
import { Fixture, itRejects, judge, runResourcePolicy, withInput, without } from "./judge";

const ENV = "production-environment";
const POLICY_TYPE = "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy";

describe("policies: deployment environments", () => {
  it("accept production with reviewers, no self review, no admin bypass, main only", () => {
    assert.deepEqual(judge(validStack()), []);
  });

  it("accept a reviewer team alone, and a positive wait timer", () => {
    const stack = withInput(withInput(validStack(), ENV, "reviewers", [{ users: [], teams: [7654321] }]), ENV, "waitTimer", 30);
    assert.deepEqual(judge(stack), []);
  });

  it("leave other environments alone", () => {
    const staging = withInput(validStack(), ENV, "environment", "staging").find((fixture) => fixture.name === ENV)!;
    assert.equal(runResourcePolicy(environmentProductionReviewed, staging), "not applicable");
  });

  it("match a branch policy whose environment is unknown until apply by its dependency", () => {
    const stack = withInput(validStack(), "production-branch-policy", "environment", "04da6b54-80e4-46f7-96ec-b56ff0331ba9");
    assert.deepEqual(judge(stack), []);
  });

  const extraPolicy = (props: Record<string, unknown>): Fixture => ({ type: POLICY_TYPE, name: "production-extra-policy", props: { repository: "flightpro", environment: "production", ...props } });

  itRejects([
    { title: "no reviewers", stack: () => withInput(validStack(), ENV, "reviewers", []), policy: "github-environment-production-approval-required", message: /0 required reviewer/ },
    { title: "an empty reviewer entry", stack: () => withInput(validStack(), ENV, "reviewers", [{ users: [], teams: [] }]), policy: "github-environment-production-approval-required", message: /0 required reviewer/ },
    { title: "self review allowed", stack: () => withInput(validStack(), ENV, "preventSelfReview", false), policy: "github-environment-production-approval-required", message: /preventSelfReview/ },
    { title: "admins bypass by default", stack: () => withInput(validStack(), ENV, "canAdminsBypass", undefined), policy: "github-environment-production-approval-required", message: /canAdminsBypass/ },
    { title: "a negative wait timer", stack: () => withInput(validStack(), ENV, "waitTimer", -5), policy: "github-environment-production-approval-required", message: /waitTimer is -5/ },
    {
      title: "the same environment spelled in another case, without reviewers",
      stack: () => [...validStack(), { type: "github:index/repositoryEnvironment:RepositoryEnvironment", name: "Production-env", props: { repository: "flightpro", environment: "Production", deploymentBranchPolicy: { customBranchPolicies: true, protectedBranches: false }, reviewers: [], preventSelfReview: true, canAdminsBypass: false } }],
      policy: "github-environment-production-approval-required",
      message: /0 required reviewer/,
    },
    {
      title: "any protected branch deploys",
      stack: () => withInput(validStack(), ENV, "deploymentBranchPolicy", { customBranchPolicies: false, protectedBranches: true }),
      policy: "github-environment-production-main-only",
      message: /protected branches other than/,
    },
    { title: "no branch policy at all", stack: () => withInput(validStack(), ENV, "deploymentBranchPolicy", undefined), policy: "github-environment-production-main-only", message: /any branch can deploy/ },
    { title: "staging may deploy too", stack: () => [...validStack(), extraPolicy({ branchPattern: "staging" })], policy: "github-environment-production-main-only", message: /also accepts deploys from branch staging/ },
    { title: "a glob beside main", stack: () => [...validStack(), extraPolicy({ branchPattern: "main*" })], policy: "github-environment-production-main-only", message: /from branch main\*/ },
    { title: "tags may deploy", stack: () => [...validStack(), extraPolicy({ tagPattern: "v*" })], policy: "github-environment-production-main-only", message: /from tag v\*/ },
    {
      title: "an extra policy for the environment spelled in another case",
      stack: () => [...validStack(), extraPolicy({ environment: "PRODUCTION", branchPattern: "release/*" })],
      policy: "github-environment-production-main-only",
      message: /from branch release\/\*/,
    },
    {
      title: "a branch policy through the older resource type",
      stack: () => [
        ...validStack(),
        { type: "github:index/repositoryDeploymentBranchPolicy:RepositoryDeploymentBranchPolicy", name: "legacy-policy", props: { repository: "flightpro", environmentName: "production", name: "hotfix/*" } },
      ],
      policy: "github-environment-production-main-only",
      message: /from branch hotfix\/\*/,
    },
    { title: "no deployment policy for main", stack: () => without(validStack(), "production-branch-policy"), policy: "github-environment-production-main-only", message: /accepts no branch/ },
  ]);

  it("a glob in place of main is both an extra pattern and no policy for main", () => {
    const verdicts = judge(withInput(validStack(), "production-branch-policy", "branchPattern", "ma*"));
    assert.deepEqual(
      verdicts.map((verdict) => verdict.message),
      ["production also accepts deploys from branch ma*; only main may deploy", "no deployment policy allows main: the environment accepts no branch"],
    );
  });
});
