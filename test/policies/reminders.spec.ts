import { strict as assert } from "node:assert";
import { rotationReminder } from "../../infra/secrets/reminderContract";
import { REMINDER_ENV, REMINDER_WARN_DAYS } from "../../policies/rules/reminders";
import { validStack } from "./fixtures";
import { Fixture, judge, mutate, withInput, without } from "./judge";
import { REMINDER_PROJECT, REMINDER_SCHEDULE_FIXTURE } from "./reminderFixtures";

/**
 * secrets-rotation-reminder-scheduled over the production stack (its reminder built with the
 * program's builders, reminderFixtures.ts): each way a change could leave a rotated secret without
 * its daily reminder is blocked. EventBridge Scheduler expressions:
 * https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html.
 */

const POLICY = "secrets-rotation-reminder-scheduled";
const setVariable = (name: string, value: string | undefined) => (props: Record<string, unknown>) => {
  const environment = props["environment"] as { environmentVariables: { name: string; value: string }[] };
  environment.environmentVariables = environment.environmentVariables.flatMap((variable) => (variable.name !== name ? [variable] : value === undefined ? [] : [{ ...variable, value }]));
};

describe("rotation reminders (secrets-rotation-reminder-scheduled)", () => {
  it("the pack's copy of the job's contract is the program's", () => {
    assert.deepEqual(REMINDER_ENV, rotationReminder.env);
    assert.equal(REMINDER_WARN_DAYS, rotationReminder.warnDays);
  });

  it("the compliant stack passes", () => {
    assert.deepEqual(judge(validStack()).filter((verdict) => verdict.policy === POLICY), []);
  });

  const cases: { title: string; stack: () => Fixture[]; policy: string; message: RegExp; alsoBy?: string }[] = [
    { title: "the reminder job removed", stack: () => without(validStack(), REMINDER_PROJECT), policy: POLICY, message: /has no daily rotation reminder \(no reminder job reads \/flightdeck\/flightpro\/production\/secret-rotation\/\)/ },
    { title: "its schedule disabled", stack: () => withInput(validStack(), REMINDER_SCHEDULE_FIXTURE, "state", "DISABLED"), policy: POLICY, message: /no enabled schedule starts it at least once a day/ },
    { title: "its schedule made weekly", stack: () => withInput(validStack(), REMINDER_SCHEDULE_FIXTURE, "scheduleExpression", "cron(0 14 ? * MON *)"), policy: POLICY, message: /no enabled schedule starts it at least once a day/ },
    { title: "its schedule a flexible window of two days", stack: () => withInput(validStack(), REMINDER_SCHEDULE_FIXTURE, "flexibleTimeWindow", { mode: "FLEXIBLE", maximumWindowInMinutes: 1440 }), policy: POLICY, message: /no enabled schedule/ },
    { title: "warning a day ahead", stack: () => mutate(validStack(), REMINDER_PROJECT, setVariable("WARN_DAYS", "1")), policy: POLICY, message: /warns 1 days ahead, fewer than 14/ },
    { title: "no critical topic", stack: () => mutate(validStack(), REMINDER_PROJECT, setVariable("CRITICAL_TOPIC_ARN", undefined)), policy: POLICY, message: /it sets no CRITICAL_TOPIC_ARN/ },
    { title: "reading another path", stack: () => mutate(validStack(), REMINDER_PROJECT, setVariable("REGISTER_PATH", "/flightdeck/flightpro/staging/secret-rotation/")), policy: POLICY, message: /no reminder job reads/, alsoBy: "another stack's path" },
    {
      title: "a buildspec that echoes instead of posting",
      stack: () => mutate(validStack(), REMINDER_PROJECT, (props) => { (props["source"] as Record<string, unknown>)["buildspec"] = "version: 0.2\nphases:\n  build:\n    commands:\n      - aws ssm get-parameters-by-path --path $REGISTER_PATH\n"; }),
      policy: POLICY,
      message: /does not read the register and post to SNS/,
    },
  ];
  for (const testCase of cases) {
    it(`${testCase.title}: both rotated secrets of the stack lose their reminder, and nothing else is reported`, () => {
      const all = judge(testCase.stack());
      const verdicts = all.filter((verdict) => verdict.policy === POLICY);
      if (testCase.alsoBy === undefined) assert.deepEqual(all.map((verdict) => verdict.policy), [POLICY, POLICY], JSON.stringify(all, null, 1));
      assert.equal(verdicts.length, 2);
      assert.deepEqual(verdicts.map((verdict) => /secret (\S+) has/.exec(verdict.message)?.[1]).sort(), ["STRIPE_SECRET_KEY", "VERCEL_TOKEN"]);
      for (const verdict of verdicts) assert.match(verdict.message, testCase.message);
    });
  }
});
