import { strict as assert } from "node:assert";
import { validateStackConfig } from "../../../infra/config/validate";
import { ROLLOUT_CLOCK_ENV, rolloutNow } from "../../../infra/flags/clock";
import { FEATURE_FLAG_TYPE } from "../../../infra/flags/featureFlag";
import { flagRegister } from "../../../infra/flags/register";
import { flagRegistersFromFiles } from "../../../tools/offline/flagRegister";
import { canarySecrets, inputAt, PROJECT_DIR, RecordedResource, requiredSecretKeys, runSampleStack, sampleConfig, StackRun } from "../../harness";

type Raw = Record<string, unknown>;
const COMPONENT = "flightdeck:flags:FeatureFlags";
const PARAMETER = "aws:ssm/parameter:Parameter";
/** Tuesday 1 December 2026, 10:00 in New York. */
const DEC_1 = new Date("2026-12-01T15:00:00Z");
const DEC_10 = new Date("2026-12-10T15:00:00Z");

function flagsOf(raw: Raw): Raw[] {
  const featureFlags = raw["featureFlags"];
  assert.ok(featureFlags !== null && typeof featureFlags === "object" && !Array.isArray(featureFlags), "the sample declares featureFlags");
  const flags: unknown = Object.getOwnPropertyDescriptor(featureFlags, "flags")?.value;
  assert.ok(Array.isArray(flags));
  return flags.filter((flag): flag is Raw => flag !== null && typeof flag === "object");
}

function flag(run: StackRun, key: string): RecordedResource {
  return run.one(FEATURE_FLAG_TYPE, `-flags-${key}`);
}

const teamCondition = {
  properties: [{ key: "distinct_id", type: "person", operator: "exact", value: ["user_maria_chen", "user_dev_okafor", "user_sam_rivera"] }],
  rollout_percentage: 100,
};

