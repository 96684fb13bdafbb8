import { strict as assert } from "node:assert";
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import type { AnalyzerInfo } from "@pulumi/pulumi/proto/analyzer_pb";
import { allPolicies } from "../../policies/rules";
import { analyzePrepared, analyzeWithPack, PACK_DIR, PolicyPackProcess, PolicyReport, PreparedPack, preparePack, resolvePolicyConfig } from "../../tools/policy/client";
import { RecordedResource, runSampleStack, StackRun } from "../harness";
import { scratchDir } from "../harness/scratch";

/** Drives the real pack process over gRPC, as `pulumi preview --policy-pack policies` does. */
const NOW = new Date("2026-11-10T16:00:00Z"); // a Tuesday, 11:00 in New York
const config = (stack: string) => path.join(PACK_DIR, "config", `${stack}.json`);

function summary(report: PolicyReport): string[] {
  return report.violations.map((v) => `${v.enforcementLevel} ${v.policy} ${v.urn ?? "(stack)"}: ${v.message}`);
}

function mandatory(report: PolicyReport): string[] {
  return [...new Set(report.violations.filter((v) => v.enforcementLevel === "mandatory").map((v) => v.policy))].sort();
}

function withResourceInput(run: StackRun, type: string, suffix: string, key: string, value: unknown): RecordedResource[] {
  const resources: RecordedResource[] = structuredClone(run.resources);
  const target = resources.find((r) => r.type === type && r.name.endsWith(suffix));
  if (!target) throw new Error(`no ${type} *${suffix}`);
  target.inputs[key] = value;
  return resources;
}

