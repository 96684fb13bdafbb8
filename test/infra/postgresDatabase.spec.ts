import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { RecordedResource, StackRun, inputAt, runSampleStack, stringLeaves as leaves } from "../harness";
import { offlineMocks } from "../../tools/offline/mocks";
import { connectionUrl } from "../../infra/database/connectionUrl";
import { privilegePlan } from "../../infra/database/privileges";
import { migrationBookkeeping } from "../../infra/pipeline/migrations";
import { PostgresDatabase } from "../../infra/database/postgresDatabase";
import { database as databaseSchema } from "../../infra/config/schema";

const PROVIDER = "pulumi:providers:postgresql";
const ROLE = "postgresql:index/role:Role";
const DATABASE = "postgresql:index/database:Database";
const SCHEMA = "postgresql:index/schema:Schema";
const GRANT = "postgresql:index/grant:Grant";
const DEFAULT_PRIVILEGES = "postgresql:index/defaultPrivileges:DefaultPrivileges";
const PASSWORD = "random:index/randomPassword:RandomPassword";
const COMPONENT = "flightdeck:database:PostgresDatabase";

const DML = ["DELETE", "INSERT", "SELECT", "UPDATE"];

function privileges(resource: RecordedResource): string[] {
  return (inputAt(resource, "privileges") as string[]).slice().sort();
}

function grantsOf(run: StackRun): RecordedResource[] {
  return [...run.ofType(GRANT), ...run.ofType(DEFAULT_PRIVILEGES)];
}

