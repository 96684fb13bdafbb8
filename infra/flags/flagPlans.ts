import type { StagingView } from "./posthogProvider";
import { Exposure, RolloutPlan, rolloutAt, specStages } from "./rollout";
import { FeatureFlagEntry, FeatureFlagSettings } from "./settings";

/** A flag's plan as the rollout maths takes it: the spec's stages unless the flag has its own. */
export function planOf(flag: FeatureFlagEntry, defaultTimezone: string): RolloutPlan {
  return {
    start: flag.rollout.start,
    timezone: flag.rollout.timezone ?? defaultTimezone,
    stages: flag.rollout.stages ?? specStages,
    killSwitch: flag.killSwitch,
  };
}

/** What a stack exports per flag (stack output `featureFlags`): read by production from staging. */
export interface ExportedFlag {
  stage: string;
  exposure: Exposure;
  start: string;
  killSwitch: boolean;
}

export function exportedFlags(featureFlags: FeatureFlagSettings | undefined, defaultTimezone: string, at: Date): Record<string, ExportedFlag> {
  const exported: Record<string, ExportedFlag> = {};
  for (const flag of featureFlags?.flags ?? []) {
    const state = rolloutAt(planOf(flag, defaultTimezone), at);
    exported[flag.key] = { stage: state.label, exposure: state.exposure, start: flag.rollout.start, killSwitch: flag.killSwitch };
  }
  return exported;
}

/**
 * What staging serves for one flag, from staging's `featureFlags` output (a stack reference gives
 * it untyped). Anything that is not a well-formed entry counts as "not deployed to staging".
 */
export function stagingViewOf(stack: string, outputs: unknown, key: string): StagingView {
  const entry = isRecord(outputs) ? outputs[key] : undefined;
  if (!isRecord(entry) || !isRecord(entry["exposure"])) return { stack, found: false };
  const { percent, team } = entry["exposure"];
  if (typeof percent !== "number" || typeof team !== "boolean" || typeof entry["start"] !== "string") return { stack, found: false };
  return { stack, found: true, exposure: { percent, team }, start: entry["start"], killSwitch: entry["killSwitch"] === true };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
