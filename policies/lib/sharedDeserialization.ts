/**
 * @pulumi/policy 1.21's server deserializes every resource's properties once per policy that judges it
 * (server.js makeAnalyzeStackRpcFun: `deserializeProperties(r.getProperties(), false)` inside the loop
 * over policies; makeAnalyzeRpcFun the same per resource policy). With a hundred policies that is most of
 * the pack's time on a large stack. The request's Struct is one object for all of them (jspb caches a
 * message's wrapper fields), so the result is computed once per Struct and shared. Policies only read
 * properties: the SDK hands each one a proxy over them, and ours copy what they keep (lib/values.ts).
 */
const deserialize = require("@pulumi/policy/deserialize") as { deserializeProperties: (struct: object, proxySecrets: boolean) => Record<string, unknown> };

export function shareDeserialization(): void {
  const original = deserialize.deserializeProperties;
  const cache = new WeakMap<object, Record<string, unknown>>();
  deserialize.deserializeProperties = (struct, proxySecrets) => {
    if (proxySecrets) return original(struct, proxySecrets);
    let props = cache.get(struct);
    if (props === undefined) {
      props = original(struct, proxySecrets);
      cache.set(struct, props);
    }
    return props;
  };
}
