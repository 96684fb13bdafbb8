import { Plain } from "../values";
import { ancestorsOf, Job, Step, Workflow } from "./model";
import { Command, commandsOf, invocation, programOf, variablesIn } from "./shell";

/**
 * What steps and jobs DO, read from their structure (the commands they run, the actions they use,
 * the secrets in reach), never from their names: a job that runs the Vercel or Railway CLI or
 * API, migrates a database with a secret in reach, or assumes an AWS role is a deploy job,
 * whatever its file or job is called.
 */

const commandCache = new WeakMap<Step, Command[]>();

/** The commands of a step's `run:` (empty for `uses:` steps), parsed once. */
export function commandsOfStep(step: Step): Command[] {
  let commands = commandCache.get(step);
  if (commands === undefined) {
    commands = step.run === undefined ? [] : commandsOf(step.run);
    commandCache.set(step, commands);
  }
  return commands;
}

const allCache = new WeakMap<Step, Command[]>();

const SHELLS = new Set(["bash", "sh", "zsh", "dash", "ksh"]);

/**
 * The step's commands and those it runs indirectly: inside command substitutions
 * (`url="$(vercel deploy …)"`), `bash -c "…"` / `sh -c` strings and `eval`, parsed once.
 */
export function allCommandsOfStep(step: Step): Command[] {
  let commands = allCache.get(step);
  if (commands === undefined) {
    commands = [];
    const visit = (list: Command[], depth: number) => {
      for (const command of list) {
        commands!.push(command);
        if (depth >= 4) continue;
        for (const text of command.substitutions) visit(commandsOf(text), depth + 1);
        const words = invocation(command);
        const program = programOf(command);
        const flag = words.indexOf("-c");
        if (SHELLS.has(program) && flag > 0 && words[flag + 1] !== undefined) visit(commandsOf(words[flag + 1]!), depth + 1);
        if (program === "eval") visit(commandsOf(words.slice(1).join(" ")), depth + 1);
      }
    };
    visit(commandsOfStep(step), 0);
    allCache.set(step, commands);
  }
  return commands;
}

/** Script text a step hands to another interpreter: here-document bodies and `-e`/`-c` arguments of node, python, perl, ruby. */
export function embeddedScripts(step: Step): string[] {
  const texts: string[] = [];
  for (const command of allCommandsOfStep(step)) {
    texts.push(...command.heredocs);
    const words = invocation(command);
    if (/^(node|python[0-9.]*|perl|ruby|deno|bun)$/.test(programOf(command))) {
      words.forEach((word, index) => {
        if (["-e", "-c", "--eval", "-p"].includes(word) && words[index + 1] !== undefined) texts.push(words[index + 1]!);
      });
    }
  }
  return texts;
}

