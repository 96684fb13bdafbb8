import { strict as assert } from "node:assert";
import { databasePolicies, migrationSchemaPrivate, roleKindDeclared, rolePasswordGenerated } from "../../policies/rules/database";
import { UNKNOWN_STRING } from "../../policies/lib/values";
import { RecordedResource, runSampleStack } from "../harness";
import { validStack } from "./fixtures";
import { Fixture, MutationCase, Verdict, assertOnly, judge, mutate, runStackPolicy, settingsProblems, urnOf, withInput, without } from "./judge";

/**
 * The database policies over what the program really plans: the production stack's PostgreSQL
 * resources (provider, roles, passwords, database, schemas, grants, default privileges) as the
 * engine hands them to the pack, then one change at a time, the way a pull request would make it.
 */

const GRANT = "postgresql:index/grant:Grant";
const GRANT_ROLE = "postgresql:index/grantRole:GrantRole";
const DEFAULT_PRIVILEGES = "postgresql:index/defaultPrivileges:DefaultPrivileges";
const ROLE = "postgresql:index/role:Role";
const DATABASE = "postgresql:index/database:Database";
const SCHEMA = "postgresql:index/schema:Schema";
const DATABASE_TYPES = ["pulumi:providers:postgresql", "random:index/randomPassword:RandomPassword"];

/** The plan's database resources as fixtures: logical names, inputs, dependencies by name. */
function fixturesOf(resources: readonly RecordedResource[]): Fixture[] {
  const planned = resources.filter((r) => r.type.startsWith("postgresql:") || DATABASE_TYPES.includes(r.type));
  const names = new Map(planned.map((r) => [r.urn, r.name]));
  return planned.map((r) => ({
    type: r.type,
    name: r.name,
    props: structuredClone(r.inputs),
    dependsOn: r.options.dependsOn.map((urn) => names.get(urn)).filter((name): name is string => name !== undefined),
  }));
}

let production: Fixture[];
let staging: Fixture[];
const plan = () => structuredClone(production);
const db = (suffix: string) => `flightpro-production-db-${suffix}`;
const verdictsOf = (stack: Fixture[], config?: Record<string, Record<string, unknown>>) => judge(stack, { policies: databasePolicies, config });
const said = (verdicts: Verdict[]) => verdicts.map((verdict) => [verdict.policy, verdict.message]);
const PROVIDER = "flightpro-production-db-provider";

function added(stack: Fixture[], fixture: Fixture): Fixture[] {
  return [...stack, fixture];
}

function grant(name: string, props: Record<string, unknown>): Fixture {
  return { type: GRANT, name, props: { database: "flightpro", withGrantOption: false, ...props } };
}

/** One `it` per case: exactly one violation, of the case's policy, with its message, and (when named) on that resource. */
function itBlocks(cases: (MutationCase & { resource?: string })[]): void {
  for (const testCase of cases) {
    it(`${testCase.policy}: ${testCase.title}`, () => {
      const stack = testCase.stack();
      const verdicts = verdictsOf(stack);
      assertOnly(verdicts, testCase.policy, testCase.message);
      if (testCase.resource !== undefined) assert.equal(verdicts[0]!.urn, urnOf(stack.find((fixture) => fixture.name === testCase.resource)!));
    });
  }
}

/** A second database on the server, with its `public` schema: each needs its own revoke of PUBLIC's defaults. */
const reports: Fixture[] = [
  { type: DATABASE, name: "db-reports", props: { name: "flightpro_reports" } },
  { type: SCHEMA, name: "db-reports-schema", props: { name: "public", database: "flightpro_reports", owner: "flightpro_owner", policies: [] } },
];
const reportsRevokes: Fixture[] = [
  grant("reports-database-revoke", { database: "flightpro_reports", role: "public", objectType: "database", privileges: [] }),
  grant("reports-schema-revoke", { database: "flightpro_reports", role: "public", schema: "public", objectType: "schema", privileges: [] }),
];

