import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { BRIDGE_ENV, LAMBDA_FUNCTION, readBridgeDocument } from "../../policies/lib/bridges";
import type { RecordedResource } from "../offline/monitor";
import { PROJECT_ROOT } from "../projectRoot";
import { BridgeScenario, bridgeScenarios, watchFigures } from "./bridgeScenarios";
import type { ArtifactJob, ArtifactRuns, BridgeJob, FlagJob, ScenarioRun } from "./job";
import type { ArtifactCheckResult, ArtifactSection } from "./section";

/**
 * The artifact check: what the plan built is run, and its behaviour compared with the config the pack
 * judges. The pack reads inputs; the bridge's thresholds, units and paging branches and the flag provider's
 * requests are code inside two inputs (the bridge function's `code` archive, each flag's `__provider`),
 * so a change there passes every policy. Here they run (tools/artifacts/child.ts, against stand-ins) and:
 * - each metrics bridge (a Lambda function whose environment has FLIGHTDECK_BRIDGE, as the pack finds it)
 *   does in each canonical scenario what its document's watch figures say (./bridgeScenarios.ts), and
 *   publishes the error rate in percent;
 * - each dynamic resource's provider sends PostHog exactly the filters the resource declares (which the
 *   pack judges against the flag's rollout stage), on create and on update, and its diff sees a stage change.
 * A failure blocks the plan (exit 1), one line each naming the artifact, the scenario, what was expected
 * and what was observed. A dynamic resource the check does not know how to run is a failure too.
 */

const ERROR_RATE_METRIC_ID = "error-rate";

