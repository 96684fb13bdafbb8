import { EnvironmentName, StackSettings, stacksOfModel } from "./config/schema";

/** The prefix of every resource name in a stack: `<product>-<environment>`. */
export function stackPrefix(settings: StackSettings): string {
  return `${settings.product.slug}-${settings.environment}`;
}

/** The branch an environment deploys from. */
export function deployBranch(settings: StackSettings, environment: EnvironmentName = settings.environment): string {
  if (environment === "staging") return settings.github.branches.staging ?? settings.github.branches.production;
  return settings.github.branches.production;
}

/**
 * Resources both environments use (the Vercel project) belong to the model's first stack,
 * the one a change reaches first; the other stacks look them up by name.
 */
export function ownsSharedResources(settings: StackSettings): boolean {
  return stacksOfModel[settings.model][0] === settings.environment;
}
