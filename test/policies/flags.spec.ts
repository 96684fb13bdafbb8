import { strict as assert } from "node:assert";
import {
  flagsManagedByFlagResource,
  fullRolloutFlagRemoved,
  productionNotAheadOfStaging,
  productionOwnerRequired,
  rolloutNotAheadOfPlan,
  rolloutPlanFollowsSpec,
} from "../../policies/rules/flags";
import { validStack } from "./fixtures";
import { SPEC_PLAN, TEAM, everyone, productFlag, teamCondition } from "./flagFixtures";
import { Fixture, IN_WINDOW, itRejects, judge, policiesOf, withInput } from "./judge";

/** The valid production stack and the product's flag (flagFixtures.ts). */
function flagStack(): Fixture[] {
  return [...validStack(), productFlag()];
}

const NAME = "flightpro-production-flags-new-dashboard";
const set = (path: string, value: unknown) => () => withInput(flagStack(), NAME, path, value);
/** A flag whose plan started on `date`, as its register recorded. */
const startedOn = (date: string) => () => withInput(withInput(flagStack(), NAME, "rollout.start", date), NAME, "register.recordedStart", date);
const FLAG_POLICIES = [rolloutPlanFollowsSpec, rolloutNotAheadOfPlan, fullRolloutFlagRemoved, productionOwnerRequired, productionNotAheadOfStaging, flagsManagedByFlagResource];
const judgeFlags = (fixtures: Fixture[], options: { now?: string; stack?: string } = {}) => judge(fixtures, { ...options, policies: FLAG_POLICIES });

