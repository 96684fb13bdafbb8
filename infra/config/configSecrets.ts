import * as runtimeConfig from "@pulumi/pulumi/runtime/config";

/**
 * The SDK's own answer to "did the CLI hand this key over as a secret?". The Node.js language host
 * passes the keys stored `secure:` in the stack file in PULUMI_CONFIG_SECRET_KEYS, and the SDK's
 * `isConfigSecret` reads them (pulumi/pulumi sdk/nodejs/runtime/config.ts, marked @internal, so its
 * declaration is stripped from the published typings); `runtime.setAllConfig(config, secretKeys)`
 * sets the same list under the mock runtime. Declared here rather than reimplemented, so the program
 * asks exactly what the SDK knows.
 */
declare module "@pulumi/pulumi/runtime/config" {
  export function isConfigSecret(k: string): boolean;
}

export function isConfigSecret(qualifiedKey: string): boolean {
  return runtimeConfig.isConfigSecret(qualifiedKey);
}
