import { existsSync, readFileSync, realpathSync, statSync } from "node:fs";
import * as path from "node:path";
import { ownPackEntry, PACK_DIR } from "./spawn";

/** A directory given as a policy pack that is not one (or cannot be started). */
export class PolicyPackDirError extends Error {}

/** A pack ready to start: its directory, the stack's `--policy-pack-config` file in it, and how node runs it. */
export interface PackLocation {
  dir: string;
  configPath: string;
  waiversPath: string;
  /** Node arguments that start it, with the pack directory as the working directory. */
  entry: string[];
}

/**
 * The policy pack in `dir` (default: this checkout's policies/), for `stack`: a PulumiPolicy.yaml,
 * a package.json with a version (@pulumi/policy reads it, policy.js PolicyPack constructor), an
 * index.ts, and config/<stack>.json. `ownEntry` is how this checkout runs its own pack (the build's
 * pack; without one, the pack bundled from its current sources, as PolicyPackProcess.start runs it).
 * Any other directory runs as its own checkout's code, the way the engine starts a pack: its own
 * @pulumi/pulumi's run-policy-pack, found from the pack directory upward as node resolves modules
 * (pulumi/pulumi@v3.259.0:pkg/resource/plugin/analyzer_plugin.go: the plugin runs
 * "in the policy pack directory ... so that the '@pulumi/pulumi/cmd/run-policy-pack' module from the
 * policy pack's node_modules is used"), with its own sources and dependencies.
 */
export function locatePack(dir: string | undefined, stack: string, ownEntry: string[] | undefined): PackLocation {
  const given = dir ?? PACK_DIR;
  const resolved = path.resolve(given);
  const named = dir === undefined ? `the policy pack ${resolved}` : `--policy-pack ${dir}`;
  if (!existsSync(resolved) || !statSync(resolved).isDirectory()) throw new PolicyPackDirError(`${named}: no such directory`);
  const missing = (file: string) => new PolicyPackDirError(`${named} is not a policy pack: no ${file} in ${resolved}`);
  if (!existsSync(path.join(resolved, "PulumiPolicy.yaml"))) throw missing("PulumiPolicy.yaml");
  if (!existsSync(path.join(resolved, "index.ts"))) throw missing("index.ts");
  const manifest = path.join(resolved, "package.json");
  if (!existsSync(manifest)) throw missing("package.json");
  let version: unknown;
  try {
    version = (JSON.parse(readFileSync(manifest, "utf8")) as { version?: unknown }).version;
  } catch (error) {
    throw new PolicyPackDirError(`${named}: package.json is not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (typeof version !== "string" || version === "") throw new PolicyPackDirError(`${named}: package.json has no version (the policy SDK requires one)`);
  const configPath = path.join(resolved, "config", `${stack}.json`);
  if (!existsSync(configPath)) throw new PolicyPackDirError(`${named} has no policy config for stack ${JSON.stringify(stack)}: expected ${path.join(given, "config", `${stack}.json`)}`);

  const own = realpathSync(resolved) === realpathSync(PACK_DIR);
  const entry = own ? ownEntry ?? ownPackEntry() : [runPolicyPackFor(resolved, named), "127.0.0.1:0", "."];
  return { dir: resolved, configPath, waiversPath: path.join(resolved, "waivers.yaml"), entry };
}

/** The run-policy-pack of the @pulumi/pulumi installed for the pack in `dir` (node_modules from `dir` upward). */
function runPolicyPackFor(dir: string, named: string): string {
  let current = dir;
  for (;;) {
    const candidate = path.join(current, "node_modules", "@pulumi", "pulumi", "cmd", "run-policy-pack", "index.js");
    if (existsSync(candidate)) return path.dirname(candidate);
    const parent = path.dirname(current);
    if (parent === current) throw new PolicyPackDirError(`${named}: no @pulumi/pulumi is installed for it (run \`npm ci\` in its checkout)`);
    current = parent;
  }
}
