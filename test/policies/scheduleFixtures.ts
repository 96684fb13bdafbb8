import { readFileSync } from "node:fs";
import * as path from "node:path";

export const FLOOR = "schedule-production-preflight-enforces-floor";

/** The floor as production.json configures it (the spec's, plus black-friday-2026). */
export const productionFloor = (() => {
  const config = JSON.parse(readFileSync(path.join(__dirname, "..", "..", "policies", "config", "production.json"), "utf8")) as Record<string, Record<string, unknown>>;
  const { enforcementLevel: _level, ...floor } = config[FLOOR]!;
  return floor;
})();

/** The judge's options that configure the floor as production.json does. */
export const withFloor = { config: { [FLOOR]: productionFloor } };
