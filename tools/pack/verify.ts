import { readFileSync, realpathSync } from "node:fs";
import * as path from "node:path";
import { evaluateProgram } from "../offline/evaluate";
import type { RecordedResource } from "../offline/monitor";
import { readStackConfig } from "../offline/stackConfig";
import { PROJECT_ROOT } from "../projectRoot";
import { dependencyProblems } from "./dependencies";
import { PACK_SOURCE_DIR } from "./manifest";
import { compareVerdicts, firstDifference, Scenario, startedAsTheEngine } from "./parity";
import { cleanEnvironment, installPublishedPack, locateRunPolicyPack } from "./published";

/**
 * `npm run pack:verify`: publishes the policy pack the way `pulumi policy publish` does, installs
 * it the way the CLI installs a downloaded pack, starts it the way the engine does, and checks that
 * it gives the production stack (and non-compliant variants of it) exactly the verdicts the pack
 * gives in place. Needs the npm registry. Exit 0: same verdicts; 1: a difference or a failure.
 */

const STACK = "production";
/** A Tuesday, 10:00 in New York: inside production's deploy window, outside every freeze. */
export const IN_WINDOW = new Date("2026-12-01T15:00:00Z");
/** A Friday, 11:00 in New York: outside the window. */
const OUTSIDE_WINDOW = new Date("2026-12-04T16:00:00Z");

/** The production stack as planned, and variants a pull request could produce, each with one change. */
export function productionScenarios(resources: RecordedResource[]): Scenario[] {
  const variant = (name: string, matches: (resource: RecordedResource) => boolean, change: (inputs: Record<string, unknown>) => void): Scenario => {
    const changed = structuredClone(resources);
    const targets = changed.filter(matches);
    if (targets.length === 0) throw new Error(`scenario "${name}": no planned resource to change`);
    for (const target of targets) change(target.inputs);
    return { name, resources: changed, now: IN_WINDOW };
  };
  return [
    { name: "production as planned", resources, now: IN_WINDOW },
    { name: "production outside the deploy window", resources, now: OUTSIDE_WINDOW },
    variant(
      "STRIPE_SECRET_KEY not sensitive on Vercel",
      (r) => r.type === "vercel:index/projectEnvironmentVariable:ProjectEnvironmentVariable" && r.name.endsWith("STRIPE_SECRET_KEY"),
      (inputs) => (inputs["sensitive"] = false),
    ),
    variant(
      "the app's database role is a superuser",
      (r) => r.type === "postgresql:index/role:Role" && String(r.inputs["name"]).endsWith("_app"),
      (inputs) => (inputs["superuser"] = true),
    ),
    variant(
      "the deploy branch ruleset needs no approval",
      (r) => r.type === "github:index/repositoryRuleset:RepositoryRuleset",
      (inputs) => {
        const rules = inputs["rules"] as { pullRequest?: Record<string, unknown> } | undefined;
        if (rules?.pullRequest) rules.pullRequest["requiredApprovingReviewCount"] = 0;
      },
    ),
  ];
}

