import { StackConfig } from "./config/load";
import { BranchRuleset } from "./github/branchRuleset";
import { deployBranch, ownsSharedResources, stackPrefix } from "./naming";
import { WebProject } from "./vercel/webProject";

/** What a stack exports: where things are, never a secret in plain. */
export interface StackOutputs {
  environment: string;
  protectedBranch: string;
  webUrl?: string;
}

/** Builds every resource one stack declares from its validated config. */
export function buildStack(config: StackConfig): StackOutputs {
  const { settings } = config;
  const prefix = stackPrefix(settings);
  const branch = deployBranch(settings);

  new BranchRuleset(`${prefix}-rules`, { github: settings.github, branch });

  if (settings.web) {
    new WebProject(`${prefix}-web`, {
      web: settings.web,
      github: settings.github,
      environment: settings.environment,
      branch,
      ownsProject: ownsSharedResources(settings),
    });
  }
  return { environment: settings.environment, protectedBranch: branch, webUrl: settings.web?.url };
}
