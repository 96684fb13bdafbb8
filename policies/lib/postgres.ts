import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { ResourceInput, UnknownInputError } from "./define";
import { anyGlobMatch } from "./glob";
import { PlainRecord, asArray, isRecord, isUnknown } from "./values";

/**
 * Plain views of @pulumi/postgresql resources for the database policies: role attributes read the
 * way the provider would apply them, and every grant of privileges in one shape however it is
 * declared (a Grant, a DefaultPrivileges, or a Schema's deprecated `policies` block).
 */

export const PG_PROVIDER = "pulumi:providers:postgresql";
export const PG_ROLE = "postgresql:index/role:Role";
export const PG_GRANT = "postgresql:index/grant:Grant";
export const PG_GRANT_ROLE = "postgresql:index/grantRole:GrantRole";
export const PG_DEFAULT_PRIVILEGES = "postgresql:index/defaultPrivileges:DefaultPrivileges";
export const PG_SCHEMA = "postgresql:index/schema:Schema";
export const PG_DATABASE = "postgresql:index/database:Database";

/** The role attributes that let a role act as an administrator (the Role inputs that set them). */
export const ADMIN_ATTRIBUTES = ["superuser", "createRole", "createDatabase", "replication", "bypassRowLevelSecurity"] as const;

/**
 * Whether a boolean input may be on. Only a value that is clearly false (absent, `false`, or the
 * strings/numbers a bridge reads as false) counts as off: anything else the provider might read
 * as true counts as on. Unknown until apply: the policy cannot judge yet.
 */
export function mayBeOn(props: PlainRecord, key: string): boolean {
  const value = props[key];
  if (isUnknown(value)) throw new UnknownInputError(key);
  if (value === undefined || value === null || value === false || value === 0) return false;
  if (typeof value === "string" && /^\s*(false|0|)\s*$/i.test(value)) return false;
  return true;
}

/** A string input the policy needs: unknown until apply throws, absent is undefined. */
export function stringInput(props: PlainRecord, key: string): string | undefined {
  const value = props[key];
  if (isUnknown(value)) throw new UnknownInputError(key);
  if (value === undefined || value === null) return undefined;
  return typeof value === "string" ? value : String(value);
}

/** A list of strings the policy needs (unknown until apply throws). */
export function stringsInput(props: PlainRecord, key: string): string[] {
  const value = props[key];
  if (isUnknown(value)) throw new UnknownInputError(key);
  return asArray(value).map((item, index) => {
    if (isUnknown(item)) throw new UnknownInputError(`${key}[${index}]`);
    return String(item);
  });
}

/** PUBLIC, however it is spelled. */
export function isPublic(role: string): boolean {
  return role.trim().toLowerCase() === "public";
}

/** A privilege as PostgreSQL reads it: upper case, `ALL PRIVILEGES` and `TEMP` in their canonical forms. */
export function canonicalPrivilege(privilege: string): string {
  const upper = privilege.trim().toUpperCase().replace(/\s+/g, " ");
  if (upper === "ALL PRIVILEGES") return "ALL";
  if (upper === "TEMP") return "TEMPORARY";
  return upper;
}

/** One grant of privileges, whichever resource declares it. */
export interface PrivilegeGrant {
  /** How it is declared, for messages. */
  via: "Grant" | "DefaultPrivileges" | "Schema policies";
  urn: string;
  /** The grantee as written (PUBLIC for a schema policy without a role). */
  role: string;
  objectType: string;
  /** The schema it applies in; undefined for a database grant or global default privileges. */
  schema?: string;
  database?: string;
  /** Canonical privileges; empty for a revoke. */
  privileges: string[];
  withGrantOption: boolean;
  /** DefaultPrivileges: whose future objects. */
  owner?: string;
}

