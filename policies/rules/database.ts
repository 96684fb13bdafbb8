import { dependsOn, resourcePolicy, stackPolicy } from "../lib/define";
import { anyGlobMatch } from "../lib/glob";
import { asArray, isUnknown, knownString } from "../lib/values";

export const PG_ROLE = "postgresql:index/role:Role";
export const PG_GRANT = "postgresql:index/grant:Grant";
export const PG_DEFAULT_PRIVILEGES = "postgresql:index/defaultPrivileges:DefaultPrivileges";
export const RANDOM_PASSWORD = "random:index/randomPassword:RandomPassword";

const TOPICS = ["database", "least-privilege"];
const SPEC_DB = 'Spec, Compliance: "PCI: Production access restricted"; Database Migrations: migrations run by CI before the app deploys';

export const roleLeastPrivilege = resourcePolicy(
  {
    name: "database-login-role-least-privilege",
    description: `A role that can log in cannot administer the server. ${SPEC_DB}; the admin user stays outside the stack.`,
    severity: "critical",
    remediation: ["Remove superuser, createRole and createDatabase from login roles; schema changes go through the migrator role's grants."],
    topics: TOPICS,
  },
  {
    types: [PG_ROLE],
    validate({ props }, _settings, report, args) {
      if (props["login"] !== true) args.notApplicable("not a login role");
      const name = knownString(props["name"]) ?? "(unnamed)";
      for (const attribute of ["superuser", "createRole", "createDatabase"]) {
        if (props[attribute] === true) report(`login role ${name} has ${attribute}`);
      }
    },
  },
);

const DDL_PRIVILEGES = ["CREATE", "TRUNCATE", "REFERENCES", "TRIGGER", "ALL", "ALL PRIVILEGES"];

interface AppRoleSettings {
  appRoles: string[];
  ownerRoles: string[];
}

export const appRoleNoDdl = resourcePolicy<AppRoleSettings>(
  {
    name: "database-app-role-no-ddl",
    description:
      `The application's role reads and writes data; it never changes the schema. ${SPEC_DB} ("Review generated SQL (manual check for safety)"), ` +
      "so a compromised app cannot alter or truncate tables.",
    severity: "high",
    remediation: [
      "Grant the app role only SELECT, INSERT, UPDATE, DELETE (tables) and USAGE/SELECT (sequences, schema).",
      "Do not make it a member of the owner or migrator role.",
    ],
    topics: TOPICS,
  },
  {
    types: [PG_GRANT, PG_DEFAULT_PRIVILEGES, PG_ROLE],
    config: {
      defaults: { appRoles: ["*_app", "app"], ownerRoles: ["*_owner", "*_migrator", "owner", "migrator"] },
      schema: {
        appRoles: { type: "array", items: { type: "string" }, minItems: 1, description: "Globs matching the application role's name." },
        ownerRoles: { type: "array", items: { type: "string" }, description: "Globs matching roles that own or migrate the schema." },
      },
    },
    validate({ type, props }, settings, report, args) {
      if (type === PG_ROLE) {
        const name = knownString(props["name"]) ?? "";
        if (!anyGlobMatch(settings.appRoles, name)) args.notApplicable("not the app role");
        const inherited = asArray(props["roles"]).map((role) => knownString(role) ?? "").filter((role) => anyGlobMatch(settings.ownerRoles, role));
        if (inherited.length > 0) report(`app role ${name} is a member of ${inherited.join(", ")} and inherits its DDL rights`);
        return;
      }
      const role = knownString(props["role"]) ?? "";
      if (!anyGlobMatch(settings.appRoles, role)) args.notApplicable("not a grant to the app role");
      const privileges = asArray(props["privileges"]).map((privilege) => String(privilege).toUpperCase());
      const ddl = privileges.filter((privilege) => DDL_PRIVILEGES.includes(privilege));
      if (ddl.length > 0) report(`app role ${role} is granted ${ddl.join(", ")} on ${String(props["objectType"])}`);
    },
  },
);

export const rolePasswordGenerated = stackPolicy(
  {
    name: "database-role-password-generated",
    description:
      'Database passwords are generated, never written down. Spec, Never Commit: "❌ Passwords in comments"; Rotation: "Database passwords: Every 180 days". ' +
      "A role's password must come from a random.RandomPassword in the stack (or be unknown until apply).",
    severity: "critical",
    remediation: ["Generate the password with random.RandomPassword and pass its result to the role; rotate by replacing the RandomPassword (keepers)."],
    topics: [...TOPICS, "secrets"],
  },
  {
    requires: PG_ROLE,
    validate(resources, _settings, report, args) {
      const roles = resources.filter((r) => r.type === PG_ROLE && r.props["password"] !== undefined && r.props["password"] !== null);
      if (roles.length === 0) args.notApplicable("no role with a password");
      const generators = resources.filter((r) => r.type === RANDOM_PASSWORD);
      for (const role of roles) {
        const password = role.props["password"];
        if (isUnknown(password)) continue;
        const generated = generators.some((generator) => dependsOn(role, generator.urn, "password") || (password !== "" && generator.props["result"] === password));
        if (!generated) report(`role ${knownString(role.props["name"]) ?? role.name} has a literal password, not one from random.RandomPassword`, role.urn);
      }
    },
  },
);

export const databasePolicies = [roleLeastPrivilege, appRoleNoDdl, rolePasswordGenerated];
