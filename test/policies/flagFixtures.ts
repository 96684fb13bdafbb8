import { specStages } from "../../infra/flags/rollout";
import { FEATURE_FLAG } from "../../policies/rules/flags";
import type { Fixture } from "./judge";

// The pack's clock in the policy specs is IN_WINDOW: Tuesday 2026-11-10, 11:00 in New York.
export const TEAM = ["user_maria_chen", "user_dev_okafor"];
export const teamCondition = { properties: [{ key: "distinct_id", type: "person", operator: "exact", value: TEAM }], rollout_percentage: 100 };
export const everyone = (percent: number | null) => ({ properties: [], rollout_percentage: percent });
/** The spec's rollout plan, as the program writes it into a flag's rollout (the pack keeps its own floor: rules/flags.ts). */
export const SPEC_PLAN = specStages;

/** A compliant flag of the product's PostHog project on day 7 of the spec's plan (started 2026-11-03, as its register recorded), serving the team and 25%; staging serves 100%. */
export function productFlag(): Fixture {
  return {
    type: FEATURE_FLAG,
    name: "flightpro-production-flags-new-dashboard",
    props: {
      host: "https://us.posthog.com",
      projectId: 41028,
      apiKey: "phx_canary",
      key: "new-dashboard",
      name: "The redesigned dashboard (owner: maria-chen). Managed by flightdeck.",
      active: true,
      filters: { groups: [teamCondition, everyone(25)] },
      description: "The redesigned dashboard",
      owner: "maria-chen",
      killSwitch: false,
      earlyAccess: TEAM,
      rollout: { start: "2026-11-03", timezone: "America/New_York", stages: SPEC_PLAN },
      stage: "25% (day 7 of plan since 2026-11-03; next: 50% on 2026-11-17)",
      environment: "production",
      staging: { stack: "staging", found: true, exposure: { percent: 100, team: true }, start: "2026-10-13", killSwitch: false },
      // The stack's flag register recorded day 0 on the plan's start (infra/flags/register.ts).
      register: { parameter: "/flightdeck/flightpro/production/feature-flags/new-dashboard", recordedStart: "2026-11-03" },
    },
  };
}
