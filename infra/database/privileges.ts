import { migrationBookkeeping } from "../pipeline/migrations";

/**
 * Who may do what in the product's database, as data.
 *
 * The database itself belongs to the provider's admin (the server's admin user, not a superuser
 * on a managed server): only the owner may drop a database, and terraform-provider-postgresql runs
 * database-level GRANT/REVOKE as that admin without taking on the owner's role, so an admin that
 * does not own the database grants nothing ("WARNING: no privileges were granted"). Owning it, the
 * admin can revoke PUBLIC's default CONNECT and TEMPORARY and keep connecting itself.
 *
 * Four roles:
 * - owner: cannot log in; owns the schemas, so every table the migrations create.
 * - migrator: logs in (Alembic in CI), member of owner and acts as owner (SET ROLE at login), so it
 *   changes the schema; it cannot drop the database, create schemas or temporary tables.
 * - app: logs in (the API); reads and writes rows (DML) and uses sequences; never changes the schema.
 * - readonly: logs in (support, analytics); reads rows, nothing else.
 * No role is a superuser or may create roles or databases, replicate or bypass row-level security.
 * Each login role has CONNECT on the database and nothing else there; PUBLIC has nothing on the
 * database or its schemas. Alembic's version table lives in its own schema, where app and readonly
 * have nothing.
 */
export const roleKinds = ["owner", "migrator", "app", "readonly"] as const;
export type RoleKind = (typeof roleKinds)[number];

/** `PUBLIC`: every role, present and future. */
export const PUBLIC = "public";

/** The schemas the stack declares: the app's tables, and Alembic's bookkeeping. */
export const schemas = {
  app: "public",
  migrations: migrationBookkeeping.versionTableSchema,
} as const;
export type SchemaKind = keyof typeof schemas;

export const dmlPrivileges = ["SELECT", "INSERT", "UPDATE", "DELETE"] as const;
export const sequencePrivileges = ["USAGE", "SELECT"] as const;

export interface RoleSpec {
  kind: RoleKind;
  login: boolean;
  /** Roles this one is a member of (and acts as, at login). */
  memberOf: RoleKind[];
  assumeOwner: boolean;
}

export const roleSpecs: Record<RoleKind, RoleSpec> = {
  owner: { kind: "owner", login: false, memberOf: [], assumeOwner: false },
  migrator: { kind: "migrator", login: true, memberOf: ["owner"], assumeOwner: true },
  app: { kind: "app", login: true, memberOf: [], assumeOwner: false },
  readonly: { kind: "readonly", login: true, memberOf: [], assumeOwner: false },
};

/** The role's name in the cluster: `<database>_<kind>`. */
export function roleName(database: string, kind: RoleKind | "backup"): string {
  return `${database}_${kind}`;
}

/**
 * A login role's alternate (passwordRotation.ts): `<database>_alt_<kind>`, a member of the role, so
 * it has the same privileges; the pack's kind globs (`*_<kind>`) name it the same kind.
 */
export function alternateRoleName(database: string, kind: RoleKind | "backup"): string {
  return `${database}_alt_${kind}`;
}

export type GrantObjectType = "database" | "schema" | "table" | "sequence";

/** A GRANT on existing objects (an empty privilege list revokes everything from the role). */
export interface GrantSpec {
  id: string;
  kind: "grant";
  role: RoleKind | typeof PUBLIC;
  objectType: GrantObjectType;
  /** The schema of a schema, table or sequence grant. */
  schema?: SchemaKind;
  privileges: string[];
}

/** ALTER DEFAULT PRIVILEGES: what the role gets on objects `creator` creates later in the app's schema. */
export interface DefaultPrivilegeSpec {
  id: string;
  kind: "default";
  role: RoleKind;
  /** Whose new objects: a migration runs as the owner (the migrator's login role) or as the migrator itself. */
  creator: "owner" | "migrator";
  objectType: "table" | "sequence";
  privileges: string[];
}

export type PrivilegeSpec = GrantSpec | DefaultPrivilegeSpec;

/** Default privileges only cover objects created by the role they name, so one set per role that can create tables. */
const creators = ["owner", "migrator"] as const;

/**
 * Every grant and default privilege, in the order they are applied (one at a time: PostgreSQL
 * refuses concurrent updates of the same object's ACL).
 */
export function privilegePlan(): PrivilegeSpec[] {
  const defaults: DefaultPrivilegeSpec[] = creators.flatMap((creator) => {
    const suffix = creator === "owner" ? "" : `-${creator}`;
    return [
      { id: `app-default-tables${suffix}`, kind: "default", role: "app", creator, objectType: "table", privileges: [...dmlPrivileges] },
      { id: `app-default-sequences${suffix}`, kind: "default", role: "app", creator, objectType: "sequence", privileges: [...sequencePrivileges] },
      { id: `readonly-default-tables${suffix}`, kind: "default", role: "readonly", creator, objectType: "table", privileges: ["SELECT"] },
    ];
  });
  return [
    { id: "public-database-revoke", kind: "grant", role: PUBLIC, objectType: "database", privileges: [] },
    { id: "public-schema-revoke", kind: "grant", role: PUBLIC, objectType: "schema", schema: "app", privileges: [] },
    { id: "public-migrations-schema-revoke", kind: "grant", role: PUBLIC, objectType: "schema", schema: "migrations", privileges: [] },
    { id: "migrator-connect", kind: "grant", role: "migrator", objectType: "database", privileges: ["CONNECT"] },
    { id: "app-connect", kind: "grant", role: "app", objectType: "database", privileges: ["CONNECT"] },
    { id: "readonly-connect", kind: "grant", role: "readonly", objectType: "database", privileges: ["CONNECT"] },
    { id: "app-schema-usage", kind: "grant", role: "app", objectType: "schema", schema: "app", privileges: ["USAGE"] },
    { id: "readonly-schema-usage", kind: "grant", role: "readonly", objectType: "schema", schema: "app", privileges: ["USAGE"] },
    { id: "app-tables", kind: "grant", role: "app", objectType: "table", schema: "app", privileges: [...dmlPrivileges] },
    { id: "app-sequences", kind: "grant", role: "app", objectType: "sequence", schema: "app", privileges: [...sequencePrivileges] },
    { id: "readonly-tables", kind: "grant", role: "readonly", objectType: "table", schema: "app", privileges: ["SELECT"] },
    ...defaults,
  ];
}
