import {
  PUBLIC_ROLE,
  dbExists,
  getDatabaseOwner,
  getRoleOID,
  getSchemaOwner,
  getTablesOwner,
  grantRoleMembership,
  pgLockDatabase,
  pgLockRole,
  quoteIdentifier as q,
  quoteLiteral,
  resolveOwners,
  resourcePrivilegesEqual,
  revokeRoleMembership,
  roleExists,
  schemaExists,
  validatePrivileges,
  withRolesGranted,
} from "./providerHelpers";
import { ProviderInputs } from "./providerInputs";
import { ProviderSession, Queryable } from "./providerSession";

/**
 * What terraform-provider-postgresql v1.27.0 runs for each resource type the stack plans: the SQL
 * of Create and Update, and the queries of Exists/Read, which a refresh compares with the declared
 * inputs.
 * Every function names the Go function it follows, in
 * cyrilgdn/terraform-provider-postgresql@v1.27.0:postgresql/<file>, and runs its statements in the
 * same order, with the same text, on the same database. Version-dependent branches take the path
 * of a server ≥ 13 (`featureSupported` in config.go), which is what this spec starts.
 */

/** A declared value that a refresh would read back differently (or a resource it would not find). */
export interface Drift {
  resource: string;
  attribute: string;
  declared: unknown;
  actual: unknown;
}

export interface ResourceModel {
  create(session: ProviderSession): Promise<void>;
  /** What the engine calls when the inputs changed from `previous` (the provider's Update). */
  update(session: ProviderSession, previous: Record<string, unknown>): Promise<void>;
  /** Exists (when the resource has one) then Read, compared with the declared inputs. */
  read(session: ProviderSession): Promise<Drift[]>;
}

function sortedSet(values: Iterable<string>): string[] {
  return [...new Set(values)].sort();
}

function differ(resource: string, attribute: string, declared: unknown, actual: unknown): Drift[] {
  return JSON.stringify(declared) === JSON.stringify(actual) ? [] : [{ resource, attribute, declared, actual }];
}

function gone(resource: string): Drift[] {
  return [{ resource, attribute: "id", declared: "exists", actual: "not found: a refresh drops it and the next update re-creates it" }];
}

// ---------------------------------------------------------------------------------------------
// postgresql:index/role:Role — resource_postgresql_role.go

const ROLE_INPUTS = [
  "name", "password", "encryptedPassword", "validUntil", "connectionLimit", "superuser",
  "createDatabase", "createRole", "inherit", "login", "replication", "bypassRowLevelSecurity", "roles", "searchPaths",
  "statementTimeout", "idleInTransactionSessionTimeout", "assumeRole", "skipDropRole", "skipReassignOwned",
] as const;

/** resourcePostgreSQLRole: the attributes with the schema's defaults. */
function roleAttributes(d: ProviderInputs) {
  return {
    superuser: d.bool("superuser"),
    createDatabase: d.bool("createDatabase"),
    createRole: d.bool("createRole"),
    inherit: d.bool("inherit", true),
    login: d.bool("login"),
    replication: d.bool("replication"),
    bypassRowLevelSecurity: d.bool("bypassRowLevelSecurity"),
    connectionLimit: d.int("connectionLimit", -1),
    validUntil: d.string("validUntil", "infinity"),
    encryptedPassword: d.bool("encryptedPassword", true),
    roles: sortedSet(d.strings("roles")),
    searchPaths: d.strings("searchPaths", false),
    statementTimeout: d.int("statementTimeout"),
    idleInTransactionSessionTimeout: d.int("idleInTransactionSessionTimeout"),
    assumeRole: d.string("assumeRole"),
  };
}

