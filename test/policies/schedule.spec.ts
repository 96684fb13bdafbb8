import { strict as assert } from "node:assert";
import { parse, stringify } from "yaml";
import { floorProblems, SPEC_SCHEDULE } from "../../policies/lib/schedule";
import { SCHEDULE_CHECK_SCRIPT } from "../../policies/lib/scheduleCheck";
import { deploySchedule, inFreeze, localTime, preflightEnforcesFloor, schedulePolicies } from "../../policies/rules/schedule";
import { validStack } from "./fixtures";
import { UNKNOWN_STRING } from "../../policies/lib/values";
import { Fixture, IN_WINDOW, itRejects, judge, policiesOf, settingsProblems, withInput } from "./judge";
import { deployProductionYaml } from "./workflowFixtures";
import { FLOOR, productionFloor, withFloor } from "./scheduleFixtures";

type Doc = { jobs: Record<string, { steps: Record<string, unknown>[] } & Record<string, unknown>> };

/** The sample stack with the committed pre-flight's schedule check changed. */
function withScheduleStep(edit: (step: Record<string, unknown>, doc: Doc) => void): Fixture[] {
  const doc = parse(deployProductionYaml) as Doc;
  const step = doc.jobs["preflight"]!.steps.find((s) => s["id"] === "schedule");
  assert.ok(step);
  edit(step, doc);
  return withInput(validStack(), "workflow-deploy-production", "content", stringify(doc, { lineWidth: 0 }));
}
const env = (step: Record<string, unknown>) => step["env"] as Record<string, string>;
const FRIDAY = "2026-11-13T16:00:00Z";

