import { parse } from "yaml";
import { resourcePolicy, ResourceInput, UnknownInputError } from "../lib/define";
import { anyGlobMatch } from "../lib/glob";
import { asArray, asRecord, isRecord, isUnknown, knownNumber, knownString, plain, Plain, PlainRecord } from "../lib/values";
import { REPOSITORY_FILE } from "./secrets";

const TOPICS = ["pipelines", "supply-chain"];

export interface WorkflowStep {
  job: string;
  index: number;
  record: PlainRecord;
  /** name, id, run, uses and with, and its job's id and name, lower-cased: what the step is part of. */
  text: string;
  /** name, id, run and uses only, lower-cased: what the step itself does. */
  own: string;
  /** The step's `if`, or its job's when the step has none. */
  condition: string;
}

export interface Workflow {
  file: string;
  document: PlainRecord;
  jobs: [string, PlainRecord][];
  /** Every step, jobs in dependency order (`needs`), steps in file order. */
  steps: WorkflowStep[];
}

function needsOf(job: PlainRecord): string[] {
  const needs = job["needs"];
  return (Array.isArray(needs) ? needs : needs === undefined || needs === null ? [] : [needs]).map(String);
}

function orderJobs(jobs: [string, PlainRecord][]): [string, PlainRecord][] {
  const byId = new Map(jobs);
  const ordered: [string, PlainRecord][] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (id: string) => {
    if (state.get(id) !== undefined) return;
    state.set(id, "visiting");
    const job = byId.get(id);
    if (!job) return;
    for (const need of needsOf(job)) visit(need);
    state.set(id, "done");
    ordered.push([id, job]);
  };
  for (const [id] of jobs) visit(id);
  return ordered;
}

const WORKFLOW_PATH = /^\.github\/workflows\/[^/]+\.ya?ml$/;

/** The path of the workflow a RepositoryFile commits, or undefined when the file is not a workflow (no parsing). */
export function workflowFileOf(resource: ResourceInput): string | undefined {
  const file = knownString(resource.props["file"]);
  return file !== undefined && WORKFLOW_PATH.test(file) ? file : undefined;
}

function parseWorkflow(file: string, content: string): Workflow {
  const document = plain(parse(content) as unknown);
  if (!isRecord(document)) throw new Error(`${file} is not a YAML mapping`);
  const jobs = Object.entries(asRecord(document["jobs"]) ?? {}).filter((entry): entry is [string, PlainRecord] => isRecord(entry[1]));
  const steps: WorkflowStep[] = [];
  for (const [id, job] of orderJobs(jobs)) {
    const jobText = [id, job["name"], job["uses"]].map((part) => (typeof part === "string" ? part : "")).join(" ");
    asArray(job["steps"]).forEach((step, index) => {
      const record = asRecord(step) ?? {};
      const own = [record["name"], record["id"], record["run"], record["uses"]]
        .map((part) => (typeof part === "string" ? part : ""))
        .join("\n")
        .toLowerCase();
      const text = `${own}\n${JSON.stringify(record["with"] ?? {}).toLowerCase()}\n${jobText.toLowerCase()}`;
      steps.push({ job: id, index, record, text, own, condition: String(record["if"] ?? job["if"] ?? "") });
    });
  }
  return { file, document, jobs, steps };
}

/**
 * Parsed workflows by path and content. Eight policies judge each workflow file, and the engine sends
 * each resource to every policy; parsing once per file instead of once per policy is most of the
 * pack's time on workflow files. Entries are read-only (policies never change a Workflow); a file
 * that does not parse is remembered as its error. Bounded: a stack has a handful of workflows.
 */
const parsed = new Map<string, Workflow | Error>();
const MAX_PARSED = 256;

