import { StackResource, dependsOn, resourcePolicy, stackPolicy } from "../lib/define";
import {
  ADMIN_ATTRIBUTES,
  DEFAULT_ROLE_KINDS,
  PG_DATABASE,
  PG_DEFAULT_PRIVILEGES,
  PG_GRANT,
  PG_GRANT_ROLE,
  PG_PROVIDER,
  PG_ROLE,
  PG_SCHEMA,
  PrivilegeGrant,
  ROLE_KINDS,
  ROLE_KINDS_SCHEMA,
  RoleKindGlobs,
  describeGrant,
  isKind,
  isPublic,
  kindsOf,
  mayBeOn,
  privilegeGrantsOf,
  stringInput,
  stringsInput,
} from "../lib/postgres";
import { isUnknown, knownString } from "../lib/values";

export { PG_DEFAULT_PRIVILEGES, PG_GRANT, PG_ROLE };
export const RANDOM_PASSWORD = "random:index/randomPassword:RandomPassword";

// Stryker disable all: documentation: the policies' topics and the spec lines their descriptions quote.
const TOPICS = ["database", "least-privilege"];
const SPEC_ACCESS = 'Spec, Compliance & Audit: "PCI: Production access restricted"';
const SPEC_MIGRATIONS = 'Spec, Database Migrations: "CI runs migration in production before deploying app", "Review generated SQL (manual check for safety)"';
const SPEC_MANAGED = 'Spec, Environments: "Production database (managed, backups enabled)"';
// Stryker restore all

const PRIVILEGE_TYPES = [PG_GRANT, PG_DEFAULT_PRIVILEGES, PG_SCHEMA];

interface RoleKindSettings {
  roleKinds: RoleKindGlobs;
}

const roleKindsConfig = {
  defaults: { roleKinds: DEFAULT_ROLE_KINDS },
  schema: { roleKinds: ROLE_KINDS_SCHEMA },
};

/** The names of the roles the stack declares (unknown names are not judged until apply). */
function stackRoles(resources: StackResource[]): Map<string, StackResource> {
  const roles = new Map<string, StackResource>();
  for (const role of resources.filter((r) => r.type === PG_ROLE)) {
    const name = stringInput(role.props, "name");
    // Stryker disable next-line ConditionalExpression: equivalent: only names are ever looked up, so an entry under `undefined` is never read.
    if (name !== undefined) roles.set(name, role);
  }
  return roles;
}

/** The role's name, or `fallback` when it has none (autonamed, or an empty name). */
function roleLabel(props: StackResource["props"], fallback: string): string {
  return knownString(props["name"]) || fallback;
}

// --- role attributes -------------------------------------------------------------------------

function adminAttributes(props: Parameters<typeof mayBeOn>[0]): string[] {
  return ADMIN_ATTRIBUTES.filter((attribute) => mayBeOn(props, attribute));
}

export const roleLeastPrivilege = resourcePolicy(
  {
    name: "database-login-role-least-privilege",
    description:
      `No role that can log in is a superuser or may create roles or databases, replicate or bypass row-level security: it cannot administer the server. ${SPEC_ACCESS}; ${SPEC_MANAGED}: the server's admin stays outside the stack. ` +
      "No login role is a superuser or may create roles or databases, replicate, or bypass row-level security.",
    severity: "critical",
    remediation: [
      "Set superuser, createRole, createDatabase, replication and bypassRowLevelSecurity to false (or leave them out) on every login role.",
      "Schema changes go through the migrator role's membership in the owner role, never through role attributes.",
    ],
    topics: TOPICS,
  },
  {
    types: [PG_ROLE],
    validate({ props }, _settings, report) {
      if (!mayBeOn(props, "login")) return; // database-nologin-role-least-privilege
      const name = roleLabel(props, "(unnamed)");
      for (const attribute of adminAttributes(props)) report(`login role ${name} has ${attribute}`);
    },
  },
);

