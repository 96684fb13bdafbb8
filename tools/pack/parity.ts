import { isDeepStrictEqual } from "node:util";
import type { RecordedResource } from "../offline/monitor";
import type { PackEntry } from "../policy/bundle";
import { analyzePrepared, PolicyPackProcess, PolicyReport, preparePack } from "../policy/client";

/** One set of planned resources to judge, e.g. the production stack or a non-compliant variant of it. */
export interface Scenario {
  name: string;
  resources: RecordedResource[];
  /** The moment the pack judges at (deploy window, rotation ages, waiver expiry). */
  now: Date;
}

/**
 * A pack started the way the engine starts it: run-policy-pack <engine-address> <program>, the engine
 * passing the pack's directory last (pulumi/pulumi@v3.259.0: sdk/nodejs/cmd/pulumi-language-nodejs/main.go
 * RunPlugin), in that directory. `npm run pack:verify` starts both packs so.
 */
export function startedAsTheEngine(dir: string, runPolicyPack: string): PackEntry {
  return { dir, entry: [runPolicyPack, "127.0.0.1:0", dir] };
}

export interface ScenarioVerdict {
  scenario: string;
  inPlace: PolicyReport;
  published: PolicyReport;
  same: boolean;
}

/**
 * Judges each scenario with both packs over the analyzer protocol, with the same stack, policy
 * config and clock, and reports whether the verdicts (violations, waived notes, and the policies
 * with their effective level and settings) are identical.
 */
export async function compareVerdicts(
  packs: { inPlace: PackEntry; published: PackEntry },
  options: { stack: string; policyConfigPath: string; scenarios: Scenario[]; signal?: AbortSignal },
): Promise<ScenarioVerdict[]> {
  const verdicts: ScenarioVerdict[] = [];
  for (const scenario of options.scenarios) {
    options.signal?.throwIfAborted();
    const [inPlace, published] = await Promise.all([judge(packs.inPlace, scenario, options), judge(packs.published, scenario, options)]);
    verdicts.push({ scenario: scenario.name, inPlace, published, same: isDeepStrictEqual(inPlace, published) });
  }
  return verdicts;
}

async function judge(pack: PackEntry, scenario: Scenario, options: { stack: string; policyConfigPath: string }): Promise<PolicyReport> {
  const process = await PolicyPackProcess.start({ stack: options.stack, now: scenario.now, packDir: pack.dir, entry: pack.entry });
  try {
    return await analyzePrepared(await preparePack(process, { stack: options.stack, policyConfigPath: options.policyConfigPath }), scenario.resources);
  } finally {
    process.close();
  }
}

/** The first difference between two reports, for a failure message. */
export function firstDifference(inPlace: PolicyReport, published: PolicyReport): string {
  for (const key of ["pack", "version"] as const) {
    if (inPlace[key] !== published[key]) return `${key}: in place ${JSON.stringify(inPlace[key])}, published ${JSON.stringify(published[key])}`;
  }
  for (const key of ["violations", "waived", "policies"] as const) {
    const a = inPlace[key] as unknown[];
    const b = published[key] as unknown[];
    for (let index = 0; index < Math.max(a.length, b.length); index++) {
      if (!isDeepStrictEqual(a[index], b[index])) return `${key}[${index}]: in place ${JSON.stringify(a[index])}, published ${JSON.stringify(b[index])}`;
    }
  }
  return "none";
}