export function roleModel(label: string, inputs: Record<string, unknown>): ResourceModel {
  const d = new ProviderInputs(label, inputs, ROLE_INPUTS);
  const name = d.string("name");
  const declared = roleAttributes(d);
  const password = d.string("password");
  const searchPath = () => {
    for (const part of declared.searchPaths) if (part.includes(", ")) throw new Error(`search_path cannot contain \`, \`: ${part}`);
    return declared.searchPaths.length > 0 ? declared.searchPaths.map(q).join(", ") : "DEFAULT";
  };

  return {
    // resourcePostgreSQLRoleCreate
    async create(session) {
      await session.transaction("", async (txn) => {
        const options: string[] = [];
        if (password !== "") {
          if (password.toUpperCase() === "NULL") options.push("PASSWORD NULL");
          else options.push(declared.encryptedPassword ? "ENCRYPTED" : "UNENCRYPTED", `PASSWORD '${quoteLiteral(password)}'`);
        }
        const validUntil = declared.validUntil;
        options.push(validUntil === "" || validUntil.toLowerCase() === "infinity" ? "VALID UNTIL 'infinity'" : `VALID UNTIL '${quoteLiteral(validUntil)}'`);
        options.push(`CONNECTION LIMIT ${declared.connectionLimit}`);
        const flag = (on: boolean, enable: string, disable: string) => options.push(on ? enable : disable);
        flag(declared.superuser, "SUPERUSER", "NOSUPERUSER");
        flag(declared.createDatabase, "CREATEDB", "NOCREATEDB");
        flag(declared.createRole, "CREATEROLE", "NOCREATEROLE");
        flag(declared.inherit, "INHERIT", "NOINHERIT");
        flag(declared.login, "LOGIN", "NOLOGIN");
        flag(declared.bypassRowLevelSecurity, "BYPASSRLS", "NOBYPASSRLS"); // featureRLS
        flag(declared.replication, "REPLICATION", "NOREPLICATION"); // featureReplication
        await txn.query(`CREATE ROLE ${q(name)} WITH ${options.join(" ")}`);
        // grantRoles
        for (const role of declared.roles) await txn.query(`GRANT ${q(role)} TO ${q(name)}`);
        // alterSearchPath: always runs
        await txn.query(`ALTER ROLE ${q(name)} SET search_path TO ${searchPath()}`);
        // setStatementTimeout / setIdleInTransactionSessionTimeout / setAssumeRole: only on a change from the zero value
        if (declared.statementTimeout !== 0) await txn.query(`ALTER ROLE ${q(name)} SET statement_timeout TO ${declared.statementTimeout}`);
        if (declared.idleInTransactionSessionTimeout !== 0) {
          await txn.query(`ALTER ROLE ${q(name)} SET idle_in_transaction_session_timeout TO ${declared.idleInTransactionSessionTimeout}`);
        }
        if (declared.assumeRole !== "") await txn.query(`ALTER ROLE ${q(name)} SET ROLE TO ${q(declared.assumeRole)}`);
      });
    },

    // resourcePostgreSQLRoleUpdate: each set* runs only for a changed attribute, in this order.
    async update(session, previousInputs) {
      const previous = new ProviderInputs(label, previousInputs, ROLE_INPUTS);
      const before = roleAttributes(previous);
      const oldName = previous.string("name");
      const changed = <K extends keyof typeof declared>(key: K) => JSON.stringify(before[key]) !== JSON.stringify(declared[key]);
      await session.transaction("", async (txn) => {
        await pgLockRole(txn, oldName);
        if (oldName !== name) await txn.query(`ALTER ROLE ${q(oldName)} RENAME TO ${q(name)}`); // setRoleName
        const oldPassword = previous.string("password");
        if ((oldPassword !== password || oldName !== name) && password !== "") await txn.query(`ALTER ROLE ${q(name)} PASSWORD '${quoteLiteral(password)}'`); // setRolePassword
        const flags: [keyof typeof declared, string, string][] = [
          ["bypassRowLevelSecurity", "BYPASSRLS", "NOBYPASSRLS"], // setRoleBypassRLS
        ];
        for (const [key, enable, disable] of flags) if (changed(key)) await txn.query(`ALTER ROLE ${q(name)} WITH ${declared[key] ? enable : disable}`);
        if (changed("connectionLimit")) await txn.query(`ALTER ROLE ${q(name)} CONNECTION LIMIT ${declared.connectionLimit}`); // setRoleConnLimit
        const more: [keyof typeof declared, string, string][] = [
          ["createDatabase", "CREATEDB", "NOCREATEDB"], // setRoleCreateDB
          ["createRole", "CREATEROLE", "NOCREATEROLE"], // setRoleCreateRole
          ["inherit", "INHERIT", "NOINHERIT"], // setRoleInherit
          ["login", "LOGIN", "NOLOGIN"], // setRoleLogin
          ["replication", "REPLICATION", "NOREPLICATION"], // setRoleReplication
          ["superuser", "SUPERUSER", "NOSUPERUSER"], // setRoleSuperuser
        ];
        for (const [key, enable, disable] of more) if (changed(key)) await txn.query(`ALTER ROLE ${q(name)} WITH ${declared[key] ? enable : disable}`);
        if (changed("validUntil") && declared.validUntil !== "") {
          const validUntil = declared.validUntil.toLowerCase() === "infinity" ? "infinity" : declared.validUntil;
          await txn.query(`ALTER ROLE ${q(name)} VALID UNTIL '${quoteLiteral(validUntil)}'`); // setRoleValidUntil
        }
        // revokeRoles: every current membership, then grantRoles: the declared ones
        const current = await txn.query("SELECT pg_get_userbyid(roleid)\n\t\tFROM pg_catalog.pg_auth_members members\n\t\tJOIN pg_catalog.pg_roles ON members.member = pg_roles.oid\n\t\tWHERE rolname = $1", [name]);
        for (const row of current.rows) await txn.query(`REVOKE ${q(String(row.pg_get_userbyid))} FROM ${q(name)}`);
        for (const role of declared.roles) await txn.query(`GRANT ${q(role)} TO ${q(name)}`);
        await txn.query(`ALTER ROLE ${q(name)} SET search_path TO ${searchPath()}`); // alterSearchPath
        if (changed("statementTimeout")) {
          await txn.query(declared.statementTimeout !== 0 ? `ALTER ROLE ${q(name)} SET statement_timeout TO ${declared.statementTimeout}` : `ALTER ROLE ${q(name)} RESET statement_timeout`);
        }
        if (changed("idleInTransactionSessionTimeout")) {
          const value = declared.idleInTransactionSessionTimeout;
          await txn.query(value !== 0 ? `ALTER ROLE ${q(name)} SET idle_in_transaction_session_timeout TO ${value}` : `ALTER ROLE ${q(name)} RESET idle_in_transaction_session_timeout`);
        }
        if (changed("assumeRole")) {
          await txn.query(declared.assumeRole !== "" ? `ALTER ROLE ${q(name)} SET ROLE TO ${q(declared.assumeRole)}` : `ALTER ROLE ${q(name)} RESET ROLE`); // setAssumeRole
        }
      });
    },

    // resourcePostgreSQLRoleExists, then resourcePostgreSQLRoleReadImpl
    async read(session) {
      const found = await session.query("SELECT rolname FROM pg_catalog.pg_roles WHERE rolname=$1", [name]);
      if (found.rowCount === 0) return gone(label);
      const columns = [
        "rolname", "rolsuper", "rolinherit", "rolcreaterole", "rolcreatedb", "rolcanlogin", "rolconnlimit",
        "COALESCE(rolvaliduntil::TEXT, 'infinity')", "rolconfig", "rolreplication", "rolbypassrls",
      ];
      const sql = `SELECT ARRAY(\n\t\t\tSELECT pg_get_userbyid(roleid) FROM pg_catalog.pg_auth_members members WHERE member = pg_roles.oid\n\t\t), ${columns.join(", ")}\n\t\tFROM pg_catalog.pg_roles WHERE rolname=$1`;
      const row = (await session.query(sql, [name])).rows[0];
      if (!row) return gone(label);
      const config: string[] = row.rolconfig ?? [];
      // readSearchPath, readStatementTimeout, readIdleInTransactionSessionTimeout, readAssumeRole
      const setting = (key: string) => config.find((entry) => entry.startsWith(key));
      const searchPath = setting("search_path");
      const actual = {
        superuser: row.rolsuper,
        createDatabase: row.rolcreatedb,
        createRole: row.rolcreaterole,
        inherit: row.rolinherit,
        login: row.rolcanlogin,
        replication: row.rolreplication,
        bypassRowLevelSecurity: row.rolbypassrls,
        connectionLimit: row.rolconnlimit,
        validUntil: row.coalesce,
        encryptedPassword: true,
        roles: sortedSet(row.array as string[]),
        searchPaths: searchPath === undefined ? [] : searchPath.slice("search_path=".length).split(", ").map((part) => part.replace(/^"+|"+$/g, "")),
        statementTimeout: Number(setting("statement_timeout")?.split("=")[1] ?? 0),
        idleInTransactionSessionTimeout: Number(setting("idle_in_transaction_session_timeout")?.split("=")[1] ?? 0),
        assumeRole: config.filter((entry) => entry.startsWith("role")).map((entry) => entry.slice("role=".length)).pop() ?? "",
      };
      // readRolePassword: with `superuser = false` the provider keeps the password of its state.
      return (Object.keys(declared) as (keyof typeof declared)[]).flatMap((key) => differ(label, key, declared[key], actual[key]));
    },
  };
}

