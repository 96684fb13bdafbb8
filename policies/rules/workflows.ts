import { ResourceValidationArgs } from "@pulumi/policy";
import { now } from "../lib/clock";
import { resourcePolicy, ResourceInput, stackPolicy, UnknownInputError } from "../lib/define";
import { anyGlobMatch } from "../lib/glob";
import { asArray, asRecord, isUnknown, knownNumber, knownString, Plain, PlainRecord } from "../lib/values";
import {
  auditProblems,
  broadTopLevelPermissions,
  CheckContext,
  DEFAULT_CONTEXT,
  environmentProblems,
  Finding,
  gateBypasses,
  hardeningBaseline,
  isRollbackOnly,
  jobPermissionProblems,
  preflightProblems,
  productionTriggers,
  pullRequestTarget,
  remoteScriptExecution,
  rollbackProblems,
  secretExposure,
  toolsOfJob,
  unpinnedActions,
  unpinnedTools,
  untrustedWorkflowRun,
} from "../lib/workflow/checks";
import { conditionIn } from "../lib/workflow/expression";
import { cachedWorkflow, workflowPathOf } from "../lib/workflow/files";
import { Job, orderedSteps, runsAfter, Step, Workflow, WorkflowParseError } from "../lib/workflow/model";
import { isPreflightJob } from "../lib/workflow/preflight";
import { allCommandsOfStep, deployKindsOfStep, isGateCommand, isGateStep, jobRoles, servesTraffic, toolOf, tracesToArtifact, vercelSubcommand } from "../lib/workflow/roles";
import { REPOSITORY_FILE } from "./secrets";

/**
 * Workflow policies, judged on the structure of each workflow file the stack commits (any
 * `github.RepositoryFile` under `.github/workflows/`, any name, .yml or .yaml, any branch), through
 * the shared analyser in policies/lib/workflow/: what each job runs, with which token and secrets,
 * in which order, and whether a failure stops it. A job that runs the Vercel or Railway CLI or API,
 * migrates a database with a secret in reach, or assumes an AWS role is a deploy job wherever it is.
 */

const TOPICS = ["pipelines", "supply-chain"];

/** The workflow a RepositoryFile commits, parsed; undefined when the file is not a workflow. Unknown content is reported as such. */
export function workflowOf(resource: ResourceInput): Workflow | WorkflowParseError | undefined {
  // A path not known until apply may well be a workflow: judged on update, when it is known.
  if (isUnknown(resource.props["file"])) throw new UnknownInputError("file");
  const file = workflowPathOf(resource.props["file"]);
  if (file === undefined) return undefined;
  const content = resource.props["content"];
  if (isUnknown(content)) throw new UnknownInputError("content");
  return cachedWorkflow(file, typeof content === "string" ? content : "");
}

/** The parsed workflow, or not applicable (not a workflow file, or one that does not parse: workflow-file-parses reports that). */
function judged(resource: ResourceInput, args: ResourceValidationArgs): Workflow {
  const workflow = workflowOf(resource);
  if (workflow === undefined) args.notApplicable("not a workflow file");
  if (workflow instanceof WorkflowParseError) args.notApplicable("the file does not parse (see workflow-file-parses)");
  return workflow;
}

/** One violation per file and policy, listing every finding (one line each, `<file> <YAML path>: <problem>`). */
function reportAll(report: (message: string) => void, workflow: Workflow, findings: Finding[]): void {
  if (findings.length > 0) report(findings.map((finding) => `${workflow.file} ${finding.at}: ${finding.message}`).join("\n"));
}

interface ProductionSettings {
  productionWorkflows: string[];
  environment: string;
}
const productionDefaults: ProductionSettings = { productionWorkflows: [".github/workflows/deploy-production.y*ml"], environment: "production" };
const productionSchema = {
  productionWorkflows: { type: "array", items: { type: "string" }, minItems: 1, description: "Globs of the production deploy workflow's path (it must have a job in the production environment)." },
  environment: { type: "string", minLength: 1, description: "The GitHub environment production deploy jobs use." },
} as const;

interface GateSettings {
  verifyWorkflows: string[];
  requiredChecks: string[];
  environment: string;
}
const gateDefaults: GateSettings = { verifyWorkflows: [".github/workflows/verify.y*ml"], requiredChecks: DEFAULT_CONTEXT.requiredChecks.slice(), environment: "production" };
const gateSchema = {
  verifyWorkflows: { type: "array", items: { type: "string" }, minItems: 1, description: "Globs of the verify workflow's path." },
  requiredChecks: { type: "array", items: { type: "string" }, description: "Jobs of the verify workflow that are required checks (gates as a whole)." },
  environment: { type: "string", minLength: 1, description: "The GitHub environment production deploy jobs use." },
} as const;

function contextOf(workflow: Workflow, settings: Partial<GateSettings> & { environment: string }): CheckContext {
  return {
    productionEnvironment: settings.environment,
    requiredChecks: settings.requiredChecks ?? DEFAULT_CONTEXT.requiredChecks,
    isVerifyWorkflow: anyGlobMatch(settings.verifyWorkflows ?? gateDefaults.verifyWorkflows, workflow.file),
  };
}

/** A policy over every workflow file that reports a check's findings. */
function structuralPolicy<C extends { environment?: string }>(
  meta: Parameters<typeof resourcePolicy>[0],
  config: { defaults: C; schema: { [K in keyof C]: object } } | undefined,
  check: (workflow: Workflow, settings: C) => Finding[],
) {
  return resourcePolicy<C>(meta, {
    types: [REPOSITORY_FILE],
    config: config as never,
    validate(resource, settings, report, args) {
      const workflow = judged(resource, args);
      reportAll(report, workflow, check(workflow, settings));
    },
  });
}

