import { strict as assert } from "node:assert";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { allPolicies } from "../../policies/rules";
import { analyzePrepared, PACK_DIR, PolicyPackProcess, PolicyReport, preparePack } from "../../tools/policy/client";
import { RecordedResource, runSampleStack } from "../harness";

/**
 * A policy config that loosens production, as the engine hands it to the pack: one Configure call
 * with every policy's level and settings (pulumi/pulumi@v3.259.0:pkg/engine/update.go), after which
 * @pulumi/policy never calls a `disabled` policy (@pulumi/policy@1.21.0 server.js,
 * makeAnalyzeRpcFun/makeAnalyzeStackRpcFun). The pack is driven over its real gRPC server.
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

/** A config entry's settings without its level (so that `all` decides it). */
function settingsOf(stack: string, policy: string): Record<string, unknown> {
  const { enforcementLevel: _level, ...settings } = shipped(stack, {})[policy] as Record<string, unknown>;
  return settings;
}

const mandatory = (report: PolicyReport) => [...new Set(report.violations.filter((v) => v.enforcementLevel === "mandatory").map((v) => v.policy))].sort();
const findings = (report: PolicyReport) => report.violations.filter((v) => v.policy === "policy-config-within-spec").map((v) => v.message);

describe("the pack holds production's policy config to the spec's floors (analyzer protocol)", function () {
  this.timeout(180_000);
  let dir: string;
  let production: PolicyPackProcess;
  let noApproval: RecordedResource[];
  let shortRetention: RecordedResource[];
  let count = 0;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "flightdeck-pack-config-"));
    production = await PolicyPackProcess.start({ stack: "production", now: IN_WINDOW });
    // Evaluated at the pack's clock: what the program reads then (the drill register) matches the moment it is judged.
    noApproval = (await runSampleStack("production", (raw) => ((raw["github"] as Record<string, unknown>)["requiredApprovals"] = 0), { now: IN_WINDOW })).resources;
    shortRetention = (await runSampleStack("production", (raw) => ((raw["audit"] as Record<string, unknown>)["retention"] = { mode: "GOVERNANCE", days: 365 }), { now: IN_WINDOW })).resources;
  });
  after(() => {
    production?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function judge(pack: PolicyPackProcess, stack: string, config: Record<string, unknown>, resources: RecordedResource[]): Promise<PolicyReport> {
    const file = path.join(dir, `config-${count++}.json`);
    writeFileSync(file, JSON.stringify(config));
    return analyzePrepared(await preparePack(pack, { stack, policyConfigPath: file }), resources);
  }

  it("a disabled policy still runs, mandatory, and the disabling is itself a mandatory violation", async () => {
    const report = await judge(production, "production", shipped("production", { "github-ruleset-pull-request-required": "disabled" }), noApproval);
    assert.deepEqual(mandatory(report), ["github-ruleset-pull-request-required", "policy-config-within-spec"]);
    assert.deepEqual(findings(report), ['github-ruleset-pull-request-required is disabled in production: every policy is mandatory there (spec: "Quality Gates (must pass before production)")']);
  });

  it("`all: disabled` (the config check included): every policy still runs, and each is reported", async () => {
    const everyPolicy = Object.fromEntries(Object.keys(shipped("production", {})).filter((k) => k !== "all").map((policy) => [policy, settingsOf("production", policy)]));
    const report = await judge(production, "production", { all: "disabled", ...everyPolicy }, noApproval);
    assert.deepEqual(mandatory(report), ["github-ruleset-pull-request-required", "policy-config-within-spec"]);
    assert.equal(findings(report).length, allPolicies.length + 2, "one per policy, the gate's own two included");
    assert.ok(report.policies.every((policy) => policy.enforcementLevel === "disabled"), "the report shows what the config asked for");
  });

  it("an advisory config with a loosened setting: the violation is judged at the floor and is mandatory", async () => {
    const everyPolicy = Object.fromEntries(Object.keys(shipped("production", {})).filter((k) => k !== "all").map((policy) => [policy, settingsOf("production", policy)]));
    const loose = { ...everyPolicy, all: "advisory", "audit-bucket-object-lock-retained": { mode: "GOVERNANCE", minDays: 30 } };
    const report = await judge(production, "production", loose, shortRetention);
    assert.ok(mandatory(report).includes("audit-bucket-object-lock-retained"), JSON.stringify(report.violations, null, 1));
    assert.ok(report.violations.filter((v) => v.policy !== "policy-config-within-spec").every((v) => v.enforcementLevel === "mandatory"));
    assert.ok(findings(report).some((line) => /audit-bucket-object-lock-retained\.minDays is 30: must be at least 2557/.test(line)));
    // The same resources under the shipped config: the same violation, and no finding.
    const asShipped = await judge(production, "production", shipped("production", {}), shortRetention);
    assert.ok(mandatory(asShipped).includes("audit-bucket-object-lock-retained"));
    assert.deepEqual(findings(asShipped), []);
  });

  it("staging is not governed: a loosened staging config is taken as it is", async () => {
    const staging = await PolicyPackProcess.start({ stack: "staging", now: IN_WINDOW });
    try {
      const resources = (await runSampleStack("staging", (raw) => ((raw["github"] as Record<string, unknown>)["requiredApprovals"] = 0))).resources;
      const report = await judge(staging, "staging", shipped("staging", { "github-ruleset-pull-request-required": "disabled" }), resources);
      assert.deepEqual(report.violations.filter((v) => v.enforcementLevel === "mandatory" || v.policy === "github-ruleset-pull-request-required" || v.policy === "policy-config-within-spec"), []);
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