export const nologinRoleLeastPrivilege = resourcePolicy(
  {
    name: "database-nologin-role-least-privilege",
    description:
      `No role that cannot log in is a superuser or may create roles or databases, replicate or bypass row-level security either. Such a role is still used: its members become it with SET ROLE (the migrator does so at every login), and role attributes work after SET ROLE. ${SPEC_ACCESS}. ` +
      "No role is a superuser or may create roles or databases, replicate, or bypass row-level security (https://www.postgresql.org/docs/15/role-membership.html).",
    severity: "critical",
    remediation: ["Set superuser, createRole, createDatabase, replication and bypassRowLevelSecurity to false (or leave them out) on every role, the owner role included."],
    topics: TOPICS,
  },
  {
    types: [PG_ROLE],
    validate({ props }, _settings, report) {
      if (mayBeOn(props, "login")) return; // database-login-role-least-privilege
      const name = roleLabel(props, "(unnamed)");
      for (const attribute of adminAttributes(props)) report(`role ${name} (no login) has ${attribute}; its members get it with SET ROLE`);
    },
  },
);

/**
 * A login role without a connection limit: `connectionLimit` "-1 (the default) means no limit"
 * (pulumi/pulumi-postgresql@v3.18.1:sdk/nodejs/role.ts, from cyrilgdn/terraform-provider-postgresql's
 * connection_limit; PostgreSQL's CONNECTION LIMIT, https://www.postgresql.org/docs/15/sql-createrole.html).
 */
export const loginRoleConnectionLimited = resourcePolicy(
  {
    name: "database-login-role-connection-limited",
    description:
      `A role that can log in has a connection limit, so one service (or a leaked credential) cannot take every connection of the server. ${SPEC_ACCESS}; ${SPEC_MANAGED}. ` +
      "connectionLimit is set and not negative on every login role (-1, the provider's default, means no limit); the limits come from the stack's database.connectionLimits.",
    severity: "medium",
    remediation: [
      "Set connectionLimit on every login role from database.connectionLimits (migrator, app, readonly; each at least 1).",
      "Raise the stack's limit for a role that needs more connections instead of removing it.",
    ],
    topics: TOPICS,
  },
  {
    types: [PG_ROLE],
    validate({ props }, _settings, report) {
      if (!mayBeOn(props, "login") || isUnknown(props["connectionLimit"])) return;
      const limit = props["connectionLimit"];
      if (typeof limit !== "number") report(`login role ${roleLabel(props, "(unnamed)")} has no connectionLimit (the provider's default, -1, is no limit)`);
      else if (limit < 0) report(`login role ${roleLabel(props, "(unnamed)")} has connectionLimit ${limit} (no limit)`);
    },
  },
);

export const roleKindDeclared = resourcePolicy<RoleKindSettings>(
  {
    name: "database-role-kind-declared",
    description:
      `Every database role is one of the kinds the access model knows (owner, migrator, app, readonly, and the backup job's backup), so every other database policy judges it; the owner role cannot log in. ${SPEC_ACCESS}. ` +
      "A role of a new kind would escape the rules written for those kinds.",
    severity: "high",
    remediation: [
      "Name each role <database>_owner, _migrator, _app, _readonly or _backup (the roleKinds globs in the pack config), and no other.",
      "Give the owner role login: false; people and services log in as the migrator, app or readonly role.",
    ],
    topics: TOPICS,
  },
  {
    types: [PG_ROLE],
    config: roleKindsConfig,
    validate({ props }, { roleKinds }, report) {
      const name = stringInput(props, "name");
      if (name === undefined || name === "") return report("a role has no name (autonamed): its kind cannot be told");
      const kinds = kindsOf(roleKinds, name);
      if (kinds.length === 0) report(`role ${name} is none of ${ROLE_KINDS.join(", ")} (roleKinds)`);
      else if (kinds.length > 1) report(`role ${name} matches more than one kind: ${kinds.join(", ")}`);
      else if (kinds[0] === "owner" && mayBeOn(props, "login")) report(`owner role ${name} can log in`);
    },
  },
);

// --- role membership -------------------------------------------------------------------------
//
// The policies below judge the stack's database access as a whole (they need the roles it declares).
// They require a Database: the SDK then skips them, before copying any resource, on a stack that
// manages no database; a stack with roles and grants always declares the database they live in.

interface Membership {
  member: string;
  granted: string;
  via: string;
  urn: string;
}

