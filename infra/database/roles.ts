import * as postgresql from "@pulumi/postgresql";
import * as pulumi from "@pulumi/pulumi";
import { DatabaseSettings } from "../config/schema";
import { Slot, SlotPassword, activeSlot, slotPassword } from "./passwordRotation";
import { RoleKind, alternateRoleName, roleKinds, roleName, roleSpecs } from "./privileges";

/** A login role's two slots (passwordRotation.ts): their roles and passwords, and which one the connection string names. */
export interface LoginSlots {
  active: Slot;
  roles: Record<Slot, postgresql.Role>;
  passwords: Record<Slot, SlotPassword>;
}

export interface DatabaseRole {
  role: postgresql.Role;
  /** Roles that log in: both slots. */
  login?: LoginSlots;
}

/** How each login role's password rotates: the period, and the program's clock. */
export interface PasswordSchedule {
  now: Date;
  periodDays: Record<Exclude<RoleKind, "owner">, number>;
}

/** Connection limits per role: login roles from config; the owner cannot log in at all. */
export function connectionLimit(database: DatabaseSettings, kind: RoleKind): number {
  return kind === "owner" ? 0 : database.connectionLimits[kind];
}

/** Attributes every stack role has: none administers the server. */
export const UNPRIVILEGED = { superuser: false, createRole: false, createDatabase: false, replication: false, bypassRowLevelSecurity: false, inherit: true } as const;

/**
 * The four roles, none a superuser, none able to create roles or databases, replicate or bypass
 * row-level security. Each login role has an alternate that is a member of it (its privileges
 * through membership, https://www.postgresql.org/docs/15/role-membership.html) and both have a
 * rotating generated password (passwordRotation.ts).
 */
export function createRoles(
  name: string,
  database: DatabaseSettings,
  opts: { parent: pulumi.Resource; provider: pulumi.ProviderResource },
  schedule: PasswordSchedule,
): Record<RoleKind, DatabaseRole> {
  const roles: Partial<Record<RoleKind, DatabaseRole>> = {};
  for (const kind of roleKinds) {
    const spec = roleSpecs[kind];
    const memberOf = spec.memberOf.map((other) => {
      const role = roles[other];
      if (!role) throw new Error(`role ${kind} is a member of ${other}, which must be declared before it`);
      return role.role.name;
    });
    const common = { connectionLimit: connectionLimit(database, kind), ...UNPRIVILEGED, assumeRole: spec.assumeOwner ? memberOf[0] : undefined };
    if (kind === "owner" || !spec.login) {
      roles[kind] = { role: new postgresql.Role(`${name}-${kind}`, { name: roleName(database.name, kind), login: false, ...common, roles: memberOf }, opts) };
      continue;
    }
    const periodDays = schedule.periodDays[kind];
    const primary = slotPassword(`${name}-${kind}`, "primary", { now: schedule.now, periodDays }, opts.parent);
    const alternate = slotPassword(`${name}-${kind}-alt`, "alternate", { now: schedule.now, periodDays }, opts.parent);
    const role = new postgresql.Role(
      `${name}-${kind}`,
      { name: roleName(database.name, kind), login: true, password: primary.password, validUntil: primary.validUntil, ...common, roles: memberOf },
      opts,
    );
    // A member of the role: every privilege the role has, and the role's memberships through it; the owner's
    // membership is granted directly too, because SET ROLE at login (assumeRole) is a setting of the login role.
    const alternateRole = new postgresql.Role(
      `${name}-${kind}-alt`,
      {
        name: alternateRoleName(database.name, kind),
        login: true,
        password: alternate.password,
        validUntil: alternate.validUntil,
        ...common,
        roles: [role.name, ...memberOf],
      },
      opts,
    );
    roles[kind] = {
      role,
      login: { active: activeSlot(schedule.now, periodDays), roles: { primary: role, alternate: alternateRole }, passwords: { primary, alternate } },
    };
  }
  return roles as Record<RoleKind, DatabaseRole>;
}