function cachedWorkflow(file: string, content: string): Workflow {
  const key = `${file}\u0000${content}`;
  let entry = parsed.get(key);
  if (entry === undefined) {
    try {
      entry = parseWorkflow(file, content);
    } catch (error) {
      entry = error instanceof Error ? error : new Error(String(error));
    }
    if (parsed.size >= MAX_PARSED) parsed.delete(parsed.keys().next().value as string);
    parsed.set(key, entry);
  }
  if (entry instanceof Error) throw entry;
  return entry;
}

/** The workflow a RepositoryFile commits, or undefined when the file is not a workflow. Throws on YAML it cannot read. */
export function workflowOf(resource: ResourceInput): Workflow | undefined {
  const file = workflowFileOf(resource);
  if (file === undefined) return undefined;
  const content = resource.props["content"];
  if (isUnknown(content)) throw new UnknownInputError("content");
  return cachedWorkflow(file, typeof content === "string" ? content : "");
}

function judgedWorkflow(resource: ResourceInput, notApplicable: (reason: string) => never): Workflow {
  const workflow = workflowOf(resource);
  if (!workflow) notApplicable("not a workflow file");
  return workflow;
}

/**
 * The workflow when its path matches one of `globs`, else not applicable: checked on the path before
 * the content is parsed. (Unknown content is still reported first, as for every workflow policy.)
 */
function workflowMatching(resource: ResourceInput, globs: readonly string[], notApplicable: (reason: string) => never, reason: string): Workflow {
  const file = workflowFileOf(resource);
  if (file === undefined) notApplicable("not a workflow file");
  if (isUnknown(resource.props["content"])) throw new UnknownInputError("content");
  if (!anyGlobMatch(globs, file)) notApplicable(reason);
  return judgedWorkflow(resource, notApplicable);
}

export const actionsPinned = resourcePolicy<{ trustedPrefixes: string[] }>(
  {
    name: "workflow-actions-pinned-to-sha",
    description:
      "Third-party actions run with the deploy jobs' secrets, so each is pinned to a full commit SHA (a tag can be moved). " +
      'Spec, Never Commit: "API keys in code"; Pre-flight checks must be the ones reviewed.',
    severity: "high",
    remediation: ["Replace `uses: owner/action@v4` with `uses: owner/action@<40-hex commit sha> # v4`."],
    topics: TOPICS,
  },
  {
    types: [REPOSITORY_FILE],
    config: {
      defaults: { trustedPrefixes: [] },
      schema: { trustedPrefixes: { type: "array", items: { type: "string" }, description: "`uses` globs exempt from pinning (none by default)." } },
    },
    validate(resource, settings, report, args) {
      const workflow = judgedWorkflow(resource, args.notApplicable);
      const uses = [
        ...workflow.jobs.map(([, job]) => job["uses"]),
        ...workflow.steps.map((step) => step.record["uses"]),
      ].filter((value): value is string => typeof value === "string");
      for (const reference of uses) {
        if (reference.startsWith("./") || reference.startsWith("docker://")) continue;
        if (anyGlobMatch(settings.trustedPrefixes, reference)) continue;
        if (!/^[^@\s]+@[0-9a-f]{40}$/.test(reference)) report(`${workflow.file}: ${reference} is not pinned to a commit SHA`);
      }
    },
  },
);

export const permissionsReadOnly = resourcePolicy(
  {
    name: "workflow-permissions-read-only",
    description:
      "A workflow's default token can only read; the one job that needs more (id-token for the audit role, deployments) asks for it. " +
      'Spec, Compliance: "PCI: Production access restricted".',
    severity: "high",
    remediation: ["Add a top-level `permissions: { contents: read }` (or `{}`) and grant write scopes per job."],
    topics: TOPICS,
  },
  {
    types: [REPOSITORY_FILE],
    validate(resource, _settings, report, args) {
      const workflow = judgedWorkflow(resource, args.notApplicable);
      const permissions = workflow.document["permissions"];
      if (permissions === undefined) {
        report(`${workflow.file}: no top-level permissions: the token gets the repository's default (possibly write) scopes`);
      } else if (typeof permissions === "string") {
        if (permissions !== "read-all") report(`${workflow.file}: top-level permissions ${permissions}; read-all or read scopes only`);
      } else {
        const writes = Object.entries(asRecord(permissions) ?? {}).filter(([, level]) => level !== "read" && level !== "none");
        if (writes.length > 0) report(`${workflow.file}: top-level permissions grant ${writes.map(([scope, level]) => `${scope}: ${String(level)}`).join(", ")}`);
      }
    },
  },
);

