/**
 * Names shared by the rotation reminder job (reminderScript.ts, rotationReminder.ts) and the policy
 * pack, which cannot import the program: policies/rules/reminders.ts holds the same names and
 * test/policies/reminders.spec.ts checks the two agree.
 */
export const rotationReminder = {
  /** The job's environment: the register path it reads, the topics it posts to, how many days ahead it warns. */
  env: { registerPath: "REGISTER_PATH", warningTopic: "WARNING_TOPIC_ARN", criticalTopic: "CRITICAL_TOPIC_ARN", warnDays: "WARN_DAYS" },
  /** Spec, Rotation: "API keys: Every 90 days (automated reminders)": the warning comes this many days before the due date, and on it. */
  warnDays: 14,
  /** Chatbot's metadata.eventType of the warnings. */
  eventType: "secret-rotation-due",
} as const;
