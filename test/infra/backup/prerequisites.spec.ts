import { strict as assert } from "node:assert";
import { parse } from "yaml";
import { pgvectorInstallCommands, postgresPackages } from "../../../infra/backup/buildImage";
import { buildspec, renderBuildspec } from "../../../infra/backup/buildspec";
import { writerPermissions } from "../../../infra/backup/documents";
import { DRILL_SCRIPT } from "../../../infra/backup/scripts";
import { disasterRecovery, disasterRecoveryProblems, privateHostReason } from "../../../infra/backup/settings";

/**
 * The backup jobs' prerequisites as the plan checks them (issue 18, finding 8): a PostgreSQL version the
 * build image packages, a database host the job can reach, extensions the drill can install. The jobs'
 * own checks run against a real server in test/integration/backup/backupScripts.spec.ts.
 */

const base = {
  backups: { bucketName: "flightpro-db-backups-production", connection: { via: "public", host: "ballast.proxy.rlwy.net", port: 41822 } },
  drill: { tables: [{ name: "users" }] },
  platforms: { netlify: { siteName: "flightpro-web" }, fly: { app: "flightpro-api" } },
  runbook: { statusPageUrl: "https://status.flightpro.com", roles: { incidentCommander: "a", communications: "b", platform: "c", database: "d" } },
};
type Raw = { backups: Record<string, unknown>; drill: Record<string, unknown> };

function problemsOf(change: (raw: Raw) => void, database = { host: "db.flightpro.internal", port: 5432 }): string[] {
  const raw: Raw = structuredClone(base);
  change(raw);
  const recovery = disasterRecovery.parse(raw);
  return disasterRecoveryProblems({ disasterRecovery: recovery, model: "staging-prod", database, alerts: {}, web: {}, api: {} });
}