function triggersOf(document: PlainRecord): string[] {
  const on = document["on"] ?? document["true"];
  if (typeof on === "string") return [on];
  if (Array.isArray(on)) return on.map(String);
  return Object.keys(asRecord(on) ?? {});
}

export const noPullRequestTarget = resourcePolicy(
  {
    name: "workflow-trigger-no-pull-request-target",
    description:
      "pull_request_target runs a fork's pull request with the base repository's secrets and write token. " +
      'Spec, Stage 1: "Verify (on every PR)" runs on pull_request, with no secrets.',
    severity: "critical",
    remediation: ["Trigger on pull_request instead; never check out and run a fork's code with secrets."],
    topics: TOPICS,
  },
  {
    types: [REPOSITORY_FILE],
    validate(resource, _settings, report, args) {
      const workflow = judgedWorkflow(resource, args.notApplicable);
      if (triggersOf(workflow.document).includes("pull_request_target")) report(`${workflow.file} is triggered by pull_request_target`);
    },
  },
);

interface ProductionSettings {
  productionWorkflows: string[];
  environment: string;
}
const productionDefaults: ProductionSettings = { productionWorkflows: [".github/workflows/deploy-production.y*ml"], environment: "production" };
const productionSchema = {
  productionWorkflows: { type: "array", items: { type: "string" }, minItems: 1, description: "Globs of the production deploy workflow's path." },
  environment: { type: "string", minLength: 1, description: "The GitHub environment production deploy jobs use." },
} as const;

function productionWorkflow(resource: ResourceInput, settings: ProductionSettings, notApplicable: (reason: string) => never): Workflow {
  return workflowMatching(resource, settings.productionWorkflows, notApplicable, "not the production deploy workflow");
}

function environmentOf(job: PlainRecord): string | undefined {
  const environment = job["environment"];
  return typeof environment === "string" ? environment : knownString(asRecord(environment)?.["name"]);
}

/** Every job `id` waits for, directly or through others. */
function ancestorsOf(workflow: Workflow, id: string): Set<string> {
  const byId = new Map(workflow.jobs);
  const seen = new Set<string>();
  const pending = [id];
  while (pending.length > 0) {
    const job = byId.get(pending.pop()!);
    if (!job) continue;
    for (const need of needsOf(job)) {
      if (!seen.has(need)) {
        seen.add(need);
        pending.push(need);
      }
    }
  }
  return seen;
}

/** Whether `later` certainly runs after `earlier`: later in the same job, or in a job that needs (transitively) the earlier one's. */
function runsAfter(workflow: Workflow, later: WorkflowStep, earlier: WorkflowStep): boolean {
  return later.job === earlier.job ? later.index > earlier.index : ancestorsOf(workflow, later.job).has(earlier.job);
}

const ON_FAILURE = /failure\(\)/;
const SMOKE = /smoke/;
const ROLLBACK = /roll\s*-?back/;
const MIGRATION = /(alembic\s+upgrade|prisma\s+migrate\s+deploy|\bmigrate\b|(run|apply) (the )?(database )?migrations)/;
const DEPLOY = /\b(railway\s+(up|redeploy|deploy)|vercel\s+(promote|deploy|alias))\b|\bdeploy (api|web)\b/;
const PROMOTE = /\bimagetools\s+create\b|\bcrane\s+(tag|copy)\b|\bdocker\s+push\b/;

