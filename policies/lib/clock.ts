/**
 * The pack's only clock. Rotation ages, waiver expiry and the deployment schedule all ask it.
 *
 * `FLIGHTDECK_POLICY_NOW` (an ISO 8601 instant, e.g. `2026-11-10T16:00:00Z`) fixes the time, for
 * tests and for the offline plan's `now` option; it is read on every call and nowhere else.
 * An unparseable value is an error, not a silent fallback to the real time.
 */
export const CLOCK_ENV = "FLIGHTDECK_POLICY_NOW";

export function now(): Date {
  const fixed = process.env[CLOCK_ENV];
  if (fixed === undefined || fixed === "") return new Date();
  const parsed = new Date(fixed);
  if (Number.isNaN(parsed.getTime())) throw new Error(`${CLOCK_ENV}=${JSON.stringify(fixed)} is not an ISO 8601 instant`);
  return parsed;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Whole days from a calendar date (YYYY-MM-DD, read as UTC midnight) to `at`. */
export function daysSince(date: string, at: Date): number {
  return Math.floor((at.getTime() - Date.parse(`${date}T00:00:00Z`)) / DAY_MS);
}

/** YYYY-MM-DD of an instant in UTC. */
export function isoDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}
