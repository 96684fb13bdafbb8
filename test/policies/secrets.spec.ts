import { strict as assert } from "node:assert";
import type { ReportViolation } from "@pulumi/policy";
import { findCredentials } from "../../policies/lib/credentials";
import {
  actionsVariableNotSecret,
  noPlaintextCredentials,
  publicEnvVarNotSecret,
  secretPolicies,
  secretRotationComplete,
  secretRotationCurrent,
  vercelEnvVarSensitive,
} from "../../policies/rules/secrets";
import { UNKNOWN_STRING } from "../../policies/lib/values";
import { rotationRegister } from "../../infra/pipeline/deployContract";
import { validStack } from "./fixtures";
import { Fixture, Verdict, itRejects, judge, settingsProblems, stackArgs, urnOf, withInput, without } from "./judge";

// Type tokens as the providers' SDKs declare them (their classes' __pulumiType), not the pack's constants: a spec
// written with the pack's own spelling would follow it when it changes. @pulumiverse/vercel 5.4.1
// projectEnvironmentVariable.js and projectEnvironmentVariables.js; @pulumi/github 6.15.0 actionsVariable.js,
// actionsEnvironmentVariable.js, actionsOrganizationVariable.js, actionsSecret.js; @pulumi/aws 7.48.0 apigateway/stage.js.
const VERCEL_ENV_VAR = "vercel:index/projectEnvironmentVariable:ProjectEnvironmentVariable";
const VERCEL_ENV_VARS = "vercel:index/projectEnvironmentVariables:ProjectEnvironmentVariables";
const SSM_PARAMETER = "aws:ssm/parameter:Parameter";

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
      const nameless: Fixture = { type: SSM_PARAMETER, name: "auto-named", props: { type: "String", insecureValue: "json" } };
      const writeOnly: Fixture = { type: SSM_PARAMETER, name: "write-only", props: { name: "/flightdeck/flightpro/production/app/SIGNING_KEY", type: "SecureString", valueWo: "opaque" } };
      assert.deepEqual(verdictsOf([...validStack(), nameless, writeOnly]), [], "a parameter with no name, one with no readable value");
    });

    it("the register's path makes an entry whatever its value holds", () => {
      assert.deepEqual(verdictsOf(hidden("/flightdeck/flightpro/production/secret-rotation/STRIPE_SECRET_KEY", { insecureValue: "rotated 2026-10-05" })), [
        ["secrets-rotation-register-current", registerUrn, "the register entry is malformed: value is not JSON"],
      ]);
    });

    it("the register's tag (as the program writes it) makes an entry outside the path, or with no name", () => {
      const expected = [
        ["secrets-rotation-register-current", registerUrn, "the register entry is malformed: value is not JSON"],
        // Outside the path a malformed entry names no secret, so the key it should register is unregistered.
        ["secrets-rotation-register-complete", urnOf({ type: VERCEL_ENV_VAR, name: "env-STRIPE_SECRET_KEY" }), "secret STRIPE_SECRET_KEY has no rotation register entry: its rotation is not judged"],
      ];
      assert.deepEqual(verdictsOf(hidden(MOVED, { insecureValue: "rotated 2026-10-05" }, { [rotationRegister.tagKey]: "true" })), expected);
      const nameless = hidden(MOVED, { insecureValue: "rotated 2026-10-05" }, { [rotationRegister.tagKey]: "true" }).map((fixture) =>
        fixture.name === "rotation-STRIPE_SECRET_KEY" ? { ...fixture, props: { ...fixture.props, name: undefined } } : fixture,
      );
      assert.deepEqual(verdictsOf(structuredClone(nameless)), expected);
    });

    it("a malformed entry registers the secret its path ends with, and only that", () => {
      const prefix = rotationRegister.parameterPrefix("flightpro", "production");
      assert.deepEqual(verdictsOf(hidden(`${prefix}STRIPE_SECRET_KEY`, { insecureValue: "rotated 2026-10-05" })), [
        ["secrets-rotation-register-current", registerUrn, "the register entry is malformed: value is not JSON"],
      ]);
      assert.deepEqual(verdictsOf(hidden(`${prefix}STRIPE_SECRET_KEY/previous`, { insecureValue: "rotated 2026-10-05" })), [
        ["secrets-rotation-register-current", registerUrn, "the register entry is malformed: value is not JSON"],
        ["secrets-rotation-register-complete", urnOf({ type: VERCEL_ENV_VAR, name: "env-STRIPE_SECRET_KEY" }), "secret STRIPE_SECRET_KEY has no rotation register entry: its rotation is not judged"],
      ]);
    });

    it("a rotation record in anything but an SSM parameter registers nothing", () => {
      const elsewhere: Fixture = { type: "github:index/actionsVariable:ActionsVariable", name: "var-ROTATION", props: { repository: "flightpro", variableName: "ROTATION", value: rotation({}) } };
      assert.deepEqual(verdictsOf([...without(validStack(), "rotation-STRIPE_SECRET_KEY"), elsewhere]), [
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

  describe("secrets-rotation-register-current: malformed and unknown entries", () => {
    const registerUrn = urnOf({ type: SSM_PARAMETER, name: "rotation-STRIPE_SECRET_KEY" });
    const withValue = (value: unknown) => judge(withInput(validStack(), "rotation-STRIPE_SECRET_KEY", "insecureValue", value), { policies: [secretRotationCurrent] });
    const messages = (value: unknown) => withValue(value).map((v) => [v.policy, v.urn, v.message]);
    const malformed = (problem: string) => [["secrets-rotation-register-current", registerUrn, `the register entry is malformed: ${problem}`]];

    it("a JSON value that is not an object, a record with no name, a period written as text, a month for a day", () => {
      assert.deepEqual(messages(JSON.stringify("2026-10-05")), malformed("value is not a JSON object"));
      assert.deepEqual(messages(JSON.stringify({ kind: "api-key", periodDays: 90, lastRotated: "2026-10-05" })), malformed("missing or invalid: name"));
      assert.deepEqual(messages(rotation({ periodDays: "90" })), malformed("missing or invalid: periodDays"));
      // Date reads an expanded year with a month and no day (ECMA-262 Date Time String Format, "Expanded Years") and writes it back alike.
      assert.deepEqual(messages(rotation({ lastRotated: "+010000-01" })), malformed("missing or invalid: lastRotated (YYYY-MM-DD)"));
    });

    it("a null value (no insecureValue) is no value; a value not known until apply is judged on update (an advisory note during preview)", () => {
      const nullValue = judge(withInput(withInput(validStack(), "rotation-STRIPE_SECRET_KEY", "insecureValue", undefined), "rotation-STRIPE_SECRET_KEY", "value", null), { policies: [secretRotationCurrent] });
      assert.deepEqual(nullValue.map((v) => [v.policy, v.urn, v.message]), [["secrets-rotation-register-current", registerUrn, "the register entry has no value"]]);
      const unknown = withValue(UNKNOWN_STRING);
      assert.deepEqual(unknown.map((v) => [v.policy, v.urn, v.enforcementLevel]), [["secrets-rotation-register-current", registerUrn, "advisory"]]);
      assert.match(unknown[0]!.message, /\nnot judged during preview: value is not known until apply; the policy runs again on update$/);
    });

    it("a kind the spec gives no period, and a token declared an API key", () => {
      assert.deepEqual(messages(rotation({ name: "SIGNING_CERT", kind: "certificate" })), [
        ["secrets-rotation-register-current", registerUrn, "SIGNING_CERT: kind certificate has no rotation period in the spec (known: api-key, token, database-password)"],
      ]);
      assert.deepEqual(messages(rotation({ name: "VERCEL_TOKEN", kind: "api-key" })), [
        ["secrets-rotation-register-current", registerUrn, "VERCEL_TOKEN: kind api-key does not fit the name, which is a token (its rotation period follows the kind)"],
      ]);
    });
  });

  describe("secrets-rotation-register-complete: the secrets a stack places", () => {
    const verdictsOf = (stack: Fixture[]) => judge(stack, { policies: [secretRotationComplete] }).map((v) => [v.policy, v.urn, v.message]);

    it("a repository Actions secret with no register entry", () => {
      const secret: Fixture = { type: "github:index/actionsSecret:ActionsSecret", name: "secret-NPM_TOKEN", props: { repository: "flightpro", secretName: "NPM_TOKEN", plaintextValue: "opaque" } };
      assert.deepEqual(verdictsOf([...validStack(), secret]), [
        ["secrets-rotation-register-complete", urnOf(secret), "secret NPM_TOKEN has no rotation register entry: its rotation is not judged"],
      ]);
    });

    it("a secret whose name is not known until apply is judged on update, not reported under an empty name now", () => {
      const unnamed: Fixture[] = [
        { type: VERCEL_ENV_VAR, name: "env-unnamed", props: { projectId: "prj_1", key: UNKNOWN_STRING, value: "opaque", targets: ["production"], sensitive: true } },
        { type: VERCEL_ENV_VARS, name: "env-bulk", props: { projectId: "prj_1", variables: [{ key: UNKNOWN_STRING, value: "opaque", targets: ["production"], sensitive: true }] } },
        { type: "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret", name: "secret-unnamed", props: { repository: "flightpro", environment: "production", secretName: UNKNOWN_STRING, value: "opaque" } },
      ];
      assert.deepEqual(verdictsOf([...validStack(), ...unnamed]), []);
    });
  });

  describe("github-actions-variable-not-secret: every kind of Actions variable", () => {
    for (const type of ["github:index/actionsVariable:ActionsVariable", "github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable", "github:index/actionsOrganizationVariable:ActionsOrganizationVariable"]) {
      it(type, () => {
        const variable: Fixture = { type, name: "var-STRIPE", props: { repository: "flightpro", environment: "production", variableName: "STRIPE_SECRET_KEY", value: "opaque", visibility: "private" } };
        assert.deepEqual(
          judge([variable], { policies: [actionsVariableNotSecret] }).map((v) => [v.policy, v.urn, v.message]),
          [["github-actions-variable-not-secret", urnOf(variable), "variable STRIPE_SECRET_KEY has a secret-like name: store it as an Actions secret"]],
        );
      });
    }
  });

  it("secrets-public-env-var-not-secret judges the name after NEXT_PUBLIC_: the prefix itself says nothing", () => {
    const named = (key: string) => judge(withInput(validStack(), "env-NEXT_PUBLIC_API_URL", "key", key), { policies: [publicEnvVarNotSecret] }).map((v) => v.policy);
    assert.deepEqual(named("NEXT_PUBLIC_DSN"), [], "DSN alone is not *_DSN");
    assert.deepEqual(named("NEXT_PUBLIC_SENTRY_DSN"), ["secrets-public-env-var-not-secret"]);
  });

  describe("secrets-plain-input-no-credentials: one violation per resource and input", () => {
    const variable = (name: string, value: string): Fixture => ({ type: "github:index/actionsVariable:ActionsVariable", name, props: { repository: "flightpro", variableName: "RELEASE_NOTES", value } });

    it("a map input named variables on another type, the bulk resource's other inputs, and a sensitive variable's other fields are scanned", async () => {
      const stage: Fixture = { type: "aws:apigateway/stage:Stage", name: "api-stage", props: { stageName: "prod", variables: { upstreamAuth: sample.githubClassic } } };
      const bulk: Fixture = {
        type: VERCEL_ENV_VARS,
        name: "env-bulk",
        props: { projectId: "prj_1", teamId: sample.stripeLive, variables: [{ key: "SENTRY_AUTH_TOKEN", value: sample.githubApp, sensitive: true, comment: `rotated with ${sample.awsKeyId}` }] },
      };
      const found = (await scan([stage, bulk])).map((v) => [v.urn, v.message.replace(/ contains a credential in plain text .*/, "")]);
      assert.deepEqual(found, [
        [urnOf(stage), "variables.upstreamAuth"],
        [urnOf(bulk), "teamId"],
        [urnOf(bulk), "variables[0].comment"],
      ]);
    });

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

    it("an element not known until apply is not let through as plain: it is a variable with no key and no sensitive flag", () => {
      // The engine's sentinel for an object not known yet (pulumi/pulumi sdk/go/common/resource/plugin/rpc.go UnknownObjectValue; policies/lib/values.ts lists them all).
      const UNKNOWN_OBJECT = "dd056dcd-154b-4c76-9bd3-c8f88648b5ff";
      const stack: Fixture[] = [...validStack(), { type: VERCEL_ENV_VARS, name: "env-bulk", props: { projectId: "prj_1", variables: [UNKNOWN_OBJECT] } }];
      const verdicts = judge(stack, { policies: secretPolicies });
      assert.deepEqual(verdicts.map((v) => [v.policy, v.urn]), [["vercel-env-var-sensitive", bulkUrn]]);
      assert.match(verdicts[0]!.message, /^\(unknown key\) is not sensitive; only NEXT_PUBLIC_\*/);
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
