import { strict as assert } from "node:assert";
import { filtersFor } from "../../../infra/flags/filters";
import { Exposure, RolloutPlan, rolloutAt, specStages } from "../../../infra/flags/rollout";
import { dueAt, planOf as packPlanOf, rank } from "../../../policies/lib/rollout";

const NY = "America/New_York";
const spec = (start: string, timezone = NY, killSwitch = false): RolloutPlan => ({ start, timezone, stages: specStages, killSwitch });

interface CalendarCase {
  title: string;
  plan: RolloutPlan;
  at: string;
  planDay: number;
  exposure: Exposure;
  since?: string;
}

const OFF = { percent: 0, team: false };
const TEAM = { percent: 0, team: true };
const pct = (percent: number) => ({ percent, team: true });

// Expected values worked out by hand from the spec's plan (0% day 0, team day 1, 5% day 3,
// 25% day 7, 50% day 14, 100% day 21) and the zones' offsets on those dates.
const calendar: CalendarCase[] = [
  { title: "one second before day 0 in New York (EST, UTC-5)", plan: spec("2026-11-16"), at: "2026-11-16T04:59:59Z", planDay: -1, exposure: OFF },
  { title: "New York midnight starts day 0 at 0%", plan: spec("2026-11-16"), at: "2026-11-16T05:00:00Z", planDay: 0, exposure: OFF, since: "2026-11-16" },
  { title: "day 1: team only", plan: spec("2026-11-16"), at: "2026-11-17T05:00:00Z", planDay: 1, exposure: TEAM, since: "2026-11-17" },
  { title: "the last minute of day 2 is still team only", plan: spec("2026-11-16"), at: "2026-11-19T04:59:00Z", planDay: 2, exposure: TEAM, since: "2026-11-17" },
  { title: "day 3: 5%", plan: spec("2026-11-16"), at: "2026-11-19T05:00:00Z", planDay: 3, exposure: pct(5), since: "2026-11-19" },
  { title: "day 13 is still 25%", plan: spec("2026-11-16"), at: "2026-11-30T02:00:00Z", planDay: 13, exposure: pct(25), since: "2026-11-23" },
  { title: "day 21: 100%", plan: spec("2026-11-16"), at: "2026-12-07T05:00:00Z", planDay: 21, exposure: pct(100), since: "2026-12-07" },
  { title: "long after day 21 stays at 100%", plan: spec("2026-11-16"), at: "2027-03-01T12:00:00Z", planDay: 105, exposure: pct(100), since: "2026-12-07" },
  { title: "the same instant is already day 0 in UTC", plan: spec("2026-11-16", "UTC"), at: "2026-11-16T04:59:59Z", planDay: 0, exposure: OFF, since: "2026-11-16" },
  { title: "Tokyo (UTC+9) starts day 0 at 15:00 UTC the day before", plan: spec("2026-11-16", "Asia/Tokyo"), at: "2026-11-15T15:00:00Z", planDay: 0, exposure: OFF, since: "2026-11-16" },
  { title: "Tokyo: 14:59 UTC is still the day before", plan: spec("2026-11-16", "Asia/Tokyo"), at: "2026-11-15T14:59:00Z", planDay: -1, exposure: OFF },
  // Daylight saving starts in New York on 2026-03-08: day 3 begins at 04:00 UTC, 71 hours after day 0 began.
  { title: "spring forward: day 3 starts at New York midnight (EDT)", plan: spec("2026-03-07"), at: "2026-03-10T04:00:00Z", planDay: 3, exposure: pct(5), since: "2026-03-10" },
  { title: "spring forward: a minute before is day 2", plan: spec("2026-03-07"), at: "2026-03-10T03:59:00Z", planDay: 2, exposure: TEAM, since: "2026-03-08" },
  // Daylight saving ends in New York on 2026-11-01: day 3 begins at 05:00 UTC, 97 hours after day 0 began.
  { title: "fall back: day 3 starts 97 hours after day 0", plan: spec("2026-10-30"), at: "2026-11-02T05:00:00Z", planDay: 3, exposure: pct(5), since: "2026-11-02" },
  { title: "fall back: an hour earlier is day 2", plan: spec("2026-10-30"), at: "2026-11-02T04:00:00Z", planDay: 2, exposure: TEAM, since: "2026-10-31" },
  { title: "a plan that starts in the future serves nothing", plan: spec("2026-12-10"), at: "2026-12-01T15:00:00Z", planDay: -9, exposure: OFF },
  { title: "a leap day is a plan day", plan: spec("2028-02-27"), at: "2028-03-01T05:00:00Z", planDay: 3, exposure: pct(5), since: "2028-03-01" },
  { title: "the kill switch turns a 50% flag off", plan: spec("2026-11-16", NY, true), at: "2026-12-01T15:00:00Z", planDay: 15, exposure: OFF, since: "2026-11-30" },
  {
    title: "a custom plan: 10% on day 10",
    plan: {
      start: "2026-11-01",
      timezone: "UTC",
      stages: [
        { day: 0, rollout: 0 },
        { day: 2, rollout: "team" },
        { day: 5, rollout: 5 },
        { day: 10, rollout: 10 },
        { day: 12, rollout: 25 },
        { day: 20, rollout: 50 },
        { day: 30, rollout: 100 },
      ],
      killSwitch: false,
    },
    at: "2026-11-12T23:59:59Z",
    planDay: 11,
    exposure: pct(10),
    since: "2026-11-11",
  },
];

