import { dependsOn, resourcePolicy, stackPolicy, StackResource } from "../lib/define";
import { asArray, asRecord, isUnknown, knownString } from "../lib/values";

export const ENVIRONMENT = "github:index/repositoryEnvironment:RepositoryEnvironment";
export const DEPLOYMENT_POLICY = "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy";

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
      if (props["environment"] !== settings.environment) args.notApplicable(`not the ${settings.environment} environment`);
      let reviewers = 0;
      for (const entry of asArray(props["reviewers"])) {
        const record = asRecord(entry);
        reviewers += asArray(record?.["users"]).length + asArray(record?.["teams"]).length;
      }
      if (reviewers < settings.minReviewers) report(`${reviewers} required reviewer(s); at least ${settings.minReviewers} needed`);
      if (props["preventSelfReview"] !== true) report("preventSelfReview is not true: whoever triggers a deploy can approve it");
      if (props["canAdminsBypass"] !== false) report("canAdminsBypass is not false (it defaults to true): repository admins skip the approval");
    },
  },
);

/** The deployment branch policies attached to an environment resource. */
function policiesOf(environment: StackResource, resources: StackResource[]): StackResource[] {
  const name = environment.props["environment"];
  return resources.filter((r) => {
    if (r.type !== DEPLOYMENT_POLICY) return false;
    const target = r.props["environment"];
    if (isUnknown(target)) return dependsOn(r, environment.urn, "environment");
    return target === name && r.props["repository"] === environment.props["repository"];
  });
}

export const environmentProductionBranchOnly = stackPolicy<EnvironmentSettings & { branch: string }>(
  {
    name: "github-environment-production-main-only",
    description:
      'Only the production branch deploys to production. Spec, Production: "Branch: main branch"; Deploying to Production: "Create PR: staging → main … Merge PR with approval".',
    severity: "critical",
    remediation: [
      "Set the environment's deploymentBranchPolicy to { customBranchPolicies: true, protectedBranches: false }.",
      "Declare exactly one github.RepositoryEnvironmentDeploymentPolicy for it, with branchPattern main (and no tagPattern).",
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
      const environments = resources.filter((r) => r.type === ENVIRONMENT && r.props["environment"] === settings.environment);
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
        const patterns = policiesOf(environment, resources);
        const others = patterns.filter((p) => knownString(p.props["branchPattern"]) !== settings.branch);
        for (const other of others) {
          const pattern = knownString(other.props["branchPattern"]) ?? knownString(other.props["tagPattern"]) ?? "(unknown)";
          report(`${settings.environment} also accepts deploys from ${pattern}; only ${settings.branch} may deploy`, other.urn);
        }
        if (patterns.length === 0) report(`no deployment policy allows ${settings.branch}: the environment accepts no branch`, environment.urn);
      }
    },
  },
);

export const environmentPolicies = [environmentProductionReviewed, environmentProductionBranchOnly];
