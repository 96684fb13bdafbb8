import { strict as assert } from "node:assert";
import { matchRefPattern } from "../../policies/lib/refPattern";
import { validStack } from "./fixtures";
import { Fixture, GITHUB_PROVIDER, itRejects, judge, mutate, policiesOf, withInput, without } from "./judge";

const RULESET = "main-ruleset";
const RULESET_TYPE = "github:index/repositoryRuleset:RepositoryRuleset";
const ORG_RULESET_TYPE = "github:index/organizationRuleset:OrganizationRuleset";
const DEPLOY_APP = { actorType: "Integration", actorId: 918273, bypassMode: "always" };
const CHECKS = ["lint", "typecheck", "unit-tests", "build", "security-scan", "migration-reversibility", "performance-budgets"];

/** The main ruleset's props, for building variants. */
function mainRuleset(): Record<string, unknown> {
  return structuredClone(validStack().find((fixture) => fixture.name === RULESET)!.props);
}

/** A second repository ruleset on the governed repository. */
function ruleset(name: string, props: Record<string, unknown>): Fixture {
  return { type: RULESET_TYPE, name, props: { name, repository: "flightpro", target: "branch", enforcement: "active", bypassActors: [DEPLOY_APP], rules: {}, ...props } };
}

const refName = (includes: string[], excludes: string[] = []) => ({ refName: { includes, excludes } });

