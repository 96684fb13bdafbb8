import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";
import { GithubSettings } from "../config/schema";
import { verifyCheckIds } from "../pipeline/verifyChecks";

/** The GitHub Actions app's id: the only integration whose check runs may satisfy a required check. */
export const GITHUB_ACTIONS_APP_ID = 15368;

export interface BranchRulesetArgs {
  github: GithubSettings;
  /** The branch this ruleset protects (`main`, or `staging` where the model has it). */
  branch: string;
}

/**
 * The spec's protections for one deploy branch: changes only through pull requests with
 * approvals, every verify check green, no force push or deletion. Only the deploy identity
 * may bypass (it commits the workflow files).
 */
export class BranchRuleset extends pulumi.ComponentResource {
  readonly ruleset: github.RepositoryRuleset;

  constructor(name: string, args: BranchRulesetArgs, opts?: pulumi.ComponentResourceOptions) {
    super("flightdeck:github:BranchRuleset", name, {}, opts);
    const { github: settings, branch } = args;

    this.ruleset = new github.RepositoryRuleset(
      `${name}-ruleset`,
      {
        name: `flightdeck-${branch}`,
        repository: settings.repository,
        target: "branch",
        enforcement: "active",
        conditions: { refName: { includes: [`refs/heads/${branch}`], excludes: [] } },
        bypassActors: [
          { actorType: settings.deployIdentity.type, actorId: settings.deployIdentity.id, bypassMode: "always" },
        ],
        rules: {
          deletion: true,
          nonFastForward: true,
          pullRequest: {
            requiredApprovingReviewCount: settings.requiredApprovals,
            dismissStaleReviewsOnPush: true,
            requireLastPushApproval: true,
            requiredReviewThreadResolution: true,
          },
          requiredStatusChecks: {
            strictRequiredStatusChecksPolicy: true,
            // Bound to the GitHub Actions app, so a commit status posted by anyone else cannot satisfy it.
            requiredChecks: verifyCheckIds.map((context) => ({ context, integrationId: GITHUB_ACTIONS_APP_ID })),
          },
        },
      },
      { parent: this },
    );
    this.registerOutputs({ rulesetId: this.ruleset.rulesetId });
  }
}
