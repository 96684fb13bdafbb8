import * as pulumi from "@pulumi/pulumi";
import { FeatureFlagInputs, makePostHogFeatureFlagProvider } from "./posthogProvider";

/** The type token of a flag: `pulumi-nodejs:dynamic/<module>:<type>`, as `pulumi.dynamic.Resource` forms it. */
export const FEATURE_FLAG_TYPE = "pulumi-nodejs:dynamic/posthog:FeatureFlag";

/**
 * The provider as the `pulumi-nodejs` provider process loads it from `__provider`: a module whose
 * `handler()` returns the provider (@pulumi/pulumi cmd/dynamic-provider/index.ts `getProvider`:
 * `requireFromString(props.__provider).handler()`). The factory is self-contained, so its source
 * is the whole module; `pulumi.dynamic.Resource` would reach the same text through its closure
 * serializer (runtime/closure), which costs about 0.4 s of CPU per process for this provider.
 * `__name` is the one helper a transpiler may add to the factory's text (esbuild's keepNames, as
 * tsx runs it); names do not matter to the provider, so it is defined as the identity.
 */
export const SERIALIZED_PROVIDER = [
  "var __name = function (target) { return target; };",
  `exports.handler = function () { return (${makePostHogFeatureFlagProvider.toString()})(); };`,
  "",
].join("\n");

export type PostHogFeatureFlagArgs = { [K in keyof FeatureFlagInputs]: pulumi.Input<FeatureFlagInputs[K]> };

/**
 * One PostHog feature flag: a dynamic resource, registered as `pulumi.dynamic.Resource` registers
 * one (its type token and the `__provider` input; @pulumi/pulumi dynamic/index.ts).
 *
 * The personal API key is an input, given as a Pulumi secret: the engine stores a secret input
 * encrypted, and because the Node.js dynamic provider does not accept secrets
 * (`ConfigureResponse.acceptSecrets = false`, cmd/dynamic-provider/index.ts), the engine copies the
 * secret bit from each input onto the output of the same name after create, update and read
 * (`annotateSecrets`, pulumi/pulumi@v3.259.0:sdk/go/common/resource/plugin/provider_plugin.go);
 * `additionalSecretOutputs` says it once more. The provider needs the key among the outputs:
 * delete gets only the stored outputs. A key captured by the provider's code instead would be
 * stored in `__provider`, in plain text unless the closure serializer noticed it.
 */
export class PostHogFeatureFlag extends pulumi.CustomResource {
  declare readonly flagId: pulumi.Output<number>;
  declare readonly stage: pulumi.Output<string>;
  declare readonly filters: pulumi.Output<FeatureFlagInputs["filters"]>;

  constructor(name: string, args: PostHogFeatureFlagArgs, opts?: pulumi.CustomResourceOptions) {
    super(FEATURE_FLAG_TYPE, name, { ...args, flagId: undefined, __provider: SERIALIZED_PROVIDER }, { ...opts, additionalSecretOutputs: ["apiKey"] });
  }
}
