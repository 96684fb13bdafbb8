import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";
import { GithubSettings } from "../config/schema";
import { verifyCheckIds } from "../pipeline/verifyChecks";

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
            requiredChecks: verifyCheckIds.map((context) => ({ context })),
          },
        },
      },
      { parent: this },
    );
    this.registerOutputs({ rulesetId: this.ruleset.rulesetId });
  }
}