describe("policies: repository rules", () => {
  describe("ref name patterns (GitHub: File.fnmatch with FNM_PATHNAME)", () => {
    // https://docs.github.com/en/repositories/configuring-branches-and-merges-in-your-repository/managing-rulesets/creating-rulesets-for-a-repository#using-fnmatch-syntax
    it("matches as the docs describe: * stops at /, **/ crosses directories, sets", () => {
      assert.equal(matchRefPattern("refs/heads/main", "refs/heads/main"), "match");
      assert.equal(matchRefPattern("refs/heads/*", "refs/heads/main"), "match");
      assert.equal(matchRefPattern("refs/heads/*", "refs/heads/release/1"), "no-match");
      assert.equal(matchRefPattern("qa/*", "qa/foo/bar"), "no-match");
      assert.equal(matchRefPattern("qa/**/*", "qa/foo/bar/foobar/hello-world"), "match");
      assert.equal(matchRefPattern("refs/heads/**/*", "refs/heads/main"), "match");
      assert.equal(matchRefPattern("refs/heads/ma?n", "refs/heads/main"), "match");
      assert.equal(matchRefPattern("refs/heads/[lm]ain", "refs/heads/main"), "match");
      assert.equal(matchRefPattern("refs/heads/mian", "refs/heads/main"), "no-match");
      assert.equal(matchRefPattern("main", "refs/heads/main"), "no-match");
    });

    it("calls undocumented forms uncertain: a backslash, a complemented set, another case", () => {
      // "You cannot use the backslash (\) character as a quote"; "you cannot currently complement the set using the ^ operator".
      assert.equal(matchRefPattern("refs/heads/ma\\in", "refs/heads/main"), "uncertain");
      assert.equal(matchRefPattern("refs/heads/[^x]ain", "refs/heads/main"), "uncertain");
      assert.equal(matchRefPattern("refs/heads/MAIN", "refs/heads/main"), "uncertain");
      // Braces are literal: FNM_EXTGLOB is not supported.
      assert.equal(matchRefPattern("refs/heads/{main,dev}", "refs/heads/main"), "no-match");
    });
  });

  describe("accept compliant rules written in other valid ways", () => {
    const variants: [string, () => Fixture[]][] = [
      ["the main ruleset as the stack declares it", validStack],
      ["~DEFAULT_BRANCH, main being the default branch", () => withInput(validStack(), RULESET, "conditions", refName(["~DEFAULT_BRANCH"]))],
      [
        "~DEFAULT_BRANCH with a github.BranchDefault that makes main the default",
        () => [
          ...withInput(validStack(), RULESET, "conditions", refName(["~DEFAULT_BRANCH"])),
          { type: "github:index/branchDefault:BranchDefault", name: "default-branch", props: { repository: "flightpro", branch: "main" } },
        ],
      ],
      ["~ALL, excluding feature branches", () => withInput(validStack(), RULESET, "conditions", refName(["~ALL"], ["refs/heads/feature/**/*"]))],
      ["a glob that matches main", () => withInput(validStack(), RULESET, "conditions", refName(["refs/heads/ma*"]))],
      [
        "the rules split over two active rulesets, each bypassed only by the deploy App",
        () => {
          const props = mainRuleset();
          const rules = props["rules"] as Record<string, unknown>;
          const checks = { requiredStatusChecks: rules["requiredStatusChecks"], deletion: true, nonFastForward: true };
          delete rules["requiredStatusChecks"];
          delete rules["deletion"];
          delete rules["nonFastForward"];
          return [...withInput(validStack(), RULESET, "rules", rules), ruleset("main-checks", { conditions: refName(["refs/heads/main"]), rules: checks })];
        },
      ],
      [
        "approvals raised by a second active ruleset (the most restrictive rule wins)",
        () => [
          ...withInput(validStack(), RULESET, "rules.pullRequest.requiredApprovingReviewCount", 0),
          ruleset("main-reviews", { conditions: refName(["refs/heads/main"]), rules: { pullRequest: { requiredApprovingReviewCount: 2 } } }),
        ],
      ],
      [
        "a weaker ruleset in evaluate mode beside the active one",
        () => [...validStack(), ruleset("trial", { enforcement: "evaluate", conditions: refName(["refs/heads/main"]), rules: { pullRequest: { requiredApprovingReviewCount: 0 } } })],
      ],
      [
        "a ruleset on feature branches with its own team bypass",
        () => [...validStack(), ruleset("features", { conditions: refName(["refs/heads/feature/*"]), bypassActors: [{ actorType: "Team", actorId: 42, bypassMode: "always" }] })],
      ],
      [
        "an organisation ruleset on the repository, bypassed only by the deploy App",
        () => [
          ...validStack(),
          { type: ORG_RULESET_TYPE, name: "org-main", props: { name: "org-main", target: "branch", enforcement: "active", bypassActors: [DEPLOY_APP], conditions: { ...refName(["~DEFAULT_BRANCH"]), repositoryName: { includes: ["flightpro"], excludes: [] } }, rules: { deletion: true } } },
        ],
      ],
      [
        "a classic branch protection on main that grants nothing",
        () => [...validStack(), { type: "github:index/branchProtection:BranchProtection", name: "classic", props: { repositoryId: "flightpro", pattern: "main", enforceAdmins: true, allowsForcePushes: false } }],
      ],
    ];
    for (const [title, stack] of variants) it(title, () => assert.deepEqual(judge(stack()), []));
  });

  describe("the deploy branch must be covered by an active branch ruleset", () => {
    itRejects([
      { title: "no ruleset on main", stack: () => without(validStack(), RULESET), policy: "github-deploy-branch-ruleset-active", message: /no ruleset protects refs\/heads\/main/ },
      { title: "ruleset only evaluated", stack: () => withInput(validStack(), RULESET, "enforcement", "evaluate"), policy: "github-deploy-branch-ruleset-active", message: /enforcement is "evaluate": only "active" enforces/ },
      { title: "ruleset disabled", stack: () => withInput(validStack(), RULESET, "enforcement", "disabled"), policy: "github-deploy-branch-ruleset-active", message: /"disabled"/ },
      { title: "a tag ruleset", stack: () => withInput(validStack(), RULESET, "target", "tag"), policy: "github-deploy-branch-ruleset-active", message: /target is "tag"/ },
      { title: "main excluded by name", stack: () => withInput(validStack(), RULESET, "conditions", refName(["~ALL"], ["refs/heads/main"])), policy: "github-deploy-branch-ruleset-active", message: /exclude patterns \["refs\/heads\/main"\] exclude/ },
      { title: "main excluded by a glob", stack: () => withInput(validStack(), RULESET, "conditions", refName(["refs/heads/main"], ["refs/heads/m*"])), policy: "github-deploy-branch-ruleset-active", message: /exclude refs\/heads\/main/ },
      { title: "main excluded as the default branch", stack: () => withInput(validStack(), RULESET, "conditions", refName(["~ALL"], ["~DEFAULT_BRANCH"])), policy: "github-deploy-branch-ruleset-active", message: /~DEFAULT_BRANCH/ },
      { title: "main perhaps excluded in another case", stack: () => withInput(validStack(), RULESET, "conditions", refName(["~ALL"], ["refs/heads/MAIN"])), policy: "github-deploy-branch-ruleset-active", message: /may exclude/ },
      { title: "a typo'd branch", stack: () => withInput(validStack(), RULESET, "conditions", refName(["refs/heads/mian"])), policy: "github-deploy-branch-ruleset-active", message: /do not match refs\/heads\/main/, alsoBy: ["workflow-verify-required-checks-exist"] },
      { title: "a bare branch name", stack: () => withInput(validStack(), RULESET, "conditions", refName(["main"])), policy: "github-deploy-branch-ruleset-active", message: /full ref name/ },
      {
        title: "~DEFAULT_BRANCH while the stack makes another branch the default",
        stack: () => [
          ...withInput(validStack(), RULESET, "conditions", refName(["~DEFAULT_BRANCH"])),
          { type: "github:index/branchDefault:BranchDefault", name: "default-branch", props: { repository: "flightpro", branch: "develop" } },
        ],
        policy: "github-deploy-branch-ruleset-active",
        message: /do not match refs\/heads\/main/,
      },
      { title: "a ruleset of another repository", stack: () => withInput(validStack(), RULESET, "repository", "other-repo"), policy: "github-deploy-branch-ruleset-active", message: /repository "other-repo"/ },
      {
        title: "only an organisation ruleset (the stack must declare its own)",
        stack: () => [
          ...without(validStack(), RULESET),
          { type: ORG_RULESET_TYPE, name: "org", props: { ...mainRuleset(), repository: undefined, conditions: { ...refName(["~DEFAULT_BRANCH"]), repositoryName: { includes: ["flightpro"], excludes: [] } } } },
        ],
        policy: "github-deploy-branch-ruleset-active",
        message: /organisation ruleset/,
      },
      {
        title: "staging stack without a staging ruleset",
        stack: validStack,
        options: { config: { "github-deploy-branch-ruleset-active": { deployBranch: "staging" } } },
        policy: "github-deploy-branch-ruleset-active",
        message: /refs\/heads\/staging/,
      },
    ]);
  });

  describe("what the rulesets on the branch require together", () => {
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
      {
        title: "approvals only in a ruleset that is evaluated, not active",
        stack: () => [
          ...withInput(validStack(), RULESET, "rules.pullRequest.requiredApprovingReviewCount", 0),
          ruleset("main-reviews", { enforcement: "evaluate", conditions: refName(["refs/heads/main"]), rules: { pullRequest: { requiredApprovingReviewCount: 2 } } }),
        ],
        policy: "github-ruleset-pull-request-required",
        message: /is 0; at least 1/,
      },
      { title: "stale reviews kept", stack: () => withInput(validStack(), RULESET, "rules.pullRequest.dismissStaleReviewsOnPush", false), policy: "github-ruleset-pull-request-required", message: /dismissStaleReviewsOnPush/ },
      { title: "the last pusher may approve", stack: () => withInput(validStack(), RULESET, "rules.pullRequest.requireLastPushApproval", false), policy: "github-ruleset-pull-request-required", message: /requireLastPushApproval/ },
      {
        title: "security-scan not required",
        stack: () => withInput(validStack(), RULESET, "rules.requiredStatusChecks.requiredChecks", ["lint", "typecheck", "unit-tests", "build"].map((context) => ({ context, integrationId: 15368 }))),
        policy: "github-ruleset-verify-checks-required",
        message: /missing on refs\/heads\/main: security-scan, migration-reversibility, performance-budgets$/,
      },
      { title: "no status checks", stack: () => withInput(validStack(), RULESET, "rules.requiredStatusChecks", undefined), policy: "github-ruleset-verify-checks-required", message: /lint, typecheck, unit-tests, build, security-scan/ },
      {
        title: "a check with no integration id (any commit status satisfies it)",
        stack: () => withInput(validStack(), RULESET, "rules.requiredStatusChecks.requiredChecks", CHECKS.map((context) => (context === "unit-tests" ? { context } : { context, integrationId: 15368 }))),
        policy: "github-ruleset-verify-checks-required",
        message: /not bound to integrationId 15368 .*: unit-tests$/,
      },
      {
        title: "checks bound to another app",
        stack: () => withInput(validStack(), RULESET, "rules.requiredStatusChecks.requiredChecks", CHECKS.map((context) => ({ context, integrationId: 4242 }))),
        policy: "github-ruleset-verify-checks-required",
        message: /not bound to integrationId 15368/,
      },
      { title: "force push allowed", stack: () => withInput(validStack(), RULESET, "rules.nonFastForward", false), policy: "github-ruleset-history-protected", message: /force pushes/ },
      { title: "deletion allowed", stack: () => withInput(validStack(), RULESET, "rules.deletion", undefined), policy: "github-ruleset-history-protected", message: /can be deleted/ },
    ]);
  });

  describe("only the deploy App bypasses", () => {
    const bypass = (actor: Record<string, unknown>) => () => withInput(validStack(), RULESET, "bypassActors", [DEPLOY_APP, actor]);
    itRejects([
      { title: "repository admins", stack: bypass({ actorType: "RepositoryRole", actorId: 5, bypassMode: "always" }), policy: "github-ruleset-bypass-deploy-app-only", message: /RepositoryRole 5 lets a whole role/ },
      { title: "organisation admins", stack: bypass({ actorType: "OrganizationAdmin", actorId: 1, bypassMode: "pull_request" }), policy: "github-ruleset-bypass-deploy-app-only", message: /OrganizationAdmin/ },
      { title: "deploy keys", stack: bypass({ actorType: "DeployKey", bypassMode: "always" }), policy: "github-ruleset-bypass-deploy-app-only", message: /DeployKey/ },
      { title: "a team", stack: bypass({ actorType: "Team", actorId: 7654321, bypassMode: "pull_request" }), policy: "github-ruleset-bypass-deploy-app-only", message: /Team 7654321 may bypass/ },
      { title: "a user", stack: bypass({ actorType: "User", actorId: 41234567, bypassMode: "always" }), policy: "github-ruleset-bypass-deploy-app-only", message: /User 41234567/ },
      { title: "another app", stack: bypass({ actorType: "Integration", actorId: 15368, bypassMode: "always" }), policy: "github-ruleset-bypass-deploy-app-only", message: /Integration 15368 may bypass/ },
      { title: "the deploy App exempt", stack: () => withInput(validStack(), RULESET, "bypassActors", [{ ...DEPLOY_APP, bypassMode: "exempt" }]), policy: "github-ruleset-bypass-deploy-app-only", message: /mode "exempt"/ },
      {
        title: "a second ruleset covering main through ~ALL with a team bypass",
        stack: () => [...validStack(), ruleset("everything", { conditions: refName(["~ALL"]), bypassActors: [DEPLOY_APP, { actorType: "Team", actorId: 9, bypassMode: "always" }], rules: { deletion: true } })],
        policy: "github-ruleset-bypass-deploy-app-only",
        message: /Team 9/,
      },
      {
        title: "an organisation ruleset on the repository with admins bypassing",
        stack: () => [
          ...validStack(),
          { type: ORG_RULESET_TYPE, name: "org", props: { name: "org", target: "branch", enforcement: "active", bypassActors: [DEPLOY_APP, { actorType: "OrganizationAdmin", actorId: 1, bypassMode: "always" }], conditions: { ...refName(["~DEFAULT_BRANCH"]), repositoryName: { includes: ["~ALL"], excludes: [] } }, rules: {} } },
        ],
        policy: "github-ruleset-bypass-deploy-app-only",
        message: /OrganizationAdmin/,
      },
    ]);
  });

  describe("classic branch protection adds no bypass", () => {
    const protection = (props: Record<string, unknown>, type = "github:index/branchProtection:BranchProtection"): (() => Fixture[]) => () => [
      ...validStack(),
      { type, name: "classic", props: { repositoryId: "flightpro", repository: "flightpro", enforceAdmins: true, ...props } },
    ];
    itRejects([
      { title: "admins not included", stack: protection({ pattern: "main", enforceAdmins: false }), policy: "github-branch-protection-no-bypass", message: /enforceAdmins is not true/ },
      { title: "force pushes on a glob covering main", stack: protection({ pattern: "ma*", allowsForcePushes: true }), policy: "github-branch-protection-no-bypass", message: /allowsForcePushes/ },
      { title: "force push bypassers", stack: protection({ pattern: "main", forcePushBypassers: ["/octocat"] }), policy: "github-branch-protection-no-bypass", message: /forcePushBypassers/ },
      { title: "pull request bypassers", stack: protection({ pattern: "main", requiredPullRequestReviews: [{ requiredApprovingReviewCount: 1, pullRequestBypassers: ["/octocat"] }] }), policy: "github-branch-protection-no-bypass", message: /pullRequestBypassers/ },
      {
        title: "a v3 protection with bypass allowances",
        stack: protection({ branch: "main", requiredPullRequestReviews: { requiredApprovingReviewCount: 1, bypassPullRequestAllowances: { teams: ["ops"] } } }, "github:index/branchProtectionV3:BranchProtectionV3"),
        policy: "github-branch-protection-no-bypass",
        message: /bypassPullRequestAllowances/,
      },
    ]);

    it("leaves protections of other branches alone", () => {
      assert.deepEqual(judge(protection({ pattern: "feature/*", enforceAdmins: false, allowsForcePushes: true })()), []);
    });
  });

  describe("the workflow files are committed by the App the rulesets let bypass", () => {
    it("blocks a token-authenticated committer (and the provider policy names the provider)", () => {
      const tokenProvider = { ...GITHUB_PROVIDER, name: "token-github", props: { owner: "flightpro", organization: "flightpro", token: "ghp_fixture" } };
      const stack = mutate(validStack(), "workflow-verify", (_props, fixture) => {
        fixture.provider = tokenProvider;
      });
      const verdicts = judge(stack);
      assert.deepEqual(policiesOf(verdicts), ["github-provider-governed-app", "github-workflow-files-committed-by-bypass-app"]);
      assert.match(verdicts.find((v) => v.policy === "github-workflow-files-committed-by-bypass-app")!.message, /verify\.yml is not committed as a GitHub App/);
      assert.ok(verdicts.every((verdict) => !verdict.message.includes("ghp_fixture")), "the token is never printed");
    });

    it("blocks a ruleset whose bypass App is not the committing App", () => {
      const stack = withInput(validStack(), RULESET, "bypassActors", [{ actorType: "Integration", actorId: 555, bypassMode: "always" }]);
      const verdicts = judge(stack);
      assert.deepEqual(policiesOf(verdicts), ["github-ruleset-bypass-deploy-app-only", "github-workflow-files-committed-by-bypass-app"]);
      assert.match(verdicts.find((v) => v.policy === "github-workflow-files-committed-by-bypass-app")!.message, /does not let App 918273, which commits the workflow files, bypass it/);
    });

    it("blocks a ruleset with no bypass at all (the App's commits are refused)", () => {
      const verdicts = judge(withInput(validStack(), RULESET, "bypassActors", []));
      assert.deepEqual(policiesOf(verdicts), ["github-workflow-files-committed-by-bypass-app"]);
    });
  });
});
