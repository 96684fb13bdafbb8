import { strict as assert } from "node:assert";
import { productionIsolatedFromStaging, productionKeepsStaging, runtimePolicies, runtimeSettingsFitEnvironment } from "../../policies/rules/runtime";
import { validStack } from "./fixtures";
import { Fixture, judge, mutate, withInput, without } from "./judge";

const VERCEL_ENV_VAR = "vercel:index/projectEnvironmentVariable:ProjectEnvironmentVariable";

/** The staging stack's runtime settings (Pulumi.staging.yaml): the spec's differences from production. */
function stagingStack(): Fixture[] {
  return Object.entries({ STRIPE_MODE: "test", FEATURE_FLAGS_UNRELEASED: "true", LOG_LEVEL: "debug", RATE_LIMIT_PER_MINUTE: "600" }).map(([key, value]) => ({
    type: VERCEL_ENV_VAR,
    name: `runtime-${key}`,
    props: { projectId: "prj_1", key, value, targets: ["preview"], gitBranch: "staging", sensitive: false },
  }));
}

const settingsOnly = { policies: [runtimeSettingsFitEnvironment] };
const isolationOnly = { policies: [productionIsolatedFromStaging] };

function only(stack: Fixture[], options: Parameters<typeof judge>[1]): string[] {
  return judge(stack, options).map((verdict) => `${verdict.policy}: ${verdict.message}`);
}

