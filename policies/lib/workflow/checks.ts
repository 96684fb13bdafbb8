import { asRecord, isRecord, Plain } from "../values";
import { conditionIn, flagValue, literalOf, statusFunctionsOf } from "./expression";
import { ancestorsOf, Job, Step, Workflow } from "./model";
import {
  allCommandsOfStep,
  commandsOfStep,
  deployKindsOfStep,
  environmentIsProduction,
  isGateCommand,
  isGateStep,
  isRecordedReleaseReference,
  isReleaseLookup,
  isSecretValue,
  jobRoles,
  preflightJobs,
  secretVariables,
  toolOf,
  vercelSubcommand,
} from "./roles";
import { escapingFailures, githubShellStart } from "../shell/failures";
import { Command, commandsOf, invocation, pipelines, programOf, variablesIn } from "../shell/syntax";

/**
 * The structural rules every workflow file is held to, one function per rule, each returning the
 * problems it finds (`at` is the YAML path). The pack reports them as violations of the policy of
 * the same name; the program's own check of the files it renders (infra/workflows/hardening.ts)
 * runs the same functions.
 */
export interface Finding {
  at: string;
  message: string;
}

export interface CheckContext {
  /** The GitHub environment production deploys use. */
  productionEnvironment: string;
  /** Job ids of the verify workflow that are required checks (gates as a whole). */
  requiredChecks: readonly string[];
  /** Whether this file is a verify workflow (its required-check jobs are gates). */
  isVerifyWorkflow: boolean;
}

export const DEFAULT_CONTEXT: CheckContext = {
  productionEnvironment: "production",
  requiredChecks: ["lint", "typecheck", "unit-tests", "build", "security-scan", "migration-reversibility", "performance-budgets"],
  isVerifyWorkflow: false,
};

const find = (at: string, message: string): Finding => ({ at, message });

// --- supply chain ---------------------------------------------------------------------------------

/** Every third-party action and reusable workflow pinned to a full commit SHA (docker:// images by digest); reusable workflows only from this repository. */
export function unpinnedActions(workflow: Workflow, trusted: (reference: string) => boolean = () => false): Finding[] {
  const findings: Finding[] = [];
  for (const job of workflow.jobs) {
    if (job.uses !== undefined && !job.uses.startsWith("./")) findings.push(find(`${job.at}.uses`, `${job.uses}: only reusable workflows of this repository (./.github/workflows/…)`));
    for (const step of job.steps) {
      const uses = step.uses;
      if (uses !== undefined && uses.startsWith("./")) {
        findings.push(find(`${step.at}.uses`, `${uses}: a local action's steps are not in the workflow file, so nothing judges them; write them as steps`));
        continue;
      }
      if (uses === undefined || trusted(uses)) continue;
      if (uses.startsWith("docker://")) {
        if (!/@sha256:[0-9a-f]{64}$/.test(uses)) findings.push(find(`${step.at}.uses`, `${uses} is not pinned to an image digest (@sha256:…)`));
      } else if (!/^[^@\s]+@[0-9a-f]{40}$/.test(uses)) findings.push(find(`${step.at}.uses`, `${uses} is not pinned to a full commit SHA`));
    }
  }
  return findings;
}