interface PlannedBridge {
  resource: RecordedResource;
  job?: BridgeJob;
  document?: { namespace: string; environment?: string; errorRate?: { metricName: string; dimensions: Record<string, string> }; criticalTopicArn?: string; workflow?: string; ref?: string };
  problem?: string;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** The bridge config text of a function, as the pack finds it (policies/lib/bridges.ts). */
function bridgeConfigOf(resource: Pick<RecordedResource, "type" | "inputs">): string | undefined {
  if (resource.type !== LAMBDA_FUNCTION) return undefined;
  const text = record(record(resource.inputs["environment"])?.["variables"])?.[BRIDGE_ENV];
  return typeof text === "string" ? text : undefined;
}

const isDynamic = (resource: Pick<RecordedResource, "inputs">) => resource.inputs["__provider"] !== undefined;

/** The planned inputs that name each checked resource's code (the summaries the plan prints). */
export function artifactLabel(resource: Pick<RecordedResource, "type" | "inputs">): string {
  if (isDynamic(resource)) return `__provider: ${String(resource.inputs["__provider"])}`;
  return `code: ${String(resource.inputs["code"])}`;
}

/** Whether the check must have run this resource (a judged plan must carry its results). */
export function needsCheck(resource: Pick<RecordedResource, "type" | "inputs">): boolean {
  return bridgeConfigOf(resource) !== undefined || isDynamic(resource);
}

function planBridge(resource: RecordedResource): PlannedBridge {
  const config = bridgeConfigOf(resource)!;
  const parsed = readBridgeDocument(config);
  if ("invalid" in parsed) return { resource, problem: parsed.invalid };
  const raw = JSON.parse(config) as Record<string, unknown>;
  const errorRate = (Array.isArray(raw["metrics"]) ? raw["metrics"] : []).map(record).find((metric) => metric?.["id"] === ERROR_RATE_METRIC_ID);
  const watch = record(raw["watch"]);
  const github = record(watch?.["github"]);
  let scenarios: BridgeScenario[];
  if (parsed.watch) {
    const figures = watchFigures(parsed.watch.numbers);
    if (typeof figures === "string") return { resource, problem: figures };
    scenarios = bridgeScenarios(figures);
  } else scenarios = bridgeScenarios(undefined);
  const files = resource.artifacts?.archives["code"];
  if (!files || Object.values(files).some((text) => text === null)) return { resource, problem: "its code archive cannot be read (only an AssetArchive of files and text is run)" };
  return {
    resource,
    job: { urn: resource.urn, files: files as Record<string, string>, handler: String(resource.inputs["handler"] ?? ""), config, scenarios },
    document: {
      namespace: parsed.namespace,
      environment: typeof raw["environment"] === "string" ? raw["environment"] : undefined,
      errorRate: errorRate && typeof errorRate["metricName"] === "string" ? { metricName: errorRate["metricName"], dimensions: (record(errorRate["dimensions"]) ?? {}) as Record<string, string> } : undefined,
      criticalTopicArn: parsed.watch?.criticalTopicArn,
      workflow: parsed.watch?.workflow,
      ref: typeof github?.["ref"] === "string" ? github["ref"] : undefined,
    },
  };
}

function isPostHogFlag(resource: RecordedResource): boolean {
  return ["host", "projectId", "key", "filters"].every((key) => resource.inputs[key] !== undefined);
}

/** Equal as JSON values, whatever the order of object keys (PostHog keeps filters as jsonb). */
export function sameJson(left: unknown, right: unknown): boolean {
  if (Array.isArray(left) || Array.isArray(right)) return Array.isArray(left) && Array.isArray(right) && left.length === right.length && left.every((item, index) => sameJson(item, right[index]));
  const [a, b] = [record(left), record(right)];
  if (a && b) {
    const keys = (value: Record<string, unknown>) => Object.keys(value).filter((key) => value[key] !== undefined).sort();
    const [ka, kb] = [keys(a), keys(b)];
    return ka.length === kb.length && ka.every((key, index) => key === kb[index] && sameJson(a[key], b[key]));
  }
  return left === right;
}

/** A compact rendering of the percentages a flag's filters serve (`team 100%, everyone 25%`). */
function filtersText(filters: unknown): string {
  const groups = record(filters)?.["groups"];
  if (!Array.isArray(groups)) return JSON.stringify(filters ?? null);
  return groups
    .map((group) => {
      const entry = record(group) ?? {};
      const who = Array.isArray(entry["properties"]) && entry["properties"].length > 0 ? "matching users" : "everyone";
      return `${who} ${String(entry["rollout_percentage"])}%`;
    })
    .join(", ");
}

function describeRun(run: ScenarioRun): string {
  const { observed } = run;
  const parts = [
    observed.pages.length > 0 ? `paged ${observed.pages.map((page) => page.topicArn).join(", ")}` : "no page",
    observed.dispatches.length > 0 ? `dispatched ${observed.dispatches.map((d) => `${d.workflow} on ${d.ref ?? "?"}`).join(", ")}` : "no rollback dispatch",
  ];
  if (run.watch?.state) parts.push(`watch ${run.watch.state}${run.watch.detail ? `: ${run.watch.detail}` : ""}`);
  return parts.join(", ");
}

/** Problems that make a run's observations unusable whatever was expected (it failed, called elsewhere, or sent what the services refuse). */
function runProblems(run: ScenarioRun): string[] {
  return [
    ...(run.error !== undefined ? [`the handler failed: ${run.error}`] : []),
    ...run.outside.map((url) => `it called ${url}, outside the services its config names`),
    ...run.observed.unexpected.map((what) => `a service refused ${what}`),
  ];
}

function judgeBridge(bridge: PlannedBridge, runs: ArtifactRuns["bridges"][number] | undefined): ArtifactCheckResult[] {
  const artifact = artifactLabel(bridge.resource);
  const result = (scenario: string, title: string, expected: string, observed: string, passed: boolean): ArtifactCheckResult => ({ urn: bridge.resource.urn, artifact, scenario, title, expected, observed, passed });
  if (bridge.problem !== undefined || !bridge.job || !bridge.document) return [result("bridge-runs", "the bundle runs", "a bundle the check can run", bridge.problem ?? "nothing to run", false)];
  if (!runs) return [result("bridge-runs", "the bundle runs", "a run of each scenario", "the check's process reported nothing for this function", false)];
  if (runs.error !== undefined) return [result("bridge-runs", "the bundle runs", `handler ${bridge.job.handler} exported by the archive`, runs.error, false)];
  const document = bridge.document;
  const checks: ArtifactCheckResult[] = [];
  let publishChecked = false;
  for (const scenario of bridge.job.scenarios) {
    const run = runs.runs.find((each) => each.scenario === scenario.id);
    if (!run) {
      checks.push(result(scenario.id, scenario.title, "a run", "no run reported", false));
      continue;
    }
    const problems = runProblems(run);
    const pagedCritical = run.observed.pages.some((page) => page.topicArn === document.criticalTopicArn);
    const dispatched = run.observed.dispatches.some((d) => d.workflow === document.workflow && d.ref === document.ref && d.inputs?.["environment"] === document.environment);
    if (scenario.watched) {
      const expected =
        scenario.expectAction === "rollback"
          ? `dispatches ${document.workflow} on ${document.ref} for ${document.environment} and pages ${document.criticalTopicArn}`
          : scenario.expectAction === "page"
            ? `pages ${document.criticalTopicArn}, no rollback dispatch`
            : "no page, no rollback dispatch";
      const ok =
        scenario.expectAction === "rollback"
          ? dispatched && pagedCritical
          : scenario.expectAction === "page"
            ? pagedCritical && run.observed.dispatches.length === 0
            : run.observed.pages.length === 0 && run.observed.dispatches.length === 0;
      checks.push(result(scenario.id, scenario.title, expected, [...problems, describeRun(run)].join("; "), ok && problems.length === 0));
    }
    // The published error rate, checked on the run that pages (or the only run): its window lies after the deploy.
    if (!publishChecked && (scenario.expectAction === "page" || !scenario.watched)) {
      publishChecked = true;
      const [low, high] = [Math.min(scenario.baselinePercent, scenario.recentPercent), Math.max(scenario.baselinePercent, scenario.recentPercent)];
      const metric = document.errorRate;
      const expected = metric
        ? `${metric.metricName} in ${document.namespace} with unit Percent and a value in percent (${low === high ? low : `${low}–${high}`} for ${scenario.title})`
        : "an error-rate metric listed in FLIGHTDECK_BRIDGE";
      const datums = metric ? run.observed.published.filter((datum) => datum.metricName === metric.metricName && sameJson(datum.dimensions, metric.dimensions)) : [];
      const ok = datums.length === 1 && datums[0]!.namespace === document.namespace && datums[0]!.unit === "Percent" && datums[0]!.value >= low - 0.05 && datums[0]!.value <= high + 0.05;
      const observed = datums.length === 0 ? `no ${metric?.metricName ?? "error-rate"} datum (published: ${run.observed.published.map((d) => d.metricName).join(", ") || "nothing"})` : datums.map((d) => `${d.metricName} = ${d.value} ${d.unit ?? "(no unit)"} in ${d.namespace}`).join(", ");
      checks.push(result("bridge-publishes-error-rate-percent", scenario.title, expected, [...problems, observed].join("; "), ok && problems.length === 0));
    }
  }
  if (!publishChecked) checks.push(result("bridge-publishes-error-rate-percent", "a run that pages", "a scenario to check the published error rate on", "the watch figures leave no paging scenario", false));
  return checks;
}

function judgeFlag(resource: RecordedResource, run: ArtifactRuns["flags"][number] | undefined): ArtifactCheckResult[] {
  const declared = resource.inputs["filters"];
  const title = `create and update send the declared release conditions (${filtersText(declared)})`;
  const result = (expected: string, observed: string, passed: boolean): ArtifactCheckResult[] => [{ urn: resource.urn, artifact: artifactLabel(resource), scenario: "flag-requests-send-declared-filters", title, expected, observed, passed }];
  const expected = `POST and PATCH with filters ${filtersText(declared)}, as declared (and a diff from another rollout)`;
  if (!run) return result(expected, "the check's process reported nothing for this flag", false);
  const problems: string[] = [];
  if (run.error !== undefined) problems.push(`the provider failed: ${run.error}`);
  for (const url of run.outside) problems.push(`it called ${url}, not the flag's host`);
  if ((run.checkFailures ?? []).length > 0) problems.push(`check refused the declared inputs: ${JSON.stringify(run.checkFailures)}`);
  if (run.checkedFilters !== undefined && !sameJson(run.checkedFilters, declared)) problems.push(`check turned the filters into ${filtersText(run.checkedFilters)}`);
  const sent = (what: string, request: { method: string; body: unknown } | undefined) => {
    if (!request) return problems.push(`no ${what} request`);
    const filters = record(request.body)?.["filters"];
    if (!sameJson(filters, declared)) problems.push(`${request.method} sent filters ${filtersText(filters)}`);
    const active = record(request.body)?.["active"];
    if (active !== resource.inputs["active"]) problems.push(`${request.method} sent active ${String(active)}, declared ${String(resource.inputs["active"])}`);
  };
  if (run.error === undefined) {
    sent("create", run.created);
    sent("update", run.updated);
    if (!sameJson(run.storedFilters, declared)) problems.push(`PostHog holds filters ${filtersText(run.storedFilters)} after create`);
    if (run.diffChanges === false) problems.push("diff reported no change from a flag at another rollout to the declared filters (the stage would never be applied)");
  }
  return result(expected, problems.length > 0 ? problems.join("; ") : `POST and PATCH sent ${filtersText(declared)}`, problems.length === 0);
}

/** The job for the check's process; resources without code to run are left out. */
export function artifactJob(resources: readonly RecordedResource[]): { job: ArtifactJob; bridges: PlannedBridge[]; flags: RecordedResource[]; unknownDynamic: RecordedResource[] } {
  const bridges = resources.filter((resource) => bridgeConfigOf(resource) !== undefined).map(planBridge);
  const dynamic = resources.filter((resource) => resource.custom && isDynamic(resource));
  const flags = dynamic.filter(isPostHogFlag);
  const unknownDynamic = dynamic.filter((resource) => !isPostHogFlag(resource));
  const flagJobs: FlagJob[] = [];
  for (const flag of flags) {
    const provider = flag.artifacts?.dynamicProvider;
    if (provider !== undefined) flagJobs.push({ urn: flag.urn, provider, inputs: flag.inputs });
  }
  return { job: { bridges: bridges.flatMap((bridge) => (bridge.job ? [bridge.job] : [])), flags: flagJobs }, bridges, flags, unknownDynamic };
}

/** The results for the runs the check's process reported. */
export function judgeRuns(planned: ReturnType<typeof artifactJob>, runs: ArtifactRuns): ArtifactSection {
  const checks: ArtifactCheckResult[] = [];
  for (const bridge of planned.bridges) checks.push(...judgeBridge(bridge, runs.bridges.find((each) => each.urn === bridge.resource.urn)));
  for (const flag of planned.flags) checks.push(...judgeFlag(flag, runs.flags.find((each) => each.urn === flag.urn)));
  for (const resource of planned.unknownDynamic) {
    checks.push({ urn: resource.urn, artifact: artifactLabel(resource), scenario: "dynamic-provider-known", title: "a dynamic provider the check can run", expected: "a PostHog feature flag (host, projectId, key, filters), the one dynamic resource the check knows how to run", observed: `a ${resource.type} with inputs ${Object.keys(resource.inputs).sort().join(", ")}`, passed: false });
  }
  return { checks };
}

/** The child's entry: beside this file in the build (`.build/tools/artifacts/child.js`), else bundled from the sources once per process. */
function childEntry(): string {
  const built = path.join(__dirname, "..", "artifacts", "child.js");
  if (__filename.endsWith(".js") && existsSync(built)) return built;
  if (bundledChild) return bundledChild;
  // As tools/policy/spawn.ts bundles the pack: named by content (shared by concurrent processes), written aside and renamed.
  const esbuild = require("esbuild") as typeof import("esbuild");
  const { createHash } = require("node:crypto") as typeof import("node:crypto");
  const { mkdirSync, renameSync } = require("node:fs") as typeof import("node:fs");
  const code = esbuild.buildSync({ entryPoints: [path.join(PROJECT_ROOT, "tools", "artifacts", "child.ts")], bundle: true, platform: "node", target: "node22", packages: "external", write: false, logLevel: "warning" }).outputFiles[0]!.contents;
  const dir = path.join(PROJECT_ROOT, ".build", "artifact-check");
  const out = path.join(dir, `child-${createHash("sha256").update(code).digest("hex").slice(0, 16)}.js`);
  if (!existsSync(out)) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(`${out}.${process.pid}.tmp`, code);
    renameSync(`${out}.${process.pid}.tmp`, out);
  }
  bundledChild = out;
  return out;
}
let bundledChild: string | undefined;