function memberships(resources: StackResource[]): Membership[] {
  const found: Membership[] = [];
  for (const resource of resources) {
    if (resource.type === PG_ROLE) {
      const member = stringInput(resource.props, "name") ?? "(unnamed)";
      for (const granted of stringsInput(resource.props, "roles")) found.push({ member, granted, via: "roles", urn: resource.urn });
      const assumed = stringInput(resource.props, "assumeRole");
      if (assumed) found.push({ member, granted: assumed, via: "assumeRole", urn: resource.urn });
    } else if (resource.type === PG_GRANT_ROLE) {
      // Stryker disable next-line StringLiteral: equivalent: a GrantRole always has role and grantRole (@pulumi/postgresql grantRole.js throws "Missing required property" without them).
      const member = stringInput(resource.props, "role") ?? "";
      // Stryker disable next-line StringLiteral: equivalent (as above).
      const granted = stringInput(resource.props, "grantRole") ?? "";
      found.push({ member, granted, via: "GrantRole", urn: resource.urn });
    }
  }
  return found;
}

export const roleMembershipLeastPrivilege = stackPolicy<RoleKindSettings>(
  {
    name: "database-role-membership-least-privilege",
    description:
      `The one role membership across kinds is the migrator's in the owner role: membership passes on every privilege of the granted role (and its attributes after SET ROLE). ${SPEC_ACCESS}; ${SPEC_MIGRATIONS}. ` +
      "The migrator's membership lets migrations own the tables they create. Within a kind, a login role's alternate is a member of it (the alternating passwords of Rotation: \"Database passwords: Every 180 days\", \"zero downtime\"): it gets no privilege the kind's own rules do not already judge.",
    severity: "critical",
    remediation: [
      "Remove the membership (Role.roles, Role.assumeRole or a GrantRole): app and readonly are members of nothing, the owner role has no members but the migrator.",
      "Never grant a role outside the stack (the server's admin, pg_* predefined roles, rds_superuser) to a stack role, or a stack role to an outside role.",
    ],
    topics: TOPICS,
  },
  {
    config: roleKindsConfig,
    requires: PG_DATABASE,
    validate(resources, { roleKinds }, report) {
      const roles = stackRoles(resources);
      for (const edge of memberships(resources)) {
        const stackPair = roles.has(edge.member) && roles.has(edge.granted);
        const migratorToOwner = isKind(roleKinds, edge.member, "migrator") && isKind(roleKinds, edge.granted, "owner");
        // An alternate in its own kind: a member of a role it could not be told apart from by any other policy.
        const memberKinds = kindsOf(roleKinds, edge.member);
        const sameKind = memberKinds.length === 1 && memberKinds[0] !== "owner" && edge.via !== "assumeRole" && isKind(roleKinds, edge.granted, memberKinds[0]!) && kindsOf(roleKinds, edge.granted).length === 1;
        if (!stackPair || !(migratorToOwner || sameKind)) {
          report(`${edge.member} is made a member of ${edge.granted} (${edge.via}): only the migrator may be a member of the owner role, and a role only of another of its own kind`, edge.urn);
        }
      }
    },
  },
);

// --- privileges ------------------------------------------------------------------------------

/** Every privilege grant the stack declares, by Grant, DefaultPrivileges or Schema policies. */
function grantsOf(resources: StackResource[]): PrivilegeGrant[] {
  // Stryker disable next-line MethodExpression,ConditionalExpression: equivalent: privilegeGrantsOf finds none in other types; the filter spares the calls.
  return resources.filter((r) => PRIVILEGE_TYPES.includes(r.type)).flatMap((r) => privilegeGrantsOf(r));
}