describe("PostgresDatabase", () => {
  let production: StackRun;
  before(async () => {
    // Without disaster recovery: its backup role is judged in test/integration/backup.
    production = await runSampleStack("production", (raw) => delete raw["disasterRecovery"]);
  });

  it("connects through an explicit provider: host, port and TLS from config, the admin user, not a superuser", () => {
    const provider = production.one(PROVIDER);
    assert.equal(inputAt(provider, "host"), "db.flightpro.internal");
    assert.equal(String(inputAt(provider, "port")), "5432");
    assert.equal(inputAt(provider, "sslmode"), "require");
    assert.equal(inputAt(provider, "username"), "flightdeck_admin");
    assert.equal(String(inputAt(provider, "superuser")), "false");
    assert.equal(inputAt(provider, "password"), "canary-databaseAdminPassword-s3cr3t");
    assert.ok(provider.secretPaths.includes("password"), "the admin password stays secret");
    for (const resource of production.resources.filter((r) => r.type.startsWith("postgresql:"))) {
      assert.ok(resource.options.provider?.startsWith(`${provider.urn}::`), `${resource.name} uses the explicit provider`);
    }
  });

  it("takes the TLS mode from config for the provider and the connection strings", async () => {
    const run = await runSampleStack("staging", (raw) => {
      (raw["database"] as Record<string, unknown>)["sslMode"] = "verify-full";
    });
    assert.equal(inputAt(run.one(PROVIDER), "sslmode"), "verify-full");
    const urls = run.resources.flatMap((r) => leaves(r.inputs)).map(([, value]) => value).filter((v) => v.startsWith("postgresql://"));
    assert.ok(urls.length >= 2);
    for (const url of urls) assert.ok(url.endsWith("?sslmode=verify-full"), url);
  });

  // Only a database's owner may drop it (https://www.postgresql.org/docs/15/sql-dropdatabase.html), and the provider
  // grants on a database as its admin, without taking on the owner's role (getRolesToGrant in
  // cyrilgdn/terraform-provider-postgresql@v1.27.0:postgresql/resource_postgresql_grant.go returns no role for a
  // database): owned by a role the migrator can become, the migrator could drop it and the grants would change nothing.
  it("names the database (no autonaming) and gives it to the provider's admin, not to a role the migrator can become", () => {
    const database = production.one(DATABASE);
    assert.equal(inputAt(database, "name"), "flightpro");
    assert.equal(inputAt(database, "owner"), inputAt(production.one(PROVIDER), "username"));
    assert.equal(inputAt(database, "owner"), "flightdeck_admin");
  });

  it("declares the app's schema and Alembic's, both owned by the owner role", () => {
    const schemas = production.ofType(SCHEMA).map((schema) => [inputAt(schema, "name"), inputAt(schema, "database"), inputAt(schema, "owner")]);
    assert.deepEqual(schemas.sort(), [
      [migrationBookkeeping.versionTableSchema, "flightpro", "flightpro_owner"],
      ["public", "flightpro", "flightpro_owner"],
    ].sort());
  });

  it("gives app and readonly nothing in Alembic's schema", () => {
    for (const grant of grantsOf(production)) {
      if (["flightpro_app", "flightpro_readonly"].includes(String(inputAt(grant, "role")))) {
        assert.notEqual(inputAt(grant, "schema"), migrationBookkeeping.versionTableSchema, grant.name);
      }
    }
  });

  it("declares owner, migrator, app and readonly; none a superuser or able to create roles or databases", () => {
    const roles = production.ofType(ROLE);
    assert.deepEqual(roles.map((r) => inputAt(r, "name")).sort(), [
      "flightpro_alt_app",
      "flightpro_alt_migrator",
      "flightpro_alt_readonly",
      "flightpro_app",
      "flightpro_migrator",
      "flightpro_owner",
      "flightpro_readonly",
    ]);
    for (const role of roles) {
      assert.equal(inputAt(role, "superuser"), false, `${role.name} superuser`);
      assert.equal(inputAt(role, "createRole"), false, `${role.name} createRole`);
      assert.equal(inputAt(role, "createDatabase"), false, `${role.name} createDatabase`);
      assert.equal(inputAt(role, "replication"), false, `${role.name} replication`);
      assert.equal(inputAt(role, "bypassRowLevelSecurity"), false, `${role.name} bypassRowLevelSecurity`);
    }
  });

  it("lets only migrator, app and readonly log in; the migrator acts as the owner", () => {
    const role = (kind: string) => production.one(ROLE, `-db-${kind}`);
    assert.equal(inputAt(role("owner"), "login"), false);
    assert.equal(inputAt(role("owner"), "password"), undefined);
    for (const kind of ["migrator", "app", "readonly"]) assert.equal(inputAt(role(kind), "login"), true, kind);
    assert.deepEqual(inputAt(role("migrator"), "roles"), ["flightpro_owner"]);
    assert.equal(inputAt(role("migrator"), "assumeRole"), "flightpro_owner");
    for (const kind of ["app", "readonly"]) assert.deepEqual(inputAt(role(kind), "roles"), [], `${kind} is a member of nothing`);
    // Each alternate is a member of its role (its privileges) and logs in as the role would, the migrator's as the owner.
    for (const kind of ["app", "readonly"]) assert.deepEqual(inputAt(role(`${kind}-alt`), "roles"), [`flightpro_${kind}`]);
    assert.deepEqual(inputAt(role("migrator-alt"), "roles"), ["flightpro_migrator", "flightpro_owner"]);
    assert.equal(inputAt(role("migrator-alt"), "assumeRole"), "flightpro_owner");
    for (const kind of ["migrator", "app", "readonly"]) assert.equal(inputAt(role(`${kind}-alt`), "connectionLimit"), inputAt(role(kind), "connectionLimit"));
  });

  it("takes connection limits from config", async () => {
    const role = (run: StackRun, kind: string) => run.one(ROLE, `-db-${kind}`);
    assert.equal(inputAt(role(production, "app"), "connectionLimit"), 40);
    assert.equal(inputAt(role(production, "readonly"), "connectionLimit"), 10);
    assert.equal(inputAt(role(production, "migrator"), "connectionLimit"), 5);
    const run = await runSampleStack("staging", (raw) => {
      (raw["database"] as Record<string, unknown>)["connectionLimits"] = { migrator: 2, app: 33, readonly: 4 };
    });
    assert.equal(inputAt(role(run, "app"), "connectionLimit"), 33);
    assert.equal(inputAt(role(run, "readonly"), "connectionLimit"), 4);
    assert.equal(inputAt(role(run, "migrator"), "connectionLimit"), 2);
  });

  it("gives each login role a generated password, kept secret", () => {
    for (const kind of ["migrator", "app", "readonly"]) {
      const role = production.one(ROLE, `-db-${kind}`);
      const password = production.one(PASSWORD, `-db-${kind}-password`);
      assert.ok(role.options.dependsOn.includes(password.urn), `${kind}'s password comes from ${password.name}`);
      assert.ok(role.secretPaths.includes("password"), `${kind}'s password is secret`);
      assert.ok(Number(inputAt(password, "length")) >= 32);
      assert.equal(typeof inputAt(role, "password"), "string");
      assert.ok(!String(inputAt(role, "password")).includes("canary"), "not a config value");
    }
  });

  it("keeps each login password with a time.Rotating of the inventory's period, the alternate half a period later, each VALID UNTIL its next rotation", () => {
    const ROTATING = "time:index/rotating:Rotating";
    for (const kind of ["migrator", "app", "readonly"]) {
      for (const [suffix, base, until] of [
        ["", "2026-09-04T00:00:00Z", "2027-03-03 00:00:00+00"],
        ["-alt", "2026-06-06T00:00:00Z", "2026-12-03 00:00:00+00"],
      ] as const) {
        const rotating = production.one(ROTATING, `-db-${kind}${suffix}-rotation`);
        const password = production.one(PASSWORD, `-db-${kind}${suffix}-password`);
        const role = production.one(ROLE, `-db-${kind}${suffix}`);
        assert.equal(inputAt(rotating, "rfc3339"), base, `${kind}${suffix}`);
        assert.equal(inputAt(rotating, "rotationDays"), 180);
        assert.deepEqual(inputAt(password, "keepers"), { rotatedAt: base }, `${kind}${suffix}: a new base, a new password`);
        assert.ok(password.options.dependsOn.includes(rotating.urn), `${password.name} is kept by ${rotating.name}`);
        assert.equal(inputAt(role, "validUntil"), until);
      }
    }
  });

  it("hands out the slot rotated last, and moves to the other one when its rotation comes", async () => {
    const userOf = (run: StackRun, key: string) => {
      const variable = run.ofType("vercel:index/projectEnvironmentVariable:ProjectEnvironmentVariable").find((v) => inputAt(v, "key") === key);
      return new URL(String(inputAt(variable!, "value"))).username;
    };
    assert.equal(userOf(production, "DATABASE_URL"), "flightpro_app");
    // 2026-12-03: the alternate's rotation (2026-06-06 + 180 days) is due, the primary's (2026-09-04) is not.
    const later = await runSampleStack("production", undefined, { now: new Date("2026-12-03T00:00:01Z") });
    assert.equal(userOf(later, "DATABASE_URL"), "flightpro_alt_app");
    assert.equal(inputAt(later.one(PASSWORD, "-db-app-alt-password"), "keepers.rotatedAt"), "2026-12-03T00:00:00Z");
    assert.deepEqual(inputAt(later.one(PASSWORD, "-db-app-password"), "keepers"), { rotatedAt: "2026-09-04T00:00:00Z" }, "the primary keeps its password");
  });

  it("grants the app DML on tables and use of sequences, nothing that changes the schema", () => {
    const app = grantsOf(production).filter((g) => inputAt(g, "role") === "flightpro_app");
    const byType = (type: string, kind: string) => app.filter((g) => g.type === kind && inputAt(g, "objectType") === type);
    assert.deepEqual(byType("table", GRANT).map(privileges), [DML]);
    assert.deepEqual(byType("table", DEFAULT_PRIVILEGES).map(privileges), [DML, DML], "tables the owner or the migrator creates");
    assert.deepEqual(byType("sequence", GRANT).map(privileges), [["SELECT", "USAGE"]]);
    assert.deepEqual(byType("sequence", DEFAULT_PRIVILEGES).map(privileges), [["SELECT", "USAGE"], ["SELECT", "USAGE"]]);
    assert.deepEqual(byType("schema", GRANT).map(privileges), [["USAGE"]]);
    const allowed = new Set([...DML, "USAGE", "CONNECT"]);
    for (const grant of app) {
      for (const privilege of privileges(grant)) assert.ok(allowed.has(privilege), `${grant.name} grants ${privilege}`);
      assert.equal(inputAt(grant, "withGrantOption"), false);
    }
  });

  it("grants readonly SELECT on tables and nothing that writes", () => {
    const readonly = grantsOf(production).filter((g) => inputAt(g, "role") === "flightpro_readonly");
    const tables = readonly.filter((g) => inputAt(g, "objectType") === "table");
    assert.equal(tables.length, 3, "existing tables, and future ones the owner or the migrator creates");
    for (const grant of tables) assert.deepEqual(privileges(grant), ["SELECT"]);
    for (const grant of readonly) {
      for (const privilege of privileges(grant)) assert.ok(["SELECT", "USAGE", "CONNECT"].includes(privilege), `${grant.name} grants ${privilege}`);
    }
  });

  // PUBLIC gets CONNECT and TEMPORARY on a new database (https://www.postgresql.org/docs/15/ddl-priv.html), and USAGE on
  // `public` from template0; the revokes run as the database's owner (the admin) and as the schemas' owner.
  it("revokes PUBLIC's default access to the database and both schemas", () => {
    const revoked = production.ofType(GRANT).filter((g) => inputAt(g, "role") === "public");
    assert.deepEqual(revoked.map((g) => `${String(inputAt(g, "objectType"))}:${String(inputAt(g, "schema") ?? "")}`).sort(), [
      "database:",
      `schema:${migrationBookkeeping.versionTableSchema}`,
      "schema:public",
    ]);
    for (const grant of revoked) assert.deepEqual(inputAt(grant, "privileges"), []);
  });

  it("grants each login role CONNECT on the database and nothing else there", () => {
    const onDatabase = production.ofType(GRANT).filter((g) => inputAt(g, "objectType") === "database" && inputAt(g, "role") !== "public");
    assert.deepEqual(onDatabase.map((g) => [inputAt(g, "role"), inputAt(g, "privileges")]).sort(), [
      ["flightpro_app", ["CONNECT"]],
      ["flightpro_migrator", ["CONNECT"]],
      ["flightpro_readonly", ["CONNECT"]],
    ]);
  });

  // Default privileges apply only to objects created by the role they name
  // (https://www.postgresql.org/docs/15/sql-alterdefaultprivileges.html): a migration runs as the owner (the migrator's
  // role at login) or, after SET ROLE/RESET, as the migrator itself.
  it("applies default privileges, in the app's schema only, to objects the owner or the migrator creates", () => {
    const byCreator = new Map<string, string[]>();
    for (const grant of production.ofType(DEFAULT_PRIVILEGES)) {
      assert.equal(inputAt(grant, "schema"), "public", grant.name);
      const owner = String(inputAt(grant, "owner"));
      byCreator.set(owner, [...(byCreator.get(owner) ?? []), `${String(inputAt(grant, "role"))}:${String(inputAt(grant, "objectType"))}`].sort());
    }
    const expected = ["flightpro_app:sequence", "flightpro_app:table", "flightpro_readonly:table"];
    assert.deepEqual(Object.fromEntries(byCreator), { flightpro_owner: expected, flightpro_migrator: expected });
  });

  it("chains every grant and default privilege so none runs concurrently with another", () => {
    const grants = grantsOf(production);
    const urns = new Set(grants.map((g) => g.urn));
    const predecessors = new Map(grants.map((g) => [g.urn, g.options.dependsOn.filter((urn) => urns.has(urn))]));
    const first = grants.filter((g) => predecessors.get(g.urn)!.length === 0);
    assert.equal(first.length, 1, "one grant starts the chain");
    const next = new Map<string, string>();
    for (const [urn, before] of predecessors) {
      if (before.length === 0) continue;
      assert.equal(before.length, 1, `${urn} waits for exactly one grant`);
      assert.ok(!next.has(before[0]!), `two grants wait for ${before[0]}`);
      next.set(before[0]!, urn);
    }
    let length = 1;
    for (let current = first[0]!.urn; next.has(current); current = next.get(current)!) length++;
    assert.equal(length, grants.length, "a single chain through all of them");
    assert.equal(grants.length, privilegePlan().length);
  });

  it("hands secret connection strings of the app and migrator roles to the secrets inventory", () => {
    const appPassword = String(inputAt(production.one(ROLE, "-db-app"), "password"));
    const migratorPassword = String(inputAt(production.one(ROLE, "-db-migrator"), "password"));
    const found: string[] = [];
    for (const resource of production.resources) {
      for (const [path, value] of leaves(resource.inputs)) {
        if (!value.startsWith("postgresql://")) continue;
        assert.ok(resource.secretPaths.includes(path), `${resource.name}.${path} holds a connection string in plain`);
        found.push(value);
      }
    }
    assert.ok(found.includes(`postgresql://flightpro_app:${appPassword}@db.flightpro.internal:5432/flightpro?sslmode=require`), "DATABASE_URL");
    assert.ok(found.includes(`postgresql://flightpro_migrator:${migratorPassword}@db.flightpro.internal:5432/flightpro?sslmode=require`), "MIGRATION_DATABASE_URL");
  });

  it("parents its children to the component and names them after it", () => {
    const component = production.one(COMPONENT);
    for (const resource of production.resources.filter((r) => r.type.startsWith("postgresql:") || r.type === PROVIDER || r.type === PASSWORD)) {
      assert.equal(resource.parent, component.urn, resource.name);
      assert.ok(resource.name.startsWith(`${component.name}-`), resource.name);
    }
  });

  it("marks appUrl and migratorUrl themselves as secrets", async () => {
    await pulumi.runtime.setMocks(offlineMocks("us-east-1"), "flightdeck", "unit", false);
    const settings = databaseSchema.parse({ host: "db.example.com", adminUser: "admin", name: "shop" });
    const checks = await new Promise<{ app: boolean; migrator: boolean; url: string }>((resolve, reject) => {
      // 2026-11-10: the primary slot (due 2026-09-04, every 180 days from the epoch) is newer than the alternate (2026-06-06).
      const passwordSchedule = { now: new Date("2026-11-10T16:00:00Z"), periodDays: { app: 180, migrator: 180, readonly: 180 } };
      const db = new PostgresDatabase("unit-db", { database: settings, adminPassword: "admin-password", passwordSchedule });
      Promise.all([pulumi.isSecret(db.appUrl), pulumi.isSecret(db.migratorUrl)])
        .then(([app, migrator]) => db.appUrl.apply((url) => resolve({ app, migrator, url })))
        .catch(reject);
    });
    assert.equal(checks.app, true);
    assert.equal(checks.migrator, true);
    assert.match(checks.url, /^postgresql:\/\/shop_app:[^@]+@db\.example\.com:5432\/shop\?sslmode=require$/);
  });

  describe("connection strings (pure)", () => {
    it("percent-encodes credentials and names the TLS mode", () => {
      assert.equal(
        connectionUrl({ user: "shop_app", password: "p@ss:w/rd?#", host: "db.example.com", port: 6432, database: "shop", sslMode: "verify-full" }),
        "postgresql://shop_app:p%40ss%3Aw%2Frd%3F%23@db.example.com:6432/shop?sslmode=verify-full",
      );
    });

    it("refuses an empty password", () => {
      assert.throws(
        () => connectionUrl({ user: "shop_app", password: "", host: "h.example.com", port: 5432, database: "shop", sslMode: "require" }),
        /the password is empty/,
      );
    });
  });
});
