import { strict as assert } from "node:assert";
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { tmpdir } from "node:os";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import * as analyzer from "@pulumi/pulumi/proto/analyzer_pb";
import { FLOORS, looseness, minimumLevel, Target } from "../../policies/lib/floors";
import { buildPack } from "../../policies/pack";
import { levelFloorProblems, runLevelCheck } from "../../tools/policy/levelFloors";
import { PolicyConfigError, resolvePolicyConfig } from "../../tools/policy/policyConfig";
import { scratchDir } from "../harness/scratch";
import { judge } from "./judge";
import { validStack } from "./fixtures";

/**
 * The floors of a governed stack's policy config (policies/lib/floors.ts), where each is held: the
 * setting floors in the policies' configSchemas, which the engine validates before it configures the
 * pack (tools/policy/policyConfig.ts does what pulumi/pulumi@v3.259.0 pkg/resource/analyzer/config.go
 * ReconcilePolicyPackConfig does); the few a schema cannot express, in the policy; the level floors
 * where the config enters (tools/policy/levelFloors.ts).
 */
const PRODUCTION: Target = { stack: "production", project: "flightdeck" };
const NO_WAIVERS = path.join(tmpdir(), "flightdeck-no-such-waivers.yaml");
const served = (target: Target) => buildPack({ waiversFile: NO_WAIVERS, ...target }).policies;

const infos = new Map<string, analyzer.AnalyzerInfo>();

/** What getAnalyzerInfo lists for the pack served in `target`'s stack (@pulumi/policy protoutil makeAnalyzerInfo: name, level, schema). */
function infoFor(target: Target): analyzer.AnalyzerInfo {
  const key = `${target.project}/${target.stack}`;
  if (!infos.has(key)) infos.set(key, makeInfo(target));
  return infos.get(key)!;
}

function makeInfo(target: Target): analyzer.AnalyzerInfo {
  const levels = { advisory: analyzer.EnforcementLevel.ADVISORY, mandatory: analyzer.EnforcementLevel.MANDATORY, disabled: analyzer.EnforcementLevel.DISABLED, remediate: analyzer.EnforcementLevel.REMEDIATE };
  return new analyzer.AnalyzerInfo().setName("flightdeck").setPoliciesList(
    served(target).map((policy) => {
      const info = new analyzer.PolicyInfo().setName(policy.name).setEnforcementlevel(levels[policy.enforcementLevel ?? "advisory"]);
      if (policy.configSchema) {
        const schema = new analyzer.PolicyConfigSchema().setProperties(Struct.fromJavaScript(JSON.parse(JSON.stringify(policy.configSchema.properties ?? {}))));
        info.setConfigschema(schema.setRequiredList(policy.configSchema.required ?? []));
      }
      return info;
    }),
  );
}

type ConfigFile = Record<string, unknown>;
const shipped = (stack: string): ConfigFile => JSON.parse(readFileSync(path.join(__dirname, "..", "..", "policies", "config", `${stack}.json`), "utf8")) as ConfigFile;

/** production.json with one policy's entry changed (settings merged into it). */
function productionWith(policy: string, entry: string | Record<string, unknown>): ConfigFile {
  const file = shipped("production");
  const current = file[policy];
  file[policy] = typeof entry === "string" || typeof current !== "object" ? entry : { ...current, ...entry };
  return file;
}

/** Why the engine refuses the config (its schema problems), or "" when it takes it. */
function engineRefusal(file: ConfigFile, target = PRODUCTION): string {
  try {
    resolvePolicyConfig(infoFor(target), file, "production.json");
    return "";
  } catch (error) {
    if (error instanceof PolicyConfigError) return error.message;
    throw error;
  }
}

