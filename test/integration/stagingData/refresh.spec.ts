import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import { Client } from "pg";
import { BACKUP_SCRIPT } from "../../../infra/backup/scripts";
import { REFRESH_SCRIPT } from "../../../infra/stagingData/refreshScript";
import { AwsStandIn, createAwsStandIn } from "../backup/standIn";
import { Cluster, startCluster } from "../postgres/cluster";

/**
 * The staging refresh against a real PostgreSQL server: a "production" database holding personal
 * data is backed up by the backup job's own script (so the object and its metadata are what the
 * job writes), then the refresh script restores it into a throwaway server, masks it by the rules
 * and loads staging, as a staging login role that owns staging's tables (a migration's tables are
 * the owner's). Afterwards no original personal value is anywhere in staging (read back with
 * pg_dump), joins still join, and a column no rule classifies stops the refresh with staging untouched.
 */

const BUCKET = "flightpro-db-backups-production";
const PREFIX = "postgres/";
const SCHEMA_SQL = [
  "CREATE SCHEMA alembic",
  "CREATE TABLE alembic.alembic_version (version_num varchar(32) PRIMARY KEY)",
  "CREATE TABLE public.users (id serial PRIMARY KEY, public_id uuid NOT NULL UNIQUE, name text NOT NULL, email text NOT NULL UNIQUE, referred_by uuid, created_at timestamptz NOT NULL DEFAULT now())",
  "CREATE TABLE public.flights (id serial PRIMARY KEY, user_id integer NOT NULL REFERENCES public.users (id), booked_by uuid NOT NULL REFERENCES public.users (public_id), code text NOT NULL, notes text)",
];
const RULES: Record<string, string> = {
  "alembic.alembic_version.version_num": "keep",
  "public.users.id": "keep",
  "public.users.public_id": "hash",
  "public.users.name": "fake-name",
  "public.users.email": "fake-email",
  "public.users.referred_by": "hash",
  "public.users.created_at": "keep",
  "public.flights.id": "keep",
  "public.flights.user_id": "keep",
  "public.flights.booked_by": "hash",
  "public.flights.code": "keep",
  "public.flights.notes": "null",
};
const PEOPLE = [
  { publicId: "0b6c7a52-1f43-4d2e-9a51-3c8e2f7d9a01", name: "Amelia Earhart", email: "amelia@lockheed.example.com" },
  { publicId: "5d2e8f14-7a3b-4c6d-8e9f-0a1b2c3d4e5f", name: "Bessie Coleman", email: "bessie.coleman@flying.example.org" },
  { publicId: "9e8d7c6b-5a49-4382-b1f0-e9d8c7b6a594", name: "Jean Batten", email: "jean+logbook@batten.example.net" },
];