describe("policies: database", () => {
  before(async () => {
    production = fixturesOf((await runSampleStack("production")).resources);
    staging = fixturesOf((await runSampleStack("staging")).resources);
  });

  describe("compliant stacks pass", () => {
    it("the production and staging plans", () => {
      assert.ok(production.filter((f) => f.type === GRANT).length >= 10, "the plan's grants are judged");
      assert.deepEqual(verdictsOf(production), []);
      assert.deepEqual(verdictsOf(staging), []);
    });

    it("the shared sample stack, under every policy of the pack", () => {
      assert.deepEqual(judge(validStack()), []);
    });

    it("written other valid ways: defaults left out, privileges reordered, readonly reading sequences, the app setting them", () => {
      let stack = mutate(plan(), db("app"), (props) => {
        for (const key of ["superuser", "createRole", "createDatabase", "replication", "bypassRowLevelSecurity"]) delete props[key];
      });
      stack = mutate(stack, db("app-tables"), (props) => {
        props["privileges"] = ["DELETE", "UPDATE", "INSERT", "SELECT"];
        delete props["withGrantOption"];
      });
      stack = withInput(stack, db("database"), "owner", undefined); // the provider's admin by default
      stack = withInput(stack, db("owner"), "login", "false");
      stack = added(stack, grant("readonly-sequences", { role: "flightpro_readonly", schema: "public", objectType: "sequence", privileges: ["SELECT"] }));
      stack = withInput(stack, db("app-sequences"), "privileges", ["USAGE", "SELECT", "UPDATE"]);
      stack = added(stack, grant("public-tables-revoke", { role: "public", schema: "public", objectType: "table", privileges: [] }));
      assert.deepEqual(verdictsOf(stack), []);
      assert.deepEqual(verdictsOf([...plan(), ...reports, ...reportsRevokes]), [], "a second database with its own revokes");
      // More valid ways: revokes are no grants (from an outside role, in the migration schema), a database grant's
      // schema input means nothing, default privileges on future schemas are not in one, owners left to the admin.
      stack = plan();
      stack = added(stack, grant("analyst-revoke", { role: "analyst", objectType: "database", privileges: [] }));
      stack = added(stack, grant("app-alembic-revoke", { role: "flightpro_app", schema: "alembic", objectType: "table", privileges: [] }));
      stack = withInput(stack, db("app-connect"), "schema", "alembic");
      stack = added(stack, { type: DEFAULT_PRIVILEGES, name: "app-future-schemas", props: { database: "flightpro", owner: "flightpro_owner", role: "flightpro_app", objectType: "schema", privileges: ["USAGE"] } });
      stack = withInput(stack, db("database"), "owner", "");
      stack = withInput(stack, db("schema"), "database", undefined); // the provider's database
      stack = withInput(stack, db("migrations-schema"), "owner", "");
      assert.deepEqual(verdictsOf(stack), []);
      assert.deepEqual(verdictsOf(withInput(plan(), db("schema"), "owner", undefined)), [], "a schema owned by the provider's admin by default");
      // A login role whose limit is not known until apply is judged then.
      assert.deepEqual(verdictsOf(withInput(plan(), db("app"), "connectionLimit", UNKNOWN_STRING)), []);
      // Without the provider's username the database's owner cannot be told from the admin.
      assert.deepEqual(verdictsOf(withInput(withInput(plan(), PROVIDER, "username", undefined), db("database"), "owner", "ops_person")), []);
    });

    it("a password not known until apply", () => {
      const stack = mutate(plan(), db("app"), (props, fixture) => {
        props["password"] = UNKNOWN_STRING;
        fixture.dependsOn = [];
      });
      assert.deepEqual(verdictsOf(stack), []);
    });
  });

  describe("role attributes, login or not", () => {
    itBlocks([
      { title: "superuser app role", stack: () => withInput(plan(), db("app"), "superuser", true), policy: "database-login-role-least-privilege", message: /login role flightpro_app has superuser/ },
      { title: "replication, spelled as a string", stack: () => withInput(plan(), db("migrator"), "replication", "true"), policy: "database-login-role-least-privilege", message: /flightpro_migrator has replication/ },
      { title: "readonly bypasses row-level security", stack: () => withInput(plan(), db("readonly"), "bypassRowLevelSecurity", true), policy: "database-login-role-least-privilege", message: /flightpro_readonly has bypassRowLevelSecurity/ },
      { title: "app creates databases", stack: () => withInput(plan(), db("app"), "createDatabase", 1), policy: "database-login-role-least-privilege", message: /has createDatabase/ },
      { title: "owner role may create roles (the migrator becomes it at login)", stack: () => withInput(plan(), db("owner"), "createRole", true), policy: "database-nologin-role-least-privilege", message: /flightpro_owner \(no login\) has createRole/ },
      { title: "owner role is a superuser", stack: () => withInput(plan(), db("owner"), "superuser", "TRUE"), policy: "database-nologin-role-least-privilege", message: /has superuser/ },
      { title: "owner role replicates", stack: () => withInput(plan(), db("owner"), "replication", true), policy: "database-nologin-role-least-privilege", message: /has replication/ },
    ]);

    it("an attribute not known until apply is noted, not passed", () => {
      const verdicts = verdictsOf(withInput(plan(), db("owner"), "superuser", "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7"));
      assert.equal(verdicts.length, 1, JSON.stringify(verdicts));
      assert.equal(verdicts[0]!.policy, "database-nologin-role-least-privilege");
      assert.equal(verdicts[0]!.enforcementLevel, "advisory");
      assert.match(verdicts[0]!.message, /not judged during preview: superuser is not known until apply/);
    });
  });

  it("roles without a name are named as such, and cannot be told a kind", () => {
    const stack = added(
      added(added(plan(), { type: ROLE, name: "db-nameless-login", props: { login: true, superuser: true } }), { type: ROLE, name: "db-nameless", props: { superuser: true } }),
      { type: ROLE, name: "db-nameless-unlimited", props: { login: true, connectionLimit: -1, name: "" } },
    );
    assert.deepEqual(said(verdictsOf(stack)).sort(), [
      ["database-login-role-connection-limited", "login role (unnamed) has connectionLimit -1 (no limit)"],
      ["database-login-role-connection-limited", "login role (unnamed) has no connectionLimit (the provider's default, -1, is no limit)"],
      ["database-login-role-least-privilege", "login role (unnamed) has superuser"],
      ["database-nologin-role-least-privilege", "role (unnamed) (no login) has superuser; its members get it with SET ROLE"],
      ["database-role-kind-declared", "a role has no name (autonamed): its kind cannot be told"],
      ["database-role-kind-declared", "a role has no name (autonamed): its kind cannot be told"],
      ["database-role-kind-declared", "a role has no name (autonamed): its kind cannot be told"],
    ]);
  });

  it("a role that two kinds' globs match is refused, and the role kinds must be lists of globs", () => {
    const roleKinds = { owner: ["*_owner"], migrator: ["*_migrator"], app: ["*_app"], readonly: ["*_readonly", "*_app"], backup: ["*_backup"] };
    const verdicts = verdictsOf(plan(), { "database-role-kind-declared": { roleKinds } });
    // The app role and its alternate (infra/database/passwordRotation.ts) both match *_app.
    assert.deepEqual(
      verdicts.map((verdict) => [verdict.policy, verdict.urn, verdict.message]),
      [
        ["database-role-kind-declared", urnOf({ type: ROLE, name: db("app") }), "role flightpro_app matches more than one kind: app, readonly"],
        ["database-role-kind-declared", urnOf({ type: ROLE, name: db("app-alt") }), "role flightpro_alt_app matches more than one kind: app, readonly"],
      ],
    );
    assert.deepEqual(settingsProblems(roleKindDeclared, { roleKinds }), []);
    for (const bad of ["*_owner", { ...roleKinds, app: "*_app" }]) assert.notDeepEqual(settingsProblems(roleKindDeclared, { roleKinds: bad }), [], JSON.stringify(bad));
  });

  it("an alternate is a member of its own kind only when neither role could be of another kind", () => {
    const membership = (roleKinds: Record<string, string[]>) =>
      said(verdictsOf(plan(), { "database-role-membership-least-privilege": { roleKinds } }).filter((verdict) => verdict.policy === "database-role-membership-least-privilege"));
    const defaults = { owner: ["*_owner"], migrator: ["*_migrator"], app: ["*_app"], readonly: ["*_readonly"], backup: ["*_backup"] };
    const expected = [["database-role-membership-least-privilege", /^flightpro_alt_app is made a member of flightpro_app \(roles\)/]] as const;
    const cases: [string, Record<string, string[]>][] = [
      ["the alternate could be a readonly role too", { ...defaults, readonly: ["*_readonly", "*_alt_app"] }],
      ["the role it joins could be a readonly role too", { ...defaults, readonly: ["*_readonly", "flightpro_app"] }],
    ];
    for (const [title, roleKinds] of cases) {
      const found = membership(roleKinds);
      assert.equal(found.length, 1, `${title}: ${JSON.stringify(found)}`);
      assert.equal(found[0]![0], expected[0][0]);
      assert.match(found[0]![1]!, expected[0][1], title);
    }
  });

  it("a nameless role made a member of another is named as such", () => {
    const stack = added(plan(), { type: ROLE, name: "db-nameless-member", props: { login: false, roles: ["flightpro_owner"] } });
    const found = verdictsOf(stack).filter((verdict) => verdict.policy === "database-role-membership-least-privilege");
    assert.deepEqual(
      found.map((verdict) => [verdict.urn, verdict.message.split("\n").pop()]),
      [[urnOf({ type: ROLE, name: "db-nameless-member" }), "(unnamed) is made a member of flightpro_owner (roles): only the migrator may be a member of the owner role, and a role only of another of its own kind"]],
    );
  });

  it("the migration schemas must be a list of names", () => {
    assert.deepEqual(settingsProblems(migrationSchemaPrivate, { migrationSchemas: ["alembic", "flyway"] }), []);
    for (const bad of ["alembic", [1]]) assert.notDeepEqual(settingsProblems(migrationSchemaPrivate, { migrationSchemas: bad }), [], JSON.stringify(bad));
  });

  describe("connection limits of login roles", () => {
    // pulumi/pulumi-postgresql@v3.18.1:sdk/nodejs/role.ts: connectionLimit "-1 (the default) means no limit".
    itBlocks([
      { title: "the app role unlimited (-1)", stack: () => withInput(plan(), db("app"), "connectionLimit", -1), policy: "database-login-role-connection-limited", message: /flightpro_app has connectionLimit -1 \(no limit\)/ },
      { title: "the migrator role without a limit (the provider's default)", stack: () => withInput(plan(), db("migrator"), "connectionLimit", undefined), policy: "database-login-role-connection-limited", message: /flightpro_migrator has no connectionLimit/ },
      { title: "the readonly role's limit negative (-5 is no limit too)", stack: () => withInput(plan(), db("readonly"), "connectionLimit", -5), policy: "database-login-role-connection-limited", message: /flightpro_readonly has connectionLimit -5/ },
    ]);
  });

  describe("role kinds and memberships", () => {
    itBlocks([
      {
        title: "a new kind of role",
        stack: () => added(plan(), { type: ROLE, name: "db-reporting", props: { name: "flightpro_reporting", login: true, connectionLimit: 5, roles: [] } }),
        policy: "database-role-kind-declared",
        message: /flightpro_reporting is none of owner, migrator, app, readonly/,
      },
      { title: "the owner role logs in", stack: () => withInput(plan(), db("owner"), "login", true), policy: "database-role-kind-declared", message: /owner role flightpro_owner can log in/ },
      { title: "app member of the owner", stack: () => withInput(plan(), db("app"), "roles", ["flightpro_owner"]), policy: "database-role-membership-least-privilege", message: /flightpro_app is made a member of flightpro_owner \(roles\)/ },
      { title: "readonly assumes the migrator", stack: () => withInput(plan(), db("readonly"), "assumeRole", "flightpro_migrator"), policy: "database-role-membership-least-privilege", message: /flightpro_readonly is made a member of flightpro_migrator \(assumeRole\)/ },
      {
        title: "an owner's alternate (the owner role has no members but the migrator)",
        stack: () => added(plan(), { type: ROLE, name: "db-owner-alt", props: { name: "flightpro_alt_owner", login: false, roles: ["flightpro_owner"] } }),
        policy: "database-role-membership-least-privilege",
        message: /flightpro_alt_owner is made a member of flightpro_owner \(roles\)/,
        resource: "db-owner-alt",
      },
      {
        title: "a login role's alternate that assumes the role at login (membership within a kind is by Role.roles only)",
        stack: () => withInput(plan(), db("app-alt"), "assumeRole", "flightpro_app"),
        policy: "database-role-membership-least-privilege",
        message: /flightpro_alt_app is made a member of flightpro_app \(assumeRole\)/,
        resource: db("app-alt"),
      },
      {
        title: "the owner granted to the app by a GrantRole",
        stack: () => added(plan(), { type: GRANT_ROLE, name: "db-app-owner", props: { role: "flightpro_app", grantRole: "flightpro_owner", withAdminOption: false } }),
        policy: "database-role-membership-least-privilege",
        message: /flightpro_app is made a member of flightpro_owner \(GrantRole\)/,
      },
      {
        title: "the server's admin granted to the migrator",
        stack: () => added(plan(), { type: GRANT_ROLE, name: "db-migrator-admin", props: { role: "flightpro_migrator", grantRole: "flightdeck_admin" } }),
        policy: "database-role-membership-least-privilege",
        message: /flightpro_migrator is made a member of flightdeck_admin/,
      },
      {
        title: "a predefined role in the readonly role's roles",
        stack: () => withInput(plan(), db("readonly"), "roles", ["pg_write_all_data"]),
        policy: "database-role-membership-least-privilege",
        message: /flightpro_readonly is made a member of pg_write_all_data/,
      },
      {
        title: "an outside role named like a migrator made a member of the owner (a name is not a stack role)",
        stack: () => added(plan(), { type: GRANT_ROLE, name: "db-outside-migrator", props: { role: "analytics_migrator", grantRole: "flightpro_owner", withAdminOption: false } }),
        policy: "database-role-membership-least-privilege",
        message: /^analytics_migrator is made a member of flightpro_owner \(GrantRole\)/,
        resource: "db-outside-migrator",
      },
      {
        title: "the migrator made a member of an outside role named like an owner",
        stack: () => added(plan(), { type: GRANT_ROLE, name: "db-migrator-outside-owner", props: { role: "flightpro_migrator", grantRole: "analytics_owner", withAdminOption: false } }),
        policy: "database-role-membership-least-privilege",
        message: /^flightpro_migrator is made a member of analytics_owner \(GrantRole\)/,
        resource: "db-migrator-outside-owner",
      },
      {
        title: "the owner role granted to a person's login outside the stack",
        stack: () => added(plan(), { type: GRANT_ROLE, name: "db-analyst-owner", props: { role: "analyst", grantRole: "flightpro_owner" } }),
        policy: "database-role-membership-least-privilege",
        message: /analyst is made a member of flightpro_owner/,
      },
    ]);
  });

  describe("PUBLIC", () => {
    itBlocks([
      {
        title: "CONNECT on the database",
        stack: () => added(plan(), grant("public-connect", { role: "public", objectType: "database", privileges: ["CONNECT"] })),
        policy: "database-public-no-privileges",
        message: /Grant gives PUBLIC CONNECT on database flightpro/,
      },
      {
        title: "USAGE on the schema, PUBLIC in capitals",
        stack: () => added(plan(), grant("public-usage", { role: "PUBLIC", schema: "public", objectType: "schema", privileges: ["usage"] })),
        policy: "database-public-no-privileges",
        message: /gives PUBLIC USAGE on schema in public/,
      },
      {
        title: "every future table, by default privileges",
        stack: () => added(plan(), { type: DEFAULT_PRIVILEGES, name: "public-default", props: { database: "flightpro", owner: "flightpro_owner", role: "Public", schema: "public", objectType: "table", privileges: ["SELECT"] } }),
        policy: "database-public-no-privileges",
        message: /DefaultPrivileges gives PUBLIC SELECT on table in public/,
      },
      {
        title: "a Schema policy without a role (PUBLIC)",
        stack: () => withInput(plan(), db("schema"), "policies", [{ usage: true }]),
        policy: "database-public-no-privileges",
        message: /Schema policies gives PUBLIC USAGE on schema in public/,
      },
      { title: "the database's revoke removed", stack: () => without(plan(), db("public-database-revoke")), policy: "database-public-no-privileges", message: /database flightpro has no Grant revoking PUBLIC/ },
      { title: "the migration schema's revoke removed", stack: () => without(plan(), db("public-migrations-schema-revoke")), policy: "database-public-no-privileges", message: /schema alembic has no Grant revoking all from PUBLIC/ },
      { title: "the revoke aimed at another schema", stack: () => withInput(plan(), db("public-schema-revoke"), "schema", "other"), policy: "database-public-no-privileges", message: /schema public has no Grant revoking/ },
      {
        title: "the schema's revoke replaced by a Schema policy naming PUBLIC with no privilege (not a revoke)",
        stack: () => withInput(without(plan(), db("public-schema-revoke")), db("schema"), "policies", [{ role: "public" }]),
        policy: "database-public-no-privileges",
        message: /^schema public has no Grant revoking all from PUBLIC$/,
        resource: db("schema"),
      },
      {
        title: "the schema's revoke replaced by a revoke of PUBLIC's table privileges in it",
        stack: () => added(without(plan(), db("public-schema-revoke")), grant("public-tables-revoke", { role: "public", schema: "public", objectType: "table", privileges: [] })),
        policy: "database-public-no-privileges",
        message: /^schema public has no Grant revoking all from PUBLIC$/,
        resource: db("schema"),
      },
      {
        title: "the database's revoke turned into an empty grant to the app (it revokes nothing from PUBLIC)",
        stack: () => withInput(plan(), db("public-database-revoke"), "role", "flightpro_app"),
        policy: "database-public-no-privileges",
        message: /^database flightpro has no Grant revoking PUBLIC's default CONNECT and TEMPORARY$/,
        resource: db("database"),
      },
      {
        title: "a second database without its own revoke (the first database's does not cover it)",
        stack: () => [...plan(), ...reports, reportsRevokes[1]!],
        policy: "database-public-no-privileges",
        message: /^database flightpro_reports has no Grant revoking PUBLIC's default CONNECT and TEMPORARY$/,
        resource: "db-reports",
      },
      {
        title: "the second database's public schema without its own revoke",
        stack: () => [...plan(), ...reports, reportsRevokes[0]!],
        policy: "database-public-no-privileges",
        message: /^schema public has no Grant revoking all from PUBLIC$/,
        resource: "db-reports-schema",
      },
    ]);
  });

  it("PUBLIC: the database's revoke turned into a grant of CONNECT is a grant, and no revoke", () => {
    const stack = withInput(plan(), db("public-database-revoke"), "privileges", ["CONNECT"]);
    assert.deepEqual(said(verdictsOf(stack)), [
      ["database-public-no-privileges", "Grant gives PUBLIC CONNECT on database flightpro"],
      ["database-public-no-privileges", "database flightpro has no Grant revoking PUBLIC's default CONNECT and TEMPORARY"],
    ]);
  });

  it("a database and a schema without names are named as such", () => {
    const stack = [...plan(), { type: DATABASE, name: "db-nameless", props: { owner: "flightpro_owner" } }, { type: SCHEMA, name: "db-nameless-schema", props: { owner: "flightpro_app", policies: [] } }];
    assert.deepEqual(said(verdictsOf(stack)), [
      ["database-public-no-privileges", "database (unnamed) has no Grant revoking PUBLIC's default CONNECT and TEMPORARY"],
      ["database-public-no-privileges", "schema (unnamed) has no Grant revoking all from PUBLIC"],
      ["database-ownership-separated", "database (unnamed) is owned by flightpro_owner, a role of the stack"],
      ["database-ownership-separated", "schema (unnamed) is owned by flightpro_app, not the stack's owner role"],
    ]);
  });

  it("the provider's admin is the PostgreSQL provider's username only, of every provider", () => {
    const outsideAdmin = withInput(plan(), db("database"), "owner", "ops_person");
    const rds: Fixture = { type: "aws:rds/instance:Instance", name: "db-instance", props: { username: "ops_person" } };
    assert.deepEqual(said(verdictsOf([...outsideAdmin, rds])), [["database-ownership-separated", "database flightpro is owned by ops_person, not the provider's admin (flightdeck_admin)"]]);
    const second: Fixture = { type: "pulumi:providers:postgresql", name: "db-provider-reports", props: { username: "reports_admin", sslmode: "verify-full" } };
    assert.deepEqual(said(verdictsOf([...outsideAdmin, second])), [["database-ownership-separated", "database flightpro is owned by ops_person, not the provider's admin (flightdeck_admin, reports_admin)"]]);
  });

  describe("privileges", () => {
    itBlocks([
      { title: "TEMPORARY for the app", stack: () => withInput(plan(), db("app-connect"), "privileges", ["CONNECT", "TEMPORARY"]), policy: "database-role-connect-only", message: /flightpro_app is granted TEMPORARY on database flightpro/ },
      // CREATE on the database is judged here only (the DDL policy is about objects in it).
      { title: "TEMPORARY and CREATE on the database for the app", stack: () => withInput(plan(), db("app-connect"), "privileges", ["CONNECT", "TEMPORARY", "CREATE"]), policy: "database-role-connect-only", message: /^flightpro_app is granted TEMPORARY, CREATE on database flightpro: CONNECT only$/ },
      {
        title: "CONNECT for a role named like the database (a name is not a role the stack declares)",
        stack: () => added(plan(), grant("flightpro-connect", { role: "flightpro", objectType: "database", privileges: ["CONNECT"] })),
        policy: "database-privileges-only-to-stack-roles",
        message: /to flightpro, a role this stack does not declare/,
      },
      { title: "TEMP, lower case, for readonly", stack: () => withInput(plan(), db("readonly-connect"), "privileges", ["connect", "temp"]), policy: "database-role-connect-only", message: /flightpro_readonly is granted TEMPORARY/ },
      { title: "ALL on the database for the migrator", stack: () => withInput(plan(), db("migrator-connect"), "privileges", ["ALL"]), policy: "database-role-connect-only", message: /flightpro_migrator is granted ALL/ },
      { title: "TRUNCATE for the app", stack: () => withInput(plan(), db("app-tables"), "privileges", ["SELECT", "truncate"]), policy: "database-app-role-no-ddl", message: /app role flightpro_app is granted TRUNCATE on table \(Grant\)/ },
      { title: "REFERENCES, TRIGGER and MAINTAIN for the app", stack: () => withInput(plan(), db("app-tables"), "privileges", ["SELECT", "REFERENCES", "TRIGGER", "MAINTAIN"]), policy: "database-app-role-no-ddl", message: /^app role flightpro_app is granted REFERENCES, TRIGGER, MAINTAIN on table \(Grant\)$/ },
      { title: "ALL PRIVILEGES by default for the app", stack: () => withInput(plan(), db("app-default-tables-migrator"), "privileges", ["ALL PRIVILEGES"]), policy: "database-app-role-no-ddl", message: /granted ALL on table \(DefaultPrivileges\)/ },
      { title: "CREATE on the schema through Schema policies", stack: () => withInput(plan(), db("schema"), "policies", [{ role: "flightpro_app", create: true, usage: true }]), policy: "database-app-role-no-ddl", message: /granted CREATE on schema \(Schema policies\)/ },
      { title: "INSERT for readonly", stack: () => withInput(plan(), db("readonly-tables"), "privileges", ["SELECT", "INSERT"]), policy: "database-readonly-role-select-only", message: /readonly role flightpro_readonly is granted INSERT on table/ },
      { title: "INSERT and UPDATE on columns for readonly", stack: () => added(plan(), grant("readonly-columns", { role: "flightpro_readonly", schema: "public", objectType: "column", objects: ["bookings"], columns: ["price"], privileges: ["SELECT", "INSERT", "UPDATE"] })), policy: "database-readonly-role-select-only", message: /^readonly role flightpro_readonly is granted INSERT, UPDATE on column \(Grant\)$/ },
      {
        title: "sequence USAGE (nextval) for readonly",
        stack: () => added(plan(), grant("readonly-sequences", { role: "flightpro_readonly", schema: "public", objectType: "sequence", privileges: ["USAGE", "SELECT"] })),
        policy: "database-readonly-role-select-only",
        message: /granted USAGE on sequence/,
      },
      {
        title: "EXECUTE on future functions for readonly",
        stack: () => added(plan(), { type: DEFAULT_PRIVILEGES, name: "readonly-functions", props: { database: "flightpro", owner: "flightpro_owner", role: "flightpro_readonly", schema: "public", objectType: "function", privileges: ["EXECUTE"] } }),
        policy: "database-readonly-role-select-only",
        message: /granted EXECUTE on function \(DefaultPrivileges\)/,
      },
      { title: "a grant option on the app's tables", stack: () => withInput(plan(), db("app-tables"), "withGrantOption", true), policy: "database-grant-no-grant-option", message: /Grant gives flightpro_app SELECT, INSERT, UPDATE, DELETE on table in public with grant option/ },
      { title: "a grant option by default, as a string", stack: () => withInput(plan(), db("readonly-default-tables"), "withGrantOption", "true"), policy: "database-grant-no-grant-option", message: /DefaultPrivileges gives flightpro_readonly SELECT/ },
      { title: "usageWithGrant in a Schema policy", stack: () => withInput(plan(), db("schema"), "policies", [{ role: "flightpro_app", usageWithGrant: true }]), policy: "database-grant-no-grant-option", message: /Schema policies gives flightpro_app USAGE on schema in public with grant option/ },
      {
        title: "the owner granted to the migrator with admin option",
        stack: () => added(plan(), { type: GRANT_ROLE, name: "db-migrator-owner", props: { role: "flightpro_migrator", grantRole: "flightpro_owner", withAdminOption: true } }),
        policy: "database-grant-no-grant-option",
        message: /flightpro_owner is granted to flightpro_migrator with admin option/,
      },
      {
        title: "CONNECT for a login outside the stack",
        stack: () => added(plan(), grant("analyst-connect", { role: "analyst", objectType: "database", privileges: ["CONNECT"] })),
        policy: "database-privileges-only-to-stack-roles",
        message: /Grant gives CONNECT on database flightpro to analyst, a role this stack does not declare/,
      },
      {
        title: "SELECT for another product's reader",
        stack: () => added(plan(), grant("reporting-tables", { role: "reporting_ro", schema: "public", objectType: "table", privileges: ["SELECT"] })),
        policy: "database-privileges-only-to-stack-roles",
        message: /to reporting_ro, a role this stack does not declare/,
      },
      { title: "default privileges for the admin's objects", stack: () => withInput(plan(), db("app-default-tables"), "owner", "flightdeck_admin"), policy: "database-privileges-only-to-stack-roles", message: /objects flightdeck_admin creates: flightdeck_admin is not a role this stack declares/ },
    ]);
  });

  describe("migration bookkeeping and ownership", () => {
    itBlocks([
      {
        title: "USAGE on Alembic's schema for the app",
        stack: () => added(plan(), grant("app-alembic", { role: "flightpro_app", schema: "alembic", objectType: "schema", privileges: ["USAGE"] })),
        policy: "database-migration-schema-private",
        message: /Grant gives flightpro_app USAGE on schema in alembic, the migration schema/,
      },
      {
        title: "SELECT on alembic_version for readonly",
        stack: () => added(plan(), grant("readonly-alembic", { role: "flightpro_readonly", schema: "alembic", objectType: "table", privileges: ["SELECT"] })),
        policy: "database-migration-schema-private",
        message: /flightpro_readonly SELECT on table in alembic/,
      },
      { title: "global default privileges for the app", stack: () => withInput(plan(), db("app-default-tables"), "schema", undefined), policy: "database-migration-schema-private", message: /global default privileges cover the migration schema too/ },
      { title: "the database owned by the owner role (the migrator could drop it)", stack: () => withInput(plan(), db("database"), "owner", "flightpro_owner"), policy: "database-ownership-separated", message: /database flightpro is owned by flightpro_owner, a role of the stack/ },
      { title: "the database owned by someone else than the provider's admin", stack: () => withInput(plan(), db("database"), "owner", "ops_person"), policy: "database-ownership-separated", message: /owned by ops_person, not the provider's admin \(flightdeck_admin\)/ },
      { title: "the app's schema owned by the app", stack: () => withInput(plan(), db("schema"), "owner", "flightpro_app"), policy: "database-ownership-separated", message: /schema public is owned by flightpro_app, not the stack's owner role/ },
    ]);
  });

  describe("the provider's connection", () => {
    const provider = "flightpro-production-db-provider";
    it("passes with verify-full, or with the deprecated sslMode alone set to require", () => {
      assert.deepEqual(verdictsOf(withInput(plan(), provider, "sslmode", "verify-full")), []);
      assert.deepEqual(verdictsOf(withInput(withInput(plan(), provider, "sslmode", undefined), provider, "sslMode", "require")), []);
    });
    itBlocks([
      { title: "TLS disabled", stack: () => withInput(plan(), provider, "sslmode", "disable"), policy: "database-provider-tls-required", message: /connects with sslmode disable: TLS is not required/ },
      { title: "TLS only preferred", stack: () => withInput(plan(), provider, "sslmode", "prefer"), policy: "database-provider-tls-required", message: /sslmode prefer/ },
      { title: "sslmode left to the environment", stack: () => withInput(plan(), provider, "sslmode", undefined), policy: "database-provider-tls-required", message: /sslmode unset/ },
    ]);
  });

  describe("passwords", () => {
    const literal = (input: string) => () =>
      mutate(plan(), db("app"), (props, fixture) => {
        delete props["password"];
        props[input] = "hunter2";
        fixture.dependsOn = [];
      });
    it("a stack whose roles have no password is not judged (nothing to generate); a null password is none", () => {
      const roles: Fixture[] = [
        { type: DATABASE, name: "db", props: { name: "flightpro" } },
        { type: ROLE, name: "db-owner", props: { name: "flightpro_owner", login: false } },
        { type: ROLE, name: "db-app", props: { name: "flightpro_app", login: true, password: null } },
      ];
      assert.equal(runStackPolicy(rolePasswordGenerated, roles), "not applicable");
    });

    it("a password equal to a RandomPassword's result is generated (after apply, when the engine knows both)", () => {
      const value = "Zq7-generated-not-written";
      const stack: Fixture[] = [
        { type: "random:index/randomPassword:RandomPassword", name: "db-app-password", props: { length: 32, result: value } },
        { type: ROLE, name: "db-app", props: { name: "flightpro_app", login: true, password: value } },
      ];
      assert.deepEqual(runStackPolicy(rolePasswordGenerated, stack), []);
      const other = runStackPolicy(rolePasswordGenerated, [stack[0]!, { ...stack[1]!, props: { ...stack[1]!.props, password: "hunter2hunter2" } }]);
      assert.deepEqual(other === "not applicable" ? other : other.map((verdict) => verdict.message.split("\n").pop()), ["role flightpro_app has a literal password, not one from random.RandomPassword"]);
    });

    itBlocks([
      { title: "a literal password", stack: literal("password"), policy: "database-role-password-generated", message: /flightpro_app has a literal password/ },
      { title: "a literal write-only password", stack: literal("passwordWo"), policy: "database-role-password-generated", message: /flightpro_app has a literal passwordWo/ },
      {
        title: "a password taken from another resource than a RandomPassword",
        stack: () =>
          mutate(added(plan(), { type: "aws:ssm/parameter:Parameter", name: "db-app-password-param", props: { name: "/flightpro/db/app", type: "SecureString", value: "hunter2hunter2" } }), db("app"), (props, fixture) => {
            props["password"] = "hunter2hunter2";
            fixture.dependsOn = ["db-app-password-param"];
          }),
        policy: "database-role-password-generated",
        message: /flightpro_app has a literal password/,
      },
    ]);
  });
});
