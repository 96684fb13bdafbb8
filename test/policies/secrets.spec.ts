import { strict as assert } from "node:assert";
import { credentialIn } from "../../policies/lib/credentials";
import { noPlaintextCredentials, secretRotationCurrent } from "../../policies/rules/secrets";
import { validStack, verifyYaml } from "./fixtures";
import { Fixture, itRejects, judge, runResourcePolicy, withInput } from "./judge";

const rotation = (record: Record<string, unknown>) => JSON.stringify({ name: "STRIPE_SECRET_KEY", kind: "api-key", periodDays: 90, lastRotated: "2026-10-05", destinations: {}, ...record });

describe("policies: secrets", () => {
  it("accept sensitive Vercel secrets, plain NEXT_PUBLIC_* values, plain variables and a current rotation register", () => {
    assert.deepEqual(judge(validStack()), []);
  });

  it("recognise the credential shapes the spec names, and not secret references", () => {
    for (const text of ["sk_live_51Habcdefghij", "sk_test_51Habcdefghij", "ghp_abcdefghijklmnopqrstuvwxyz0123456789", "github_pat_11ABCDEFG0abcdefghijkl_mnop", "AKIAIOSFODNN7EXAMPLE", "postgres://app:hunter2@db:5432/app"]) {
      assert.notEqual(credentialIn(text), undefined, text);
    }
    for (const text of ["postgres://app:${{ secrets.DB_PASSWORD }}@db/app", "postgres://db.internal:5432/app", "postgresql://ci:ci@localhost:5432/migrations", "phc_flightpro_production", "${{ secrets.STRIPE_SECRET_KEY }}"]) {
      assert.equal(credentialIn(text), undefined, text);
    }
  });

  it("do not scan inputs that are secret by design (an Actions secret's value, a sensitive Vercel value)", () => {
    const secret: Fixture = { type: "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret", name: "s", props: { secretName: "STRIPE", value: "sk_live_51Habcdefghijklmnop" } };
    assert.deepEqual(runResourcePolicy(noPlaintextCredentials, secret), []);
  });

  itRejects([
    { title: "a secret Vercel variable not sensitive", stack: () => withInput(withInput(validStack(), "env-STRIPE_SECRET_KEY", "sensitive", false), "env-STRIPE_SECRET_KEY", "value", "opaque-test-value"), policy: "vercel-env-var-sensitive", message: /STRIPE_SECRET_KEY is not sensitive/ },
    {
      title: "a runtime setting not listed as plain",
      stack: () => withInput(withInput(validStack(), "env-NEXT_PUBLIC_API_URL", "key", "LOG_LEVEL"), "env-NEXT_PUBLIC_API_URL", "value", "info"),
      policy: "vercel-env-var-sensitive",
      message: /LOG_LEVEL is not sensitive/,
    },
    {
      title: "an Actions variable with a secret-like name",
      stack: () => withInput(validStack(), "var-AUDIT_BUCKET", "variableName", "STRIPE_SECRET_KEY"),
      policy: "github-actions-variable-not-secret",
      message: /STRIPE_SECRET_KEY has a secret-like name/,
    },
    {
      title: "a Stripe key in an Actions variable's value",
      stack: () => withInput(validStack(), "var-AUDIT_BUCKET", "value", "sk_live_51Habcdefghijklmnop"),
      policy: "secrets-plain-input-no-credentials",
      message: /value contains a Stripe live secret key/,
    },
    {
      title: "a GitHub token in a plain Vercel value",
      stack: () => withInput(validStack(), "env-NEXT_PUBLIC_API_URL", "value", "ghp_abcdefghijklmnopqrstuvwxyz0123456789"),
      policy: "secrets-plain-input-no-credentials",
      message: /GitHub personal access token/,
    },
    {
      title: "a database password in a committed workflow file",
      stack: () => withInput(validStack(), "workflow-verify", "content", verifyYaml.replace('      DOCKER_IMAGE_MAX_MB: "500"\n', '      DOCKER_IMAGE_MAX_MB: "500"\n      DATABASE_URL: postgres://app:hunter2@db:5432/app\n')),
      policy: "secrets-plain-input-no-credentials",
      message: /content contains a connection string with a password/,
    },
    { title: "an AWS key in a tag", stack: () => withInput(validStack(), "alerts-critical", "tags", { owner: "AKIAIOSFODNN7EXAMPLE" }), policy: "secrets-plain-input-no-credentials", message: /tags.owner contains a AWS access key id/ },
    { title: "rotation overdue", stack: () => withInput(validStack(), "rotation-STRIPE_SECRET_KEY", "insecureValue", rotation({ lastRotated: "2026-07-01" })), policy: "secrets-rotation-register-current", message: /132 days ago; due every 90 days/ },
    { title: "api key period beyond 90 days", stack: () => withInput(validStack(), "rotation-STRIPE_SECRET_KEY", "insecureValue", rotation({ periodDays: 120 })), policy: "secrets-rotation-register-current", message: /periodDays 120 exceeds the spec's 90 days for api-key/ },
    {
      title: "database password period beyond 180 days",
      stack: () => withInput(validStack(), "rotation-STRIPE_SECRET_KEY", "insecureValue", rotation({ kind: "database-password", periodDays: 365 })),
      policy: "secrets-rotation-register-current",
      message: /365 exceeds the spec's 180 days for database-password/,
    },
    { title: "malformed register entry", stack: () => withInput(validStack(), "rotation-STRIPE_SECRET_KEY", "insecureValue", '{"name":"X"}'), policy: "secrets-rotation-register-current", message: /malformed: missing or invalid: kind, periodDays, lastRotated/ },
  ]);

  it("judge rotation against the injected clock", () => {
    assert.deepEqual(judge(validStack(), { now: "2027-01-03T16:00:00Z", policies: [secretRotationCurrent] }), []);
    const late = judge(validStack(), { now: "2027-01-05T16:00:00Z", policies: [secretRotationCurrent] });
    assert.equal(late.length, 1);
    assert.match(late[0]!.message, /92 days ago/);
  });
});
