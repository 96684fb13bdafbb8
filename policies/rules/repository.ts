import { StackResource, UnknownInputError, resourcePolicy, stackPolicy } from "../lib/define";
import { matchRefPattern } from "../lib/refPattern";
import {
  REPOSITORY_RULESET,
  RULESET_TYPES,
  Scope,
  approvalsOf,
  defaultBranchOf,
  mayApplyTo,
  refOf,
  rulesOf,
  whyNotEnforcedOn,
} from "../lib/rulesets";
import { asArray, asRecord, at, isUnknown, knownNumber, knownString, PlainRecord } from "../lib/values";
import { appAuthOf } from "./githubProvider";

export const RULESET = REPOSITORY_RULESET;
export const BRANCH_PROTECTION = "github:index/branchProtection:BranchProtection";
export const BRANCH_PROTECTION_V3 = "github:index/branchProtectionV3:BranchProtectionV3";
export const REPOSITORY_FILE = "github:index/repositoryFile:RepositoryFile";

/** The GitHub Actions app's id: check runs it posts are the only ones a bound required check accepts. */
export const GITHUB_ACTIONS_APP_ID = 15368;

const TOPICS = ["repository-rules", "change-management"];

interface RepositorySettings {
  /** The governed repository's name. */
  repository: string;
  /** What `~DEFAULT_BRANCH` means when the stack declares no github.BranchDefault. */
  defaultBranch: string;
}

interface BranchesSettings extends RepositorySettings {
  branches: string[];
}

interface DeployBranchSettings extends RepositorySettings {
  /** The stack's deploy branch: other branches' rulesets belong to the stacks that deploy them. */
  deployBranch: string;
}

const repositorySchema = {
  repository: { type: "string", minLength: 1, description: "The governed repository (github.repository)." },
  defaultBranch: { type: "string", minLength: 1, description: "The repository's default branch, for ~DEFAULT_BRANCH (a github.BranchDefault in the stack wins)." },
} as const;
const branchesSchema = {
  ...repositorySchema,
  branches: { type: "array", items: { type: "string" }, description: "The deploy branches whose rules the policy judges." },
} as const;
const deployBranchSchema = {
  ...repositorySchema,
  deployBranch: { type: "string", minLength: 1, description: "The branch this stack deploys from (main for production, staging for staging)." },
} as const;
const repositoryDefaults: RepositorySettings = { repository: "flightpro", defaultBranch: "main" };
const branchesDefaults: BranchesSettings = { ...repositoryDefaults, branches: ["main", "staging"] };
const deployBranchDefaults: DeployBranchSettings = { ...repositoryDefaults, deployBranch: "main" };

function rulesetsIn(resources: readonly StackResource[]): StackResource[] {
  return resources.filter((resource) => RULESET_TYPES.includes(resource.type));
}

function scopeOf(resources: readonly StackResource[], settings: RepositorySettings): Scope {
  return { repository: settings.repository, defaultBranch: defaultBranchOf(resources, settings.repository, settings.defaultBranch) };
}

/**
 * The rulesets that enforce on the stack's deploy branch (their rules are layered: lib/rulesets.ts), as a
 * one-entry list, or none: a branch no ruleset enforces on is github-deploy-branch-ruleset-active's to report.
 */
function enforcingByBranch(resources: readonly StackResource[], settings: DeployBranchSettings): { branch: string; rulesets: StackResource[] }[] {
  const rulesets = rulesetsIn(resources);
  if (rulesets.length === 0) return [];
  const scope = scopeOf(resources, settings);
  const branch = settings.deployBranch;
  const enforcing = rulesets.filter((ruleset) => whyNotEnforcedOn(ruleset, branch, scope) === undefined);
  return enforcing.length > 0 ? [{ branch, rulesets: enforcing }] : [];
}

