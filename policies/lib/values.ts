/**
 * Plain views of the property bags the engine hands to the pack.
 *
 * The SDK wraps `args.props` in a proxy that throws on any read of an unknown value (a value not
 * known until apply). Rules read a plain copy instead and decide themselves what an unknown means
 * (see `UnknownInputError` in define.ts). The copy is made through property descriptors, which
 * the SDK's proxy does not intercept, so no read throws while copying.
 */

/** The engine's sentinels for values that are not known during preview. */
export const UNKNOWN_SENTINELS: ReadonlySet<string> = new Set([
  "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7", // boolean
  "3eeb2bf0-c639-47a8-9e75-3b44932eb421", // number
  "04da6b54-80e4-46f7-96ec-b56ff0331ba9", // string
  "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2", // array
  "030794c1-ac77-496b-92df-f27374a8bd58", // asset
  "e48ece36-62e2-4504-bad9-02848725956a", // archive
  "dd056dcd-154b-4c76-9bd3-c8f88648b5ff", // object
]);

/** The unknown string sentinel, as the engine sends it for an unknown input. */
export const UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export type Plain = null | boolean | number | string | Plain[] | { [key: string]: Plain };
export type PlainRecord = { [key: string]: Plain };

export function isUnknown(value: unknown): boolean {
  return typeof value === "string" && UNKNOWN_SENTINELS.has(value);
}

/** A deep, proxy-free copy of a property bag (unknowns stay as their sentinels). */
export function plain(value: unknown): Plain {
  if (value === null || value === undefined) return null;
  if (typeof value === "boolean" || typeof value === "number" || typeof value === "string") return value;
  if (Array.isArray(value)) {
    const length = Number(Object.getOwnPropertyDescriptor(value, "length")?.value ?? 0);
    const items: Plain[] = [];
    for (let index = 0; index < length; index++) {
      items.push(plain(Object.getOwnPropertyDescriptor(value, String(index))?.value));
    }
    return items;
  }
  if (typeof value === "object") {
    const result: PlainRecord = {};
    for (const key of Object.getOwnPropertyNames(value)) {
      const child: unknown = Object.getOwnPropertyDescriptor(value, key)?.value;
      if (child === undefined || typeof child === "function") continue;
      result[key] = plain(child);
    }
    return result;
  }
  return null;
}

export function plainRecord(value: unknown): PlainRecord {
  const copy = plain(value);
  return isRecord(copy) ? copy : {};
}

export function isRecord(value: unknown): value is PlainRecord {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

export function asRecord(value: Plain | undefined): PlainRecord | undefined {
  return isRecord(value) ? value : undefined;
}

export function asArray(value: Plain | undefined): Plain[] {
  return Array.isArray(value) ? value : [];
}

/** A known string, or undefined (absent, unknown or another type). */
export function knownString(value: Plain | undefined): string | undefined {
  return typeof value === "string" && !isUnknown(value) ? value : undefined;
}

export function knownNumber(value: Plain | undefined): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "string" && !isUnknown(value) && value.trim() !== "" && !Number.isNaN(Number(value))) return Number(value);
  return undefined;
}

/** The value at a dotted path (`rules.pullRequest.requiredApprovingReviewCount`). */
export function at(value: Plain | undefined, path: string): Plain | undefined {
  let current: Plain | undefined = value;
  for (const segment of path.split(".")) {
    if (Array.isArray(current) && /^\d+$/.test(segment)) current = current[Number(segment)];
    else if (isRecord(current)) current = current[segment];
    else return undefined;
  }
  return current;
}

/** A JSON document given either as a string (the usual case) or as an object; undefined if unparseable. */
export function jsonDocument(value: Plain | undefined): Plain | undefined {
  if (typeof value === "string") {
    if (isUnknown(value)) return undefined;
    try {
      return plain(JSON.parse(value));
    } catch {
      return undefined;
    }
  }
  return value ?? undefined;
}

/** Every string in a value, with its path (for scanning free text). */
export function stringsIn(value: Plain | undefined, path = ""): { path: string; value: string }[] {
  if (typeof value === "string") return isUnknown(value) ? [] : [{ path, value }];
  if (Array.isArray(value)) return value.flatMap((item, index) => stringsIn(item, `${path}[${index}]`));
  if (isRecord(value)) {
    return Object.entries(value).flatMap(([key, child]) => stringsIn(child, path === "" ? key : `${path}.${key}`));
  }
  return [];
}
