import { ProviderSession, Queryable } from "./providerSession";

/**
 * The helpers of terraform-provider-postgresql that its resources share, as TypeScript over `pg`.
 * Each follows the Go function of the same name in
 * cyrilgdn/terraform-provider-postgresql@v1.27.0:postgresql/helpers.go (the upstream of
 * @pulumi/postgresql 3.18: pulumi/pulumi-postgresql@v3.18.0 pins its `upstream` submodule to
 * ff936b9, the v1.27.0 release), statement for statement, in the same order.
 */

/** lib/pq@v1.12.3:quote.go `QuoteIdentifier` (the provider's go.mod pins lib/pq v1.12.3): cut at the first NUL, double every `"`, wrap in `"`. */
export function quoteIdentifier(name: string): string {
  const end = name.indexOf("\u0000");
  const cut = end === -1 ? name : name.slice(0, end);
  return `"${cut.replaceAll('"', '""')}"`;
}

/** helpers.go `pqQuoteLiteral`: doubles `\` and `'`; the caller wraps the result in single quotes. */
export function quoteLiteral(value: string): string {
  return value.replaceAll("\\", "\\\\").replaceAll("'", "''");
}

/** helpers.go `publicRole`. */
export const PUBLIC_ROLE = "public";

async function exists(db: Queryable, sql: string, params: unknown[]): Promise<boolean> {
  return (await db.query(sql, params)).rowCount !== 0;
}

/** helpers.go `isMemberOfRole`: PG 16+ (pg_auth_members.set_option) also requires the SET option. */
export async function isMemberOfRole(db: Queryable, role: string, member: string): Promise<boolean> {
  const setOption = await exists(db, "SELECT 1 FROM information_schema.columns WHERE table_name='pg_auth_members' AND column_name = 'set_option'", []);
  let query = "SELECT 1 FROM pg_auth_members WHERE pg_get_userbyid(roleid) = $1 AND pg_get_userbyid(member) = $2";
  if (setOption) query += " AND set_option";
  return exists(db, query, [role, member]);
}

/** helpers.go `grantRoleMembership`: GRANT role TO member unless already a member; whether it granted. */
export async function grantRoleMembership(db: Queryable, role: string, member: string): Promise<boolean> {
  if (member === role) return false;
  if (await isMemberOfRole(db, role, member)) return false;
  await db.query(`GRANT ${quoteIdentifier(role)} TO ${quoteIdentifier(member)}`);
  return true;
}

/** helpers.go `revokeRoleMembership`. */
export async function revokeRoleMembership(db: Queryable, role: string, member: string): Promise<boolean> {
  if (member === role) return false;
  if (!(await isMemberOfRole(db, role, member))) return false;
  await db.query(`REVOKE ${quoteIdentifier(role)} FROM ${quoteIdentifier(member)}`);
  return true;
}

/** helpers.go `getCurrentUser`. */
export async function getCurrentUser(db: Queryable): Promise<string> {
  return String((await db.query("SELECT CURRENT_USER")).rows[0]?.current_user);
}

/** helpers.go `isSuperuser` (an error when the role does not exist, as Scan on no rows). */
export async function isSuperuser(db: Queryable, role: string): Promise<boolean> {
  const rows = (await db.query("SELECT rolsuper FROM pg_roles WHERE rolname = $1", [role])).rows;
  if (rows.length === 0) throw new Error(`could not check if role ${role} is superuser: no rows`);
  return rows[0].rolsuper === true;
}

/**
 * helpers.go `withRolesGranted`: as a non-superuser, temporarily grants each role to the admin
 * (first revoking the reverse membership if any), runs `fn`, then revokes what it granted and
 * grants back what it revoked, all in the caller's transaction.
 */
export async function withRolesGranted(txn: Queryable, roles: string[], fn: () => Promise<void>): Promise<void> {
  if (roles.length === 0) return fn();
  const currentUser = await getCurrentUser(txn);
  if (await isSuperuser(txn, currentUser)) return fn();
  const granted: string[] = [];
  const revoked: string[] = [];
  for (const role of roles) {
    if (await isSuperuser(txn, role)) continue;
    if (await revokeRoleMembership(txn, currentUser, role)) revoked.push(role);
    if (await grantRoleMembership(txn, role, currentUser)) granted.push(role);
  }
  await fn();
  for (const role of granted) await revokeRoleMembership(txn, role, currentUser);
  for (const role of revoked) {
    if (!(await roleExists(txn, role))) continue;
    await grantRoleMembership(txn, currentUser, role);
  }
}

/** helpers.go `dbExists`. */
export function dbExists(db: Queryable, name: string): Promise<boolean> {
  return exists(db, "SELECT datname FROM pg_database WHERE datname=$1", [name]);
}

/** helpers.go `roleExists`. */
export function roleExists(db: Queryable, name: string): Promise<boolean> {
  return exists(db, "SELECT 1 FROM pg_roles WHERE rolname=$1", [name]);
}

/** helpers.go `schemaExists`. */
export function schemaExists(db: Queryable, name: string): Promise<boolean> {
  return exists(db, "SELECT 1 FROM pg_namespace WHERE nspname=$1", [name]);
}