describe("flags: the FeatureFlags component in the sample stacks", () => {
  let production: StackRun;
  let staging: StackRun;
  before(async () => {
    production = await runSampleStack("production", undefined, { now: DEC_1 });
    staging = await runSampleStack("staging", undefined, { now: DEC_1 });
  });

  it("production on 1 December: new-dashboard at 25% (day 7 of its plan), offline-briefings not started, each under the component", () => {
    const component = production.one(COMPONENT);
    const dashboard = flag(production, "new-dashboard");
    assert.equal(dashboard.parent, component.urn);
    assert.deepEqual(inputAt(dashboard, "filters"), { groups: [teamCondition, { properties: [], rollout_percentage: 25 }] });
    assert.equal(inputAt(dashboard, "stage"), "25% (day 7 of plan since 2026-11-24; next: 50% on 2026-12-08)");
    assert.equal(inputAt(dashboard, "key"), "new-dashboard");
    assert.equal(inputAt(dashboard, "host"), "https://us.posthog.com");
    assert.equal(inputAt(dashboard, "projectId"), 41028);
    assert.equal(inputAt(dashboard, "active"), true);
    assert.equal(inputAt(dashboard, "owner"), "maria-chen");
    assert.equal(inputAt(dashboard, "rollout.timezone"), "America/New_York", "the deploy schedule's zone");
    const briefings = flag(production, "offline-briefings");
    assert.deepEqual(inputAt(briefings, "filters"), { groups: [{ properties: [], rollout_percentage: 0 }] });
    assert.equal(inputAt(briefings, "stage"), "0% (plan not started; day 0 is 2026-12-03)");
  });

  it("production records what staging serves, read from staging's flag register (not from staging's state)", () => {
    assert.deepEqual(inputAt(flag(production, "new-dashboard"), "staging"), {
      stack: "staging",
      found: true,
      exposure: { percent: 50, team: true },
      start: "2026-11-16",
      killSwitch: false,
    });
    assert.deepEqual(inputAt(flag(production, "offline-briefings"), "staging.exposure"), { percent: 5, team: true });
    assert.equal(production.ofType("pulumi:pulumi:StackReference").length, 0, "no stack reference: production's role need not read staging's state");
    // Production reads its own register and staging's, by path (GetParametersByPath), nothing else of SSM.
    const reads = production.invokes!.filter((invoke) => invoke.token === "aws:ssm/getParametersByPath:getParametersByPath").length;
    assert.ok(reads >= 2, `${reads} register reads`);
  });

  it("each stack writes each flag's record to its register after the flag: the day 0 in force, the stage and what it serves", () => {
    const dashboard = flag(production, "new-dashboard");
    const register = production.one(PARAMETER, "-flags-new-dashboard-register");
    assert.equal(inputAt(register, "name"), flagRegister.parameterName("flightpro", "production", "new-dashboard"));
    assert.equal(inputAt(register, "type"), "String");
    assert.deepEqual(JSON.parse(String(inputAt(register, "insecureValue"))), {
      key: "new-dashboard",
      start: "2026-11-24",
      stage: "25% (day 7 of plan since 2026-11-24; next: 50% on 2026-12-08)",
      exposure: { percent: 25, team: true },
      killSwitch: false,
    });
    assert.ok(register.options.dependsOn.includes(dashboard.urn), "written once PostHog has taken the stage");
    assert.deepEqual(inputAt(dashboard, "register"), { parameter: "/flightdeck/flightpro/production/feature-flags/new-dashboard", recordedStart: "2026-11-24" });
  });

  it("a backdated rollout.start keeps the day 0 the register recorded: the stage does not move, and the preview says why", async () => {
    // Issue 19.7: the offline register holds what the deployed stack file (PROJECT_DIR) applied: day 0 on 2026-11-24.
    const backdated = await runSampleStack("production", (raw) => ((flagsOf(raw)[0]!["rollout"] as Raw)["start"] = "2026-11-01"), { now: DEC_1 });
    const dashboard = flag(backdated, "new-dashboard");
    assert.deepEqual(inputAt(dashboard, "filters.groups[1]"), { properties: [], rollout_percentage: 25 });
    assert.equal(inputAt(dashboard, "rollout.start"), "2026-11-01", "the plan as written, for the pack");
    assert.equal(
      inputAt(dashboard, "stage"),
      "25% (day 7 of plan since 2026-11-24; next: 50% on 2026-12-08); day 0 in force 2026-11-24, not rollout.start 2026-11-01 (recorded in the register)",
    );
    assert.equal(JSON.parse(String(inputAt(backdated.one(PARAMETER, "-flags-new-dashboard-register"), "insecureValue"))).start, "2026-11-24");
  });

  it("a new flag with a start in the past begins at day 0 on its first run: the register has no record of it", async () => {
    const added = await runSampleStack(
      "production",
      (raw) => {
        const declared = (raw["featureFlags"] as { flags: Raw[] }).flags;
        declared.push({ ...structuredClone(declared[0]!), key: "route-planner", rollout: { start: "2026-10-01" } });
      },
      { now: DEC_1, ssmParameters: flagRegistersFromFiles(PROJECT_DIR, DEC_1) },
    );
    const planner = flag(added, "route-planner");
    assert.deepEqual(inputAt(planner, "filters"), { groups: [{ properties: [], rollout_percentage: 0 }] });
    assert.deepEqual(inputAt(planner, "register"), { parameter: "/flightdeck/flightpro/production/feature-flags/route-planner", recordedStart: null });
    assert.equal(JSON.parse(String(inputAt(added.one(PARAMETER, "-flags-route-planner-register"), "insecureValue"))).start, "2026-12-01");
  });

  it("the personal API key is a secret input, and the serialized provider is summarized, not copied, in the record", () => {
    const canaries = canarySecrets(requiredSecretKeys(sampleConfig("production")));
    const dashboard = flag(production, "new-dashboard");
    assert.equal(inputAt(dashboard, "apiKey"), canaries["posthogPersonalApiKey"]);
    assert.deepEqual(dashboard.secretPaths, ["apiKey"]);
    assert.match(String(inputAt(dashboard, "__provider")), /^<serialized dynamic provider: \d+ bytes, sha256:[0-9a-f]{16}>$/);
    for (const resource of production.resources) {
      if (resource.type === FEATURE_FLAG_TYPE) continue;
      assert.ok(!JSON.stringify(resource.inputs).includes(canaries["posthogPersonalApiKey"]!), `${resource.name} holds the PostHog key`);
    }
  });

  it("each run moves the flag to the stage it is due for", async () => {
    const nextWeek = await runSampleStack("production", undefined, { now: new Date("2026-12-08T15:00:00Z") });
    assert.deepEqual(inputAt(flag(production, "new-dashboard"), "filters.groups[1].rollout_percentage"), 25);
    assert.deepEqual(inputAt(flag(nextWeek, "new-dashboard"), "filters.groups[1].rollout_percentage"), 50);
  });

  it("the kill switch sets a flag to 0% at once, whatever day of the plan it is; a custom plan is used as written", async () => {
    const stages = [
      { day: 0, rollout: 0 },
      { day: 2, rollout: "team" },
      { day: 4, rollout: 5 },
      { day: 7, rollout: 10 },
      { day: 9, rollout: 25 },
      { day: 16, rollout: 50 },
      { day: 28, rollout: 100 },
    ];
    const run = await runSampleStack(
      "production",
      (raw) => {
        const [dashboard, briefings] = flagsOf(raw);
        dashboard!["killSwitch"] = true;
        (briefings!["rollout"] as Raw)["stages"] = stages;
      },
      { now: DEC_10 },
    );
    const dashboard = flag(run, "new-dashboard");
    assert.deepEqual(inputAt(dashboard, "filters"), { groups: [{ properties: [], rollout_percentage: 0 }] });
    assert.equal(inputAt(dashboard, "killSwitch"), true);
    assert.equal(inputAt(dashboard, "stage"), "0% (kill switch on; the plan is at 50% since 2026-12-08)");
    const briefings = flag(run, "offline-briefings");
    assert.deepEqual(inputAt(briefings, "rollout.stages"), stages);
    assert.equal(inputAt(briefings, "stage"), "10% (day 7 of plan since 2026-12-03; next: 25% on 2026-12-12)");
  });

  it("a flag staging does not have is recorded as not found; direct-prod has no staging to lead", async () => {
    const deployed = flagRegistersFromFiles(PROJECT_DIR, DEC_1);
    const stagingPath = flagRegister.path("flightpro", "staging");
    const missing = await runSampleStack("production", undefined, { now: DEC_1, ssmParameters: (path) => (path === stagingPath ? { names: [], values: [] } : deployed(path)) });
    assert.deepEqual(inputAt(flag(missing, "new-dashboard"), "staging"), { stack: "staging", found: false });
    const directProd = await runSampleStack(
      "production",
      (raw) => {
        raw["model"] = "direct-prod";
        (raw["github"] as Raw)["branches"] = { production: "main" };
      },
      { now: DEC_1 },
    );
    assert.equal(inputAt(flag(directProd, "new-dashboard"), "staging"), null);
  });
});