export const rulesetDeployBranchCovered = stackPolicy<DeployBranchSettings>(
  {
    name: "github-deploy-branch-ruleset-active",
    description:
      "The stack's deploy branch is protected by an active branch ruleset of the governed repository. Spec, Protections: \"Required PR reviews (min 1 approval); " +
      'Automated tests must pass" — without an active ruleset whose conditions include the branch (and do not exclude it) none of them is enforced.',
    severity: "critical",
    remediation: [
      "Declare a github.RepositoryRuleset for the governed repository with target branch and enforcement active (evaluate and disabled enforce nothing).",
      "Include the branch by its full ref name (refs/heads/<deploy branch>), ~ALL, or ~DEFAULT_BRANCH when it is the default branch; exclude nothing that matches it.",
    ],
    topics: TOPICS,
  },
  {
    config: {
      defaults: deployBranchDefaults,
      schema: deployBranchSchema,
    },
    validate(resources, settings, report) {
      const rulesets = rulesetsIn(resources);
      if (rulesets.length === 0) {
        report(`no ruleset protects ${refOf(settings.deployBranch)}`);
        return;
      }
      const scope = scopeOf(resources, settings);
      // The stack declares its deploy branch's ruleset itself: an organisation ruleset adds rules to it (layering)
      // but is managed for every repository of the organisation, not by this stack's review.
      const reasons = rulesets.map((ruleset) => ({
        ruleset,
        why: ruleset.type === REPOSITORY_RULESET ? whyNotEnforcedOn(ruleset, settings.deployBranch, scope) : "it is an organisation ruleset; the stack must declare a repository ruleset for its deploy branch",
      }));
      if (reasons.some((entry) => entry.why === undefined)) return;
      report(
        `no active ruleset protects ${refOf(settings.deployBranch)}: ` + reasons.map(({ ruleset, why }) => `${ruleset.name}: ${why}`).join("; "),
        reasons[0]!.ruleset.urn,
      );
    },
  },
);

export const rulesetPullRequestRequired = stackPolicy<DeployBranchSettings & { minApprovals: number }>(
  {
    name: "github-ruleset-pull-request-required",
    description:
      'Changes reach a deploy branch only through a reviewed pull request. Spec, Protections: "Required PR reviews (min 1 approval)"; ' +
      'Deploying to Staging: "Code review (1 approval required)". Judged over every active ruleset on the branch together (the most restrictive rule wins): ' +
      "approvals, stale approvals dismissed on push, and the last push approved by someone other than its author.",
    severity: "high",
    remediation: [
      "Give a ruleset on the branch a pullRequest rule with requiredApprovingReviewCount of at least the minimum (github.requiredApprovals in the stack config).",
      "Set dismissStaleReviewsOnPush: true, so a push after approval needs a new review.",
      "Set requireLastPushApproval: true, so whoever pushed last cannot approve their own change.",
    ],
    topics: TOPICS,
  },
  {
    config: {
      defaults: { ...deployBranchDefaults, minApprovals: 1 },
      schema: { ...deployBranchSchema, minApprovals: { type: "integer", minimum: 1, description: "Fewest approving reviews a pull request needs." } },
    },
    requires: REPOSITORY_RULESET,
    validate(resources, settings, report) {
      for (const { branch, rulesets } of enforcingByBranch(resources, settings)) {
        const withRule = rulesets.filter((ruleset) => asRecord(rulesOf(ruleset)["pullRequest"]) !== undefined);
        if (withRule.length === 0) {
          report(`the ruleset has no pullRequest rule: changes can be pushed to ${refOf(branch)} without review`, rulesets[0]!.urn);
          continue;
        }
        const strictest = withRule.reduce((best, ruleset) => (approvalsOf(ruleset) > approvalsOf(best) ? ruleset : best));
        const approvals = approvalsOf(strictest);
        if (approvals < settings.minApprovals) {
          report(`requiredApprovingReviewCount is ${approvals}; at least ${settings.minApprovals} approval(s) required (${refOf(branch)})`, strictest.urn);
        }
        if (!withRule.some((ruleset) => at(rulesOf(ruleset), "pullRequest.dismissStaleReviewsOnPush") === true)) {
          report(`dismissStaleReviewsOnPush is not true: an approval survives later pushes (${refOf(branch)})`, strictest.urn);
        }
        if (!withRule.some((ruleset) => at(rulesOf(ruleset), "pullRequest.requireLastPushApproval") === true)) {
          report(`requireLastPushApproval is not true: whoever pushed last can approve their own change (${refOf(branch)})`, strictest.urn);
        }
      }
    },
  },
);