export const workflowParses = resourcePolicy(
  {
    name: "workflow-file-parses",
    description:
      "A workflow file the stack commits must be one GitHub runs as written: valid YAML (no duplicate keys), a mapping with jobs. A file the pack cannot read is not judged by the other workflow policies, so it is a violation itself. " +
      'Spec, CI/CD Pipeline: "Configuration: `.github/workflows/`".',
    severity: "critical",
    remediation: ["Fix the YAML of the workflow file (the message names the first error).", "Keep workflow files generated by infra/workflows/ (they always parse)."],
    topics: TOPICS,
  },
  {
    types: [REPOSITORY_FILE],
    validate(resource, _settings, report, args) {
      const workflow = workflowOf(resource);
      if (workflow === undefined) args.notApplicable("not a workflow file");
      if (workflow instanceof WorkflowParseError) report(workflow.message);
    },
  },
);

export const actionsPinned = resourcePolicy<{ trustedPrefixes: string[] }>(
  {
    name: "workflow-actions-pinned-to-sha",
    description:
      "Third-party actions run with the deploy jobs' secrets, so each is pinned to a full commit SHA (a tag can be moved), docker:// images to a digest, and reusable workflows come from this repository. " +
      'Spec, Never Commit: "API keys in code"; Pre-flight checks must be the ones reviewed.',
    severity: "high",
    remediation: ["Replace `uses: owner/action@v4` with `uses: owner/action@<40-hex commit sha> # v4`.", "Call only reusable workflows of this repository (`uses: ./.github/workflows/x.yml`)."],
    topics: TOPICS,
  },
  {
    types: [REPOSITORY_FILE],
    config: {
      defaults: { trustedPrefixes: [] },
      schema: { trustedPrefixes: { type: "array", items: { type: "string" }, description: "`uses` globs exempt from pinning (none by default)." } },
    },
    validate(resource, settings, report, args) {
      const workflow = judged(resource, args);
      reportAll(report, workflow, unpinnedActions(workflow, (reference) => anyGlobMatch(settings.trustedPrefixes, reference)));
    },
  },
);

export const permissionsLeastPrivilege = structuralPolicy(
  {
    name: "workflow-permissions-least-privilege",
    description:
      "The workflow token grants nothing by default (top-level `permissions: {}` or read scopes), and each job states its permissions and writes only what it does: contents for releases, packages for image pushes, deployments for GitHub deployment records, id-token for the OIDC role, pull-requests for comments; never write-all. " +
      'Spec, Compliance: "PCI: Production access restricted".',
    severity: "high",
    remediation: [
      "Add a top-level `permissions: {}` (or read scopes only).",
      "Give every job a `permissions:` block with read scopes, plus `write` only for a scope a step of that job uses; never `write-all`.",
    ],
    topics: TOPICS,
  },
  undefined,
  (workflow) => [...broadTopLevelPermissions(workflow), ...jobPermissionProblems(workflow)],
);

export const triggersTrusted = structuralPolicy<{ environment: string }>(
  {
    name: "workflow-triggers-trusted",
    description:
      "What starts a workflow decides whose code runs with this repository's secrets: never pull_request_target (a fork's pull request with the base repository's secrets and write token); workflow_run only from named branches, each job checking the triggering run is this repository's; and a workflow that deploys to production starts only by hand (workflow_dispatch), never by a push, schedule, workflow_call or another workflow. " +
      'Spec, Stage 1: "Verify (on every PR)" runs on pull_request, without secrets; Production: "Deploy Trigger: Manual approval after staging validation".',
    severity: "critical",
    remediation: [
      "Trigger pull-request checks on pull_request, never pull_request_target.",
      "Prefer workflow_dispatch or push to workflow_run; otherwise list `on.workflow_run.branches` (no wildcards) and give every job `if: github.event.workflow_run.head_repository.full_name == github.repository`.",
      "Trigger workflows that deploy to production only with `on: workflow_dispatch`.",
    ],
    topics: TOPICS,
  },
  { defaults: { environment: "production" }, schema: { environment: productionSchema.environment } },
  (workflow, settings) => [...pullRequestTarget(workflow), ...untrustedWorkflowRun(workflow), ...productionTriggers(workflow, { ...DEFAULT_CONTEXT, productionEnvironment: settings.environment })],
);

export const gatesFailClosed = structuralPolicy<GateSettings>(
  {
    name: "workflow-gate-steps-fail-closed",
    description:
      "Tests, lint, type checks, security scans, budgets, smoke tests and the pre-flight stop the run when they fail (a gate that cannot fail is no gate): no continue-on-error (step or job, literal or expression), no `|| true` / `|| :` / `; exit 0` / `set +e`, no check hidden in a condition or a pipe, and no `if:` that skips them when all is well (a skipped required check reports success). " +
      'Spec, Stage 1: "Blocks merge if: Any step fails"; Quality Gates: "Smoke tests pass", "Pre-flight checks pass".',
    severity: "high",
    remediation: [
      "Remove `continue-on-error` from the gate step and its job.",
      "Remove `|| true`, `|| exit 0`, `set +e` and top-level `exit 0` from its script; let the check's exit status fail the step.",
      "Give required check jobs no `if:` and no `needs:`.",
    ],
    topics: ["pipelines", "quality-gates"],
  },
  { defaults: gateDefaults, schema: gateSchema },
  (workflow, settings) => gateBypasses(workflow, contextOf(workflow, settings)),
);

export const toolsPinned = structuralPolicy(
  {
    name: "workflow-tools-installed-pinned",
    description:
      "Every tool a workflow installs comes from a registry at an exact version (npm -g, npx, pnpm dlx, pip, pipx, uv, go install, cargo, gem, apt), and no script is downloaded and executed at run time (`curl … | sh`, `bash <(curl …)`, download then run): either runs a different program tomorrow, with the job's secrets. Runtimes from setup actions name a version line, not an alias (latest, lts/*). " +
      'Spec, Stage 1: "Security scan (npm audit, safety)": what runs must be what was scanned; Artifact Promotion: "Ensures exact same code tested in staging goes to production".',
    severity: "high",
    remediation: [
      "Write the exact version: `npm install --global vercel@64.0.2`, `pip install ruff==0.8.4`, `go install x@v1.2.3`; project dependencies come from the lockfile.",
      "Replace `curl … | sh` with the tool's package at an exact version, or a pinned action; a binary that must be downloaded is checked against its sha256 before it runs.",
    ],
    topics: TOPICS,
  },
  undefined,
  (workflow) => [...remoteScriptExecution(workflow), ...unpinnedTools(workflow)],
);

