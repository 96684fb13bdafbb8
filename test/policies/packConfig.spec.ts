import { strict as assert } from "node:assert";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { analyzePrepared, PACK_DIR, PolicyConfigError, PolicyPackProcess, PolicyReport, preparePack } from "../../tools/policy/client";
import { RecordedResource, runSampleStack } from "../harness";

/**
 * A policy config that loosens production, against the pack's real gRPC server: the engine validates the
 * reconciled config against the configSchemas the pack serves before its one Configure call
 * (pulumi/pulumi@v3.259.0:pkg/engine/update.go loadPolicyPlugins, "validating policy config"); what no
 * schema holds, the policy judges. (A level below its floor is refused before the pack starts:
 * tools/policy/levelFloors.ts, test/policies/floors.spec.ts.)
 */
const IN_WINDOW = new Date("2026-12-01T15:00:00Z"); // Tuesday 10:00 in New York
const FRIDAY = new Date("2026-12-04T16:00:00Z"); // Friday 11:00 in New York: outside the window

/** A shipped config with entries replaced (an entry `undefined` is removed); `all` set when given. */
function shipped(stack: string, changes: Record<string, unknown>): Record<string, unknown> {
  const config = JSON.parse(readFileSync(path.join(PACK_DIR, "config", `${stack}.json`), "utf8")) as Record<string, unknown>;
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) delete config[key];
    else config[key] = value;
  }
  return config;
}

const mandatory = (report: PolicyReport) => [...new Set(report.violations.filter((v) => v.enforcementLevel === "mandatory").map((v) => v.policy))].sort();

describe("the policy config a governed stack is held to, over the analyzer protocol", function () {
  this.timeout(180_000);
  let dir: string;
  let production: PolicyPackProcess;
  let resources: RecordedResource[];
  let noApproval: RecordedResource[];
  let count = 0;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "flightdeck-pack-config-"));
    production = await PolicyPackProcess.start({ stack: "production", now: IN_WINDOW });
    // Evaluated at the pack's clock: what the program reads then (the drill register) matches the moment it is judged.
    resources = (await runSampleStack("production", () => undefined, { now: IN_WINDOW })).resources;
    noApproval = (await runSampleStack("production", (raw) => ((raw["github"] as Record<string, unknown>)["requiredApprovals"] = 0), { now: IN_WINDOW })).resources;
  });
  after(() => {
    production?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function configFile(config: Record<string, unknown>): string {
    const file = path.join(dir, `config-${count++}.json`);
    writeFileSync(file, JSON.stringify(config));
    return file;
  }

  async function judge(pack: PolicyPackProcess, stack: string, config: Record<string, unknown>, judged: RecordedResource[]): Promise<PolicyReport> {
    return analyzePrepared(await preparePack(pack, { stack, policyConfigPath: configFile(config) }), judged);
  }

  it("a loosened setting is refused before anything is judged: by the schema the pack serves, as the engine refuses it", async () => {
    const loose = shipped("production", { "audit-bucket-object-lock-retained": { enforcementLevel: "mandatory", mode: "GOVERNANCE", minDays: 30 } });
    await assert.rejects(preparePack(production, { stack: "production", policyConfigPath: configFile(loose) }), (error: Error) => {
      assert.ok(error instanceof PolicyConfigError);
      assert.match(error.message, /invalid policy settings:\n {2}audit-bucket-object-lock-retained\.minDays: must be >= 2557\n {2}audit-bucket-object-lock-retained\.mode: must be equal to constant "COMPLIANCE"/);
      return true;
    });
  });

  it("a floor no schema can hold is the policy's own mandatory violation: an earlier start of the deploy window", async () => {
    const config = shipped("production", {});
    (config["schedule-production-preflight-enforces-floor"] as Record<string, unknown>)["deployHours"] = { from: "08:00", to: "14:00" };
    const report = await judge(production, "production", config, resources);
    assert.deepEqual(mandatory(report), ["schedule-production-preflight-enforces-floor"]);
    assert.ok(report.violations.every((v) => /^policy config schedule-production-preflight-enforces-floor\.deployHours is \{"from":"08:00","to":"14:00"\}: must lie within 10:00–14:00/.test(v.message)), JSON.stringify(report.violations));
  });

  it("staging is not governed: a loosened staging config is taken as it is", async () => {
    const staging = await PolicyPackProcess.start({ stack: "staging", now: IN_WINDOW });
    try {
      const judged = (await runSampleStack("staging", (raw) => ((raw["github"] as Record<string, unknown>)["requiredApprovals"] = 0))).resources;
      const report = await judge(staging, "staging", shipped("staging", { "github-ruleset-pull-request-required": "disabled", "audit-bucket-object-lock-retained": { mode: "GOVERNANCE", minDays: 1 } }), judged);
      assert.deepEqual(report.violations.filter((v) => v.enforcementLevel === "mandatory" || v.policy === "github-ruleset-pull-request-required"), []);
    } finally {
      staging.close();
    }
  });

  it("the clock and the waivers file cannot be set from the environment (as a workflow's env: could)", async () => {
    const waivers = path.join(dir, "waivers.yaml");
    writeFileSync(waivers, 'waivers:\n  - { policy: schedule-production-deploy-window, resource: "*", stack: production, reason: "set through the environment", approvedBy: maria-chen, expires: "2026-12-04" }\n');
    const pack = await PolicyPackProcess.start({ stack: "production", now: FRIDAY, env: { FLIGHTDECK_POLICY_NOW: IN_WINDOW.toISOString(), FLIGHTDECK_WAIVERS: waivers } });
    try {
      const report = await judge(pack, "production", shipped("production", {}), noApproval);
      assert.deepEqual(mandatory(report), ["github-ruleset-pull-request-required", "schedule-production-deploy-window"], "judged at the command line's Friday, not the environment's Tuesday");
      assert.deepEqual(report.waived, []);
    } finally {
      pack.close();
    }
  });
});