export const rulesetVerifyChecksRequired = stackPolicy<DeployBranchSettings & { requiredChecks: string[]; integrationId: number }>(
  {
    name: "github-ruleset-verify-checks-required",
    description:
      'Every verify check must pass before merge, reported by GitHub Actions. Spec, Stage 1 Verify: "Lint, Type check, Unit tests, Build, Security scan … Blocks merge if: ' +
      'Any step fails"; Database Migrations: "All migrations reversible"; Performance Validation: the budgets. A required check not bound to the GitHub Actions app ' +
      "(integrationId 15368) is satisfied by a commit status anyone with write access can post.",
    severity: "high",
    remediation: [
      "Add a requiredStatusChecks rule listing every verify job (infra/pipeline/verifyChecks.ts) as a required check context.",
      "Give each required check integrationId 15368 (GitHub Actions).",
    ],
    topics: TOPICS,
  },
  {
    config: {
      defaults: {
        ...deployBranchDefaults,
        requiredChecks: ["lint", "typecheck", "unit-tests", "build", "security-scan", "migration-reversibility", "performance-budgets"],
        integrationId: GITHUB_ACTIONS_APP_ID,
      },
      schema: {
        ...deployBranchSchema,
        requiredChecks: { type: "array", items: { type: "string" }, minItems: 1, description: "Status check contexts that must be required." },
        integrationId: { type: "integer", minimum: 1, description: "The app whose check runs must satisfy them (GitHub Actions: 15368)." },
      },
    },
    requires: REPOSITORY_RULESET,
    validate(resources, settings, report) {
      for (const { branch, rulesets } of enforcingByBranch(resources, settings)) {
        // context → whether some ruleset binds it to the app
        const bound = new Map<string, boolean>();
        for (const ruleset of rulesets) {
          for (const check of asArray(at(rulesOf(ruleset), "requiredStatusChecks.requiredChecks"))) {
            const record = asRecord(check);
            const context = knownString(record?.["context"]);
            if (context === undefined) continue;
            const integration = record?.["integrationId"];
            if (isUnknown(integration)) throw new UnknownInputError(`${ruleset.urn} requiredChecks.integrationId`);
            bound.set(context, (bound.get(context) ?? false) || knownNumber(integration) === settings.integrationId);
          }
        }
        const missing = settings.requiredChecks.filter((check) => !bound.has(check));
        const unbound = settings.requiredChecks.filter((check) => bound.get(check) === false);
        const urn = rulesets[0]!.urn;
        if (missing.length > 0) report(`required status checks missing on ${refOf(branch)}: ${missing.join(", ")}`, urn);
        if (unbound.length > 0) {
          report(`required status checks on ${refOf(branch)} not bound to integrationId ${settings.integrationId} (GitHub Actions), so a commit status from anyone satisfies them: ${unbound.join(", ")}`, urn);
        }
      }
    },
  },
);

export const rulesetHistoryProtected = stackPolicy<DeployBranchSettings>(
  {
    name: "github-ruleset-history-protected",
    description:
      "A deploy branch's history cannot be rewritten or deleted: what was reviewed and deployed stays what the branch holds. " +
      'Spec, Compliance & Audit: "What changed: Git commit diff"; Protections: "Required PR reviews". Judged over every active ruleset on the branch together.',
    severity: "high",
    remediation: ["Set rules.nonFastForward: true (no force push) and rules.deletion: true (no deletion) on a ruleset that protects the branch."],
    topics: TOPICS,
  },
  {
    config: { defaults: deployBranchDefaults, schema: deployBranchSchema },
    requires: REPOSITORY_RULESET,
    validate(resources, settings, report) {
      for (const { branch, rulesets } of enforcingByBranch(resources, settings)) {
        const urn = rulesets[0]!.urn;
        if (!rulesets.some((ruleset) => rulesOf(ruleset)["nonFastForward"] === true)) report(`rules.nonFastForward is not true: force pushes to ${refOf(branch)} are allowed`, urn);
        if (!rulesets.some((ruleset) => rulesOf(ruleset)["deletion"] === true)) report(`rules.deletion is not true: ${refOf(branch)} can be deleted`, urn);
      }
    },
  },
);

/** Bypass modes the deploy App may have: `always` (it commits the workflow files directly), or the narrower `pull_request`. */
const DEPLOY_APP_MODES = ["always", "pull_request"];

