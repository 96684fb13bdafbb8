import { strict as assert } from "node:assert";
import type { ReportViolation } from "@pulumi/policy";
import { findCredentials } from "../../policies/lib/credentials";
import {
  actionsVariableNotSecret,
  noPlaintextCredentials,
  publicEnvVarNotSecret,
  ROTATION_TAG,
  secretPolicies,
  secretRotationComplete,
  secretRotationCurrent,
  VERCEL_ENV_VAR,
  VERCEL_ENV_VARS,
  vercelEnvVarSensitive,
} from "../../policies/rules/secrets";
import { validStack } from "./fixtures";
import { Fixture, Verdict, itRejects, judge, settingsProblems, stackArgs, urnOf, withInput, without } from "./judge";

const rotation = (record: Record<string, unknown>) => JSON.stringify({ name: "STRIPE_SECRET_KEY", kind: "api-key", periodDays: 90, lastRotated: "2026-10-05", destinations: {}, ...record });

/**
 * Credential-shaped samples, built at run time so no scanner flags this file. Shapes from the
 * issuers' formats as secretlint's rules encode them (secretlint/secretlint packages/@secretlint/
 * secretlint-rule-{stripe,github,slack,privatekey,database-connection-string,basicauth}/src/index.ts)
 * and, for our own rules, the formats cited in policies/lib/credentials.ts.
 */
