import { resourcePolicy, stackPolicy } from "../lib/define";
import { asArray, asRecord, at, knownNumber, knownString, Plain, PlainRecord } from "../lib/values";

export const RULESET = "github:index/repositoryRuleset:RepositoryRuleset";

const TOPICS = ["repository-rules", "change-management"];

/** The branches (`main`, `staging`) a branch ruleset protects, from `conditions.refName.includes`. */
export function protectedBranchesOf(props: PlainRecord): string[] {
  return asArray(at(props, "conditions.refName.includes"))
    .map((ref) => knownString(ref))
    .filter((ref): ref is string => ref !== undefined)
    .map((ref) => ref.replace(/^refs\/heads\//, ""));
}

function coversDeployBranch(props: PlainRecord, branches: readonly string[]): boolean {
  if (knownString(props["target"]) !== undefined && props["target"] !== "branch") return false;
  return protectedBranchesOf(props).some((branch) => branches.includes(branch));
}

interface BranchSettings {
  branches: string[];
}

const branchSchema = {
  type: "array",
  items: { type: "string" },
  description: "Branches whose rulesets the policy judges (the deploy branches).",
} as const;

function judged(props: PlainRecord, settings: BranchSettings, notApplicable: (reason: string) => never): void {
  if (!coversDeployBranch(props, settings.branches)) notApplicable(`ruleset does not protect ${settings.branches.join(" or ")}`);
}

export const rulesetPullRequestRequired = resourcePolicy<BranchSettings & { minApprovals: number }>(
  {
    name: "github-ruleset-pull-request-required",
    description:
      'Changes reach a deploy branch only through a reviewed pull request. Spec, Protections: "Required PR reviews (min 1 approval)"; ' +
      'Deploying to Staging: "Code review (1 approval required)".',
    severity: "high",
    remediation: [
      "Give the ruleset a pullRequest rule with requiredApprovingReviewCount of at least the minimum (github.requiredApprovals in the stack config).",
      "Set dismissStaleReviewsOnPush: true, so a push after approval needs a new review.",
    ],
    topics: TOPICS,
  },
  {
    types: [RULESET],
    config: {
      defaults: { branches: ["main", "staging"], minApprovals: 1 },
      schema: { branches: branchSchema, minApprovals: { type: "integer", minimum: 1, description: "Fewest approving reviews a pull request needs." } },
    },
    validate({ props }, settings, report, args) {
      judged(props, settings, args.notApplicable);
      const pullRequest = asRecord(at(props, "rules.pullRequest"));
      if (!pullRequest) {
        report("the ruleset has no pullRequest rule: changes can be pushed without review");
        return;
      }
      const approvals = knownNumber(pullRequest["requiredApprovingReviewCount"]) ?? 0;
      if (approvals < settings.minApprovals) {
        report(`requiredApprovingReviewCount is ${approvals}; at least ${settings.minApprovals} approval(s) required`);
      }
      if (pullRequest["dismissStaleReviewsOnPush"] !== true) {
        report("dismissStaleReviewsOnPush is not true: an approval survives later pushes");
      }
    },
  },
);

export const rulesetVerifyChecksRequired = resourcePolicy<BranchSettings & { requiredChecks: string[] }>(
  {
    name: "github-ruleset-verify-checks-required",
    description:
      'Every verify check must pass before merge. Spec, Stage 1 Verify: "Lint, Type check, Unit tests, Build, Security scan … Blocks merge if: Any step fails"; Database Migrations: "All migrations reversible"; Performance Validation: the budgets.',
    severity: "high",
    remediation: [
      "Add a requiredStatusChecks rule listing every verify job (infra/pipeline/verifyChecks.ts) as a required check context.",
    ],
    topics: TOPICS,
  },
  {
    types: [RULESET],
    config: {
      defaults: { branches: ["main", "staging"], requiredChecks: ["lint", "typecheck", "unit-tests", "build", "security-scan", "migration-reversibility", "performance-budgets"] },
      schema: {
        branches: branchSchema,
        requiredChecks: { type: "array", items: { type: "string" }, minItems: 1, description: "Status check contexts that must be required." },
      },
    },
    validate({ props }, settings, report, args) {
      judged(props, settings, args.notApplicable);
      const contexts = new Set(
        asArray(at(props, "rules.requiredStatusChecks.requiredChecks"))
          .map((check: Plain) => knownString(asRecord(check)?.["context"]))
          .filter((context): context is string => context !== undefined),
      );
      const missing = settings.requiredChecks.filter((check) => !contexts.has(check));
      if (missing.length > 0) report(`required status checks missing: ${missing.join(", ")}`);
    },
  },
);

export const rulesetHistoryProtected = resourcePolicy<BranchSettings>(
  {
    name: "github-ruleset-history-protected",
    description:
      "A deploy branch's history cannot be rewritten or deleted: what was reviewed and deployed stays what the branch holds. " +
      'Spec, Compliance & Audit: "What changed: Git commit diff"; Protections: "Required PR reviews".',
    severity: "high",
    remediation: ["Set rules.nonFastForward: true (no force push) and rules.deletion: true (no deletion) on the ruleset."],
    topics: TOPICS,
  },
  {
    types: [RULESET],
    config: { defaults: { branches: ["main", "staging"] }, schema: { branches: branchSchema } },
    validate({ props }, settings, report, args) {
      judged(props, settings, args.notApplicable);
      if (at(props, "rules.nonFastForward") !== true) report("rules.nonFastForward is not true: force pushes are allowed");
      if (at(props, "rules.deletion") !== true) report("rules.deletion is not true: the branch can be deleted");
    },
  },
);

const ROLE_ACTOR_TYPES = ["RepositoryRole", "OrganizationAdmin"];

export const rulesetNoRoleBypass = resourcePolicy<BranchSettings>(
  {
    name: "github-ruleset-no-role-bypass",
    description:
      'Nobody skips review by role. Spec, Compliance & Audit: "PCI: Production access restricted, deployment approvals required". ' +
      "Only a named deploy identity (an app or team) may bypass; a whole role (repository admins, organisation admins) may not.",
    severity: "critical",
    remediation: [
      "Remove bypassActors entries with actorType RepositoryRole or OrganizationAdmin.",
      "If automation must bypass, name that one identity (actorType Integration or Team).",
    ],
    topics: TOPICS,
  },
  {
    types: [RULESET],
    config: { defaults: { branches: ["main", "staging"] }, schema: { branches: branchSchema } },
    validate({ props }, settings, report, args) {
      judged(props, settings, args.notApplicable);
      for (const actor of asArray(props["bypassActors"])) {
        const type = knownString(asRecord(actor)?.["actorType"]);
        if (type !== undefined && ROLE_ACTOR_TYPES.includes(type)) {
          report(`bypassActors lets a whole role bypass the ruleset (actorType ${type}, actorId ${String(asRecord(actor)?.["actorId"])})`);
        }
      }
    },
  },
);

export const rulesetDeployBranchCovered = stackPolicy<{ deployBranch: string }>(
  {
    name: "github-deploy-branch-ruleset-active",
    description:
      "The stack's deploy branch is protected by an active ruleset. Spec, Protections: \"Required PR reviews (min 1 approval); Automated tests must pass\" " +
      "— without an active ruleset on the branch none of them is enforced.",
    severity: "critical",
    remediation: [
      "Declare a github.RepositoryRuleset with target branch, enforcement active and conditions.refName.includes refs/heads/<deploy branch>.",
    ],
    topics: TOPICS,
  },
  {
    config: {
      defaults: { deployBranch: "main" },
      schema: { deployBranch: { type: "string", minLength: 1, description: "The branch this stack deploys from (main for production, staging for staging)." } },
    },
    validate(resources, settings, report) {
      const covering = resources.filter((r) => r.type === RULESET && coversDeployBranch(r.props, [settings.deployBranch]));
      if (covering.length === 0) {
        report(`no ruleset protects refs/heads/${settings.deployBranch}`);
        return;
      }
      if (!covering.some((r) => r.props["enforcement"] === "active")) {
        report(`the rulesets protecting ${settings.deployBranch} are not enforced (enforcement is not "active")`, covering[0]!.urn);
      }
    },
  },
);

export const repositoryPolicies = [
  rulesetPullRequestRequired,
  rulesetVerifyChecksRequired,
  rulesetHistoryProtected,
  rulesetNoRoleBypass,
  rulesetDeployBranchCovered,
];
