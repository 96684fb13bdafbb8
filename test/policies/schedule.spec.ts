import { strict as assert } from "node:assert";
import { inFreeze, localTime } from "../../policies/rules/schedule";
import { deploySchedule } from "../../policies/rules/schedule";
import { schedulePolicies } from "../../policies/rules/schedule";
import { validStack } from "./fixtures";
import { IN_WINDOW, itRejects, judge, policiesOf } from "./judge";

const events = {
  "schedule-production-deploy-window": {
    freezes: [
      { name: "holidays", from: "12-20", to: "01-02" },
      { name: "black-friday-2026", from: "2026-11-23", to: "2026-11-30" },
    ],
  },
};

describe("policies: deployment schedule", () => {
  it("accept a Tuesday 11:00 in New York", () => {
    assert.deepEqual(judge(validStack(), { now: IN_WINDOW }), []);
  });

  it("read the window in the configured time zone (EST and EDT)", () => {
    assert.deepEqual(localTime(new Date("2026-11-10T15:00:00Z"), "America/New_York"), { date: "2026-11-10", monthDay: "11-10", weekday: "Tue", time: "10:00" });
    assert.deepEqual(localTime(new Date("2026-07-09T14:30:00Z"), "America/New_York").time, "10:30");
    // Only the schedule: in July the fixtures' rotation register (rotated in October) is rightly in the future.
    assert.deepEqual(judge(validStack(), { now: "2026-07-09T14:30:00Z", policies: schedulePolicies }), []);
  });

  it("freeze across the new year, inclusive", () => {
    const holidays = { name: "holidays", from: "12-20", to: "01-02" };
    assert.equal(inFreeze(localTime(new Date("2026-12-20T15:00:00Z"), "UTC"), holidays), true);
    assert.equal(inFreeze(localTime(new Date("2027-01-02T15:00:00Z"), "UTC"), holidays), true);
    assert.equal(inFreeze(localTime(new Date("2027-01-03T15:00:00Z"), "UTC"), holidays), false);
    assert.equal(inFreeze(localTime(new Date("2026-12-19T15:00:00Z"), "UTC"), holidays), false);
  });

  it("apply to the production stack only", () => {
    assert.deepEqual(judge(validStack(), { now: "2026-11-13T16:00:00Z", stack: "staging", policies: [deploySchedule] }), []);
    assert.deepEqual(policiesOf(judge(validStack(), { now: "2026-11-13T16:00:00Z", stack: "production", policies: [deploySchedule] })), ["schedule-production-deploy-window"]);
  });

  itRejects([
    { title: "a Friday", stack: validStack, options: { now: "2026-11-13T16:00:00Z" }, policy: "schedule-production-deploy-window", message: /outside the deploy window .*Fri 2026-11-13 11:00/ },
    { title: "Tuesday 14:00 (the window closes)", stack: validStack, options: { now: "2026-11-10T19:00:00Z" }, policy: "schedule-production-deploy-window", message: /outside the deploy window/ },
    { title: "Tuesday 09:59", stack: validStack, options: { now: "2026-11-10T14:59:00Z" }, policy: "schedule-production-deploy-window", message: /09:59/ },
    { title: "a Tuesday in the holiday freeze", stack: validStack, options: { now: "2026-12-22T16:00:00Z" }, policy: "schedule-production-deploy-window", message: /frozen \(holidays, 12-20 – 01-02\)/ },
    { title: "Black Friday week (a named event)", stack: validStack, options: { now: "2026-11-24T16:00:00Z", config: events }, policy: "schedule-production-deploy-window", message: /frozen \(black-friday-2026/ },
  ]);
});