describe("flags: config errors", () => {
  function problems(mutate: (raw: Raw) => void, secrets = true): string[] {
    const raw = sampleConfig("production");
    if (secrets) Object.assign(raw, canarySecrets(requiredSecretKeys(raw)));
    mutate(raw);
    const result = validateStackConfig(raw);
    return result.ok ? [] : result.problems;
  }

  it("the PostHog personal API key is a required secret once flags are declared", () => {
    assert.deepEqual(
      problems((raw) => delete raw["posthogPersonalApiKey"]),
      ["flightdeck:posthogPersonalApiKey: secret is not set (pulumi config set --secret posthogPersonalApiKey <value>)"],
    );
    assert.deepEqual(problems((raw) => {
      delete raw["featureFlags"];
      delete raw["posthogPersonalApiKey"];
    }), []);
  });

  it("names the key and what is wrong, one line each", () => {
    assert.deepEqual(
      problems((raw) => {
        const [first, second] = flagsOf(raw);
        first!["key"] = "new dashboard";
        second!["rollout"] = { start: "2026-13-01", timezone: "Mars/Olympus" };
      }),
      [
        "flightdeck:featureFlags.flags[0].key: must use only letters, numbers, hyphens (-) and underscores (_), as PostHog requires (got \"new dashboard\")",
      ],
    );
    assert.deepEqual(
      problems((raw) => {
        const [, second] = flagsOf(raw);
        second!["rollout"] = { start: "2026-02-30", timezone: "Mars/Olympus" };
      }),
      [
        'flightdeck:featureFlags.flags[1].rollout.start: is not a calendar date (got "2026-02-30")',
        'flightdeck:featureFlags.flags[1].rollout.timezone: is not an IANA time zone (got "Mars/Olympus")',
      ],
    );
  });

  it("duplicate keys, stages out of order, a team stage without a team, an unknown field", () => {
    assert.deepEqual(
      problems((raw) => {
        const [first, second] = flagsOf(raw);
        second!["key"] = first!["key"];
        first!["earlyAccess"] = [];
        (second!["rollout"] as Raw)["stages"] = [
          { day: 0, rollout: 0 },
          { day: 3, rollout: 5 },
          { day: 3, rollout: 25 },
        ];
      }),
      [
        "flightdeck:featureFlags.flags[0].earlyAccess: the plan has a team stage, so it needs the team's PostHog distinct ids (got none)",
        'flightdeck:featureFlags.flags[1].key: duplicate flag key (got "new-dashboard")',
        "flightdeck:featureFlags.flags[1].rollout.stages[2].day: stages must be in order of their days, each later than the one before (got 3 after 3)",
      ],
    );
    assert.deepEqual(
      problems((raw) => (flagsOf(raw)[0]!["rolloutPercentage"] = 100)),
      ["flightdeck:featureFlags.flags[0].rolloutPercentage: unknown key"],
    );
  });

  it("FLIGHTDECK_NOW must be an instant", () => {
    const saved = process.env[ROLLOUT_CLOCK_ENV];
    try {
      process.env[ROLLOUT_CLOCK_ENV] = "next tuesday";
      assert.throws(() => rolloutNow(), /FLIGHTDECK_NOW="next tuesday" is not an ISO 8601 instant/);
      process.env[ROLLOUT_CLOCK_ENV] = "2026-12-08T15:00:00Z";
      assert.equal(rolloutNow().toISOString(), "2026-12-08T15:00:00.000Z");
    } finally {
      if (saved === undefined) delete process.env[ROLLOUT_CLOCK_ENV];
      else process.env[ROLLOUT_CLOCK_ENV] = saved;
    }
  });
});