/** Whether a value hands a secret over: the secrets context or the workflow token. */
export function isSecretValue(value: Plain | undefined): boolean {
  return typeof value === "string" && /\$\{\{[^}]*\b(secrets\s*[.[]|github\s*\.\s*token\b)/i.test(value);
}

/** Names of the step's environment variables that hold secrets (workflow, job and step env). */
export function secretVariables(step: Step): Set<string> {
  return new Set(Object.entries(step.effectiveEnv).filter(([, value]) => isSecretValue(value)).map(([name]) => name));
}

/** The tool a command runs, looking through package runners (`npx vercel@64 …` → vercel). */
export function toolOf(command: Command): { tool: string; args: string[] } {
  const words = invocation(command);
  const program = programOf(command);
  const rest = words.slice(1);
  const runner = (args: string[]) => {
    const index = args.findIndex((arg) => !arg.startsWith("-"));
    if (index < 0) return { tool: program, args: rest };
    const spec = args[index]!;
    const name = spec.startsWith("@") ? spec.split("@").slice(0, 2).join("@") : spec.split("@")[0]!;
    return { tool: name === "@railway/cli" ? "railway" : name, args: args.slice(index + 1) };
  };
  if (program === "npx" || program === "bunx") return runner(rest);
  if (/^python[0-9.]*$/.test(program) && rest[0] === "-m" && rest[1] !== undefined) return { tool: rest[1], args: rest.slice(2) };
  if (["uv", "poetry", "pipenv", "hatch", "pdm"].includes(program) && rest[0] === "run") return runner(rest.slice(1));
  if ((program === "pnpm" || program === "yarn") && (rest[0] === "dlx" || rest[0] === "exec")) return runner(rest.slice(1));
  if (program === "vc") return { tool: "vercel", args: rest };
  return { tool: program, args: rest };
}

const VERCEL_FLAGS_WITH_VALUES = new Set(["--token", "-t", "--scope", "-S", "--cwd", "--local-config", "-A", "--global-config", "-Q", "--team", "-T", "--timeout", "--target", "--env", "-e", "--build-env", "-b", "--meta", "-m", "--regions", "--archive", "--format", "-F"]);

/** A Vercel CLI subcommand and its arguments (`vercel --token x deploy --prod` → deploy). */
export function vercelSubcommand(args: string[]): { subcommand: string; args: string[] } {
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    if (arg.startsWith("-")) {
      if (VERCEL_FLAGS_WITH_VALUES.has(arg)) index++;
      continue;
    }
    return { subcommand: arg, args: args.slice(index + 1) };
  }
  return { subcommand: "", args };
}

/** Vercel subcommands that change no deployment or domain. */
const VERCEL_READ_ONLY = new Set(["pull", "build", "inspect", "env", "whoami", "ls", "list", "logs", "login", "logout", "link", "teams", "help", "dev", "init", "bisect", "curl", "httpstat", "metrics", "open", "switch", "telemetry", "upgrade", "--version", "-v"]);
const RAILWAY_READ_ONLY = new Set(["whoami", "status", "logs", "version", "--version", "-V", "list", "login", "logout", "link", "help", "docs", "open", "completion"]);

/**
 * What a step or job changes. `production-environment`: a job in the production environment whose steps the
 * pack cannot read as a deploy (a script or local action of the app repository, a tool it does not know):
 * it holds production's credentials and passed its approval, so it is judged as a production deploy.
 */
export type DeployKind = "web" | "web-production" | "web-restore" | "api" | "database" | "database-downgrade" | "aws-role" | "production-environment";

/** Whether the arguments select Vercel's production target. */
function targetsProduction(args: string[]): boolean {
  return args.some((arg, index) => arg === "--prod" || arg === "--target=production" || (arg === "--target" && args[index + 1] === "production"));
}

const kindsCache = new WeakMap<Step, Set<DeployKind>>();

/** What one step changes, if anything (computed once per parsed step). */
export function deployKindsOfStep(step: Step): Set<DeployKind> {
  let kinds = kindsCache.get(step);
  if (kinds === undefined) {
    kinds = computeDeployKinds(step);
    kindsCache.set(step, kinds);
  }
  return kinds;
}

function computeDeployKinds(step: Step): Set<DeployKind> {
  const kinds = new Set<DeployKind>();
  if (step.uses !== undefined) {
    const name = step.uses.split("@")[0]!.toLowerCase();
    if (name === "aws-actions/configure-aws-credentials") kinds.add("aws-role");
    else if (/vercel/.test(name)) kinds.add("web-production");
    else if (/railway/.test(name)) kinds.add("api");
  }
  if (step.run === undefined) return kinds;
  if (/backboard\.railway\.(com|app)/i.test(step.run)) kinds.add("api");
  if (/api\.vercel\.com/i.test(step.run)) kinds.add("web-production");
  // Scripts the shell hands to another interpreter (here-documents, node -e, python -c): read as text.
  for (const text of embeddedScripts(step)) {
    if (/\b(vercel|vc)\b[^\n]*(--prod\b|--target[= ]production|\b(promote|rollback)\b)/.test(text)) kinds.add("web-production");
    else if (/\b(vercel|vc)(@[\w.]+)?\s+(deploy|alias|redeploy)\b/.test(text)) kinds.add("web");
    if (/\brailway(@[\w.]+)?\s+(up|redeploy|deploy|environment)\b/.test(text)) kinds.add("api");
    if (/\balembic\b[^\n]*\b(upgrade|stamp)\b/.test(text) && secretVariables(step).size > 0) kinds.add("database");
  }
  const secretInReach = secretVariables(step).size > 0;
  for (const command of allCommandsOfStep(step)) {
    const { tool, args } = toolOf(command);
    if (tool === "vercel") {
      const { subcommand, args: rest } = vercelSubcommand(args);
      if (VERCEL_READ_ONLY.has(subcommand)) continue;
      if (subcommand === "rollback") kinds.add("web-restore");
      else if (subcommand === "promote" || targetsProduction([subcommand, ...rest])) kinds.add("web-production");
      else if (subcommand === "alias") kinds.add("web-restore");
      else kinds.add("web");
    } else if (tool === "railway") {
      if (!RAILWAY_READ_ONLY.has(args[0] ?? "")) kinds.add("api");
    } else if (tool === "alembic" && secretInReach) {
      if (args.includes("downgrade")) kinds.add("database-downgrade");
      else if (args.some((arg) => ["upgrade", "stamp", "merge"].includes(arg))) kinds.add("database");
    } else if (["psql", "pg_restore", "flyway", "liquibase"].includes(tool) && secretInReach) kinds.add("database");
    else if (tool === "prisma" && args.includes("migrate") && secretInReach) kinds.add("database");
  }
  return kinds;
}

export interface JobRole {
  job: Job;
  kinds: Set<DeployKind>;
  deploys: boolean;
  /**
   * The job can change production: its environment is production (any case) or an expression, it targets
   * Vercel production, or it points a domain it does not take from its own environment (see changesProductionDomain).
   */
  production: boolean;
}

export function environmentIsProduction(environment: string | undefined, production: string): boolean {
  return environment !== undefined && (environment.trim().toLowerCase() === production.toLowerCase() || environment.includes("${{"));
}

/** The variable the workflows read their environment's web URL from (infra/pipeline/deployContract.ts deployVariables.webUrl). */
const ENVIRONMENT_WEB_URL = /^\s*\$\{\{\s*vars\.WEB_URL\s*\}\}\s*$/;

/**
 * Whether a step moves a domain that may be production's, whatever environment its job runs in:
 * `vercel rollback` (Instant Rollback returns the production domains to a former production deployment,
 * https://vercel.com/docs/instant-rollback), and `vercel alias set <deployment> <domain>` unless the domain is
 * the job's own environment's (`${WEB_URL#https://}` with WEB_URL from `vars.WEB_URL`). Vercel tokens are
 * scoped to the team, not to a GitHub environment, so a staging job's token can point app.flightpro.com.
 */
export function changesProductionDomain(step: Step): boolean {
  return allCommandsOfStep(step).some((command) => {
    const { tool, args } = toolOf(command);
    if (tool !== "vercel") return false;
    const { subcommand, args: rest } = vercelSubcommand(args);
    if (subcommand === "rollback") return true;
    if (subcommand !== "alias" || rest[0] !== "set") return false;
    const positional: string[] = [];
    for (let index = 1; index < rest.length; index++) {
      const arg = rest[index]!;
      if (arg.startsWith("-")) {
        if (VERCEL_FLAGS_WITH_VALUES.has(arg)) index++;
        continue;
      }
      positional.push(arg);
    }
    const domain = positional[1];
    if (domain === undefined) return true;
    const variables = variablesIn(domain);
    const literal = domain.replace(/\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*/g, "").replace(/["']/g, "");
    return variables.length !== 1 || literal !== "" || !ENVIRONMENT_WEB_URL.test(String(step.effectiveEnv[variables[0]!] ?? ""));
  });
}

export function jobRole(job: Job, productionEnvironment: string): JobRole {
  const kinds = new Set<DeployKind>();
  for (const step of job.steps) for (const kind of deployKindsOfStep(step)) kinds.add(kind);
  const inProduction = environmentIsProduction(job.environment, productionEnvironment);
  // The production environment's approval and credentials are for deploying: a job there is judged as a deploy
  // even when none of its steps reads as one to the pack (`./scripts/release.sh`, `uses: ./.github/actions/x`).
  if (inProduction && [...kinds].every((kind) => kind === "aws-role")) kinds.add("production-environment");
  const deploys = kinds.size > 0;
  const production =
    deploys && (inProduction || kinds.has("web-production") || (job.environment === undefined && kinds.has("web-restore")) || job.steps.some(changesProductionDomain));
  return { job, kinds, deploys, production };
}

const rolesCache = new WeakMap<Workflow, Map<string, JobRole[]>>();

/** Every job's role, computed once per parsed workflow and production environment name. */
export function jobRoles(workflow: Workflow, productionEnvironment: string): JobRole[] {
  let byEnvironment = rolesCache.get(workflow);
  if (byEnvironment === undefined) {
    byEnvironment = new Map();
    rolesCache.set(workflow, byEnvironment);
  }
  let roles = byEnvironment.get(productionEnvironment);
  if (roles === undefined) {
    roles = workflow.jobs.map((job) => jobRole(job, productionEnvironment));
    byEnvironment.set(productionEnvironment, roles);
  }
  return roles;
}

/** A step that reads the releases the deploys recorded (GitHub deployments) and writes what it found as outputs. */
export function isReleaseLookup(step: Step): boolean {
  return step.run !== undefined && /\bgh\s+api\b/.test(step.run) && /\/deployments\b/.test(step.run) && /\$GITHUB_OUTPUT\b/.test(step.run);
}

/**
 * Whether an expression names a recorded release: an output of a release-lookup step, directly
 * (`steps.<id>.outputs.x` in the same job) or through a job output (`needs.<job>.outputs.x`).
 */
export function isRecordedReleaseReference(workflow: Workflow, job: Job, value: Plain | undefined): boolean {
  if (typeof value !== "string") return false;
  const expression = /^\s*\$\{\{\s*(needs\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)|steps\.([A-Za-z0-9_-]+)\.outputs\.[A-Za-z0-9_-]+)\s*\}\}\s*$/.exec(value);
  if (!expression) return false;
  if (expression[4] !== undefined) {
    const step = job.steps.find((candidate) => candidate.id === expression[4]);
    return step !== undefined && isReleaseLookup(step);
  }
  const source = workflow.jobById.get(expression[2]!);
  if (!source || !job.needs.includes(source.id) && !ancestorsOf(workflow, job.id).has(source.id)) return false;
  return isRecordedReleaseReference(workflow, source, source.outputs[expression[3]!]);
}

// Not "lighthouse": Lighthouse is a gate when it asserts (`lhci autorun`/`assert`, below), not when it only measures
// (`lhci collect`, the post-release check the spec has warn: Performance Validation, "Lighthouse audit on production URL").
const GATE_NAME = /\b(tests?|lint|linters?|type.?check|typecheck|smoke|pre-?flight|audit|scan|budgets?|freeze|deploy window|schedule)\b/i;
/** Lighthouse CI's commands that judge results ("autorun: collect, assert, upload"; `assert`), by the package or its bin name. */
const LHCI_CHECKS = new Set(["autorun", "assert"]);
const GATE_TOOLS = new Set(["pytest", "jest", "vitest", "mocha", "eslint", "ruff", "tsc", "pyright", "mypy", "pip-audit", "pip_audit", "lhci", "playwright", "cypress"]);

/** Whether a command runs a test, lint, type check, scan or budget tool. */
export function isGateCommand(command: Command): boolean {
  const { tool, args } = toolOf(command);
  if (tool === "lhci" || tool === "@lhci/cli") return LHCI_CHECKS.has(args.find((arg) => !arg.startsWith("-")) ?? "");
  if (GATE_TOOLS.has(tool)) return true;
  if (["pnpm", "npm", "yarn", "bun"].includes(tool)) {
    const script = args[0] === "run" || args[0] === "exec" ? args[1] : args[0];
    return script !== undefined && /^(test|lint|typecheck|type-check|audit|budgets?|e2e)(:|$)/.test(script);
  }
  if (tool === "python" || tool === "python3") return args[0] === "-m" && ["pytest", "pip_audit", "mypy", "ruff"].includes(args[1] ?? "");
  return false;
}

/** A step that checks something (tests, lint, type check, scans, budgets, smoke tests, the schedule), by its name, id or commands. */
export function isGateStep(step: Step): boolean {
  if (GATE_NAME.test(step.name) || (step.id !== undefined && GATE_NAME.test(step.id))) return !/^check out$/i.test(step.name);
  return commandsOfStep(step).some(isGateCommand);
}

/** Jobs that deploy jobs wait for and that deploy nothing themselves: the pre-flight. */
export function preflightJobs(workflow: Workflow, roles: JobRole[]): Set<string> {
  const deploying = new Set(roles.filter((role) => role.deploys).map((role) => role.job.id));
  const result = new Set<string>();
  for (const id of deploying) for (const ancestor of ancestorsOf(workflow, id)) if (!deploying.has(ancestor)) result.add(ancestor);
  return result;
}

/** Whether a step puts code in front of users: an API deploy, or a web deployment that takes the domains (promote, alias, rollback, `deploy --prod` without --skip-domain). */
export function servesTraffic(step: Step): boolean {
  const kinds = deployKindsOfStep(step);
  if (kinds.has("api")) return true;
  if (step.uses !== undefined && /vercel/i.test(step.uses)) return true;
  return allCommandsOfStep(step).some((command) => {
    const { tool, args } = toolOf(command);
    if (tool !== "vercel") return false;
    const { subcommand, args: rest } = vercelSubcommand(args);
    if (["promote", "alias", "rollback"].includes(subcommand)) return true;
    return (subcommand === "deploy" || subcommand === "") && targetsProduction([subcommand, ...rest]) && !rest.includes("--skip-domain");
  });
}

/** A step that reads what earlier runs established (GitHub deployments or check runs) and writes it as outputs. */
export function isArtifactLookup(step: Step): boolean {
  return step.run !== undefined && /\bgh\s+api\b/.test(step.run) && /\/(deployments|check-runs)\b/.test(step.run) && /\$GITHUB_OUTPUT\b/.test(step.run);
}

/**
 * Whether a value traces back to what staging (or verify) established: an output of an artifact
 * lookup, directly, through a job output, or through a step in the same job whose env takes one
 * (the promotion step that re-tags the image it was given).
 */
export function tracesToArtifact(workflow: Workflow, job: Job, value: Plain | undefined, depth = 0): boolean {
  if (typeof value !== "string" || depth > 4) return false;
  const expression = /^\s*\$\{\{\s*(needs\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)|steps\.([A-Za-z0-9_-]+)\.outputs\.[A-Za-z0-9_-]+)\s*\}\}\s*$/.exec(value);
  if (!expression) return false;
  if (expression[4] !== undefined) {
    const step = job.steps.find((candidate) => candidate.id === expression[4]);
    if (step === undefined) return false;
    return isArtifactLookup(step) || Object.values(step.env).some((env) => tracesToArtifact(workflow, job, env, depth + 1));
  }
  const source = workflow.jobById.get(expression[2]!);
  if (!source || !ancestorsOf(workflow, job.id).has(source.id)) return false;
  return tracesToArtifact(workflow, source, source.outputs[expression[3]!], depth + 1);
}
