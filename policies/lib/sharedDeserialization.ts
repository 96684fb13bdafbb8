/**
 * @pulumi/policy 1.21's server deserializes every resource's properties once per policy that judges it
 * (server.js makeAnalyzeStackRpcFun: `deserializeProperties(r.getProperties(), false)` inside the loop
 * over policies; makeAnalyzeRpcFun the same per resource policy), and wraps them in a new
 * `unknownCheckingProxy` each time. With a hundred policies that is most of the pack's time on a large
 * stack. The request's Struct is one object for all of them (jspb caches a message's wrapper fields), so
 * the result is computed once per Struct and shared, and so is the proxy over it: the proxy keeps no state
 * of its own (proxy.js proxyHelper: a get trap over the target, starting from an empty path). Policies only
 * read properties: the SDK hands each one a proxy over them, and ours copy what they keep (lib/values.ts).
 *
 * Each result is kept on the object it was computed from, under a symbol of this module: a property read
 * costs less than a WeakMap lookup, and a stack's worth of WeakMap entries slows every garbage collection.
 * Symbol-keyed properties are invisible to the SDK and to our copies (Object.getOwnPropertyNames, JSON).
 */
const deserialize = require("@pulumi/policy/deserialize") as { deserializeProperties: (struct: object, proxySecrets: boolean) => Record<string, unknown> };
const proxy = require("@pulumi/policy/proxy") as { unknownCheckingProxy: (target: unknown) => unknown };

/** `compute(key)`, once per key object: kept on the key under `slot` (computed each time for a frozen key). */
export function memoizedOn<K extends object, V extends object>(slot: symbol, compute: (key: K) => V): (key: K) => V {
  return (key) => {
    const known: unknown = Reflect.get(key, slot);
    if (known !== undefined) return known as V;
    const value = compute(key);
    if (Object.isExtensible(key)) Object.defineProperty(key, slot, { value, enumerable: false });
    return value;
  };
}

const DESERIALIZED = Symbol("flightdeck.deserialized");
const PROXIED = Symbol("flightdeck.proxied");

export function shareDeserialization(): void {
  const originalDeserialize = deserialize.deserializeProperties;
  const deserialized = memoizedOn(DESERIALIZED, (struct: object) => originalDeserialize(struct, false));
  deserialize.deserializeProperties = (struct, proxySecrets) => (proxySecrets ? originalDeserialize(struct, proxySecrets) : deserialized(struct));
  const originalProxy = proxy.unknownCheckingProxy;
  const proxied = memoizedOn(PROXIED, (target: object) => originalProxy(target) as object);
  proxy.unknownCheckingProxy = (target) => (target !== null && typeof target === "object" ? proxied(target) : originalProxy(target));
}
