import { existsSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { enableCompileCache } from "node:module";
import * as path from "node:path";
import { InvalidConfigError } from "../offline/errors";
import type { RecordedResource } from "../offline/monitor";
import { UnknownStackError, readStackConfig } from "../offline/stackConfig";
import { UnknownProjectError } from "../offline/programs";
import type { Evaluation, EvaluationInput } from "../offline/evaluate";
import { PackLocation, PolicyPackDirError, locatePack } from "../policy/packDir";
import { spawnPack } from "../policy/spawn";
import { PROJECT_ROOT } from "../projectRoot";
import { PlanArgs, USAGE, UsageError, parsePlanArgs } from "./args";
import { PlanFileError, readPlanFile } from "./base";
import { diffPlans } from "./diff";
import type { ArtifactSection } from "../artifacts/section";
import type { PlanDocument } from "./document";
import { readJudgedPlan } from "./judge";
import type { PackStarter } from "./policy";
import { renderMarkdown } from "./render/markdown";
import { ConfigFile, renderSarif } from "./render/sarif";
import { renderText } from "./render/text";

const PROJECT_DIR = PROJECT_ROOT;

/** Exit codes: 0 the plan is clean, 1 a mandatory policy violation remains or the planned code fails the artifact check, 2 bad input. */
export async function runPlan(
  argv: readonly string[],
  options: {
    projectDir?: string;
    startPack?: PackStarter;
    /** Runs the program (default evaluateProgram; the specs share one evaluation of the same input: test/harness/plans.ts). */
    evaluate?: (input: EvaluationInput) => Promise<Evaluation>;
  } = {},
): Promise<{ exitCode: number; output: string; errors: string[]; out?: string }> {
  let args: PlanArgs;
  let pack: import("./policy").PackSession | undefined;
  let artifacts: Promise<ArtifactSection> | undefined;
  // A --policy-pack that is not a pack is reported with the config's problems, all at once.
  let packProblem: string | undefined;
  try {
    args = parsePlanArgs(argv);
    const projectDir = args.project !== undefined ? path.resolve(args.project) : options.projectDir ?? PROJECT_DIR;
    // Without --judge the plan evaluates the program of --project: one of this checkout (bootstrap), or
    // another checkout's (in CI, the pull request's), run by this checkout's engine on that checkout's own
    // node_modules, which must be installed.
    if (args.judge === undefined && !isWithin(projectDir, PROJECT_DIR)) assertDependenciesInstalled(projectDir, args.project ?? projectDir);
    const deployedDir = args.deployed === undefined ? undefined : path.resolve(args.deployed);
    if (deployedDir !== undefined && !existsSync(path.join(deployedDir, "Pulumi.yaml"))) {
      throw new UsageError(`--deployed ${args.deployed}: no Pulumi.yaml there; give the project directory of the checkout that is deployed (the base branch)`);
    }
    const stackConfig = readStackConfig(args.stack, projectDir);
    const base = args.against === undefined ? undefined : readPlanFile(args.against, "--against", stackConfig);
    const judged = args.judge === undefined ? undefined : readJudgedPlan(args.judge, stackConfig);
    let location: PackLocation | undefined;
    let policyConfig: unknown;
    try {
      location = args.policies ? locatePack(args.policyPack, args.stack, builtPackEntry()) : undefined;
    } catch (error) {
      if (!(error instanceof PolicyPackDirError)) throw error;
      packProblem = error.message;
    }
    // A policy config below the pack's level floors is refused where it enters, before the pack starts (tools/policy/levelFloors.ts).
    if (location) {
      const { assertLevelFloors } = require("../policy/levelFloors") as typeof import("../policy/levelFloors");
      const { readPolicyConfigFile } = require("../policy/policyConfig") as typeof import("../policy/policyConfig");
      policyConfig = readPolicyConfigFile(location.configPath);
      assertLevelFloors(policyConfig, { stack: args.stack, project: stackConfig.project }, location.configPath);
    }
    // The pack (a second node process) starts first, then connects and configures itself while
    // this process loads and evaluates the program: the heavy modules load only after the spawn.
    const target = { stack: args.stack, project: stackConfig.project, now: args.at };
    pack = location && options.startPack?.(target, location);
    const spawned = location && !pack ? spawnPack({ ...target, packDir: location.dir, entry: location.entry }) : undefined;
    const policy = location ? (require("./policy") as typeof import("./policy")) : undefined;
    if (policy && spawned && location) pack = policy.preparePackFor(spawned, target, location.configPath);
    // The stack files as text, comments included: no credential in a committed file (exit 2).
    const { assertNoCredentialsInStackFiles } = require("../offline/stackFileScan") as typeof import("../offline/stackFileScan");
    await assertNoCredentialsInStackFiles(projectDir, args.stack);
    let plan: PlanDocument;
    let resources: RecordedResource[];
    const artifactCheck = require("../artifacts/check") as typeof import("../artifacts/check");
    if (judged) {
      const { recordedResources } = require("./judgedResources") as typeof import("./judgedResources");
      plan = judged;
      resources = recordedResources(judged);
      artifacts = Promise.resolve(artifactCheck.judgedArtifacts(judged.resources, judged.artifacts));
    } else {
      const evaluate = options.evaluate ?? (require("../offline/evaluate") as typeof import("../offline/evaluate")).evaluateProgram;
      const { planDocument } = require("./document") as typeof import("./document");
      const evaluation = await evaluate({ ...stackConfig, secretKeys: [], placeholderSecrets: true, now: args.at, projectDir, deployedDir });
      plan = planDocument(evaluation, { keepSecretValues: args.format === "evaluation" });
      resources = evaluation.resources;
      // The planned code runs in a child process of its own while the pack judges the inputs.
      artifacts = artifactCheck.checkArtifacts(evaluation.resources);
    }
    // Settled even when the plan stops before awaiting it (bad input below).
    artifacts.catch(() => undefined);
    if (packProblem !== undefined) return { exitCode: 2, output: "", errors: [packProblem] };
    // The facts the pack's config keeps its own copy of agree with the stack files (the config's other problems come first).
    if (location) {
      const { packCopyDisagreements } = require("../policy/packCopies") as typeof import("../policy/packCopies");
      const disagreements = packCopyDisagreements(policyConfig, location.configPath, stackConfig, projectDir);
      if (disagreements.length > 0) return { exitCode: 2, output: "", errors: disagreements };
    }
    if (policy && pack) plan.policy = await policy.judgeResources(pack, resources);
    plan.artifacts = await artifacts;
    const { failedChecks, failureLine } = require("../artifacts/section") as typeof import("../artifacts/section");
    const artifactFailures = failedChecks(plan.artifacts).map(failureLine);
    if (base) {
      plan.diff = diffPlans(base, plan);
      if (plan.policy && base.policy) markViolationsOnBase(plan, base);
    }
    const mandatory = plan.policy !== undefined && plan.policy.violations.some((violation) => violation.enforcementLevel === "mandatory");
    const exitCode = mandatory || artifactFailures.length > 0 ? 1 : 0;
    return { exitCode, output: render(plan, args, projectDir), errors: artifactFailures, out: args.out };
  } catch (error) {
    if (error instanceof UsageError) return { exitCode: 2, output: "", errors: [error.message, USAGE] };
    if (error instanceof UnknownStackError || error instanceof PlanFileError || error instanceof UnknownProjectError || error instanceof ProjectDirError) return { exitCode: 2, output: "", errors: [error.message] };
    if (error instanceof InvalidConfigError) return { exitCode: 2, output: "", errors: [...error.problems, ...(packProblem === undefined ? [] : [packProblem])] };
    // A policy config file below the level floors, or one the pack's schemas reject.
    const { PolicyConfigError } = require("../policy/policyConfig") as typeof import("../policy/policyConfig");
    if (error instanceof PolicyConfigError) return { exitCode: 2, output: "", errors: [error.message] };
    throw error;
  } finally {
    // Stops the pack (a shared one's session leaves it to whoever shares it).
    pack?.close();
    // No check's process outlives the plan, even one that stopped early: it runs the checkout's own
    // code, which the caller may remove once the plan returns (the replay removes each case's copy).
    await artifacts?.catch(() => undefined);
  }
}

class ProjectDirError extends Error {}

/** The evaluated checkout's own @pulumi/pulumi, which its program and provider SDKs load. */
function assertDependenciesInstalled(projectDir: string, named: string): void {
  try {
    require.resolve("@pulumi/pulumi", { paths: [projectDir] });
  } catch {
    throw new ProjectDirError(`--project ${named}: no @pulumi/pulumi is installed for it: install its dependencies first (\`npm ci --ignore-scripts\` in its checkout)`);
  }
}

/** Whether `dir` is `root` or inside it (after resolving symbolic links). */
function isWithin(dir: string, root: string): boolean {
  const real = (candidate: string) => (existsSync(candidate) ? realpathSync(candidate) : path.resolve(candidate));
  const relative = path.relative(real(root), real(dir));
  return relative === "" || (!relative.startsWith("..") && !path.isAbsolute(relative));
}

/** Marks each violation that the base plan (judged by the same pack) also has, by policy and resource. */
function markViolationsOnBase(plan: PlanDocument, base: PlanDocument): void {
  const onBase = new Set((base.policy?.violations ?? []).map((violation) => `${violation.policy}\0${violation.urn ?? ""}`));
  for (const violation of plan.policy?.violations ?? []) {
    if (onBase.has(`${violation.policy}\0${violation.urn ?? ""}`)) violation.onBase = true;
  }
}

/**
 * The pack to run: when this file runs from the build (`npm run plan`), the pack built beside it;
 * from the sources (the tests), none: locatePack bundles the pack's current sources.
 */
function builtPackEntry(): string[] | undefined {
  const builtPack = path.join(__dirname, "..", "..", "policies", "index.js");
  return __filename.endsWith(".js") && existsSync(builtPack) ? [builtPack] : undefined;
}

function render(plan: PlanDocument, args: PlanArgs, projectDir: string): string {
  switch (args.format) {
    case "json":
    case "evaluation":
      return JSON.stringify(plan, null, 2) + "\n";
    case "markdown":
      return renderMarkdown([plan]);
    case "sarif":
      return JSON.stringify(renderSarif(plan, configFiles(plan.stack, projectDir)), null, 2) + "\n";
    case "text":
      return renderText(plan, { verbose: args.verbose });
  }
}

/** The stack and project config files, by the paths SARIF reports them at (relative to the project). */
function configFiles(stack: string, projectDir: string): { stackFile?: ConfigFile; projectFile?: ConfigFile } {
  const read = (name: string): ConfigFile | undefined => {
    try {
      return { path: name, text: readFileSync(path.join(projectDir, name), "utf8") };
    } catch {
      return undefined;
    }
  };
  return { stackFile: read(`Pulumi.${stack}.yaml`), projectFile: read("Pulumi.yaml") };
}

async function main(): Promise<void> {
  // Node's on-disk cache of compiled code (https://nodejs.org/api/module.html#moduleenablecompilecachecachedir),
  // where the specs keep theirs: a plan after the first compiles none of the SDKs it loads again.
  enableCompileCache(path.join(PROJECT_ROOT, ".build", "node-compile-cache"));
  const argv = process.argv.slice(2);
  const result = await runPlan(argv);
  for (const line of result.errors) process.stderr.write(`plan: ${line}\n`);
  if (result.output) {
    if (result.out) {
      writeFileSync(result.out, result.output);
      process.stderr.write(`plan: wrote ${result.out}\n`);
    } else {
      process.stdout.write(result.output);
    }
  }
  process.exitCode = result.exitCode;
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`plan: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 3;
  });
}