/** The longest the check's process may run (its scenarios take about a second). */
const CHECK_TIMEOUT_MS = 120_000;

/**
 * Runs the check on an evaluation's resources: one child process (a clean environment of its own, the
 * network refused), started at once so that it runs while the pack judges.
 */
export async function checkArtifacts(resources: readonly RecordedResource[]): Promise<ArtifactSection> {
  const planned = artifactJob(resources);
  if (planned.job.bridges.length === 0 && planned.job.flags.length === 0) return judgeRuns(planned, { bridges: [], flags: [] });
  const { runs, stderr } = await runOnce(planned.job);
  const section = judgeRuns(planned, runs ?? { bridges: [], flags: [] });
  if (runs === undefined) for (const check of section.checks) check.observed += ` (the check's process ended without a report: ${stderr.trim().split("\n").pop() ?? ""})`;
  return section;
}

/**
 * Runs a job once per process: the same code, documents and scenarios, checked by the same check, give
 * the same runs (the stand-ins answer from the job alone, relative to the clock). The key is the job's
 * digest and the check's own code's. The memo lives in a registry every copy of this module in the
 * process shares (`Symbol.for`): the replay's workers load each case's own plan tool, a module of its
 * own per case, and most cases change neither the planned code nor the check. A run whose process ended
 * without a report is not kept.
 */
