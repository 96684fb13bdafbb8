import { strict as assert } from "node:assert";
import { Client } from "pg";
import { migrationBookkeeping } from "../../../infra/pipeline/migrations";
import { RecordedResource, StackRun, inputAt, runSampleStack, stringLeaves } from "../../harness";
import { Cluster, startCluster } from "./cluster";
import { quoteIdentifier } from "./providerHelpers";
import { PlannedDatabase, ProviderRun, applyPlan, plannedDatabase, refreshPlan, updatePlan } from "./plannedDatabase";

/**
 * The production stack's database, applied to a real PostgreSQL server the way
 * terraform-provider-postgresql v1.27.0 (the upstream of @pulumi/postgresql 3.18) applies it: the
 * statements of each planned `postgresql:*` resource (test/integration/postgres/providerResources.ts,
 * written from the provider's Go source), run as a managed server's admin (no superuser; CREATEROLE
 * and CREATEDB), then read back with the provider's own queries, then probed as each role.
 *
 * The server rules the probes rely on are PostgreSQL's, documented for the server this starts
 * (Debian 12's postgresql-15), e.g. https://www.postgresql.org/docs/15/ddl-priv.html (PUBLIC gets
 * CONNECT and TEMPORARY on a new database), /sql-dropdatabase.html (only the owner drops a
 * database), /sql-grant.html (a non-owner without grant options grants nothing, with a warning),
 * /sql-alterdefaultprivileges.html (default privileges cover objects created by the named role),
 * /role-membership.html (CREATEROLE/CREATEDB are used only after SET ROLE), /sql-createrole.html
 * (CONNECTION LIMIT).
 */

const ROLE = "postgresql:index/role:Role";
const INSUFFICIENT_PRIVILEGE = "42501";
const TOO_MANY_CONNECTIONS = "53300";
const MIGRATION_SCHEMA = migrationBookkeeping.versionTableSchema;

interface Login {
  user: string;
  password: string;
  database: string;
}

/** A login role of the plan (by its logical name's `-db-<kind>` suffix), with the password the plan gives it. */
function login(resources: readonly RecordedResource[], kind: string, database: string): Login {
  const role = resources.find((resource) => resource.type === ROLE && resource.name.endsWith(`-db-${kind}`));
  if (!role) throw new Error(`no ${kind} role in the plan`);
  return { user: String(inputAt(role, "name")), password: String(inputAt(role, "password")), database };
}

/** The login of a connection string the stack hands out (DATABASE_URL, MIGRATION_DATABASE_URL): host and TLS are the test server's. */
function loginOf(resources: readonly RecordedResource[], user: string): Login {
  const urls = resources.flatMap((resource) => stringLeaves(resource.inputs)).map(([, value]) => value).filter((value) => value.startsWith("postgresql://"));
  const url = urls.map((value) => new URL(value)).find((parsed) => decodeURIComponent(parsed.username) === user);
  if (!url) throw new Error(`no connection string for ${user} in the plan`);
  return { user, password: decodeURIComponent(url.password), database: decodeURIComponent(url.pathname.slice(1)) };
}

/** Polls a condition of the server's state (every 20 ms, at most 10 s). */
async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function denied(action: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  await assert.rejects(action, (error: Error & { code?: string }) => {
    assert.equal(error.code, code, `expected SQLSTATE ${code}, got ${error.code}: ${error.message}`);
    assert.match(error.message, message);
    return true;
  });
}

