import { ReplayCase, badInput, caught, passes } from "../cases";
import { replace } from "../edits";
import { addResources, setProduction } from "./helpers";

const PRIVILEGES = "infra/database/privileges.ts";
const ROLES = "infra/database/roles.ts";
const LOGIN = "database-login-role-least-privilege";
const PUBLIC_NONE = "database-public-no-privileges";
const NO_DDL = "database-app-role-no-ddl";
const READONLY = "database-readonly-role-select-only";

/** A grant added to the production database, through the database provider. */
function extraGrant(name: string, args: string): ReturnType<typeof addResources> {
  return addResources(
    `  if (database) new postgresql.Grant(${JSON.stringify(`flightpro-production-db-${name}`)}, { database: "flightpro", ${args} }, { provider: database.provider });`,
    ["postgresql"],
  );
}

/** Class 8: database attributes and privileges, every role. */
export const databaseCases: ReplayCase[] = [
  {
    id: "db-migrator-create-role",
    class: "database",
    title: "roles: the migrator may create roles (for the analytics schema migration)",
    edits: [replace(ROLES, "{ connectionLimit: connectionLimit(database, kind), ...UNPRIVILEGED, ", '{ connectionLimit: connectionLimit(database, kind), ...UNPRIVILEGED, createRole: kind === "migrator", ')],
    expect: caught(LOGIN),
  },
  {
    id: "db-readonly-bypass-rls",
    class: "database",
    title: "roles: readonly bypasses row-level security (support sees every tenant)",
    edits: [replace(ROLES, "{ connectionLimit: connectionLimit(database, kind), ...UNPRIVILEGED, ", '{ connectionLimit: connectionLimit(database, kind), ...UNPRIVILEGED, bypassRowLevelSecurity: kind === "readonly", ')],
    expect: caught(LOGIN),
  },
  {
    id: "db-owner-replication",
    class: "database",
    title: "roles: the owner (no login) gets REPLICATION for logical decoding",
    edits: [replace(ROLES, "{ connectionLimit: connectionLimit(database, kind), ...UNPRIVILEGED, ", '{ connectionLimit: connectionLimit(database, kind), ...UNPRIVILEGED, replication: kind === "owner", ')],
    expect: caught("database-nologin-role-least-privilege"),
  },
  {
    id: "db-app-superuser",
    class: "database",
    title: "roles: app superuser for the pg_stat_statements extension",
    edits: [replace(ROLES, "{ connectionLimit: connectionLimit(database, kind), ...UNPRIVILEGED, ", '{ connectionLimit: connectionLimit(database, kind), ...UNPRIVILEGED, superuser: kind === "app", ')],
    expect: caught(LOGIN),
  },
  {
    id: "db-app-member-of-owner",
    class: "database",
    title: "roles: app is a member of owner (so it can run the nightly VACUUM)",
    edits: [replace(PRIVILEGES, 'app: { kind: "app", login: true, memberOf: [], assumeOwner: false },', 'app: { kind: "app", login: true, memberOf: ["owner"], assumeOwner: false },')],
    expect: caught("database-role-membership-least-privilege"),
  },
  {
    id: "db-grant-role-owner-to-app",
    class: "database",
    title: "a GrantRole making app a member of owner",
    edits: [
      addResources(
        `  if (database) new postgresql.GrantRole("flightpro-production-db-app-owner", { role: "flightpro_app", grantRole: "flightpro_owner" }, { provider: database.provider });`,
        ["postgresql"],
      ),
    ],
    expect: caught("database-role-membership-least-privilege"),
  },
  {
    id: "db-public-revoke-dropped",
    class: "database",
    title: "grants: keep PUBLIC's default CONNECT on the database (the BI tool connects as its own role)",
    edits: [replace(PRIVILEGES, '    { id: "public-database-revoke", kind: "grant", role: PUBLIC, objectType: "database", privileges: [] },\n', "")],
    expect: caught(PUBLIC_NONE),
  },
  {
    id: "db-public-usage-schema",
    class: "database",
    title: "grants: PUBLIC may use schema public (extensions live there)",
    edits: [extraGrant("public-usage", 'schema: "public", role: "public", objectType: "schema", privileges: ["USAGE"]')],
    expect: caught(PUBLIC_NONE),
  },
  {
    id: "db-app-create-on-schema",
    class: "database",
    title: "grants: app may CREATE in schema public (temporary reporting tables)",
    edits: [replace(PRIVILEGES, '{ id: "app-schema-usage", kind: "grant", role: "app", objectType: "schema", schema: "app", privileges: ["USAGE"] },', '{ id: "app-schema-usage", kind: "grant", role: "app", objectType: "schema", schema: "app", privileges: ["USAGE", "CREATE"] },')],
    expect: caught(NO_DDL),
  },
  {
    id: "db-app-truncate",
    class: "database",
    title: "default privileges: app may TRUNCATE (the cleanup job)",
    edits: [replace(PRIVILEGES, 'export const dmlPrivileges = ["SELECT", "INSERT", "UPDATE", "DELETE"] as const;', 'export const dmlPrivileges = ["SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE"] as const;')],
    expect: caught(NO_DDL),
  },
  {
    id: "db-app-trigger-references",
    class: "database",
    title: "grants: app gets TRIGGER and REFERENCES on tables (audit triggers)",
    edits: [extraGrant("app-triggers", 'schema: "public", role: "flightpro_app", objectType: "table", privileges: ["TRIGGER", "REFERENCES"]')],
    expect: caught(NO_DDL),
  },
  {
    id: "db-readonly-insert",
    class: "database",
    title: "grants: readonly may INSERT into tables (support writes notes)",
    edits: [replace(PRIVILEGES, '{ id: "readonly-tables", kind: "grant", role: "readonly", objectType: "table", schema: "app", privileges: ["SELECT"] },', '{ id: "readonly-tables", kind: "grant", role: "readonly", objectType: "table", schema: "app", privileges: ["SELECT", "INSERT"] },')],
    expect: caught(READONLY),
  },
  {
    id: "db-readonly-sequences-update",
    class: "database",
    title: "grants: readonly gets USAGE on sequences (nextval in reports)",
    edits: [extraGrant("readonly-sequences", 'schema: "public", role: "flightpro_readonly", objectType: "sequence", privileges: ["USAGE", "SELECT"]')],
    expect: caught(READONLY),
  },
  {
    id: "db-grant-option",
    class: "database",
    title: "grants: app may pass on its table rights (WITH GRANT OPTION) to the worker role",
    edits: [replace("infra/database/grants.ts", "      privileges: spec.privileges,\n      withGrantOption: false,\n    },\n    opts,\n  );\n}", "      privileges: spec.privileges,\n      withGrantOption: spec.role === \"app\",\n    },\n    opts,\n  );\n}")],
    expect: caught("database-grant-no-grant-option"),
  },
  {
    id: "db-app-in-alembic-schema",
    class: "database",
    title: "grants: app reads Alembic's version table (health check shows the migration head)",
    edits: [extraGrant("app-alembic", 'schema: "alembic", role: "flightpro_app", objectType: "table", privileges: ["SELECT"]')],
    expect: caught("database-migration-schema-private"),
  },
  {
    id: "db-app-temporary",
    class: "database",
    title: "grants: app gets TEMPORARY on the database (pandas to_sql)",
    edits: [replace(PRIVILEGES, '{ id: "app-connect", kind: "grant", role: "app", objectType: "database", privileges: ["CONNECT"] },', '{ id: "app-connect", kind: "grant", role: "app", objectType: "database", privileges: ["CONNECT", "TEMPORARY"] },')],
    expect: caught("database-role-connect-only"),
  },
  {
    id: "db-database-owner-migrator",
    class: "database",
    title: "database owned by the migrator (so migrations can ALTER DATABASE)",
    edits: [replace("infra/database/postgresDatabase.ts", "owner: settings.adminUser, allowConnections", "owner: roles.migrator.role.name, allowConnections")],
    expect: caught("database-ownership-separated"),
  },
  {
    id: "db-provider-sslmode-prefer",
    class: "database",
    title: "database provider: sslmode prefer (the bastion terminates TLS)",
    edits: [replace("infra/database/provider.ts", "sslmode: database.sslMode,", 'sslmode: "prefer",')],
    expect: caught("database-provider-tls-required"),
  },
  {
    id: "db-sslmode-disable-config",
    class: "input",
    title: "Pulumi.production.yaml: sslMode disable",
    edits: [setProduction("database", ["sslMode"], "disable")],
    expect: badInput(/sslMode/),
  },
  {
    id: "db-role-password-literal",
    class: "database",
    title: "readonly password fixed so the BI tool's saved connection keeps working",
    edits: [replace(ROLES, "login: true, password: primary.password,", 'login: true, password: kind === "readonly" ? pulumi.secret("bi-tool-readonly-2026") : primary.password,')],
    expect: caught("database-role-password-generated"),
  },
  {
    id: "db-new-analyst-role",
    class: "database",
    title: "a new analyst login role with SELECT on everything and CREATEDB for sandboxes",
    edits: [
      addResources(
        `  if (database) new postgresql.Role("flightpro-production-db-analyst", { name: "flightpro_analyst", login: true, createDatabase: true, connectionLimit: 3 }, { provider: database.provider });`,
        ["postgresql"],
      ),
    ],
    expect: caught(LOGIN),
  },
  {
    id: "db-connection-limit-unlimited",
    class: "database",
    title: "roles: app connection limit -1 (unlimited)",
    edits: [replace("infra/database/roles.ts", 'return kind === "owner" ? 0 : database.connectionLimits[kind];', 'return kind === "owner" ? 0 : kind === "app" ? -1 : database.connectionLimits[kind];')],
    expect: caught("database-login-role-connection-limited"),
  },
  {
    id: "db-compliant-more-connections",
    class: "compliant",
    title: "Pulumi.production.yaml: app connection limit 80",
    edits: [setProduction("database", ["connectionLimits", "app"], 80)],
    expect: passes,
  },
];