export const publicNoPrivileges = stackPolicy(
  {
    name: "database-public-no-privileges",
    description:
      `PUBLIC (every role on the server, present and future) has no privilege on the database or its schemas. ${SPEC_ACCESS}. PostgreSQL gives PUBLIC CONNECT and TEMPORARY on every new database ` +
      "(https://www.postgresql.org/docs/15/ddl-priv.html) and USAGE on the `public` schema, so the stack revokes them: it grants PUBLIC nothing, " +
      "and every database and schema it declares has a Grant revoking all from `public`.",
    severity: "critical",
    remediation: [
      "Remove every privilege granted to PUBLIC (a Grant, a DefaultPrivileges or a Schema policy whose role is public, in any case, or a Schema policy without a role).",
      'Keep, for each database and schema, a Grant { role: "public", objectType: "database" | "schema", privileges: [] }.',
    ],
    topics: TOPICS,
  },
  {
    requires: PG_DATABASE,
    validate(resources, _settings, report) {
      const databases = resources.filter((r) => r.type === PG_DATABASE);
      const schemas = resources.filter((r) => r.type === PG_SCHEMA);
      const grants = grantsOf(resources);
      for (const grant of grants) {
        if (isPublic(grant.role) && grant.privileges.length > 0) report(`${grant.via} gives PUBLIC ${describeGrant(grant)}`, grant.urn);
      }
      // The revokes: the provider reads PUBLIC only as the exact role "public" (getRoleOID, helpers.go).
      const revokes = grants.filter((grant) => grant.via === "Grant" && grant.role === "public" && grant.privileges.length === 0);
      for (const database of databases) {
        const name = stringInput(database.props, "name");
        if (!revokes.some((grant) => grant.objectType === "database" && grant.database === name)) {
          report(`database ${name ?? "(unnamed)"} has no Grant revoking PUBLIC's default CONNECT and TEMPORARY`, database.urn);
        }
      }
      for (const schema of schemas) {
        const name = stringInput(schema.props, "name");
        const database = stringInput(schema.props, "database");
        const revoked = revokes.some((grant) => grant.objectType === "schema" && grant.schema === name && (database === undefined || grant.database === database));
        if (!revoked) report(`schema ${name ?? "(unnamed)"} has no Grant revoking all from PUBLIC`, schema.urn);
      }
    },
  },
);

export const roleConnectOnly = resourcePolicy(
  {
    name: "database-role-connect-only",
    description:
      `On the database itself a role gets CONNECT and nothing else: TEMPORARY lets it create temporary tables, CREATE lets it create schemas. ${SPEC_ACCESS}.`,
    severity: "high",
    remediation: ['Grant each login role privileges: ["CONNECT"] on the database, and nothing else at database level.'],
    topics: TOPICS,
  },
  {
    types: [PG_GRANT],
    validate(resource, _settings, report) {
      const [grant] = privilegeGrantsOf(resource);
      if (!grant || grant.objectType !== "database" || isPublic(grant.role)) return; // other grants: the role policies; PUBLIC: database-public-no-privileges
      const extra = grant.privileges.filter((privilege) => privilege !== "CONNECT");
      // A Grant always names its database (@pulumi/postgresql grant.js throws "Missing required property 'database'").
      if (extra.length > 0) report(`${grant.role} is granted ${extra.join(", ")} on database ${grant.database}: CONNECT only`);
    },
  },
);

const DDL_PRIVILEGES = ["CREATE", "TRUNCATE", "REFERENCES", "TRIGGER", "MAINTAIN", "ALL"];

export const appRoleNoDdl = stackPolicy<RoleKindSettings>(
  {
    name: "database-app-role-no-ddl",
    description:
      `The application's role reads and writes data; it never changes the schema. ${SPEC_MIGRATIONS}: schema changes are reviewed migrations, ` +
      "so a compromised app cannot create, alter, truncate or trigger on tables.",
    severity: "high",
    remediation: [
      "Grant the app role only SELECT, INSERT, UPDATE, DELETE (tables), USAGE, SELECT, UPDATE (sequences) and USAGE (schema).",
      "Never CREATE, TRUNCATE, REFERENCES, TRIGGER, MAINTAIN or ALL, by Grant, DefaultPrivileges or Schema policies.",
    ],
    topics: TOPICS,
  },
  {
    config: roleKindsConfig,
    requires: PG_DATABASE,
    validate(resources, { roleKinds }, report) {
      for (const grant of grantsOf(resources)) {
        if (grant.objectType === "database" || !isKind(roleKinds, grant.role, "app")) continue;
        const ddl = grant.privileges.filter((privilege) => DDL_PRIVILEGES.includes(privilege));
        if (ddl.length > 0) report(`app role ${grant.role} is granted ${ddl.join(", ")} on ${grant.objectType} (${grant.via})`, grant.urn);
      }
    },
  },
);

