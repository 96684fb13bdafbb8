import type { ConditionGroup, FlagFilters } from "./posthogTypes";
import { Exposure } from "./rollout";

/**
 * The release conditions that serve a flag to `exposure`. PostHog matches a user against the
 * groups in turn and serves the flag on the first group whose properties all match and whose
 * rollout percentage includes the user (PostHog/posthog-js-lite:posthog-node/src/feature-flags.ts
 * `matchFeatureFlagProperties`, `isConditionMatch`). The team is matched by distinct id, which
 * PostHog adds to every person's properties for flag matching
 * (PostHog/posthog:rust/feature-flags/src/flags/flag_matching_utils.rs).
 */
export function filtersFor(exposure: Exposure, earlyAccess: readonly string[]): FlagFilters {
  const groups: ConditionGroup[] = [];
  const everyone = exposure.percent >= 100;
  if (exposure.team && !everyone && earlyAccess.length > 0) groups.push(teamGroup(earlyAccess));
  if (exposure.percent > 0 || groups.length === 0) groups.push({ properties: [], rollout_percentage: Math.min(100, exposure.percent) });
  return { groups };
}

/** The early-access team: these distinct ids, all of them. */
export function teamGroup(earlyAccess: readonly string[]): ConditionGroup {
  return {
    properties: [{ key: "distinct_id", type: "person", operator: "exact", value: [...earlyAccess] }],
    rollout_percentage: 100,
  };
}
