import { strict as assert } from "node:assert";
import { bridgeScenarios, expectedAction, WatchFigures } from "../../tools/artifacts/bridgeScenarios";
import { judgedArtifacts, needsCheck } from "../../tools/artifacts/check";
import { failedChecks } from "../../tools/artifacts/section";
import { answerHogql, BridgeServicesSetup } from "../../tools/artifacts/standIns/bridgeServices";
import type { Evaluation, EvaluationInput } from "../../tools/offline/evaluate";
import type { PlanDocument } from "../../tools/plan/document";
import { runPlan as runPlanOnce } from "../../tools/plan/main";
import { evaluateOnce } from "../harness/evaluations";

/** Tuesday 10:00 America/New_York: inside the deploy window. */
const IN_WINDOW = "2026-12-01T15:00:00Z";

/** The spec's watch: "errors spike > 2x baseline → investigate immediately", "automated rollback on error rate > 5%" (5 minutes). */
const SPEC_FIGURES: WatchFigures = { pageFactor: 2, rollbackErrorRatePercent: 5, minRequests: 100, minErrors: 5, baselineFloorPercent: 0.5, evaluationMinutes: 5, windowMinutes: 60 };

describe("artifact check: scenarios from the judged config", () => {
  it("with the spec's figures they are the canonical ones: 1% then 1.5% quiet, 2.5% pages, 6% rolls back", () => {
    assert.deepEqual(
      bridgeScenarios(SPEC_FIGURES).map((scenario) => [scenario.id, scenario.baselinePercent, scenario.recentPercent, scenario.expectAction]),
      [
        ["bridge-watch-quiet", 1, 1.5, "none"],
        ["bridge-watch-pages", 1, 2.5, "page"],
        ["bridge-watch-rolls-back", 1, 6, "rollback"],
      ],
    );
  });

  it("stricter figures move the scenarios with them; evidence floors are the spec's", () => {
    const strict = { ...SPEC_FIGURES, pageFactor: 1.5, rollbackErrorRatePercent: 4, baselineFloorPercent: 1 };
    assert.deepEqual(bridgeScenarios(strict).map((scenario) => [scenario.recentPercent, scenario.expectAction]), [[1.125, "none"], [1.875, "page"], [4.8, "rollback"]]);
    // 20 requests a second for 1 minute: 1200 requests; 0.3% of them is 3 errors, under minErrors 5.
    assert.equal(expectedAction({ ...SPEC_FIGURES, evaluationMinutes: 1 }, 0, 0.3), "none");
    // A baseline under the floor counts as the floor: 0.9% is not above 2 × 0.5%.
    assert.equal(expectedAction(SPEC_FIGURES, 0, 0.9), "none");
    assert.equal(expectedAction(SPEC_FIGURES, 0, 1.1), "page");
  });

  it("no watch (staging): the published error rate only", () => {
    assert.deepEqual(bridgeScenarios(undefined).map((scenario) => [scenario.id, scenario.watched]), [["bridge-publishes-error-rate-percent", false]]);
  });

  it("the PostHog stand-in counts each countIf term's event and window from the traffic model", () => {
    const setup: BridgeServicesSetup = {
      parameters: {},
      posthog: { projectId: 1, apiKey: "k", requestsEvent: "api_request", errorsEvent: "api_request", errorsWhere: "toInt(properties.status_code) >= 500" },
      railwayToken: "t",
      github: { appId: 1, installationId: 1, publicKey: undefined as never },
      traffic: { requestsPerSecond: 20, beforePercent: 1, afterPercent: 2.5, changeAt: new Date("2026-12-01T15:00:00Z") },
    };
    const query =
      "SELECT countIf(event = {requests_event} AND timestamp >= toDateTime({recent_from}) AND timestamp < toDateTime({recent_to})) AS recent_requests, " +
      "countIf(event = {errors_event} AND (toInt(properties.status_code) >= 500) AND timestamp >= toDateTime({baseline_from}) AND timestamp < toDateTime({baseline_to})) AS baseline_errors FROM events";
    const values = { requests_event: "api_request", errors_event: "api_request", recent_from: "2026-12-01T15:05:00Z", recent_to: "2026-12-01T15:10:00Z", baseline_from: "2026-12-01T14:00:00Z", baseline_to: "2026-12-01T15:00:00Z" };
    // 5 minutes at 20/s: 6000 requests; the hour before at 1%: 72000 requests, 720 errors.
    assert.deepEqual(answerHogql(setup, query, values), { columns: ["recent_requests", "baseline_errors"], row: [6000, 720] });
    assert.match(String(answerHogql(setup, "SELECT countIf(timestamp > now()) AS x FROM events", {})), /cannot read x's condition/);
  });
});

/**
 * The plan runs the check on what the program built: the bridge's code archive and each flag's
 * `__provider`, as the evaluation recorded them. The program is evaluated once for this file (the
 * harness's shared evaluation); each variant hands the plan that evaluation with one artifact changed
 * the way a pull request would change the code, and the plan runs the check on it.
 */
describe("artifact check: the plan runs what the program built", function () {
  this.timeout(180_000);

  const plan = (argv: string[], change?: (evaluation: Evaluation) => void) =>
    runPlanOnce(["--stack", "production", "--no-policy", "--at", IN_WINDOW, ...argv], {
      evaluate: async (input: EvaluationInput) => {
        const evaluation = await evaluateOnce(input);
        change?.(evaluation);
        return evaluation;
      },
    });

  const bridgeOf = (evaluation: Evaluation) => {
    const bridge = evaluation.resources.find((resource) => resource.type === "aws:lambda/function:Function" && resource.artifacts?.archives["code"]);
    assert.ok(bridge?.artifacts, "the evaluation recorded the bridge's code archive");
    return bridge.artifacts.archives["code"]!;
  };
  /** A change to the minified bundle; the pattern must be there (esbuild's output of infra/metrics/lambda). */
  const changeBundle = (pattern: RegExp, replacement: string) => (evaluation: Evaluation) => {
    const files = bridgeOf(evaluation);
    assert.match(files["index.js"]!, pattern);
    files["index.js"] = files["index.js"]!.replace(pattern, replacement);
  };

  let document: PlanDocument;
  before(async () => {
    const result = await plan(["--format", "json"]);
    assert.equal(result.exitCode, 0, result.errors.join("\n"));
    document = JSON.parse(result.output) as PlanDocument;
  });

  it("production's bridge and every flag pass, each check naming the code input it ran", () => {
    const checks = document.artifacts?.checks ?? [];
    const bridge = document.resources.find((resource) => resource.type === "aws:lambda/function:Function")!;
    assert.deepEqual(
      checks.filter((check) => check.urn === bridge.urn).map((check) => [check.scenario, check.passed]),
      [
        ["bridge-watch-quiet", true],
        ["bridge-watch-pages", true],
        ["bridge-publishes-error-rate-percent", true],
        ["bridge-watch-rolls-back", true],
      ],
    );
    assert.ok(checks.every((check) => check.urn !== bridge.urn || check.artifact === `code: ${String(bridge.inputs["code"])}`));
    const flags = document.resources.filter((resource) => resource.inputs["__provider"] !== undefined);
    assert.ok(flags.length >= 2, "production declares flags");
    for (const flag of flags) {
      assert.deepEqual(checks.filter((check) => check.urn === flag.urn).map((check) => [check.scenario, check.passed, check.artifact]), [["flag-requests-send-declared-filters", true, `__provider: ${String(flag.inputs["__provider"])}`]]);
    }
  });

  it("a bundle that publishes a fraction blocks the plan (exit 1), naming the artifact, scenario, expected and observed", async () => {
    const result = await plan([], changeBundle(/(\w+)\.errors\/\1\.requests\*100/, "$1.errors/$1.requests"));
    assert.equal(result.exitCode, 1);
    const line = result.errors.find((each) => each.includes("bridge-publishes-error-rate-percent"));
    assert.ok(line, result.errors.join("\n"));
    assert.match(line, /^artifact flightpro-production-metrics-function \(code: <archive: index\.js \(\d+ bytes, sha256:[0-9a-f]{16}\)>\): scenario bridge-publishes-error-rate-percent \(baseline 1% then 2\.5%\): expected ErrorRate in FlightPro\/production with unit Percent and a value in percent \(1–2\.5 .*\); observed ErrorRate = 0\.025 Percent/);
    // The watch judges fractions against percent thresholds too: it never pages nor rolls back.
    assert.ok(result.errors.some((each) => /scenario bridge-watch-pages .*observed no page, no rollback dispatch/.test(each)));
    assert.ok(result.errors.some((each) => /scenario bridge-watch-rolls-back /.test(each)));
    assert.match(result.output, /^Artifacts: BLOCKED by 3 failed behaviour checks of the planned code$/m);
  });

  it("a page threshold written into the bundle fails the paging scenario only", async () => {
    const result = await plan([], changeBundle(/\b\w+\.pageFactor\*/, "3*"));
    assert.equal(result.exitCode, 1);
    assert.deepEqual(result.errors.map((line) => /scenario ([\w-]+)/.exec(line)?.[1]), ["bridge-watch-pages"]);
    assert.match(result.errors[0]!, /expected pages arn:aws:sns:[^ ]+-critical, no rollback dispatch; observed no page, no rollback dispatch, watch healthy/);
  });

  it("a provider that sends another rollout than the flag declares, or whose diff misses a stage, blocks the plan", async () => {
    const result = await plan([], (evaluation) => {
      const [first, second] = evaluation.resources.filter((resource) => resource.artifacts?.dynamicProvider !== undefined);
      assert.ok(first && second, "two flags");
      const change = (flag: typeof first, search: string, replacement: string) => {
        const text = flag.artifacts!.dynamicProvider!;
        assert.ok(text.includes(search), search);
        flag.artifacts!.dynamicProvider = text.replace(search, replacement);
      };
      change(first, "filters: inputs.filters };", "filters: { ...inputs.filters, groups: inputs.filters.groups.map((group) => ({ ...group, rollout_percentage: 50 })) } };");
      change(second, "changes: changed || replaces.length > 0,", "changes: replaces.length > 0,");
    });
    assert.equal(result.exitCode, 1);
    assert.equal(result.errors.length, 2, result.errors.join("\n"));
    assert.match(result.errors[0]!, /scenario flag-requests-send-declared-filters .*expected POST and PATCH with filters .*, as declared \(and a diff from another rollout\); observed POST sent filters (matching users 50%, )?everyone 50%; PostHog holds filters/);
    assert.match(result.errors[1]!, /scenario flag-requests-send-declared-filters .*observed diff reported no change from a flag at another rollout to the declared filters/);
  });

  it("a plan that stops early (exit 2) returns only once the check's process has ended: none outlives the checkout it runs", async () => {
    // The replay removes each case's copy when its plan returns; a check still running there failed, and its memo misled later cases.
    const runs = (globalThis as { [key: symbol]: Map<string, Promise<unknown>> | undefined })[Symbol.for("flightdeck.artifactCheck.runs")];
    const before = runs?.size ?? 0;
    const result = await runPlanOnce(["--stack", "production", "--at", IN_WINDOW, "--policy-pack", "no-such-pack"], {
      evaluate: async (input: EvaluationInput) => {
        const evaluation = await evaluateOnce(input);
        // Code no other spec checks: this plan's check runs a process of its own.
        bridgeOf(evaluation)["index.js"] += "\n// the early-exit spec's bundle\n";
        return evaluation;
      },
    });
    assert.equal(result.exitCode, 2, result.errors.join("\n"));
    assert.match(result.errors[0]!, /no-such-pack: no such directory$/);
    const all = [...((globalThis as { [key: symbol]: Map<string, Promise<unknown>> | undefined })[Symbol.for("flightdeck.artifactCheck.runs")]?.values() ?? [])];
    assert.ok(all.length > before, "the plan started a check of its own");
    const running = new Promise<string>((resolve) => setImmediate(() => resolve("running")));
    assert.deepEqual(new Set(await Promise.all(all.map((run) => Promise.race([run.then(() => "ended", () => "ended"), running])))), new Set(["ended"]));
  });

  it("--judge: a judged plan's results stand for the code they name; a checked resource without results blocks", () => {
    const checked = document.resources.filter(needsCheck);
    assert.ok(checked.length >= 3, "the bridge and the flags need the check");
    assert.deepEqual(judgedArtifacts(document.resources, document.artifacts), document.artifacts);
    const without = judgedArtifacts(document.resources, undefined);
    assert.deepEqual(without.checks.map((check) => [check.urn, check.scenario, check.passed]), checked.map((resource) => [resource.urn, "artifact-checked", false]));
    // Results for other code than the judged plan carries (another bundle's digest) do not count.
    const bridge = checked.find((resource) => resource.type === "aws:lambda/function:Function")!;
    const elsewhere = { checks: document.artifacts!.checks.map((check) => (check.urn === bridge.urn ? { ...check, artifact: "code: <archive: index.js (1 bytes, sha256:0000000000000000)>" } : check)) };
    assert.deepEqual(failedChecks(judgedArtifacts(document.resources, elsewhere)).map((check) => [check.urn, check.scenario]), [[bridge.urn, "artifact-checked"]]);
  });
});
