import * as postgresql from "@pulumi/postgresql";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { DatabaseSettings } from "../config/schema";
import { RoleKind, roleKinds, roleName, roleSpecs } from "./privileges";

export interface DatabaseRole {
  role: postgresql.Role;
  /** The login password (a secret), for roles that log in. */
  password?: pulumi.Output<string>;
}

/** Connection limits per role: login roles from config; the owner cannot log in at all. */
export function connectionLimit(database: DatabaseSettings, kind: RoleKind): number {
  return kind === "owner" ? 0 : database.connectionLimits[kind];
}

/**
 * The four roles, none a superuser, none able to create roles or databases, replicate or bypass
 * row-level security. Login roles get a generated password (random, a secret in state).
 */
export function createRoles(
  name: string,
  database: DatabaseSettings,
  opts: { parent: pulumi.Resource; provider: pulumi.ProviderResource },
  /** Per role, the date its password was last rotated (the inventory's): a new date generates a new password. */
  rotatedOn: Partial<Record<RoleKind, string>> = {},
): Record<RoleKind, DatabaseRole> {
  const roles: Partial<Record<RoleKind, DatabaseRole>> = {};
  for (const kind of roleKinds) {
    const spec = roleSpecs[kind];
    const password = spec.login
      ? pulumi.secret(
          new random.RandomPassword(
            `${name}-${kind}-password`,
            { length: 32, special: false, keepers: rotatedOn[kind] === undefined ? undefined : { rotatedOn: rotatedOn[kind] } },
            { parent: opts.parent },
          ).result,
        )
      : undefined;
    const memberOf = spec.memberOf.map((other) => {
      const role = roles[other];
      if (!role) throw new Error(`role ${kind} is a member of ${other}, which must be declared before it`);
      return role.role.name;
    });
    const role = new postgresql.Role(
      `${name}-${kind}`,
      {
        name: roleName(database.name, kind),
        login: spec.login,
        password,
        connectionLimit: connectionLimit(database, kind),
        superuser: false,
        createRole: false,
        createDatabase: false,
        replication: false,
        bypassRowLevelSecurity: false,
        inherit: true,
        roles: memberOf,
        assumeRole: spec.assumeOwner ? memberOf[0] : undefined,
      },
      opts,
    );
    roles[kind] = { role, password };
  }
  return roles as Record<RoleKind, DatabaseRole>;
}