/** What readonly may hold, per object type: reading, and the schema usage reading needs. */
const READONLY_ALLOWED: Record<string, string[]> = { schema: ["USAGE"], table: ["SELECT"], sequence: ["SELECT"], column: ["SELECT"] };

export const readonlyRoleSelectOnly = stackPolicy<RoleKindSettings>(
  {
    name: "database-readonly-role-select-only",
    description:
      `The read-only role reads rows and nothing else. ${SPEC_ACCESS}. SELECT on tables and sequences and USAGE on the schema; no write, ` +
      "no sequence USAGE (nextval), no function EXECUTE (a function can write), no DDL.",
    severity: "high",
    remediation: ["Grant the readonly role SELECT on tables and sequences and USAGE on its schema, by Grant or DefaultPrivileges, and nothing else."],
    topics: TOPICS,
  },
  {
    config: roleKindsConfig,
    requires: PG_DATABASE,
    validate(resources, { roleKinds }, report) {
      for (const grant of grantsOf(resources)) {
        if (grant.objectType === "database" || !isKind(roleKinds, grant.role, "readonly")) continue;
        const allowed = READONLY_ALLOWED[grant.objectType];
        const extra = grant.privileges.filter((privilege) => !allowed?.includes(privilege));
        if (extra.length > 0) report(`readonly role ${grant.role} is granted ${extra.join(", ")} on ${grant.objectType} (${grant.via})`, grant.urn);
      }
    },
  },
);

export const grantNoGrantOption = stackPolicy(
  {
    name: "database-grant-no-grant-option",
    description:
      `A privilege held with grant option (or a role held with admin option) can be handed on by its holder to any role, outside the stack's control. ${SPEC_ACCESS}.`,
    severity: "high",
    remediation: ["Set withGrantOption (Grant, DefaultPrivileges) and withAdminOption (GrantRole) to false, and use usage/create rather than usageWithGrant/createWithGrant in Schema policies."],
    topics: TOPICS,
  },
  {
    requires: PG_DATABASE,
    validate(resources, _settings, report) {
      // Stryker disable next-line MethodExpression,ConditionalExpression: equivalent: no other type has withAdminOption.
      for (const grantRole of resources.filter((r) => r.type === PG_GRANT_ROLE)) {
        if (mayBeOn(grantRole.props, "withAdminOption")) {
          // A GrantRole always has grantRole and role (@pulumi/postgresql grantRole.js throws "Missing required property" without them).
          report(`${stringInput(grantRole.props, "grantRole")} is granted to ${stringInput(grantRole.props, "role")} with admin option`, grantRole.urn);
        }
      }
      for (const grant of grantsOf(resources)) {
        if (grant.withGrantOption) report(`${grant.via} gives ${grant.role} ${describeGrant(grant)} with grant option`, grant.urn);
      }
    },
  },
);

export const privilegesToStackRoles = stackPolicy(
  {
    name: "database-privileges-only-to-stack-roles",
    description:
      `The stack grants privileges only to the roles it declares, whose attributes and memberships the other policies judge. ${SPEC_ACCESS}. ` +
      "A grant to a role outside the stack (a person's login, another product's role, a predefined role) is access no policy sees.",
    severity: "high",
    remediation: [
      "Grant privileges only to the stack's owner, migrator, app and readonly roles.",
      "Default privileges name a stack role as owner (whose future objects) and as grantee.",
    ],
    topics: TOPICS,
  },
  {
    requires: PG_DATABASE,
    validate(resources, _settings, report) {
      const roles = stackRoles(resources);
      for (const grant of grantsOf(resources)) {
        if (grant.privileges.length > 0 && !isPublic(grant.role) && !roles.has(grant.role)) {
          report(`${grant.via} gives ${describeGrant(grant)} to ${grant.role}, a role this stack does not declare`, grant.urn);
        }
        if (grant.owner !== undefined && !roles.has(grant.owner)) {
          report(`DefaultPrivileges for objects ${grant.owner} creates: ${grant.owner} is not a role this stack declares`, grant.urn);
        }
      }
    },
  },
);