export const secretsNotExposed = structuralPolicy(
  {
    name: "workflow-secrets-not-exposed",
    description:
      "A secret stays a secret in the run: never echoed, base64-encoded (log masking misses it), written to a file, $GITHUB_OUTPUT or $GITHUB_ENV, exposed as a job output, dumped with the environment, or pasted into a script as an expression. " +
      'Spec, Secrets Management: "Env vars injected at runtime (not in code)"; Never Commit: "API keys in code".',
    severity: "critical",
    remediation: ["Pass secrets to the commands that need them through `env:`, and only as arguments or headers of those commands.", "Never print, encode, store or output them; rotate any secret a run exposed."],
    topics: ["pipelines", "secrets"],
  },
  undefined,
  (workflow) => secretExposure(workflow),
);

export const jobsHardened = structuralPolicy<{ environment: string }>(
  {
    name: "workflow-jobs-hardened",
    description:
      "The hardening every workflow keeps: checkouts do not persist the token, expressions reach scripts only through env (no script injection), every job has a timeout, and deploys to one environment never overlap or get cancelled half-way. " +
      'Spec, Compliance: "PCI: Production access restricted".',
    severity: "medium",
    remediation: [
      "actions/checkout with `persist-credentials: false`.",
      "Move `${{ … }}` out of `run:` into the step's `env:`.",
      "Give every job `timeout-minutes`.",
      "Give deploying workflows (or jobs) `concurrency: { group: deploy-<environment>, cancel-in-progress: false }`.",
    ],
    topics: TOPICS,
  },
  { defaults: { environment: "production" }, schema: { environment: productionSchema.environment } },
  (workflow, settings) => hardeningBaseline(workflow, { ...DEFAULT_CONTEXT, productionEnvironment: settings.environment }),
);

export const productionUsesEnvironment = resourcePolicy<ProductionSettings>(
  {
    name: "workflow-production-deploy-uses-environment",
    description:
      "Every job that deploys runs in its GitHub environment (approvals, environment secrets), and production changes in ONE job in the production environment, so its reviewers approve each deploy once (GitHub pauses every job that names a protected environment). A job that deploys to production from another environment, or from none, runs without approval; that includes a staging job that points a domain it does not take from its own environment (`vercel alias set … app.example.com`) or runs `vercel rollback` (Instant Rollback moves production's domains), since Vercel tokens belong to the team, not to an environment. " +
      "A job names its environment as a literal: an expression (`${{ inputs.target }}`, `${{ github.ref == 'refs/heads/main' && 'production' || 'staging' }}`) can evaluate to an environment other than the one the pack judged; only one made of literals alone is read, as its value, and `${{ inputs.<name> }}` of a workflow started only by workflow_dispatch whose input is a \`choice\` (GitHub refuses any other value) is judged as each of its options. " +
      'Spec, Stage 3: "Require manual approval"; Deploying to Production: "GitHub Actions: Manual approval gate".',
    severity: "critical",
    remediation: [
      "Put the steps that promote, migrate and deploy in one job with `environment: production`.",
      "Give every other deploy job the environment it deploys to; keep checks that need no environment values (pre-flight) and follow-ups (release notes) in jobs without one.",
    ],
    topics: ["pipelines", "change-management"],
  },
  {
    types: [REPOSITORY_FILE],
    config: { defaults: productionDefaults, schema: productionSchema },
    validate(resource, settings, report, args) {
      const workflow = judged(resource, args);
      reportAll(report, workflow, environmentProblems(workflow, { ...DEFAULT_CONTEXT, productionEnvironment: settings.environment }, anyGlobMatch(settings.productionWorkflows, workflow.file)));
    },
  },
);

export const productionNeedsPreflight = structuralPolicy<{ environment: string }>(
  {
    name: "workflow-production-deploy-needs-preflight",
    description:
      "A job that deploys to production waits for the pre-flight: a job that deploys nothing and runs the schedule check (window and freezes), reached through `needs` without a job that runs after a failure (always(), failure(), continue-on-error). A rollback to a recorded release waits for the job that resolved it instead. " +
      "Every job that names the production environment counts as a production deploy, whatever its steps run (a release script or local action of the app repository, a package runner the pack does not read): it passes production's approval and receives its credentials. " +
      'Spec, Quality Gates: "Pre-flight checks pass"; Stage 3: "Pre-flight validation".',
    severity: "critical",
    remediation: ["Make the deploy job `needs:` the pre-flight job (directly or through jobs without always()/failure()).", "Keep the schedule check (policies/lib/scheduleCheck.ts) in that pre-flight job."],
    topics: ["pipelines", "change-management"],
  },
  { defaults: { environment: "production" }, schema: { environment: productionSchema.environment } },
  (workflow, settings) => preflightProblems(workflow, { ...DEFAULT_CONTEXT, productionEnvironment: settings.environment }, isPreflightJob),
);

export const auditAlways = structuralPolicy<{ environment: string }>(
  {
    name: "workflow-deploy-audit-record-always",
    description:
      "Every deploy, failed, cancelled or successful, leaves an audit record: the step that writes it runs with `if: always()`, in a job that waits for every deploy job and also runs always(). " +
      'Spec, Compliance: "Audit logs: All production changes logged".',
    severity: "high",
    remediation: ["Write the audit record in a step with `if: ${{ always() }}` (after `aws-actions/configure-aws-credentials` with the same condition), in the deploy job or in a job with `if: always()` that needs every deploy job."],
    topics: ["pipelines", "audit"],
  },
  { defaults: { environment: "production" }, schema: { environment: productionSchema.environment } },
  (workflow, settings) => auditProblems(workflow, { ...DEFAULT_CONTEXT, productionEnvironment: settings.environment }),
);

