/**
 * Who may do what in the product's database, as data. Four roles:
 * - owner: cannot log in; owns the database and its schema, so every table the migrations create.
 * - migrator: logs in (Alembic in CI), member of owner and acts as owner, so it can change the schema.
 * - app: logs in (the API); reads and writes rows (DML) and uses sequences; never changes the schema.
 * - readonly: logs in (support, analytics); reads rows, nothing else.
 * No role is a superuser or may create roles or databases.
 */
export const roleKinds = ["owner", "migrator", "app", "readonly"] as const;
export type RoleKind = (typeof roleKinds)[number];

/** `PUBLIC`: every role, present and future. */
export const PUBLIC = "public";

export const SCHEMA = "public";

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
export function roleName(database: string, kind: RoleKind): string {
  return `${database}_${kind}`;
}

export type GrantObjectType = "database" | "schema" | "table" | "sequence";

/** A GRANT on existing objects (an empty privilege list revokes everything from the role). */
export interface GrantSpec {
  id: string;
  kind: "grant";
  role: RoleKind | typeof PUBLIC;
  objectType: GrantObjectType;
  privileges: string[];
}

/** ALTER DEFAULT PRIVILEGES: what the role gets on objects the owner creates later. */
export interface DefaultPrivilegeSpec {
  id: string;
  kind: "default";
  role: RoleKind;
  objectType: "table" | "sequence";
  privileges: string[];
}

export type PrivilegeSpec = GrantSpec | DefaultPrivilegeSpec;

/**
 * Every grant and default privilege, in the order they are applied (one at a time: PostgreSQL
 * refuses concurrent updates of the same object's ACL).
 */
export function privilegePlan(): PrivilegeSpec[] {
  return [
    { id: "public-database-revoke", kind: "grant", role: PUBLIC, objectType: "database", privileges: [] },
    { id: "public-schema-revoke", kind: "grant", role: PUBLIC, objectType: "schema", privileges: [] },
    { id: "migrator-connect", kind: "grant", role: "migrator", objectType: "database", privileges: ["CONNECT"] },
    { id: "app-connect", kind: "grant", role: "app", objectType: "database", privileges: ["CONNECT"] },
    { id: "readonly-connect", kind: "grant", role: "readonly", objectType: "database", privileges: ["CONNECT"] },
    { id: "app-schema-usage", kind: "grant", role: "app", objectType: "schema", privileges: ["USAGE"] },
    { id: "readonly-schema-usage", kind: "grant", role: "readonly", objectType: "schema", privileges: ["USAGE"] },
    { id: "app-tables", kind: "grant", role: "app", objectType: "table", privileges: [...dmlPrivileges] },
    { id: "app-sequences", kind: "grant", role: "app", objectType: "sequence", privileges: [...sequencePrivileges] },
    { id: "readonly-tables", kind: "grant", role: "readonly", objectType: "table", privileges: ["SELECT"] },
    { id: "app-default-tables", kind: "default", role: "app", objectType: "table", privileges: [...dmlPrivileges] },
    { id: "app-default-sequences", kind: "default", role: "app", objectType: "sequence", privileges: [...sequencePrivileges] },
    { id: "readonly-default-tables", kind: "default", role: "readonly", objectType: "table", privileges: ["SELECT"] },
  ];
}
