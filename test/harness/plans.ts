import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { runPlan as runPlanOnce } from "../../tools/plan/main";
import { PackSession, PackStarter, preparePackFor } from "../../tools/plan/policy";
import type { PackLocation } from "../../tools/policy/packDir";
import { spawnPack } from "../../tools/policy/spawn";
import { evaluateOnce } from "./evaluations";
import { whenFileDone } from "./scratch";

/**
 * `npm run plan` as the specs run it: the plan tool itself (tools/plan/main.ts runPlan), with the
 * program's evaluation shared by every plan of the same input in this process (./evaluations.ts),
 * and one pack process per pack, stack, clock, config and waivers for the spec file that is
 * running, configured once and asked again for each plan (the analyzer protocol serves any number
 * of Analyze and AnalyzeStack calls after one Configure, as the engine's one pack per preview does
 * for every resource: pulumi/pulumi@v3.259.0 pkg/resource/plugin/analyzer_plugin.go). A spec that
 * tests the start itself calls tools/plan/main.ts directly; test/tools/planPolicy.spec.ts compares a
 * shared pack's verdict with a new pack's.
 */
export function runPlan(argv: readonly string[], options: { projectDir?: string } = {}): ReturnType<typeof runPlanOnce> {
  return runPlanOnce(argv, { ...options, evaluate: evaluateOnce, startPack: sharedPack });
}

const packs = new Map<string, PackSession>();

/** A prepared pack for this start, shared within the spec file; closed when the file is done. */
export const sharedPack: PackStarter = (target, location) => {
  const key = packKey(target, location);
  let session = packs.get(key);
  if (session === undefined) {
    // As the plan starts its own (tools/plan/main.ts): spawned, then connected and configured for the stack.
    const spawned = spawnPack({ ...target, packDir: location.dir, entry: location.entry });
    const started = preparePackFor(spawned, target, location.configPath);
    session = started;
    if (packs.size === 0) whenFileDone(closeSharedPacks);
    packs.set(key, started);
    // A pack that failed to start or configure is not handed out again.
    started.prepared.catch(() => packs.get(key) === started && packs.delete(key));
  }
  const shared = session;
  return { prepared: shared.prepared, close: () => undefined };
};

function closeSharedPacks(): void {
  for (const session of packs.values()) session.close();
  packs.clear();
}

/** What a pack's verdict depends on besides the resources: how it starts, its config and its waivers (read at start). */
function packKey(target: Parameters<PackStarter>[0], location: PackLocation): string {
  const digest = (file: string) => (existsSync(file) ? createHash("sha256").update(readFileSync(file)).digest("hex") : "none");
  return JSON.stringify({ target, location, config: digest(location.configPath), waivers: digest(location.waiversPath) });
}
