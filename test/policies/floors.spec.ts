import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { tmpdir } from "node:os";
import { FLOORS, looseness } from "../../policies/lib/floors";
import { ConfiguredPolicy, DeclaredPolicy, Level, reconcile } from "../../policies/lib/packConfig";
import { buildPack } from "../../policies/pack";

/**
 * The floors a governed stack's policy config is held to (policies/lib/floors.ts), on configs as the
 * engine reconciles them before its one Configure call: every policy's configSchema defaults, then
 * `all`'s level for every policy, then each policy's own level and settings, key by key
 * (pulumi/pulumi@v3.259.0:pkg/resource/analyzer/config.go, ReconcilePolicyPackConfig and applyConfig).
 */
const pack = buildPack({ waiversFile: path.join(tmpdir(), "flightdeck-no-such-waivers.yaml"), stack: "production" });
const declared: DeclaredPolicy[] = pack.policies.map((policy) => ({
  name: policy.name,
  defaults: Object.fromEntries(Object.entries(policy.configSchema?.properties ?? {}).map(([key, schema]) => [key, schema.default])),
}));

type ConfigFile = Record<string, string | Record<string, unknown>>;

/** The engine's reading of a --policy-pack-config file for this pack (config.go applyConfig). */
function engineReconcile(file: ConfigFile): Map<string, ConfiguredPolicy> {
  const result = new Map<string, ConfiguredPolicy>(declared.map((policy) => [policy.name, { level: "mandatory" as Level, settings: { ...policy.defaults } }]));
  const all = file["all"];
  if (typeof all === "string") for (const entry of result.values()) entry.level = all as Level;
  for (const [name, given] of Object.entries(file)) {
    if (name === "all") continue;
    const entry = result.get(name) ?? { level: "mandatory" as Level, settings: {} };
    if (typeof given === "string") entry.level = given as Level;
    else {
      const { enforcementLevel, ...settings } = given;
      if (typeof enforcementLevel === "string") entry.level = enforcementLevel as Level;
      Object.assign(entry.settings, settings);
    }
    result.set(name, entry);
  }
  return result;
}

const production = (): ConfigFile => JSON.parse(readFileSync(path.join(__dirname, "..", "..", "policies", "config", "production.json"), "utf8")) as ConfigFile;

/** production.json with one policy's entry changed (merged into it). */
function productionWith(policy: string, entry: string | Record<string, unknown>): ConfigFile {
  const file = production();
  const current = file[policy];
  file[policy] = typeof entry === "string" || typeof current !== "object" ? entry : { ...current, ...entry };
  return file;
}

function findings(file: ConfigFile, stack = "production"): string[] {
  return reconcile(engineReconcile(file), declared, stack).findings;
}

function effective(file: ConfigFile, policy: string): Record<string, unknown> {
  return reconcile(engineReconcile(file), declared, "production").effective.get(policy)!.settings;
}

