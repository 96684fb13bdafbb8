import { strict as assert } from "node:assert";
import { validStack } from "./fixtures";
import { Fixture, itRejects, judge, withInput } from "./judge";

describe("policies: database", () => {
  it("accept a login app role without admin attributes, DML-only grants, a generated password", () => {
    assert.deepEqual(judge(validStack()), []);
  });

  it("accept a password not known until apply", () => {
    const stack = validStack().map((f) => (f.name === "db-app" ? { ...f, dependsOn: [], props: { ...f.props, password: "04da6b54-80e4-46f7-96ec-b56ff0331ba9" } } : f));
    assert.deepEqual(judge(stack), []);
  });

  it("leave non-login roles' attributes and other roles' grants alone", () => {
    let stack = withInput(validStack(), "db-owner", "createRole", true);
    stack = withInput(stack, "db-app-tables", "role", "flightpro_migrator");
    stack = withInput(stack, "db-app-tables", "privileges", ["CREATE", "USAGE"]);
    assert.deepEqual(judge(stack), []);
  });

  const literal = (): Fixture[] => validStack().map((f) => (f.name === "db-app" ? { ...f, dependsOn: [], props: { ...f.props, password: "hunter2" } } : f));

  itRejects([
    { title: "superuser app role", stack: () => withInput(validStack(), "db-app", "superuser", true), policy: "database-login-role-least-privilege", message: /flightpro_app has superuser/ },
    { title: "app role creates roles", stack: () => withInput(validStack(), "db-app", "createRole", true), policy: "database-login-role-least-privilege", message: /has createRole/ },
    { title: "app role creates databases", stack: () => withInput(validStack(), "db-app", "createDatabase", true), policy: "database-login-role-least-privilege", message: /has createDatabase/ },
    { title: "TRUNCATE granted to the app", stack: () => withInput(validStack(), "db-app-tables", "privileges", ["SELECT", "TRUNCATE"]), policy: "database-app-role-no-ddl", message: /granted TRUNCATE on table/ },
    { title: "CREATE on the schema by default", stack: () => withInput(validStack(), "db-app-default-tables", "privileges", ["ALL"]), policy: "database-app-role-no-ddl", message: /granted ALL/ },
    { title: "app role member of the owner", stack: () => withInput(validStack(), "db-app", "roles", ["flightpro_owner"]), policy: "database-app-role-no-ddl", message: /member of flightpro_owner/ },
    { title: "literal password", stack: literal, policy: "database-role-password-generated", message: /flightpro_app has a literal password/ },
  ]);
});