describe("staging refresh from a production backup with personal data (a real PostgreSQL server)", function () {
  this.timeout(120_000);
  let cluster: Cluster;
  let aws: AwsStandIn;
  const clients: Client[] = [];
  const socket = () => cluster.socketDir;
  const url = (user: string, password: string, database: string) => `postgresql://${user}:${password}@/${database}?host=${encodeURIComponent(socket())}&port=5432`;

  const bash = (script: string, env: Record<string, string>): Promise<{ status: number; out: string }> =>
    new Promise((resolve) => {
      execFile(
        "bash",
        ["--norc", "--noprofile", "-c", script],
        { env: { PATH: `${aws.binDir}:${process.env["PATH"] ?? ""}:/usr/sbin:/sbin`, AWS_STAND_IN_DIR: aws.stateDir, PG_BIN: cluster.bin, ...env }, encoding: "utf8", timeout: 60_000 },
        (error, stdout, stderr) => resolve({ status: error ? Number(error.code ?? 1) : 0, out: stdout + stderr }),
      );
    });
  const backup = async () => {
    const result = await bash(BACKUP_SCRIPT, { DATABASE_URL: url("prod_reader", "reader-password", "production"), BACKUP_BUCKET: BUCKET, BACKUP_PREFIX: PREFIX, METRICS_NAMESPACE: "FlightPro/production", RPO_MINUTES: "60" });
    assert.equal(result.status, 0, result.out);
  };
  const refresh = (rules = RULES) =>
    bash(REFRESH_SCRIPT, {
      BACKUP_BUCKET: BUCKET,
      BACKUP_PREFIX: PREFIX,
      MASKING_RULES: JSON.stringify(rules),
      MASKING_KEY: "masking-key-for-the-test",
      STAGING_DATABASE_URL: url("staging_loader", "loader-password", "staging"),
    });
  const stagingDump = async () => {
    const result = await bash(`pg_dump --data-only -h "${socket()}" -p 5432 -U ${cluster.superuser} -d staging`, {});
    assert.equal(result.status, 0, result.out);
    // pg_dump (15.18 here) brackets a plain dump with \restrict/\unrestrict and a random key each time: not data.
    return result.out.replace(/^\\(un)?restrict \S+$/gm, "");
  };
  const query = async (database: string, sql: string) => {
    const client = await cluster.connect(cluster.superuser, database);
    clients.push(client);
    return (await client.query(sql)).rows;
  };

  before(async () => {
    cluster = await startCluster();
    aws = createAwsStandIn();
    const root = await cluster.connect(cluster.superuser, "postgres");
    clients.push(root);
    await root.query("CREATE ROLE prod_reader LOGIN PASSWORD 'reader-password'");
    await root.query("CREATE ROLE staging_loader LOGIN PASSWORD 'loader-password'");
    await root.query("CREATE DATABASE production");
    await root.query("CREATE DATABASE staging");
    const production = await cluster.connect(cluster.superuser, "production");
    clients.push(production);
    for (const sql of SCHEMA_SQL) await production.query(sql);
    await production.query("INSERT INTO alembic.alembic_version VALUES ('0003_referrals')");
    for (const [index, person] of PEOPLE.entries()) {
      await production.query("INSERT INTO users (public_id, name, email, referred_by) VALUES ($1, $2, $3, $4)", [person.publicId, person.name, person.email, index === 0 ? null : PEOPLE[0]!.publicId]);
    }
    await production.query(`INSERT INTO flights (user_id, booked_by, code, notes) VALUES (1, '${PEOPLE[0]!.publicId}', 'FP100', 'window seat for Amelia Earhart'), (2, '${PEOPLE[1]!.publicId}', 'FP200', NULL), (3, '${PEOPLE[0]!.publicId}', 'FP300', 'Jean Batten, vegetarian')`);
    await production.query("GRANT USAGE ON SCHEMA alembic TO prod_reader; GRANT SELECT ON ALL TABLES IN SCHEMA public, alembic TO prod_reader; GRANT SELECT ON ALL SEQUENCES IN SCHEMA public TO prod_reader");
    // Staging: the same migrations, its tables owned by the role that loads them.
    const staging = await cluster.connect(cluster.superuser, "staging");
    clients.push(staging);
    for (const sql of SCHEMA_SQL) await staging.query(sql);
    await staging.query("INSERT INTO alembic.alembic_version VALUES ('0004_newer_on_staging')");
    await staging.query("ALTER TABLE public.users OWNER TO staging_loader; ALTER TABLE public.flights OWNER TO staging_loader; ALTER SEQUENCE public.users_id_seq OWNER TO staging_loader; ALTER SEQUENCE public.flights_id_seq OWNER TO staging_loader");
    await staging.query("INSERT INTO users (public_id, name, email) VALUES ('11111111-2222-3333-4444-555555555555', 'Old Staging Row', 'old@staging.example.com')");
    await backup();
  });

  after(async () => {
    await Promise.all(clients.map((client) => client.end().catch(() => undefined)));
    cluster?.stop();
    aws?.remove();
  });

  it("loads the masked copy: no original personal value is left in staging, joins still join, staging keeps its migration head", async () => {
    const result = await refresh();
    assert.equal(result.status, 0, result.out);
    assert.ok(!result.out.includes("masking-key-for-the-test"), "the key is never printed");
    const dump = await stagingDump();
    for (const person of PEOPLE) {
      for (const value of [person.name, person.email, person.publicId, ...person.name.split(" "), person.email.split("@")[0]!]) {
        assert.ok(!dump.includes(value), `${value} reached staging`);
      }
    }
    assert.ok(!dump.includes("Old Staging Row"), "staging's own rows were replaced");
    const users = await query("staging", "SELECT id, name, email, public_id::text AS public_id, referred_by::text AS referred_by FROM users ORDER BY id");
    assert.equal(users.length, 3);
    for (const user of users) {
      assert.match(user.name, /^Person [0-9A-F]{6}$/);
      assert.match(user.email, /^user-[0-9a-f]{16}@example\.invalid$/);
    }
    assert.equal(new Set(users.map((user) => user.email)).size, 3, "unique stays unique");
    assert.equal(users[1].referred_by, users[0].public_id, "a hashed reference still names the hashed key");
    const joined = await query("staging", "SELECT f.code, u.id FROM flights f JOIN users u ON u.public_id = f.booked_by ORDER BY f.code");
    assert.deepEqual(joined.map((row) => [row.code, row.id]), [["FP100", 1], ["FP200", 2], ["FP300", 1]]);
    assert.deepEqual((await query("staging", "SELECT count(*)::int AS n FROM flights WHERE notes IS NOT NULL"))[0].n, 0);
    assert.deepEqual(await query("staging", "SELECT version_num FROM alembic.alembic_version"), [{ version_num: "0004_newer_on_staging" }]);
  });

  it("stops on a column no rule classifies, before anything reaches staging", async () => {
    const production = await cluster.connect(cluster.superuser, "production");
    clients.push(production);
    await production.query("ALTER TABLE users ADD COLUMN phone text; UPDATE users SET phone = '+1-555-0100-' || id; GRANT SELECT ON users TO prod_reader");
    await new Promise((resolve) => setTimeout(resolve, 1100)); // backup keys have one-second resolution
    await backup();
    const before = await stagingDump();
    const result = await refresh();
    assert.notEqual(result.status, 0);
    assert.match(result.out, /staging refresh failed: the restored schema has columns no masking rule classifies \(add each to flightdeck:stagingData\.masking\): public\.users\.phone/);
    assert.equal(await stagingDump(), before, "staging is untouched");
    assert.ok(!before.includes("+1-555-0100"));
  });

  it("a strategy that does not fit the column's type fails the refresh and leaves staging as it was", async () => {
    const before = await stagingDump();
    const result = await refresh({ ...RULES, "public.users.phone": "keep", "public.flights.user_id": "hash" });
    assert.notEqual(result.status, 0);
    assert.match(result.out, /staging refresh failed: masking failed/);
    assert.equal(await stagingDump(), before);
  });
});