// ---------------------------------------------------------------------------------------------
// postgresql:index/database:Database — resource_postgresql_database.go

const DATABASE_INPUTS = [
  "name", "owner", "template", "encoding", "lcCollate", "lcCtype", "tablespaceName", "connectionLimit", "allowConnections",
  "isTemplate", "alterObjectOwnership",
] as const;

export function databaseModel(label: string, inputs: Record<string, unknown>): ResourceModel {
  const d = new ProviderInputs(label, inputs, DATABASE_INPUTS);
  const name = d.string("name");
  const owner = d.string("owner");
  const connectionLimit = d.int("connectionLimit", -1);
  const allowConnections = d.bool("allowConnections", true);
  const isTemplate = d.bool("isTemplate");

  return {
    // resourcePostgreSQLDatabaseCreate → createDatabase
    async create(session) {
      const option = (key: string, keyword: string, quote: (value: string) => string) => {
        if (!d.has(key)) return "";
        const value = d.string(key);
        return value.toUpperCase() === "DEFAULT" ? ` ${keyword} DEFAULT` : ` ${keyword} ${quote(value)}`;
      };
      let lock: { txn: Queryable; rollback: () => Promise<void> } | undefined;
      let ownerGranted = false;
      try {
        if (owner !== "") {
          // A lock on the admin, then (outside it) the owner's membership, needed to create a database for another owner.
          lock = await session.openTransaction("");
          await pgLockRole(lock.txn, session.admin);
          ownerGranted = await grantRoleMembership(session, owner, session.admin);
        }
        let sql = `CREATE DATABASE ${q(name)} OWNER ${q(owner !== "" ? owner : session.admin)}`;
        sql += d.has("template") ? option("template", "TEMPLATE", q) : " TEMPLATE template0";
        sql += d.has("encoding") ? option("encoding", "ENCODING", (v) => `'${quoteLiteral(v)}' `) : " ENCODING 'UTF8'";
        sql += option("lcCollate", "LC_COLLATE", (v) => `'${quoteLiteral(v)}' `);
        sql += option("lcCtype", "LC_CTYPE", (v) => `'${quoteLiteral(v)}' `);
        sql += option("tablespaceName", "TABLESPACE", q);
        sql += ` ALLOW_CONNECTIONS ${allowConnections}`; // featureDBAllowConnections
        sql += ` CONNECTION LIMIT ${connectionLimit}`;
        sql += ` IS_TEMPLATE ${isTemplate}`; // featureDBIsTemplate
        await session.query(sql);
      } finally {
        if (ownerGranted) await revokeRoleMembership(session, owner, session.admin);
        await lock?.rollback();
      }
    },

    async update(_session, previous) {
      if (JSON.stringify(previous) !== JSON.stringify(inputs)) throw new Error(`${label}: no statement model for an update of this resource`);
    },

    // resourcePostgreSQLDatabaseExists, then resourcePostgreSQLDatabaseReadImpl
    async read(session) {
      const exists = await session.transaction("", (txn) => dbExists(txn, name), false);
      if (!exists) return gone(label);
      const head = (await session.query("SELECT d.datname, pg_catalog.pg_get_userbyid(d.datdba) from pg_database d WHERE datname=$1", [name])).rows[0];
      if (!head) return gone(label);
      const from = "FROM pg_catalog.pg_database AS d, pg_catalog.pg_tablespace AS ts WHERE d.datname = $1 AND d.dattablespace = ts.oid";
      const row = (await session.query(`SELECT pg_catalog.pg_encoding_to_char(d.encoding), d.datcollate, d.datctype, ts.spcname, d.datconnlimit ${from}`, [name])).rows[0];
      const allow = (await session.query(`SELECT d.datallowconn ${from}`, [name])).rows[0];
      const template = (await session.query(`SELECT d.datistemplate ${from}`, [name])).rows[0];
      return [
        // owner is Optional + Computed: compared only when declared.
        ...(owner !== "" ? differ(label, "owner", owner, head.pg_get_userbyid) : []),
        ...(d.has("encoding") ? differ(label, "encoding", d.string("encoding"), row.pg_encoding_to_char) : []),
        ...differ(label, "connectionLimit", connectionLimit, row.datconnlimit),
        ...differ(label, "allowConnections", allowConnections, allow.datallowconn),
        ...(d.has("isTemplate") ? differ(label, "isTemplate", isTemplate, template.datistemplate) : []),
      ];
    },
  };
}