/** Why one bypass actor is not the deploy App, or undefined when it is. */
function bypassProblem(actor: PlainRecord, appId: number): string | undefined {
  for (const key of ["actorType", "actorId", "bypassMode"]) {
    if (isUnknown(actor[key])) throw new UnknownInputError(`bypassActors.${key}`);
  }
  const type = knownString(actor["actorType"]);
  const id = knownNumber(actor["actorId"]);
  const mode = knownString(actor["bypassMode"]);
  const who = `${type ?? "(no actorType)"}${id === undefined ? "" : ` ${id}`}`;
  if (type === "Integration" && id === appId) {
    return mode !== undefined && DEPLOY_APP_MODES.includes(mode) ? undefined : `the deploy App bypasses with mode ${JSON.stringify(mode ?? null)}; only ${DEPLOY_APP_MODES.join(" or ")}`;
  }
  switch (type) {
    case "RepositoryRole":
    case "OrganizationAdmin":
    case "EnterpriseOwner":
      return `${who} lets a whole role bypass the ruleset; only the deploy App ${appId} may`;
    case "DeployKey":
      return `DeployKey lets every deploy key (a push identified with no person or App) bypass the ruleset; only the deploy App ${appId} may`;
    default:
      return `${who} may bypass the ruleset; only the deploy App (Integration ${appId}) may`;
  }
}

export const rulesetBypassDeployAppOnly = resourcePolicy<BranchesSettings & { appId: number }>(
  {
    name: "github-ruleset-bypass-deploy-app-only",
    description:
      'Nobody skips review but the deploy identity. Spec, Compliance & Audit: "PCI: Production access restricted, deployment approvals required". ' +
      "Every ruleset (repository or organisation) that may apply to a deploy branch lets only the deploy GitHub App bypass it (actor type Integration, its App id), " +
      "with mode always or pull_request: no role, team, user, deploy key or other app.",
    severity: "critical",
    remediation: [
      "Remove every bypassActors entry except { actorType: Integration, actorId: <deploy App id>, bypassMode: always }.",
      "If automation must commit to a deploy branch, it commits as the deploy App (github.deployIdentity), through the stack's GitHub provider.",
    ],
    topics: TOPICS,
  },
  {
    types: RULESET_TYPES,
    config: {
      defaults: { ...branchesDefaults, appId: 918273 },
      schema: { ...branchesSchema, appId: { type: "integer", minimum: 1, description: "The deploy GitHub App's id (github.deployIdentity.id)." } },
    },
    validate(resource, settings, report) {
      if (!mayApplyTo(resource, settings.branches, settings.repository)) return;
      const actors = resource.props["bypassActors"];
      if (isUnknown(actors)) throw new UnknownInputError("bypassActors");
      for (const actor of asArray(actors)) {
        const problem = bypassProblem(asRecord(actor) ?? {}, settings.appId);
        if (problem) report(problem);
      }
    },
  },
);

/** Whether a classic branch protection's pattern (matched against the branch name) may cover a deploy branch. */
function protectionMayCover(resource: { type: string; props: PlainRecord }, branches: readonly string[]): boolean {
  const key = resource.type === BRANCH_PROTECTION ? "pattern" : "branch";
  const pattern = resource.props[key];
  if (isUnknown(pattern)) return true;
  const text = knownString(pattern) ?? "";
  if (resource.type === BRANCH_PROTECTION_V3) return branches.includes(text);
  return branches.some((branch) => matchRefPattern(text, branch) !== "no-match");
}

export const branchProtectionNotWeakened = resourcePolicy<{ branches: string[] }>(
  {
    name: "github-branch-protection-no-bypass",
    description:
      "A classic branch protection on a deploy branch grants no way around review: admins are included, nobody may force push, delete or skip the " +
      'pull request. Spec, Compliance & Audit: "PCI: Production access restricted, deployment approvals required". The deploy branches are governed by ' +
      "rulesets with one bypass identity; a classic protection with its own bypass lists is a second, unreviewed door.",
    severity: "high",
    remediation: [
      "Prefer removing the github.BranchProtection / BranchProtectionV3: the stack's rulesets protect the deploy branches.",
      "Otherwise set enforceAdmins: true, leave allowsForcePushes and allowsDeletions false, and list no forcePushBypassers, pullRequestBypassers or bypassPullRequestAllowances.",
    ],
    topics: TOPICS,
  },
  {
    types: [BRANCH_PROTECTION, BRANCH_PROTECTION_V3],
    config: { defaults: { branches: branchesDefaults.branches }, schema: { branches: branchesSchema.branches } },
    validate(resource, settings, report) {
      if (!protectionMayCover(resource, settings.branches)) return;
      const props = resource.props;
      if (props["enforceAdmins"] !== true) report("enforceAdmins is not true: repository admins are not held to the protection");
      if (props["allowsForcePushes"] === true) report("allowsForcePushes is true: history can be rewritten");
      if (props["allowsDeletions"] === true) report("allowsDeletions is true: the branch can be deleted");
      if (asArray(props["forcePushBypassers"]).length > 0) report("forcePushBypassers lets actors force push");
      const reviews = asArray(props["requiredPullRequestReviews"]).concat(asRecord(props["requiredPullRequestReviews"]) ? [props["requiredPullRequestReviews"]!] : []);
      for (const review of reviews) {
        const record = asRecord(review);
        if (asArray(record?.["pullRequestBypassers"]).length > 0) report("pullRequestBypassers lets actors push without a pull request");
        const allowances = asRecord(record?.["bypassPullRequestAllowances"]);
        if (allowances && ["users", "teams", "apps"].some((key) => asArray(allowances[key]).length > 0)) {
          report("bypassPullRequestAllowances lets actors push without a pull request");
        }
      }
    },
  },
);

