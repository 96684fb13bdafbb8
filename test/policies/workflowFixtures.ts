import { renderWorkflowFiles } from "../../infra/workflows/files";
import { settingsFor } from "../infra/workflows/fixtures";

/**
 * The workflow files of the policy fixtures: exactly what the program commits for the sample
 * production stack (model staging-prod), so every workflow policy is tested against the real
 * generated structure and the pack accepts what the program generates.
 */
const files = renderWorkflowFiles(settingsFor("staging-prod"));

function content(name: string): string {
  const file = files.find((candidate) => candidate.name === name);
  if (!file) throw new Error(`no generated ${name}.yml`);
  return file.content;
}

export const deployProductionYaml = content("deploy-production");
export const verifyYaml = content("verify");
export const deployStagingYaml = content("deploy-staging");
export const rollbackYaml = content("rollback");

/** deploy-production.yml of the direct-prod model (no staging: the image verify published). */
export const directProductionYaml = (() => {
  const file = renderWorkflowFiles(settingsFor("direct-prod")).find((candidate) => candidate.name === "deploy-production");
  if (!file) throw new Error("no generated direct-prod deploy-production.yml");
  return file.content;
})();