// ---------------------------------------------------------------------------------------------
// postgresql:index/schema:Schema — resource_postgresql_schema.go

const SCHEMA_INPUTS = ["name", "database", "owner", "ifNotExists", "dropCascade", "policies"] as const;

export function schemaModel(label: string, inputs: Record<string, unknown>): ResourceModel {
  const d = new ProviderInputs(label, inputs, SCHEMA_INPUTS);
  if (Array.isArray(inputs["policies"]) && inputs["policies"].length > 0) throw new Error(`${label}: no statement model for the deprecated policies input`);
  const name = d.string("name");
  const owner = d.string("owner");
  const ifNotExists = d.bool("ifNotExists", true);
  // getDatabase: the schema's database, else the provider's.
  const databaseOf = (session: ProviderSession) => d.string("database") || session.defaultDatabase;

  return {
    // resourcePostgreSQLSchemaCreate → createSchema
    async create(session) {
      const database = databaseOf(session);
      await session.transaction(database, async (txn) => {
        const dbOwner = await getDatabaseOwner(txn, database);
        const roles = [dbOwner];
        if (owner !== "" && owner !== dbOwner) roles.push(owner);
        await withRolesGranted(txn, roles, async () => {
          const found = await txn.query("SELECT TRUE FROM pg_catalog.pg_namespace WHERE nspname = $1", [name]);
          if (found.rowCount === 0) {
            await txn.query(`CREATE SCHEMA ${ifNotExists ? "IF NOT EXISTS " : ""}${q(name)}${owner !== "" ? ` AUTHORIZATION ${q(owner)}` : ""}`);
          } else if (owner !== "") {
            // setSchemaOwner: the owner "changes" from nothing on create.
            await txn.query(`ALTER SCHEMA ${q(name)} OWNER TO ${q(owner)}`);
          }
        });
      });
    },

    async update(_session, previous) {
      if (JSON.stringify(previous) !== JSON.stringify(inputs)) throw new Error(`${label}: no statement model for an update of this resource`);
    },

    // resourcePostgreSQLSchemaExists, then resourcePostgreSQLSchemaReadImpl
    async read(session) {
      const database = databaseOf(session);
      if (!(await dbExists(session, database))) return gone(label);
      const found = await session.transaction(database, (txn) => txn.query("SELECT n.nspname FROM pg_catalog.pg_namespace n WHERE n.nspname=$1", [name]), false);
      if (found.rowCount === 0) return gone(label);
      const row = await session.transaction(
        database,
        async (txn) => (await txn.query("SELECT pg_catalog.pg_get_userbyid(n.nspowner), COALESCE(n.nspacl, '{}'::aclitem[])::TEXT[] FROM pg_catalog.pg_namespace n WHERE n.nspname=$1", [name])).rows[0],
        false,
      );
      if (!row) return gone(label);
      return owner !== "" ? differ(label, "owner", owner, row.pg_get_userbyid) : [];
    },
  };
}