const sample = {
  stripeLive: ["sk", "live", "51H8zXk2eZvKYlo2C0a1b2c3d4e5f6g7h8"].join("_"),
  stripeRestricted: ["rk", "test", "51H8zXk2eZvKYlo2C0a1b2c3d4e5f6g7h8"].join("_"),
  stripeWebhook: ["whsec", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLSGZ"].join("_"),
  githubClassic: ["ghp", "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"].join("_"),
  githubFineGrained: ["github", "pat", "11ABCDEFG0abcdefghijkl", "mnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefghi"].join("_"),
  githubApp: ["ghs", "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"].join("_"),
  awsKeyId: "AKIA" + "Z3MSJV4W2QPLXK7R",
  slack: ["xoxb", "123456789012", "1234567890123", "AbCdEfGhIjKlMnOpQrStUvWx"].join("-"),
  privateKey: `-----BEGIN RSA ${"PRIVATE"} KEY-----\n${"MIIEowIBAAKCAQEAx".padEnd(200, "Q")}\n-----END RSA ${"PRIVATE"} KEY-----`,
  jwt: ["eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9", "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ", "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"].join("."),
  pagerDutyUrl: `https://events.pagerduty.com/integration/${"0123456789abcdef".repeat(2)}/enqueue`,
  postgresUrl: `postgres://app:${"hunter2pass"}@db.flightpro.internal:5432/flightpro`,
  redisUrl: `rediss://default:${"s3cretpass"}@redis.flightpro.internal:6379`,
  httpsWithPassword: `https://deploy:${"pa55word"}@registry.flightpro.com/v2`,
  // PostHog/posthog posthog/models/utils.py generate_random_token_personal: "phx_" + base62 of 32 random bytes.
  posthogPersonal: ["phx", "4Zb8Qk2LmN7pR1sT9vW3xY6aC0dE5fG8hJ2kM4nP7qS"].join("_"),
};

/** Runs the credential scan (an async stack policy) over fixtures, as the SDK does: awaiting it. */
async function scan(fixtures: Fixture[]): Promise<Verdict[]> {
  const verdicts: Verdict[] = [];
  const report = ((message: string, urn?: string) => verdicts.push({ policy: noPlaintextCredentials.name, message, urn })) as ReportViolation;
  await noPlaintextCredentials.validateStack(stackArgs(fixtures), report);
  return verdicts;
}

describe("policies: secrets", () => {
  it("accept sensitive Vercel secrets, plain NEXT_PUBLIC_* values, plain variables and a current rotation register", async () => {
    assert.deepEqual(judge(validStack()), []);
    assert.deepEqual(await scan(validStack()), []);
  });

  describe("the credential detector (secretlint's recommended preset plus flightdeck's rules)", () => {
    for (const [name, text] of Object.entries(sample)) {
      it(`finds ${name}`, async () => {
        const findings = await findCredentials(`prefix ${text} suffix`);
        assert.equal(findings.length, 1, JSON.stringify(findings));
        assert.equal(findings[0]!.start, "prefix ".length);
      });
    }

    it("does not take secret references, localhost test databases or public keys for credentials", async () => {
      for (const text of [
        "postgres://app:${{ secrets.DB_PASSWORD }}@db/app",
        "postgres://db.internal:5432/app",
        "postgresql://flightdeck:flightdeck@localhost:5432/migrations",
        "postgresql://ci:ci-password@localhost:5432/migrations",
        "redis://default:${REDIS_PASSWORD}@redis:6379",
        "phc_flightpro_production",
        "phc_4Zb8Qk2LmN7pR1sT9vW3xY6aC0dE5fG8hJ2kM4nP7qS",
        "${{ secrets.STRIPE_SECRET_KEY }}",
        "arn:aws:iam::123456789012:role/flightpro-production-deploy-audit",
        '{"Condition":{"StringEquals":{"aws:SourceAccount":"123456789012"}}}',
        "https://api.flightpro.com",
      ]) {
        assert.deepEqual(await findCredentials(text), [], text);
      }
    });
  });

  describe("secrets-plain-input-no-credentials: every plain string input", () => {
    const cases: { title: string; stack: () => Fixture[]; resource: string; path: RegExp }[] = [
      { title: "a Stripe key in an Actions variable's value", stack: () => withInput(validStack(), "var-AUDIT_BUCKET", "value", sample.stripeLive), resource: "var-AUDIT_BUCKET", path: /^value contains a credential in plain text \(detected by secretlint-rule-stripe\/STRIPE_SECRET_KEY_LIVE\)$/ },
      { title: "a GitHub token as a NEXT_PUBLIC_* value (public by definition)", stack: () => withInput(validStack(), "env-NEXT_PUBLIC_API_URL", "value", sample.githubClassic), resource: "env-NEXT_PUBLIC_API_URL", path: /^value contains a credential .*secretlint-rule-github/ },
      { title: "a secret in a NEXT_PUBLIC_* value even when marked sensitive", stack: () => withInput(withInput(validStack(), "env-NEXT_PUBLIC_API_URL", "sensitive", true), "env-NEXT_PUBLIC_API_URL", "value", sample.jwt), resource: "env-NEXT_PUBLIC_API_URL", path: /^value contains a credential .*flightdeck\/json-web-token/ },
      { title: "a database password in a committed workflow file", stack: () => withInput(validStack(), "workflow-verify", "content", `jobs:\n  migrate:\n    env:\n      DATABASE_URL: ${sample.postgresUrl}\n`), resource: "workflow-verify", path: /^content contains a credential .*database-connection-string/ },
      { title: "an AWS access key id in a tag", stack: () => withInput(validStack(), "alerts-critical", "tags", { owner: sample.awsKeyId }), resource: "alerts-critical", path: /^tags\.owner contains a credential .*flightdeck\/aws-access-key-id/ },
      { title: "a Stripe webhook secret in a description", stack: () => withInput(validStack(), "flightpro-production-audit-key", "description", `audit records ${sample.stripeWebhook}`), resource: "flightpro-production-audit-key", path: /^description contains a credential .*flightdeck\/stripe-webhook-secret/ },
      { title: "a PagerDuty integration URL in an alarm description", stack: () => withInput(validStack(), "alerts-critical", "displayName", sample.pagerDutyUrl), resource: "alerts-critical", path: /^displayName contains a credential .*flightdeck\/pagerduty-integration-key/ },
      { title: "a Redis URL with its password in an SSM String parameter", stack: () => withInput(validStack(), "rotation-STRIPE_SECRET_KEY", "value", sample.redisUrl), resource: "rotation-STRIPE_SECRET_KEY", path: /^value contains a credential .*flightdeck\/url-with-password/ },
      { title: "a private key in an input no policy reads otherwise (a ruleset name)", stack: () => withInput(validStack(), "main-ruleset", "name", sample.privateKey), resource: "main-ruleset", path: /^name contains a credential .*secretlint-rule-privatekey/ },
      { title: "a Slack token on a resource type the pack has no rule for", stack: () => [...validStack(), { type: "aws:lambda/function:Function", name: "metrics-bridge", props: { environment: { variables: { SLACK: sample.slack } } } }], resource: "metrics-bridge", path: /^environment\.variables\.SLACK contains a credential .*secretlint-rule-slack/ },
    ];
    for (const testCase of cases) {
      it(`rejects ${testCase.title}`, async () => {
        const verdicts = await scan(testCase.stack());
        assert.equal(verdicts.length, 1, JSON.stringify(verdicts));
        assert.equal(verdicts[0]!.urn, urnOf(testCase.stack().find((fixture) => fixture.name === testCase.resource)!));
        assert.match(verdicts[0]!.message, testCase.path);
        for (const value of Object.values(sample)) assert.ok(!verdicts[0]!.message.includes(value), "the credential was printed");
      });
    }

    it("does not scan inputs that are secret by design: an Actions secret's value, a sensitive Vercel value, a SecureString, a role password", async () => {
      const fixtures: Fixture[] = [
        { type: "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret", name: "s", props: { secretName: "STRIPE", value: sample.stripeLive } },
        { type: "vercel:index/projectEnvironmentVariable:ProjectEnvironmentVariable", name: "v", props: { key: "DATABASE_URL", value: sample.postgresUrl, sensitive: true } },
        { type: "aws:ssm/parameter:Parameter", name: "p", props: { name: "/app/key", type: "SecureString", value: sample.githubApp } },
        { type: "postgresql:index/role:Role", name: "r", props: { name: "app", password: sample.httpsWithPassword } },
      ];
      assert.deepEqual(await scan(fixtures), []);
      assert.equal((await scan(withInput(fixtures, "v", "sensitive", false))).length, 1, "the same value in a plain Vercel variable is reported");
      assert.equal((await scan(withInput(fixtures, "p", "type", "String"))).length, 1, "the same value in a String parameter is reported");
    });
  });

  itRejects([
    { title: "a secret Vercel variable not sensitive", stack: () => withInput(withInput(validStack(), "env-STRIPE_SECRET_KEY", "sensitive", false), "env-STRIPE_SECRET_KEY", "value", "opaque-test-value"), policy: "vercel-env-var-sensitive", message: /STRIPE_SECRET_KEY is not sensitive/ },
    {
      title: "a runtime setting not listed as plain",
      stack: () => withInput(withInput(validStack(), "env-NEXT_PUBLIC_API_URL", "key", "SENTRY_DSN"), "env-NEXT_PUBLIC_API_URL", "value", "opaque-dsn"),
      policy: "vercel-env-var-sensitive",
      message: /SENTRY_DSN is not sensitive/,
    },
    {
      title: "an Actions variable with a secret-like name",
      stack: () => withInput(validStack(), "var-AUDIT_BUCKET", "variableName", "STRIPE_SECRET_KEY"),
      policy: "github-actions-variable-not-secret",
      message: /STRIPE_SECRET_KEY has a secret-like name/,
    },
    { title: "a NEXT_PUBLIC_* variable named as a secret", stack: () => withInput(validStack(), "env-NEXT_PUBLIC_API_URL", "key", "NEXT_PUBLIC_STRIPE_SECRET_KEY"), policy: "secrets-public-env-var-not-secret", message: /NEXT_PUBLIC_STRIPE_SECRET_KEY is public \(NEXT_PUBLIC_\*\) but its name says it is a secret/ },
    { title: "a NEXT_PUBLIC_ token, lower case", stack: () => withInput(validStack(), "env-NEXT_PUBLIC_API_URL", "key", "NEXT_PUBLIC_clerk_token"), policy: "secrets-public-env-var-not-secret", message: /NEXT_PUBLIC_clerk_token is public/ },
    { title: "rotation overdue", stack: () => withInput(validStack(), "rotation-STRIPE_SECRET_KEY", "insecureValue", rotation({ lastRotated: "2026-07-01" })), policy: "secrets-rotation-register-current", message: /132 days ago; due every 90 days/ },
    { title: "lastRotated in the future", stack: () => withInput(validStack(), "rotation-STRIPE_SECRET_KEY", "insecureValue", rotation({ lastRotated: "2026-12-24" })), policy: "secrets-rotation-register-current", message: /lastRotated 2026-12-24 is in the future \(today is 2026-11-10\)/ },
    { title: "lastRotated not a calendar date", stack: () => withInput(validStack(), "rotation-STRIPE_SECRET_KEY", "insecureValue", rotation({ lastRotated: "2026-02-30" })), policy: "secrets-rotation-register-current", message: /malformed: missing or invalid: lastRotated/ },
    { title: "api key period beyond 90 days", stack: () => withInput(validStack(), "rotation-STRIPE_SECRET_KEY", "insecureValue", rotation({ periodDays: 120 })), policy: "secrets-rotation-register-current", message: /periodDays 120 exceeds the spec's 90 days for api-key/ },
    {
      title: "an API key passed off as a database password to get 180 days",
      stack: () => withInput(validStack(), "rotation-STRIPE_SECRET_KEY", "insecureValue", rotation({ kind: "database-password", periodDays: 180 })),
      policy: "secrets-rotation-register-current",
      message: /STRIPE_SECRET_KEY: kind database-password does not fit the name, which is a api-key/,
    },
    {
      title: "a connection string declared as a token",
      stack: () => withInput(withInput(validStack(), "rotation-STRIPE_SECRET_KEY", "insecureValue", rotation({ name: "ANALYTICS_DATABASE_URL", kind: "token" })), "env-STRIPE_SECRET_KEY", "key", "ANALYTICS_DATABASE_URL"),
      policy: "secrets-rotation-register-current",
      message: /ANALYTICS_DATABASE_URL: kind token does not fit the name, which is a database-password/,
    },
    {
      title: "a renamed key that says nothing, declared a database password to get 180 days",
      stack: () => withInput(withInput(validStack(), "rotation-STRIPE_SECRET_KEY", "insecureValue", rotation({ name: "STRIPE_LIVE", kind: "database-password", periodDays: 180 })), "env-STRIPE_SECRET_KEY", "key", "STRIPE_LIVE"),
      policy: "secrets-rotation-register-current",
      message: /STRIPE_LIVE: kind database-password \(rotated every 180 days\) needs a name that says so/,
    },
    { title: "malformed register entry", stack: () => withInput(validStack(), "rotation-STRIPE_SECRET_KEY", "insecureValue", '{"name":"X","lastRotated":1}'), policy: "secrets-rotation-register-current", message: /malformed: missing or invalid: kind, periodDays, lastRotated/ },
    {
      title: "a register entry whose tag was dropped is still judged (found by its name)",
      stack: () => withInput(withInput(validStack(), "rotation-STRIPE_SECRET_KEY", "tags", undefined), "rotation-STRIPE_SECRET_KEY", "insecureValue", rotation({ periodDays: 365 })),
      policy: "secrets-rotation-register-current",
      message: /periodDays 365 exceeds/,
    },
    {
      title: "a register entry moved out of the register path is still judged (found by its content)",
      stack: () => withInput(withInput(withInput(validStack(), "rotation-STRIPE_SECRET_KEY", "tags", undefined), "rotation-STRIPE_SECRET_KEY", "name", "/flightdeck/flightpro/production/misc/STRIPE"), "rotation-STRIPE_SECRET_KEY", "insecureValue", rotation({ periodDays: 365 })),
      policy: "secrets-rotation-register-current",
      message: /periodDays 365 exceeds/,
      // Out of the path the reminder reads, the secret also loses its reminder.
      alsoBy: ["secrets-rotation-reminder-scheduled"],
    },
    { title: "a placed secret with no register entry", stack: () => without(validStack(), "rotation-VERCEL_TOKEN"), policy: "secrets-rotation-register-complete", message: /secret VERCEL_TOKEN has no rotation register entry/ },
    {
      title: "a sensitive Vercel secret whose register entry names another secret",
      stack: () => withInput(validStack(), "rotation-STRIPE_SECRET_KEY", "insecureValue", rotation({ name: "STRIPE_KEY_OLD" })),
      policy: "secrets-rotation-register-complete",
      message: /secret STRIPE_SECRET_KEY has no rotation register entry/,
    },
  ]);

  it("a plain Vercel variable that targets development and production must be sensitive (only a development-only one may not)", () => {
    // @pulumiverse/vercel 5.x ProjectEnvironmentVariable `sensitive`: "Variables targeting only `development` must set this to `false`."
    const targeting = (targets: string[]) =>
      judge(withInput(withInput(validStack(), "env-STRIPE_SECRET_KEY", "sensitive", false), "env-STRIPE_SECRET_KEY", "targets", targets), { policies: secretPolicies });
    assert.deepEqual(targeting(["development"]), [], "development only: Vercel refuses sensitive");
    const both = targeting(["development", "production"]);
    assert.deepEqual(both.map((v) => [v.policy, v.urn]), [["vercel-env-var-sensitive", urnOf({ type: "vercel:index/projectEnvironmentVariable:ProjectEnvironmentVariable", name: "env-STRIPE_SECRET_KEY" })]]);
    assert.match(both[0]!.message, /^STRIPE_SECRET_KEY is not sensitive/);
  });

  it("the spec's periods per kind: tokens 90 days, database passwords 180", () => {
    const entry = (record: Record<string, unknown>) => judge(withInput(validStack(), "rotation-STRIPE_SECRET_KEY", "insecureValue", rotation(record)), { policies: [secretRotationCurrent] }).map((v) => v.message);
    assert.deepEqual(entry({ name: "VERCEL_TOKEN", kind: "token", periodDays: 91 }), ["VERCEL_TOKEN: periodDays 91 exceeds the spec's 90 days for token"]);
    assert.deepEqual(entry({ name: "DATABASE_URL", kind: "database-password", periodDays: 180 }), []);
    assert.deepEqual(entry({ name: "DATABASE_URL", kind: "database-password", periodDays: 181 }), ["DATABASE_URL: periodDays 181 exceeds the spec's 180 days for database-password"]);
  });

  it("their settings are refused by the engine unless they are lists of globs and whole-day periods per kind", () => {
    assert.deepEqual(settingsProblems(vercelEnvVarSensitive, { plainKeys: ["NEXT_PUBLIC_*", "LOG_LEVEL"] }), []);
    assert.deepEqual(settingsProblems(actionsVariableNotSecret, { allowedNames: ["PUBLIC_KEY_ID"] }), []);
    assert.deepEqual(settingsProblems(secretRotationCurrent, { maxPeriodDays: { "api-key": 60, token: 30, "database-password": 90 } }), []);
    const refused: [typeof vercelEnvVarSensitive, Record<string, unknown>][] = [
      [vercelEnvVarSensitive, { plainKeys: "LOG_LEVEL" }],
      [vercelEnvVarSensitive, { plainKeys: [1] }],
      [actionsVariableNotSecret, { allowedNames: "PUBLIC_KEY_ID" }],
      [actionsVariableNotSecret, { allowedNames: [true] }],
      [secretRotationCurrent, { maxPeriodDays: 90 }],
      [secretRotationCurrent, { maxPeriodDays: { "api-key": 0 } }],
      [secretRotationCurrent, { maxPeriodDays: { "api-key": 30.5 } }],
    ];
    for (const [policy, settings] of refused) assert.notDeepEqual(settingsProblems(policy, settings), [], `${policy.name} ${JSON.stringify(settings)}`);
  });

  it("a rotation period of 0 days is no period", () => {
    const verdicts = judge(withInput(validStack(), "rotation-STRIPE_SECRET_KEY", "insecureValue", rotation({ periodDays: 0 })), { policies: [secretRotationCurrent] });
    assert.deepEqual(verdicts.map((v) => [v.policy, v.message]), [["secrets-rotation-register-current", "the register entry is malformed: missing or invalid: periodDays"]]);
  });

  describe("secrets-rotation-register-current: each register entry", () => {
    const verdictsOf = (stack: Fixture[]) => judge(stack, { policies: [secretRotationCurrent] }).map((v) => [v.policy, v.urn, v.message]);
    const registerUrn = urnOf({ type: "aws:ssm/parameter:Parameter", name: "rotation-STRIPE_SECRET_KEY" });
    const entry = (record: Record<string, unknown>) => verdictsOf(withInput(validStack(), "rotation-STRIPE_SECRET_KEY", "insecureValue", rotation(record)));

    it("an entry under the register's path with no value is reported, not skipped", () => {
      assert.deepEqual(verdictsOf(withInput(validStack(), "rotation-STRIPE_SECRET_KEY", "insecureValue", undefined)), [["secrets-rotation-register-current", registerUrn, "the register entry has no value"]]);
    });

    it("rotated today is current; a date not written YYYY-MM-DD is malformed", () => {
      assert.deepEqual(entry({ lastRotated: "2026-11-10" }), [], "the judge's today");
      assert.deepEqual(entry({ lastRotated: "2026/10/05" }), [["secrets-rotation-register-current", registerUrn, "the register entry is malformed: missing or invalid: lastRotated (YYYY-MM-DD)"]]);
    });

    it("a NEXT_PUBLIC_* value has no place in the register", () => {
      assert.deepEqual(entry({ name: "NEXT_PUBLIC_POSTHOG_KEY" }), [
        ["secrets-rotation-register-current", registerUrn, "NEXT_PUBLIC_POSTHOG_KEY: NEXT_PUBLIC_* values are public by definition and have no place in the rotation register (kind api-key)"],
      ]);
    });

    it("the kind a name implies is read from the whole name: a suffix or prefix earns nothing", () => {
      // Names that imply no kind: any kind but database-password fits them.
      for (const name of ["SENTRY_DSN_BACKUP", "ANALYTICS_DB_URL_OLD", "CACHEREDIS_URL", "REDIS_URL_REPLICA", "SESSION_REDIS_URL_OLD", "WEBHOOK_SECRETS_URL", "SIGNING_KEY_ID"]) {
        assert.deepEqual(entry({ name, kind: "token" }), [], name);
      }
    });
  });

  describe("the rotation register: which SSM parameters are its entries, however a change hides them", () => {
    const rotationPolicies = { policies: [secretRotationCurrent, secretRotationComplete] };
    const registerUrn = urnOf({ type: "aws:ssm/parameter:Parameter", name: "rotation-STRIPE_SECRET_KEY" });
    const verdictsOf = (stack: Fixture[]) => judge(stack, rotationPolicies).map((v) => [v.policy, v.urn, v.message]);
    /** The STRIPE_SECRET_KEY entry with its tag dropped, moved to `name`, its inputs replaced by `inputs`. */
    const hidden = (name: string, inputs: Record<string, unknown>, tags?: Record<string, string>): Fixture[] =>
      validStack().map((fixture) => (fixture.name === "rotation-STRIPE_SECRET_KEY" ? { ...fixture, props: { name, type: "String", ...(tags ? { tags } : {}), ...inputs } } : fixture));
    const MOVED = "/flightdeck/flightpro/production/misc/STRIPE";

    it("a parameter that is none of them (another path, no tag, a value that is no rotation record) is not judged", () => {
      const config = (value: string): Fixture => ({ type: "aws:ssm/parameter:Parameter", name: "app-config", props: { name: "/flightdeck/flightpro/production/app/LOG_FORMAT", type: "String", value } });
      for (const value of ["json", '{"format":"json"}', "[1]"]) assert.deepEqual(verdictsOf([...validStack(), config(value)]), [], value);
    });

    it("the register's path makes an entry whatever its value holds", () => {
      assert.deepEqual(verdictsOf(hidden("/flightdeck/flightpro/production/secret-rotation/STRIPE_SECRET_KEY", { insecureValue: "rotated 2026-10-05" })), [
        ["secrets-rotation-register-current", registerUrn, "the register entry is malformed: value is not JSON"],
      ]);
    });

    it("the register's tag makes an entry outside the path", () => {
      assert.deepEqual(verdictsOf(hidden(MOVED, { insecureValue: "rotated 2026-10-05" }, { [ROTATION_TAG]: "true" })), [
        ["secrets-rotation-register-current", registerUrn, "the register entry is malformed: value is not JSON"],
        // Outside the path a malformed entry names no secret, so the key it should register is unregistered.
        ["secrets-rotation-register-complete", urnOf({ type: VERCEL_ENV_VAR, name: "env-STRIPE_SECRET_KEY" }), "secret STRIPE_SECRET_KEY has no rotation register entry: its rotation is not judged"],
      ]);
    });

    it("a record written as value (not insecureValue), untagged and outside the path, is read, judged and registers its secret", () => {
      assert.deepEqual(verdictsOf(hidden(MOVED, { value: rotation({ periodDays: 365 }) })), [
        ["secrets-rotation-register-current", registerUrn, "STRIPE_SECRET_KEY: periodDays 365 exceeds the spec's 90 days for api-key"],
      ]);
    });

    it("half a record, or one behind leading white space, is still an entry", () => {
      const half = (record: Record<string, unknown>) => JSON.stringify({ name: "STRIPE_SECRET_KEY", kind: "api-key", ...record });
      // Malformed and outside the path, the entry registers no secret: the key it was for is reported unregistered too.
      const unregistered = ["secrets-rotation-register-complete", urnOf({ type: VERCEL_ENV_VAR, name: "env-STRIPE_SECRET_KEY" }), "secret STRIPE_SECRET_KEY has no rotation register entry: its rotation is not judged"];
      assert.deepEqual(verdictsOf(hidden(MOVED, { insecureValue: half({ periodDays: 90 }) })), [
        ["secrets-rotation-register-current", registerUrn, "the register entry is malformed: missing or invalid: lastRotated (YYYY-MM-DD)"],
        unregistered,
      ]);
      assert.deepEqual(verdictsOf(hidden(MOVED, { insecureValue: half({ lastRotated: "2026-10-05" }) })), [
        ["secrets-rotation-register-current", registerUrn, "the register entry is malformed: missing or invalid: periodDays"],
        unregistered,
      ]);
      assert.deepEqual(verdictsOf(hidden(MOVED, { insecureValue: `\n  ${rotation({ periodDays: 365 })}` })), [
        ["secrets-rotation-register-current", registerUrn, "STRIPE_SECRET_KEY: periodDays 365 exceeds the spec's 90 days for api-key"],
      ]);
    });
  });

  describe("secrets-plain-input-no-credentials: one violation per resource and input", () => {
    const variable = (name: string, value: string): Fixture => ({ type: "github:index/actionsVariable:ActionsVariable", name, props: { repository: "flightpro", variableName: "RELEASE_NOTES", value } });

    it("two credentials of one kind in one input are one violation; the same input of another resource is its own", async () => {
      const twoKeys = `old ${sample.stripeLive} new ${sample.stripeLive.replace(/h8$/, "x9")}`;
      assert.equal((await findCredentials(twoKeys)).length, 2, "the detector finds both keys");
      const verdicts = await scan([variable("notes-a", twoKeys), variable("notes-b", sample.stripeLive)]);
      assert.deepEqual(
        verdicts.map((v) => v.urn),
        ["notes-a", "notes-b"].map((name) => urnOf({ type: "github:index/actionsVariable:ActionsVariable", name })),
        JSON.stringify(verdicts),
      );
      for (const verdict of verdicts) assert.match(verdict.message, /^value contains a credential in plain text \(detected by secretlint-rule-stripe\//);
    });
  });

  it("a plain Vercel variable with no targets is not a development-only one", () => {
    const verdicts = judge(withInput(withInput(validStack(), "env-STRIPE_SECRET_KEY", "sensitive", false), "env-STRIPE_SECRET_KEY", "targets", []), { policies: [vercelEnvVarSensitive] });
    assert.deepEqual(verdicts.map((v) => [v.policy, v.urn]), [["vercel-env-var-sensitive", urnOf({ type: "vercel:index/projectEnvironmentVariable:ProjectEnvironmentVariable", name: "env-STRIPE_SECRET_KEY" })]]);
  });

  describe("the bulk variables resource (vercel.ProjectEnvironmentVariables) is judged like single variables", () => {
    const bulk = (...variables: Record<string, unknown>[]): Fixture[] => [
      ...validStack(),
      { type: VERCEL_ENV_VARS, name: "env-bulk", props: { projectId: "prj_1", variables: variables.map((variable) => ({ targets: ["production"], ...variable })) } },
    ];
    const bulkUrn = urnOf({ type: VERCEL_ENV_VARS, name: "env-bulk" });
    const on = (verdicts: Verdict[]) => verdicts.map((v) => [v.policy, v.urn, v.message]);

    it("a plain secret in it is not sensitive, and a sensitive one must be in the rotation register", () => {
      assert.deepEqual(on(judge(bulk({ key: "LOG_LEVEL", value: "info", sensitive: false }), { policies: secretPolicies })), [], "a plain runtime setting");
      const plain = judge(bulk({ key: "STRIPE_SECRET_KEY", value: "opaque-test-value", sensitive: false }), { policies: secretPolicies });
      assert.deepEqual(plain.map((v) => [v.policy, v.urn]), [["vercel-env-var-sensitive", bulkUrn]]);
      assert.match(plain[0]!.message, /^STRIPE_SECRET_KEY is not sensitive; only NEXT_PUBLIC_\*, .* may be plain$/);
      assert.deepEqual(on(judge(bulk({ key: "SENTRY_AUTH_TOKEN", value: "opaque-test-value", sensitive: true }), { policies: secretPolicies })), [
        ["secrets-rotation-register-complete", bulkUrn, "secret SENTRY_AUTH_TOKEN has no rotation register entry: its rotation is not judged"],
      ]);
    });

    it("a NEXT_PUBLIC_* name that says secret is refused", () => {
      assert.deepEqual(on(judge(bulk({ key: "NEXT_PUBLIC_STRIPE_SECRET_KEY", value: "opaque-test-value", sensitive: false }), { policies: [publicEnvVarNotSecret] })), [
        ["secrets-public-env-var-not-secret", bulkUrn, "NEXT_PUBLIC_STRIPE_SECRET_KEY is public (NEXT_PUBLIC_*) but its name says it is a secret"],
      ]);
    });

    it("its readable values are scanned for credentials, by their place in the list; a sensitive value is not", async () => {
      const found = await scan(bulk({ key: "LOG_LEVEL", value: "info", sensitive: false }, { key: "FEATURE_FLAGS_UNRELEASED", value: sample.githubClassic, sensitive: false }));
      assert.deepEqual(found.map((v) => v.urn), [bulkUrn]);
      assert.match(found[0]!.message, /^variables\[1\]\.value contains a credential in plain text \(detected by secretlint-rule-github/);
      assert.deepEqual(await scan(bulk({ key: "GITHUB_TOKEN", value: sample.githubClassic, sensitive: true })), []);
      assert.equal((await scan(bulk({ key: "NEXT_PUBLIC_GITHUB", value: sample.githubClassic, sensitive: true }))).length, 1, "NEXT_PUBLIC_* is public even when marked sensitive");
    });
  });

  it("judge rotation against the injected clock", () => {
    assert.deepEqual(judge(validStack(), { now: "2027-01-03T16:00:00Z", policies: [secretRotationCurrent] }), []);
    const late = judge(validStack(), { now: "2027-01-05T16:00:00Z", policies: [secretRotationCurrent] });
    assert.equal(late.length, 1);
    assert.match(late[0]!.message, /92 days ago/);
  });

  it("register completeness and public names pass the valid stack", () => {
    assert.deepEqual(judge(validStack(), { policies: [secretRotationComplete, publicEnvVarNotSecret] }), []);
  });
});