const WORKFLOW_DIR = ".github/workflows/";

function isWorkflowFile(path: string): boolean {
  return path.replace(/^\.?\//, "").startsWith(WORKFLOW_DIR);
}

export const workflowCommitterBypasses = stackPolicy<RepositorySettings & { appId: number }>(
  {
    name: "github-workflow-files-committed-by-bypass-app",
    description:
      "The workflow files are committed by the deploy App, and that App is the bypass actor of every active ruleset on their branch: the ruleset's " +
      "bypass identity and the identity that commits workflow files are one. Writing .github/workflows/* needs a GitHub App with Workflows: write, and a " +
      "ruleset lets a direct commit through only for its bypass actors (spec, CI/CD Pipeline: \"Configuration: .github/workflows/\").",
    severity: "critical",
    remediation: [
      "Commit workflow files through the stack's GitHub provider, which authenticates as the deploy App (appAuth.id = github.deployIdentity.id).",
      "List that App as the ruleset's bypass actor: { actorType: Integration, actorId: <App id>, bypassMode: always }.",
    ],
    topics: TOPICS,
  },
  {
    config: {
      defaults: { ...repositoryDefaults, appId: 918273 },
      schema: { ...repositorySchema, appId: { type: "integer", minimum: 1, description: "The deploy GitHub App's id (github.deployIdentity.id)." } },
    },
    requires: REPOSITORY_FILE,
    validate(resources, settings, report) {
      const rulesets = rulesetsIn(resources);
      const scope = scopeOf(resources, settings);
      const reported = new Set<string>();
      const once = (message: string, urn: string) => {
        if (!reported.has(message)) report(message, urn);
        reported.add(message);
      };
      for (const file of resources) {
        if (file.type !== REPOSITORY_FILE) continue;
        const path = file.props["file"];
        if (isUnknown(path)) throw new UnknownInputError(`${file.urn} file`);
        if (!isWorkflowFile(knownString(path) ?? "")) continue;
        const branchInput = file.props["branch"];
        if (isUnknown(branchInput)) throw new UnknownInputError(`${file.urn} branch`);
        const branch = knownString(branchInput) ?? scope.defaultBranch;
        const app = file.provider ? appAuthOf(file.provider) : undefined;
        if (app?.id === undefined) {
          report(`${knownString(path)} is not committed as a GitHub App (its provider has no appAuth): only an App with Workflows: write that the rulesets let bypass can commit it`, file.urn);
          continue;
        }
        if (app.id !== String(settings.appId)) report(`${knownString(path)} is committed as App ${app.id}, not the deploy App ${settings.appId}`, file.urn);
        for (const ruleset of rulesets) {
          if (whyNotEnforcedOn(ruleset, branch, scope) !== undefined) continue;
          const bypasses = asArray(ruleset.props["bypassActors"]).some((actor) => {
            const record = asRecord(actor);
            const mode = knownString(record?.["bypassMode"]);
            return knownString(record?.["actorType"]) === "Integration" && String(knownNumber(record?.["actorId"])) === app.id && (mode === "always" || mode === "exempt");
          });
          if (!bypasses) {
            once(`ruleset ${ruleset.name} on ${refOf(branch)} does not let App ${app.id}, which commits the workflow files, bypass it (actorType Integration, bypassMode always): its commits are refused`, ruleset.urn);
          }
        }
      }
    },
  },
);

export const repositoryPolicies = [
  rulesetPullRequestRequired,
  rulesetVerifyChecksRequired,
  rulesetHistoryProtected,
  rulesetBypassDeployAppOnly,
  rulesetDeployBranchCovered,
  branchProtectionNotWeakened,
  workflowCommitterBypasses,
];
