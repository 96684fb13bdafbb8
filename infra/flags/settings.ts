import { z } from "zod";

/**
 * `flightdeck:featureFlags`: the PostHog project a stack's flags live in and each flag with its
 * rollout plan. Well-formedness only; whether a plan follows the spec, whether production flags
 * have owners and whether staging leads production are the policy pack's (policies/rules/flags.ts).
 */

// PostHog's rule for keys (FeatureFlagSerializer.validate_key) and the model's max_length=400
// (PostHog/posthog:posthog/api/feature_flag.py, posthog/models/feature_flag/feature_flag.py).
const flagKey = z
  .string()
  .max(400)
  .regex(/^[a-zA-Z0-9_-]+$/, "must use only letters, numbers, hyphens (-) and underscores (_), as PostHog requires");
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date as YYYY-MM-DD");

export const planStage = z.strictObject({
  day: z.number().int().min(0).describe("plan day the stage begins on; day 0 is the start date"),
  rollout: z
    .union([z.number().min(0).max(100), z.literal("team")])
    .describe('a percentage of users (0–100; the team keeps the flag) or "team" (early-access members only)'),
});

export const featureFlag = z.strictObject({
  key: flagKey.describe("the key the app evaluates (posthog.isFeatureEnabled('new-dashboard'))"),
  description: z.string().min(1),
  owner: z.string().min(1).optional().describe("who answers for the flag; required in production by the policy pack"),
  killSwitch: z.boolean().default(false).describe("on: 0% for everyone at the next `pulumi up`, whatever the plan says"),
  earlyAccess: z.array(z.string().min(1)).default([]).describe("PostHog distinct ids of the team: they get the flag from the team stage on"),
  rollout: z.strictObject({
    start: isoDate.describe("day 0 of the plan (0%), in the plan's time zone"),
    timezone: z.string().min(1).optional().describe("IANA time zone whose midnights separate plan days; default flightdeck:schedule.timezone"),
    stages: z
      .array(planStage)
      .min(1)
      .optional()
      .describe("a custom plan; default the spec's: 0% day 0, team day 1, 5% day 3, 25% day 7, 50% day 14, 100% day 21"),
  }),
});

export const featureFlags = z.strictObject({
  posthog: z.strictObject({
    host: z.string().regex(/^https:\/\/[^\s/]+\/?$/, "must be the PostHog instance's https:// base URL").describe("e.g. https://us.posthog.com"),
    projectId: z.number().int().positive(),
  }),
  flags: z.array(featureFlag).min(1),
});

export type FeatureFlagSettings = z.output<typeof featureFlags>;
export type FeatureFlagEntry = z.output<typeof featureFlag>;

/** The config key of the PostHog personal API key (a secret; needed when the stack declares flags). */
export const POSTHOG_API_KEY = "posthogPersonalApiKey";