/** The privilege grants a resource declares (none for other types). */
export function privilegeGrantsOf(resource: Pick<ResourceInput, "type" | "urn" | "props">): PrivilegeGrant[] {
  const { type, urn, props } = resource;
  if (type === PG_GRANT || type === PG_DEFAULT_PRIVILEGES) {
    return [
      {
        via: type === PG_GRANT ? "Grant" : "DefaultPrivileges",
        urn,
        role: stringInput(props, "role") ?? "",
        objectType: (stringInput(props, "objectType") ?? "").trim().toLowerCase(),
        schema: stringInput(props, "schema") || undefined,
        database: stringInput(props, "database"),
        privileges: stringsInput(props, "privileges").map(canonicalPrivilege),
        withGrantOption: mayBeOn(props, "withGrantOption"),
        owner: type === PG_DEFAULT_PRIVILEGES ? stringInput(props, "owner") : undefined,
      },
    ];
  }
  if (type === PG_SCHEMA) {
    const policies = props["policies"];
    if (isUnknown(policies)) throw new UnknownInputError("policies");
    const schema = stringInput(props, "name");
    const entries = asArray(policies);
    entries.forEach((entry, index) => {
      if (isUnknown(entry)) throw new UnknownInputError(`policies[${index}]`);
    });
    return entries.filter(isRecord).map((policy) => {
      const privileges: string[] = [];
      if (mayBeOn(policy, "create") || mayBeOn(policy, "createWithGrant")) privileges.push("CREATE");
      if (mayBeOn(policy, "usage") || mayBeOn(policy, "usageWithGrant")) privileges.push("USAGE");
      const role = stringInput(policy, "role");
      return {
        via: "Schema policies",
        urn,
        // The provider's schema policy: "ROLE who will receive this policy (default: PUBLIC)".
        role: role === undefined || role.trim() === "" ? "public" : role,
        objectType: "schema",
        schema,
        database: stringInput(props, "database"),
        privileges,
        withGrantOption: mayBeOn(policy, "createWithGrant") || mayBeOn(policy, "usageWithGrant"),
      };
    });
  }
  return [];
}

/** What a grant gives, for messages: `SELECT, INSERT on table in public`. */
export function describeGrant(grant: PrivilegeGrant): string {
  const where = grant.objectType === "database" ? `database ${grant.database ?? "?"}` : grant.schema ? `${grant.objectType} in ${grant.schema}` : `every ${grant.objectType} (no schema)`;
  return `${grant.privileges.join(", ") || "nothing"} on ${where}`;
}

export type RoleKind = "owner" | "migrator" | "app" | "readonly" | "backup";
export const ROLE_KINDS: readonly RoleKind[] = ["owner", "migrator", "app", "readonly", "backup"];

/** Globs naming each kind of role, from the policy config. */
export type RoleKindGlobs = Record<RoleKind, string[]>;

export const DEFAULT_ROLE_KINDS: RoleKindGlobs = {
  owner: ["*_owner", "owner"],
  migrator: ["*_migrator", "migrator"],
  app: ["*_app", "app"],
  readonly: ["*_readonly", "readonly"],
  /** The disaster-recovery backup job's role: reads every table, nothing else (recovery-backup-role-read-only). */
  backup: ["*_backup", "backup"],
};

export const ROLE_KINDS_SCHEMA: PolicyConfigJSONSchema = {
  type: "object",
  description: "Globs naming the owner, migrator, app, readonly and backup roles (case-sensitive, as PostgreSQL quotes them).",
  properties: Object.fromEntries(ROLE_KINDS.map((kind) => [kind, { type: "array", items: { type: "string" }, minItems: 1 }])),
  // backup came later: a config naming the first four kinds stays valid (the pack's default globs name the backup role).
  required: ROLE_KINDS.filter((kind) => kind !== "backup"),
};

/** The kinds a role name matches (more than one is ambiguous, none is unknown). */
export function kindsOf(globs: RoleKindGlobs, name: string): RoleKind[] {
  return ROLE_KINDS.filter((kind) => anyGlobMatch(globs[kind] ?? [], name));
}

export function isKind(globs: RoleKindGlobs, name: string, kind: RoleKind): boolean {
  return anyGlobMatch(globs[kind] ?? [], name);
}