describe("backups' prerequisites: what the plan refuses before a job could fail", () => {
  it("accepts a public proxy in front of a private database, with a packaged PostgreSQL and contrib and pgvector extensions", () => {
    assert.deepEqual(problemsOf((raw) => (raw.drill["extensions"] = ["pg_trgm", "uuid-ossp", "vector"])), []);
  });

  it("refuses a PostgreSQL version Amazon Linux 2023 does not package (the jobs' image installs postgresqlNN with dnf)", () => {
    assert.deepEqual(problemsOf((raw) => (raw.backups["postgresVersion"] = 14)), [
      "flightdeck:disasterRecovery.backups.postgresVersion: the backup jobs' image (CodeBuild's Amazon Linux 2023) packages PostgreSQL 15, 16, 18, not 14: choose the server's major version or a newer one of those (pg_dump refuses a server newer than itself)",
    ]);
    assert.equal(problemsOf((raw) => (raw.backups["postgresVersion"] = 17)).length, 1);
    assert.deepEqual(problemsOf((raw) => (raw.backups["postgresVersion"] = 16)), []);
  });

  it("refuses, without a VPC, a database host only a private network resolves; names the key and both ways out", () => {
    const problems = problemsOf((raw) => (raw.backups["connection"] = { via: "public" }));
    assert.deepEqual(problems, [
      "flightdeck:disasterRecovery.backups.connection: the backup job runs in CodeBuild without a VPC and reaches only public hosts, but flightdeck:database.host db.flightpro.internal is under .internal, reserved for private networks: " +
        "give a public proxy's host and port (connection.host, connection.port), or via: vpc with the VPC, subnets and security groups that reach the database",
    ]);
    assert.match(problemsOf((raw) => (raw.backups["connection"] = { via: "public", host: "postgres.railway.internal" }))[0]!, /^flightdeck:disasterRecovery\.backups\.connection\.host: .*postgres\.railway\.internal is a Railway private-network name/);
    // A public database host needs no proxy; a VPC reaches a private one.
    assert.deepEqual(problemsOf((raw) => (raw.backups["connection"] = { via: "public" }), { host: "db.flightpro.com", port: 5432 }), []);
    assert.deepEqual(problemsOf((raw) => (raw.backups["connection"] = { via: "vpc", vpcId: "vpc-0abc1234", subnetIds: ["subnet-0abc1234"], securityGroupIds: ["sg-0abc1234"] })), []);
  });

  it("names private-use DNS names by the rule that reserves them, and lets public names through", () => {
    for (const host of ["db.internal", "pg.local", "localhost", "nas.home.arpa", "db.corp", "db.lan"]) assert.ok(privateHostReason(host), host);
    for (const host of ["ballast.proxy.rlwy.net", "db.flightpro.com", "internal.example.com"]) assert.equal(privateHostReason(host), undefined, host);
    // Addresses: RFC 1918 private use, loopback, link-local, RFC 6598 shared, RFC 4193 unique-local (RFC 6890's registries).
    for (const host of ["10.1.2.3", "172.31.0.5", "192.168.1.10", "127.0.0.1", "169.254.10.1", "100.64.0.1", "::1", "[fd12:3456::1]", "fe80::1"]) assert.ok(privateHostReason(host), host);
    for (const host of ["34.120.5.6", "172.32.0.1", "2600:1f18::1"]) assert.equal(privateHostReason(host), undefined, host);
  });

  it("refuses an extension the drill cannot install, and plpgsql (built in)", () => {
    assert.deepEqual(problemsOf((raw) => (raw.drill["extensions"] = ["postgis", "plpgsql"])), [
      'flightdeck:disasterRecovery.drill.extensions[0]: "postgis" is neither a contrib module (postgresql15-contrib) nor vector (pgvector): the drill cannot install it',
      "flightdeck:disasterRecovery.drill.extensions[1]: plpgsql is built into every server: remove it",
    ]);
  });

  it("the drill's install phase: contrib's package for a contrib extension; pgvector from its tagged source with the server's headers", () => {
    // pgvector/pgvector README, "Installation" (git clone --branch v<version>; make; make install) and "Missing Header".
    const spec = parse(renderBuildspec(buildspec(DRILL_SCRIPT, postgresPackages(15, { server: true, extensions: ["pg_trgm", "vector"] }), { ensureUser: "postgres", installCommands: pgvectorInstallCommands("0.8.1") }))) as {
      phases: { install: { commands: string[] } };
    };
    assert.deepEqual(spec.phases.install.commands, [
      "dnf install -y -q postgresql15 postgresql15-server postgresql15-contrib postgresql15-server-devel",
      "id postgres > /dev/null 2>&1 || useradd --system postgres",
      "git clone --quiet --depth 1 --branch v0.8.1 https://github.com/pgvector/pgvector.git /tmp/pgvector",
      "make -s -C /tmp/pgvector",
      "make -s -C /tmp/pgvector install",
    ]);
    assert.deepEqual(postgresPackages(16, { server: false }), ["postgresql16"]);
  });

  it("a backup job in a VPC may create its network interface only in its subnets, for CodeBuild", () => {
    const document = writerPermissions({
      accountId: "123456789012",
      region: "us-east-1",
      logGroupName: "/flightdeck/x",
      metricsNamespace: "FlightPro/production",
      bucketName: "b",
      prefix: "postgres/",
      keyArn: "arn:aws:kms:us-east-1:123456789012:key/k",
      credentialsParameterArn: "arn:aws:ssm:us-east-1:123456789012:parameter/p",
      vpcSubnetIds: ["subnet-0abc1234"],
    });
    const attach = document.Statement.find((statement) => statement.Sid === "AttachBuildNetworkInterface");
    assert.deepEqual(attach?.Condition, {
      StringEquals: { "ec2:Subnet": ["arn:aws:ec2:us-east-1:123456789012:subnet/subnet-0abc1234"], "ec2:AuthorizedService": "codebuild.amazonaws.com" },
    });
    assert.equal(writerPermissions({ accountId: "1", region: "r", logGroupName: "l", metricsNamespace: "n", bucketName: "b", prefix: "p/", keyArn: "k", credentialsParameterArn: "c" }).Statement.some((statement) => statement.Sid === "AttachBuildNetworkInterface"), false);
  });
});
