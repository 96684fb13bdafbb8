import { strict as assert } from "node:assert";
import { environmentProductionReviewed } from "../../policies/rules/environments";
import { validStack } from "./fixtures";
import { Fixture, itRejects, judge, runResourcePolicy, withInput, without } from "./judge";

const ENV = "production-environment";

describe("policies: deployment environments", () => {
  it("accept production with reviewers, no self review, no admin bypass, main only", () => {
    assert.deepEqual(judge(validStack()), []);
  });

  it("leave other environments alone", () => {
    const staging = withInput(validStack(), ENV, "environment", "staging").find((fixture) => fixture.name === ENV)!;
    assert.equal(runResourcePolicy(environmentProductionReviewed, staging), "not applicable");
  });

  it("match a branch policy whose environment is unknown until apply by its dependency", () => {
    const stack = withInput(validStack(), "production-branch-policy", "environment", "04da6b54-80e4-46f7-96ec-b56ff0331ba9");
    assert.deepEqual(judge(stack), []);
  });

  const extraPolicy: Fixture = {
    type: "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy",
    name: "production-staging-policy",
    props: { repository: "flightpro", environment: "production", branchPattern: "staging" },
  };

  itRejects([
    { title: "no reviewers", stack: () => withInput(validStack(), ENV, "reviewers", []), policy: "github-environment-production-approval-required", message: /0 required reviewer/ },
    { title: "self review allowed", stack: () => withInput(validStack(), ENV, "preventSelfReview", false), policy: "github-environment-production-approval-required", message: /preventSelfReview/ },
    { title: "admins bypass by default", stack: () => withInput(validStack(), ENV, "canAdminsBypass", undefined), policy: "github-environment-production-approval-required", message: /canAdminsBypass/ },
    {
      title: "any protected branch deploys",
      stack: () => withInput(validStack(), ENV, "deploymentBranchPolicy", { customBranchPolicies: false, protectedBranches: true }),
      policy: "github-environment-production-main-only",
      message: /protected branches other than/,
    },
    { title: "no branch policy at all", stack: () => withInput(validStack(), ENV, "deploymentBranchPolicy", undefined), policy: "github-environment-production-main-only", message: /any branch can deploy/ },
    { title: "staging may deploy too", stack: () => [...validStack(), extraPolicy], policy: "github-environment-production-main-only", message: /also accepts deploys from staging/ },
    { title: "no deployment policy for main", stack: () => without(validStack(), "production-branch-policy"), policy: "github-environment-production-main-only", message: /accepts no branch/ },
  ]);
});
