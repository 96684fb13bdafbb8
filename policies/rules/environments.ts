import { dependsOn, resourcePolicy, stackPolicy, StackResource, UnknownInputError } from "../lib/define";
import { Plain, asArray, asRecord, isUnknown, knownNumber, knownString } from "../lib/values";

export const ENVIRONMENT = "github:index/repositoryEnvironment:RepositoryEnvironment";
export const DEPLOYMENT_POLICY = "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy";
/** The older resource for an environment's deployment branch policies (its `name` is the pattern). */
export const DEPLOYMENT_BRANCH_POLICY = "github:index/repositoryDeploymentBranchPolicy:RepositoryDeploymentBranchPolicy";

/**
 * Whether an environment name is the one the settings govern. Compared without case and surrounding space,
 * so that another spelling of the same name is judged too (a name that differs only in case may well be the
 * same environment on GitHub; the pack does not depend on whether it is).
 */
function sameEnvironment(name: Plain | undefined, governed: string): boolean {
  if (isUnknown(name)) throw new UnknownInputError("environment");
  return (knownString(name) ?? "").trim().toLowerCase() === governed.trim().toLowerCase();
}

const TOPICS = ["deployment-environments", "change-management"];

interface EnvironmentSettings {
  environment: string;
}

const environmentSchema = { type: "string", minLength: 1, description: "Name of the GitHub environment production deploys use." } as const;

export const environmentProductionReviewed = resourcePolicy<EnvironmentSettings & { minReviewers: number }>(
  {
    name: "github-environment-production-approval-required",
    description:
      'A production deploy waits for a person who did not trigger it. Spec, Deploying to Production: "GitHub Actions: Manual approval gate"; ' +
      'Compliance: "PCI: Production access restricted, deployment approvals required".',
    severity: "critical",
    remediation: [
      "List at least one required reviewer (user or team) on the production environment (deployEnvironment.reviewers in the stack config).",
      "Set preventSelfReview: true and canAdminsBypass: false.",
      "Leave waitTimer at 0 or more minutes.",
    ],
    topics: TOPICS,
  },
  {
    types: [ENVIRONMENT],
    config: {
      defaults: { environment: "production", minReviewers: 1 },
      schema: { environment: environmentSchema, minReviewers: { type: "integer", minimum: 1, description: "Fewest required reviewers (users and teams)." } },
    },
    validate({ props }, settings, report, args) {
      if (!sameEnvironment(props["environment"], settings.environment)) args.notApplicable(`not the ${settings.environment} environment`);
      if (isUnknown(props["reviewers"])) throw new UnknownInputError("reviewers");
      const reviewers = new Set<string>();
      for (const entry of asArray(props["reviewers"])) {
        const record = asRecord(entry);
        for (const kind of ["users", "teams"]) for (const id of asArray(record?.[kind])) reviewers.add(`${kind}:${JSON.stringify(id)}`);
      }
      if (reviewers.size < settings.minReviewers) report(`${reviewers.size} required reviewer(s); at least ${settings.minReviewers} needed`);
      if (props["preventSelfReview"] !== true) report("preventSelfReview is not true: whoever triggers a deploy can approve it");
      if (props["canAdminsBypass"] !== false) report("canAdminsBypass is not false (it defaults to true): repository admins skip the approval");
      const waitTimer = knownNumber(props["waitTimer"]);
      if (waitTimer !== undefined && waitTimer < 0) report(`waitTimer is ${waitTimer}: a wait timer cannot be negative`);
    },
  },
);

/** The deployment branch (and tag) policies attached to an environment resource, of either resource type. */
function policiesOf(environment: StackResource, resources: StackResource[]): StackResource[] {
  const name = knownString(environment.props["environment"]) ?? "";
  const repository = (knownString(environment.props["repository"]) ?? "").toLowerCase();
  return resources.filter((r) => {
    if (r.type !== DEPLOYMENT_POLICY && r.type !== DEPLOYMENT_BRANCH_POLICY) return false;
    const key = r.type === DEPLOYMENT_POLICY ? "environment" : "environmentName";
    const target = r.props[key];
    if (isUnknown(target)) return dependsOn(r, environment.urn, key);
    return sameEnvironment(target, name) && (knownString(r.props["repository"]) ?? "").toLowerCase() === repository;
  });
}

/** The pattern a deployment policy allows: `branch main`, `tag v*`. */
function allowedBy(policy: StackResource): { kind: "branch" | "tag"; pattern: string } {
  const keys: [string, "branch" | "tag"][] = policy.type === DEPLOYMENT_POLICY ? [["branchPattern", "branch"], ["tagPattern", "tag"]] : [["name", "branch"]];
  for (const [key, kind] of keys) {
    const value = policy.props[key];
    if (isUnknown(value)) throw new UnknownInputError(`${policy.urn} ${key}`);
    const pattern = knownString(value);
    if (pattern !== undefined) return { kind, pattern };
  }
  return { kind: "branch", pattern: "" };
}

export const environmentProductionBranchOnly = stackPolicy<EnvironmentSettings & { branch: string }>(
  {
    name: "github-environment-production-main-only",
    description:
      'Only the production branch deploys to production. Spec, Production: "Branch: main branch"; Deploying to Production: "Create PR: staging → main … Merge PR with approval".',
    severity: "critical",
    remediation: [
      "Set the environment's deploymentBranchPolicy to { customBranchPolicies: true, protectedBranches: false }.",
      "Declare exactly one github.RepositoryEnvironmentDeploymentPolicy for it, with branchPattern main (and no tagPattern), and no github.RepositoryDeploymentBranchPolicy.",
    ],
    topics: TOPICS,
  },
  {
    config: {
      defaults: { environment: "production", branch: "main" },
      schema: { environment: environmentSchema, branch: { type: "string", minLength: 1, description: "The only branch that may deploy." } },
    },
    requires: ENVIRONMENT,
    validate(resources, settings, report, args) {
      const environments = resources.filter((r) => r.type === ENVIRONMENT && sameEnvironment(r.props["environment"], settings.environment));
      if (environments.length === 0) args.notApplicable(`no ${settings.environment} environment in this stack`);
      for (const environment of environments) {
        const branchPolicy = asRecord(environment.props["deploymentBranchPolicy"]);
        if (!branchPolicy || branchPolicy["customBranchPolicies"] !== true || branchPolicy["protectedBranches"] !== false) {
          report(
            `deploymentBranchPolicy must be { customBranchPolicies: true, protectedBranches: false }; ` +
              (branchPolicy ? "protected branches other than the production branch can deploy" : "any branch can deploy"),
            environment.urn,
          );
          continue;
        }
        // Patterns are fnmatch globs (main* also admits main-hotfix), so only the branch's exact name is the branch alone.
        const patterns = policiesOf(environment, resources);
        for (const policy of patterns) {
          const allowed = allowedBy(policy);
          if (allowed.kind === "branch" && allowed.pattern === settings.branch) continue;
          report(`${settings.environment} also accepts deploys from ${allowed.kind} ${allowed.pattern}; only ${settings.branch} may deploy`, policy.urn);
        }
        if (!patterns.some((policy) => allowedBy(policy).kind === "branch" && allowedBy(policy).pattern === settings.branch)) {
          report(`no deployment policy allows ${settings.branch}: the environment accepts no branch`, environment.urn);
        }
      }
    },
  },
);

export const environmentPolicies = [environmentProductionReviewed, environmentProductionBranchOnly];