describe("policy pack over the analyzer protocol (integration)", function () {
  this.timeout(120_000);
  let pack: PolicyPackProcess;
  let info: AnalyzerInfo;
  let production: StackRun;
  let staging: StackRun;
  // One pack process per stack at NOW without waivers, configured as the engine configures it, for
  // every test that judges with exactly that (a process judges any number of stacks, as the engine's does).
  let productionPack: PreparedPack;
  let stagingPack: PolicyPackProcess;
  let stagingPrepared: PreparedPack;

  before(async () => {
    pack = await PolicyPackProcess.start({ stack: "production", now: NOW });
    stagingPack = await PolicyPackProcess.start({ stack: "staging", now: NOW });
    info = await pack.info();
    productionPack = await preparePack(pack, { stack: "production", policyConfigPath: config("production") });
    stagingPrepared = await preparePack(stagingPack, { stack: "staging", policyConfigPath: config("staging") });
    production = await runSampleStack("production");
    staging = await runSampleStack("staging");
  });
  after(() => {
    pack?.close();
    stagingPack?.close();
  });

  it("getAnalyzerInfo lists every policy, with severity, remediation, topics and config defaults", () => {
    assert.equal(info.getName(), "flightdeck");
    // The SDK serves the version of the package.json in its working directory (pulumi/pulumi-policy@v1.21.0: sdk/nodejs/policy/policy.ts).
    assert.equal(info.getVersion(), (JSON.parse(readFileSync(path.join(PACK_DIR, "package.json"), "utf8")) as { version: string }).version);
    const listed = info.getPoliciesList();
    assert.deepEqual(listed.map((p) => p.getName()), [...allPolicies.map((p) => p.name), "policy-waivers-valid"]);
    for (const policy of listed) {
      assert.notEqual(policy.getSeverity(), 0, `${policy.getName()} severity`);
      assert.ok(policy.getRemediationSteps().length > 0, `${policy.getName()} remediation`);
      assert.ok(policy.getTagsList().length > 0, `${policy.getName()} topics`);
      // Started for production (a governed stack): declared at its level floor, mandatory (policies/lib/floors.ts).
      assert.equal(policy.getEnforcementlevel(), 1, `${policy.getName()} mandatory by default in production`);
    }
    const approvals = listed.find((p) => p.getName() === "github-ruleset-pull-request-required")!;
    const schema = approvals.getConfigschema()!.getProperties()!.toJavaScript() as Record<string, { default?: unknown; minimum?: number; const?: unknown }>;
    // The governed schema carries the floors the engine validates (minimum 1 approval, the deploy branch main).
    assert.deepEqual([schema["minApprovals"]!.default, schema["minApprovals"]!.minimum, schema["deployBranch"]!.const], [1, 1, "main"]);
  });

  it("configure with production.json makes every policy mandatory, with schema defaults applied", () => {
    const effective = productionPack.effective;
    assert.deepEqual([...new Set([...effective.values()].map((e) => e.level))], ["mandatory"]);
    assert.deepEqual(effective.get("github-ruleset-pull-request-required")!.config, { minApprovals: 1, deployBranch: "main", repository: "flightpro", defaultBranch: "main" });
    assert.equal(effective.get("audit-bucket-object-lock-retained")!.config["minDays"], 2557);
  });

  it("refuses a config that breaks a schema, and passes on an entry naming no policy, as the engine does", () => {
    // pulumi/pulumi@v3.259.0 pkg/resource/analyzer/config.go: validatePolicyPackConfig validates the pack's policies only; applyConfig keeps every entry.
    assert.throws(() => resolvePolicyConfig(info, { "github-ruleset-pull-request-required": { minApprovals: 0 } }), /minApprovals: must be >= 1/);
    assert.deepEqual(resolvePolicyConfig(info, { "no-such-policy": { enforcementLevel: "disabled", x: 1 } }).get("no-such-policy"), { level: "disabled", config: { x: 1 } });
  });

  it("production sample stack: no violations", async () => {
    const report = await analyzePrepared(productionPack, production.resources);
    assert.deepEqual(summary(report), []);
    assert.equal(report.policies.length, allPolicies.length + 1);
    assert.ok(report.policies.every((p) => p.enforcementLevel === "mandatory" && p.remediation.length > 0));
  });

  it("staging sample stack: no violations", async () => {
    const report = await analyzePrepared(stagingPrepared, staging.resources);
    assert.deepEqual(summary(report), []);
  });

  it("non-compliant production config: the expected mandatory violations", async () => {
    const run = await runSampleStack("production", (raw) => {
      (raw["github"] as Record<string, unknown>)["requiredApprovals"] = 0;
      (raw["deployEnvironment"] as Record<string, unknown>)["canAdminsBypass"] = true;
      (raw["audit"] as Record<string, unknown>)["retention"] = { mode: "GOVERNANCE", days: 365 };
    });
    const report = await analyzePrepared(productionPack, run.resources);
    // The program expires records when their retention ends, so a short retention also shortens the lifecycle.
    assert.deepEqual(mandatory(report), [
      "audit-bucket-lifecycle-keeps-retention",
      "audit-bucket-object-lock-retained",
      "github-environment-production-approval-required",
      "github-ruleset-pull-request-required",
    ]);
  });

  it("non-compliant resources: a plain Vercel secret, a superuser app role; a Friday deploy", async () => {
    let resources = withResourceInput(production, "vercel:index/projectEnvironmentVariable:ProjectEnvironmentVariable", "STRIPE_SECRET_KEY", "sensitive", false);
    resources = resources.map((r) => (r.type === "postgresql:index/role:Role" && r.inputs["name"] === "flightpro_app" ? { ...r, inputs: { ...r.inputs, superuser: true } } : r));
    const report = await analyzeWithPack({ stack: "production", resources, policyConfigPath: config("production"), now: new Date("2026-11-13T16:00:00Z") });
    assert.deepEqual(mandatory(report), ["database-login-role-least-privilege", "schedule-production-deploy-window", "vercel-env-var-sensitive"]);
    const plain = report.violations.find((v) => v.policy === "vercel-env-var-sensitive")!;
    assert.match(plain.urn ?? "", /STRIPE_SECRET_KEY$/);
    assert.equal(plain.severity, "high");
  });

  it("staging: the same violations are advisory", async () => {
    const resources = withResourceInput(staging, "vercel:index/projectEnvironmentVariable:ProjectEnvironmentVariable", "STRIPE_SECRET_KEY", "sensitive", false);
    const report = await analyzePrepared(stagingPrepared, resources);
    assert.deepEqual(report.violations.map((v) => [v.policy, v.enforcementLevel]), [["vercel-env-var-sensitive", "advisory"]]);
  });

  it("waivers over the wire: a matching waiver moves the violation to `waived`; a malformed file fails closed", async () => {
    const dir = scratchDir("pack");
    const resources = withResourceInput(production, "vercel:index/projectEnvironmentVariable:ProjectEnvironmentVariable", "STRIPE_SECRET_KEY", "sensitive", false);
    const good = path.join(dir, "good.yaml");
    writeFileSync(good, `waivers:\n  - policy: vercel-env-var-sensitive\n    resource: "*STRIPE_SECRET_KEY"\n    stack: production\n    reason: Vercel support ticket 1234 pending\n    approvedBy: maria-chen\n    expires: "2026-11-30"\n`);
    const waived = await analyzeWithPack({ stack: "production", resources, policyConfigPath: config("production"), waiversPath: good, now: NOW });
    assert.deepEqual(summary(waived), []);
    assert.equal(waived.waived.length, 1);
    assert.equal(waived.waived[0]!.waiver, "waived by maria-chen until 2026-11-30: Vercel support ticket 1234 pending");
    assert.equal(waived.waived[0]!.enforcementLevel, "advisory");

    const bad = path.join(dir, "bad.yaml");
    writeFileSync(bad, `waivers:\n  - policy: vercel-env-var-sensitive\n    resource: "*"\n    stack: production\n`);
    const failed = await analyzeWithPack({ stack: "production", resources, policyConfigPath: config("production"), waiversPath: bad, now: NOW });
    assert.deepEqual(mandatory(failed), ["policy-waivers-valid", "vercel-env-var-sensitive"]);
    assert.match(failed.violations.find((v) => v.policy === "policy-waivers-valid")!.message, /waivers\[0\] \(policy vercel-env-var-sensitive\) is malformed/);
  });
});