export const productionUsesEnvironment = resourcePolicy<ProductionSettings>(
  {
    name: "workflow-production-deploy-uses-environment",
    description:
      'A production deploy waits for one manual approval: everything that changes production runs in ONE job in the production environment ' +
      "(GitHub pauses every job that names a protected environment for its reviewers, so two such jobs mean two approvals). " +
      'Spec, Stage 3: "Require manual approval"; Deploying to Production: "GitHub Actions: Manual approval gate".',
    severity: "critical",
    remediation: [
      "Put the steps that promote, migrate and deploy in one job with `environment: production`.",
      "Keep checks that need no environment values (pre-flight) and follow-ups (release notes) in jobs without an environment.",
    ],
    topics: ["pipelines", "change-management"],
  },
  {
    types: [REPOSITORY_FILE],
    config: { defaults: productionDefaults, schema: productionSchema },
    validate(resource, settings, report, args) {
      const workflow = productionWorkflow(resource, settings, args.notApplicable);
      const gated = workflow.jobs.filter(([, job]) => environmentOf(job) === settings.environment).map(([id]) => id);
      if (gated.length === 0) {
        report(`${workflow.file}: no job runs in environment ${settings.environment}: nothing waits for approval`);
        return;
      }
      if (gated.length > 1) {
        report(`${workflow.file}: ${gated.length} jobs run in environment ${settings.environment} (${gated.join(", ")}): each waits for its own approval; put the production steps in one job`);
      }
      const outside = new Set<string>();
      for (const step of workflow.steps) {
        if (gated.includes(step.job) || outside.has(step.job)) continue;
        if (DEPLOY.test(step.own) || MIGRATION.test(step.own) || PROMOTE.test(step.own)) {
          outside.add(step.job);
          report(`${workflow.file}: job ${step.job} step ${step.index + 1} changes production outside environment ${settings.environment}: it runs without approval`);
        }
      }
    },
  },
);

const BUILD = /\b(docker\s+(buildx\s+)?build|(pnpm|npm|yarn)\s+(run\s+)?build|next\s+build|vercel\s+build|docker\/build-push-action)\b/;

export const productionPromotesArtifacts = resourcePolicy<ProductionSettings>(
  {
    name: "workflow-production-promotes-without-build",
    description:
      'Production gets the exact artifacts staging tested. Spec, Artifact Promotion: "Build once, promote to production (not rebuild) … Ensures exact same code tested in staging goes to production".',
    severity: "high",
    remediation: ["Remove build steps from the production workflow; promote the staging image by digest and the Vercel deployment by URL."],
    topics: ["pipelines"],
  },
  {
    types: [REPOSITORY_FILE],
    config: { defaults: productionDefaults, schema: productionSchema },
    validate(resource, settings, report, args) {
      const workflow = productionWorkflow(resource, settings, args.notApplicable);
      for (const step of workflow.steps) {
        const match = BUILD.exec(step.own);
        if (match) report(`${workflow.file}: job ${step.job} step ${step.index + 1} builds (${match[0]}) instead of promoting`);
      }
    },
  },
);

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Whether `rollback`'s condition names the smoke step's failure: its step outcome in the same job, its job's result in a later one. */
function onSmokeFailure(rollback: WorkflowStep, smoke: WorkflowStep): boolean {
  if (rollback.job !== smoke.job) return new RegExp(`needs\\.${escapeRegExp(smoke.job)}\\.result\\s*==\\s*'failure'`).test(rollback.condition);
  const id = smoke.record["id"];
  return typeof id === "string" && new RegExp(`steps\\.${escapeRegExp(id)}\\.(outcome|conclusion)\\s*==\\s*'failure'`).test(rollback.condition);
}