/** No `curl … | sh`: a script fetched at run time and executed unread. */
export function remoteScriptExecution(workflow: Workflow): Finding[] {
  const findings: Finding[] = [];
  const fetchers = new Set(["curl", "wget", "fetch", "http", "iwr", "invoke-webrequest"]);
  const interpreters = /^(sh|bash|zsh|dash|ksh|ash|fish|python[0-9.]*|node|perl|ruby|php|pwsh|powershell|iex|invoke-expression|source|\.|eval)$/i;
  for (const job of workflow.jobs) {
    for (const step of job.steps) {
      const commands = commandsOfStep(step);
      const fetches = (text: string) => commandsOfText(text).some((command) => fetchers.has(programOf(command).toLowerCase()));
      for (const pipeline of pipelines(commands)) {
        const fetchIndex = pipeline.findIndex((command) => fetchers.has(programOf(command).toLowerCase()));
        if (fetchIndex >= 0 && pipeline.slice(fetchIndex + 1).some((command) => interpreters.test(programOf(command)) || (programOf(command) === "xargs" && invocation(command).some((word) => interpreters.test(word))))) {
          findings.push(find(`${step.at}.run`, `pipes a download into an interpreter (${pipeline.map(programOf).join(" | ")})`));
        }
      }
      const downloaded = new Set<string>();
      for (const command of commands) {
        const program = programOf(command);
        const words = invocation(command);
        if (interpreters.test(program) && command.substitutions.some(fetches)) findings.push(find(`${step.at}.run`, `runs a script fetched at run time (${program} with a download in $(…) or <(…))`));
        if (fetchers.has(program.toLowerCase())) {
          words.forEach((word, index) => {
            if ((word === "-o" || word === "-O" || word === "--output") && words[index + 1] !== undefined) downloaded.add(baseName(words[index + 1]!));
          });
          for (const redirect of command.redirects) if (redirect.op === ">" || redirect.op === ">>") downloaded.add(baseName(redirect.target));
          if (program === "wget" && !words.includes("-O")) for (const word of words.slice(1)) if (/^https?:\/\//.test(word)) downloaded.add(baseName(word));
        } else if (downloaded.size > 0) {
          const executes = interpreters.test(program) ? words.slice(1).some((word) => downloaded.has(baseName(word))) : downloaded.has(baseName(words[0] ?? ""));
          const madeExecutable = program === "chmod" && words.some((word) => downloaded.has(baseName(word)));
          if (executes || madeExecutable) findings.push(find(`${step.at}.run`, `executes a file it just downloaded (${words.slice(0, 3).join(" ")})`));
        }
      }
    }
  }
  return findings;
}

function baseName(path: string): string {
  return path.replace(/^["']|["']$/g, "").split(/[/?]/).filter((part) => part !== "").pop() ?? path;
}

const subCache = new Map<string, Command[]>();
function commandsOfText(text: string): Command[] {
  let commands = subCache.get(text);
  if (commands === undefined) {
    commands = commandsOf(text);
    if (subCache.size > 512) subCache.clear();
    subCache.set(text, commands);
  }
  return commands;
}

const EXACT_NPM = /^(@[a-z0-9._~-]+\/)?[a-z0-9._~-]+@\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;
const EXACT_PIP = /^[A-Za-z0-9._-]+(\[[A-Za-z0-9_,.-]+\])?==\d+(\.\d+)*([a-z]+\d*)?$/;

/** Every tool installed at an exact version: npm/pnpm/yarn globals and npx, pip, pipx, uv tool, go install, cargo, gem, apt. */
export function unpinnedTools(workflow: Workflow): Finding[] {
  const findings: Finding[] = [];
  for (const job of workflow.jobs) {
    for (const step of job.steps) {
      const at = `${step.at}.run`;
      for (const command of allCommandsOfStep(step)) {
        const words = invocation(command);
        const program = programOf(command);
        const args = words.slice(1);
        const positional = (list: string[]) => list.filter((word) => !word.startsWith("-"));
        const report = (what: string) => findings.push(find(at, `${what} is not installed at an exact version (${words.slice(0, 6).join(" ")})`));
        if (program === "npm" && ["install", "i", "add", "install-global"].includes(args[0] ?? "") && args.some((a) => a === "-g" || a === "--global")) {
          for (const pkg of positional(args.slice(1))) if (!EXACT_NPM.test(pkg)) report(pkg);
        } else if ((program === "pnpm" || program === "bun") && ["add", "install", "i"].includes(args[0] ?? "") && args.some((a) => a === "-g" || a === "--global")) {
          for (const pkg of positional(args.slice(1))) if (!EXACT_NPM.test(pkg)) report(pkg);
        } else if (program === "yarn" && args[0] === "global" && args[1] === "add") {
          for (const pkg of positional(args.slice(2))) if (!EXACT_NPM.test(pkg)) report(pkg);
        } else if (program === "npx" || program === "bunx" || ((program === "pnpm" || program === "yarn") && args[0] === "dlx")) {
          const rest = program === "npx" || program === "bunx" ? args : args.slice(1);
          if (rest.includes("--no-install") || rest.includes("--no")) continue;
          const spec = rest.find((word) => !word.startsWith("-"));
          const packageFlag = rest.findIndex((word) => word === "-p" || word === "--package");
          const pkg = packageFlag >= 0 ? rest[packageFlag + 1] : spec;
          if (pkg !== undefined && !EXACT_NPM.test(pkg)) report(pkg);
        } else if (
          ((program === "pip" || program === "pip3") && args[0] === "install") ||
          (/^python[0-9.]*$/.test(program) && args[0] === "-m" && args[1] === "pip" && args[2] === "install") ||
          (program === "uv" && args[0] === "pip" && args[1] === "install")
        ) {
          const start = program === "uv" ? 2 : /^python/.test(program) ? 3 : 1;
          const list = args.slice(start);
          for (let index = 0; index < list.length; index++) {
            const word = list[index]!;
            if (["-r", "--requirement", "-c", "--constraint", "-e", "--editable", "-i", "--index-url", "--extra-index-url", "-t", "--target"].includes(word)) {
              index++;
              continue;
            }
            if (word.startsWith("-") || word === "." || word.startsWith("./") || word.startsWith("/")) continue;
            if (!EXACT_PIP.test(word)) report(word);
          }
        } else if ((program === "pipx" && ["install", "run"].includes(args[0] ?? "")) || (program === "uv" && args[0] === "tool" && ["install", "run"].includes(args[1] ?? "")) || program === "uvx") {
          const list = program === "uvx" ? args : program === "uv" ? args.slice(2) : args.slice(1);
          const pkg = positional(list)[0];
          if (pkg !== undefined && !EXACT_PIP.test(pkg) && !/@\d+\.\d+\.\d+/.test(pkg)) report(pkg);
        } else if (program === "go" && args[0] === "install") {
          for (const pkg of positional(args.slice(1))) if (!/@v\d+\.\d+\.\d+/.test(pkg)) report(pkg);
        } else if (program === "cargo" && args[0] === "install") {
          if (!args.some((a, i) => a === "--version" || a.startsWith("--version=") || (i > 0 && /@\d/.test(a)))) report(positional(args.slice(1))[0] ?? "cargo crate");
        } else if (program === "gem" && args[0] === "install") {
          if (!args.some((a) => a === "-v" || a === "--version" || a.startsWith("--version="))) report(positional(args.slice(1))[0] ?? "gem");
        } else if ((program === "apt-get" || program === "apt") && args.includes("install")) {
          for (const pkg of positional(args.slice(args.indexOf("install") + 1))) if (!/=/.test(pkg)) report(pkg);
        } else if (program === "brew" && args[0] === "install") {
          report(positional(args.slice(1))[0] ?? "brew formula");
        }
      }
      if (step.uses !== undefined) {
        const name = step.uses.split("@")[0]!;
        const versionInput = name === "actions/setup-node" ? "node-version" : name === "actions/setup-python" ? "python-version" : name === "pnpm/action-setup" ? "version" : undefined;
        const value = versionInput === undefined ? undefined : step.with[versionInput];
        if (typeof value === "string" && /^(latest|lts\/.*|node|current|stable|\*|.*[x*^~><]|.*\|\|.*)$/i.test(value.trim())) {
          findings.push(find(`${step.at}.with.${versionInput}`, `${name} ${versionInput}: ${value} is an alias or a range, not a version`));
        }
      }
    }
  }
  return findings;
}

// --- permissions and triggers ----------------------------------------------------------------------

/** The top-level token: absent (the repository default, possibly write), write-all, or write scopes. */
export function broadTopLevelPermissions(workflow: Workflow): Finding[] {
  const permissions = workflow.permissions;
  if (permissions === undefined) return [find("permissions", "no top-level permissions: the token gets the repository's default (possibly write) scopes")];
  if (typeof permissions === "string") return permissions === "read-all" ? [] : [find("permissions", `top-level permissions ${permissions}; {} or read scopes only`)];
  if (!isRecord(permissions)) return [find("permissions", "top-level permissions are not a mapping")];
  const writes = Object.entries(permissions).filter(([, level]) => level !== "read" && level !== "none");
  return writes.length > 0 ? [find("permissions", `top-level permissions grant ${writes.map(([scope, level]) => `${scope}: ${String(level)}`).join(", ")}`)] : [];
}

/** What a job does that needs each write scope. */
function writeJustified(job: Job, scope: string): boolean {
  const runs = job.steps.map((step) => step.run ?? "").join("\n");
  const uses = job.steps.map((step) => step.uses?.split("@")[0] ?? "");
  const ghWrite = (path: RegExp) => /\bgh\s+api\b/.test(runs) && path.test(runs) && /(--input\b|\s-[fF]\s|-X\s*(POST|PATCH|PUT|DELETE)|--method\s+(POST|PATCH|PUT|DELETE))/.test(runs);
  switch (scope) {
    case "contents":
      return /\bgh\s+release\s+(create|upload|edit|delete)\b|\bgit\s+push\b/.test(runs) || uses.some((u) => /release/.test(u)) || ghWrite(/\/(git\/refs|contents|releases)\b/);
    case "packages":
      return (
        job.steps.some((step) => step.uses?.startsWith("docker/build-push-action@") && (step.with["push"] === true || step.with["push"] === "true")) ||
        /\bdocker\s+push\b|\bimagetools\s+create\b|\bcrane\s+(copy|tag|push)\b|\bskopeo\s+copy\b/.test(runs)
      );
    case "deployments":
      return ghWrite(/\/deployments\b/);
    case "id-token":
      return uses.some((u) => ["aws-actions/configure-aws-credentials", "google-github-actions/auth", "azure/login", "pulumi/auth-actions"].includes(u));
    case "pull-requests":
      return /\bgh\s+pr\s+(comment|review|edit|merge|close)\b/.test(runs) || ghWrite(/\/(pulls|issues\/[^/\s]+\/comments|issues\/comments)\b/) || job.steps.some((s) => s.with["comment-on-pr"] === true);
    case "issues":
      return /\bgh\s+issue\s+(create|comment|edit|close)\b/.test(runs) || ghWrite(/\/issues\b/);
    case "security-events":
      return uses.some((u) => u.startsWith("github/codeql-action/"));
    case "actions":
      return /\bgh\s+(workflow\s+(run|enable|disable)|run\s+(cancel|rerun|delete)|cache\s+delete)\b/.test(runs);
    case "checks":
      return ghWrite(/\/check-runs\b/);
    case "statuses":
      return ghWrite(/\/statuses\/[0-9a-f$]/);
    case "attestations":
      return uses.some((u) => u.startsWith("actions/attest"));
    case "pages":
      return uses.some((u) => u === "actions/deploy-pages");
    default:
      return false;
  }
}

/** Each job states its permissions, never write-all, and every write scope is one it uses. */
export function jobPermissionProblems(workflow: Workflow): Finding[] {
  const findings: Finding[] = [];
  for (const job of workflow.jobs) {
    const permissions = job.permissions;
    if (permissions === undefined) {
      findings.push(find(`${job.at}.permissions`, "states no permissions: it gets the workflow's (or the repository default's)"));
      continue;
    }
    if (typeof permissions === "string") {
      if (permissions !== "read-all") findings.push(find(`${job.at}.permissions`, `${permissions}: grant only the scopes the job uses`));
      continue;
    }
    for (const [scope, level] of Object.entries(asRecord(permissions) ?? {})) {
      if (level === "write" && !writeJustified(job, scope)) findings.push(find(`${job.at}.permissions.${scope}`, `${scope}: write, but nothing in the job needs it`));
    }
  }
  return findings;
}

/** pull_request_target runs a fork's pull request with the base repository's secrets and write token. */
export function pullRequestTarget(workflow: Workflow): Finding[] {
  return workflow.triggers.includes("pull_request_target") ? [find("on", `${workflow.file} is triggered by pull_request_target`)] : [];
}

/** workflow_run: only from named branches, and every job checks the triggering run came from this repository. */
export function untrustedWorkflowRun(workflow: Workflow): Finding[] {
  if (!workflow.triggers.includes("workflow_run")) return [];
  const findings: Finding[] = [];
  const config = asRecord(workflow.triggerConfig["workflow_run"]);
  const branches = config?.["branches"];
  if (!Array.isArray(branches) || branches.length === 0 || branches.some((branch) => typeof branch !== "string" || /[*?[]/.test(branch))) {
    findings.push(find("on.workflow_run.branches", "workflow_run must name the branches it accepts runs from (no wildcards): a run from a fork's pull request triggers it with this repository's secrets"));
  }
  for (const job of workflow.jobs) {
    if (typeof job.if !== "string" || !/github\.event\.workflow_run\.head_repository\.full_name\s*==\s*github\.repository/.test(job.if)) {
      findings.push(find(`${job.at}.if`, "runs for a workflow_run without checking github.event.workflow_run.head_repository.full_name == github.repository"));
    }
  }
  return findings;
}

/** A workflow with a production deploy job starts only by hand (workflow_dispatch). */
export function productionTriggers(workflow: Workflow, context: CheckContext): Finding[] {
  const roles = jobRoles(workflow, context.productionEnvironment).filter((role) => role.production);
  if (roles.length === 0) return [];
  const others = workflow.triggers.filter((trigger) => trigger !== "workflow_dispatch");
  return others.length > 0
    ? [find("on", `deploys to production (${roles.map((role) => role.job.id).join(", ")}) but is triggered by ${others.join(", ")}; production deploys start only by workflow_dispatch`)]
    : [];
}

// --- gates ----------------------------------------------------------------------------------------

const SUCCEEDS = new Set(["true", ":", "echo", "printf", "sleep", "logger", "export", "exit 0", "return 0"]);

/**
 * How a script lets a failure through, by spelling: `|| true`, `set +e`, a top-level `exit 0`, a trap, a
 * gate tool in a condition or a list. Pipelines are judged by failures.ts (gateBypasses), which knows
 * whether the shell has pipefail.
 */
export function swallowedFailures(commands: Command[]): string[] {
  const problems: string[] = [];
  commands.forEach((command, index) => {
    const words = invocation(command);
    const program = programOf(command);
    if (program === "set" && words.slice(1).some((flag) => /^\+[a-z]*e/.test(flag) || (flag === "+o" && ["errexit", "pipefail"].includes(words[words.indexOf(flag) + 1] ?? "")))) {
      problems.push(`\`${words.join(" ")}\` turns off fail-fast`);
    }
    if (program === "trap" && /\bexit\s+0\b|^\s*(true|:)\s*$/.test(words[1] ?? "")) problems.push(`\`trap ${words[1]} …\` makes the script exit 0`);
    if (command.before === "||") {
      const rescued = words.length === 0 ? "" : words[0] === "exit" || words[0] === "return" ? `${words[0]} ${words[1] ?? "0"}` : words[0]!;
      const assignmentOnly = command.words.length > 0 && command.words.every((word) => /^[A-Za-z_][A-Za-z0-9_]*=/.test(word));
      if (SUCCEEDS.has(rescued) || SUCCEEDS.has(program) || assignmentOnly) {
        const previous = commands[index - 1];
        problems.push(`\`${previous ? invocation(previous).slice(0, 3).join(" ") : "…"} || ${command.words.slice(0, 3).join(" ")}\` always succeeds`);
      }
    }
    if (command.depth === 0 && !command.inFunction && (words[0] === "exit" || words[0] === "return") && (words[1] === undefined || words[1] === "0")) {
      problems.push(`\`${words.join(" ")}\` at the top level ends the script successfully`);
    }
    if (isGateCommand(command)) {
      const where = invocation(command).slice(0, 3).join(" ");
      if (command.condition || command.negated) problems.push(`\`${where}\` runs as a condition, so its failure does not fail the step`);
      else if (command.after === "&&" || command.after === "||") problems.push(`\`${where}\` is not the last command of an && / || list, so its failure does not fail the step`);
    }
    for (const text of command.substitutions) {
      if (commandsOfText(text).some(isGateCommand) && program !== "" && !/^[A-Za-z_][A-Za-z0-9_]*=/.test(command.words[0] ?? "")) {
        problems.push(`a check inside $(…) of \`${program}\` cannot fail the step`);
      }
    }
  });
  return problems;
}

const TESTS = new Set(["[", "[[", "test"]);

/** A check in a gate step: a test, lint, scan or budget tool, `curl --fail`, or a test outside an if/while condition. */
function isWorkflowCheck(command: Command, inCondition: boolean): boolean {
  if (isGateCommand(command)) return true;
  const { tool, args } = toolOf(command);
  if (tool === "curl" && args.some((arg) => arg === "--fail" || arg === "--fail-with-body" || /^-[a-zA-Z]*f[a-zA-Z]*$/.test(arg))) return true;
  return !inCondition && TESTS.has(programOf(command));
}

/** The shell a step runs in, when it is not GitHub's fail-fast bash (`bash --noprofile --norc -eo pipefail {0}`). */
function customShell(workflow: Workflow, step: Step): string | undefined {
  const shell = step.shell ?? workflow.defaultShell;
  if (shell === undefined || ["bash", "sh", "pwsh", "python"].includes(shell.trim())) return undefined;
  return shell;
}

/**
 * Gates fail closed: a step that tests, lints, type-checks, scans, checks a budget, smoke-tests or
 * runs the pre-flight, and every step of a required check job or of a pre-flight job, must stop the
 * run when it fails: no `continue-on-error` (step or job, literal or expression), no swallowed exit
 * status, no custom shell without fail-fast; and it must not be skipped by an `if:` that is false
 * whenever the run is going well (or always).
 */
export function gateBypasses(workflow: Workflow, context: CheckContext): Finding[] {
  const findings: Finding[] = [];
  const events = workflow.triggers;
  const roles = jobRoles(workflow, context.productionEnvironment);
  const preflight = preflightJobs(workflow, roles);
  for (const job of workflow.jobs) {
    const requiredCheck = context.isVerifyWorkflow && (context.requiredChecks.includes(job.id) || (job.name !== undefined && context.requiredChecks.includes(job.name)));
    const wholeJobIsGate = requiredCheck || preflight.has(job.id);
    const jobContinues = flagValue(job.continueOnError, events);
    const gateSteps = job.steps.filter((step) => wholeJobIsGate || isGateStep(step));
    if (gateSteps.length > 0 && jobContinues !== false) findings.push(find(`${job.at}.continue-on-error`, `job ${job.id} has continue-on-error (${JSON.stringify(job.continueOnError)}): its checks cannot fail the run`));
    if (wholeJobIsGate) {
      if (conditionIn(job.if, { outcome: "success", events }) === false) findings.push(find(`${job.at}.if`, `job ${job.id} is skipped even when everything before it succeeds (if: ${String(job.if)}); a skipped check reports success`));
      else if (requiredCheck && job.if !== undefined && conditionIn(job.if, { outcome: "success", events }) !== true) {
        findings.push(find(`${job.at}.if`, `required check ${job.id} runs only if ${String(job.if)}: a skipped job reports success to the ruleset`));
      }
      if (requiredCheck && job.needs.length > 0) findings.push(find(`${job.at}.needs`, `required check ${job.id} needs ${job.needs.join(", ")}: when they fail it is skipped, and a skipped job reports success`));
    }
    for (const step of gateSteps) {
      const continues = flagValue(step.continueOnError, events);
      if (continues !== false) findings.push(find(`${step.at}.continue-on-error`, `${step.name}: continue-on-error ${JSON.stringify(step.continueOnError)} lets it fail without failing the run`));
      const shell = customShell(workflow, step);
      if (shell !== undefined) findings.push(find(`${step.at}.shell`, `${step.name}: custom shell \`${shell}\` does not fail on the first error`));
      for (const problem of swallowedFailures(commandsOfStep(step))) findings.push(find(`${step.at}.run`, `${step.name}: ${problem}`));
      const start = step.run === undefined ? undefined : githubShellStart(step.shell ?? workflow.defaultShell);
      if (step.run !== undefined && start !== undefined) {
        const reported = new Set(swallowedFailures(commandsOfStep(step)).length > 0 ? [step.at] : []);
        for (const escape of escapingFailures(step.run, isWorkflowCheck, start)) {
          if (reported.has(step.at)) break; // one way it escapes is enough per step; the spelling rules above named it
          findings.push(find(`${step.at}.run`, `${step.name}: \`${invocation(escape.command).slice(0, 4).join(" ")}\` can fail without failing the step: ${escape.reason}`));
        }
      }
      const onSuccess = conditionIn(step.if, { outcome: "success", events });
      const onFailure = conditionIn(step.if, { outcome: "failure", events });
      if (onSuccess === false && onFailure === false) findings.push(find(`${step.at}.if`, `${step.name} never runs (if: ${String(step.if)})`));
      else if (wholeJobIsGate && onSuccess !== true) findings.push(find(`${step.at}.if`, `${step.name} may be skipped when the run goes well (if: ${String(step.if)})`));
    }
  }
  return findings;
}

// --- secrets --------------------------------------------------------------------------------------

const ENCODERS = new Set(["base64", "base32", "xxd", "od", "hexdump", "rev", "gzip", "openssl", "uuencode", "tr", "sed", "awk"]);
const PRINTERS = new Set(["echo", "printf", "cat"]);
const DUMPERS = new Set(["env", "printenv"]);
const RUNNER_FILES = /^"?\$\{?(GITHUB_OUTPUT|GITHUB_ENV|GITHUB_STEP_SUMMARY|GITHUB_PATH|GITHUB_STATE)\}?"?$/;

/** No secret echoed, encoded, written to a file or to $GITHUB_OUTPUT/$GITHUB_ENV, exposed as a job output, or dumped with the environment. */
export function secretExposure(workflow: Workflow): Finding[] {
  const findings: Finding[] = [];
  for (const job of workflow.jobs) {
    for (const [name, value] of Object.entries(job.outputs)) {
      if (isSecretValue(value) || (typeof value === "string" && /\btoJSON\s*\(\s*secrets\s*\)/i.test(value))) findings.push(find(`${job.at}.outputs.${name}`, `job output ${name} is a secret: outputs are plain text to every job and the run's API`));
    }
    for (const step of job.steps) {
      const text = JSON.stringify(step.record);
      if (/\btoJSON\s*\(\s*secrets\s*\)/i.test(text)) findings.push(find(step.at, `${step.name}: toJSON(secrets) hands over every secret`));
      if (step.run !== undefined && /\$\{\{[^}]*\bsecrets\b/i.test(step.run)) findings.push(find(`${step.at}.run`, `${step.name}: a secret expression inside run: is written into the script`));
      const secrets = secretVariables(step);
      if (secrets.size === 0 || step.run === undefined) continue;
      const tainted = new Set(secrets);
      const mentions = (words: string[]) => words.some((word) => variablesIn(word).some((name) => tainted.has(name)));
      const commands = commandsOfStep(step);
      for (const pipeline of pipelines(commands)) {
        const carries = mentions(pipeline[0]!.words) || pipeline[0]!.redirects.some((redirect) => redirect.op === "<<<" && mentions([redirect.target]));
        pipeline.forEach((command, position) => {
          const words = invocation(command);
          const program = programOf(command);
          // VAR=$SECRET (or export/local VAR=$SECRET): the copy is a secret too.
          for (const word of command.words) {
            const assignment = /^(?:export\s+|local\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(word);
            // What a command substitution prints is its output, not the secret it was given (`id="$(vercel inspect … --token="$T")"`).
            const value = assignment?.[2]?.replace(/\$\((?:[^()]|\((?:[^()]|\([^()]*\))*\))*\)/g, "");
            if (assignment && value !== undefined && variablesIn(value).some((name) => tainted.has(name))) tainted.add(assignment[1]!);
          }
          const own = mentions(words.slice(1)) || command.redirects.some((redirect) => redirect.op === "<<<" && mentions([redirect.target]));
          const fed = position > 0 && carries;
          if ((DUMPERS.has(program) && words.length <= 2) || (program === "set" && words.length === 1) || (["export", "declare"].includes(program) && words[1] === "-p")) {
            findings.push(find(`${step.at}.run`, `${step.name}: \`${words.join(" ")}\` prints the environment, secrets included`));
          }
          if (program === "set" && words.some((word) => /^-[a-z]*x/.test(word) || word === "xtrace")) findings.push(find(`${step.at}.run`, `${step.name}: \`set -x\` echoes commands with their secrets`));
          if (!(own || fed)) return;
          const secret = words.slice(1).flatMap(variablesIn).find((name) => tainted.has(name)) ?? [...secrets][0];
          if (PRINTERS.has(program) && position === pipeline.length - 1 && command.redirects.every((redirect) => redirect.op === "<<<" || redirect.op === "<")) {
            findings.push(find(`${step.at}.run`, `${step.name}: echoes ${secret}`));
          }
          if (ENCODERS.has(program) || (program === "openssl" && /base64|enc/.test(words.join(" ")))) findings.push(find(`${step.at}.run`, `${step.name}: encodes ${secret} (${program}), which log masking does not catch`));
          for (const redirect of command.redirects) {
            if (redirect.op === ">" || redirect.op === ">>" || redirect.op === ">|") {
              findings.push(find(`${step.at}.run`, RUNNER_FILES.test(redirect.target) ? `${step.name}: writes ${secret} to ${redirect.target.replace(/["{}$]/g, "")}` : `${step.name}: writes ${secret} to a file (${redirect.target})`));
            }
          }
          if (program === "tee" || program === "cp" || program === "dd") findings.push(find(`${step.at}.run`, `${step.name}: writes ${secret} to a file (${program})`));
        });
      }
    }
  }
  return findings;
}

// --- hardening baseline ------------------------------------------------------------------------------

/** Checkouts drop their credentials, no expression inside run:, every steps job has a timeout, deploys are serialised per environment. */
export function hardeningBaseline(workflow: Workflow, context: CheckContext): Finding[] {
  const findings: Finding[] = [];
  const serial = (concurrency: Plain | undefined) => {
    const record = asRecord(concurrency);
    return record !== undefined && typeof record["group"] === "string" && record["cancel-in-progress"] === false;
  };
  const roles = jobRoles(workflow, context.productionEnvironment);
  for (const job of workflow.jobs) {
    if (job.uses === undefined && (typeof job.timeoutMinutes !== "number" || job.timeoutMinutes <= 0)) findings.push(find(`${job.at}.timeout-minutes`, "every job has a timeout (the default is 6 hours)"));
    for (const step of job.steps) {
      if (step.uses?.startsWith("actions/checkout@") && step.with["persist-credentials"] !== false && step.with["persist-credentials"] !== "false") {
        findings.push(find(`${step.at}.with.persist-credentials`, "actions/checkout keeps the token in .git/config unless persist-credentials: false"));
      }
      if (step.run !== undefined && step.run.includes("${{")) findings.push(find(`${step.at}.run`, "an expression inside run: is pasted into the script before it runs (pass it through env:)"));
    }
  }
  if (!serial(workflow.concurrency)) {
    for (const role of roles) {
      if (role.deploys && role.job.environment !== undefined && !serial(role.job.concurrency)) {
        findings.push(find(`${role.job.at}.concurrency`, "a job that deploys needs a concurrency group per environment with cancel-in-progress: false (a cancelled deploy is half done)"));
      }
    }
  }
  return findings;
}

// --- deploy graph -------------------------------------------------------------------------------------

/**
 * The values an environment written as `${{ inputs.<name> }}` (or `github.event.inputs.<name>`) can take,
 * when the workflow starts only by workflow_dispatch and the input is a `choice`: GitHub refuses a
 * dispatch whose value is not one of the options (REST "Create a workflow dispatch event" answers 422
 * "Provided value … for input … not in the list of allowed values", as cli/cli#5246 and
 * ROCm/TheRock#3651 quote it). Undefined for anything else.
 */
export function dispatchChoices(workflow: Workflow, environment: string): string[] | undefined {
  const input = /^\s*\$\{\{\s*(?:github\.event\.)?inputs\.([A-Za-z_][A-Za-z0-9_-]*)\s*\}\}\s*$/.exec(environment)?.[1];
  if (input === undefined || workflow.triggers.some((trigger) => trigger !== "workflow_dispatch")) return undefined;
  const definition = asRecord(asRecord(asRecord(workflow.triggerConfig["workflow_dispatch"])?.["inputs"])?.[input]);
  const options = definition?.["options"];
  if (definition?.["type"] !== "choice" || !Array.isArray(options) || options.length === 0) return undefined;
  return options.map(String);
}

/**
 * Deploy jobs run in an environment (its approvals, its secrets); production changes in ONE job in
 * the production environment (one approval); no job outside that environment touches production.
 */
export function environmentProblems(workflow: Workflow, context: CheckContext, requireProductionJob: boolean): Finding[] {
  const findings: Finding[] = [];
  const roles = jobRoles(workflow, context.productionEnvironment);
  for (const job of workflow.jobs) {
    if (job.environment === undefined || !job.environment.includes("${{") || literalOf(job.environment) !== undefined || dispatchChoices(workflow, job.environment) !== undefined) continue;
    findings.push(find(`${job.at}.environment`, `job ${job.id} names its environment with an expression (${job.environment}): it can evaluate to another environment than the one its approvals and secrets were judged for; write the environment's name (or a workflow_dispatch choice input)`));
  }
  for (const role of roles) {
    if (!role.deploys) continue;
    if (role.job.environment === undefined) {
      findings.push(find(`${role.job.at}.environment`, `job ${role.job.id} deploys (${[...role.kinds].join(", ")}) without an environment: no approval, and it reaches secrets it should not have`));
    } else if (role.production && !environmentIsProduction(role.job.environment, context.productionEnvironment)) {
      findings.push(find(`${role.job.at}.environment`, `job ${role.job.id} changes production (${[...role.kinds].join(", ")}) from environment ${role.job.environment}: it runs without production's approval`));
    }
  }
  const nameOf = (job: Job) => (job.environment === undefined ? undefined : literalOf(job.environment));
  const gated = workflow.jobs.filter((job) => nameOf(job)?.trim().toLowerCase() === context.productionEnvironment.toLowerCase());
  if (requireProductionJob && gated.length === 0 && !workflow.jobs.some((job) => environmentIsProduction(job.environment, context.productionEnvironment))) {
    findings.push(find("jobs", `no job runs in environment ${context.productionEnvironment}: nothing waits for approval`));
  }
  if (gated.length > 1) {
    findings.push(find("jobs", `${gated.length} jobs run in environment ${context.productionEnvironment} (${gated.map((job) => job.id).join(", ")}): each waits for its own approval; put the production steps in one job`));
  }
  return findings;
}

/** Whether a job's `if:` lets it run after a job it needs failed (always(), failure(), cancelled(), !cancelled()). */
function runsAfterFailure(job: Job, events: readonly string[]): boolean {
  return statusFunctionsOf(job.if).some((fn) => fn !== "success") && conditionIn(job.if, { outcome: "failure", events }) !== false;
}

/**
 * A job that deploys to production waits for a pre-flight job (transitively, through jobs that do not
 * run after a failure) that deploys nothing; a job made only of restores to recorded releases
 * (a rollback) needs the job that resolved them instead. `isPreflight` decides what a pre-flight is.
 */
export function preflightProblems(workflow: Workflow, context: CheckContext, isPreflight: (job: Job) => boolean): Finding[] {
  const findings: Finding[] = [];
  const events = workflow.triggers;
  for (const role of jobRoles(workflow, context.productionEnvironment)) {
    if (!role.production) continue;
    if (isRollbackOnly(workflow, role.job)) continue;
    if (runsAfterFailure(role.job, events)) {
      findings.push(find(`${role.job.at}.if`, `job ${role.job.id} deploys to production and runs even when a job it needs failed (if: ${String(role.job.if)})`));
      continue;
    }
    // Reachable through needs edges whose jobs do not run after a failure.
    const reachable = new Set<string>();
    const pending = [...role.job.needs];
    while (pending.length > 0) {
      const id = pending.pop()!;
      if (reachable.has(id)) continue;
      const job = workflow.jobById.get(id);
      if (!job) continue;
      reachable.add(id);
      if (flagValue(job.continueOnError, events) !== false) continue;
      if (isPreflight(job)) continue;
      if (runsAfterFailure(job, events)) continue;
      pending.push(...job.needs);
    }
    const found = [...reachable].map((id) => workflow.jobById.get(id)!).filter((job) => isPreflight(job) && flagValue(job.continueOnError, events) === false);
    if (found.length === 0) findings.push(find(`${role.job.at}.needs`, `job ${role.job.id} deploys to production without waiting for the pre-flight (the schedule check)`));
  }
  return findings;
}

/** A job whose changes all return to releases the deploys recorded (and database downgrades): a rollback. */
export function isRollbackOnly(workflow: Workflow, job: Job): boolean {
  let restores = 0;
  for (const step of job.steps) {
    const kinds = deployKindsOfStep(step);
    if (kinds.size === 0 || (kinds.size === 1 && kinds.has("aws-role"))) continue;
    for (const kind of kinds) {
      if (kind === "aws-role" || kind === "database-downgrade") continue;
      if ((kind === "web-restore" || kind === "api") && restoresRecordedRelease(workflow, job, step)) {
        restores++;
        continue;
      }
      return false;
    }
  }
  return restores > 0;
}

/** The variables a deploy command's target comes from, and whether each is a recorded release. */
function restoresRecordedRelease(workflow: Workflow, job: Job, step: Step): boolean {
  const targets = releaseTargets(step);
  return targets.length > 0 && targets.every((name) => isRecordedReleaseReference(workflow, job, step.effectiveEnv[name]));
}

/** Environment variables that name what a deploy command deploys: IMAGE for the Railway API, the deployment argument of vercel rollback/alias/promote. */
function releaseTargets(step: Step): string[] {
  const names = new Set<string>();
  if (step.run !== undefined && /backboard\.railway\.(com|app)/.test(step.run)) names.add("IMAGE");
  for (const command of allCommandsOfStep(step)) {
    const { tool, args } = toolOf(command);
    if (tool !== "vercel") continue;
    const { subcommand, args: rest } = vercelSubcommand(args);
    if (["rollback", "promote"].includes(subcommand) || (subcommand === "alias" && rest[0] === "set")) {
      const target = subcommand === "alias" ? rest[1] : rest.find((arg) => !arg.startsWith("-"));
      for (const name of variablesIn(target ?? "")) names.add(name);
      if (target === undefined || variablesIn(target).length === 0) names.add("(literal)");
    }
  }
  return [...names];
}

/**
 * Rollback steps (named or identified as a rollback, or in a job made of restores) redeploy a release
 * the deploys recorded: the Railway deploy with an IMAGE from a release lookup, `vercel rollback`/
 * `alias set` to a recorded deployment; never `railway redeploy`/`up` (the latest, or a fresh
 * build), a literal tag, or a step that calls no deploy tool at all.
 */
export function rollbackProblems(workflow: Workflow): Finding[] {
  const findings: Finding[] = [];
  for (const job of workflow.jobs) {
    for (const step of job.steps) {
      const named = /\broll\s*-?\s*back\b|\brollback\b/i.test(`${step.name} ${step.id ?? ""}`);
      // A check after a rollback, or the lookup of the release to return to, is not a rollback.
      if (!named || ((isGateStep(step) || isReleaseLookup(step)) && deployKindsOfStep(step).size === 0)) continue;
      const kinds = deployKindsOfStep(step);
      const tools = allCommandsOfStep(step).map((command) => toolOf(command));
      if (tools.some(({ tool, args }) => tool === "railway" && ["redeploy", "up", "deploy"].includes(args[0] ?? ""))) {
        findings.push(find(`${step.at}.run`, `${step.name}: railway redeploy/up deploys the latest deployment or a fresh build, not the previous release`));
        continue;
      }
      const deployKinds = [...kinds].filter((kind) => kind !== "aws-role");
      if (deployKinds.length === 0) {
        if (step.run !== undefined && /exit\s+1\b/.test(step.run) && !/\bexit\s+0\b/.test(step.run)) continue; // "nothing to roll back to": fails the run, honestly
        findings.push(find(step.at, `${step.name} calls no deploy tool: nothing is rolled back`));
        continue;
      }
      if (deployKinds.every((kind) => kind === "database-downgrade")) continue;
      const targets = releaseTargets(step);
      const bad = targets.filter((name) => !isRecordedReleaseReference(workflow, job, step.effectiveEnv[name]));
      if (targets.length === 0 || bad.length > 0) {
        findings.push(find(`${step.at}.env`, `${step.name}: ${targets.length === 0 ? "deploys something other than a recorded release" : `${bad.join(", ")} ${bad.length === 1 ? "is" : "are"} not a release the deploys recorded (an output of a GitHub deployments lookup)`}`));
      }
    }
  }
  return findings;
}

/** The steps that write the audit record: they copy a record to the audit bucket. */
export function auditSteps(workflow: Workflow): Step[] {
  return workflow.jobs.flatMap((job) => job.steps).filter((step) => step.run !== undefined && /\baws\s+s3\s+(cp|mv|sync)\b/.test(step.run) && /AUDIT_BUCKET/.test(step.run));
}

/** A workflow that deploys writes an audit record on every outcome: its step runs with always(), in a job that runs always() after every deploy job. */
export function auditProblems(workflow: Workflow, context: CheckContext): Finding[] {
  const roles = jobRoles(workflow, context.productionEnvironment).filter((role) => role.deploys && [...role.kinds].some((kind) => kind !== "aws-role"));
  if (roles.length === 0) return [];
  const events = workflow.triggers;
  const every = (value: Plain | undefined) => (["success", "failure", "cancelled"] as const).every((outcome) => conditionIn(value, { outcome, events }) === true);
  const steps = auditSteps(workflow);
  if (steps.length === 0) return [find("jobs", "deploys without writing an audit record (aws s3 cp to $AUDIT_BUCKET)")];
  const findings: Finding[] = [];
  const good = steps.filter((step) => {
    const job = workflow.jobById.get(step.job)!;
    const covers = roles.every((role) => role.job.id === job.id || ancestorsOf(workflow, job.id).has(role.job.id));
    const jobAlways = roles.every((role) => role.job.id === job.id) || every(job.if);
    const ok = every(step.if) && covers && jobAlways && flagValue(step.continueOnError, events) === false;
    if (!ok) {
      const why = !every(step.if) ? `its if (${String(step.if ?? "success()")}) is not always()` : !covers ? "its job does not wait for every deploy job" : !jobAlways ? `its job runs only if ${String(job.if ?? "success()")}` : "it has continue-on-error";
      findings.push(find(step.at, `${step.name} does not run on every outcome: ${why}`));
    }
    return ok;
  });
  return good.length > 0 ? [] : findings;
}

/** Words of every command a job runs (tool names and `python -m` modules), lower-cased, for "does this job run X". */
export function toolsOfJob(job: Job): Set<string> {
  const tools = new Set<string>();
  for (const step of job.steps) {
    for (const command of allCommandsOfStep(step)) {
      const { tool, args } = toolOf(command);
      tools.add(tool.toLowerCase());
      if (/^python[0-9.]*$/.test(tool) && args[0] === "-m" && args[1] !== undefined) tools.add(args[1].toLowerCase());
      if (["pnpm", "npm", "yarn", "bun"].includes(tool)) {
        const script = args[0] === "run" || args[0] === "exec" ? args[1] : args[0];
        if (script !== undefined) tools.add(`${tool} ${script}`.toLowerCase());
        if (args[0] === "exec" && args[1] !== undefined) tools.add(args[1].toLowerCase());
      }
      if (tool === "alembic" && args[0] !== undefined) tools.add(`alembic ${args[0]}`);
    }
    if (step.uses !== undefined) tools.add(step.uses.split("@")[0]!.toLowerCase());
  }
  return tools;
}