/** helpers.go `getDatabaseOwner` (`""` means the current database). */
export async function getDatabaseOwner(db: Queryable, database: string): Promise<string> {
  const where = database === "" ? "current_database()" : "$1";
  const rows = (await db.query(`\nSELECT rolname\n  FROM pg_database\n  JOIN pg_roles ON datdba = pg_roles.oid\n  WHERE datname = ${where}\n`, database === "" ? [] : [database])).rows;
  if (rows.length === 0) throw new Error(`could not find database '${database}' while looking for owner`);
  return String(rows[0].rolname);
}

/** helpers.go `getSchemaOwner`. */
export async function getSchemaOwner(db: Queryable, schema: string): Promise<string> {
  const rows = (await db.query("\nSELECT rolname\n  FROM pg_namespace\n  JOIN pg_roles ON nspowner = pg_roles.oid\n  WHERE nspname = $1\n", [schema])).rows;
  if (rows.length === 0) throw new Error(`could not find schema '${schema}' while looking for owner`);
  return String(rows[0].rolname);
}

/** helpers.go `getTablesOwner`. */
export async function getTablesOwner(db: Queryable, schema: string): Promise<string[]> {
  return (await db.query("SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = $1", [schema])).rows.map((row) => String(row.tableowner));
}

/** helpers.go `resolveOwners`: `pg_database_owner` stands for the current database's owner. */
export async function resolveOwners(db: Queryable, owners: string[]): Promise<string[]> {
  const resolved: string[] = [];
  for (const owner of owners) resolved.push(owner === "pg_database_owner" ? await getDatabaseOwner(db, "") : owner);
  return resolved;
}

/** helpers.go `getRoleOID`: 0 for PUBLIC. */
export async function getRoleOID(db: Queryable, role: string): Promise<number> {
  if (role === PUBLIC_ROLE) return 0;
  const rows = (await db.query("SELECT oid FROM pg_roles WHERE rolname = $1", [role])).rows;
  if (rows.length === 0) throw new Error(`could not find oid for role ${role}`);
  return Number(rows[0].oid);
}

/** helpers.go `pgLockRole`: advisory locks on the role and its members. */
export async function pgLockRole(txn: Queryable, role: string): Promise<void> {
  await txn.query("SET statement_timeout = 0");
  await txn.query("SELECT pg_advisory_xact_lock(oid::bigint) FROM pg_roles WHERE rolname = $1", [role]);
  await txn.query("SELECT pg_advisory_xact_lock(member::bigint) FROM pg_auth_members JOIN pg_roles ON roleid = pg_roles.oid WHERE rolname = $1", [role]);
}

/** helpers.go `pgLockDatabase`. */
export async function pgLockDatabase(txn: Queryable, database: string): Promise<void> {
  await txn.query("SET statement_timeout = 0");
  await txn.query("SELECT pg_advisory_xact_lock(oid::bigint) FROM pg_database WHERE datname = $1", [database]);
}

/** helpers.go `allowedPrivileges` (MAINTAIN on tables from PG 17 is not needed here). */
export const allowedPrivileges: Record<string, string[]> = {
  database: ["ALL", "CREATE", "CONNECT", "TEMPORARY"],
  table: ["ALL", "SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER"],
  sequence: ["ALL", "USAGE", "SELECT", "UPDATE"],
  schema: ["ALL", "CREATE", "USAGE"],
  function: ["ALL", "EXECUTE"],
  procedure: ["ALL", "EXECUTE"],
  routine: ["ALL", "EXECUTE"],
  type: ["ALL", "USAGE"],
  foreign_data_wrapper: ["ALL", "USAGE"],
  foreign_server: ["ALL", "USAGE"],
  column: ["ALL", "SELECT", "INSERT", "UPDATE", "REFERENCES"],
};

/** helpers.go `validatePrivileges`: case-sensitive, as the provider checks them. */
export function validatePrivileges(objectType: string, privileges: string[]): void {
  const allowed = allowedPrivileges[objectType];
  if (!allowed) throw new Error(`unknown object type ${objectType}`);
  for (const privilege of privileges) {
    if (!allowed.includes(privilege)) throw new Error(`${privilege} is not an allowed privilege for object type ${objectType}`);
  }
}

function sameSet(a: string[], b: string[]): boolean {
  const left = new Set(a);
  const right = new Set(b);
  return left.size === right.size && [...left].every((item) => right.has(item));
}

/** helpers.go `resourcePrivilegesEqual`: set equality, where a wanted ALL equals every privilege of the type. */
export function resourcePrivilegesEqual(granted: string[], wanted: string[], objectType: string): boolean {
  if (sameSet(granted, wanted)) return true;
  if (!wanted.includes("ALL")) return false;
  return sameSet(granted, (allowedPrivileges[objectType] ?? []).filter((privilege) => privilege !== "ALL"));
}

/** Runs `fn` with the session's connections closed afterwards, whatever happens. */
export async function inSession<T>(session: ProviderSession, fn: (session: ProviderSession) => Promise<T>): Promise<T> {
  try {
    return await fn(session);
  } finally {
    await session.end();
  }
}