export const productionSmokeRollback = resourcePolicy<ProductionSettings>(
  {
    name: "workflow-production-smoke-tests-roll-back",
    description: 'A production deploy is checked and undone automatically when the check fails. Spec, Stage 3: "Run smoke tests … Rollback if: Smoke tests fail".',
    severity: "high",
    remediation: [
      "Run the smoke tests in a step with an id after the deploy steps, then rollback steps after them with " +
        "`if: failure() && steps.<smoke id>.outcome == 'failure'` (or a rollback job with `if: failure() && needs.<smoke job>.result == 'failure'`).",
    ],
    topics: ["pipelines", "rollback"],
  },
  {
    types: [REPOSITORY_FILE],
    config: { defaults: productionDefaults, schema: productionSchema },
    validate(resource, settings, report, args) {
      const workflow = productionWorkflow(resource, settings, args.notApplicable);
      // The smoke tests that check the deploy: after a deploy step (a pre-flight that looks for staging's smoke tests is not one).
      const normal = workflow.steps.filter((step) => !ON_FAILURE.test(step.condition));
      const deploys = normal.filter((step) => DEPLOY.test(step.own));
      const smoke = normal.find((step) => SMOKE.test(step.own) && deploys.some((deploy) => runsAfter(workflow, step, deploy)));
      if (!smoke) {
        report(`${workflow.file}: no smoke test step after the deploy steps`);
        return;
      }
      const rollbacks = workflow.steps.filter((step) => ROLLBACK.test(step.own) && runsAfter(workflow, step, smoke));
      const onFailure = rollbacks.filter((step) => ON_FAILURE.test(step.condition));
      if (rollbacks.length === 0) report(`${workflow.file}: no rollback step after the smoke tests (job ${smoke.job} step ${smoke.index + 1})`);
      else if (onFailure.length === 0) report(`${workflow.file}: no rollback step with if: failure() after the smoke tests`);
      else if (!onFailure.some((step) => onSmokeFailure(step, smoke))) {
        const id = smoke.record["id"];
        report(
          typeof id === "string"
            ? `${workflow.file}: no rollback step runs when the smoke tests fail: condition it on steps.${id}.outcome == 'failure'`
            : `${workflow.file}: the smoke test step (job ${smoke.job} step ${smoke.index + 1}) has no id, so no rollback step can run on its failure`,
        );
      }
    },
  },
);

export const productionMigratesFirst = resourcePolicy<ProductionSettings>(
  {
    name: "workflow-production-migrations-before-deploy",
    description:
      'Database migrations run before the new code serves traffic. Spec, Database Migrations: "Auto-apply before deployment … CI runs migration in production before deploying app".',
    severity: "high",
    remediation: ["Run `alembic upgrade head` in a step before the Railway and Vercel deploy steps of the deploy job (or in a job the deploy job `needs`)."],
    topics: ["pipelines", "database"],
  },
  {
    types: [REPOSITORY_FILE],
    config: { defaults: productionDefaults, schema: productionSchema },
    validate(resource, settings, report, args) {
      const workflow = productionWorkflow(resource, settings, args.notApplicable);
      const normal = workflow.steps.filter((step) => !ON_FAILURE.test(step.condition));
      const migration = normal.find((step) => MIGRATION.test(step.own));
      if (!migration) {
        report(`${workflow.file}: no migration step`);
        return;
      }
      const early = normal.find((step) => DEPLOY.test(step.own) && !MIGRATION.test(step.own) && !runsAfter(workflow, step, migration));
      if (early) {
        report(
          `${workflow.file}: job ${early.job} step ${early.index + 1} deploys before the migrations run (job ${migration.job} step ${migration.index + 1})`,
        );
      }
    },
  },
);

interface Budget {
  key: RegExp;
  label: string;
  bound: number;
  direction: "min" | "max";
}

function budgetSettingsOf(settings: BudgetSettings): Budget[] {
  return [
    { key: /(lighthouse.*(min|score))|(min.*lighthouse)|minscore/i, label: "Lighthouse performance score", bound: settings.lighthouseMinScore, direction: "min" },
    { key: /((js|bundle).*(kb|max))|(max.*(js|bundle))/i, label: "initial JS bundle (KB)", bound: settings.initialJsMaxKb, direction: "max" },
    { key: /((docker|image).*(mb|max))|(max.*(docker|image))/i, label: "Docker image size (MB)", bound: settings.dockerImageMaxMb, direction: "max" },
  ];
}

