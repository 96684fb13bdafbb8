/**
 * The guard where a policy config enters: refuses a `--policy-pack-config` file that sets a policy, or
 * `all`, below the policy's level floor for the stack (policies/lib/floors.ts LEVEL_FLOORS, which says
 * why the pack itself cannot hold a level). Run by the offline plan before it configures the pack, by
 * `npm run preview|up`, and by infra.yml before each `pulumi preview` and `pulumi up`:
 *   npm run -s policy:levels -- --stack production [--project flightdeck] policies/config/production.json
 * (`--project` defaults to the `name:` of ./Pulumi.yaml). Exit 0: within the floors; 2: refused or bad input.
 */
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { parse } from "yaml";
import { LEVEL_RANK, levelFloorsFor, levelFloorsIn, minimumLevel, Target } from "../../policies/lib/floors";
import { entryLevel, EnforcementLevel, PolicyConfigError, readPolicyConfigFile } from "./policyConfig";

/** One line per policy (or `all`) the file sets below its floor for `target`'s stack. */
export function levelFloorProblems(file: unknown, target: Target, source: string): string[] {
  if (file === null || typeof file !== "object" || Array.isArray(file)) throw new PolicyConfigError(`${source}: expected a JSON object`);
  const entries = file as Record<string, unknown>;
  const all = entryLevel(entries["all"], "all", source);
  const problems: string[] = [];
  const below = (level: EnforcementLevel | undefined, floor: { level: EnforcementLevel }) => level !== undefined && LEVEL_RANK[level] < LEVEL_RANK[floor.level];
  const allTooLow = levelFloorsFor(undefined, target).find((floor) => below(all, floor));
  if (allTooLow) problems.push(`"all" is ${all}: every policy is at least ${allTooLow.level} in stack ${target.stack} (${allTooLow.why})`);
  // Every policy the file names, and every policy a floor of this stack names (`all` may lower it).
  const named = new Set(Object.keys(entries).filter((name) => name !== "all"));
  for (const floor of levelFloorsIn(target)) if (floor.policies !== "every") for (const policy of floor.policies) named.add(policy);
  for (const policy of [...named].sort()) {
    const own = entryLevel(entries[policy], policy, source);
    if (own === undefined && allTooLow) continue; // already said, for every policy
    const floor = minimumLevel(policy, target);
    const level = own ?? all;
    if (floor && below(level, floor)) problems.push(`${policy} is ${level}${own === undefined ? ' (through "all")' : ""}: it is at least ${floor.level} in stack ${target.stack} (${floor.why})`);
  }
  return problems;
}

/** Throws one PolicyConfigError naming the file and every policy set below its floor. */
export function assertLevelFloors(file: unknown, target: Target, source: string): void {
  const problems = levelFloorProblems(file, target, source);
  if (problems.length > 0) {
    throw new PolicyConfigError(`${source}: sets policies below their enforcement level floor (policies/lib/floors.ts LEVEL_FLOORS); refused:\n  ${problems.join("\n  ")}`);
  }
}

/** The project name of the Pulumi project in `dir` (its Pulumi.yaml `name:`). */
export function projectNameIn(dir: string): string {
  const file = path.join(dir, "Pulumi.yaml");
  if (!existsSync(file)) throw new PolicyConfigError(`no Pulumi.yaml in ${dir}: give --project`);
  const name: unknown = (parse(readFileSync(file, "utf8")) as { name?: unknown } | null)?.name;
  if (typeof name !== "string" || name === "") throw new PolicyConfigError(`${file}: no project name`);
  return name;
}

/** The command line's check: exit code 0 (within the floors) or 2 (refused, or bad input), and what it prints on stderr. */
export function runLevelCheck(argv: readonly string[], cwd = process.cwd()): { code: number; message: string } {
  try {
    const { values, positionals } = parseArgs({ args: [...argv], options: { stack: { type: "string" }, project: { type: "string" } }, allowPositionals: true });
    if (values.stack === undefined || positionals.length !== 1) return { code: 2, message: "usage: npm run -s policy:levels -- --stack STACK [--project NAME] CONFIG.json" };
    const source = positionals[0]!;
    assertLevelFloors(readPolicyConfigFile(path.resolve(cwd, source)), { stack: values.stack, project: values.project ?? projectNameIn(cwd) }, source);
    return { code: 0, message: "" };
  } catch (error) {
    // PolicyConfigError, a file that cannot be read (ENOENT…), an unknown flag (ERR_PARSE_ARGS_…).
    const expected = error instanceof PolicyConfigError || (error instanceof Error && "code" in error && typeof error.code === "string");
    if (!expected) throw error;
    return { code: 2, message: (error as Error).message };
  }
}
