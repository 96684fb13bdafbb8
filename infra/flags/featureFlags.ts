import * as pulumi from "@pulumi/pulumi";
import { PostHogFeatureFlag } from "./featureFlag";
import { filtersFor } from "./filters";
import { ExportedFlag, exportedFlags, planOf, stagingViewOf } from "./flagPlans";
import { rolloutAt } from "./rollout";
import { FeatureFlagSettings } from "./settings";

export interface FeatureFlagsArgs {
  featureFlags: FeatureFlagSettings;
  environment: string;
  /** The time zone of plan days when a flag names none (the deploy schedule's). */
  defaultTimezone: string;
  /** The PostHog personal API key, a Pulumi secret. */
  apiKey: pulumi.Input<string>;
  /** The instant the stages are computed for (see clock.ts). */
  at: Date;
  /** The stack that must lead this one (production's staging), read through a stack reference; none without. */
  leadStack?: string;
}

/**
 * The stack's PostHog flags: each at the stage its plan is due for at `at` (so every `pulumi up`
 * moves it on), 0% when its kill switch is on. In a production stack whose model has staging,
 * each flag also records what staging serves, read from staging's `featureFlags` output, so the
 * policy pack can hold production behind staging.
 */
export class FeatureFlags extends pulumi.ComponentResource {
  readonly flags: Record<string, PostHogFeatureFlag> = {};
  /** The stack output `featureFlags`: the stage each flag is at. */
  readonly exported: Record<string, ExportedFlag>;

  constructor(name: string, args: FeatureFlagsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("flightdeck:flags:FeatureFlags", name, {}, opts);
    const { featureFlags, environment, defaultTimezone, at } = args;
    const leadFlags = args.leadStack
      ? new pulumi.StackReference(`${name}-${args.leadStack}`, { name: `${pulumi.getOrganization()}/${pulumi.getProject()}/${args.leadStack}` }, { parent: this }).getOutput("featureFlags")
      : undefined;

    for (const flag of featureFlags.flags) {
      const plan = planOf(flag, defaultTimezone);
      const state = rolloutAt(plan, at);
      const leadStack = args.leadStack;
      this.flags[flag.key] = new PostHogFeatureFlag(
        `${name}-${flag.key}`,
        {
          host: featureFlags.posthog.host.replace(/\/+$/, ""),
          projectId: featureFlags.posthog.projectId,
          apiKey: pulumi.secret(args.apiKey),
          key: flag.key,
          name: `${flag.description}${flag.owner ? ` (owner: ${flag.owner})` : ""}. Managed by flightdeck.`,
          active: true,
          filters: filtersFor(state.exposure, flag.earlyAccess),
          description: flag.description,
          owner: flag.owner ?? null,
          killSwitch: flag.killSwitch,
          earlyAccess: flag.earlyAccess,
          rollout: { start: plan.start, timezone: plan.timezone, stages: plan.stages.map((stage) => ({ ...stage })) },
          stage: state.label,
          environment,
          staging: leadFlags && leadStack ? leadFlags.apply((outputs) => stagingViewOf(leadStack, outputs, flag.key)) : null,
        },
        { parent: this },
      );
    }
    this.exported = exportedFlags(featureFlags, defaultTimezone, at);
    this.registerOutputs({ stages: Object.fromEntries(Object.entries(this.exported).map(([key, flag]) => [key, flag.stage])) });
  }
}
