import { createHash } from "node:crypto";
import { readFileSync, readdirSync } from "node:fs";
import * as path from "node:path";
import { PackSession, PackStarter, preparePackFor } from "../../tools/plan/policy";
import { spawnPack } from "../../tools/policy/spawn";
import type { PackLocation } from "../../tools/policy/packDir";

/**
 * One replay worker process (forked by ./pool.ts): it plans the cases it is sent one at a time, each
 * with the copy's own plan tool (the copy's `.build/tools/plan/main.js`, what `npm run plan` runs), in
 * this process. What a case cannot change is shared between cases: the dependencies' modules (the
 * copies' node_modules is the repository's) and, while a case leaves the pack untouched (its bundle,
 * its directory and the stack's policy config byte-identical to the base's), the base's pack process,
 * started and configured once. A case that changes the pack gets its own, as `npm run plan` starts it.
 */

export interface PlanRequest {
  id: number;
  /** The copy to plan in. */
  dir: string;
  argv: string[];
}

export type PlanReply =
  | { id: number; exitCode: number; output: string; errors: string[]; sharedPack: boolean }
  | { id: number; crash: string };

type RunPlan = (argv: readonly string[], options: { startPack?: PackStarter }) => Promise<{ exitCode: number; output: string; errors: string[] }>;

const base = process.argv[2];
if (base === undefined) throw new Error("usage: worker.ts BASE_DIR");

/** A digest of what the pack at `location` runs and reads: its bundle, the files of its directory, the stack's config. */
function packDigest(location: PackLocation): string {
  const hash = createHash("sha256");
  const add = (file: string) => hash.update(path.basename(file)).update("\0").update(readFileSync(file)).update("\0");
  for (const argument of location.entry) if (argument.endsWith(".js")) add(path.resolve(location.dir, argument));
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.name === "node_modules") continue;
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (entry.isFile()) add(file);
    }
  };
  walk(location.dir);
  add(location.configPath);
  return hash.digest("hex");
}

/** The same location in the base copy. */
function inBase(location: PackLocation, copy: string): PackLocation {
  const moved = (file: string) => (path.isAbsolute(file) && !path.relative(copy, file).startsWith("..") ? path.join(base!, path.relative(copy, file)) : file);
  return { ...location, dir: moved(location.dir), configPath: moved(location.configPath), entry: location.entry.map(moved) };
}

const shared = new Map<string, { digest: string; session: PackSession }>();

/** Starts the base's pack the first time a target needs it; later cases with the same pack reuse it (close() leaves it running). */
function sharedPack(copy: string, used: { shared: boolean }): PackStarter {
  return (target, location) => {
    const key = JSON.stringify([target.stack, target.project, target.now?.toISOString()]);
    const digest = packDigest(location);
    let entry = shared.get(key);
    if (entry === undefined) {
      const baseLocation = inBase(location, copy);
      const baseDigest = packDigest(baseLocation);
      const session = preparePackFor(spawnPack({ ...target, packDir: baseLocation.dir, entry: baseLocation.entry }), target, baseLocation.configPath);
      entry = { digest: baseDigest, session };
      shared.set(key, entry);
    }
    // Another pack: the copy's plan starts it, with its own code (its errors are the classes it knows).
    if (entry.digest !== digest) return undefined;
    used.shared = true;
    return { prepared: entry.session.prepared, close: () => undefined };
  };
}

async function plan(request: PlanRequest): Promise<PlanReply> {
  const bundle = path.join(request.dir, ".build", "tools", "plan", "main.js");
  const used = { shared: false };
  try {
    const { runPlan } = require(bundle) as { runPlan: RunPlan };
    const result = await runPlan(request.argv, { startPack: sharedPack(request.dir, used) });
    return { id: request.id, exitCode: result.exitCode, output: result.output, errors: result.errors, sharedPack: used.shared };
  } catch (error) {
    return { id: request.id, crash: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  } finally {
    // The copy is removed after the case: its modules go with it.
    for (const file of Object.keys(require.cache)) if (file.startsWith(request.dir + path.sep)) delete require.cache[file];
  }
}

let queue = Promise.resolve();
process.on("message", (request: PlanRequest) => {
  queue = queue.then(async () => {
    process.send?.(await plan(request));
  });
});
process.on("disconnect", () => {
  for (const { session } of shared.values()) session.close();
  // The pulumi runtime and esbuild's service keep handles open: nothing more will be asked.
  process.exit(0);
});