interface MigrationSchemaSettings extends RoleKindSettings {
  migrationSchemas: string[];
}

export const migrationSchemaPrivate = stackPolicy<MigrationSchemaSettings>(
  {
    name: "database-migration-schema-private",
    description:
      `Alembic's bookkeeping (its alembic_version table, in its own schema) belongs to the migrations: the app and readonly roles cannot read or change it. ${SPEC_MIGRATIONS}; ` +
      "an app that rewrites alembic_version makes the next deploy skip or repeat migrations.",
    severity: "high",
    remediation: [
      "Grant app and readonly nothing in the migration schema (migrationSchemas in the pack config).",
      "Scope their DefaultPrivileges to the app's schema (schema: public), never global (no schema).",
    ],
    topics: TOPICS,
  },
  {
    requires: PG_DATABASE,
    config: {
      defaults: { roleKinds: DEFAULT_ROLE_KINDS, migrationSchemas: ["alembic"] },
      schema: {
        roleKinds: ROLE_KINDS_SCHEMA,
        migrationSchemas: { type: "array", items: { type: "string" }, minItems: 1, description: "Schemas that hold migration bookkeeping (Alembic's version_table_schema)." },
      },
    },
    validate(resources, { roleKinds, migrationSchemas }, report) {
      for (const grant of grantsOf(resources)) {
        if (grant.privileges.length === 0 || grant.objectType === "database") continue;
        if (!isKind(roleKinds, grant.role, "app") && !isKind(roleKinds, grant.role, "readonly")) continue;
        // Stryker disable next-line ConditionalExpression: equivalent: no migration schema is undefined.
        if (grant.schema !== undefined && migrationSchemas.includes(grant.schema)) {
          report(`${grant.via} gives ${grant.role} ${describeGrant(grant)}, the migration schema`, grant.urn);
          // Stryker disable next-line ConditionalExpression: equivalent for `via`: a Grant names its schema for every object type but database (@pulumi/postgresql grant.d.ts `schema`: "Required except if objectType is \"database\""), and database grants are skipped above.
        } else if (grant.schema === undefined && grant.via === "DefaultPrivileges" && grant.objectType !== "schema") {
          report(`${grant.via} gives ${grant.role} ${describeGrant(grant)}: global default privileges cover the migration schema too`, grant.urn);
        }
      }
    },
  },
);

export const ownershipSeparated = stackPolicy<RoleKindSettings>(
  {
    name: "database-ownership-separated",
    description:
      `The database belongs to the provider's admin and its schemas to the owner role: only a database's owner can drop it ` +
      "(https://www.postgresql.org/docs/15/sql-dropdatabase.html), and the provider grants on a database as its admin. " +
      `Owned by a role the migrator can become, the migrator could drop the database. ${SPEC_ACCESS}; ${SPEC_MIGRATIONS}.`,
    severity: "critical",
    remediation: [
      "Set the Database's owner to the PostgreSQL provider's username (the server's admin), never to a stack role.",
      "Set each Schema's owner to the owner role (the migrator acts as it).",
    ],
    topics: TOPICS,
  },
  {
    config: roleKindsConfig,
    requires: PG_DATABASE,
    validate(resources, { roleKinds }, report) {
      const databases = resources.filter((r) => r.type === PG_DATABASE);
      const schemas = resources.filter((r) => r.type === PG_SCHEMA);
      const roles = stackRoles(resources);
      const admins = new Set(resources.filter((r) => r.type === PG_PROVIDER).map((provider) => stringInput(provider.props, "username")).filter((name): name is string => !!name));
      for (const database of databases) {
        const name = stringInput(database.props, "name") ?? "(unnamed)";
        const owner = stringInput(database.props, "owner");
        if (owner === undefined || owner === "") continue; // the provider's admin by default
        if (roles.has(owner) || isPublic(owner)) report(`database ${name} is owned by ${owner}, a role of the stack`, database.urn);
        else if (admins.size > 0 && !admins.has(owner)) report(`database ${name} is owned by ${owner}, not the provider's admin (${[...admins].join(", ")})`, database.urn);
      }
      for (const schema of schemas) {
        const name = stringInput(schema.props, "name") ?? "(unnamed)";
        const owner = stringInput(schema.props, "owner");
        if (owner === undefined || owner === "") continue; // the provider's admin by default
        if (!roles.has(owner) || !isKind(roleKinds, owner, "owner")) report(`schema ${name} is owned by ${owner}, not the stack's owner role`, schema.urn);
      }
    },
  },
);

