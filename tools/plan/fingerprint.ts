import { createHash, createHmac } from "node:crypto";

const DOMAIN = "flightdeck-plan/secret-fingerprint/v1";

/**
 * A short fingerprint of a secret value: HMAC-SHA256 of `path` and the value, keyed by a key
 * derived from the resource's URN. Equal values on different resources (or paths) get different
 * fingerprints, a table of plain hashes of common values does not apply, and the value itself is
 * never kept. It only tells whether a secret changed between two plans of the same resource.
 * The key is public (the URN is), so a fingerprint of a guessable value can be confirmed by
 * guessing it: it is for change detection, not a substitute for keeping plans private.
 */
export function secretFingerprint(urn: string, path: string, value: unknown): string {
  const key = createHash("sha256").update(`${DOMAIN}\0${urn}`).digest();
  const digest = createHmac("sha256", key).update(`${path}\0${canonicalJson(value)}`).digest("hex");
  return `hmac-sha256:${digest.slice(0, 16)}`;
}

/** JSON with object keys sorted, so that equal values always serialise alike. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, child]) => child !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, child]) => `${JSON.stringify(key)}:${canonicalJson(child)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}
