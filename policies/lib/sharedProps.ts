/**
 * One plain copy of a resource's properties for every policy that reads them.
 *
 * The SDK hands each policy its own proxy over the properties (server.js: `unknownCheckingProxy(deserd)` per
 * policy), but the object behind the proxies is one per resource (lib/sharedDeserialization.ts), and the
 * proxy gives it up on request (@pulumi/policy@1.21.0 proxy.js: reading `getSpecialProxyTarget` returns
 * the target). The copy is made once per target and frozen, so no policy can change what another sees.
 */
import { Plain, PlainRecord, plainRecord } from "./values";

const proxy = require("@pulumi/policy/proxy") as { getSpecialProxyTarget: string };

const copies = new WeakMap<object, PlainRecord>();

function deepFreeze(value: Plain): void {
  if (value === null || typeof value !== "object") return;
  Object.freeze(value);
  for (const child of Array.isArray(value) ? value : Object.values(value)) deepFreeze(child);
}

/** The plain, frozen copy of `props` (a policy argument's properties, proxied or not). */
export function sharedPlainProps(props: unknown): PlainRecord {
  if (props === null || typeof props !== "object") return {};
  const target: unknown = Reflect.get(props, proxy.getSpecialProxyTarget);
  const key = target !== null && typeof target === "object" ? target : props;
  let copy = copies.get(key);
  if (copy === undefined) {
    copy = plainRecord(props);
    deepFreeze(copy);
    copies.set(key, copy);
  }
  return copy;
}
