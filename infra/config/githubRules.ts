import { StackSettings } from "./schema";

/**
 * The secret config key holding the deploy App's private key (PEM), which the stack's GitHub provider
 * signs its installation-token requests with: `pulumi config set --secret githubAppPrivateKey < key.pem`.
 */
export const GITHUB_APP_PRIVATE_KEY = "githubAppPrivateKey";

/** GitHub accepts at most six required reviewers per environment, users and teams together. */
export const MAX_ENVIRONMENT_REVIEWERS = 6;

/**
 * Rules of GitHub's API the deployment environment's settings must follow, one line per problem
 * (`path` without the `flightdeck:` prefix, then what is wrong).
 *
 * - Reviewers: "You can list up to six users or teams as reviewers"
 *   (https://docs.github.com/en/rest/deployments/environments?apiVersion=2022-11-28#create-or-update-an-environment).
 * - prevent_self_review needs reviewers: GitHub answers 422 "Required reviewers must have at least one reviewer
 *   to set prevent_self_review" to `prevent_self_review: true` without any, and terraform-provider-github v6.13.0
 *   (the upstream of @pulumi/github 6.15) sends the flag on every create and update while it leaves an empty
 *   reviewer list out (github/resource_github_repository_environment.go, createUpdateEnvironmentData).
 */
export function deployEnvironmentProblems(settings: StackSettings): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  const { reviewers, preventSelfReview } = settings.deployEnvironment;
  const count = reviewers.users.length + reviewers.teams.length;
  if (count > MAX_ENVIRONMENT_REVIEWERS) {
    problems.push({
      path: "deployEnvironment.reviewers",
      message: `GitHub accepts at most ${MAX_ENVIRONMENT_REVIEWERS} required reviewers per environment, users and teams together (got ${count})`,
    });
  }
  if (count === 0 && preventSelfReview === true) {
    problems.push({
      path: "deployEnvironment.preventSelfReview",
      message:
        'GitHub refuses prevent_self_review without required reviewers (422 "Required reviewers must have at least one reviewer to set prevent_self_review"): ' +
        "add reviewers, or leave preventSelfReview out (got true with no reviewers)",
    });
  }
  return problems;
}

/** The prevent_self_review the environment is created with: as configured, by default on when someone reviews, never without reviewers. */
export function effectivePreventSelfReview(reviewerCount: number, configured: boolean | undefined): boolean {
  if (reviewerCount === 0) return false;
  return configured ?? true;
}
