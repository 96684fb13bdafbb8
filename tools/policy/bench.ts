/**
 * How fast the pack judges a large stack: `npx tsx tools/policy/bench.ts [count]` (default 5,000).
 * Builds a synthetic stack (rulesets, environments, Vercel variables, Actions variables, rotation
 * register entries, alarms, roles, grants, workflow files), then times each phase of one pack process.
 * `npx tsx tools/policy/bench.ts --throughput [runs] [count...] [--baseline DIR]` prints the throughput for each count,
 * and with --baseline, that of another checkout's pack (DIR: its root) measured in the same runs.
 */
import * as path from "node:path";
import type { RecordedResource } from "../offline/monitor";
import { PackEntry, bundledCheckoutPack } from "./bundle";
import { PACK_DIR, PolicyPackProcess, reportOf } from "./client";
import { ownPackEntry } from "./spawn";

const PROJECT = "flightdeck";
const STACK = "production";

function resource(type: string, name: string, inputs: Record<string, unknown>): RecordedResource {
  return {
    urn: `urn:pulumi:${STACK}::${PROJECT}::${type}::${name}`,
    type,
    name,
    parent: null,
    custom: true,
    inputs,
    secretPaths: [],
    options: { protect: false, retainOnDelete: false, deleteBeforeReplace: false, dependsOn: [], provider: null, replaceOnChanges: [] },
  };
}

const workflow = (index: number) => `name: wf-${index}
on: [pull_request]
permissions: {}
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@8e5e7e5ab8b370d6c329ec480221332ada57f0ab
      - run: pnpm test
`;

/**
 * `count` resources, cycling through the makers. `offset` shifts every index (names, keys, workflow
 * content), so that runs over the same pack see fresh resources, not ones a cache has seen.
 */
export function syntheticStack(count: number, offset = 0): RecordedResource[] {
  const makers: ((index: number) => RecordedResource)[] = [
    (i) => resource("vercel:index/projectEnvironmentVariable:ProjectEnvironmentVariable", `env-${i}`, { projectId: "prj", key: `SECRET_${i}`, value: `value-${i}`, targets: ["production"], sensitive: true }),
    (i) => resource("github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable", `var-${i}`, { repository: "flightpro", environment: "production", variableName: `SETTING_${i}`, value: `https://example.com/${i}` }),
    (i) =>
      resource("aws:ssm/parameter:Parameter", `rotation-${i}`, {
        name: `/flightdeck/flightpro/production/secret-rotation/S${i}`,
        type: "String",
        tags: { "flightdeck:secret-rotation": "true" },
        value: JSON.stringify({ name: `S${i}`, kind: "api-key", periodDays: 90, lastRotated: "2026-10-05", destinations: {} }),
      }),
    (i) =>
      resource("aws:cloudwatch/metricAlarm:MetricAlarm", `alarm-${i}`, {
        metricName: "ErrorRate",
        comparisonOperator: "GreaterThanThreshold",
        threshold: 2,
        period: 60,
        evaluationPeriods: 5,
        alarmActions: ["arn:aws:sns:us-east-1:123456789012:alerts-critical"],
        tags: { rule: `r${i}` },
      }),
    (i) => resource("postgresql:index/role:Role", `role-${i}`, { name: `role_${i}`, login: true, superuser: false }),
    (i) => resource("postgresql:index/grant:Grant", `grant-${i}`, { database: "app", role: "flightpro_app", objectType: "table", privileges: ["SELECT"] }),
    (i) => resource("github:index/repositoryFile:RepositoryFile", `file-${i}`, { repository: "flightpro", file: `.github/workflows/wf-${i}.yml`, content: workflow(i) }),
    (i) =>
      resource("github:index/repositoryRuleset:RepositoryRuleset", `ruleset-${i}`, {
        target: "branch",
        enforcement: "active",
        conditions: { refName: { includes: ["refs/heads/main"], excludes: [] } },
        rules: {
          deletion: true,
          nonFastForward: true,
          pullRequest: { requiredApprovingReviewCount: 1, dismissStaleReviewsOnPush: true },
          requiredStatusChecks: { requiredChecks: ["lint", "typecheck", "unit-tests", "build", "security-scan"].map((context) => ({ context })) },
        },
      }),
  ];
  return Array.from({ length: count }, (_, index) => makers[index % makers.length]!(index + offset));
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** This checkout's pack, bundled from its current sources (as the specs and the plan run it). */
export function ownPack(): PackEntry {
  return { dir: PACK_DIR, entry: ownPackEntry() };
}

/** The pack of another checkout (`dir`: its root), bundled the way ours is, so the comparison is of their code alone. */
export function baselinePack(dir: string): PackEntry {
  try {
    return bundledCheckoutPack(dir, "baseline-pack");
  } catch (error) {
    throw new Error(`--baseline ${error instanceof Error ? error.message : String(error)}`);
  }
}

export interface Throughput {
  count: number;
  medianSeconds: number;
  resourcesPerSecond: number;
}

/**
 * Throughput of each pack on synthetic stacks of `count` resources: one process per pack, configured
 * with its own config/production.json; each run times `analyze` for every resource (one call each, as the
 * engine does) plus `analyzeStack`, excluding start-up. Each run gets fresh resources (other names and
 * contents), so no cache in a pack carries over from one run to the next; within a run every pack judges
 * the same resources, and the packs take turns (which goes first alternates), so a machine that gets
 * busier or quieter weighs on both alike. Median over `runs`, after one unmeasured warm-up run of 2,000
 * resources. Timed from the first `analyze` to the `analyzeStack` response, client-side encoding of the
 * requests included.
 */
export async function measureThroughputs(count: number, runs: number, packs: readonly PackEntry[]): Promise<Throughput[]> {
  if (!Number.isInteger(count) || count < 1) throw new Error(`count must be a positive integer, got ${count}`);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`runs must be a positive integer, got ${runs}`);
  const started: PolicyPackProcess[] = [];
  try {
    for (const pack of packs) {
      const running = await PolicyPackProcess.start({ stack: STACK, now: new Date("2026-11-10T16:00:00Z"), packDir: pack.dir, entry: pack.entry });
      started.push(running);
      const info = await running.info();
      await running.configure(info, path.join(pack.dir, "config", "production.json"));
      await running.configureStack(STACK, PROJECT);
      // Warm-up (JIT on both sides, connections), not measured: the same amount whatever the count.
      await running.analyzeAll(syntheticStack(2000, 10_000_000));
    }
    const samples: number[][] = packs.map(() => []);
    for (let run = 0; run < runs; run++) {
      const resources = syntheticStack(count, (run + 1) * 1_000_000);
      for (let turn = 0; turn < started.length; turn++) {
        const index = (run + turn) % started.length;
        const begin = performance.now();
        await started[index]!.analyzeAll(resources);
        samples[index]!.push((performance.now() - begin) / 1000);
      }
    }
    return samples.map((times) => {
      const medianSeconds = median(times);
      return { count, medianSeconds, resourcesPerSecond: count / medianSeconds };
    });
  } catch (error) {
    const detail = started.map((running) => running.errorOutput.trim()).filter(Boolean).join("\n");
    if (detail && error instanceof Error) error.message += `\n${detail}`;
    throw error;
  } finally {
    for (const running of started) running.close();
  }
}

