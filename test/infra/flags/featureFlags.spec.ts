import { strict as assert } from "node:assert";
import { validateStackConfig } from "../../../infra/config/validate";
import { ROLLOUT_CLOCK_ENV, rolloutNow } from "../../../infra/flags/clock";
import { FEATURE_FLAG_TYPE } from "../../../infra/flags/featureFlag";
import { canarySecrets, inputAt, RecordedResource, requiredSecretKeys, runSampleStack, sampleConfig, StackRun } from "../../harness";

type Raw = Record<string, unknown>;
const COMPONENT = "flightdeck:flags:FeatureFlags";
/** Tuesday 1 December 2026, 10:00 in New York. */
const DEC_1 = new Date("2026-12-01T15:00:00Z");

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

  it("production records what staging serves, read from staging's featureFlags output", () => {
    assert.deepEqual(inputAt(flag(production, "new-dashboard"), "staging"), {
      stack: "staging",
      found: true,
      exposure: { percent: 50, team: true },
      start: "2026-11-16",
      killSwitch: false,
    });
    assert.deepEqual(inputAt(flag(production, "offline-briefings"), "staging.exposure"), { percent: 5, team: true });
  });

  it("staging leads, so it records no other stack; it exports each flag's stage", () => {
    assert.equal(inputAt(flag(staging, "new-dashboard"), "staging"), null);
    assert.deepEqual(inputAt(flag(staging, "new-dashboard"), "filters.groups[1]"), { properties: [], rollout_percentage: 50 });
    assert.deepEqual(staging.outputs["featureFlags"], {
      "new-dashboard": { stage: "50% (day 14 of plan since 2026-11-16; next: 100% on 2026-12-07)", exposure: { percent: 50, team: true }, start: "2026-11-16", killSwitch: false },
      "offline-briefings": { stage: "5% (day 3 of plan since 2026-11-27; next: 25% on 2026-12-04)", exposure: { percent: 5, team: true }, start: "2026-11-27", killSwitch: false },
    });
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
        briefings!["rollout"] = { start: "2026-11-24", stages };
      },
      { now: DEC_1 },
    );
    const dashboard = flag(run, "new-dashboard");
    assert.deepEqual(inputAt(dashboard, "filters"), { groups: [{ properties: [], rollout_percentage: 0 }] });
    assert.equal(inputAt(dashboard, "killSwitch"), true);
    assert.equal(inputAt(dashboard, "stage"), "0% (kill switch on; the plan is at 25% since 2026-12-01)");
    const briefings = flag(run, "offline-briefings");
    assert.deepEqual(inputAt(briefings, "rollout.stages"), stages);
    assert.equal(inputAt(briefings, "stage"), "10% (day 7 of plan since 2026-11-24; next: 25% on 2026-12-03)");
  });

  it("a flag staging does not have is recorded as not found; direct-prod has no staging to lead", async () => {
    const missing = await runSampleStack("production", undefined, { now: DEC_1, stackReferences: () => ({ featureFlags: {} }) });
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