const RUNS_REGISTRY = Symbol.for("flightdeck.artifactCheck.runs");

function runOnce(job: ArtifactJob): Promise<{ runs?: ArtifactRuns; stderr: string }> {
  const entry = childEntry();
  const key = createHash("sha256").update(JSON.stringify(job)).update("\0").update(readFileSync(entry)).digest("hex");
  let run = runsByJob.get(key);
  if (run === undefined) {
    run = runJob(job, entry);
    runsByJob.set(key, run);
    void run.then(
      (result) => result.runs === undefined && runsByJob.delete(key),
      () => runsByJob.delete(key),
    );
  }
  return run;
}

type JobRun = Promise<{ runs?: ArtifactRuns; stderr: string }>;
const registry = globalThis as typeof globalThis & { [RUNS_REGISTRY]?: Map<string, JobRun> };
const runsByJob: Map<string, JobRun> = (registry[RUNS_REGISTRY] ??= new Map<string, JobRun>());

async function runJob(job: ArtifactJob, entry: string): JobRun {
  const dir = mkdtempSync(path.join(tmpdir(), "flightdeck-artifacts-"));
  try {
    writeFileSync(path.join(dir, "job.json"), JSON.stringify(job));
    const stderr = await new Promise<string>((resolve, reject) => {
      // Only what a Lambda environment or the provider host would have: no token or credential of the machine.
      const child = spawn(process.execPath, [entry, dir], { cwd: PROJECT_ROOT, env: { PATH: process.env["PATH"] ?? "", TZ: "UTC" }, stdio: ["ignore", "ignore", "pipe"] });
      let text = "";
      child.stderr.on("data", (chunk: Buffer) => (text = (text + chunk.toString()).slice(-4000)));
      // Each call in the child has its own timeout; this bounds the whole (code that never yields).
      const timer = setTimeout(() => {
        text += `\nstopped after ${CHECK_TIMEOUT_MS / 1000} s`;
        child.kill("SIGKILL");
      }, CHECK_TIMEOUT_MS);
      child.once("error", (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.once("exit", () => {
        clearTimeout(timer);
        resolve(text);
      });
    });
    const runsFile = path.join(dir, "runs.json");
    return existsSync(runsFile) ? { runs: JSON.parse(readFileSync(runsFile, "utf8")) as ArtifactRuns, stderr } : { stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A judged plan's artifact section, completed: every resource that needed the check has results for the
 * code it was planned with (the same summary of its code input), or a failure says it was not checked.
 */
export function judgedArtifacts(resources: readonly Pick<RecordedResource, "urn" | "type" | "inputs">[], section: ArtifactSection | undefined): ArtifactSection {
  const checks = [...(section?.checks ?? [])];
  for (const resource of resources.filter(needsCheck)) {
    const label = artifactLabel(resource);
    if (!checks.some((check) => check.urn === resource.urn && check.artifact === label)) {
      checks.push({ urn: resource.urn, artifact: label, scenario: "artifact-checked", title: "the judged plan carries this artifact's check", expected: "results of the artifact check for this code", observed: "none: evaluate with a flightdeck whose plan runs the artifact check", passed: false });
    }
  }
  return { checks };
}
