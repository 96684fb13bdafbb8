import { strict as assert } from "node:assert";
import { rulesetPullRequestRequired } from "../../policies/rules/repository";
import { validStack } from "./fixtures";
import { itRejects, judge, runResourcePolicy, withInput, without } from "./judge";

const RULESET = "main-ruleset";

describe("policies: repository rules", () => {
  it("accept a main ruleset with reviews, every verify check, no force push, deletion or role bypass", () => {
    assert.deepEqual(judge(validStack()), []);
  });

  it("judge only rulesets on the deploy branches", () => {
    const feature = withInput(validStack(), RULESET, "conditions.refName.includes", ["refs/heads/feature/*"]);
    const ruleset = feature.find((fixture) => fixture.name === RULESET)!;
    assert.equal(runResourcePolicy(rulesetPullRequestRequired, ruleset), "not applicable");
  });

  itRejects([
    { title: "no pull request rule", stack: () => withInput(validStack(), RULESET, "rules.pullRequest", undefined), policy: "github-ruleset-pull-request-required", message: /no pullRequest rule/ },
    { title: "zero approvals", stack: () => withInput(validStack(), RULESET, "rules.pullRequest.requiredApprovingReviewCount", 0), policy: "github-ruleset-pull-request-required", message: /requiredApprovingReviewCount is 0; at least 1/ },
    {
      title: "fewer approvals than the configured minimum",
      stack: validStack,
      options: { config: { "github-ruleset-pull-request-required": { minApprovals: 2 } } },
      policy: "github-ruleset-pull-request-required",
      message: /is 1; at least 2/,
    },
    { title: "stale reviews kept", stack: () => withInput(validStack(), RULESET, "rules.pullRequest.dismissStaleReviewsOnPush", false), policy: "github-ruleset-pull-request-required", message: /dismissStaleReviewsOnPush/ },
    {
      title: "security-scan not required",
      stack: () => withInput(validStack(), RULESET, "rules.requiredStatusChecks.requiredChecks", ["lint", "typecheck", "unit-tests", "build"].map((context) => ({ context }))),
      policy: "github-ruleset-verify-checks-required",
      message: /missing: security-scan, migration-reversibility, performance-budgets$/,
    },
    {
      title: "migration reversibility not required",
      stack: () => withInput(validStack(), RULESET, "rules.requiredStatusChecks.requiredChecks", ["lint", "typecheck", "unit-tests", "build", "security-scan", "performance-budgets"].map((context) => ({ context }))),
      policy: "github-ruleset-verify-checks-required",
      message: /missing: migration-reversibility$/,
    },
    { title: "no status checks", stack: () => withInput(validStack(), RULESET, "rules.requiredStatusChecks", undefined), policy: "github-ruleset-verify-checks-required", message: /lint, typecheck, unit-tests, build, security-scan/ },
    { title: "force push allowed", stack: () => withInput(validStack(), RULESET, "rules.nonFastForward", false), policy: "github-ruleset-history-protected", message: /force pushes/ },
    { title: "deletion allowed", stack: () => withInput(validStack(), RULESET, "rules.deletion", undefined), policy: "github-ruleset-history-protected", message: /can be deleted/ },
    {
      title: "repository admins bypass",
      stack: () => withInput(validStack(), RULESET, "bypassActors", [{ actorType: "RepositoryRole", actorId: 5, bypassMode: "always" }]),
      policy: "github-ruleset-no-role-bypass",
      message: /RepositoryRole/,
    },
    {
      title: "organisation admins bypass",
      stack: () => withInput(validStack(), RULESET, "bypassActors", [{ actorType: "OrganizationAdmin", actorId: 1, bypassMode: "pull_request" }]),
      policy: "github-ruleset-no-role-bypass",
      message: /OrganizationAdmin/,
    },
    { title: "ruleset only evaluated", stack: () => withInput(validStack(), RULESET, "enforcement", "evaluate"), policy: "github-deploy-branch-ruleset-active", message: /not "active"/ },
    { title: "no ruleset on main", stack: () => without(validStack(), RULESET), policy: "github-deploy-branch-ruleset-active", message: /no ruleset protects refs\/heads\/main/ },
    {
      title: "staging stack without a staging ruleset",
      stack: validStack,
      options: { config: { "github-deploy-branch-ruleset-active": { deployBranch: "staging" } } },
      policy: "github-deploy-branch-ruleset-active",
      message: /refs\/heads\/staging/,
    },
  ]);
});
