import { parse } from "yaml";
import { asArray, asRecord, isRecord, plain, Plain, PlainRecord } from "../values";

/**
 * A GitHub Actions workflow file as the analyser sees it: the parts of the syntax that decide what
 * runs, with what token and secrets, in which order, and whether a failure stops it
 * (https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax).
 * Shared by the pack (policies/rules/workflows.ts, schedule.ts) and the program's own check of the
 * files it renders (infra/workflows/hardening.ts).
 */

export interface Step {
  job: string;
  index: number;
  /** `jobs.<job>.steps[<index>]`, for messages. */
  at: string;
  name: string;
  id?: string;
  if?: Plain;
  uses?: string;
  run?: string;
  shell?: string;
  with: PlainRecord;
  /** The step's own env. */
  env: PlainRecord;
  /** Workflow, job and step env merged (step wins), as the step's process sees it. */
  effectiveEnv: PlainRecord;
  continueOnError: Plain | undefined;
  record: PlainRecord;
}

export interface Job {
  id: string;
  at: string;
  name?: string;
  needs: string[];
  if?: Plain;
  /** The environment name (a literal or an expression), when the job names one. */
  environment?: string;
  /** `undefined`: the key is absent (the workflow's permissions apply). */
  permissions: Plain | undefined;
  continueOnError: Plain | undefined;
  /** A reusable-workflow call (`jobs.<id>.uses`). */
  uses?: string;
  outputs: PlainRecord;
  env: PlainRecord;
  timeoutMinutes: Plain | undefined;
  concurrency: Plain | undefined;
  steps: Step[];
  record: PlainRecord;
}

export interface Workflow {
  file: string;
  document: PlainRecord;
  /** Event names under `on:`. */
  triggers: string[];
  /** The `on:` value per event (null when given as a bare name). */
  triggerConfig: PlainRecord;
  permissions: Plain | undefined;
  env: PlainRecord;
  /** `defaults.run.shell`, when set. */
  defaultShell?: string;
  concurrency: Plain | undefined;
  jobs: Job[];
  jobById: Map<string, Job>;
}

export class WorkflowParseError extends Error {}

function textOf(value: Plain | undefined): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return undefined;
}

function needsOf(value: Plain | undefined): string[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).map((need) => String(need));
}

function environmentOf(value: Plain | undefined): string | undefined {
  if (typeof value === "string") return value;
  const name = asRecord(value)?.["name"];
  return typeof name === "string" ? name : undefined;
}

function triggersOf(document: PlainRecord): { triggers: string[]; config: PlainRecord } {
  // YAML 1.1 reads a bare `on` key as the boolean true; the `yaml` package (1.2) keeps "on", but a quoted `"true"` is possible.
  const on = document["on"] ?? document["true"];
  if (typeof on === "string") return { triggers: [on], config: { [on]: null } };
  if (Array.isArray(on)) return { triggers: on.map(String), config: Object.fromEntries(on.map((event) => [String(event), null])) };
  const config = asRecord(on) ?? {};
  return { triggers: Object.keys(config), config };
}

/** Parses a workflow file. Throws WorkflowParseError when it is not YAML or not a mapping with jobs. */
export function parseWorkflow(file: string, content: string): Workflow {
  let document: Plain;
  try {
    document = plain(parse(content, { uniqueKeys: true, maxAliasCount: 100 }) as unknown);
  } catch (error) {
    throw new WorkflowParseError(`${file} is not valid YAML: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`);
  }
  if (!isRecord(document)) throw new WorkflowParseError(`${file} is not a YAML mapping`);
  const jobsRecord = asRecord(document["jobs"]);
  if (!jobsRecord) throw new WorkflowParseError(`${file} has no jobs mapping`);
  const { triggers, config } = triggersOf(document);
  const workflowEnv = asRecord(document["env"]) ?? {};
  const jobs: Job[] = [];
  for (const [id, value] of Object.entries(jobsRecord)) {
    const record = asRecord(value);
    if (!record) throw new WorkflowParseError(`${file}: jobs.${id} is not a mapping`);
    const jobEnv = asRecord(record["env"]) ?? {};
    const steps: Step[] = asArray(record["steps"]).map((item, index) => {
      const step = asRecord(item) ?? {};
      const env = asRecord(step["env"]) ?? {};
      return {
        job: id,
        index,
        at: `jobs.${id}.steps[${index}]`,
        name: textOf(step["name"]) ?? textOf(step["id"]) ?? textOf(step["uses"]) ?? textOf(step["run"])?.split("\n")[0] ?? `step ${index + 1}`,
        id: textOf(step["id"]),
        if: step["if"],
        uses: textOf(step["uses"]),
        run: textOf(step["run"]),
        shell: textOf(step["shell"]),
        with: asRecord(step["with"]) ?? {},
        env,
        effectiveEnv: { ...workflowEnv, ...jobEnv, ...env },
        continueOnError: step["continue-on-error"],
        record: step,
      };
    });
    jobs.push({
      id,
      at: `jobs.${id}`,
      name: textOf(record["name"]),
      needs: needsOf(record["needs"]),
      if: record["if"],
      environment: environmentOf(record["environment"]),
      permissions: record["permissions"],
      continueOnError: record["continue-on-error"],
      uses: textOf(record["uses"]),
      outputs: asRecord(record["outputs"]) ?? {},
      env: jobEnv,
      timeoutMinutes: record["timeout-minutes"],
      concurrency: record["concurrency"],
      steps,
      record,
    });
  }
  const defaults = asRecord(asRecord(document["defaults"])?.["run"]);
  return {
    file,
    document,
    triggers,
    triggerConfig: config,
    permissions: document["permissions"],
    env: workflowEnv,
    defaultShell: textOf(defaults?.["shell"]),
    concurrency: document["concurrency"],
    jobs,
    jobById: new Map(jobs.map((job) => [job.id, job])),
  };
}

/** Every job `id` waits for, directly or through others. */
export function ancestorsOf(workflow: Workflow, id: string): Set<string> {
  const seen = new Set<string>();
  const pending = [id];
  while (pending.length > 0) {
    const job = workflow.jobById.get(pending.pop()!);
    for (const need of job?.needs ?? []) {
      if (!seen.has(need)) {
        seen.add(need);
        pending.push(need);
      }
    }
  }
  return seen;
}

/** Whether `later` certainly runs after `earlier`: later in the same job, or in a job that needs (transitively) the earlier one's. */
export function runsAfter(workflow: Workflow, later: Step, earlier: Step): boolean {
  return later.job === earlier.job ? later.index > earlier.index : ancestorsOf(workflow, later.job).has(earlier.job);
}

/** Every step, jobs in dependency order (`needs`), steps in file order. */
export function orderedSteps(workflow: Workflow): Step[] {
  const state = new Map<string, boolean>();
  const ordered: Step[] = [];
  const visit = (id: string) => {
    if (state.has(id)) return;
    state.set(id, true);
    const job = workflow.jobById.get(id);
    if (!job) return;
    for (const need of job.needs) visit(need);
    ordered.push(...job.steps);
  };
  for (const job of workflow.jobs) visit(job.id);
  return ordered;
}
