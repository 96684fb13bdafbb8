import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";
import { DeployEnvironmentSettings, EnvironmentName, GithubSettings } from "../../infra/config/schema";
import { GITHUB_ACTIONS_APP_ID } from "../../infra/github/branchRuleset";
import { DeploymentEnvironment } from "../../infra/github/deploymentEnvironment";

export interface InfraRepositoryArgs {
  /** This repository, as the GitHub components of infra/github take a repository. */
  github: GithubSettings;
  defaultBranch: string;
  requiredApprovals: number;
  /** Check names that must pass (infra.yml's job names), reported by GitHub Actions. */
  requiredChecks: string[];
  /** One deployment environment per stack the pipeline applies, with its reviewers and its variables. */
  environments: { name: EnvironmentName; protection: DeployEnvironmentSettings; variables: Record<string, pulumi.Input<string>> }[];
  /** Repository variables every job reads (`${{ vars.X }}`). */
  variables: Record<string, pulumi.Input<string>>;
}

/**
 * This repository's own protections: its default branch changes only through a pull request approved
 * by a code owner (.github/CODEOWNERS gives the gate to the platform team) with the test and plan checks
 * green, never by a force push or deletion, and nobody bypasses; each stack's `pulumi up` job runs in a
 * deployment environment that only the default branch may deploy to (production's with required
 * reviewers); the role ARNs and backend the jobs need are Actions variables. An environment variable
 * wins over a repository variable of the same name in a job that references the environment
 * (https://docs.github.com/en/actions/reference/workflows-and-actions/variables#configuration-variable-precedence).
 */
export class InfraRepository extends pulumi.ComponentResource {
  readonly ruleset: github.RepositoryRuleset;
  readonly environments: DeploymentEnvironment[];

  constructor(name: string, args: InfraRepositoryArgs, opts?: pulumi.ComponentResourceOptions) {
    super("flightdeck:bootstrap:InfraRepository", name, {}, opts);
    const repository = args.github.repository;
    this.ruleset = new github.RepositoryRuleset(
      `${name}-ruleset`,
      {
        name: `flightdeck-${args.defaultBranch}`,
        repository,
        target: "branch",
        enforcement: "active",
        conditions: { refName: { includes: [`refs/heads/${args.defaultBranch}`], excludes: [] } },
        bypassActors: [],
        rules: {
          deletion: true,
          nonFastForward: true,
          pullRequest: {
            requiredApprovingReviewCount: args.requiredApprovals,
            requireCodeOwnerReview: true,
            dismissStaleReviewsOnPush: true,
            requireLastPushApproval: true,
            requiredReviewThreadResolution: true,
          },
          requiredStatusChecks: {
            strictRequiredStatusChecksPolicy: true,
            requiredChecks: args.requiredChecks.map((context) => ({ context, integrationId: GITHUB_ACTIONS_APP_ID })),
          },
        },
      },
      { parent: this },
    );
    this.environments = args.environments.map(
      (environment) =>
        new DeploymentEnvironment(
          `${name}-${environment.name}`,
          { github: args.github, environment: environment.name, branch: args.defaultBranch, protection: environment.protection, variables: environment.variables },
          { parent: this },
        ),
    );
    for (const [variableName, value] of Object.entries(args.variables).sort(([a], [b]) => a.localeCompare(b))) {
      new github.ActionsVariable(`${name}-var-${variableName}`, { repository, variableName, value }, { parent: this });
    }
    this.registerOutputs({ rulesetId: this.ruleset.rulesetId, environments: args.environments.map((environment) => environment.name) });
  }
}