export const rollbackRedeploysRecordedRelease = structuralPolicy(
  {
    name: "workflow-rollback-redeploys-recorded-release",
    description:
      "A rollback step really puts back the previous release, as its deploy recorded it (GitHub deployment payload: API image by digest, production web deployment): it calls the deploy tool with a target from a release lookup, never `railway redeploy` (the latest deployment), a tag like `:latest`, or nothing at all. " +
      'Spec, Rollback Procedure: "Quick Rollback (< 5 minutes)"; Stage 3: "Rollback if: Smoke tests fail".',
    severity: "high",
    remediation: [
      "Resolve the target from the recorded GitHub deployments (a step that reads `repos/…/deployments` and writes it to $GITHUB_OUTPUT), and pass it to the rollback step through env.",
      "Deploy the API with the Railway API script (IMAGE by digest) and the web with `vercel rollback <recorded deployment>`.",
    ],
    topics: ["pipelines", "rollback"],
  },
  undefined,
  (workflow) => rollbackProblems(workflow),
);

/** Jobs of a workflow that deploy to production (rollbacks to recorded releases aside). */
function productionDeployJobs(workflow: Workflow, environment: string): Job[] {
  return jobRoles(workflow, environment)
    .filter((role) => role.production && !isRollbackOnly(workflow, role.job))
    .map((role) => role.job);
}

const IMAGE_BUILD = /\b(docker\s+(buildx\s+)?build|docker\s+compose\s+build|buildx\s+bake|nixpacks\s+build|pack\s+build)\b/;

export const productionPromotesArtifacts = resourcePolicy<ProductionSettings>(
  {
    name: "workflow-production-promotes-without-build",
    description:
      'Production runs the API image staging tested: it is promoted by digest, never rebuilt (`docker build`, `docker/build-push-action`, `railway up` builds from source). Spec, Artifact Promotion: "Build once, promote to production (not rebuild) … Ensures exact same code tested in staging goes to production". ' +
      "(The web is the exception: Next.js inlines NEXT_PUBLIC_* at build time, so production builds it with production values; see workflow-production-web-built-for-production.)",
    severity: "high",
    remediation: ["Remove image builds from the jobs that deploy to production; promote the staging image by digest (`docker buildx imagetools create … <repo>@<digest>`)."],
    topics: ["pipelines"],
  },
  {
    types: [REPOSITORY_FILE],
    config: { defaults: productionDefaults, schema: productionSchema },
    validate(resource, settings, report, args) {
      const workflow = judged(resource, args);
      for (const job of productionDeployJobs(workflow, settings.environment)) {
        for (const step of job.steps) {
          const match = IMAGE_BUILD.exec(step.run ?? "");
          const railwayUp = allCommandsOfStep(step).some((command) => toolOf(command).tool === "railway" && toolOf(command).args[0] === "up");
          if (match || step.uses?.startsWith("docker/build-push-action@") || railwayUp) {
            report(`${workflow.file} ${step.at}: ${step.name} builds the API image (${match?.[0] ?? (railwayUp ? "railway up" : step.uses)}) instead of promoting the tested one`);
          }
          // The API image deployed (not a rollback) is the one staging (or verify) established, traced through outputs.
          const deploysApi = deployKindsOfStep(step).has("api") && !ON_FAILURE(step, workflow.triggers) && /backboard\.railway\.(com|app)/.test(step.run ?? "");
          if (deploysApi && !tracesToArtifact(workflow, job, step.effectiveEnv["IMAGE"])) {
            report(`${workflow.file} ${step.at}: ${step.name} deploys IMAGE ${JSON.stringify(step.effectiveEnv["IMAGE"] ?? null)}, which does not come from the tested artifact (the pre-flight's lookup of staging's deployment or verify's checks)`);
          }
        }
      }
    },
  },
);

/** The env variable a vercel command's deployment argument comes from. */
function deploymentArgument(args: string[]): string | undefined {
  return args.find((arg) => !arg.startsWith("-"));
}

