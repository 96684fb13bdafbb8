/**
 * What every policy sees of a resource, made once for all of them.
 *
 * The SDK hands each policy its own PolicyResource and its own proxy over the properties (server.js:
 * `unknownCheckingProxy(deserd)` per policy), but the object behind the proxies is one per resource in a
 * request (lib/sharedDeserialization.ts), and the proxy gives it up on request (@pulumi/policy@1.21.0
 * proxy.js: reading `getSpecialProxyTarget` returns the target). So the plain copy of the properties is
 * made once per target and frozen, so no policy can change what another sees.
 */
import { memoizedOn } from "./sharedDeserialization";
import { Plain, PlainRecord, plainRecord } from "./values";

const proxy = require("@pulumi/policy/proxy") as { getSpecialProxyTarget: string };

const PLAIN_COPY = Symbol("flightdeck.plainCopy");

function deepFreeze(value: Plain): void {
  if (value === null || typeof value !== "object") return;
  Object.freeze(value);
  for (const child of Array.isArray(value) ? value : Object.values(value)) deepFreeze(child);
}

const plainCopyOf = memoizedOn(PLAIN_COPY, (target: object) => {
  const copy = plainRecord(target);
  deepFreeze(copy);
  return copy;
});

/** The object behind the SDK's proxy over `props`, or undefined when `props` is not such a proxy. */
function proxyTarget(props: unknown): object | undefined {
  if (props === null || typeof props !== "object") return undefined;
  const target: unknown = Reflect.get(props, proxy.getSpecialProxyTarget);
  return target !== null && typeof target === "object" ? target : undefined;
}

/** The plain, frozen copy of `props` (a policy argument's properties, proxied or not). */
export function sharedPlainProps(props: unknown): PlainRecord {
  if (props === null || typeof props !== "object") return {};
  return plainCopyOf(proxyTarget(props) ?? props);
}