export const perSecond = (value: number) => Math.round(value).toLocaleString("en-US");

async function throughput(args: string[]): Promise<void> {
  const baselineAt = args.indexOf("--baseline");
  const baselineDir = baselineAt >= 0 ? args[baselineAt + 1] : undefined;
  if (baselineAt >= 0 && baselineDir === undefined) throw new Error("--baseline needs a checkout directory");
  const rest = baselineAt >= 0 ? [...args.slice(0, baselineAt), ...args.slice(baselineAt + 2)] : args;
  const runs = Number(rest[0] ?? 5);
  const counts = rest.length > 1 ? rest.slice(1).map(Number) : [100, 1000, 10000];
  const packs = baselineDir === undefined ? [ownPack()] : [ownPack(), baselinePack(baselineDir)];
  for (const pack of packs) console.log(`pack: ${pack.entry.join(" ")} (in ${pack.dir})`);
  for (const count of counts) {
    const [own, baseline] = await measureThroughputs(count, runs, packs);
    const line = `${String(count).padStart(6)} resources: median ${(own!.medianSeconds * 1000).toFixed(1)} ms over ${runs} runs, ${perSecond(own!.resourcesPerSecond)} resources/s`;
    console.log(baseline ? `${line}; baseline ${(baseline.medianSeconds * 1000).toFixed(1)} ms, ${perSecond(baseline.resourcesPerSecond)} resources/s; ${(own!.resourcesPerSecond / baseline.resourcesPerSecond).toFixed(2)} × baseline` : line);
  }
}

async function main(): Promise<void> {
  if (process.argv[2] === "--throughput") return throughput(process.argv.slice(3));
  const count = Number(process.argv[2] ?? 5000);
  const resources = syntheticStack(count);
  const started = performance.now();
  const pack = await PolicyPackProcess.start({ stack: STACK, now: new Date("2026-11-10T16:00:00Z") });
  try {
    const spawned = performance.now();
    const info = await pack.info();
    const effective = await pack.configure(info, path.join(PACK_DIR, "config", "production.json"));
    const configured = performance.now();
    const diagnostics = await pack.analyzeAll(resources);
    const analyzed = performance.now();
    const report = reportOf(info, effective, diagnostics);
    const ms = (from: number, to: number) => `${(to - from).toFixed(0)} ms`;
    console.log(`resources:                    ${count}`);
    console.log(`spawn pack (bundled):         ${ms(started, spawned)}`);
    console.log(`getAnalyzerInfo + configure:  ${ms(spawned, configured)}`);
    console.log(`analyze ×${count}:               ${pack.timings.analyzeMs.toFixed(0)} ms  (${(pack.timings.analyzeMs / count).toFixed(3)} ms/resource)`);
    console.log(`analyzeStack (${count}):         ${pack.timings.analyzeStackMs.toFixed(0)} ms`);
    console.log(`total:                        ${ms(started, analyzed)}`);
    console.log(`violations: ${report.violations.length} (${[...new Set(report.violations.map((v) => v.policy))].join(", ") || "none"})`);
  } finally {
    pack.close();
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
