import * as postgresql from "@pulumi/postgresql";
import * as pulumi from "@pulumi/pulumi";
import { DatabaseSettings } from "../config/schema";
import { connectionUrl } from "../database/connectionUrl";
import { activeSlot, slotPassword } from "../database/passwordRotation";
import { alternateRoleName, roleName, schemas } from "../database/privileges";
import { UNPRIVILEGED } from "../database/roles";

/** The backup role's name in the cluster: `<database>_backup` (the pack's roleKinds name it so). */
export function backupRoleName(database: string): string {
  return roleName(database, "backup");
}

/** What the backup role may do, in apply order: connect, use both schemas, read every table and sequence, now and later. */
export interface BackupGrant {
  id: string;
  kind: "grant" | "default";
  objectType: "database" | "schema" | "table" | "sequence";
  schema?: keyof typeof schemas;
  /** Default privileges: whose future objects (a migration runs as the owner role, or as the migrator itself). */
  creator?: "owner" | "migrator";
  privileges: string[];
}

/**
 * pg_dump reads every table and sequence it dumps ("pg_dump ... needs read access to all tables that
 * you want to back up", https://www.postgresql.org/docs/15/backup-dump.html), Alembic's version table
 * included, so the drill can check the migration head. Reading is all the role does: SELECT and the
 * schema USAGE reading needs, CONNECT on the database; default privileges cover tables and sequences
 * the owner (or the migrator) creates later, in both schemas (they cover only objects that role
 * creates: https://www.postgresql.org/docs/15/sql-alterdefaultprivileges.html).
 */
export function backupGrantPlan(): BackupGrant[] {
  const plan: BackupGrant[] = [{ id: "backup-connect", kind: "grant", objectType: "database", privileges: ["CONNECT"] }];
  for (const schema of ["app", "migrations"] as const) {
    plan.push(
      { id: `backup-${schema}-schema-usage`, kind: "grant", objectType: "schema", schema, privileges: ["USAGE"] },
      { id: `backup-${schema}-tables`, kind: "grant", objectType: "table", schema, privileges: ["SELECT"] },
      { id: `backup-${schema}-sequences`, kind: "grant", objectType: "sequence", schema, privileges: ["SELECT"] },
    );
    for (const creator of ["owner", "migrator"] as const) {
      for (const objectType of ["table", "sequence"] as const) {
        plan.push({ id: `backup-${schema}-default-${objectType}s-${creator}`, kind: "default", objectType, schema, creator, privileges: ["SELECT"] });
      }
    }
  }
  return plan;
}

export interface BackupDatabaseRoleArgs {
  database: DatabaseSettings;
  provider: postgresql.Provider;
  databaseName: pulumi.Input<string>;
  roleNames: { owner: pulumi.Input<string>; migrator: pulumi.Input<string> };
  /** The schemas exist before anything is granted on them. */
  dependsOn: pulumi.Resource[];
  /** Its password's rotation (database/passwordRotation.ts): the period, and the program's clock. */
  schedule: { now: Date; periodDays: number };
  /** Where the backup job connects: the server itself, or a public proxy in front of it (flightdeck:disasterRecovery.backups.connection). */
  endpoint: { host: string; port: number };
}

/**
 * The login role the backup job dumps the database as: read-only, no administrative attribute,
 * member of nothing, at most two connections. Like every login role it has an alternate that is
 * its member, and both passwords rotate (database/passwordRotation.ts): the job reads the
 * connection string at each run, so a backup running while the password rotates keeps its session
 * and the next one uses the new slot. Its connection string is a secret.
 *
 * Row-level security: the role does not bypass it (NOBYPASSRLS, as every login role: the pack's
 * database policies forbid administrative attributes). pg_dump sets row_security off "to ensure that
 * all data is dumped from the table. If the user does not have sufficient privileges to bypass row
 * security, then an error is thrown" (https://www.postgresql.org/docs/15/app-pgdump.html,
 * --enable-row-security), and --enable-row-security would dump only the rows policies show: a partial
 * backup. So the backup job refuses, at its start, a database with a table under row-level security,
 * naming the tables (scripts.ts; test/integration/backup runs both against a real server).
 */
export class BackupDatabaseRole extends pulumi.ComponentResource {
  readonly roleName: pulumi.Output<string>;
  readonly url: pulumi.Output<string>;

  constructor(name: string, args: BackupDatabaseRoleArgs, opts?: pulumi.ComponentResourceOptions) {
    super("flightdeck:dr:BackupDatabaseRole", name, {}, opts);
    const settings = args.database;
    const child = { parent: this, provider: args.provider };
    const common = { login: true, connectionLimit: 2, ...UNPRIVILEGED };
    const primary = slotPassword(`${name}`, "primary", args.schedule, this);
    const alternate = slotPassword(`${name}-alt`, "alternate", args.schedule, this);
    const role = new postgresql.Role(
      `${name}-role`,
      { name: backupRoleName(settings.name), password: primary.password, validUntil: primary.validUntil, ...common, roles: [] },
      child,
    );
    const alternateRole = new postgresql.Role(
      `${name}-alt-role`,
      { name: alternateRoleName(settings.name, "backup"), password: alternate.password, validUntil: alternate.validUntil, ...common, roles: [role.name] },
      child,
    );
    // One grant at a time: PostgreSQL refuses concurrent updates of the same object's ACL.
    let previous: pulumi.Resource[] = [...args.dependsOn, role];
    for (const spec of backupGrantPlan()) {
      const common = { database: args.databaseName, role: role.name, objectType: spec.objectType, privileges: spec.privileges, withGrantOption: false };
      const schema = spec.schema === undefined ? undefined : schemas[spec.schema];
      const resource =
        spec.kind === "default"
          ? new postgresql.DefaultPrivileges(`${name}-${spec.id}`, { ...common, schema, owner: args.roleNames[spec.creator ?? "owner"] }, { ...child, dependsOn: previous })
          : new postgresql.Grant(`${name}-${spec.id}`, { ...common, schema }, { ...child, dependsOn: previous });
      previous = [resource];
    }
    this.roleName = role.name;
    const active = activeSlot(args.schedule.now, args.schedule.periodDays) === "primary" ? { role, password: primary } : { role: alternateRole, password: alternate };
    this.url = pulumi.secret(
      pulumi.all([active.role.name, active.password.password, args.databaseName]).apply(([user, pass, database]) =>
        connectionUrl({ user, password: pass, host: args.endpoint.host, port: args.endpoint.port, database, sslMode: settings.sslMode }),
      ),
    );
    this.registerOutputs({ roleName: this.roleName });
  }
}
