import { ReplayCase, badInput, caught, passes } from "../cases";
import { replace } from "../edits";
import { addResources, setProduction, setProject } from "./helpers";

const RULESET_FILE = "infra/github/branchRuleset.ts";
const ENVIRONMENT_FILE = "infra/github/deploymentEnvironment.ts";
const ACTIVE = "github-deploy-branch-ruleset-active";
const PULL_REQUEST = "github-ruleset-pull-request-required";
const CHECKS = "github-ruleset-verify-checks-required";
const HISTORY = "github-ruleset-history-protected";
const BYPASS = "github-ruleset-bypass-deploy-app-only";
const APPROVAL = "github-environment-production-approval-required";
const MAIN_ONLY = "github-environment-production-main-only";

const bypassActors = `bypassActors: [
          { actorType: settings.deployIdentity.type, actorId: settings.deployIdentity.id, bypassMode: "always" },
        ],`;

/** Class 3: repository rules as a whole, and the production environment's reviewers. */
export const rulesetCases: ReplayCase[] = [
  {
    id: "ruleset-zero-approvals-project",
    class: "rulesets",
    title: "Pulumi.yaml: requiredApprovals 0 (the team is two people)",
    edits: [setProject("github", ["requiredApprovals"], 0)],
    expect: caught(PULL_REQUEST),
  },
  {
    id: "ruleset-stale-reviews-kept",
    class: "rulesets",
    title: "ruleset: keep approvals after a push (re-approving every rebase is noise)",
    edits: [replace(RULESET_FILE, "dismissStaleReviewsOnPush: true", "dismissStaleReviewsOnPush: false")],
    expect: caught(PULL_REQUEST),
  },
  {
    id: "ruleset-last-push-approval-off",
    class: "rulesets",
    title: "ruleset: the author may push a fix-up after approval",
    edits: [replace(RULESET_FILE, "requireLastPushApproval: true,", "")],
    expect: caught(PULL_REQUEST),
  },
  {
    id: "ruleset-evaluate-mode",
    class: "rulesets",
    title: "ruleset: evaluate mode for a week to see what it would block",
    edits: [replace(RULESET_FILE, 'enforcement: "active"', 'enforcement: "evaluate"')],
    expect: caught(ACTIVE),
  },
  {
    id: "ruleset-include-pattern-not-full-ref",
    class: "rulesets",
    title: "ruleset: include the branch by its short name",
    edits: [replace(RULESET_FILE, "includes: [`refs/heads/${branch}`]", "includes: [branch]")],
    expect: caught(ACTIVE),
  },
  {
    id: "ruleset-exclude-glob",
    class: "rulesets",
    title: "ruleset: exclude maintenance branches refs/heads/m* from the rules",
    edits: [replace(RULESET_FILE, "excludes: []", 'excludes: ["refs/heads/m*"]')],
    expect: caught(ACTIVE),
  },
  {
    id: "ruleset-exclude-character-class",
    class: "rulesets",
    title: "ruleset: exclude refs/heads/[a-z]ain (release trains)",
    edits: [replace(RULESET_FILE, "excludes: []", 'excludes: ["refs/heads/[a-z]ain"]')],
    expect: caught(ACTIVE),
  },
  {
    id: "ruleset-target-tag",
    class: "rulesets",
    title: "ruleset: protect release tags instead",
    edits: [replace(RULESET_FILE, 'target: "branch"', 'target: "tag"')],
    expect: caught(ACTIVE),
  },
  {
    id: "ruleset-bypass-team",
    class: "rulesets",
    title: "ruleset: the release-managers team may bypass for hotfixes",
    edits: [replace(RULESET_FILE, bypassActors, bypassActors.replace("        ],", '          { actorType: "Team", actorId: 7311520, bypassMode: "pull_request" },\n        ],'))],
    expect: caught(BYPASS),
  },
  {
    id: "ruleset-bypass-admin-role",
    class: "rulesets",
    title: "ruleset: repository admins (role 5) may bypass",
    edits: [replace(RULESET_FILE, bypassActors, bypassActors.replace("        ],", '          { actorType: "RepositoryRole", actorId: 5, bypassMode: "always" },\n        ],'))],
    expect: caught(BYPASS),
  },
  {
    id: "ruleset-bypass-deploy-keys",
    class: "rulesets",
    title: "ruleset: deploy keys may bypass (the release bot pushes with one)",
    edits: [replace(RULESET_FILE, bypassActors, bypassActors.replace("        ],", '          { actorType: "DeployKey", bypassMode: "always" },\n        ],'))],
    expect: caught(BYPASS),
  },
  {
    id: "ruleset-bypass-org-admin",
    class: "rulesets",
    title: "ruleset: organisation admins may bypass",
    edits: [replace(RULESET_FILE, bypassActors, bypassActors.replace("        ],", '          { actorType: "OrganizationAdmin", actorId: 1, bypassMode: "always" },\n        ],'))],
    expect: caught(BYPASS),
  },
  {
    id: "ruleset-bypass-other-app",
    class: "rulesets",
    title: "ruleset: Renovate (App 2740) may bypass to merge lockfile updates",
    edits: [replace(RULESET_FILE, bypassActors, bypassActors.replace("        ],", '          { actorType: "Integration", actorId: 2740, bypassMode: "always" },\n        ],'))],
    expect: caught(BYPASS),
  },
  {
    id: "ruleset-second-ruleset-with-team-bypass",
    class: "rulesets",
    title: "a second ruleset on main (signed commits) that the release team may bypass",
    edits: [
      addResources(
        `  new github.RepositoryRuleset("flightpro-production-signed-commits", {
    name: "signed-commits", repository: settings.github.repository, target: "branch", enforcement: "active",
    conditions: { refName: { includes: ["~DEFAULT_BRANCH"], excludes: [] } },
    bypassActors: [{ actorType: "Team", actorId: 7311520, bypassMode: "always" }],
    rules: { requiredSignatures: true },
  }, { provider: githubProviders.providers[0] });`,
        ["github"],
      ),
    ],
    expect: caught(BYPASS),
  },
  {
    id: "ruleset-org-ruleset-bypass",
    class: "rulesets",
    title: "an organisation ruleset for all repositories, bypassed by the platform team",
    edits: [
      addResources(
        `  new github.OrganizationRuleset("flightpro-org-baseline", {
    name: "org-baseline", target: "branch", enforcement: "active",
    conditions: { refName: { includes: ["~ALL"], excludes: [] }, repositoryName: { includes: ["~ALL"], excludes: [] } },
    bypassActors: [{ actorType: "Team", actorId: 99, bypassMode: "always" }],
    rules: { creation: true },
  }, { provider: githubProviders.providers[0] });`,
        ["github"],
      ),
    ],
    expect: caught(BYPASS),
  },
  {
    id: "ruleset-checks-not-bound",
    class: "rulesets",
    title: "ruleset: required checks from any source (CircleCI reports lint too)",
    edits: [replace(RULESET_FILE, "requiredChecks: verifyCheckIds.map((context) => ({ context, integrationId: GITHUB_ACTIONS_APP_ID })),", "requiredChecks: verifyCheckIds.map((context) => ({ context })),")],
    expect: caught(CHECKS),
  },
  {
    id: "ruleset-check-dropped",
    class: "rulesets",
    title: "ruleset: performance budgets are advisory (Lighthouse is flaky)",
    edits: [replace(RULESET_FILE, "requiredChecks: verifyCheckIds.map(", 'requiredChecks: verifyCheckIds.filter((id) => id !== "performance-budgets").map(')],
    expect: caught(CHECKS),
  },
  {
    id: "ruleset-force-push-allowed",
    class: "rulesets",
    title: "ruleset: allow force pushes to clean up history",
    edits: [replace(RULESET_FILE, "nonFastForward: true,", "nonFastForward: false,")],
    expect: caught(HISTORY),
  },
  {
    id: "ruleset-deletion-allowed",
    class: "rulesets",
    title: "ruleset: drop the deletion rule",
    edits: [replace(RULESET_FILE, "deletion: true,", "")],
    expect: caught(HISTORY),
  },
  {
    id: "ruleset-default-branch-moved",
    class: "rulesets",
    title: "ruleset on ~DEFAULT_BRANCH, and the default branch moved to develop",
    edits: [
      replace(RULESET_FILE, "includes: [`refs/heads/${branch}`]", 'includes: ["~DEFAULT_BRANCH"]'),
      addResources(`  new github.BranchDefault("flightpro-default-branch", { repository: settings.github.repository, branch: "develop" }, { provider: githubProviders.providers[0] });`, ["github"]),
    ],
    expect: caught(ACTIVE),
  },
  {
    id: "ruleset-classic-protection-force-push",
    class: "rulesets",
    title: "a classic branch protection on main that lets admins force push (old tooling needs it)",
    edits: [
      addResources(
        `  new github.BranchProtection("flightpro-main-classic", {
    repositoryId: settings.github.repository, pattern: "main", enforceAdmins: false, allowsForcePushes: true,
  }, { provider: githubProviders.providers[0] });`,
        ["github"],
      ),
    ],
    expect: caught("github-branch-protection-no-bypass"),
  },
  {
    id: "ruleset-production-branch-renamed",
    class: "rulesets",
    title: "Pulumi.yaml: production deploys from release (not main)",
    edits: [setProject("github", ["branches", "production"], "release")],
    expect: caught(ACTIVE),
  },
  {
    id: "ruleset-default-provider",
    class: "rulesets",
    title: "ruleset created with the default GitHub provider (GITHUB_TOKEN in CI)",
    edits: [replace("infra/stack.ts", "new BranchRuleset(`${prefix}-rules`, { github: settings.github, branch }, githubProviders);", "new BranchRuleset(`${prefix}-rules`, { github: settings.github, branch });")],
    expect: caught("github-provider-governed-app"),
  },
  {
    id: "env-reviewers-removed",
    class: "rulesets",
    title: "Pulumi.production.yaml: no required reviewers (the approval is the merge itself)",
    edits: [setProduction("deployEnvironment", ["reviewers"], { users: [], teams: [] }), setProduction("deployEnvironment", ["preventSelfReview"], false)],
    expect: caught(APPROVAL),
  },
  {
    id: "env-self-review-allowed",
    class: "rulesets",
    title: "Pulumi.production.yaml: allow self-review (on-call is often alone)",
    edits: [setProduction("deployEnvironment", ["preventSelfReview"], false)],
    expect: caught(APPROVAL),
  },
  {
    id: "env-admins-bypass",
    class: "rulesets",
    title: "Pulumi.production.yaml: admins may bypass the approval",
    edits: [setProduction("deployEnvironment", ["canAdminsBypass"], true)],
    expect: caught(APPROVAL),
  },
  {
    id: "env-release-branches-deploy",
    class: "rulesets",
    title: "production environment: also accept release/* branches",
    edits: [
      addResources(
        `  if (deployEnvironment) new github.RepositoryEnvironmentDeploymentPolicy("flightpro-production-release-branches", {
    repository: settings.github.repository, environment: deployEnvironment.environmentName, branchPattern: "release/*",
  }, { provider: githubProviders.providers[0] });`,
        ["github"],
      ),
    ],
    expect: caught(MAIN_ONLY),
  },
  {
    id: "env-tag-pattern-deploy",
    class: "rulesets",
    title: "production environment: deploys from v* tags",
    edits: [
      addResources(
        `  if (deployEnvironment) new github.RepositoryEnvironmentDeploymentPolicy("flightpro-production-tags", {
    repository: settings.github.repository, environment: "Production", tagPattern: "v*",
  }, { provider: githubProviders.providers[0] });`,
        ["github"],
      ),
    ],
    expect: caught(MAIN_ONLY),
  },
  {
    id: "env-protected-branches-policy",
    class: "rulesets",
    title: "production environment: any protected branch may deploy",
    edits: [replace(ENVIRONMENT_FILE, "deploymentBranchPolicy: { customBranchPolicies: true, protectedBranches: false },", "deploymentBranchPolicy: { customBranchPolicies: false, protectedBranches: true },")],
    expect: caught(MAIN_ONLY),
  },
  {
    id: "env-main-glob",
    class: "rulesets",
    title: "production environment: branch pattern main* (main-hotfix too)",
    edits: [replace(ENVIRONMENT_FILE, "branchPattern: args.branch }", "branchPattern: `${args.branch}*` }")],
    expect: caught(MAIN_ONLY),
  },
  {
    id: "env-second-production-environment",
    class: "rulesets",
    title: "a production-hotfix environment without reviewers, holding the Railway token for the hotfix workflow",
    edits: [
      addResources(
        `  {
    const hotfix = new github.RepositoryEnvironment("flightpro-production-hotfix-env", {
      repository: settings.github.repository, environment: "production-hotfix", canAdminsBypass: true,
      deploymentBranchPolicy: { customBranchPolicies: false, protectedBranches: true },
    }, { provider: githubProviders.providers[0] });
    if (config.secrets["RAILWAY_TOKEN"]) new github.ActionsEnvironmentSecret("flightpro-production-hotfix-railway-token", {
      repository: settings.github.repository, environment: hotfix.environment, secretName: "RAILWAY_TOKEN", value: config.secrets["RAILWAY_TOKEN"],
    }, { provider: githubProviders.providers[0] });
  }`,
        ["github"],
      ),
    ],
    expect: caught("secrets-deploy-credentials-in-environment"),
  },
  {
    id: "env-too-many-reviewers",
    class: "input",
    title: "Pulumi.production.yaml: seven reviewers",
    edits: [setProduction("deployEnvironment", ["reviewers", "users"], ["a1", "a2", "a3", "a4", "a5"]), setProduction("deployEnvironment", ["reviewers", "teams"], ["t1", "t2"])],
    expect: badInput(/at most 6 required reviewers/),
  },
  {
    id: "ruleset-compliant-main-glob-include",
    class: "compliant",
    title: "ruleset: include refs/heads/main via ~DEFAULT_BRANCH (main is the default)",
    edits: [replace(RULESET_FILE, "includes: [`refs/heads/${branch}`]", 'includes: ["~DEFAULT_BRANCH"]')],
    expect: passes,
  },
  {
    id: "ruleset-compliant-two-approvals",
    class: "compliant",
    title: "Pulumi.yaml: two approvals",
    edits: [setProject("github", ["requiredApprovals"], 2)],
    expect: passes,
  },
  {
    id: "ruleset-compliant-repository-case",
    class: "compliant",
    title: "ruleset: repository written FlightPro (GitHub names are case-insensitive)",
    edits: [replace(RULESET_FILE, "repository: settings.repository,\n        target", 'repository: "FlightPro",\n        target')],
    expect: passes,
  },
  {
    id: "env-compliant-wait-timer",
    class: "compliant",
    title: "Pulumi.production.yaml: a 10-minute wait timer before production deploys",
    edits: [setProduction("deployEnvironment", ["waitTimerMinutes"], 10)],
    expect: passes,
  },
];
