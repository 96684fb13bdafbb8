import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";
import { effectivePreventSelfReview } from "../config/githubRules";
import { DeployEnvironmentSettings, EnvironmentName, GithubSettings } from "../config/schema";

export interface DeploymentEnvironmentArgs {
  github: GithubSettings;
  /** This stack's environment; the GitHub environment has the same name (`staging`, `production`). */
  environment: EnvironmentName;
  /** The only branch allowed to deploy to the environment (`main` for production, `staging` for staging). */
  branch: string;
  /** Reviewers (by login and team slug), wait timer, self-review and admin bypass, from the validated stack config. */
  protection: DeployEnvironmentSettings;
  /**
   * Plain, non-secret values the deploy jobs read as `${{ vars.X }}` (names from
   * `deployVariables` in infra/pipeline/deployContract.ts): role ARNs, bucket, topic ARNs, URLs, ids.
   */
  variables: Record<string, pulumi.Input<string>>;
}

/**
 * A GitHub deployment environment for this stack: only `branch` may deploy to it, the configured
 * reviewers must approve (production's manual approval gate), a reviewer cannot approve their own
 * run, and repository admins cannot bypass the protections. The deploy jobs' plain variables live here too.
 */
export class DeploymentEnvironment extends pulumi.ComponentResource {
  /** The environment's name, known once GitHub has it (use it to make secrets and variables depend on it). */
  readonly environmentName: pulumi.Output<string>;
  readonly environment: github.RepositoryEnvironment;
  readonly branchPolicy: github.RepositoryEnvironmentDeploymentPolicy;
  readonly variables: github.ActionsEnvironmentVariable[];

  constructor(name: string, args: DeploymentEnvironmentArgs, opts?: pulumi.ComponentResourceOptions) {
    super("flightdeck:github:DeploymentEnvironment", name, {}, opts);
    const { github: settings, protection } = args;

    const users = protection.reviewers.users.map((username) =>
      github.getUserOutput({ username }, { parent: this }).id.apply((id) => numericId(id, `GitHub user ${username}`)),
    );
    const teams = protection.reviewers.teams.map((slug) =>
      github.getTeamOutput({ slug, summaryOnly: true }, { parent: this }).id.apply((id) => numericId(id, `GitHub team ${slug}`)),
    );
    const reviewers = users.length + teams.length > 0 ? [{ users, teams }] : [];

    this.environment = new github.RepositoryEnvironment(
      `${name}-environment`,
      {
        repository: settings.repository,
        environment: args.environment,
        // Only branches matching a deployment policy (below) may deploy; protection alone is not enough.
        deploymentBranchPolicy: { customBranchPolicies: true, protectedBranches: false },
        reviewers,
        // The provider always sends this flag, and GitHub refuses it set without reviewers (config/githubRules.ts).
        preventSelfReview: effectivePreventSelfReview(users.length + teams.length, protection.preventSelfReview),
        canAdminsBypass: protection.canAdminsBypass,
        waitTimer: protection.waitTimerMinutes,
      },
      { parent: this },
    );
    this.environmentName = this.environment.environment;

    this.branchPolicy = new github.RepositoryEnvironmentDeploymentPolicy(
      `${name}-branch-policy`,
      { repository: settings.repository, environment: this.environmentName, branchPattern: args.branch },
      { parent: this },
    );

    this.variables = Object.entries(args.variables)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(
        ([variableName, value]) =>
          new github.ActionsEnvironmentVariable(
            `${name}-var-${variableName}`,
            { repository: settings.repository, environment: this.environmentName, variableName, value },
            { parent: this },
          ),
      );

    this.registerOutputs({ environmentName: this.environmentName, variableNames: Object.keys(args.variables).sort() });
  }
}

/** GitHub reports user and team ids as strings; environment reviewers need them as numbers. */
export function numericId(id: string, what: string): number {
  if (!/^\d+$/.test(id)) throw new Error(`${what}: expected a numeric id from GitHub (got ${JSON.stringify(id)})`);
  return Number(id);
}