/** Grant and default privileges replace themselves for any change but their privileges (ForceNew): only that is an update. */
function updatableOnlyIn(label: string, previous: Record<string, unknown>, inputs: Record<string, unknown>, updatable: string): void {
  const changed = Object.keys({ ...previous, ...inputs }).filter((key) => key !== updatable && JSON.stringify(previous[key]) !== JSON.stringify(inputs[key]));
  if (changed.length > 0) throw new Error(`${label}: ${changed.join(", ")} changed, which replaces the resource (not an update)`);
}

// ---------------------------------------------------------------------------------------------
// postgresql:index/grant:Grant — resource_postgresql_grant.go

const GRANT_INPUTS = ["role", "database", "schema", "objectType", "objects", "columns", "privileges", "withGrantOption"] as const;
const NO_SCHEMA = ["database", "foreign_data_wrapper", "foreign_server"];

export function grantModel(label: string, inputs: Record<string, unknown>): ResourceModel {
  const d = new ProviderInputs(label, inputs, GRANT_INPUTS);
  const role = d.string("role");
  const database = d.string("database");
  const schema = d.string("schema");
  const objectType = d.string("objectType");
  const objects = d.strings("objects");
  const privileges = d.strings("privileges");
  const withGrantOption = d.bool("withGrantOption");
  if (objects.length > 0 || d.strings("columns").length > 0 || !["database", "schema", "table", "sequence"].includes(objectType)) {
    throw new Error(`${label}: no statement model for grants on ${objectType} with objects or columns`);
  }

  // createRevokeQuery
  const revokeQuery = () =>
    objectType === "database"
      ? `REVOKE ALL PRIVILEGES ON DATABASE ${q(database)} FROM ${q(role)}`
      : objectType === "schema"
        ? `REVOKE ALL PRIVILEGES ON SCHEMA ${q(schema)} FROM ${q(role)}`
        : `REVOKE ALL PRIVILEGES ON ALL ${objectType.toUpperCase()}S IN SCHEMA ${q(schema)} FROM ${q(role)}`;
  // createGrantQuery
  const grantQuery = () => {
    const list = privileges.join(",");
    const query =
      objectType === "database"
        ? `GRANT ${list} ON DATABASE ${q(database)} TO ${q(role)}`
        : objectType === "schema"
          ? `GRANT ${list} ON SCHEMA ${q(schema)} TO ${q(role)}`
          : `GRANT ${list} ON ALL ${objectType.toUpperCase()}S IN SCHEMA ${q(schema)} TO ${q(role)}`;
    return withGrantOption ? `${query} WITH GRANT OPTION` : query;
  };

  // getRolesToGrant: the schema's owner and its tables' owners, none for a database.
  const rolesToGrant = async (txn: Queryable) => {
    if (NO_SCHEMA.includes(objectType)) return [];
    const owners = objectType === "schema" ? [] : await getTablesOwner(txn, schema);
    const schemaOwner = await getSchemaOwner(txn, schema);
    if (!owners.includes(schemaOwner)) owners.push(schemaOwner);
    return resolveOwners(txn, owners);
  };

  // readRolePrivileges: the privileges read back, or undefined when every object has the declared ones.
  const readPrivileges = async (txn: Queryable): Promise<string[] | undefined> => {
    const oid = await getRoleOID(txn, role);
    if (objectType === "database" || objectType === "schema") {
      const [catalog, acl, key] = objectType === "database" ? ["pg_database", "datacl", "datname"] : ["pg_namespace", "nspacl", "nspname"];
      const sql = `\nSELECT array_agg(privilege_type)\nFROM (\n\tSELECT (aclexplode(${acl})).* FROM ${catalog} WHERE ${key}=$1\n) as privileges\nWHERE grantee = $2\n`;
      const granted: string[] = (await txn.query(sql, [objectType === "database" ? database : schema, oid])).rows[0]?.array_agg ?? [];
      return resourcePrivilegesEqual(granted, privileges, objectType) ? undefined : granted;
    }
    const relkind = objectType === "table" ? "r" : "S";
    const sql = `\nSELECT pg_class.relname, array_remove(array_agg(privilege_type), NULL)\nFROM pg_class\nJOIN pg_namespace ON pg_namespace.oid = pg_class.relnamespace\nLEFT JOIN (\n    SELECT acls.* FROM (\n        SELECT relname, relnamespace, relkind, (aclexplode(relacl)).* FROM pg_class c\n    ) as acls\n    WHERE grantee=$1\n) privs\nUSING (relname, relnamespace, relkind)\nWHERE nspname = $2 AND relkind = $3\nGROUP BY pg_class.relname\n`;
    for (const row of (await txn.query(sql, [oid, schema, relkind])).rows) {
      const granted: string[] = row.array_remove ?? [];
      if (!resourcePrivilegesEqual(granted, privileges, objectType)) return granted;
    }
    return undefined;
  };

  return {
    // resourcePostgreSQLGrantCreateOrUpdate: its revoke (REVOKE ALL ... from the role) reads no old value
    // for these object types, so an update runs the same statements as a create.
    async update(session, previous) {
      updatableOnlyIn(label, previous, inputs, "privileges");
      await this.create(session);
    },

    async create(session) {
      if (schema === "" && !NO_SCHEMA.includes(objectType)) throw new Error("parameter 'schema' is mandatory for postgresql_grant resource");
      validatePrivileges(objectType, privileges);
      await session.transaction(database, async (txn) => {
        await pgLockRole(txn, role);
        if (objectType === "database") await pgLockDatabase(txn, database);
        const owners = await rolesToGrant(txn);
        await withRolesGranted(txn, owners, async () => {
          await txn.query(revokeQuery());
          if (privileges.length > 0) await txn.query(grantQuery());
        });
      });
      await session.transaction(database, readPrivileges, false);
    },

    // resourcePostgreSQLGrantRead: checkRoleDBSchemaExists, then readRolePrivileges
    async read(session) {
      if (!(await dbExists(session, database))) return gone(label);
      const present = await session.transaction(
        database,
        async (txn) => (role === PUBLIC_ROLE || (await roleExists(txn, role))) && (NO_SCHEMA.includes(objectType) || schema === "" || (await schemaExists(txn, schema))),
        false,
      );
      if (!present) return gone(label);
      const read = await session.transaction(database, readPrivileges, false);
      return read === undefined ? [] : [{ resource: label, attribute: "privileges", declared: sortedSet(privileges), actual: sortedSet(read) }];
    },
  };
}

