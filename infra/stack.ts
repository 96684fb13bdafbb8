import { StackConfig } from "./config/load";
import { BranchRuleset } from "./github/branchRuleset";
import { deployBranch, ownsSharedResources, stackPrefix } from "./naming";
import { WebProject } from "./vercel/webProject";
import * as pulumi from "@pulumi/pulumi";
import { hasDeployEnvironment } from "./config/validate";
import { DeploymentEnvironment } from "./github/deploymentEnvironment";
import { deployVariables } from "./pipeline/deployContract";
import { RuntimeSettings, vercelTargetOf } from "./vercel/runtimeSettings";
import { SecretInventory } from "./secrets/secretInventory";
import { GeneratedSecrets } from "./secrets/values";

/** What a stack exports: where things are, never a secret in plain. */
export interface StackOutputs {
  environment: string;
  protectedBranch: string;
  webUrl?: string;
  /** The GitHub deployment environment of this stack (none in local-only). */
  deployEnvironment?: pulumi.Output<string>;
  /** Names (never values) of the plain variables the deploy jobs read from that environment. */
  deployVariables?: string[];
  /** Keys of the plain runtime settings set on Vercel for this environment. */
  runtimeSettings?: string[];
  /** Names (never values) of the inventory's secrets and public values this stack places. */
  secrets?: string[];
  /** Where the rotation register's SSM parameters live. */
  rotationRegisterPrefix?: string;
}

/** Builds every resource one stack declares from its validated config. */
export function buildStack(config: StackConfig): StackOutputs {
  const { settings } = config;
  const prefix = stackPrefix(settings);
  const branch = deployBranch(settings);

  new BranchRuleset(`${prefix}-rules`, { github: settings.github, branch });

  let webProject: WebProject | undefined;
  if (settings.web) {
    webProject = new WebProject(`${prefix}-web`, {
      web: settings.web,
      github: settings.github,
      environment: settings.environment,
      branch,
      ownsProject: ownsSharedResources(settings),
    });
  }
  // Plain values the deploy jobs read as `${{ vars.X }}`; components above add theirs (role ARNs, bucket, topics).
  const deployVars: Record<string, pulumi.Input<string>> = {};
  if (settings.web && webProject) {
    deployVars[deployVariables.webUrl] = settings.web.url;
    deployVars[deployVariables.vercelTeamId] = settings.web.vercel.teamId;
    deployVars[deployVariables.vercelProject] = webProject.projectId;
    new RuntimeSettings(`${prefix}-runtime`, {
      projectId: webProject.projectId,
      teamId: settings.web.vercel.teamId,
      environment: settings.environment,
      target: vercelTargetOf(settings.environment, branch),
      settings: settings.runtimeSettings,
    });
  }
  if (settings.api) {
    deployVars[deployVariables.apiUrl] = settings.api.url;
    deployVars[deployVariables.railwayProject] = settings.api.railway.project;
    deployVars[deployVariables.railwayService] = settings.api.railway.service;
    deployVars[deployVariables.railwayEnvironment] = settings.api.railway.environment;
  }
  // Last: it takes every component's outputs as variables; local-only deploys nowhere and has none.
  const deployEnvironment = hasDeployEnvironment(settings.model)
    ? new DeploymentEnvironment(`${prefix}-deploy-env`, {
        github: settings.github,
        environment: settings.environment,
        branch,
        protection: settings.deployEnvironment,
        variables: deployVars,
      })
    : undefined;

  // Values other components generate (the database's connection strings), handed to the inventory.
  const generatedSecrets: GeneratedSecrets = {};
  const inventory =
    settings.secrets.length > 0
      ? new SecretInventory(`${prefix}-secrets`, {
          productSlug: settings.product.slug,
          environment: settings.environment,
          stack: pulumi.getStack(),
          entries: settings.secrets,
          configSecrets: config.secrets,
          generated: generatedSecrets,
          // TODO(database): remove once the database component hands over database-app-url / database-migrator-url.
          awaitGenerated: true,
          repository: settings.github.repository,
          branch,
          vercel: settings.web && webProject
            ? { projectId: webProject.projectId, teamId: settings.web.vercel.teamId, target: vercelTargetOf(settings.environment, branch) }
            : undefined,
          githubEnvironment: deployEnvironment?.environmentName,
        })
      : undefined;

  return {
    environment: settings.environment,
    protectedBranch: branch,
    webUrl: settings.web?.url,
    deployEnvironment: deployEnvironment?.environmentName,
    deployVariables: deployEnvironment ? Object.keys(deployVars).sort() : undefined,
    runtimeSettings: webProject ? Object.keys(settings.runtimeSettings).sort() : undefined,
    secrets: inventory ? settings.secrets.map((entry) => entry.name) : undefined,
    rotationRegisterPrefix: inventory?.rotation.prefix,
  };
}