describe("PostgresDatabase on a real PostgreSQL server, applied as the provider applies the production plan", function () {
  this.timeout(120_000);
  let cluster: Cluster | undefined;
  let production: StackRun;
  let staging: StackRun;
  let planned: PlannedDatabase;
  let plannedStaging: PlannedDatabase;
  /** The production plan's resources as last applied (passwords change when a test rotates them). */
  let applied: RecordedResource[];
  const run: ProviderRun = { log: [], notices: [] };
  const clients: Client[] = [];

  const server = () => {
    if (!cluster) throw new Error("no server");
    return cluster;
  };
  const connect = async (as: Login, database = as.database) => {
    const client = await server().connect(as.user, database, as.password);
    clients.push(client);
    return client;
  };
  const superuser = async (database = "postgres") => connect({ user: server().superuser, password: "", database });
  const adminConnect = (user: string, database: string, password?: string) => server().connect(user, database, password);

  before(async () => {
    // The database component's own plan; the backup role disaster recovery adds is applied in test/integration/backup.
    production = await runSampleStack("production", (raw) => delete raw["disasterRecovery"]);
    staging = await runSampleStack("staging", (raw) => delete raw["disasterRecovery"]);
    planned = plannedDatabase(production.resources);
    applied = production.resources;
    plannedStaging = plannedDatabase(staging.resources);
    cluster = await startCluster();
    // The admin as a managed PostgreSQL gives it: not a superuser, CREATEROLE and CREATEDB.
    const root = await superuser();
    await root.query(`CREATE ROLE ${quoteIdentifier(planned.admin.username)} LOGIN NOSUPERUSER CREATEROLE CREATEDB PASSWORD '${planned.admin.password.replaceAll("'", "''")}'`);
    await root.query("CREATE ROLE outsider LOGIN PASSWORD 'outsider-password'");
    assert.equal(planned.admin.superuser, false, "the provider is told its admin is not a superuser");
    await applyPlan(planned, adminConnect, run);
    await applyPlan(plannedStaging, adminConnect, run);
  });

  after(async () => {
    await Promise.all(clients.map((client) => client.end().catch(() => undefined)));
    cluster?.stop();
  });

  it("applies every planned resource without a 'no privileges could be revoked/were granted' warning", () => {
    assert.ok(planned.resources.length >= 10, `the plan has ${planned.resources.length} postgresql resources`);
    assert.deepEqual(run.notices.filter((notice) => /privileges/i.test(notice)), []);
  });

  it("reads back exactly what the plan declares: a refresh shows no drift", async () => {
    assert.deepEqual(await refreshPlan(planned, adminConnect, run), []);
    assert.deepEqual(await refreshPlan(plannedStaging, adminConnect, run), []);
  });

  it("PUBLIC has nothing on the database or its schemas; a role outside the stack cannot connect", async () => {
    const db = await superuser("flightpro");
    const publicOnDatabase = await db.query("SELECT privilege_type FROM pg_database, aclexplode(datacl) WHERE datname = 'flightpro' AND grantee = 0");
    assert.deepEqual(publicOnDatabase.rows, []);
    const schemas = await db.query(
      "SELECT nspname, nspacl IS NULL AS default_acl, (SELECT count(*) FROM aclexplode(nspacl) WHERE grantee = 0)::int AS public FROM pg_namespace WHERE nspname IN ('public', $1) ORDER BY nspname",
      [MIGRATION_SCHEMA],
    );
    assert.deepEqual(schemas.rows.map((row) => [row.nspname, row.public]), [[MIGRATION_SCHEMA, 0], ["public", 0]]);
    await denied(connect({ user: "outsider", password: "outsider-password", database: "flightpro" }), INSUFFICIENT_PRIVILEGE, /permission denied for database "flightpro"/);
  });

  it("each login role has exactly CONNECT on the database; the provider's admin owns it", async () => {
    const db = await superuser("flightpro");
    const acl = await db.query(
      "SELECT pg_get_userbyid(grantee) AS grantee, array_agg(privilege_type ORDER BY privilege_type) AS privileges FROM pg_database, aclexplode(datacl) WHERE datname = 'flightpro' GROUP BY grantee ORDER BY 1",
    );
    const byGrantee = Object.fromEntries(acl.rows.map((row) => [row.grantee, row.privileges]));
    assert.deepEqual(byGrantee, {
      [planned.admin.username]: ["CONNECT", "CREATE", "TEMPORARY"],
      flightpro_app: ["CONNECT"],
      flightpro_migrator: ["CONNECT"],
      flightpro_readonly: ["CONNECT"],
    });
    const owner = await db.query("SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = 'flightpro'");
    assert.equal(owner.rows[0].owner, planned.admin.username);
  });

  it("no role is a superuser or may create roles, create databases, replicate or bypass row-level security; only the owner cannot log in", async () => {
    const db = await superuser();
    const roles = await db.query(
      "SELECT rolname, rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls, rolcanlogin, rolconnlimit FROM pg_roles WHERE rolname LIKE 'flightpro%' ORDER BY rolname",
    );
    const planLimits = Object.fromEntries(
      [...production.ofType(ROLE), ...staging.ofType(ROLE)].map((role) => [String(inputAt(role, "name")), Number(inputAt(role, "connectionLimit"))]),
    );
    assert.equal(roles.rows.length, 14, "owner, and migrator, app and readonly with their alternates, per stack");
    for (const row of roles.rows) {
      assert.deepEqual([row.rolsuper, row.rolcreaterole, row.rolcreatedb, row.rolreplication, row.rolbypassrls], [false, false, false, false, false], row.rolname);
      assert.equal(row.rolcanlogin, !row.rolname.endsWith("_owner"), row.rolname);
      assert.equal(row.rolconnlimit, planLimits[row.rolname], row.rolname);
    }
  });

  describe("after the migrations ran (as the migrator, with MIGRATION_DATABASE_URL)", () => {
    let migrator: Client;
    let app: Client;
    let readonly: Client;

    before(async () => {
      migrator = await connect(loginOf(production.resources, "flightpro_migrator"));
      // Alembic's version table where env.py puts it (version_table_schema), as Alembic defines it:
      // sqlalchemy/alembic@rel_1_19_1:alembic/ddl/impl.py `version_table_impl`.
      await migrator.query(`CREATE TABLE ${MIGRATION_SCHEMA}.alembic_version (version_num VARCHAR(32) NOT NULL, CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))`);
      await migrator.query(`INSERT INTO ${MIGRATION_SCHEMA}.alembic_version (version_num) VALUES ('0001_flights')`);
      await migrator.query("CREATE TABLE flights (id serial PRIMARY KEY, code text NOT NULL)");
      await migrator.query("CREATE TABLE bookings (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, flight_id int NOT NULL REFERENCES flights (id))");
      // A migration that runs as the migrator itself rather than the owner it assumes at login.
      await migrator.query("SET ROLE flightpro_migrator");
      await migrator.query("CREATE TABLE waitlist (id bigserial PRIMARY KEY, flight_id int NOT NULL)");
      await migrator.query("RESET ROLE");
      app = await connect(loginOf(production.resources, "flightpro_app"));
      readonly = await connect(login(applied, "readonly", "flightpro"));
    });

    it("the migrator acts as the owner; its tables land in public, Alembic's in the migration schema", async () => {
      assert.equal((await migrator.query("SELECT current_user")).rows[0].current_user, "flightpro_owner");
      const tables = await migrator.query("SELECT schemaname, tablename, tableowner FROM pg_tables WHERE schemaname IN ('public', $1) ORDER BY 1, 2", [MIGRATION_SCHEMA]);
      assert.deepEqual(tables.rows.map((row) => `${row.schemaname}.${row.tablename}:${row.tableowner}`), [
        `${MIGRATION_SCHEMA}.alembic_version:flightpro_owner`,
        "public.bookings:flightpro_owner",
        "public.flights:flightpro_owner",
        "public.waitlist:flightpro_migrator",
      ]);
    });

    it("the app reads and writes every table a migration created, whoever created it, through serial and identity keys", async () => {
      const flight = await app.query("INSERT INTO flights (code) VALUES ('FP100') RETURNING id");
      const id = flight.rows[0].id;
      await app.query("INSERT INTO bookings (flight_id) VALUES ($1)", [id]);
      await app.query("INSERT INTO waitlist (flight_id) VALUES ($1)", [id]);
      await app.query("UPDATE flights SET code = 'FP101' WHERE id = $1", [id]);
      assert.equal((await app.query("SELECT count(*)::int AS n FROM bookings JOIN flights ON flights.id = flight_id WHERE code = 'FP101'")).rows[0].n, 1);
      await app.query("DELETE FROM waitlist WHERE flight_id = $1", [id]);
    });

    it("readonly reads every table a migration created and writes nothing", async () => {
      for (const table of ["flights", "bookings", "waitlist"]) await readonly.query(`SELECT * FROM ${table}`);
      await denied(readonly.query("INSERT INTO flights (code) VALUES ('X')"), INSUFFICIENT_PRIVILEGE, /permission denied for table flights/);
      await denied(readonly.query("UPDATE waitlist SET flight_id = 0"), INSUFFICIENT_PRIVILEGE, /permission denied for table waitlist/);
      await denied(readonly.query("DELETE FROM bookings"), INSUFFICIENT_PRIVILEGE, /permission denied for table bookings/);
      await denied(readonly.query("SELECT nextval('flights_id_seq')"), INSUFFICIENT_PRIVILEGE, /permission denied for sequence flights_id_seq/);
    });

    it("app and readonly cannot touch Alembic's bookkeeping", async () => {
      for (const client of [app, readonly]) {
        await denied(client.query(`SELECT * FROM ${MIGRATION_SCHEMA}.alembic_version`), INSUFFICIENT_PRIVILEGE, new RegExp(`permission denied for schema ${MIGRATION_SCHEMA}`));
        await denied(client.query(`UPDATE ${MIGRATION_SCHEMA}.alembic_version SET version_num = 'x'`), INSUFFICIENT_PRIVILEGE, /permission denied for schema/);
        await denied(client.query(`DELETE FROM ${MIGRATION_SCHEMA}.alembic_version`), INSUFFICIENT_PRIVILEGE, /permission denied for schema/);
      }
    });

    it("the app cannot change the schema, create temporary tables or become another role", async () => {
      await denied(app.query("CREATE TABLE sneaky (id int)"), INSUFFICIENT_PRIVILEGE, /permission denied for schema public/);
      await denied(app.query("TRUNCATE flights CASCADE"), INSUFFICIENT_PRIVILEGE, /permission denied for table flights/);
      await denied(app.query("ALTER TABLE flights ADD COLUMN note text"), INSUFFICIENT_PRIVILEGE, /must be owner of table flights/);
      await denied(app.query("DROP TABLE waitlist"), INSUFFICIENT_PRIVILEGE, /must be owner of table waitlist/);
      for (const client of [app, readonly, migrator]) {
        await denied(client.query("CREATE TEMP TABLE scratch (id int)"), INSUFFICIENT_PRIVILEGE, /permission denied to create temporary tables in database "flightpro"/);
      }
      for (const role of ["flightpro_owner", "flightpro_migrator"]) {
        await denied(app.query(`SET ROLE ${role}`), INSUFFICIENT_PRIVILEGE, new RegExp(`permission denied to set role "${role}"`));
        await denied(readonly.query(`SET ROLE ${role}`), INSUFFICIENT_PRIVILEGE, /permission denied to set role/);
      }
    });

    it("the migrator cannot create schemas, roles or databases, even as the owner", async () => {
      await denied(migrator.query("CREATE SCHEMA sneaky"), INSUFFICIENT_PRIVILEGE, /permission denied for database flightpro/);
      await denied(migrator.query("CREATE ROLE sneaky"), INSUFFICIENT_PRIVILEGE, /permission denied to create role/);
      await denied(migrator.query("CREATE DATABASE sneaky"), INSUFFICIENT_PRIVILEGE, /permission denied to create database/);
    });

    it("a refresh after the migrations still shows no drift (the grants' read covers every table and sequence)", async () => {
      assert.deepEqual(await refreshPlan(planned, adminConnect, run), []);
    });

    it("a later apply (rotated passwords, every grant and default privilege updated) works as the same admin, with no drift after", async () => {
      // A rotation replaces the login roles' RandomPasswords (keepers: the rotation date), so the roles get new passwords.
      const rotated: RecordedResource[] = structuredClone(production.resources);
      for (const resource of rotated) {
        if (resource.type === ROLE && resource.inputs["login"] === true) resource.inputs["password"] = `rotated-${String(resource.inputs["name"])}-2026-11-20`;
      }
      const next = plannedDatabase(rotated);
      await updatePlan(planned, next, adminConnect, run, ["postgresql:index/grant:Grant", "postgresql:index/defaultPrivileges:DefaultPrivileges"]);
      applied = rotated;
      assert.deepEqual(await refreshPlan(next, adminConnect, run), []);
      assert.deepEqual(run.notices.filter((notice) => /privileges/i.test(notice)), []);
      const app = await connect({ user: "flightpro_app", password: "rotated-flightpro_app-2026-11-20", database: "flightpro" });
      assert.equal((await app.query("SELECT count(*)::int AS n FROM flights")).rows[0].n, 1);
      await denied(connect(loginOf(production.resources, "flightpro_app")), "28P01", /password authentication failed for user "flightpro_app"/);
    });
  });

  it("no login role reaches another stack's database on the same server", async () => {
    for (const kind of ["app", "readonly", "migrator"]) {
      await denied(connect(login(applied, kind, "flightpro_staging")), INSUFFICIENT_PRIVILEGE, /permission denied for database "flightpro_staging"/);
      await denied(connect(login(staging.resources, kind, "flightpro")), INSUFFICIENT_PRIVILEGE, /permission denied for database "flightpro"/);
    }
  });

  it("each login role gets exactly its configured number of sessions", async () => {
    const root = await superuser();
    const sessions = async (user: string) => (await root.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE usename = $1", [user])).rows[0].n as number;
    for (const kind of ["migrator", "readonly", "app"]) {
      const as = login(applied, kind, "flightpro");
      const limit = Number(inputAt(production.one(ROLE, `-db-${kind}`), "connectionLimit"));
      // No test holds a session of these roles yet; refused ones (other tests) may still be exiting.
      await until(async () => (await sessions(as.user)) === 0, `${as.user}'s refused sessions to end`);
      const open: Client[] = [];
      try {
        for (let session = 0; session < limit; session++) open.push(await server().connect(as.user, as.database, as.password));
        await denied(server().connect(as.user, as.database, as.password), TOO_MANY_CONNECTIONS, new RegExp(`too many connections for role "${as.user}"`));
      } finally {
        await Promise.all(open.map((client) => client.end()));
      }
    }
  });

  // Last (mocha runs nested suites after the outer tests): on a model that lets the migrator or the app drop the
  // database, this takes it with it.
  describe("finally", () => {
    it("neither the migrator nor the app can drop the database: only its owner, the provider's admin, can", async () => {
      for (const kind of ["migrator", "app"]) {
        const client = await connect(login(applied, kind, "postgres"));
        await denied(client.query("DROP DATABASE flightpro"), INSUFFICIENT_PRIVILEGE, /must be owner of database flightpro/);
      }
    });
  });
});