describe("policies: deployment schedule", () => {
  describe("schedule-production-deploy-window: now, against the stack's committed schedule and the spec's", () => {
    it("accept a Tuesday 11:00 in New York, in EST and in EDT", () => {
      assert.deepEqual(judge(validStack(), { now: IN_WINDOW }), []);
      assert.deepEqual(localTime(new Date("2026-07-09T14:30:00Z"), "America/New_York").time, "10:30");
      // Only the schedule: in July the fixtures' rotation register (rotated in October) is rightly in the future.
      assert.deepEqual(judge(validStack(), { now: "2026-07-09T14:30:00Z", policies: schedulePolicies }), []);
    });

    it("freeze across the new year, inclusive", () => {
      const holidays = { name: "holidays", from: "12-20", to: "01-02" };
      assert.equal(inFreeze(localTime(new Date("2026-12-20T15:00:00Z"), "UTC"), holidays), true);
      assert.equal(inFreeze(localTime(new Date("2027-01-02T15:00:00Z"), "UTC"), holidays), true);
      assert.equal(inFreeze(localTime(new Date("2027-01-03T15:00:00Z"), "UTC"), holidays), false);
    });

    it("apply to the production stack only", () => {
      assert.deepEqual(judge(validStack(), { now: "2026-11-13T16:00:00Z", stack: "staging", policies: [deploySchedule] }), []);
      assert.deepEqual(policiesOf(judge(validStack(), { now: "2026-11-13T16:00:00Z", stack: "production", policies: [deploySchedule] })), ["schedule-production-deploy-window"]);
    });

    it("a freeze the stack adds to its schedule applies to the stack's own changes too (one source of truth)", () => {
      const stack = withScheduleStep((step) => {
        env(step)["SCHEDULE_FREEZES"] += "\n2026-11-10 2026-11-11 launch-week";
      });
      const verdicts = judge(stack, { now: IN_WINDOW, policies: [deploySchedule] });
      assert.deepEqual(verdicts.map((v) => v.message), ["deploys are frozen (launch-week, 2026-11-10 – 2026-11-11); it is Tue 2026-11-10 11:00 America/New_York"]);
    });

    it("open at the window's first minute and until its last", () => {
      for (const at of ["2026-11-10T15:00:00Z", "2026-11-10T18:59:00Z"]) assert.deepEqual(judge(validStack(), { now: at, policies: [deploySchedule] }), [], at);
    });

    it("a workflow not known until apply, or one that does not parse, leaves the spec's schedule (judged, no note)", () => {
      for (const content of [UNKNOWN_STRING, "jobs: [\n  SCHEDULE_TIMEZONE: vercel deploy --prod\n"]) {
        const stack = withInput(validStack(), "workflow-deploy-production", "content", content);
        assert.deepEqual(judge(stack, { now: IN_WINDOW, policies: [deploySchedule] }), [], content);
        assert.deepEqual(judge(stack, { now: FRIDAY, policies: [deploySchedule] }).map((v) => [v.policy, v.enforcementLevel]), [["schedule-production-deploy-window", undefined]], content);
      }
    });

    it("a stack whose name the pack cannot tell is judged (the schedule fails closed)", () => {
      assert.deepEqual(policiesOf(judge(validStack(), { now: FRIDAY, stack: "", policies: [deploySchedule] })), ["schedule-production-deploy-window"]);
    });

    it("its settings are refused by the engine unless they are a list of stack names", () => {
      assert.deepEqual(settingsProblems(deploySchedule, { stacks: ["production", "production-eu"] }), []);
      for (const stacks of ["production", [1]]) assert.notDeepEqual(settingsProblems(deploySchedule, { stacks }), [], JSON.stringify(stacks));
    });

    it("a dated freeze binds its own dates only: Black Friday 2026 does not freeze the same week of 2027", () => {
      assert.deepEqual(judge(validStack(), { now: "2027-11-23T16:00:00Z", policies: [deploySchedule] }), []);
    });

    it("a freeze with a year on one end only is every year, by the month and day of its ends (as the pre-flight's script reads it)", () => {
      const stack = withScheduleStep((step) => {
        env(step)["SCHEDULE_FREEZES"] += [
          "",
          "2025-11-10 11-10 from with year", // a name of several words
          "11-10 2025-11-10 to-with-year",
          "2025-11-12 11-14 starts-in-two-days", // a year on `from` does not stretch the freeze back
          "11-01 2025-11-05 ended-five-days-ago", // nor one on `to` forward
          "11-12 11-12 one-day", // a one-day freeze is that day, not every day
        ].join("\n");
      });
      const verdicts = judge(stack, { now: IN_WINDOW, policies: [deploySchedule] });
      assert.deepEqual(
        verdicts.map((v) => v.message),
        ["from with year, 2025-11-10 – 11-10", "to-with-year, 11-10 – 2025-11-10"].map((freeze) => `deploys are frozen (${freeze}); it is Tue 2026-11-10 11:00 America/New_York`),
      );
      assert.deepEqual(policiesOf(judge(stack, { now: "2026-11-12T16:00:00Z", policies: [deploySchedule] })), ["schedule-production-deploy-window"], "the one-day freeze on its day");
    });

    itRejects([
      { title: "a Friday", stack: validStack, options: { now: FRIDAY }, policy: "schedule-production-deploy-window", message: /^outside the deploy window \(Tue\/Thu 10:00–14:00\); it is Fri 2026-11-13 11:00 America\/New_York$/ },
      { title: "Tuesday 14:00 (the window closes)", stack: validStack, options: { now: "2026-11-10T19:00:00Z" }, policy: "schedule-production-deploy-window", message: /outside the deploy window/ },
      { title: "Tuesday 09:59", stack: validStack, options: { now: "2026-11-10T14:59:00Z" }, policy: "schedule-production-deploy-window", message: /09:59/ },
      // Weeks after the fixture's last restore drill (2026-11-09), which the drill policy reports too.
      { title: "a Tuesday in the holiday freeze", stack: validStack, options: { now: "2026-12-22T16:00:00Z" }, policy: "schedule-production-deploy-window", message: /frozen \(holidays, 12-20 – 01-02\)/, alsoBy: ["recovery-restore-drill-recent"] },
      { title: "Black Friday week (a freeze of the stack's schedule)", stack: validStack, options: { now: "2026-11-24T16:00:00Z" }, policy: "schedule-production-deploy-window", message: /frozen \(black-friday-2026/, alsoBy: ["recovery-restore-drill-recent"] },
    ]);
  });

  describe("schedule-production-preflight-enforces-floor: what the committed pre-flight really enforces", () => {
    it("accept the generated pre-flight, and a stricter schedule written another way", () => {
      assert.deepEqual(judge(validStack(), withFloor), []);
      const stricter = withScheduleStep((step) => {
        Object.assign(env(step), {
          SCHEDULE_TIMEZONE: "US/Eastern", // the same zone (Intl resolves it to America/New_York)
          SCHEDULE_DEPLOY_DAYS: "Thu Tue",
          SCHEDULE_DEPLOY_HOURS: "10:30-13:00",
          // Blank lines, a line of spaces, spaces around and between words, as bash's `read` takes them.
          SCHEDULE_FREEZES: "12-15  12-31 holidays-early\n\n   \n   01-01 01-05 new-year\n2026-11-20 2026-12-01 black-friday-and-cyber-monday  ",
        });
        step["run"] = `${SCHEDULE_CHECK_SCRIPT}\n\n`; // trailing blank lines (a YAML block kept with |+)
      });
      assert.deepEqual(judge(stricter, withFloor), []);
    });

    it("the floor is refused by the engine unless it is a schedule: a zone, weekdays, HH:MM hours, named MM-DD or YYYY-MM-DD freezes", () => {
      assert.deepEqual(settingsProblems(preflightEnforcesFloor, productionFloor), []);
      const holidays = { name: "holidays", from: "12-20", to: "01-02" };
      const { name: _name, ...unnamed } = holidays;
      const { from: _from, ...noFrom } = holidays;
      const { to: _to, ...noTo } = holidays;
      const refused: Record<string, unknown>[] = [
        { timezone: 5 },
        { deployDays: "Tue" },
        { deployDays: ["Tue", "Friday"] },
        { deployDays: [2] },
        { deployHours: "10:00-14:00" },
        { deployHours: { to: "14:00" } },
        { deployHours: { from: "10:00" } },
        { deployHours: { from: 10, to: "14:00" } },
        { deployHours: { from: "10:00", to: "2pm" } },
        { freezes: "holidays" },
        { freezes: ["12-20 01-02 holidays"] },
        { freezes: [unnamed] },
        { freezes: [noFrom] },
        { freezes: [noTo] },
        { freezes: [{ ...holidays, name: 7 }] },
        { freezes: [{ ...holidays, from: 1220 }] },
        { freezes: [{ ...holidays, from: "December 20" }] },
        { freezes: [{ ...holidays, to: 102 }] },
        { freezes: [{ ...holidays, to: "Jan 2" }] },
      ];
      for (const floor of refused) assert.notDeepEqual(settingsProblems(preflightEnforcesFloor, floor), [], JSON.stringify(floor));
    });

    it("a job in the production environment that deploys by its own script still needs the schedule check", () => {
      const stack = withScheduleStep((_s, doc) => {
        doc.jobs["release"] = { environment: "production", "runs-on": "ubuntu-latest", steps: [{ run: "./scripts/release.sh" }] };
      });
      const verdicts = judge(stack, withFloor).filter((verdict) => verdict.policy === FLOOR);
      assert.deepEqual(verdicts.map((v) => v.message), [".github/workflows/deploy-production.yml jobs.release deploys to production without an effective schedule check (it needs no job with a schedule check)"]);
    });

    it("a deploy waiting for two schedule checks is held by the stricter: one weaker check beside a compliant one passes", () => {
      const stack = withScheduleStep((step, doc) => {
        const steps = doc.jobs["preflight"]!.steps;
        steps.splice(steps.indexOf(step) + 1, 0, { ...step, id: "schedule-again", env: { ...env(step), SCHEDULE_DEPLOY_DAYS: "Tue Thu Fri" } });
      });
      assert.deepEqual(judge(stack, withFloor).filter((verdict) => verdict.policy === FLOOR), []);
    });

    it("a dated freeze of the floor binds until its last day: dropped while it runs, its remaining days are missing", () => {
      const stack = withScheduleStep((s) => {
        env(s)["SCHEDULE_FREEZES"] = "12-20 01-02 holidays";
      });
      const verdicts = judge(stack, { ...withFloor, now: "2026-11-25T16:00:00Z", policies: [preflightEnforcesFloor] });
      assert.equal(verdicts.length, 1, JSON.stringify(verdicts));
      assert.match(verdicts[0]!.message, /the floor's freeze black-friday-2026 \(2026-11-23 to 2026-11-30\) is not frozen on 2026-11-25 … 2026-11-30 \(6 days\)$/);
    });

    it("the floor arithmetic: a window that closes later, several extra days, an unknown zone; the floor's zone by another name", () => {
      assert.deepEqual(floorProblems({ ...SPEC_SCHEDULE, timezone: "America/New_Yrok", deployDays: ["Tue", "Thu", "Fri", "Sat"], deployHours: { from: "10:00", to: "15:00" } }, SPEC_SCHEDULE, "2026-11-10"), [
        "time zone America/New_Yrok is not the floor's America/New_York",
        "deploy days Fri, Sat are outside the floor's Tue, Thu",
        "deploy hours 10:00-15:00 are wider than the floor's 10:00-14:00",
      ]);
      assert.deepEqual(floorProblems(SPEC_SCHEDULE, { ...SPEC_SCHEDULE, timezone: "US/Eastern" }, "2026-11-10"), [], "US/Eastern is America/New_York");
    });

    it("the floor arithmetic: every-year freezes that do not wrap the year, last one day, or name a year on one end", () => {
      const floor = (...freezes: { name: string; from: string; to: string }[]) => ({ ...SPEC_SCHEDULE, freezes });
      const own = (...freezes: { name: string; from: string; to: string }[]) => ({ ...SPEC_SCHEDULE, freezes });
      const summer = { name: "summer", from: "07-01", to: "07-04" };
      assert.deepEqual(floorProblems(own({ name: "s", from: "06-30", to: "07-05" }), floor(summer), "2026-11-10"), []);
      assert.deepEqual(floorProblems(own(), floor(summer), "2026-11-10"), ["the floor's freeze summer (07-01 to 07-04) is not frozen on 07-01 … 07-04 (4 days) every year"]);
      assert.deepEqual(floorProblems(own({ name: "j", from: "07-04", to: "07-04" }), floor({ name: "july-4", from: "07-04", to: "07-04" }), "2026-11-10"), []);
      assert.deepEqual(floorProblems(own(), floor({ name: "july-4", from: "07-04", to: "07-04" }), "2026-11-10"), ["the floor's freeze july-4 (07-04 to 07-04) is not frozen on 07-04 every year"]);
      for (const [from, to] of [["2025-07-01", "07-04"], ["07-01", "2025-07-04"]] as const) {
        assert.deepEqual(floorProblems(own(), floor({ name: "mixed", from, to }), "2026-11-10"), [`the floor's freeze mixed (${from} to ${to}) is not frozen on 07-01 … 07-04 (4 days) every year`]);
      }
      // A dated freeze that has begun binds from today on.
      assert.deepEqual(floorProblems(own(), floor({ name: "bf", from: "2026-11-23", to: "2026-11-30" }), "2026-11-25"), ["the floor's freeze bf (2026-11-23 to 2026-11-30) is not frozen on 2026-11-25 … 2026-11-30 (6 days)"]);
    });

    it("the floor arithmetic: wider days, hours, another zone, an uncovered freeze day; an expired dated freeze no longer binds", () => {
      const floor = { ...SPEC_SCHEDULE, freezes: [...SPEC_SCHEDULE.freezes, { name: "bf", from: "2026-11-23", to: "2026-11-30" }] };
      assert.deepEqual(floorProblems(floor, floor, "2026-11-10"), []);
      assert.deepEqual(floorProblems({ ...floor, freezes: SPEC_SCHEDULE.freezes }, floor, "2026-12-05"), [], "bf ended");
      assert.deepEqual(floorProblems({ ...floor, timezone: "UTC", deployDays: ["Tue", "Thu", "Fri"], deployHours: { from: "09:00", to: "14:00" }, freezes: [{ name: "h", from: "12-21", to: "01-02" }, ...floor.freezes.slice(1)] }, floor, "2026-11-10"), [
        "time zone UTC is not the floor's America/New_York",
        "deploy days Fri are outside the floor's Tue, Thu",
        "deploy hours 09:00-14:00 are wider than the floor's 10:00-14:00",
        "the floor's freeze holidays (12-20 to 01-02) is not frozen on 12-20 every year",
      ]);
    });

    const floorCase = (title: string, edit: (step: Record<string, unknown>, doc: Doc) => void, message: RegExp) => ({ title, edit, message });
    const cases = [
      floorCase("the holiday freeze removed", (s) => { env(s)["SCHEDULE_FREEZES"] = "2026-11-23 2026-11-30 black-friday-2026"; }, /freeze holidays \(12-20 to 01-02\) is not frozen on 12-20 … 01-02 \(14 days\) every year/),
      floorCase("the holiday freeze shortened by two days", (s) => { env(s)["SCHEDULE_FREEZES"] = "12-22 01-02 holidays\n2026-11-23 2026-11-30 black-friday-2026"; }, /not frozen on 12-20 … 12-21 \(2 days\)/),
      floorCase("Black Friday week dropped", (s) => { env(s)["SCHEDULE_FREEZES"] = "12-20 01-02 holidays"; }, /black-friday-2026 \(2026-11-23 to 2026-11-30\) is not frozen on 2026-11-23 … 2026-11-30 \(8 days\)$/),
      floorCase("Fridays added", (s) => { env(s)["SCHEDULE_DEPLOY_DAYS"] = "Tue Thu Fri"; }, /deploy days Fri are outside the floor's Tue, Thu/),
      floorCase("an earlier start", (s) => { env(s)["SCHEDULE_DEPLOY_HOURS"] = "08:00-14:00"; }, /deploy hours 08:00-14:00 are wider/),
      floorCase("another time zone", (s) => { env(s)["SCHEDULE_TIMEZONE"] = "America/Los_Angeles"; }, /time zone America\/Los_Angeles is not the floor's America\/New_York/),
      floorCase("the check made optional", (s) => { s["continue-on-error"] = true; }, /without an effective schedule check \(.*continue-on-error true/),
      floorCase("the check's script changed", (s) => { s["run"] = `exit 0\n${SCHEDULE_CHECK_SCRIPT}`; }, /its script is not the pack's schedule check/),
      floorCase("`|| true` after the check", (s) => { s["run"] = `${SCHEDULE_CHECK_SCRIPT} || true`; }, /its script is not the pack's schedule check/),
      floorCase("every run an emergency", (s) => { Object.assign(env(s), { EMERGENCY: "true", REASON: "always" }); }, /EMERGENCY is "true", not the operator's input/),
      floorCase("the check skipped", (s) => { s["if"] = "${{ github.actor == 'release-bot' }}"; }, /it may be skipped/),
      floorCase("an action before it that can change its environment", (_s, doc) => { doc.jobs["preflight"]!.steps.unshift({ uses: "someorg/set-env@0123456789012345678901234567890123456789" }); }, /an action\) runs before it and can change its environment/),
      floorCase("the schedule as an expression", (s) => { env(s)["SCHEDULE_FREEZES"] = "${{ vars.FREEZES }}"; }, /SCHEDULE_FREEZES is an expression/),
      floorCase("the pre-flight no longer needed by the deploy job", (_s, doc) => { delete doc.jobs["deploy"]!["needs"]; }, /jobs\.deploy deploys to production without an effective schedule check \(it needs no job with a schedule check\)/),
      // A schedule the script would refuse (it fails closed) or read otherwise is no schedule: each is named.
      floorCase("a deploy day that is not a weekday", (s) => { env(s)["SCHEDULE_DEPLOY_DAYS"] = "Tue Thursday"; }, /without an effective schedule check \(jobs\.preflight\.steps\[1\]: SCHEDULE_DEPLOY_DAYS: not a weekday: Thursday\)$/),
      floorCase("no deploy day", (s) => { env(s)["SCHEDULE_DEPLOY_DAYS"] = "  "; }, /\(jobs\.preflight\.steps\[1\]: SCHEDULE_DEPLOY_DAYS names no day\)$/),
      floorCase("a freeze without a name", (s) => { env(s)["SCHEDULE_FREEZES"] = "12-20 01-02 holidays\n2026-11-23 2026-11-30"; }, /\(jobs\.preflight\.steps\[1\]: SCHEDULE_FREEZES: not FROM TO NAME with MM-DD or YYYY-MM-DD dates: 2026-11-23 2026-11-30\)$/),
      floorCase("a freeze date that is a word", (s) => { env(s)["SCHEDULE_FREEZES"] = "December 01-02 holidays"; }, /SCHEDULE_FREEZES: not FROM TO NAME with MM-DD or YYYY-MM-DD dates: December 01-02 holidays\)$/),
      floorCase("a time zone that is not a name", (s) => { env(s)["SCHEDULE_TIMEZONE"] = "America/New York"; }, /\(jobs\.preflight\.steps\[1\]: SCHEDULE_TIMEZONE is not a time zone name: America\/New York\)$/),
      floorCase("a freeze date with a digit before it", (s) => { env(s)["SCHEDULE_FREEZES"] = "112-20 01-02 holidays"; }, /\(jobs\.preflight\.steps\[1\]: SCHEDULE_FREEZES: not FROM TO NAME with MM-DD or YYYY-MM-DD dates: 112-20 01-02 holidays\)$/),
      floorCase("a freeze date with a digit after it", (s) => { env(s)["SCHEDULE_FREEZES"] = "12-20 01-022 holidays"; }, /\(jobs\.preflight\.steps\[1\]: SCHEDULE_FREEZES: not FROM TO NAME with MM-DD or YYYY-MM-DD dates: 12-20 01-022 holidays\)$/),
      // The script refuses a zone with a blank around it (preflight.spec): a check that refuses every deploy, emergencies too.
      floorCase("a time zone with a blank before it", (s) => { env(s)["SCHEDULE_TIMEZONE"] = " America/New_York"; }, /\(jobs\.preflight\.steps\[1\]: SCHEDULE_TIMEZONE is not a time zone name:  America\/New_York\)$/),
      // A zone name of one part is a name (the script finds /usr/share/zoneinfo/UTC): only the floor's zone is missing.
      floorCase("a time zone of one part", (s) => { env(s)["SCHEDULE_TIMEZONE"] = "UTC"; }, /weaker than the floor: time zone UTC is not the floor's America\/New_York$/),
      floorCase("hours without minutes", (s) => { env(s)["SCHEDULE_DEPLOY_HOURS"] = "10-14"; }, /\(jobs\.preflight\.steps\[1\]: SCHEDULE_DEPLOY_HOURS is not HH:MM-HH:MM\)$/),
      floorCase("the hours left out", (s) => { delete env(s)["SCHEDULE_DEPLOY_HOURS"]; }, /\(jobs\.preflight\.steps\[1\]: SCHEDULE_DEPLOY_HOURS is not set; jobs\.preflight\.steps\[1\]: SCHEDULE_DEPLOY_HOURS is not HH:MM-HH:MM\)$/),
      floorCase("a deploy day written as a number", (s) => { (s["env"] as Record<string, unknown>)["SCHEDULE_DEPLOY_DAYS"] = 2; }, /\(jobs\.preflight\.steps\[1\]: SCHEDULE_DEPLOY_DAYS: not a weekday: 2\)$/),
      floorCase("a deploy day written as a boolean", (s) => { (s["env"] as Record<string, unknown>)["SCHEDULE_DEPLOY_DAYS"] = true; }, /\(jobs\.preflight\.steps\[1\]: SCHEDULE_DEPLOY_DAYS: not a weekday: true\)$/),
      // No freezes at all is a schedule (the script reads an empty list); it just lacks the floor's.
      floorCase("the freezes left out", (s) => { delete env(s)["SCHEDULE_FREEZES"]; }, /weaker than the floor: the floor's freeze holidays \(12-20 to 01-02\) is not frozen on 12-20 … 01-02 \(14 days\) every year$/),
      floorCase("the zone as a mapping", (s) => { (s["env"] as Record<string, unknown>)["SCHEDULE_TIMEZONE"] = { name: "America/New_York" }; }, /\(jobs\.preflight\.steps\[1\]: SCHEDULE_TIMEZONE is not a plain value\)$/),
    ];
    for (const testCase of cases) {
      it(`${FLOOR}: ${testCase.title}`, () => {
        // Other policies may flag the same change too (a gate with continue-on-error, a wider window): this one must.
        const verdicts = judge(withScheduleStep(testCase.edit), withFloor).filter((verdict) => verdict.policy === FLOOR);
        assert.ok(verdicts.some((verdict) => testCase.message.test(verdict.message)), JSON.stringify(verdicts, null, 1));
      });
    }
  });
});