export const productionWebBuild = resourcePolicy<ProductionSettings>(
  {
    name: "workflow-production-web-built-for-production",
    description:
      "Production's web is a production build deployed as a production deployment: Next.js inlines NEXT_PUBLIC_* at build time, so `vercel pull --environment=production` and `vercel build --prod`, then `vercel deploy --prebuilt --prod` (optionally `--skip-domain` and a `vercel promote` of that very deployment). Promoting a preview (staging) deployment makes Vercel rebuild it and return before it is ready, and leaves nothing Instant Rollback accepts (vercel/vercel packages/cli/src/commands/promote/request-promote.ts). " +
      "Every `vercel deploy` of the job ships that build: with `--prebuilt` (https://vercel.com/docs/cli/build: with `vercel deploy --prebuilt` \"a Vercel Deployment [is] created without sharing the Project's source code\"); a deploy without it uploads the source for Vercel to build, and `vercel redeploy` rebuilds, beside the promoted build. " +
      'Spec, Stage 3: "Deploy Web (Vercel promotion)"; Rollback: "vercel rollback".',
    severity: "high",
    remediation: [
      "In the production deploy job: `vercel pull --yes --environment=production`, `vercel build --prod`, `url=$(vercel deploy --prebuilt --prod --skip-domain)`, then `vercel promote \"$url\"`.",
      "Never `vercel promote` a deployment the job did not create with `--prod` (e.g. a staging preview URL).",
    ],
    topics: ["pipelines"],
  },
  {
    types: [REPOSITORY_FILE],
    config: { defaults: productionDefaults, schema: productionSchema },
    validate(resource, settings, report, args) {
      const workflow = judged(resource, args);
      for (const job of productionDeployJobs(workflow, settings.environment)) {
        const stagedBy = new Set<string>();
        for (const step of job.steps) {
          for (const command of allCommandsOfStep(step)) {
            const { tool, args: toolArgs } = toolOf(command);
            if (tool !== "vercel") continue;
            const { subcommand, args: rest } = vercelSubcommand(toolArgs);
            const all = [subcommand, ...rest];
            const prod = all.some((arg, index) => arg === "--prod" || arg === "--target=production" || (arg === "--target" && all[index + 1] === "production"));
            const where = `${workflow.file} ${step.at}`;
            if (subcommand === "build" && !prod) report(`${where}: \`vercel build\` without --prod builds with preview values (NEXT_PUBLIC_* are inlined at build time)`);
            if (subcommand === "pull" && !all.some((arg) => arg === "--environment=production" || arg === "--prod") && !(all.includes("--environment") && all[all.indexOf("--environment") + 1] === "production")) {
              report(`${where}: \`vercel pull\` without --environment=production pulls another environment's values`);
            }
            if ((subcommand === "deploy" || subcommand === "") && !prod) report(`${where}: \`vercel deploy\` without --prod creates a preview deployment`);
            if ((subcommand === "deploy" || subcommand === "") && !all.includes("--prebuilt")) report(`${where}: \`vercel ${subcommand || ""}\` without --prebuilt uploads the source and builds it on Vercel: production ships only the build this job made (vercel build --prod), staged with --prebuilt`);
            if (subcommand === "redeploy") report(`${where}: \`vercel redeploy\` rebuilds a deployment: production ships only the build this job made`);
            if ((subcommand === "deploy" || subcommand === "") && prod && step.id !== undefined) stagedBy.add(step.id);
            if ((subcommand === "deploy" || subcommand === "") && all.includes("--no-wait")) report(`${where}: \`vercel deploy --no-wait\` returns before the deployment is ready`);
            if (subcommand === "promote") {
              const argument = deploymentArgument(rest) ?? "";
              const variable = /^\$\{?([A-Za-z_][A-Za-z0-9_]*)/.exec(argument)?.[1];
              const source = variable === undefined ? undefined : knownString(step.effectiveEnv[variable] as Plain);
              const staged = source !== undefined && [...stagedBy].some((id) => new RegExp(`^\\$\\{\\{\\s*steps\\.${id.replace(/[-]/g, "\\-")}\\.outputs\\.[A-Za-z0-9_-]+\\s*\\}\\}$`).test(source));
              if (!staged) report(`${where}: \`vercel promote ${argument}\` promotes a deployment this job did not stage with \`vercel deploy --prod\` (a preview would be rebuilt, and the command returns before it is ready)`);
            }
          }
        }
      }
    },
  },
);

const ON_FAILURE = (step: Step, events: readonly string[]) => conditionIn(step.if, { outcome: "success", events }) === false && conditionIn(step.if, { outcome: "failure", events }) !== false;
const SMOKE = /smoke/i;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Whether `rollback`'s condition names the smoke step's failure: its step outcome in the same job, its job's result in a later one. */
function onSmokeFailure(rollback: Step, smoke: Step, workflow: Workflow): boolean {
  const condition = String(rollback.if ?? workflow.jobById.get(rollback.job)?.if ?? "");
  if (rollback.job !== smoke.job) return new RegExp(`needs\\.${escapeRegExp(smoke.job)}\\.result\\s*==\\s*'failure'`).test(condition);
  return smoke.id !== undefined && new RegExp(`steps\\.${escapeRegExp(smoke.id)}\\.(outcome|conclusion)\\s*==\\s*'failure'`).test(condition);
}

/** The services a deploy step puts a new release of: the web (a Vercel deployment) and the API (a Railway deploy). */
function servicesDeployed(step: Step): string[] {
  const kinds = deployKindsOfStep(step);
  return [...(kinds.has("web") || kinds.has("web-production") ? ["web"] : []), ...(kinds.has("api") ? ["API"] : [])];
}

/** The services a rollback step returns to a former release: the web (vercel rollback / alias), the API (a Railway redeploy of a recorded image). */
function servicesRestored(step: Step): string[] {
  const kinds = deployKindsOfStep(step);
  return [...(kinds.has("web-restore") ? ["web"] : []), ...(kinds.has("api") ? ["API"] : [])];
}

export const productionSmokeRollback = resourcePolicy<ProductionSettings>(
  {
    name: "workflow-production-smoke-tests-roll-back",
    description:
      "A production deploy is checked and undone automatically when the check fails: a smoke test step after the deploy steps, and rollback steps on its failure that restore every service the job deployed (the web with `vercel rollback`/`alias`, the API with a redeploy of the recorded image): one rollback per deployed service. " +
      'Spec, Stage 3: "Run smoke tests … Rollback if: Smoke tests fail"; Rollback Procedure: "Web (Vercel) … API (Railway)".',
    severity: "high",
    remediation: [
      "Run the smoke tests in a step with an id after the deploy steps, then rollback steps that call the deploy tools after them with " +
        "`if: failure() && steps.<smoke id>.outcome == 'failure'` (or a rollback job with `if: failure() && needs.<smoke job>.result == 'failure'`).",
    ],
    topics: ["pipelines", "rollback"],
  },
  {
    types: [REPOSITORY_FILE],
    config: { defaults: productionDefaults, schema: productionSchema },
    validate(resource, settings, report, args) {
      const workflow = judged(resource, args);
      const productionJobs = new Set(productionDeployJobs(workflow, settings.environment).map((job) => job.id));
      if (productionJobs.size === 0) return;
      const events = workflow.triggers;
      const steps = orderedSteps(workflow);
      const deploys = steps.filter((step) => productionJobs.has(step.job) && !ON_FAILURE(step, events) && [...deployKindsOfStep(step)].some((kind) => kind !== "aws-role"));
      const checks = (step: Step) => allCommandsOfStep(step).some((command) => isGateCommand(command) || (toolOf(command).tool === "curl" && toolOf(command).args.some((arg) => arg === "--fail" || arg === "-f" || /^-[a-zA-Z]*f[a-zA-Z]*$/.test(arg))));
      const smoke = steps.find((step) => SMOKE.test(`${step.name} ${step.id ?? ""} ${step.run ?? ""}`) && isGateStep(step) && checks(step) && conditionIn(step.if, { outcome: "success", events }) === true && deploys.some((deploy) => runsAfter(workflow, step, deploy)));
      if (!smoke) {
        report(`${workflow.file}: no smoke test step (one that runs a check: curl --fail or a test runner) runs after the production deploy steps whenever they succeed`);
        return;
      }
      const rollbacks = steps.filter((step) => runsAfter(workflow, step, smoke) && [...deployKindsOfStep(step)].some((kind) => kind !== "aws-role"));
      const onFailure = rollbacks.filter((step) => ON_FAILURE(step, events) || ON_FAILURE({ ...step, if: workflow.jobById.get(step.job)?.if }, events));
      if (rollbacks.length === 0) report(`${workflow.file}: no rollback step (one that calls a deploy tool) after the smoke tests (${smoke.at})`);
      else if (onFailure.length === 0) report(`${workflow.file}: no rollback step runs only on failure after the smoke tests`);
      else if (!onFailure.some((step) => onSmokeFailure(step, smoke, workflow))) {
        report(
          smoke.id !== undefined
            ? `${workflow.file}: no rollback step runs when the smoke tests fail: condition it on steps.${smoke.id}.outcome == 'failure'`
            : `${workflow.file}: the smoke test step (${smoke.at}) has no id, so no rollback step can run on its failure`,
        );
      } else {
        // One rollback per service the job deployed: a web deploy is undone by a web restore, an API deploy by an API redeploy.
        const deployed = new Set(deploys.flatMap(servicesDeployed));
        const restored = new Set(onFailure.filter((step) => onSmokeFailure(step, smoke, workflow)).flatMap(servicesRestored));
        for (const service of deployed) {
          if (!restored.has(service)) report(`${workflow.file}: the job deploys the ${service} (${deploys.filter((step) => servicesDeployed(step).includes(service)).map((step) => step.at).join(", ")}) but no rollback step run on the smoke tests' failure restores it`);
        }
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
      const workflow = judged(resource, args);
      const productionJobs = new Set(productionDeployJobs(workflow, settings.environment).map((job) => job.id));
      if (productionJobs.size === 0) return;
      const events = workflow.triggers;
      const normal = orderedSteps(workflow).filter((step) => !ON_FAILURE(step, events));
      const migration = normal.find((step) => deployKindsOfStep(step).has("database"));
      if (!migration) {
        report(`${workflow.file}: no migration step (alembic upgrade with the migrator's secret) before the production deploy`);
        return;
      }
      const early = normal.find((step) => productionJobs.has(step.job) && servesTraffic(step) && !runsAfter(workflow, step, migration));
      if (early) report(`${workflow.file}: ${early.at} deploys before the migrations run (${migration.at})`);
    },
  },
);

interface Budget {
  key: RegExp;
  label: string;
  bound: number;
  direction: "min" | "max";
}

interface BudgetSettings {
  verifyWorkflows: string[];
  job: string;
  lighthouseMinScore: number;
  initialJsMaxKb: number;
  dockerImageMaxMb: number;
}

function budgetsOf(settings: BudgetSettings): Budget[] {
  return [
    { key: /(lighthouse.*(min|score))|(min.*lighthouse)|minscore/i, label: "Lighthouse performance score", bound: settings.lighthouseMinScore, direction: "min" },
    { key: /((js|bundle).*(kb|max))|(max.*(js|bundle))/i, label: "initial JS bundle (KB)", bound: settings.initialJsMaxKb, direction: "max" },
    { key: /((docker|image).*(mb|max))|(max.*(docker|image))/i, label: "Docker image size (MB)", bound: settings.dockerImageMaxMb, direction: "max" },
  ];
}

/** Every `key: value` a job sets: its env, and each step's env and with. */
function settingsOfJob(job: Job): [string, Plain][] {
  const pairs: [string, Plain][] = Object.entries(job.env);
  for (const step of job.steps) pairs.push(...Object.entries(step.env), ...Object.entries(step.with));
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
      const file = workflowPathOf(resource.props["file"]);
      if (file === undefined) return args.notApplicable("not a workflow file");
      if (isUnknown(resource.props["content"])) throw new UnknownInputError("content");
      if (!anyGlobMatch(settings.verifyWorkflows, file)) return; // not the verify workflow (returning is cheaper than notApplicable's throw)
      const workflow = judged(resource, args);
      const job = workflow.jobById.get(settings.job);
      if (!job) {
        report(`${workflow.file}: no ${settings.job} job`);
        return;
      }
      const pairs = settingsOfJob(job);
      for (const budget of budgetsOf(settings)) {
        const numeric = pairs.filter(([key]) => budget.key.test(key)).map(([key, value]) => [key, knownNumber(value)] as const).filter((entry): entry is readonly [string, number] => entry[1] !== undefined);
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

/** What each required check must run, by the spec's Stage 1 (any one of the alternatives per entry). */
export const CHECK_TOOLS: Record<string, string[][]> = {
  lint: [["eslint", "pnpm lint", "npm lint"], ["ruff"]],
  typecheck: [["tsc", "pnpm typecheck", "npm typecheck"], ["pyright", "mypy"]],
  "unit-tests": [["jest", "vitest", "pnpm test", "npm test"], ["pytest"]],
  build: [["pnpm build", "npm build", "next", "vercel"], ["docker/build-push-action", "docker"]],
  "security-scan": [["pnpm audit", "npm audit", "audit"], ["pip_audit", "pip-audit", "safety"]],
  "migration-reversibility": [["alembic upgrade"], ["alembic downgrade"]],
  "performance-budgets": [["@lhci/cli", "lhci"], ["node"], ["docker"]],
};

export const verifyChecksRunTools = resourcePolicy<{ verifyWorkflows: string[]; checkTools: Record<string, string[][]> }>(
  {
    name: "workflow-verify-checks-run-their-tools",
    description:
      "A required check is only as good as what it runs: each verify job runs the tools the spec names for it (lint: ESLint and Ruff; type check: TypeScript and Pyright; unit tests: Jest and pytest; build: Next.js and the API image; security scan: npm audit and a Python audit; migrations: upgrade and downgrade; budgets: Lighthouse CI, the bundle check, the image size). A job emptied of its tool still reports success. " +
      'Spec, Stage 1: "Lint (ESLint, Ruff); Type check (TypeScript, Pyright); Unit tests (Jest, pytest); Build; Security scan (npm audit, safety)".',
    severity: "high",
    remediation: ["Keep each verify job's tool steps (generated from infra/workflows/verify.ts); a check that should not run is removed from the ruleset in a reviewed change, not emptied."],
    topics: ["pipelines", "quality-gates"],
  },
  {
    types: [REPOSITORY_FILE],
    config: {
      defaults: { verifyWorkflows: [".github/workflows/verify.y*ml"], checkTools: CHECK_TOOLS },
      schema: {
        verifyWorkflows: { type: "array", items: { type: "string" }, minItems: 1, description: "Globs of the verify workflow's path." },
        checkTools: { type: "object", additionalProperties: { type: "array", items: { type: "array", items: { type: "string" } } }, description: "Per verify job: the tools it must run (each inner list: alternatives)." },
      },
    },
    validate(resource, settings, report, args) {
      const file = workflowPathOf(resource.props["file"]);
      if (file === undefined) return args.notApplicable("not a workflow file");
      if (isUnknown(resource.props["content"])) throw new UnknownInputError("content");
      if (!anyGlobMatch(settings.verifyWorkflows, file)) return; // not the verify workflow (returning is cheaper than notApplicable's throw)
      const workflow = judged(resource, args);
      for (const [id, needed] of Object.entries(settings.checkTools)) {
        const job = workflow.jobById.get(id);
        if (!job) continue; // a missing required check is workflow-verify-required-checks-exist's
        const tools = toolsOfJob(job);
        for (const alternatives of needed) {
          if (!alternatives.some((tool) => tools.has(tool.toLowerCase()))) report(`${workflow.file} ${job.at}: runs none of ${alternatives.join(", ")}`);
        }
      }
    },
  },
);

/** End of life per Node.js major (nodejs/Release@e4bf922 schedule.json, "end"); odd majors are never LTS. */
export const NODE_END_OF_LIFE: Record<string, string> = {
  "16": "2023-09-11",
  "17": "2022-06-01",
  "18": "2025-04-30",
  "19": "2023-06-01",
  "20": "2026-04-30",
  "21": "2024-06-01",
  "22": "2027-04-30",
  "23": "2025-06-01",
  "24": "2028-04-30",
  "25": "2026-06-01",
  "26": "2029-04-30",
  "27": "2030-04-30",
};

export const nodeSupported = resourcePolicy<{ endOfLife: Record<string, string> }>(
  {
    name: "workflow-node-version-supported",
    description:
      "Workflows build and test on a Node.js release that still gets security fixes: a major past its end of life (nodejs/Release schedule.json; Node 20 ended 2026-04-30) or one the table does not know is refused. " +
      'Spec, Stage 1: "Security scan (npm audit, safety)": a runtime past its end of life gets no security fixes.',
    severity: "high",
    remediation: ["Set `flightdeck:app.nodeVersion` to a supported major (22 or later) and run `pulumi up`.", "Update the `endOfLife` table of this policy when Node.js publishes a new schedule."],
    topics: TOPICS,
  },
  {
    types: [REPOSITORY_FILE],
    config: {
      defaults: { endOfLife: NODE_END_OF_LIFE },
      schema: { endOfLife: { type: "object", additionalProperties: { type: "string", pattern: "^\\d{4}-\\d{2}-\\d{2}$" }, description: "End-of-life date (YYYY-MM-DD) per Node.js major." } },
    },
    validate(resource, settings, report, args) {
      const workflow = judged(resource, args);
      const today = now().toISOString().slice(0, 10);
      const judge = (at: string, version: string) => {
        const major = /^v?(\d+)/.exec(version.trim())?.[1];
        if (major === undefined) return;
        const end = settings.endOfLife[major];
        if (end === undefined) report(`${workflow.file} ${at}: Node.js ${version} is not a release the end-of-life table knows`);
        else if (end <= today) report(`${workflow.file} ${at}: Node.js ${version} reached end of life on ${end}`);
      };
      for (const job of workflow.jobs) {
        const images = [asRecord(job.record["container"])?.["image"] ?? job.record["container"], ...Object.values(asRecord(job.record["services"]) ?? {}).map((service) => asRecord(service)?.["image"])];
        for (const image of images) {
          const version = /^(?:docker\.io\/)?(?:library\/)?node:(\d+)/.exec(typeof image === "string" ? image : "")?.[1];
          if (version !== undefined) judge(`${job.at} image`, version);
        }
        for (const step of job.steps) {
          if (step.uses?.startsWith("actions/setup-node@")) {
            const value = step.with["node-version"];
            if (typeof value === "string" || typeof value === "number") judge(`${step.at}.with.node-version`, String(value));
          }
        }
      }
    },
  },
);

/** A check name that an expression computes: it may be any name, a required check's included. */
const ANY_NAME = "(any name)";

/**
 * The check name each job reports: its `name`, or its id. GitHub evaluates `jobs.<job_id>.name` with the
 * github, inputs, vars, needs, strategy and matrix contexts (the workflow schema GitHub's own parser reads,
 * @actions/workflow-parser@0.3.61 dist/workflow-v1.0.min.json: job-factory.name is a string-strategy-context), so
 * a name with an expression (`${{ matrix.check }}`, `${{ format('{0}-tests', 'unit') }}`) can be any name.
 */
function checkNames(workflow: Workflow): { name: string; job: Job }[] {
  return workflow.jobs.filter((job) => job.uses === undefined).map((job) => ({ name: job.name !== undefined && job.name.includes("${{") ? ANY_NAME : job.name ?? job.id, job }));
}

function branchesOfRuleset(props: PlainRecord): string[] | "any" {
  const includes = asArray(asRecord(asRecord(props["conditions"])?.["refName"])?.["includes"]).map(String);
  if (includes.length === 0 || includes.some((ref) => ref.startsWith("~") || /[*?]/.test(ref))) return "any";
  return includes.map((ref) => ref.replace(/^refs\/heads\//, ""));
}

export const requiredChecksExist = stackPolicy<{ verifyWorkflows: string[] }>(
  {
    name: "workflow-verify-required-checks-exist",
    description:
      "Each status check a ruleset requires is reported by a job of the verify workflow committed to that branch, running on pull_request, and by no job of another workflow (GitHub matches checks by name: any Actions job with that name would satisfy it), including jobs whose name is an expression (it can evaluate to any name). " +
      'Spec, Stage 1: "Blocks merge if: Any step fails"; Production protections: "Automated tests must pass".',
    severity: "high",
    remediation: [
      "Keep one job per required check in verify.yml, named exactly as the check (`name:` or its id), triggered on pull_request.",
      "Rename jobs of other workflows that reuse a required check's name, and give them literal names (no `${{ … }}` in `name:`).",
    ],
    topics: ["pipelines", "quality-gates"],
  },
  {
    requires: "github:index/repositoryRuleset:RepositoryRuleset",
    config: {
      defaults: { verifyWorkflows: [".github/workflows/verify.y*ml"] },
      schema: { verifyWorkflows: { type: "array", items: { type: "string" }, minItems: 1, description: "Globs of the verify workflow's path." } },
    },
    validate(resources, settings, report) {
      const files: { branch: string | undefined; workflow: Workflow; urn: string }[] = [];
      for (const resource of resources) {
        if (resource.type !== REPOSITORY_FILE) continue;
        const workflow = workflowOf(resource);
        if (workflow === undefined || workflow instanceof WorkflowParseError) continue;
        files.push({ branch: knownString(resource.props["branch"]), workflow, urn: resource.urn });
      }
      // Check names to the jobs that report them, once (a stack can have many rulesets and files).
      type Producer = { name: string; job: Job; file: (typeof files)[number] };
      const producersByName = new Map<string, Producer[]>();
      for (const file of files) {
        for (const check of checkNames(file.workflow)) {
          const list = producersByName.get(check.name) ?? [];
          list.push({ ...check, file });
          producersByName.set(check.name, list);
        }
      }
      const inVerifyWorkflow = new Map<(typeof files)[number], boolean>(files.map((file) => [file, anyGlobMatch(settings.verifyWorkflows, file.workflow.file)]));
      // What a required check on some branches finds, once per check and branches: many rulesets can share them.
      const judged = new Map<string, { verified: boolean; shadowing: Producer[]; counted: boolean }>();
      const judge = (context: string, branches: string[] | "any") => {
        const key = `${context}\u0000${branches === "any" ? "*" : branches.join("\u0000")}`;
        let found = judged.get(key);
        if (found === undefined) {
          const onBranch = (branch: string | undefined) => branches === "any" || branch === undefined || branches.includes(branch);
          const producers = [...(producersByName.get(context) ?? []), ...(producersByName.get(ANY_NAME) ?? [])].filter((producer) => onBranch(producer.file.branch));
          found = {
            verified: producers.some((producer) => producer.name === context && inVerifyWorkflow.get(producer.file) && producer.file.workflow.triggers.includes("pull_request")),
            shadowing: producers.filter((producer) => !inVerifyWorkflow.get(producer.file)),
            counted: false,
          };
          judged.set(key, found);
        }
        return found;
      };
      const shadowing = new Set<Producer>();
      for (const ruleset of resources) {
        if (ruleset.type !== "github:index/repositoryRuleset:RepositoryRuleset") continue;
        const contexts = asArray(asRecord(asRecord(ruleset.props["rules"])?.["requiredStatusChecks"])?.["requiredChecks"])
          .map((check) => knownString(asRecord(check)?.["context"]))
          .filter((context): context is string => context !== undefined);
        if (contexts.length === 0) continue;
        const branches = branchesOfRuleset(ruleset.props);
        const missing: string[] = [];
        for (const context of contexts) {
          const found = judge(context, branches);
          if (!found.verified) missing.push(context);
          if (!found.counted) for (const producer of found.shadowing) shadowing.add(producer);
          found.counted = true;
        }
        if (missing.length > 0) {
          report(`required check${missing.length === 1 ? "" : "s"} ${missing.join(", ")} (ruleset ${ruleset.name}) ${missing.length === 1 ? "is" : "are"} reported by no job of the verify workflow on pull_request: pull requests can never pass ${missing.length === 1 ? "it" : "them"}, or something else does`, ruleset.urn);
        }
      }
      for (const producer of shadowing) {
        const what = producer.name === ANY_NAME ? `a check named by an expression (${producer.job.name}), which can be any required check's name,` : `required check ${producer.name}`;
        report(`${producer.file.workflow.file} ${producer.job.at} reports ${what} outside the verify workflow: it satisfies the ruleset without running the checks`, producer.file.urn);
      }
    },
  },
);

export const workflowPolicies = [
  workflowParses,
  actionsPinned,
  permissionsLeastPrivilege,
  triggersTrusted,
  gatesFailClosed,
  toolsPinned,
  secretsNotExposed,
  jobsHardened,
  productionUsesEnvironment,
  productionNeedsPreflight,
  auditAlways,
  rollbackRedeploysRecordedRelease,
  productionPromotesArtifacts,
  productionWebBuild,
  productionSmokeRollback,
  productionMigratesFirst,
  performanceBudgets,
  verifyChecksRunTools,
  nodeSupported,
  requiredChecksExist,
];
