import { FeatureFlagSettings } from "./settings";

/**
 * Rules across fields of `flightdeck:featureFlags` the schema cannot express, one line per problem
 * (`flightdeck:featureFlags.flags[1].rollout.stages[2].day: …`). Compliance with the spec's plan is
 * the policy pack's, not this.
 */
export function featureFlagProblems(featureFlags: FeatureFlagSettings | undefined): string[] {
  if (!featureFlags) return [];
  const problems: string[] = [];
  const at = (path: string, message: string) => problems.push(`flightdeck:featureFlags.${path}: ${message}`);
  const seen = new Set<string>();
  featureFlags.flags.forEach((flag, index) => {
    const path = `flags[${index}]`;
    if (seen.has(flag.key)) at(`${path}.key`, `duplicate flag key (got ${JSON.stringify(flag.key)})`);
    seen.add(flag.key);
    if (!isCalendarDate(flag.rollout.start)) at(`${path}.rollout.start`, `is not a calendar date (got ${JSON.stringify(flag.rollout.start)})`);
    if (flag.rollout.timezone !== undefined && !isTimeZone(flag.rollout.timezone)) {
      at(`${path}.rollout.timezone`, `is not an IANA time zone (got ${JSON.stringify(flag.rollout.timezone)})`);
    }
    const stages = flag.rollout.stages ?? [];
    stages.forEach((stage, stageIndex) => {
      const previous = stages[stageIndex - 1];
      if (previous && stage.day <= previous.day) {
        at(`${path}.rollout.stages[${stageIndex}].day`, `stages must be in order of their days, each later than the one before (got ${stage.day} after ${previous.day})`);
      }
    });
    const usesTeam = flag.rollout.stages === undefined || stages.some((stage) => stage.rollout === "team");
    if (usesTeam && flag.earlyAccess.length === 0) {
      at(`${path}.earlyAccess`, `the plan has a team stage, so it needs the team's PostHog distinct ids (got none)`);
    }
    const duplicates = flag.earlyAccess.filter((id, position) => flag.earlyAccess.indexOf(id) !== position);
    if (duplicates.length > 0) at(`${path}.earlyAccess`, `duplicate distinct ids (got ${JSON.stringify(duplicates)})`);
  });
  return problems;
}

function isCalendarDate(date: string): boolean {
  const parsed = new Date(`${date}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === date;
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
