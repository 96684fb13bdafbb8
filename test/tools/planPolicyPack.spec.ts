import { strict as assert } from "node:assert";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import type { PlanDocument } from "../../tools/plan/document";
import { runPlan } from "../../tools/plan/main";
import { PROJECT_DIR } from "../harness";
import { component, plan } from "./planFixtures";

/** Friday 2026-12-04, 11:00 in New York: outside the deploy window (a mandatory violation in production). */
const FRIDAY = "2026-12-04T16:00:00Z";

/**
 * `--policy-pack DIR`: the pack of another checkout (in CI, the base branch's) with its own
 * config/<stack>.json and waivers.yaml, run as that checkout's code, the way the engine starts a
 * pack: that checkout's @pulumi/pulumi run-policy-pack in the pack's directory
 * (pulumi/pulumi@v3.259.0:pkg/resource/plugin/analyzer_plugin.go).
 */
describe("npm run plan -- --policy-pack DIR", function () {
  this.timeout(180_000);
  let dir: string;
  let base: string;

  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), "flightdeck-pack-dir-"));
    // Another checkout: its own pack sources and its own node_modules (here a link to this checkout's).
    base = path.join(dir, "base");
    mkdirSync(base);
    cpSync(path.join(PROJECT_DIR, "policies"), path.join(base, "policies"), { recursive: true });
    symlinkSync(path.join(PROJECT_DIR, "node_modules"), path.join(base, "node_modules"), "dir");
    const index = path.join(base, "policies", "index.ts");
    const code = readFileSync(index, "utf8").replace('new PolicyPack("flightdeck",', 'new PolicyPack("flightdeck-base",');
    assert.ok(code.includes('"flightdeck-base"'));
    writeFileSync(index, code);
    writeFileSync(
      path.join(base, "policies", "waivers.yaml"),
      'waivers:\n  - { policy: schedule-production-deploy-window, resource: flightdeck-production, stack: production, reason: "Hotfix for INC-311: checkout fails", approvedBy: maria-chen, expires: "2026-12-04" }\n',
    );
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("judges with that checkout's code, config and waivers, not this checkout's", async () => {
    // This checkout's program, evaluated once; both packs judge the same resources.
    const recorded = path.join(dir, "production.json");
    writeFileSync(recorded, (await runPlan(["--stack", "production", "--no-policy", "--format", "evaluation", "--at", FRIDAY])).output);
    const own = await runPlan(["--stack", "production", "--judge", recorded, "--format", "json", "--at", FRIDAY]);
    assert.equal(own.exitCode, 1, "this checkout's pack has no waiver for a Friday deploy");
    assert.deepEqual((JSON.parse(own.output) as PlanDocument).policy?.violations.map((v) => v.policy), ["schedule-production-deploy-window"]);

    const other = await runPlan(["--stack", "production", "--judge", recorded, "--format", "json", "--at", FRIDAY, "--policy-pack", path.join(base, "policies")]);
    assert.equal(other.exitCode, 0, other.errors.join("\n"));
    const policy = (JSON.parse(other.output) as PlanDocument).policy;
    assert.equal(policy?.pack, "flightdeck-base", "the other checkout's index.ts ran");
    assert.deepEqual(policy?.violations, []);
    assert.deepEqual(policy?.waived.map((w) => [w.policy, w.approvedBy, w.expires]), [["schedule-production-deploy-window", "maria-chen", "2026-12-04"]]);
  });

  it("exits 2, naming what is missing, for a directory that is not a pack", async () => {
    const pack = (name: string) => {
      const copy = path.join(dir, name, "policies");
      cpSync(path.join(base, "policies"), copy, { recursive: true });
      return copy;
    };
    const noManifest = pack("no-manifest");
    unlinkSync(path.join(noManifest, "PulumiPolicy.yaml"));
    const noIndex = pack("no-index");
    unlinkSync(path.join(noIndex, "index.ts"));
    const noVersion = pack("no-version");
    writeFileSync(path.join(noVersion, "package.json"), JSON.stringify({ name: "flightdeck-policies" }));
    const noConfig = pack("no-config");
    unlinkSync(path.join(noConfig, "config", "production.json"));
    // A trailing comma in the other checkout's policy config: bad input naming the file (it was an
    // internal error, exit 3). The pack starts before its config is read, so this one is the base
    // checkout's pack itself: the engine's ts-node keeps its compile cache per tsconfig.json path
    // (@pulumi/pulumi vendor/ts-node@7.0.1: the cache directory is a digest of the compiler options,
    // configFilePath included), and a pack in a new directory would type-check all over again.
    const notJson = path.join(base, "policies");
    const notJsonConfig = path.join(notJson, "config", "production.json");
    const config = readFileSync(notJsonConfig, "utf8");
    // Outside any checkout: no node_modules above it, so no @pulumi/pulumi to start it with.
    const uninstalled = path.join(mkdtempSync(path.join(tmpdir(), "flightdeck-uninstalled-")), "policies");
    cpSync(path.join(base, "policies"), uninstalled, { recursive: true });
    const cases: [string, RegExp][] = [
      [path.join(dir, "nowhere"), /^--policy-pack .*nowhere: no such directory$/],
      [noManifest, /^--policy-pack .*no-manifest\/policies is not a policy pack: no PulumiPolicy\.yaml in /],
      [noIndex, /is not a policy pack: no index\.ts in /],
      [noVersion, /: package\.json has no version \(the policy SDK requires one\)$/],
      [notJson, /^.*base\/policies\/config\/production\.json: not valid JSON \(/],
      [noConfig, /has no policy config for stack "production": expected .*no-config\/policies\/config\/production\.json$/],
      [uninstalled, /: no @pulumi\/pulumi is installed for it \(run `npm ci` in its checkout\)$/],
    ];
    // A small recorded plan to judge: the pack is located before anything is evaluated or judged.
    const recorded = path.join(dir, "small.json");
    writeFileSync(recorded, JSON.stringify(plan("production", [component("production")])));
    writeFileSync(notJsonConfig, '{ "all": "mandatory", }\n');
    try {
      for (const [packDir, message] of cases) {
        const result = await runPlan(["--stack", "production", "--judge", recorded, "--policy-pack", packDir]);
        assert.equal(result.exitCode, 2, packDir);
        assert.deepEqual(result.errors.length, 1, result.errors.join("\n"));
        assert.match(result.errors[0]!, message);
      }
      const contradiction = await runPlan(["--stack", "production", "--policy-pack", base, "--no-policy"]);
      assert.deepEqual([contradiction.exitCode, contradiction.errors[0]], [2, "--policy-pack and --no-policy contradict each other"]);
    } finally {
      writeFileSync(notJsonConfig, config);
      rmSync(path.dirname(uninstalled), { recursive: true, force: true });
    }
  });
});
