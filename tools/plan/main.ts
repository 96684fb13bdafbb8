import { existsSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { InvalidConfigError } from "../offline/errors";
import type { RecordedResource } from "../offline/monitor";
import { UnknownStackError, readStackConfig } from "../offline/stackConfig";
import { UnknownProjectError } from "../offline/programs";
import { PackLocation, PolicyPackDirError, locatePack } from "../policy/packDir";
import { spawnPack } from "../policy/spawn";
import { PROJECT_ROOT } from "../projectRoot";
import { PlanArgs, USAGE, UsageError, parsePlanArgs } from "./args";
import { PlanFileError, readPlanFile } from "./base";
import { diffPlans } from "./diff";
import type { PlanDocument } from "./document";
import { readJudgedPlan } from "./judge";
import type { PackStarter } from "./policy";
import { renderMarkdown } from "./render/markdown";
import { ConfigFile, renderSarif } from "./render/sarif";
import { renderText } from "./render/text";

const PROJECT_DIR = PROJECT_ROOT;

/** Exit codes: 0 the plan is clean, 1 a mandatory policy violation remains, 2 bad input. */
export async function runPlan(
  argv: readonly string[],
  options: { projectDir?: string; startPack?: PackStarter } = {},
): Promise<{ exitCode: number; output: string; errors: string[]; out?: string }> {
  let args: PlanArgs;
  let pack: import("./policy").PackSession | undefined;
  // A --policy-pack that is not a pack is reported with the config's problems, all at once.
  let packProblem: string | undefined;
  try {
    args = parsePlanArgs(argv);
    const projectDir = args.project !== undefined ? path.resolve(args.project) : options.projectDir ?? PROJECT_DIR;
    // Without --judge the plan evaluates this checkout's program: --project may only pick one of its projects.
    if (args.project !== undefined && args.judge === undefined && !isWithin(projectDir, PROJECT_DIR)) {
      throw new UsageError(
        `--project goes with --judge unless it names a project of this checkout (such as ${path.relative(process.cwd(), path.join(PROJECT_DIR, "bootstrap")) || "bootstrap"}): ` +
          `${args.project} is outside it, and the plan evaluates this checkout's programs only`,
      );
    }
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
    const spawned = location && !options.startPack ? spawnPack({ ...target, packDir: location.dir, entry: location.entry }) : undefined;
    const policy = location ? (require("./policy") as typeof import("./policy")) : undefined;
    if (location && policy) pack = spawned ? policy.preparePackFor(spawned, target, location.configPath) : options.startPack?.(target, location);
    // The stack files as text, comments included: no credential in a committed file (exit 2).
    const { assertNoCredentialsInStackFiles } = require("../offline/stackFileScan") as typeof import("../offline/stackFileScan");
    await assertNoCredentialsInStackFiles(projectDir, args.stack);
    let plan: PlanDocument;
    let resources: RecordedResource[];
    if (judged) {
      const { recordedResources } = require("./judgedResources") as typeof import("./judgedResources");
      plan = judged;
      resources = recordedResources(judged);
    } else {
      const { evaluateProgram } = require("../offline/evaluate") as typeof import("../offline/evaluate");
      const { planDocument } = require("./document") as typeof import("./document");
      const evaluation = await evaluateProgram({ ...stackConfig, secretKeys: [], placeholderSecrets: true, now: args.at, projectDir, deployedDir });
      plan = planDocument(evaluation, { keepSecretValues: args.format === "evaluation" });
      resources = evaluation.resources;
    }
    if (packProblem !== undefined) return { exitCode: 2, output: "", errors: [packProblem] };
    // The facts the pack's config keeps its own copy of agree with the stack files (the config's other problems come first).
    if (location) {
      const { packCopyDisagreements } = require("../policy/packCopies") as typeof import("../policy/packCopies");
      const disagreements = packCopyDisagreements(policyConfig, location.configPath, stackConfig, projectDir);
      if (disagreements.length > 0) return { exitCode: 2, output: "", errors: disagreements };
    }
    if (policy && pack) plan.policy = await policy.judgeResources(pack, resources);
    if (base) {
      plan.diff = diffPlans(base, plan);
      if (plan.policy && base.policy) markViolationsOnBase(plan, base);
    }
    const exitCode = plan.policy && plan.policy.violations.some((violation) => violation.enforcementLevel === "mandatory") ? 1 : 0;
    return { exitCode, output: render(plan, args, projectDir), errors: [], out: args.out };
  } catch (error) {
    if (error instanceof UsageError) return { exitCode: 2, output: "", errors: [error.message, USAGE] };
    if (error instanceof UnknownStackError || error instanceof PlanFileError || error instanceof UnknownProjectError) return { exitCode: 2, output: "", errors: [error.message] };
    if (error instanceof InvalidConfigError) return { exitCode: 2, output: "", errors: [...error.problems, ...(packProblem === undefined ? [] : [packProblem])] };
    // A policy config file below the level floors, or one the pack's schemas reject.
    const { PolicyConfigError } = require("../policy/policyConfig") as typeof import("../policy/policyConfig");
    if (error instanceof PolicyConfigError) return { exitCode: 2, output: "", errors: [error.message] };
    throw error;
  } finally {
    // Stops the pack when the plan failed before judging (judgeResources stops it otherwise).
    pack?.close();
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
