import * as pulumi from "@pulumi/pulumi";

const SIG_KEY = pulumi.runtime.specialSigKey;
const SECRET_SIG = pulumi.runtime.specialSecretSig;
const RESOURCE_SIG = pulumi.runtime.specialResourceSig;

/** What an unknown (not yet computed) value is shown as. */
export const UNKNOWN = "(known after apply)";

/**
 * Replaces the engine's wrapped values with plain ones: secrets by their value (their paths
 * remembered), resource references by their URN, unknowns by a marker.
 */
export function unwrapSecrets(value: unknown): { value: unknown; secretPaths: string[] } {
  const secretPaths: string[] = [];
  const walk = (current: unknown, path: string): unknown => {
    if (current === pulumi.runtime.unknownValue) return UNKNOWN;
    if (Array.isArray(current)) return current.map((item, index) => walk(item, `${path}[${index}]`));
    if (current === null || typeof current !== "object") return current;
    const record = current as Record<string, unknown>;
    if (record[SIG_KEY] === SECRET_SIG) {
      secretPaths.push(path);
      return walk(record["value"], path);
    }
    if (record[SIG_KEY] === RESOURCE_SIG) return record["urn"];
    if (pulumi.Resource.isInstance(current)) return UNKNOWN;
    const result: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(record)) {
      result[key] = walk(child, path === "" ? key : `${path}.${key}`);
    }
    return result;
  };
  return { value: walk(value, ""), secretPaths };
}

/** A copy of `inputs` with the value at each secret path replaced by `mask`. */
export function maskSecrets(inputs: Record<string, unknown>, secretPaths: readonly string[], mask: string): Record<string, unknown> {
  const masked = structuredClone(inputs);
  for (const path of secretPaths) setAtPath(masked, parsePath(path), mask);
  return masked;
}

export function parsePath(path: string): (string | number)[] {
  const segments: (string | number)[] = [];
  for (const part of path.split(".")) {
    const match = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part);
    if (!match) {
      segments.push(part);
      continue;
    }
    if (match[1]) segments.push(match[1]);
    for (const index of (match[2] ?? "").matchAll(/\[(\d+)\]/g)) segments.push(Number(index[1]));
  }
  return segments;
}

function setAtPath(target: unknown, segments: (string | number)[], value: unknown): void {
  if (segments.length === 0) return;
  let current = target as Record<string | number, unknown>;
  for (const segment of segments.slice(0, -1)) {
    const next = current[segment];
    if (next === null || typeof next !== "object") return;
    current = next as Record<string | number, unknown>;
  }
  const last = segments[segments.length - 1]!;
  if (last in current) current[last] = value;
}