describe("policies: the spec's floors for the policy config", () => {
  it("every floor names a policy of the pack and one of its settings, and the policy's own default meets it", () => {
    const byName = new Map(declared.map((policy) => [policy.name, policy]));
    for (const [policy, settings] of Object.entries(FLOORS)) {
      const found = byName.get(policy);
      assert.ok(found, `floors.ts names ${policy}, which the pack does not have`);
      for (const [setting, floor] of Object.entries(settings)) {
        assert.ok(setting in found.defaults, `floors.ts names ${policy}.${setting}, which the policy does not have`);
        assert.equal(looseness(floor, found.defaults[setting]), undefined, `${policy}.${setting}'s default is looser than its floor`);
      }
    }
  });

  it("the shipped production config is within the floors; a config written another valid way is too", () => {
    assert.deepEqual(findings(production()), []);
    const tighter = production();
    tighter["github-ruleset-pull-request-required"] = { enforcementLevel: "mandatory", minApprovals: 2, branches: ["main", "staging", "release/*"] };
    tighter["audit-bucket-object-lock-retained"] = { mode: "COMPLIANCE", minDays: 3650 };
    tighter["vercel-env-var-sensitive"] = { plainKeys: ["NEXT_PUBLIC_*"] };
    tighter["secrets-rotation-register-current"] = { maxPeriodDays: { "api-key": 30, token: 60, "database-password": 90, "webhook-secret": 30 } };
    tighter["policy-waivers-valid"] = { approvers: ["someone-else"], maxDays: 7, maxDaysByPolicy: { "schedule-production-deploy-window": 0.5 } };
    tighter["schedule-production-preflight-enforces-floor"] = {
      deployDays: ["Thu"],
      deployHours: { from: "10:30", to: "13:00" },
      // The holiday freeze split in two and widened, plus a launch week.
      freezes: [
        { name: "holidays-december", from: "12-15", to: "12-31" },
        { name: "holidays-january", from: "01-01", to: "01-03" },
        { name: "launch", from: "2027-03-01", to: "2027-03-07" },
      ],
    };
    delete tighter["all"]; // no `all`: every policy keeps its declared level, mandatory in production
    assert.deepEqual(findings(tighter), []);
  });

  const loosened: { title: string; file: () => ConfigFile; finding: RegExp; policy?: string; clamped?: [string, unknown] }[] = [
    { title: "a policy set advisory", file: () => productionWith("audit-bucket-kms-encrypted", "advisory"), finding: /^audit-bucket-kms-encrypted is advisory in production: every policy is mandatory there/ },
    { title: "a policy disabled", file: () => productionWith("github-ruleset-pull-request-required", { enforcementLevel: "disabled" }), finding: /^github-ruleset-pull-request-required is disabled in production/ },
    { title: "the config check itself disabled", file: () => productionWith("policy-config-within-spec", "disabled"), finding: /^policy-config-within-spec is disabled in production/ },
    { title: "remediate instead of mandatory", file: () => productionWith("audit-bucket-tls-only", "remediate"), finding: /^audit-bucket-tls-only is remediate in production/ },
    {
      title: "no approval required",
      file: () => productionWith("github-ruleset-pull-request-required", { minApprovals: 0 }),
      finding: /^github-ruleset-pull-request-required\.minApprovals is 0: must be at least 1 \(Spec, Protections/,
      policy: "github-ruleset-pull-request-required",
      clamped: ["minApprovals", 1],
    },
    {
      title: "governance-mode object lock",
      file: () => productionWith("audit-bucket-object-lock-retained", { mode: "GOVERNANCE" }),
      finding: /mode is "GOVERNANCE": must be "COMPLIANCE"/,
      policy: "audit-bucket-object-lock-retained",
      clamped: ["mode", "COMPLIANCE"],
    },
    {
      title: "a year of retention",
      file: () => productionWith("audit-bucket-lifecycle-keeps-retention", { minDays: 365 }),
      finding: /minDays is 365: must be at least 2557/,
      policy: "audit-bucket-lifecycle-keeps-retention",
      clamped: ["minDays", 2557],
    },
    { title: "audit resources unprotected", file: () => productionWith("audit-resources-protected", { requireProtect: false }), finding: /requireProtect is false: must be true/ },
    { title: "a weekend deploy day", file: () => productionWith("schedule-production-preflight-enforces-floor", { deployDays: ["Tue", "Thu", "Sat"] }), finding: /deployDays adds "Sat"/, policy: "schedule-production-preflight-enforces-floor", clamped: ["deployDays", ["Tue", "Thu"]] },
    {
      title: "an earlier start",
      file: () => productionWith("schedule-production-preflight-enforces-floor", { deployHours: { from: "09:00", to: "14:00" } }),
      finding: /deployHours is .*: must lie within 10:00–14:00/,
      policy: "schedule-production-preflight-enforces-floor",
      clamped: ["deployHours", { from: "10:00", to: "14:00" }],
    },
    { title: "another time zone", file: () => productionWith("schedule-production-preflight-enforces-floor", { timezone: "Pacific/Honolulu" }), finding: /timezone is "Pacific\/Honolulu": must be "America\/New_York"/ },
    { title: "the holiday freeze removed", file: () => productionWith("schedule-production-preflight-enforces-floor", { freezes: [] }), finding: /freezes does not cover holidays \(12-20 – 01-02, every year\)/ },
    {
      title: "the holiday freeze shortened",
      file: () => productionWith("schedule-production-preflight-enforces-floor", { freezes: [{ name: "holidays", from: "12-22", to: "01-02" }] }),
      finding: /freezes does not cover holidays/,
      policy: "schedule-production-preflight-enforces-floor",
      clamped: ["freezes", [{ name: "holidays", from: "12-22", to: "01-02" }, { name: "holidays", from: "12-20", to: "01-02" }]],
    },
    { title: "the holiday freeze for one year only", file: () => productionWith("schedule-production-preflight-enforces-floor", { freezes: [{ name: "holidays", from: "2026-12-20", to: "2027-01-02" }] }), finding: /freezes does not cover holidays/ },
    { title: "production left out of the schedule", file: () => productionWith("schedule-production-deploy-window", { stacks: ["prod"] }), finding: /stacks leaves out "production"/ },
    { title: "a secret allowed in plain text", file: () => productionWith("vercel-env-var-sensitive", { plainKeys: ["NEXT_PUBLIC_*", "STRIPE_SECRET_KEY"] }), finding: /plainKeys adds "STRIPE_SECRET_KEY"/ },
    { title: "every key allowed in plain text", file: () => productionWith("vercel-env-var-sensitive", { plainKeys: ["*"] }), finding: /plainKeys adds "\*"/ },
    { title: "a yearly key rotation", file: () => productionWith("secrets-rotation-register-current", { maxPeriodDays: { "api-key": 365, token: 90, "database-password": 180 } }), finding: /maxPeriodDays api-key is 365: must be at most 90/ },
    { title: "a rotation kind dropped", file: () => productionWith("secrets-rotation-register-current", { maxPeriodDays: { "api-key": 90, token: 90 } }), finding: /database-password is undefined: must be at most 180/ },
    { title: "a required check dropped", file: () => productionWith("github-ruleset-verify-checks-required", { requiredChecks: ["lint", "build"] }), finding: /requiredChecks leaves out "typecheck", "unit-tests"/ },
    { title: "the deploy branch renamed", file: () => productionWith("github-deploy-branch-ruleset-active", { deployBranch: "develop" }), finding: /deployBranch is "develop": must be "main"/ },
    { title: "a looser budget", file: () => productionWith("workflow-verify-performance-budgets", { initialJsMaxKb: 500 }), finding: /initialJsMaxKb is 500: must be at most 200/ },
    { title: "a setting with no floor, changed", file: () => productionWith("audit-bucket-versioning-enabled", { bucketNames: ["no-such-bucket"] }), finding: /bucketNames is \["no-such-bucket"\]: must be .*the pack cannot tell whether another value tightens/ },
    { title: "waivers for 90 days", file: () => productionWith("policy-waivers-valid", { maxDays: 90 }), finding: /maxDays is 90: must be at most 30/ },
    { title: "a week-long emergency waiver", file: () => productionWith("policy-waivers-valid", { maxDaysByPolicy: { "schedule-production-deploy-window": 7 } }), finding: /schedule-production-deploy-window is 7: must be at most 1/ },
  ];
  for (const { title, file, finding, policy, clamped } of loosened) {
    it(`refuses ${title}${clamped ? ", and judges at the floor" : ""}`, () => {
      const found = findings(file());
      assert.ok(found.some((line) => finding.test(line)), found.join("\n") || "(no finding)");
      if (policy && clamped) assert.deepEqual(effective(file(), policy)[clamped[0]], clamped[1]);
    });
  }

  it("`all: disabled` is one finding per policy, and every policy still runs mandatory", () => {
    const file = production();
    file["all"] = "disabled";
    for (const entry of Object.values(file)) if (typeof entry === "object") delete entry["enforcementLevel"];
    const configuration = reconcile(engineReconcile(file), declared, "production");
    assert.equal(configuration.findings.filter((line) => / is disabled in production/.test(line)).length, declared.length);
    assert.deepEqual([...new Set([...configuration.effective.values()].map((entry) => entry.level))], ["mandatory"]);
  });

  it("staging is not governed: its config is taken as it is", () => {
    const staging = JSON.parse(readFileSync(path.join(__dirname, "..", "..", "policies", "config", "staging.json"), "utf8")) as ConfigFile;
    staging["github-ruleset-pull-request-required"] = { enforcementLevel: "disabled", minApprovals: 0 };
    const configuration = reconcile(engineReconcile(staging), declared, "staging");
    assert.deepEqual(configuration.findings, []);
    assert.equal(configuration.effective.get("github-ruleset-pull-request-required")!.level, "disabled");
  });
});