/** libpq's modes that refuse a connection without TLS (https://www.postgresql.org/docs/15/libpq-ssl.html). */
const TLS_MODES = ["require", "verify-ca", "verify-full"];

export const providerTlsRequired = stackPolicy(
  {
    name: "database-provider-tls-required",
    description:
      `The provider's admin connection carries the admin password and every role's password in clear SQL (CREATE/ALTER ROLE ... PASSWORD), so it must be encrypted. ${SPEC_ACCESS}; ` +
      'Spec, Rotation: "Database passwords: Every 180 days" (each rotation sends the new password). Left out, sslmode falls back to the PGSSLMODE of whoever runs pulumi (sslmode in provider.go of terraform-provider-postgresql v1.27.0).',
    severity: "critical",
    remediation: ["Set the PostgreSQL provider's sslmode to require, verify-ca or verify-full (flightdeck:database.sslMode), and never disable, allow or prefer."],
    topics: [...TOPICS, "encryption"],
  },
  {
    requires: PG_PROVIDER,
    validate(resources, _settings, report) {
      for (const provider of resources.filter((r) => r.type === PG_PROVIDER)) {
        // providerConfigure: `sslmode`, else the deprecated `ssl_mode` (Pulumi: sslMode).
        const mode = stringInput(provider.props, "sslmode") || stringInput(provider.props, "sslMode") || "";
        if (!TLS_MODES.includes(mode.trim().toLowerCase())) report(`PostgreSQL provider ${provider.name} connects with sslmode ${mode === "" ? "unset" : mode}: TLS is not required`, provider.urn);
      }
    },
  },
);

export const rolePasswordGenerated = stackPolicy(
  {
    name: "database-role-password-generated",
    description:
      'Database passwords are generated, never written down. Spec, Never Commit: "❌ Passwords in comments"; Rotation: "Database passwords: Every 180 days". ' +
      "A role's password (password or passwordWo) must come from a random.RandomPassword in the stack (or be unknown until apply).",
    severity: "critical",
    remediation: ["Generate the password with random.RandomPassword and pass its result to the role; rotate by replacing the RandomPassword (keepers)."],
    topics: [...TOPICS, "secrets"],
  },
  {
    requires: PG_ROLE,
    validate(resources, _settings, report, args) {
      const generators = resources.filter((r) => r.type === RANDOM_PASSWORD);
      let judged = 0;
      for (const role of resources.filter((r) => r.type === PG_ROLE)) {
        for (const input of ["password", "passwordWo"]) {
          const password = role.props[input];
          if (password === undefined || password === null) continue;
          // Stryker disable next-line UpdateOperator: equivalent: judged is only compared with 0, and either step leaves 0 for good.
          judged++;
          if (isUnknown(password)) continue;
          const generated = generators.some((generator) => dependsOn(role, generator.urn, input) || (password !== "" && generator.props["result"] === password));
          if (!generated) report(`role ${knownString(role.props["name"]) ?? role.name} has a literal ${input}, not one from random.RandomPassword`, role.urn);
        }
      }
      if (judged === 0) args.notApplicable("no role with a password");
    },
  },
);

export const databasePolicies = [
  roleLeastPrivilege,
  nologinRoleLeastPrivilege,
  loginRoleConnectionLimited,
  roleKindDeclared,
  roleMembershipLeastPrivilege,
  publicNoPrivileges,
  roleConnectOnly,
  appRoleNoDdl,
  readonlyRoleSelectOnly,
  grantNoGrantOption,
  privilegesToStackRoles,
  migrationSchemaPrivate,
  ownershipSeparated,
  providerTlsRequired,
  rolePasswordGenerated,
];
