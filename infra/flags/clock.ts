import * as pulumi from "@pulumi/pulumi";
import { ROLLOUT_CLOCK_ENV } from "../config/environment";

export { ROLLOUT_CLOCK_ENV };

/**
 * The instant rollouts are computed at: now, or `FLIGHTDECK_NOW` (ISO 8601) to see what a run on
 * another day would do (`FLIGHTDECK_NOW=2026-12-08T15:00:00Z pulumi preview`; the offline plan's `--at`).
 * The policy pack judges with its own clock, so a program run "in the future" only fails its checks.
 */
export function rolloutNow(): Date {
  const fixed = process.env[ROLLOUT_CLOCK_ENV];
  if (fixed === undefined || fixed === "") return new Date();
  const parsed = new Date(fixed);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(fixed) || Number.isNaN(parsed.getTime())) {
    throw new pulumi.RunError(`${ROLLOUT_CLOCK_ENV}=${JSON.stringify(fixed)} is not an ISO 8601 instant such as 2026-12-01T15:00:00Z`);
  }
  return parsed;
}
