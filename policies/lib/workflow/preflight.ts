import { Schedule } from "../schedule";
import { isScheduleCheckScript, SCHEDULE_ENV, scheduleFromEnv } from "../scheduleCheck";
import { asRecord, Plain } from "../values";
import { conditionIn, flagValue } from "./expression";
import { ancestorsOf, Job, Step, Workflow } from "./model";
import { isRollbackOnly } from "./checks";
import { deployKindsOfStep, jobRoles } from "./roles";

/**
 * The production pre-flight's schedule check as the pack judges it: which steps are schedule
 * checks, what each one really enforces (the fixed script of policies/lib/scheduleCheck.ts with the
 * schedule its env hands over), and which production deploy jobs wait for an effective one.
 */
export interface ScheduleCheck {
  job: Job;
  step: Step;
  /** The schedule the step enforces, when it enforces one. */
  schedule?: Schedule;
  /** Why it enforces nothing (or not what its env says), empty when it is effective. */
  problems: string[];
}

const INPUT = (name: string) => new RegExp(`^\\$\\{\\{\\s*(github\\.event\\.)?inputs\\.${name}\\s*\\}\\}$`);

/** Steps that look like a schedule check: the fixed script, the schedule env, or a name that says so. */
function candidates(workflow: Workflow): Step[] {
  return workflow.jobs.flatMap((job) => job.steps).filter(
    (step) => (step.run !== undefined && isScheduleCheckScript(step.run)) || SCHEDULE_ENV.timezone in step.env || /\b(freeze|deploy window|schedule)\b/i.test(step.name),
  );
}

export function judgeScheduleCheck(workflow: Workflow, job: Job, step: Step): ScheduleCheck {
  const problems: string[] = [];
  const events = workflow.triggers;
  if (step.run === undefined || !isScheduleCheckScript(step.run)) problems.push("its script is not the pack's schedule check (policies/lib/scheduleCheck.ts), so what it enforces cannot be known");
  if (flagValue(step.continueOnError, events) !== false) problems.push(`continue-on-error ${JSON.stringify(step.continueOnError)}`);
  if (flagValue(job.continueOnError, events) !== false) problems.push(`job ${job.id} has continue-on-error ${JSON.stringify(job.continueOnError)}`);
  if (conditionIn(step.if, { outcome: "success", events }) !== true) problems.push(`it may be skipped (if: ${String(step.if)})`);
  if (conditionIn(job.if, { outcome: "success", events }) !== true) problems.push(`job ${job.id} may be skipped (if: ${String(job.if)})`);
  const shell = step.shell ?? workflow.defaultShell;
  if (shell !== undefined && shell.trim() !== "bash") problems.push(`it runs in shell \`${shell}\`, not bash`);
  const emergency = step.env["EMERGENCY"];
  const reason = step.env["REASON"];
  if (emergency !== undefined && !(typeof emergency === "string" && INPUT("emergency").test(emergency)) && emergency !== false && emergency !== "false") {
    problems.push(`EMERGENCY is ${JSON.stringify(emergency)}, not the operator's input (\${{ inputs.emergency }}): every run would be an emergency`);
  }
  if (reason !== undefined && !(typeof reason === "string" && INPUT("reason").test(reason)) && reason !== "") problems.push(`REASON is ${JSON.stringify(reason)}, not the operator's input`);
  const emergencyInput = asRecord(asRecord(asRecord(workflow.triggerConfig["workflow_dispatch"])?.["inputs"])?.["emergency"]);
  if (emergencyInput && (emergencyInput["default"] === true || emergencyInput["default"] === "true")) problems.push("the emergency input defaults to true");
  for (const key of Object.values(SCHEDULE_ENV)) {
    const value: Plain | undefined = step.env[key];
    if (typeof value === "string" && value.includes("${{")) problems.push(`${key} is an expression: the schedule must be data in the file`);
  }
  // Steps before it that can change its environment or tools ($GITHUB_ENV, $GITHUB_PATH, an action).
  for (const before of job.steps.slice(0, step.index)) {
    if (before.uses !== undefined) problems.push(`${before.name} (an action) runs before it and can change its environment`);
    else if (/GITHUB_(ENV|PATH)\b/.test(before.run ?? "")) problems.push(`${before.name} writes $GITHUB_ENV/$GITHUB_PATH before it`);
  }
  const read = scheduleFromEnv(step.env);
  if ("problems" in read) problems.push(...read.problems);
  return { job, step, schedule: "schedule" in read && problems.length === 0 ? read.schedule : undefined, problems };
}

export function scheduleChecks(workflow: Workflow): ScheduleCheck[] {
  return candidates(workflow).map((step) => judgeScheduleCheck(workflow, workflow.jobById.get(step.job)!, step));
}

/** A job that deploys nothing and runs the fixed schedule check: the pre-flight. */
export function isPreflightJob(job: Job): boolean {
  return job.steps.some((step) => step.run !== undefined && isScheduleCheckScript(step.run)) && job.steps.every((step) => deployKindsOfStep(step).size === 0);
}

/** Production deploy jobs (rollbacks to recorded releases aside) and the effective schedule checks each one waits for. */
export function productionDeploysAndTheirChecks(workflow: Workflow, productionEnvironment: string): { job: Job; checks: ScheduleCheck[]; waitsFor: ScheduleCheck[] }[] {
  const checks = scheduleChecks(workflow);
  return jobRoles(workflow, productionEnvironment)
    .filter((role) => role.production && !isRollbackOnly(workflow, role.job))
    .map((role) => {
      const ancestors = ancestorsOf(workflow, role.job.id);
      return { job: role.job, checks, waitsFor: checks.filter((check) => ancestors.has(check.job.id)) };
    });
}
