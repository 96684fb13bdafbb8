import { strict as assert } from "node:assert";
import { execFile, execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { Client } from "pg";
import { CONTRIB_EXTENSIONS } from "../../../infra/backup/buildImage";
import { drillRegister, recoveryMetrics } from "../../../infra/backup/contract";
import { migrationBookkeeping } from "../../../infra/pipeline/migrations";
import { StackRun, inputAt, runSampleStack } from "../../harness";
import { Cluster, startCluster } from "../postgres/cluster";
import { quoteIdentifier } from "../postgres/providerHelpers";
import { ProviderRun, applyPlan, plannedDatabase } from "../postgres/plannedDatabase";
import { asJsonb } from "../../../tools/artifacts/standIns/posthogFlags";
import { AwsStandIn, buildOf, createAwsStandIn, sha256 } from "./standIn";

/**
 * The backup and restore-drill jobs of the production plan, run the way CodeBuild runs them: the
 * planned project's buildspec build command under bash, with the project's environment variables
 * (DATABASE_URL, a PARAMETER_STORE variable, resolved to the backup role's login), against a real
 * PostgreSQL server set up by applying the plan's database resources as terraform-provider-postgresql
 * does (test/integration/postgres), with the AWS CLI answered by a stand-in (aws-stand-in.cjs).
 *
 * PostgreSQL behaviour relied on: pg_dump needs SELECT on every table it dumps
 * (https://www.postgresql.org/docs/15/backup-dump.html); default privileges cover objects the named
 * role creates later (https://www.postgresql.org/docs/15/sql-alterdefaultprivileges.html);
 * pg_restore fails on a file that is not an archive it can read
 * (https://www.postgresql.org/docs/15/app-pgrestore.html).
 */

const PROJECT = "aws:codebuild/project:Project";
const SCHEMA = migrationBookkeeping.versionTableSchema;
const HEAD = "0002_waitlist";
const BUCKET = "flightpro-db-backups-production";
const REGISTER = drillRegister.parameterName("flightpro", "production");

interface JobRun {
  status: number;
  out: string;
}

describe("backup and restore-drill jobs against a real PostgreSQL server (the production plan's projects, run as CodeBuild runs them)", function () {
  this.timeout(120_000);
  let cluster: Cluster | undefined;
  let production: StackRun;
  let aws: AwsStandIn;
  let backupUrl: string;
  let backupPassword: string;
  let migrator: Client;
  const clients: Client[] = [];
  const run: ProviderRun = { log: [], notices: [] };

  const project = (suffix: string) => production.one(PROJECT, suffix);
  const runJob = (suffix: string, extraEnv: Record<string, string> = {}): Promise<JobRun> => {
    const { command, env } = buildOf(project(suffix), { "/flightdeck/flightpro/production/backup/database-url": backupUrl });
    return new Promise((resolve) => {
      execFile(
        "bash",
        // --norc: bash reads ~/.bashrc when it thinks a remote shell started it (stdin a socket, as
        // libuv's pipes are, and no SHLVL): the machine's rc file is not the job's environment.
        ["--norc", "--noprofile", "-c", command],
        {
          // The build image's PATH has the sbin directories (the drill starts its server with runuser); a CI step's need not.
          env: { PATH: `${aws.binDir}:${process.env["PATH"] ?? ""}:/usr/sbin:/sbin`, AWS_STAND_IN_DIR: aws.stateDir, PG_BIN: cluster!.bin, ...env, ...extraEnv },
          encoding: "utf8",
          timeout: 60_000,
        },
        (error, stdout, stderr) => resolve({ status: error ? Number(error.code ?? 1) : 0, out: stdout + stderr }),
      );
    });
  };
  const record = () => JSON.parse(aws.parameter(REGISTER) ?? "{}") as Record<string, unknown>;
  const completedBackups = () => aws.metrics().filter((metric) => metric.MetricName === recoveryMetrics.backupCompleted).length;

  before(async () => {
    production = await runSampleStack("production");
    const planned = plannedDatabase(production.resources);
    cluster = await startCluster();
    const root = await cluster.connect(cluster.superuser, "postgres");
    clients.push(root);
    await root.query(`CREATE ROLE ${quoteIdentifier(planned.admin.username)} LOGIN NOSUPERUSER CREATEROLE CREATEDB PASSWORD '${planned.admin.password.replaceAll("'", "''")}'`);
    await applyPlan(planned, (user, database, password) => cluster!.connect(user, database, password), run);

    const loginOf = (role: string) => {
      const resource = production.ofType("postgresql:index/role:Role").find((candidate) => inputAt(candidate, "name") === role);
      if (!resource) throw new Error(`no role ${role} in the plan`);
      return { user: role, password: String(inputAt(resource, "password")) };
    };
    const backup = loginOf("flightpro_backup");
    backupPassword = backup.password;
    // The plan's connection string names the server's host; here the server listens on a Unix socket (libpq: host as a query parameter).
    backupUrl = `postgresql://${backup.user}:${encodeURIComponent(backup.password)}@/flightpro?host=${encodeURIComponent(cluster.socketDir)}&port=5432`;
    const owner = loginOf("flightpro_migrator");
    migrator = await cluster.connect(owner.user, "flightpro", owner.password);
    clients.push(migrator);
    // The migrations, as the migrator runs them (it acts as the owner role at login), and data.
    await migrator.query(`CREATE TABLE ${SCHEMA}.alembic_version (version_num VARCHAR(32) NOT NULL, CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))`);
    await migrator.query(`INSERT INTO ${SCHEMA}.alembic_version (version_num) VALUES ($1)`, [HEAD]);
    await migrator.query("CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL)");
    await migrator.query("CREATE TABLE flights (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, code text NOT NULL, pilot int REFERENCES users (id))");
    await migrator.query("INSERT INTO users (email) SELECT 'pilot' || n || '@flightpro.test' FROM generate_series(1, 40) AS n");
    await migrator.query("INSERT INTO flights (code, pilot) SELECT 'FP' || n, 1 + n % 40 FROM generate_series(1, 250) AS n");
    aws = createAwsStandIn();
  });

  after(async () => {
    await Promise.all(clients.map((client) => client.end().catch(() => undefined)));
    cluster?.stop();
    aws?.remove();
  });

  it("the backup role reads every table, Alembic's included, and can change nothing", async () => {
    const backup = await cluster!.connect("flightpro_backup", "flightpro", backupPassword);
    clients.push(backup);
    assert.equal((await backup.query("SELECT count(*)::int AS n FROM flights")).rows[0].n, 250);
    assert.equal((await backup.query(`SELECT version_num FROM ${SCHEMA}.alembic_version`)).rows[0].version_num, HEAD);
    for (const statement of ["INSERT INTO users (email) VALUES ('x')", "DELETE FROM flights", `UPDATE ${SCHEMA}.alembic_version SET version_num = 'x'`, "CREATE TABLE sneaky (id int)"]) {
      await assert.rejects(backup.query(statement), (error: Error & { code?: string }) => error.code === "42501", statement);
    }
  });

  it("the backup job dumps the database (custom format), uploads it with its checksum and migration head, and publishes completion and size", async () => {
    const result = await runJob("-dr-jobs-backup");
    assert.equal(result.status, 0, result.out);
    const keys = aws.objectKeys(BUCKET);
    assert.equal(keys.length, 1);
    assert.match(keys[0]!, /^postgres\/\d{4}\/\d{2}\/\d{2}\/\d{8}T\d{6}Z\.dump$/);
    const dump = aws.object(BUCKET, keys[0]!);
    // pg_dump's custom format starts with the magic "PGDMP" (pg_backup_archiver.c).
    assert.equal(dump.subarray(0, 5).toString("latin1"), "PGDMP");
    const metadata = aws.metadata(BUCKET, keys[0]!);
    assert.equal(metadata["sha256"], sha256(dump));
    assert.equal(metadata["migration-head"], HEAD);
    const metrics = aws.metrics();
    assert.deepEqual(
      metrics.map((metric) => [metric.Namespace, metric.MetricName, metric.Unit]),
      [
        ["FlightPro/production", recoveryMetrics.backupCompleted, "Count"],
        ["FlightPro/production", recoveryMetrics.backupSizeBytes, "Bytes"],
      ],
    );
    assert.equal(metrics[1]!.Value, dump.length);
    assert.ok(!result.out.includes(backupPassword), "the database password is never printed");
  });

  it("the next backup also publishes its size relative to the one before", async () => {
    await new Promise((resolve) => setTimeout(resolve, 1100)); // keys have one-second resolution
    const result = await runJob("-dr-jobs-backup");
    assert.equal(result.status, 0, result.out);
    const ratio = aws.metrics().filter((metric) => metric.MetricName === recoveryMetrics.backupSizeRatio);
    assert.equal(ratio.length, 1);
    assert.ok(ratio[0]!.Value > 0.9 && ratio[0]!.Value < 1.1, `ratio ${ratio[0]!.Value}`);
  });

  it("the drill restores the newest backup into a throwaway server, counts the tables, checks the head, records the time and updates the register", async () => {
    const result = await runJob("-dr-jobs-drill");
    assert.equal(result.status, 0, result.out);
    const newest = aws.objectKeys(BUCKET).at(-1);
    const entry = record();
    assert.equal(entry["status"], "passed");
    assert.equal(entry["backupKey"], newest);
    assert.equal(entry["migrationHead"], HEAD);
    assert.deepEqual(entry["rowCounts"], { "public.users": 40, "public.flights": 250 });
    assert.deepEqual([entry["rpoMinutes"], entry["rtoMinutes"], entry["budgetSeconds"]], [60, 240, 3600]);
    assert.equal(entry["lastPassed"], entry["lastRun"]);
    const seconds = aws.metrics().filter((metric) => metric.MetricName === recoveryMetrics.drillSeconds);
    assert.equal(seconds.length, 1);
    assert.equal(seconds[0]!.Unit, "Seconds");
    assert.equal(seconds[0]!.Value, entry["recoverySeconds"]);
  });

  it("a corrupt backup fails the drill, and the register keeps the last passing run", async () => {
    const passed = record();
    const newest = aws.objectKeys(BUCKET).at(-1)!;
    const garbage = Buffer.from("PGDMP this is not an archive pg_restore can read\n".repeat(40));
    aws.replaceObject(BUCKET, newest, garbage, { ...aws.metadata(BUCKET, newest), sha256: sha256(garbage) });
    const result = await runJob("-dr-jobs-drill");
    assert.notEqual(result.status, 0);
    assert.match(result.out, /restore drill failed: pg_restore could not read postgres\/\S+\.dump as an archive/);
    const entry = record();
    assert.equal(entry["status"], "failed");
    assert.match(String(entry["failure"]), /pg_restore could not read .* as an archive/);
    assert.equal(entry["lastPassed"], passed["lastPassed"]);
    assert.notEqual(entry["lastRun"], undefined);
  });

  it("an empty backup, and one that is not the object the backup job wrote, fail the drill", async () => {
    const newest = aws.objectKeys(BUCKET).at(-1)!;
    const empty = Buffer.alloc(0);
    aws.replaceObject(BUCKET, newest, empty, { ...aws.metadata(BUCKET, newest), sha256: sha256(empty) });
    const emptyRun = await runJob("-dr-jobs-drill");
    assert.notEqual(emptyRun.status, 0);
    assert.match(emptyRun.out, /pg_restore could not read .* as an archive/);
    aws.replaceObject(BUCKET, newest, Buffer.from("tampered"));
    const tampered = await runJob("-dr-jobs-drill");
    assert.notEqual(tampered.status, 0);
    assert.match(tampered.out, /is not the object the backup job wrote/);
    assert.equal(record()["status"], "failed");
  });

  it("a restored table with fewer rows than its minimum fails the drill", async () => {
    await new Promise((resolve) => setTimeout(resolve, 1100));
    assert.equal((await runJob("-dr-jobs-backup")).status, 0);
    const result = await runJob("-dr-jobs-drill", { DRILL_TABLES: "public.users:1 public.flights:1000" });
    assert.notEqual(result.status, 0);
    assert.match(result.out, /table public\.flights has 250 rows after the restore, fewer than 1000/);
  });

  it("a database without a migration head is no backup: the job fails and publishes no completion", async () => {
    const before = completedBackups();
    const objects = aws.objectKeys(BUCKET).length;
    await migrator.query(`DELETE FROM ${SCHEMA}.alembic_version`);
    try {
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const result = await runJob("-dr-jobs-backup");
      assert.notEqual(result.status, 0);
      assert.match(result.out, /the dump holds no migration head/);
      assert.equal(completedBackups(), before);
      assert.equal(aws.objectKeys(BUCKET).length, objects);
    } finally {
      await migrator.query(`INSERT INTO ${SCHEMA}.alembic_version (version_num) VALUES ($1)`, [HEAD]);
    }
  });

  // The jobs' prerequisites (issue 18, finding 8), against the same server.
  it("a server of a newer major version than the job's pg_dump: the job stops at its start, names both versions and the setting, and dumps nothing", async () => {
    // pg_dump "cannot dump from PostgreSQL servers newer than its own major version; it will refuse to even try"
    // (https://www.postgresql.org/docs/15/app-pgdump.html): a pg_dump that reports 14 stands for an older client.
    const shims = mkdtempSync(path.join(tmpdir(), "flightdeck-pgdump-"));
    try {
      writeFileSync(path.join(shims, "pg_dump"), '#!/bin/sh\nif [ "$1" = --version ]; then echo "pg_dump (PostgreSQL) 14.11"; exit 0; fi\necho "pg_dump must not run" >&2; exit 3\n');
      chmodSync(path.join(shims, "pg_dump"), 0o755);
      const before = completedBackups();
      const objects = aws.objectKeys(BUCKET).length;
      const result = await runJob("-dr-jobs-backup", { PATH: `${shims}:${aws.binDir}:${process.env["PATH"] ?? ""}` });
      assert.notEqual(result.status, 0);
      assert.match(result.out, new RegExp(`the database server runs PostgreSQL ${cluster!.majorVersion} \\(server_version_num ${cluster!.majorVersion}\\d{4}\\) and this job's pg_dump is 14: .*set flightdeck:disasterRecovery\\.backups\\.postgresVersion to ${cluster!.majorVersion} or later`));
      assert.doesNotMatch(result.out, /must not run/);
      assert.equal(completedBackups(), before);
      assert.equal(aws.objectKeys(BUCKET).length, objects);
    } finally {
      rmSync(shims, { recursive: true, force: true });
    }
  });

  it("row-level security: pg_dump as the backup role (NOBYPASSRLS) fails on such a table, so the job refuses at its start, naming it", async () => {
    await migrator.query("CREATE TABLE crew_notes (id serial PRIMARY KEY, body text)");
    await migrator.query("INSERT INTO crew_notes (body) VALUES ('pre-flight')");
    await migrator.query("ALTER TABLE crew_notes ENABLE ROW LEVEL SECURITY");
    try {
      // The rule itself, from the real pg_dump: row_security off and a role that cannot bypass it is an error
      // (https://www.postgresql.org/docs/15/app-pgdump.html, --enable-row-security).
      const direct = (() => {
        try {
          execFileSync(path.join(cluster!.bin, "pg_dump"), ["--format=custom", "--file=/dev/null", `--dbname=${backupUrl}`], { encoding: "utf8", stdio: "pipe" });
          return "";
        } catch (error) {
          return String((error as { stderr?: string }).stderr ?? error);
        }
      })();
      assert.match(direct, /query would be affected by row-level security policy for table "crew_notes"/);
      const before = completedBackups();
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const result = await runJob("-dr-jobs-backup");
      assert.notEqual(result.status, 0);
      assert.match(result.out, /backup: row-level security is enabled on public\.crew_notes; the backup role does not bypass it/);
      assert.equal(completedBackups(), before);
    } finally {
      await migrator.query("DROP TABLE crew_notes");
    }
  });

  it("extensions: a backup that creates one restores when the drill declares it (the plan's pg_trgm), and fails the drill by name when not", async () => {
    const owner = await cluster!.connect(cluster!.superuser, "flightpro");
    clients.push(owner);
    await owner.query("CREATE EXTENSION pg_trgm");
    try {
      await new Promise((resolve) => setTimeout(resolve, 1100));
      assert.equal((await runJob("-dr-jobs-backup")).status, 0);
      const declared = await runJob("-dr-jobs-drill");
      assert.equal(declared.status, 0, declared.out);
      const undeclared = await runJob("-dr-jobs-drill", { DRILL_EXTENSIONS: "" });
      assert.notEqual(undeclared.status, 0);
      assert.match(undeclared.out, /the backup creates extension pg_trgm, which flightdeck:disasterRecovery\.drill\.extensions does not declare/);
    } finally {
      await owner.query("DROP EXTENSION pg_trgm");
    }
  });

  it("every contrib extension the config accepts is one the real server's contrib installs (its control file)", () => {
    const shareDir = execFileSync(path.join(cluster!.bin, "pg_config"), ["--sharedir"], { encoding: "utf8" }).trim();
    const missing = CONTRIB_EXTENSIONS.filter((name) => !existsSync(path.join(shareDir, "extension", `${name}.control`)));
    assert.deepEqual(missing, []);
  });

  it("the PostHog stand-in orders object keys as the real server's jsonb does", async () => {
    // tools/artifacts/standIns/posthogFlags.ts asJsonb: what PostHog's jsonb column gives back to a refresh.
    const filters = { groups: [{ rollout_percentage: 100, properties: [{ key: "distinct_id", type: "person", operator: "exact", value: ["a"] }] }], aggregation_group_type_index: null, zz: 1, ab: 2 };
    const owner = clients[0]!;
    const { rows } = await owner.query<{ text: string }>("SELECT $1::jsonb::text AS text", [JSON.stringify(filters)]);
    assert.equal(JSON.stringify(JSON.parse(rows[0]!.text)), JSON.stringify(asJsonb(filters)));
    assert.notEqual(JSON.stringify(asJsonb(filters)), JSON.stringify(filters), "the order differs from the one written");
  });
});