// ---------------------------------------------------------------------------------------------
// postgresql:index/defaultPrivileges:DefaultPrivileges — resource_postgresql_default_privileges.go

const DEFAULT_PRIVILEGES_INPUTS = ["role", "database", "owner", "schema", "objectType", "privileges", "withGrantOption"] as const;
/** resource_postgresql_grant.go `objectTypes`: pg_default_acl.defaclobjtype per object type. */
const DEFAULT_ACL_TYPES: Record<string, string> = { table: "r", sequence: "S", function: "f", routine: "f", type: "T", schema: "n" };

export function defaultPrivilegesModel(label: string, inputs: Record<string, unknown>): ResourceModel {
  const d = new ProviderInputs(label, inputs, DEFAULT_PRIVILEGES_INPUTS);
  const role = d.string("role");
  const database = d.string("database");
  const owner = d.string("owner");
  const schema = d.string("schema");
  const objectType = d.string("objectType");
  const privileges = d.strings("privileges");
  const withGrantOption = d.bool("withGrantOption");
  const inSchema = schema !== "" ? `IN SCHEMA ${q(schema)}` : "";

  // readRoleDefaultPrivileges: undefined when the declared privileges are there.
  const readPrivileges = async (txn: Queryable): Promise<string[] | "gone" | undefined> => {
    await pgLockRole(txn, owner);
    const oid = await getRoleOID(txn, role);
    const sql =
      schema !== ""
        ? `SELECT array_agg(prtype) FROM (\n\t\tSELECT defaclnamespace, (aclexplode(defaclacl)).* FROM pg_default_acl\n\t\tWHERE defaclobjtype = $3\n\t) AS t (namespace, grantor_oid, grantee_oid, prtype, grantable)\n\tJOIN pg_namespace ON pg_namespace.oid = namespace\n\tWHERE grantee_oid = $1 AND nspname = $2 AND pg_get_userbyid(grantor_oid) = $4;\n`
        : `SELECT array_agg(prtype) FROM (\n\t\tSELECT defaclnamespace, (aclexplode(defaclacl)).* FROM pg_default_acl\n\t\tWHERE defaclobjtype = $2\n\t) AS t (namespace, grantor_oid, grantee_oid, prtype, grantable)\n\tWHERE grantee_oid = $1 AND namespace = 0 AND pg_get_userbyid(grantor_oid) = $3;\n`;
    const params = schema !== "" ? [oid, schema, DEFAULT_ACL_TYPES[objectType], owner] : [oid, DEFAULT_ACL_TYPES[objectType], owner];
    const granted: string[] = (await txn.query(sql, params)).rows[0]?.array_agg ?? [];
    if (granted.length === 0 && privileges.length !== 0) return "gone";
    return resourcePrivilegesEqual(granted, privileges, objectType) ? undefined : granted;
  };

  return {
    // resourcePostgreSQLDefaultPrivilegesCreate, which is also its Update
    async update(session, previous) {
      updatableOnlyIn(label, previous, inputs, "privileges");
      await this.create(session);
    },

    async create(session) {
      if (schema !== "" && objectType === "schema") throw new Error("cannot specify `schema` when `object_type` is `schema`");
      if (withGrantOption && role.toLowerCase() === "public") throw new Error("with_grant_option cannot be true for role 'public'");
      validatePrivileges(objectType, privileges);
      await session.transaction(database, async (txn) => {
        await pgLockRole(txn, owner);
        await withRolesGranted(txn, [owner], async () => {
          // revokeRoleDefaultPrivileges, then grantRoleDefaultPrivileges
          await txn.query(`ALTER DEFAULT PRIVILEGES FOR ROLE ${q(owner)} ${inSchema} REVOKE ALL ON ${objectType.toUpperCase()}S FROM ${q(role)}`);
          if (privileges.length === 0) return;
          const grant = `ALTER DEFAULT PRIVILEGES FOR ROLE ${q(owner)} ${inSchema} GRANT ${privileges.join(",")} ON ${objectType.toUpperCase()}S TO ${q(role)}`;
          await txn.query(withGrantOption ? `${grant} WITH GRANT OPTION` : grant);
        });
      });
      await session.transaction(database, readPrivileges, false);
    },

    // resourcePostgreSQLDefaultPrivilegesRead: checkRoleDBSchemaExists, then readRoleDefaultPrivileges
    async read(session) {
      if (!(await dbExists(session, database))) return gone(label);
      const present = await session.transaction(
        database,
        async (txn) => (role === PUBLIC_ROLE || (await roleExists(txn, role))) && (schema === "" || (await schemaExists(txn, schema))),
        false,
      );
      if (!present) return gone(label);
      const read = await session.transaction(database, readPrivileges, false);
      if (read === "gone") return gone(label);
      return read === undefined ? [] : [{ resource: label, attribute: "privileges", declared: sortedSet(privileges), actual: sortedSet(read) }];
    },
  };
}

/** The model of a planned resource, by its type token; a type without one fails the run. */
export function modelOf(type: string, label: string, inputs: Record<string, unknown>): ResourceModel {
  switch (type) {
    case "postgresql:index/role:Role":
      return roleModel(label, inputs);
    case "postgresql:index/database:Database":
      return databaseModel(label, inputs);
    case "postgresql:index/schema:Schema":
      return schemaModel(label, inputs);
    case "postgresql:index/grant:Grant":
      return grantModel(label, inputs);
    case "postgresql:index/defaultPrivileges:DefaultPrivileges":
      return defaultPrivilegesModel(label, inputs);
    default:
      throw new Error(`${label}: no statement model for ${type}; model it from the provider's resource_postgresql_*.go first`);
  }
}
