import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PostHogFeatureFlag } from "./featureFlag";
import { filtersFor } from "./filters";
import { FlagRun, flagRun, planOf, stagingViewOf } from "./flagPlans";
import { FlagRecord, flagRegister, recordsOf } from "./register";
import { FeatureFlagSettings } from "./settings";

export interface FeatureFlagsArgs {
  featureFlags: FeatureFlagSettings;
  productSlug: string;
  environment: string;
  /** The time zone of plan days when a flag names none (the deploy schedule's). */
  defaultTimezone: string;
  /** The PostHog personal API key, a Pulumi secret. */
  apiKey: pulumi.Input<string>;
  /** The instant the stages are computed for (see clock.ts). */
  at: Date;
  /** The stack that must lead this one (production's staging, register.ts leadStackOf), read from its flag register; none without. */
  leadStack?: string;
}

/** What a stack exports per flag (stack output `featureFlags`): the stage and day 0 this run applies. */
export interface ExportedFlag {
  stage: string;
  start: string;
}

/**
 * The stack's PostHog flags: each at the stage its plan is due for at `at` (so every `pulumi up` moves
 * it on), 0% when its kill switch is on, the plan counted from the day 0 the stack's flag register
 * recorded (register.ts). After PostHog has taken each flag's stage, the stack writes the flag's record
 * to the register. In a production stack whose model has staging, each flag also records what staging
 * serves, read from staging's register, so the policy pack can hold production behind staging.
 */
export class FeatureFlags extends pulumi.ComponentResource {
  readonly flags: Record<string, PostHogFeatureFlag> = {};
  readonly registers: Record<string, aws.ssm.Parameter> = {};
  /** The stack output `featureFlags`. */
  readonly exported: pulumi.Output<Record<string, ExportedFlag>>;

  constructor(name: string, args: FeatureFlagsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("flightdeck:flags:FeatureFlags", name, {}, opts);
    const { featureFlags, environment, defaultTimezone, at, productSlug } = args;
    const readRegister = (stack: string) => {
      const path = flagRegister.path(productSlug, stack);
      // Dates, stages and flag keys, never a secret; the provider marks `values` sensitive whatever they hold.
      return pulumi.unsecret(
        aws.ssm.getParametersByPathOutput({ path, withDecryption: false }, { parent: this }).apply((read) => recordsOf({ names: read.names ?? [], values: read.values ?? [] }, path)),
      );
    };
    const own = readRegister(environment);
    const lead = args.leadStack ? { stack: args.leadStack, records: readRegister(args.leadStack) } : undefined;

    const runs: Record<string, pulumi.Output<FlagRun>> = {};
    for (const flag of featureFlags.flags) {
      const parameter = flagRegister.parameterName(productSlug, environment, flag.key);
      const configured = planOf(flag, defaultTimezone);
      const run = own.apply((records) => flagRun(flag, defaultTimezone, at, parameter, records.get(flag.key)));
      runs[flag.key] = run;
      const resource = new PostHogFeatureFlag(
        `${name}-${flag.key}`,
        {
          host: featureFlags.posthog.host.replace(/\/+$/, ""),
          projectId: featureFlags.posthog.projectId,
          apiKey: pulumi.secret(args.apiKey),
          key: flag.key,
          name: `${flag.description}${flag.owner ? ` (owner: ${flag.owner})` : ""}. Managed by flightdeck.`,
          active: true,
          filters: run.apply((state) => filtersFor(state.state.exposure, flag.earlyAccess)),
          description: flag.description,
          owner: flag.owner ?? null,
          killSwitch: flag.killSwitch,
          earlyAccess: flag.earlyAccess,
          rollout: { start: configured.start, timezone: configured.timezone, stages: configured.stages.map((stage) => ({ ...stage })) },
          stage: run.apply((state) => state.state.label),
          environment,
          staging: lead ? lead.records.apply((records) => stagingViewOf(lead.stack, records.get(flag.key))) : null,
          register: run.apply((state) => state.reading),
        },
        { parent: this },
      );
      this.flags[flag.key] = resource;
      this.registers[flag.key] = new aws.ssm.Parameter(
        `${name}-${flag.key}-register`,
        {
          name: parameter,
          type: "String",
          description: `Feature flag register (${environment}): what ${flag.key} serves and its day 0, written after each pulumi up. Managed by flightdeck.`,
          insecureValue: run.apply((state): string => JSON.stringify(state.record satisfies FlagRecord)),
          tags: { [flagRegister.tagKey]: flag.key },
        },
        // Written once PostHog has taken the stage: the register never records a stage the flag does not serve.
        { parent: this, dependsOn: [resource] },
      );
    }
    this.exported = pulumi
      .all(runs)
      .apply((all) => Object.fromEntries(Object.entries(all).map(([key, state]) => [key, { stage: state.state.label, start: state.plan.start }])));
    this.registerOutputs({ stages: this.exported });
  }
}