describe("flags: rollout stage over the calendar", () => {
  for (const testCase of calendar) {
    it(testCase.title, () => {
      const state = rolloutAt(testCase.plan, new Date(testCase.at));
      assert.equal(state.planDay, testCase.planDay);
      assert.deepEqual(state.exposure, testCase.exposure);
      assert.equal(state.stageSince, testCase.since);
    });

    it(`${testCase.title}: the policy pack's own reading agrees`, () => {
      const plan = packPlanOf({
        rollout: { start: testCase.plan.start, timezone: testCase.plan.timezone, stages: testCase.plan.stages.map((stage) => ({ ...stage })) },
      });
      assert.ok(typeof plan !== "string", String(plan));
      const due = dueAt(plan, new Date(testCase.at));
      assert.equal(due.planDay, testCase.planDay);
      const expected = testCase.plan.killSwitch ? rolloutAt({ ...testCase.plan, killSwitch: false }, new Date(testCase.at)).exposure : testCase.exposure;
      assert.equal(rank(due.stage?.exposure ?? { percent: 0, team: false }), rank(expected));
    });
  }

  it("says in the preview what stage the flag moves to and what comes next", () => {
    assert.equal(rolloutAt(spec("2026-11-16"), new Date("2026-11-19T15:00:00Z")).label, "5% (day 3 of plan since 2026-11-16; next: 25% on 2026-11-23)");
    assert.equal(rolloutAt(spec("2026-11-16"), new Date("2026-11-17T15:00:00Z")).label, "team only (day 1 of plan since 2026-11-16; next: 5% on 2026-11-19)");
    assert.equal(rolloutAt(spec("2026-12-10"), new Date("2026-12-01T15:00:00Z")).label, "0% (plan not started; day 0 is 2026-12-10)");
    assert.equal(rolloutAt(spec("2026-11-16"), new Date("2026-12-08T15:00:00Z")).label, "100% (day 21 of plan since 2026-11-16; complete: remove the flag in the next release)");
    assert.equal(rolloutAt(spec("2026-11-16", NY, true), new Date("2026-12-01T15:00:00Z")).label, "0% (kill switch on; the plan is at 50% since 2026-11-30)");
  });

  it("keeps the label for the whole of a stage, so a daily run changes nothing until the next stage", () => {
    const labels = ["2026-11-23T15:00:00Z", "2026-11-26T15:00:00Z", "2026-11-29T15:00:00Z"].map((at) => rolloutAt(spec("2026-11-16"), new Date(at)).label);
    assert.deepEqual(new Set(labels).size, 1);
    assert.notEqual(rolloutAt(spec("2026-11-16"), new Date("2026-11-30T15:00:00Z")).label, labels[0]);
  });
});

describe("flags: PostHog release conditions for a stage", () => {
  const team = ["user_maria_chen", "user_dev_okafor"];
  const teamCondition = { properties: [{ key: "distinct_id", type: "person", operator: "exact", value: team }], rollout_percentage: 100 };

  it("0%: one condition matching nobody (PostHog needs at least one)", () => {
    assert.deepEqual(filtersFor(OFF, team), { groups: [{ properties: [], rollout_percentage: 0 }] });
  });

  it("team only: the team's distinct ids, all of them", () => {
    assert.deepEqual(filtersFor(TEAM, team), { groups: [teamCondition] });
  });

  it("a percentage keeps the team and adds that share of everyone", () => {
    assert.deepEqual(filtersFor(pct(25), team), { groups: [teamCondition, { properties: [], rollout_percentage: 25 }] });
  });

  it("100%: everyone, no team condition needed", () => {
    assert.deepEqual(filtersFor(pct(100), team), { groups: [{ properties: [], rollout_percentage: 100 }] });
  });

  it("a percentage without a team: that share of everyone", () => {
    assert.deepEqual(filtersFor(pct(5), []), { groups: [{ properties: [], rollout_percentage: 5 }] });
  });
});
