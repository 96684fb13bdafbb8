import type { RegisterReading, StagingView } from "./posthogProvider";
import { FlagRecord, dayZero } from "./register";
import { RolloutPlan, RolloutState, rolloutAt, specStages } from "./rollout";
import { FeatureFlagEntry } from "./settings";

/** A flag's plan as the rollout maths takes it: the spec's stages unless the flag has its own. */
export function planOf(flag: FeatureFlagEntry, defaultTimezone: string): RolloutPlan {
  return {
    start: flag.rollout.start,
    timezone: flag.rollout.timezone ?? defaultTimezone,
    stages: flag.rollout.stages ?? specStages,
    killSwitch: flag.killSwitch,
  };
}

/** Where a flag stands in one run: its plan from the day 0 the run applies, and what the register will record. */
export interface FlagRun {
  plan: RolloutPlan;
  state: RolloutState;
  reading: RegisterReading;
  record: FlagRecord;
}

/**
 * One flag at `at`, given what the stack's register recorded for it before this run: the plan runs from
 * the later of `rollout.start` and the recorded day 0 (see register.ts dayZero), and the stage says so
 * when the configured start is earlier than the day 0 in force.
 */
export function flagRun(flag: FeatureFlagEntry, defaultTimezone: string, at: Date, parameter: string, recorded: FlagRecord | undefined): FlagRun {
  const configured = planOf(flag, defaultTimezone);
  const start = dayZero(configured.start, recorded?.start, at, configured.timezone);
  const plan = { ...configured, start };
  const planned = rolloutAt(plan, at);
  const label = start === configured.start ? planned.label : `${planned.label}; day 0 in force ${start}, not rollout.start ${configured.start} (${recorded ? "recorded in the register" : "first applied today"})`;
  const state = { ...planned, label };
  return {
    plan,
    state,
    reading: { parameter, recordedStart: recorded?.start ?? null },
    record: { key: flag.key, start, stage: label, exposure: state.exposure, killSwitch: flag.killSwitch },
  };
}

/** What the lead stack (staging) serves for one flag, from its register: not found when it has no record. */
export function stagingViewOf(stack: string, record: FlagRecord | undefined): StagingView {
  if (!record) return { stack, found: false };
  return { stack, found: true, exposure: { ...record.exposure }, start: record.start, killSwitch: record.killSwitch };
}