interface BudgetSettings {
  verifyWorkflows: string[];
  job: string;
  lighthouseMinScore: number;
  initialJsMaxKb: number;
  dockerImageMaxMb: number;
}

/** Every `key: value` a job sets: its env, and each step's env and with. */
function settingsOfJob(job: PlainRecord): [string, Plain][] {
  const pairs: [string, Plain][] = Object.entries(asRecord(job["env"]) ?? {});
  for (const step of asArray(job["steps"])) {
    const record = asRecord(step) ?? {};
    pairs.push(...Object.entries(asRecord(record["env"]) ?? {}), ...Object.entries(asRecord(record["with"]) ?? {}));
  }
  return pairs;
}

export const performanceBudgets = resourcePolicy<BudgetSettings>(
  {
    name: "workflow-verify-performance-budgets",
    description:
      'Pull requests are held to the spec\'s performance budgets. Spec, Performance Validation: "Lighthouse CI score ≥ 85; Bundle size < 200KB initial load; Docker image size < 500MB".',
    severity: "medium",
    remediation: [
      "Keep a performance-budgets job in verify.yml, with its thresholds as env or with values (e.g. LIGHTHOUSE_MIN_SCORE, INITIAL_JS_MAX_KB, DOCKER_IMAGE_MAX_MB).",
      "Thresholds come from flightdeck:budgets; keep them no looser than the spec.",
    ],
    topics: ["pipelines", "performance"],
  },
  {
    types: [REPOSITORY_FILE],
    config: {
      defaults: { verifyWorkflows: [".github/workflows/verify.y*ml"], job: "performance-budgets", lighthouseMinScore: 85, initialJsMaxKb: 200, dockerImageMaxMb: 500 },
      schema: {
        verifyWorkflows: { type: "array", items: { type: "string" }, minItems: 1, description: "Globs of the verify workflow's path." },
        job: { type: "string", minLength: 1, description: "Id of the job that checks the budgets." },
        lighthouseMinScore: { type: "number", minimum: 0, maximum: 100, description: "Lowest Lighthouse performance score a budget may accept." },
        initialJsMaxKb: { type: "number", minimum: 1, description: "Largest initial JS bundle a budget may accept, in KB." },
        dockerImageMaxMb: { type: "number", minimum: 1, description: "Largest Docker image a budget may accept, in MB." },
      },
    },
    validate(resource, settings, report, args) {
      const workflow = workflowMatching(resource, settings.verifyWorkflows, args.notApplicable, "not the verify workflow");
      const job = workflow.jobs.find(([id]) => id === settings.job)?.[1];
      if (!job) {
        report(`${workflow.file}: no ${settings.job} job`);
        return;
      }
      const pairs = settingsOfJob(job);
      for (const budget of budgetSettingsOf(settings)) {
        const found = pairs.filter(([key]) => budget.key.test(key)).map(([key, value]) => [key, knownNumber(value)] as const);
        const numeric = found.filter((entry): entry is readonly [string, number] => entry[1] !== undefined);
        if (numeric.length === 0) {
          report(`${workflow.file}: job ${settings.job} sets no ${budget.label} threshold`);
          continue;
        }
        for (const [key, raw] of numeric) {
          const value = budget.direction === "min" && raw > 0 && raw <= 1 ? raw * 100 : raw;
          const loose = budget.direction === "min" ? value < budget.bound : value > budget.bound;
          if (loose) report(`${workflow.file}: ${key} = ${raw} is looser than the spec's ${budget.label} ${budget.direction === "min" ? "≥" : "≤"} ${budget.bound}`);
        }
      }
    },
  },
);

export const workflowPolicies = [
  actionsPinned,
  permissionsReadOnly,
  noPullRequestTarget,
  productionUsesEnvironment,
  productionPromotesArtifacts,
  productionSmokeRollback,
  productionMigratesFirst,
  performanceBudgets,
];
