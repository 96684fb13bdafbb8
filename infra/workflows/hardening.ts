import {
  auditProblems,
  broadTopLevelPermissions,
  DEFAULT_CONTEXT,
  environmentProblems,
  Finding,
  gateBypasses,
  hardeningBaseline,
  jobPermissionProblems,
  preflightProblems,
  productionTriggers,
  pullRequestTarget,
  remoteScriptExecution,
  rollbackProblems,
  secretExposure,
  unpinnedActions,
  unpinnedTools,
  untrustedWorkflowRun,
} from "../../policies/lib/workflow/checks";
import { parseWorkflow, Workflow, WorkflowParseError } from "../../policies/lib/workflow/model";
import { isPreflightJob } from "../../policies/lib/workflow/preflight";
import { verifyCheckIds } from "../pipeline/verifyChecks";
import { pinnedVersion } from "./pins";

/**
 * The program's view of the workflow rules: the very checks the policy pack runs
 * (policies/lib/workflow/checks.ts), on the YAML text, so the specs hold the generated files and
 * this repository's own infra.yml to them. The program does not stop on a finding: the pack
 * reports it as a violation of the policy of the same rule, with the file and YAML path.
 */

function parsed(path: string, yamlText: string): Workflow | string[] {
  try {
    return parseWorkflow(path, yamlText);
  } catch (error) {
    if (error instanceof WorkflowParseError) return [error.message];
    throw error;
  }
}

const lines = (findings: Finding[]) => findings.map((finding) => `${finding.at}: ${finding.message}`);

/** Rules every workflow keeps, hand-written ones (infra.yml) included: pins (from pins.ts), token scopes, triggers, hardening, installs, secrets. */
export function hardeningProblems(yamlText: string, path = ".github/workflows/workflow.yml"): string[] {
  const workflow = parsed(path, yamlText);
  if (Array.isArray(workflow)) return workflow;
  const outsideTable = workflow.jobs.flatMap((job) =>
    job.steps
      .filter((step) => step.uses !== undefined && /^[^@\s]+@[0-9a-f]{40}$/.test(step.uses) && pinnedVersion(step.uses) === undefined)
      .map((step) => ({ at: `${step.at}.uses`, message: `${step.uses} is not in the pin table (infra/workflows/pins.ts)` })),
  );
  return lines([
    ...unpinnedActions(workflow),
    ...outsideTable,
    ...broadTopLevelPermissions(workflow),
    ...jobPermissionProblems(workflow),
    ...pullRequestTarget(workflow),
    ...untrustedWorkflowRun(workflow),
    ...hardeningBaseline(workflow, DEFAULT_CONTEXT),
    ...remoteScriptExecution(workflow),
    ...unpinnedTools(workflow),
    ...secretExposure(workflow),
  ]);
}

/** Every structural rule of the pack, for the workflow files the program renders: the hardening above, plus gates, environments, pre-flight, audit and rollback. */
export function workflowProblems(path: string, yamlText: string): string[] {
  const workflow = parsed(path, yamlText);
  if (Array.isArray(workflow)) return workflow;
  const context = { ...DEFAULT_CONTEXT, requiredChecks: verifyCheckIds, isVerifyWorkflow: /\/verify\.ya?ml$/.test(path) };
  return [
    ...hardeningProblems(yamlText, path),
    ...lines([
      ...productionTriggers(workflow, context),
      ...gateBypasses(workflow, context),
      ...environmentProblems(workflow, context, /\/deploy-production\.ya?ml$/.test(path)),
      ...preflightProblems(workflow, context, isPreflightJob),
      ...auditProblems(workflow, context),
      ...rollbackProblems(workflow),
    ]),
  ];
}
