import * as pulumi from "@pulumi/pulumi";
import { FeatureFlagInputs, postHogFeatureFlagProvider } from "./posthogProvider";

/** The type token of a flag: `pulumi-nodejs:dynamic/<module>:<type>` (@pulumi/pulumi dynamic/index.ts). */
export const FEATURE_FLAG_TYPE = "pulumi-nodejs:dynamic/posthog:FeatureFlag";

export type PostHogFeatureFlagArgs = { [K in keyof FeatureFlagInputs]: pulumi.Input<FeatureFlagInputs[K]> };

/**
 * One PostHog feature flag, managed by the dynamic provider in posthogProvider.ts.
 *
 * The personal API key is an input, given as a Pulumi secret: the engine stores a secret input
 * encrypted, and because the Node.js dynamic provider does not accept secrets
 * (`ConfigureResponse.acceptSecrets = false`, @pulumi/pulumi cmd/dynamic-provider/index.ts), the
 * engine copies the secret bit from each input onto the output of the same name after create,
 * update and read (`annotateSecrets`, pulumi/pulumi@v3.259.0:sdk/go/common/resource/plugin/provider_plugin.go).
 * The provider needs the key among the outputs: delete gets only the stored outputs. A key captured
 * by the provider's closure instead would be serialized into `__provider`.
 */
export class PostHogFeatureFlag extends pulumi.dynamic.Resource {
  declare readonly flagId: pulumi.Output<number>;
  declare readonly stage: pulumi.Output<string>;
  declare readonly filters: pulumi.Output<FeatureFlagInputs["filters"]>;

  constructor(name: string, args: PostHogFeatureFlagArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      postHogFeatureFlagProvider,
      name,
      { ...args, flagId: undefined },
      { ...opts, additionalSecretOutputs: ["apiKey"] },
      "posthog",
      "FeatureFlag",
    );
  }
}