async function main(signal: AbortSignal): Promise<number> {
  const began = performance.now();
  // The pack processes inherit this environment: keep `npm run`'s settings and this repository's
  // Node.js options out of them, as they would be out of the Pulumi CLI's.
  const env = cleanEnvironment();
  for (const key of Object.keys(process.env)) if (!(key in env)) delete process.env[key];
  const log = (line: string) => process.stdout.write(`pack:verify: ${line}\n`);

  const problems = dependencyProblems(PACK_SOURCE_DIR, PROJECT_ROOT);
  if (problems.length > 0) {
    for (const problem of problems) process.stderr.write(`pack:verify: ${problem}\n`);
    return 1;
  }

  const stackConfig = readStackConfig(STACK, PROJECT_ROOT);
  // Evaluated at the scenarios' clock: what the program reads by date (the offline drill register) matches the instant the packs judge.
  const evaluation = await evaluateProgram({ ...stackConfig, secretKeys: [], placeholderSecrets: true, now: IN_WINDOW });
  const scenarios = productionScenarios(evaluation.resources);

  const installed = await installPublishedPack(PACK_SOURCE_DIR, { env, signal });
  try {
    log(`npm pack: ${installed.tarballFiles.length} files in ${installed.timings.packSeconds.toFixed(1)} s (${installed.tarballFiles.join(", ")})`);
    const lock = JSON.parse(readFileSync(path.join(installed.dir, "node_modules", ".package-lock.json"), "utf8")) as { packages: Record<string, unknown> };
    log(`npm install --loglevel=error in ${installed.dir}: ${Object.keys(lock.packages).length} packages in ${installed.timings.installSeconds.toFixed(1)} s`);

    const published = { dir: installed.dir, runPolicyPack: await locateRunPolicyPack(installed.dir, env) };
    const inPlace = { dir: PACK_SOURCE_DIR, runPolicyPack: await locateRunPolicyPack(PACK_SOURCE_DIR, env) };
    if (!isInside(published.runPolicyPack, path.join(installed.dir, "node_modules"))) throw new Error(`the published pack resolved run-policy-pack outside its own node_modules: ${published.runPolicyPack}`);
    if (!isInside(inPlace.runPolicyPack, path.join(PROJECT_ROOT, "node_modules"))) throw new Error(`the pack in place resolved run-policy-pack outside the root node_modules: ${inPlace.runPolicyPack}`);
    log(`run-policy-pack: published ${path.relative(installed.dir, published.runPolicyPack)}, in place ${path.relative(PROJECT_ROOT, inPlace.runPolicyPack)}`);

    const started = performance.now();
    const verdicts = await compareVerdicts({ inPlace: startedAsTheEngine(inPlace.dir, inPlace.runPolicyPack), published: startedAsTheEngine(published.dir, published.runPolicyPack) }, { stack: STACK, policyConfigPath: path.join(PACK_SOURCE_DIR, "config", `${STACK}.json`), scenarios, signal });
    let failed = false;
    const mandatoryCount = (report: { violations: { enforcementLevel: string }[] }) => report.violations.filter((v) => v.enforcementLevel === "mandatory").length;
    const baseline = mandatoryCount(verdicts[0]!.inPlace);
    for (const verdict of verdicts.slice(1)) {
      if (mandatoryCount(verdict.inPlace) <= baseline) {
        failed = true;
        process.stderr.write(`pack:verify: ${verdict.scenario}: no more mandatory violations than the stack as planned, so it compares nothing the pack blocks\n`);
      }
    }
    for (const verdict of verdicts) {
      const mandatory = [...new Set(verdict.inPlace.violations.filter((v) => v.enforcementLevel === "mandatory").map((v) => v.policy))];
      const summary = `${verdict.inPlace.violations.length} violation(s)${mandatory.length > 0 ? `, mandatory: ${mandatory.join(", ")}` : ""}`;
      if (verdict.same) log(`${verdict.scenario}: same verdict in place and published (${summary})`);
      else {
        failed = true;
        process.stderr.write(`pack:verify: ${verdict.scenario}: verdicts differ: ${firstDifference(verdict.inPlace, verdict.published)}\n`);
      }
    }
    log(`judged ${scenarios.length} scenarios with both packs in ${((performance.now() - started) / 1000).toFixed(1)} s; ${((performance.now() - began) / 1000).toFixed(1)} s in all`);
    return failed ? 1 : 0;
  } finally {
    installed.remove();
  }
}

/** Whether `file` (a path require.resolve gave, symbolic links resolved) is under `dir`. */
function isInside(file: string, dir: string): boolean {
  const relative = path.relative(realpathSync(dir), file);
  return relative !== "" && !relative.startsWith("..") && !path.isAbsolute(relative);
}

if (require.main === module) {
  // Interrupted: stop npm and the pack processes, remove the temporary install, exit 130 / 143.
  const interrupted = new AbortController();
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      process.stderr.write(`pack:verify: ${signal}: stopping and removing the temporary install\n`);
      interrupted.abort(signal);
    });
  }
  main(interrupted.signal).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      if (interrupted.signal.aborted) process.exitCode = interrupted.signal.reason === "SIGINT" ? 130 : 143;
      else {
        process.stderr.write(`pack:verify: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exitCode = 1;
      }
    },
  );
}