describe("policies: feature flags", () => {
  it("accept a flag at the stage its plan is due for, behind staging, with an owner", () => {
    assert.deepEqual(judge(flagStack()), []);
  });

  describe("accept compliant variants written another way", () => {
    const variants: [string, () => Fixture[]][] = [
      ["serving less than due (5% on day 7)", set("filters", { groups: [teamCondition, everyone(5)] })],
      ["the team condition without operator or type (PostHog's defaults) and a null rollout (all of them)", set("filters.groups", [{ properties: [{ key: "distinct_id", value: TEAM }], rollout_percentage: null }, everyone(25)])],
      ["a team condition naming part of the team", set("filters.groups", [{ properties: [{ key: "distinct_id", type: "person", operator: "exact", value: ["user_dev_okafor"] }], rollout_percentage: 100 }, everyone(25)])],
      ["a switched-off flag (active: false) with any conditions", set("active", false)],
      ["the kill switch on and 0%", () => withInput(set("killSwitch", true)(), NAME, "filters", { groups: [everyone(0)] })],
      [
        "a custom plan that is slower and finer than the spec (10% on day 7)",
        () =>
          withInput(
            set("rollout.stages", [
              { day: 0, rollout: 0 },
              { day: 2, rollout: "team" },
              { day: 4, rollout: 5 },
              { day: 7, rollout: 10 },
              { day: 9, rollout: 25 },
              { day: 14, rollout: 40 },
              { day: 16, rollout: 50 },
              { day: 21, rollout: 75 },
              { day: 25, rollout: 100 },
            ])(),
            NAME,
            "filters.groups",
            [teamCondition, everyone(10)],
          ),
      ],
      ["no staging in the deployment model (staging: null)", set("staging", null)],
      ["a production flag at 0% that staging does not have yet", () => withInput(set("staging", { stack: "staging", found: false })(), NAME, "filters", { groups: [everyone(0)] })],
      ["staging at the same stage, started the same day", set("staging", { stack: "staging", found: true, exposure: { percent: 25, team: true }, start: "2026-11-03", killSwitch: false })],
      [
        "100% for exactly 14 days (the advisory starts after)",
        () => withInput(withInput(startedOn("2026-10-06")(), NAME, "filters", { groups: [everyone(100)] }), NAME, "staging", { stack: "staging", found: true, exposure: { percent: 100, team: true }, start: "2026-10-01", killSwitch: false }),
      ],
      ["a start postponed past the recorded day 0, serving nothing yet", () => withInput(set("rollout.start", "2026-11-20")(), NAME, "filters", { groups: [everyone(0)] })],
      ["a new flag (no record yet) at 0% on its first day, whatever its configured start", () => withInput(withInput(set("register.recordedStart", null)(), NAME, "filters", { groups: [everyone(0)] }), NAME, "rollout.start", "2026-10-20")],
    ];
    for (const [title, fixtures] of variants) {
      it(title, () => assert.deepEqual(judge(fixtures()), []));
    }
    it("an owner is needed in production only", () => {
      assert.deepEqual(judgeFlags(withInput(set("owner", null)(), NAME, "environment", "staging"), { stack: "staging" }), []);
    });
  });

  itRejects([
    {
      title: "a custom plan that skips the 25% stage",
      stack: () => withInput(set("rollout.stages", [{ day: 0, rollout: 0 }, { day: 1, rollout: "team" }, { day: 3, rollout: 5 }, { day: 14, rollout: 50 }, { day: 21, rollout: 100 }])(), NAME, "filters.groups", [teamCondition, everyone(5)]),
      policy: "flags-rollout-plan-follows-spec",
      message: /flag new-dashboard: the plan skips the spec's 25% stage \(day 7\)/,
    },
    {
      title: "a custom plan at 25% on day 5, before the spec's day 7",
      stack: set("rollout.stages", [{ day: 0, rollout: 0 }, { day: 1, rollout: "team" }, { day: 3, rollout: 5 }, { day: 5, rollout: 25 }, { day: 14, rollout: 50 }, { day: 21, rollout: 100 }]),
      policy: "flags-rollout-plan-follows-spec",
      message: /the plan serves 25% \+ team on day 5, ahead of the spec \(5% \+ team until day 7\)/,
    },
    {
      title: "a custom plan that goes back down",
      stack: set("rollout.stages", [...SPEC_PLAN.slice(0, 4), { day: 10, rollout: 5 }, ...SPEC_PLAN.slice(4)]),
      policy: "flags-rollout-plan-follows-spec",
      message: /stage 4 goes back from 25% \+ team to 5% \+ team/,
    },
    { title: "50% on day 7 (the filters set by hand)", stack: set("filters.groups", [teamCondition, everyone(50)]), policy: "flags-rollout-not-ahead-of-plan", message: /serves 50% \+ team, ahead of its plan \(day 7 of the plan since 2026-11-03 is due 25% \+ team\)/ },
    {
      title: "a second condition that matches nearly everyone (email contains @)",
      stack: set("filters.groups", [teamCondition, everyone(25), { properties: [{ key: "email", type: "person", operator: "icontains", value: "@" }], rollout_percentage: 100 }]),
      policy: "flags-rollout-not-ahead-of-plan",
      message: /serves 100%/,
    },
    {
      title: "a 'team' condition that is a regex matching everyone",
      stack: set("filters.groups", [{ properties: [{ key: "distinct_id", type: "person", operator: "regex", value: ".*" }], rollout_percentage: 100 }, everyone(25)]),
      policy: "flags-rollout-not-ahead-of-plan",
      message: /serves 100%/,
    },
    {
      title: "a 'team' condition with someone not on the team",
      stack: set("filters.groups", [{ properties: [{ key: "distinct_id", type: "person", operator: "exact", value: [...TEAM, "user_big_customer"] }], rollout_percentage: 100 }, everyone(25)]),
      policy: "flags-rollout-not-ahead-of-plan",
      message: /serves 100%/,
    },
    { title: "a rollout percentage of null (all users)", stack: set("filters.groups", [teamCondition, everyone(null)]), policy: "flags-rollout-not-ahead-of-plan", message: /serves 100%/ },
    { title: "legacy filters without groups and a top-level 100%", stack: () => withInput(set("filters", { properties: [] })(), NAME, "rollout_percentage", 100), policy: "flags-rollout-not-ahead-of-plan", message: /serves 100%/ },
    { title: "early-access super groups at 100%", stack: set("filters.super_groups", [everyone(100)]), policy: "flags-rollout-not-ahead-of-plan", message: /serves 100%/ },
    { title: "the kill switch on while the flag still serves 25%", stack: set("killSwitch", true), policy: "flags-rollout-not-ahead-of-plan", message: /the kill switch is on but the flag serves 25%/ },
    {
      title: "a plan that starts next week while the flag serves the team",
      stack: () => withInput(set("rollout.start", "2026-11-17")(), NAME, "staging.start", "2026-11-10"),
      policy: "flags-rollout-not-ahead-of-plan",
      message: /serves 25% \+ team, ahead of its plan \(the plan starts on 2026-11-17\)/,
    },
    {
      title: "day 7 has not begun in New York at 04:30 UTC (still day 6, due 5%)",
      stack: flagStack,
      options: { now: "2026-11-10T04:30:00Z", policies: FLAG_POLICIES },
      policy: "flags-rollout-not-ahead-of-plan",
      message: /day 6 of the plan since 2026-11-03 is due 5% \+ team/,
    },
    { title: "a plan in an unknown time zone", stack: () => withInput(set("rollout.timezone", "Mars/Olympus")(), NAME, "staging", null), policy: "flags-rollout-plan-follows-spec", message: /rollout.timezone is not an IANA time zone/ },
    { title: "a production flag without an owner", stack: set("owner", null), policy: "flags-production-owner-required", message: /flag new-dashboard has no owner$/ },
    { title: "a placeholder owner", stack: set("owner", "TBD"), policy: "flags-production-owner-required", message: /has no owner \(got "TBD"\)/ },
    { title: "a flag staging does not have", stack: set("staging", { stack: "staging", found: false }), policy: "flags-production-not-ahead-of-staging", message: /serves 25% \+ team but is not deployed to staging: roll it out there first/ },
    { title: "production ahead of staging", stack: set("staging.exposure", { percent: 5, team: true }), policy: "flags-production-not-ahead-of-staging", message: /production serves 25% \+ team, ahead of staging \(5% \+ team\)/ },
    { title: "production's plan starting before staging's", stack: set("staging.start", "2026-11-04"), policy: "flags-production-not-ahead-of-staging", message: /production's plan starts on 2026-11-03, before staging's \(2026-11-04\)/ },
    { title: "staging's kill switch on", stack: () => withInput(set("staging.killSwitch", true)(), NAME, "staging.exposure", { percent: 0, team: false }), policy: "flags-production-not-ahead-of-staging", message: /staging's kill switch is on but production serves 25%/ },
    { title: "no record of staging at all", stack: set("staging", undefined), policy: "flags-production-not-ahead-of-staging", message: /records nothing about staging/ },
    // Issue 19.7: day 0 is what the stack's register recorded, whatever rollout.start says now.
    {
      title: "a backdated rollout.start serving the stage the earlier date implies (100% from 2026-10-06)",
      stack: () => withInput(withInput(set("rollout.start", "2026-10-06")(), NAME, "filters", { groups: [everyone(100)] }), NAME, "staging.start", "2026-10-01"),
      policy: "flags-rollout-not-ahead-of-plan",
      message: /serves 100%, ahead of its plan \(day 7 of the plan since 2026-11-03 is due 25% \+ team\) \(day 0 is 2026-11-03, as the register \/flightdeck\/flightpro\/production\/feature-flags\/new-dashboard recorded, not rollout.start 2026-10-06\)/,
    },
    {
      title: "a new flag with a start weeks in the past, serving that date's stage on its first run",
      stack: () => withInput(set("register.recordedStart", null)(), NAME, "rollout.start", "2026-10-20"),
      policy: "flags-rollout-not-ahead-of-plan",
      message: /serves 25% \+ team, ahead of its plan \(day 0 of the plan since 2026-11-10 is due 0%\) \(day 0 is 2026-11-10, today: the register has no record of the flag/,
    },
    { title: "a flag that records no register reading", stack: set("register", undefined), policy: "flags-rollout-not-ahead-of-plan", message: /records no reading of its flag register \(register\)/ },
    { title: "a register reading that is not a date", stack: set("register.recordedStart", "last month"), policy: "flags-rollout-not-ahead-of-plan", message: /register.recordedStart is not a date or null/ },
  ]);

  it("a plan that starts with the team on day 0 skips the 0% stage and runs ahead of the spec", () => {
    const verdicts = judgeFlags(set("rollout.stages", [{ day: 0, rollout: "team" }, ...SPEC_PLAN.slice(2)])());
    assert.deepEqual(policiesOf(verdicts), ["flags-rollout-plan-follows-spec"]);
    assert.deepEqual(verdicts.map((verdict) => verdict.message.split("\n").pop()), [
      "flag new-dashboard: the plan serves team only on day 0, ahead of the spec (0% until day 1)",
      "flag new-dashboard: the plan skips the spec's 0% stage (day 0)",
    ]);
  });

  it("a jump from 0% to 100% skips every stage between", () => {
    const verdicts = judgeFlags(withInput(set("rollout.stages", [{ day: 0, rollout: 0 }, { day: 21, rollout: 100 }])(), NAME, "filters", { groups: [everyone(0)] }));
    assert.deepEqual(
      verdicts.filter((verdict) => verdict.policy === "flags-rollout-plan-follows-spec").map((verdict) => /skips the spec's (\S+) stage/.exec(verdict.message)?.[1]),
      ["team", "5%", "25%", "50%"],
    );
  });

  it("a flag without a readable plan is a violation, not a pass", () => {
    const verdicts = judgeFlags(set("rollout", undefined)());
    assert.deepEqual(verdicts.map((verdict) => [verdict.policy, verdict.message.split("\n").pop()]), [
      ["flags-rollout-plan-follows-spec", "flag new-dashboard: the flag records no rollout plan (rollout)"],
    ]);
  });

  it("100% for more than 14 days: reported as advisory, even where the pack is mandatory", () => {
    const full = withInput(withInput(startedOn("2026-10-05")(), NAME, "filters", { groups: [everyone(100)] }), NAME, "staging.start", "2026-10-01");
    const verdicts = judge(full, { config: { "flags-full-rollout-flag-removed": { maxDaysAtFull: 14 } } });
    assert.deepEqual(verdicts.map((verdict) => [verdict.policy, verdict.enforcementLevel]), [["flags-full-rollout-flag-removed", "advisory"]]);
    assert.match(verdicts[0]!.message, /flag new-dashboard has served 100% since 2026-10-26 \(15 days\): remove the flag in the next release/);
  });

  it("PostHog's flag API called from a command or another dynamic resource goes around the flag policies", () => {
    const command: Fixture = {
      type: "command:local:Command",
      name: "flip-flag",
      props: { create: "curl -X PATCH -d '{\"filters\":{}}' https://us.posthog.com/api/projects/41028/feature_flags/12/" },
    };
    const dynamic: Fixture = { type: "pulumi-nodejs:dynamic:Resource", name: "my-flag", props: { filters: { groups: [everyone(100)] } } };
    const verdicts = judgeFlags([...flagStack(), command, dynamic]);
    assert.deepEqual(verdicts.map((verdict) => [verdict.policy, verdict.message.split("\n").pop()]), [
      ["flags-posthog-managed-by-flag-resource", "command:local:Command calls PostHog's feature flag API (create)"],
      ["flags-posthog-managed-by-flag-resource", "pulumi-nodejs:dynamic:Resource has PostHog release conditions (filters.groups) outside a FeatureFlag resource"],
    ]);
  });

  it("judge with the pack's clock: the same flag passes on day 7 and fails when the clock reads day 6", () => {
    assert.deepEqual(judgeFlags(flagStack(), { now: IN_WINDOW }), []);
    assert.deepEqual(policiesOf(judgeFlags(flagStack(), { now: "2026-11-09T16:00:00Z" })), ["flags-rollout-not-ahead-of-plan"]);
  });
});