describe("policies: environment differences", () => {
  it("accept production's settings in production and staging's in staging, however the values are cased", () => {
    assert.deepEqual(judge(validStack(), { policies: runtimePolicies }), []);
    assert.deepEqual(judge(stagingStack(), { stack: "staging", policies: runtimePolicies }), []);
    const cased = withInput(withInput(validStack(), "runtime-STRIPE_MODE", "value", " LIVE "), "runtime-FEATURE_FLAGS_UNRELEASED", "value", "off");
    assert.deepEqual(judge(cased, settingsOnly), []);
  });

  describe("runtime-settings-fit-environment (production)", () => {
    const cases: [string, () => Fixture[], RegExp][] = [
      ["Stripe in test mode", () => withInput(validStack(), "runtime-STRIPE_MODE", "value", "test"), /STRIPE_MODE is "test"; this environment uses Stripe live mode/],
      ["Stripe mode set again, lower-case key, by a second variable", () => [...validStack(), { type: VERCEL_ENV_VAR, name: "extra", props: { key: "stripe_mode", value: "Test", targets: ["production"] } }], /stripe_mode is "Test"; this environment uses Stripe live mode/],
      [
        "Stripe mode through the bulk variables resource",
        () => [...validStack(), { type: "vercel:index/projectEnvironmentVariables:ProjectEnvironmentVariables", name: "bulk", props: { projectId: "prj_1", variables: [{ key: "STRIPE_MODE", value: "test", targets: ["production"] }] } }],
        /STRIPE_MODE is "test"/,
      ],
      ["unreleased features on, spelled 1", () => withInput(validStack(), "runtime-FEATURE_FLAGS_UNRELEASED", "value", "1"), /FEATURE_FLAGS_UNRELEASED is on; unreleased features must be off here/],
      ["unreleased features neither on nor off", () => withInput(validStack(), "runtime-FEATURE_FLAGS_UNRELEASED", "value", "beta"), /"beta", which is neither on nor off/],
      ["debug logging, upper case", () => withInput(validStack(), "runtime-LOG_LEVEL", "value", "DEBUG"), /LOG_LEVEL is "DEBUG"; logging must not be verbose/],
      ["Stripe mode removed", () => without(validStack(), "runtime-STRIPE_MODE"), /STRIPE_MODE is not set: this environment uses Stripe live mode/],
    ];
    for (const [title, stack, message] of cases) {
      it(`rejects ${title}`, () => {
        const verdicts = only(stack(), settingsOnly);
        assert.equal(verdicts.length, 1, verdicts.join("\n"));
        assert.match(verdicts[0]!, message);
      });
    }
  });

  describe("runtime-settings-fit-environment (staging)", () => {
    const cases: [string, string, string, RegExp][] = [
      ["Stripe live mode in staging", "runtime-STRIPE_MODE", "live", /STRIPE_MODE is "live"; this environment uses Stripe test mode/],
      ["unreleased features off", "runtime-FEATURE_FLAGS_UNRELEASED", "false", /unreleased features must be on here/],
      ["quiet logging", "runtime-LOG_LEVEL", "warn", /logging must be verbose \(debug\) here/],
      ["rate limits as strict as production", "runtime-RATE_LIMIT_PER_MINUTE", "120", /staging's rate limit must be looser than production's 120 per minute/],
    ];
    for (const [title, name, value, message] of cases) {
      it(`reports ${title}`, () => {
        const verdicts = only(withInput(stagingStack(), name, "value", value), { stack: "staging", policies: [runtimeSettingsFitEnvironment] });
        assert.equal(verdicts.length, 1, verdicts.join("\n"));
        assert.match(verdicts[0]!, message);
      });
    }
  });

  describe("runtime-production-isolated-from-staging", () => {
    const cases: [string, () => Fixture[], RegExp][] = [
      ["alarms on staging's namespace", () => withInput(validStack(), "error-rate", "namespace", "FlightPro/Staging"), /namespace points at staging/],
      ["the audit bucket of staging", () => withInput(validStack(), "flightpro-production-audit-bucket", "bucket", "flightpro-deploy-audit-staging"), /bucket points at staging/],
      ["the staging database host", () => [...validStack(), { type: "pulumi:providers:postgresql", name: "db", props: { host: "db-staging.flightpro.internal", database: "flightpro" } }], /host points at staging/],
      ["the staging database, by name", () => [...validStack(), { type: "postgresql:index/database:Database", name: "db", props: { name: "flightpro_staging" } }], /name points at staging/],
      ["the staging Railway environment", () => withInput(withInput(validStack(), "var-AUDIT_BUCKET", "variableName", "RAILWAY_ENVIRONMENT"), "var-AUDIT_BUCKET", "value", "staging"), /value points at staging/],
      ["a Vercel variable on staging's branch", () => withInput(validStack(), "runtime-LOG_LEVEL", "gitBranch", "staging"), /gitBranch points at staging/],
      // pulumiverse/pulumi-vercel@v5.4.1:sdk/nodejs/projectEnvironmentVariable.ts: targets production, preview, development.
      ["production's Stripe key also on every branch's previews", () => withInput(validStack(), "env-STRIPE_SECRET_KEY", "targets", ["production", "preview"]), /: targets \["production","preview"\]: a production variable targets production deployments only/],
      ["a production setting also on local development (vercel env pull)", () => withInput(validStack(), "runtime-LOG_LEVEL", "targets", ["development", "production"]), /targets \["development","production"\]: a production variable targets production deployments only/],
      [
        "one variable of a ProjectEnvironmentVariables on previews",
        () => [...validStack(), { type: "vercel:index/projectEnvironmentVariables:ProjectEnvironmentVariables", name: "batch", props: { projectId: "prj_1", variables: [{ key: "A", value: "a", targets: ["production"] }, { key: "B", value: "b", targets: ["preview", "production"] }] } }],
        /: variables\[1\]\.targets \["preview","production"\]: a production variable targets production deployments only/,
      ],
      ["a Vercel variable that misses production", () => withInput(validStack(), "runtime-LOG_LEVEL", "targets", ["preview"]), /targets \["preview"\]: a production variable must target production deployments/],
    ];
    for (const [title, stack, message] of cases) {
      it(`rejects ${title}`, () => {
        const verdicts = only(stack(), isolationOnly);
        assert.equal(verdicts.length, 1, verdicts.join("\n"));
        assert.match(verdicts[0]!, message);
      });
    }

    it("an identifier of staging's without the word, named in the pack config", () => {
      const stack = withInput(validStack(), "flightpro-production-audit-bucket", "bucket", "flightpro-deploy-audit-stg");
      assert.deepEqual(judge(stack, isolationOnly), []);
      const verdicts = only(stack, { ...isolationOnly, config: { [productionIsolatedFromStaging.name]: { stagingIdentifiers: ["flightpro-deploy-audit-stg"] } } });
      assert.match(verdicts[0]!, /bucket points at staging \(is staging's identifier\)/);
    });

    it("lets descriptions mention staging, and staging judge itself", () => {
      assert.deepEqual(judge(withInput(validStack(), "flightpro-production-audit-key", "description", "audit records (staging has its own key)"), isolationOnly), []);
      assert.deepEqual(judge(withInput(validStack(), "error-rate", "namespace", "FlightPro/staging"), { ...isolationOnly, stack: "staging" }), []);
    });
  });

  describe("runtime-production-keeps-staging", () => {
    const config = { config: { [productionKeepsStaging.name]: { stacks: ["production"] } }, policies: [productionKeepsStaging] };
    const stagingPipeline: Fixture = { type: "github:index/repositoryFile:RepositoryFile", name: "workflow-deploy-staging", props: { repository: "flightpro", branch: "main", file: ".github/workflows/deploy-staging.yml", content: "name: deploy-staging\n" } };

    it("accepts a production stack that commits the staging pipeline, however the path is written", () => {
      assert.deepEqual(judge([...validStack(), stagingPipeline], config), []);
      assert.deepEqual(judge(mutate([...validStack(), stagingPipeline], "workflow-deploy-staging", (props) => { props["file"] = "./.github/workflows/deploy-staging.yml"; }), config), []);
    });

    it("rejects a production stack whose model dropped staging", () => {
      const productionPipeline: Fixture = { ...stagingPipeline, name: "workflow-deploy-production", props: { ...stagingPipeline.props, file: ".github/workflows/deploy-production.yml", content: "name: deploy-production\n" } };
      const verdicts = only([...without(validStack(), "workflow-deploy-staging"), productionPipeline], config);
      assert.deepEqual(verdicts, ["runtime-production-keeps-staging: the stack commits no .github/workflows/deploy-staging.yml: its model has no staging, so nothing is validated in staging before production"]);
    });
  });
});
