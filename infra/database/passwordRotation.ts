import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as time from "@pulumiverse/time";

/**
 * Database passwords rotated by `pulumi up`, with no downtime.
 *
 * Every login role has two slots: the role itself (`<db>_<kind>`) and its alternate
 * (`<db>_alt_<kind>`, a member of the first, so it holds the same privileges: "members of a role
 * can use the privileges of the role", https://www.postgresql.org/docs/15/role-membership.html).
 * Each slot's password is a random.RandomPassword whose keepers hold the base timestamp of the
 * slot's time.Rotating (`rfc3339`), so a new base replaces the password, and the provider runs
 * ALTER ROLE … PASSWORD. Each slot is rotated every `periodDays`; the alternate half a period later.
 * The connection string handed out (DATABASE_URL, …) names the slot rotated last, so:
 * - a session already open survives the rotation: a password is checked when a client
 *   authenticates (https://www.postgresql.org/docs/15/auth-password.html), and "a session's
 *   credentials are currently only checked once, at authentication" (pgsql-hackers, "Add continuous
 *   credential validation framework" v5, 2026-11-23, proposing an opt-in check, off by default);
 *   test/integration/postgres/rotation.spec.ts shows it on PostgreSQL 15;
 * - an instance still running the previous URL (before the redeploy finishes) keeps opening
 *   connections: its slot's password is untouched for another half period;
 * - no password outlives its period: each slot's role is VALID UNTIL its next rotation ("the
 *   date and time after which the role's password is no longer valid",
 *   https://www.postgresql.org/docs/15/sql-createrole.html), even if nobody runs `pulumi up`.
 *
 * The slots' base timestamps are whole periods counted from the Unix epoch (the alternate's
 * shifted by half a period), computed at the program's clock and given to time.Rotating as
 * `rfc3339`, so the two slots never rotate in the same run however late a run comes. Upstream
 * (hashicorp/terraform-provider-time v0.12.1, which @pulumiverse/time 0.1.1 bundles:
 * pulumiverse/pulumi-time@v0.1.1 provider/go.mod): `rfc3339` "Defaults to the current time" and
 * is RequiresReplace, so a new base replaces the resource; rotation_rfc3339 = rfc3339 +
 * rotation_days (setRotationValues), and the plan modifier ReplaceIfOutdated replaces the resource
 * once the current time is after it (internal/provider/resource_time_rotating.go,
 * internal/modifiers/timemodifier/replace_if_outdated.go): the same instant our next base starts.
 * A base left to the provider's clock would drift one run later each period, and could bring both
 * slots due in one run.
 */

export const slotNames = ["primary", "alternate"] as const;
export type Slot = (typeof slotNames)[number];

/** Spec, Rotation: "Database passwords: Every 180 days" (roles outside the inventory take this period). */
export const DEFAULT_PASSWORD_PERIOD_DAYS = 180;

const DAY_MS = 86_400_000;

/** The alternate slot's shift: half a period (a period of one day cannot alternate). */
export function slotOffsetDays(periodDays: number, slot: Slot): number {
  if (!Number.isInteger(periodDays) || periodDays < 2) throw new Error(`a password rotation period must be a whole number of days, at least 2 (got ${periodDays})`);
  return slot === "primary" ? 0 : Math.floor(periodDays / 2);
}

/** When a slot's current password was due: the latest `epoch + offset + k·period` not after `now`. */
export function slotRotatedAt(now: Date, periodDays: number, slot: Slot): Date {
  const offset = slotOffsetDays(periodDays, slot) * DAY_MS;
  const period = periodDays * DAY_MS;
  return new Date(Math.floor((now.getTime() - offset) / period) * period + offset);
}

/** When a slot's current password stops being valid: its next rotation. */
export function slotValidUntil(now: Date, periodDays: number, slot: Slot): Date {
  return new Date(slotRotatedAt(now, periodDays, slot).getTime() + periodDays * DAY_MS);
}

/** The slot whose password is newest: the one the connection strings name. */
export function activeSlot(now: Date, periodDays: number): Slot {
  return slotRotatedAt(now, periodDays, "alternate") > slotRotatedAt(now, periodDays, "primary") ? "alternate" : "primary";
}

/** RFC 3339 in UTC without fractions, as the time provider writes it (`YYYY-MM-DDTHH:MM:SSZ`). */
export function rfc3339(instant: Date): string {
  return instant.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/**
 * A timestamp as the provider reads VALID UNTIL back, `COALESCE(rolvaliduntil::TEXT, 'infinity')`
 * (cyrilgdn/terraform-provider-postgresql v1.27.0 postgresql/resource_postgresql_role.go, which has
 * no diff suppression for it): PostgreSQL's ISO output in a UTC session, `2027-03-03 00:00:00+00`
 * (https://www.postgresql.org/docs/15/datatype-datetime.html, "Date/Time Output"). Declared in RFC
 * 3339 it would read back as drift on every refresh.
 */
export function pgTimestamp(instant: Date): string {
  return instant.toISOString().replace("T", " ").replace(/\.\d{3}Z$/, "+00");
}

export interface SlotPassword {
  rotation: time.Rotating;
  password: pulumi.Output<string>;
  /** The role's VALID UNTIL (pgTimestamp). */
  validUntil: string;
  /** The same instant in RFC 3339, for the rotation register. */
  expiresAt: string;
  /** The Rotating's base timestamp: when this password was due (the register's lastRotated). */
  rotatedAt: pulumi.Output<string>;
}

/** One slot's rotating timestamp and the password it keeps. */
export function slotPassword(name: string, slot: Slot, schedule: { now: Date; periodDays: number }, parent: pulumi.Resource): SlotPassword {
  const rotation = new time.Rotating(
    `${name}-rotation`,
    { rfc3339: rfc3339(slotRotatedAt(schedule.now, schedule.periodDays, slot)), rotationDays: schedule.periodDays },
    { parent },
  );
  const password = new random.RandomPassword(`${name}-password`, { length: 32, special: false, keepers: { rotatedAt: rotation.rfc3339 } }, { parent });
  return {
    rotation,
    password: pulumi.secret(password.result),
    validUntil: pgTimestamp(slotValidUntil(schedule.now, schedule.periodDays, slot)),
    expiresAt: rfc3339(slotValidUntil(schedule.now, schedule.periodDays, slot)),
    rotatedAt: rotation.rfc3339,
  };
}

/**
 * Each login role's period: the app's and the migrator's from their connection strings' inventory
 * entries (DATABASE_URL, MIGRATION_DATABASE_URL: `rotation.periodDays`), the others' (readonly, the
 * backup job's) the app's, or the spec's 180 days when the inventory hands out no app URL.
 */
export function passwordPeriods(secrets: readonly { source: string; rotation?: { periodDays: number } }[]): { app: number; migrator: number; readonly: number; backup: number } {
  const of = (source: string) => secrets.find((entry) => entry.source === source)?.rotation?.periodDays;
  const app = of("database-app-url") ?? DEFAULT_PASSWORD_PERIOD_DAYS;
  return { app, migrator: of("database-migrator-url") ?? app, readonly: app, backup: app };
}
