import * as path from "node:path";
import { FlightdeckPolicy } from "./lib/define";
import { loadWaivers, waiverHousekeeping, WaiverBook, withWaivers } from "./lib/waivers";
import { allPolicies } from "./rules";

/** Where the pack finds its waivers: FLIGHTDECK_WAIVERS (tests, the offline plan), else waivers.yaml in the pack directory (the working directory). */
export const WAIVERS_ENV = "FLIGHTDECK_WAIVERS";

export function waiversFile(): string {
  return process.env[WAIVERS_ENV] || path.join(process.cwd(), "waivers.yaml");
}

/** The pack's policies as served: each wrapped with the waivers, then the waivers' own check, last. */
export function buildPolicies(book: WaiverBook = loadWaivers(waiversFile())): FlightdeckPolicy[] {
  const names = allPolicies.map((policy) => policy.name);
  return [...allPolicies.map((policy) => withWaivers(policy, book)), waiverHousekeeping(book, names)];
}
