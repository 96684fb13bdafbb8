import { DeploymentModel, StackSettings } from "../config/schema";
import { deployBranch } from "../naming";
import { deployProductionWorkflow } from "./deployProduction";
import { deployStagingWorkflow } from "./deployStaging";
import { Workflow, WorkflowFile, WorkflowName } from "./model";
import { renderWorkflow } from "./render";
import { rollbackWorkflow } from "./rollback";
import { verifyWorkflow } from "./verify";

/** Which workflow files each deployment model has. */
export const workflowsOfModel: Record<DeploymentModel, readonly WorkflowName[]> = {
  "staging-prod": ["verify", "deploy-staging", "deploy-production", "rollback"],
  "direct-prod": ["verify", "deploy-production", "rollback"],
  "local-only": ["verify"],
};

const builders: Record<WorkflowName, (settings: StackSettings) => Workflow> = {
  verify: verifyWorkflow,
  "deploy-staging": deployStagingWorkflow,
  "deploy-production": deployProductionWorkflow,
  rollback: rollbackWorkflow,
};

export function workflowPath(name: WorkflowName): string {
  return `.github/workflows/${name}.yml`;
}

/**
 * The workflow that deploys the app to a stack's environment, as the dispatch API names it (its file
 * name), and the branch it runs on: deploy-staging.yml on the staging branch, deploy-production.yml on
 * the production branch; none in local-only (nothing deploys).
 */
export function deployWorkflowOf(settings: StackSettings): { workflow: string; ref: string } | undefined {
  const name: WorkflowName = settings.environment === "staging" ? "deploy-staging" : "deploy-production";
  if (!workflowsOfModel[settings.model].includes(name)) return undefined;
  return { workflow: `${name}.yml`, ref: deployBranch(settings) };
}

/** The workflow models a stack manages. Pure: a function of the validated settings. */
export function buildWorkflows(settings: StackSettings): WorkflowFile[] {
  return workflowsOfModel[settings.model].map((name) => ({ name, path: workflowPath(name), workflow: builders[name](settings) }));
}

export interface RenderedWorkflowFile {
  name: WorkflowName;
  path: string;
  content: string;
}

/** The files as committed: path and YAML text. */
export function renderWorkflowFiles(settings: StackSettings): RenderedWorkflowFile[] {
  return buildWorkflows(settings).map(({ name, path, workflow }) => ({ name, path, content: renderWorkflow(workflow, `${name}.yml`) }));
}