describe("policies: the floors of the policy config", () => {
  const production = infoFor(PRODUCTION);

  it("every setting floor names a policy of the pack and one of its settings, and the policy's default meets it", () => {
    const byName = new Map(served(PRODUCTION).map((policy) => [policy.name, policy]));
    for (const [policy, settings] of Object.entries(FLOORS)) {
      const found = byName.get(policy);
      assert.ok(found, `floors.ts names ${policy}, which the pack does not have`);
      for (const [setting, floor] of Object.entries(settings)) {
        const property: { default?: unknown } | undefined = found.configSchema?.properties?.[setting];
        assert.ok(property, `floors.ts names ${policy}.${setting}, which the policy does not have`);
        assert.equal(looseness(floor, property.default), undefined, `${policy}.${setting}'s default is looser than its floor`);
      }
    }
  });

  it("the shipped production config is within the floors; a config written another valid way is too", () => {
    assert.equal(engineRefusal(shipped("production")), "");
    assert.deepEqual(levelFloorProblems(shipped("production"), PRODUCTION, "production.json"), []);
    const tighter = shipped("production");
    tighter["github-ruleset-pull-request-required"] = { enforcementLevel: "mandatory", minApprovals: 2 };
    tighter["audit-bucket-object-lock-retained"] = { mode: "COMPLIANCE", minDays: 3650 };
    tighter["vercel-env-var-sensitive"] = { plainKeys: ["NEXT_PUBLIC_*"] };
    tighter["secrets-rotation-register-current"] = { maxPeriodDays: { "api-key": 30, token: 60, "database-password": 90, "webhook-secret": 30 } };
    tighter["policy-waivers-valid"] = { approvers: ["someone-else"], maxDays: 7, maxDaysByPolicy: { "schedule-production-deploy-window": 0.5 } };
    tighter["schedule-production-deploy-window"] = { stacks: ["production", "staging"] };
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
    assert.equal(engineRefusal(tighter), "");
    assert.deepEqual(levelFloorProblems(tighter, PRODUCTION, "production.json"), []);
  });

  // Refused by the engine, before the pack judges anything: the governed schema holds the floor.
  const refused: { title: string; file: () => ConfigFile; problem: RegExp }[] = [
    { title: "no approval required", file: () => productionWith("github-ruleset-pull-request-required", { minApprovals: 0 }), problem: /github-ruleset-pull-request-required\.minApprovals: must be >= 1/ },
    { title: "governance-mode object lock", file: () => productionWith("audit-bucket-object-lock-retained", { mode: "GOVERNANCE" }), problem: /audit-bucket-object-lock-retained\.mode: must be equal to constant "COMPLIANCE"/ },
    { title: "a year of retention", file: () => productionWith("audit-bucket-lifecycle-keeps-retention", { minDays: 365 }), problem: /audit-bucket-lifecycle-keeps-retention\.minDays: must be >= 2557/ },
    { title: "audit resources unprotected", file: () => productionWith("audit-resources-protected", { requireProtect: false }), problem: /requireProtect: must be equal to constant true/ },
    { title: "a weekend deploy day", file: () => productionWith("schedule-production-preflight-enforces-floor", { deployDays: ["Tue", "Thu", "Sat"] }), problem: /deployDays\.2: must be equal to one of the allowed values \["Tue","Thu"\]/ },
    { title: "another time zone", file: () => productionWith("schedule-production-preflight-enforces-floor", { timezone: "Pacific/Honolulu" }), problem: /timezone: must be equal to constant "America\/New_York"/ },
    { title: "production left out of the schedule", file: () => productionWith("schedule-production-deploy-window", { stacks: ["prod"] }), problem: /schedule-production-deploy-window\.stacks: must contain at least 1 valid item/ },
    { title: "a secret allowed in plain text", file: () => productionWith("vercel-env-var-sensitive", { plainKeys: ["NEXT_PUBLIC_*", "STRIPE_SECRET_KEY"] }), problem: /plainKeys\.1: must be equal to one of the allowed values/ },
    { title: "every key allowed in plain text", file: () => productionWith("vercel-env-var-sensitive", { plainKeys: ["*"] }), problem: /plainKeys\.0: must be equal to one of the allowed values/ },
    { title: "a yearly key rotation", file: () => productionWith("secrets-rotation-register-current", { maxPeriodDays: { "api-key": 365, token: 90, "database-password": 180 } }), problem: /maxPeriodDays\.api-key: must be <= 90/ },
    { title: "a rotation kind dropped", file: () => productionWith("secrets-rotation-register-current", { maxPeriodDays: { "api-key": 90, token: 90 } }), problem: /maxPeriodDays: must have required property 'database-password'/ },
    { title: "the deploy branch renamed", file: () => productionWith("github-deploy-branch-ruleset-active", { deployBranch: "develop" }), problem: /deployBranch: must be equal to constant "main"/ },
    { title: "a looser budget", file: () => productionWith("workflow-verify-performance-budgets", { initialJsMaxKb: 500 }), problem: /initialJsMaxKb: must be <= 200/ },
    { title: "a setting with no floor, changed", file: () => productionWith("audit-bucket-versioning-enabled", { bucketNames: ["no-such-bucket"] }), problem: /audit-bucket-versioning-enabled\.bucketNames: must be equal to constant/ },
    { title: "waivers for 90 days", file: () => productionWith("policy-waivers-valid", { maxDays: 90 }), problem: /maxDays: must be <= 30/ },
    { title: "a week-long emergency waiver", file: () => productionWith("policy-waivers-valid", { maxDaysByPolicy: { "schedule-production-deploy-window": 7 } }), problem: /maxDaysByPolicy\.schedule-production-deploy-window: must be <= 1/ },
    { title: "the recovery objectives loosened", file: () => productionWith("recovery-objectives-within-spec", { maxRpoMinutes: 120, maxRtoMinutes: 480 }), problem: /maxRpoMinutes: must be <= 60[\s\S]*maxRtoMinutes: must be <= 240/ },
    { title: "the backup writer allowed to read", file: () => productionWith("recovery-backup-writer-write-only", { allowedActions: ["s3:PutObject", "s3:GetObject"] }), problem: /allowedActions\.1: must be equal to one of the allowed values/ },
  ];
  for (const { title, file, problem } of refused) {
    it(`the engine refuses ${title}`, () => assert.match(engineRefusal(file()), problem));
  }

  it("staging is not governed: its schemas hold no floor", () => {
    const staging = { stack: "staging", project: "flightdeck" };
    assert.equal(engineRefusal({ ...shipped("staging"), "audit-bucket-object-lock-retained": { mode: "GOVERNANCE", minDays: 30 }, "vercel-env-var-sensitive": { plainKeys: ["*"] } }, staging), "");
    assert.ok(served(staging).every((policy) => policy.enforcementLevel === "advisory"));
  });

  describe("floors a JSON schema cannot express, judged by the policy itself (not waivable)", () => {
    const judged = (policy: string, settings: Record<string, unknown>, target = PRODUCTION) => {
      const policies = served(target).filter((candidate) => candidate.name === policy);
      return judge(validStack(), { policies, config: { [policy]: settings }, stack: target.stack }).filter((verdict) => /^policy config /.test(verdict.message));
    };
    const cases: { title: string; policy: string; settings: Record<string, unknown>; finding: RegExp }[] = [
      { title: "an earlier start", policy: "schedule-production-preflight-enforces-floor", settings: { deployHours: { from: "09:00", to: "14:00" } }, finding: /deployHours is .*: must lie within 10:00–14:00/ },
      { title: "the holiday freeze removed", policy: "schedule-production-preflight-enforces-floor", settings: { freezes: [] }, finding: /freezes does not cover holidays \(12-20 – 01-02, every year\)/ },
      { title: "the holiday freeze for one year only", policy: "schedule-production-preflight-enforces-floor", settings: { freezes: [{ name: "holidays", from: "2026-12-20", to: "2027-01-02" }] }, finding: /freezes does not cover holidays/ },
      { title: "a required check dropped", policy: "github-ruleset-verify-checks-required", settings: { requiredChecks: ["lint", "build"] }, finding: /requiredChecks leaves out "typecheck", "unit-tests"/ },
    ];
    for (const { title, policy, settings, finding } of cases) {
      it(`${title}: the engine takes it, the policy reports it`, () => {
        assert.equal(engineRefusal(productionWith(policy, settings)), "");
        const findings = judged(policy, settings);
        assert.ok(findings.length > 0 && findings.every((verdict) => verdict.policy === policy && finding.test(verdict.message)), JSON.stringify(findings));
      });
    }

    it("at the floor, or outside a governed stack, nothing", () => {
      assert.deepEqual(judged("schedule-production-preflight-enforces-floor", {}), []);
      assert.deepEqual(judged("github-ruleset-verify-checks-required", { requiredChecks: ["lint"] }, { stack: "staging", project: "flightdeck" }), []);
    });
  });

  describe("enforcement levels: refused where the config enters", () => {
    it("production.json edited to advisory is refused, naming the file and the policy", () => {
      const dir = scratchDir("level-floors");
      const file = path.join(dir, "production.json");
      const edited = productionWith("github-ruleset-pull-request-required", { enforcementLevel: "advisory" });
      writeFileSync(file, JSON.stringify(edited));
      const result = runLevelCheck(["--stack", "production", "--project", "flightdeck", file]);
      assert.equal(result.code, 2);
      assert.match(result.message, new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}: sets policies below their enforcement level floor`));
      assert.match(result.message, /github-ruleset-pull-request-required is advisory: it is at least mandatory in stack production \(Spec, Deploying to Production/);
      assert.deepEqual(runLevelCheck(["--stack", "production", "--project", "flightdeck", path.join(__dirname, "..", "..", "policies", "config", "production.json")]), { code: 0, message: "" });
    });

    const lowered: { title: string; file: () => ConfigFile; problem: RegExp }[] = [
      { title: "all advisory", file: () => ({ ...shipped("production"), all: "advisory" }), problem: /^"all" is advisory: every policy is at least mandatory in stack production/ },
      { title: "all disabled (object form)", file: () => ({ ...shipped("production"), all: { enforcementLevel: "disabled" } }), problem: /^"all" is disabled/ },
      { title: "a policy disabled", file: () => productionWith("github-ruleset-bypass-deploy-app-only", { enforcementLevel: "disabled" }), problem: /^github-ruleset-bypass-deploy-app-only is disabled/ },
      { title: "the waivers check advisory (string form)", file: () => productionWith("policy-waivers-valid", "advisory"), problem: /^policy-waivers-valid is advisory/ },
    ];
    for (const { title, file, problem } of lowered) {
      it(`refuses ${title}`, () => {
        const problems = levelFloorProblems(file(), PRODUCTION, "production.json");
        assert.ok(problems.some((line) => problem.test(line)), problems.join("\n") || "(none)");
      });
    }

    it("remediate counts as mandatory (@pulumi/policy reports a remaining violation as mandatory); staging may lower anything", () => {
      assert.deepEqual(levelFloorProblems(productionWith("runtime-settings-fit-environment", { enforcementLevel: "remediate" }), PRODUCTION, "production.json"), []);
      assert.deepEqual(levelFloorProblems({ ...shipped("staging"), all: "disabled" }, { stack: "staging", project: "flightdeck" }, "staging.json"), []);
    });

    it("the pack declares each policy at its floor, so a run with no config is at least that strict", () => {
      for (const policy of production.getPoliciesList()) assert.equal(policy.getEnforcementlevel(), analyzer.EnforcementLevel.MANDATORY, policy.getName());
      assert.equal(minimumLevel("github-ruleset-pull-request-required", { stack: "staging", project: "flightdeck" }), undefined);
    });

    it("every stack of the bootstrap project is governed: levels and settings", () => {
      const bootstrap = { stack: "any-stack-name", project: "flightdeck-bootstrap" };
      assert.match(levelFloorProblems({ "bootstrap-human-role-mfa-required": "advisory" }, bootstrap, "bootstrap.json")[0] ?? "", /bootstrap-human-role-mfa-required is advisory: it is at least mandatory in stack any-stack-name \(the bootstrap decides who can apply production/);
      assert.match(engineRefusal({ "bootstrap-human-role-mfa-required": { maxSessionSeconds: 43200 } }, bootstrap), /maxSessionSeconds: must be <= 3600/);
      assert.equal(engineRefusal(shipped("bootstrap"), bootstrap), "");
    });
  });
});
