import { readFileSync } from "node:fs";
import * as path from "node:path";

/**
 * A stack's pack config settings per policy, without enforcement levels: what
 * `pulumi preview --policy-pack-config policies/config/<stack>.json` hands each policy.
 */
export function packSettings(stack: "production" | "staging"): Record<string, Record<string, unknown>> {
  const config = JSON.parse(readFileSync(path.join(__dirname, "..", "..", "policies", "config", `${stack}.json`), "utf8")) as Record<string, unknown>;
  const settings: Record<string, Record<string, unknown>> = {};
  for (const [name, entry] of Object.entries(config)) {
    if (typeof entry !== "object" || entry === null) continue;
    const { enforcementLevel: _level, ...rest } = entry as Record<string, unknown>;
    settings[name] = rest;
  }
  return settings;
}
