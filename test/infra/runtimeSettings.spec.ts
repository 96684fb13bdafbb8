import { strict as assert } from "node:assert";
import { RecordedResource, inputAt, runSampleStack, sampleConfig } from "../harness";

const VERCEL_VAR = "vercel:index/projectEnvironmentVariable:ProjectEnvironmentVariable";
const COMPONENT = "flightdeck:vercel:RuntimeSettings";

function runtimeVariables(resources: RecordedResource[], componentUrn: string): Map<unknown, RecordedResource> {
  return new Map(resources.filter((r) => r.type === VERCEL_VAR && r.parent === componentUrn).map((r) => [inputAt(r, "key"), r]));
}

describe("RuntimeSettings", () => {
  it("staging: the spec's differences (flags on, looser rate limits, Stripe test mode, verbose logs) on the staging branch's previews", async () => {
    const run = await runSampleStack("staging");
    const variables = runtimeVariables(run.resources, run.one(COMPONENT).urn);
    const expected = { FEATURE_FLAGS_UNRELEASED: "true", RATE_LIMIT_PER_MINUTE: "600", STRIPE_MODE: "test", LOG_LEVEL: "debug" };
    assert.deepEqual([...variables.keys()].sort(), Object.keys(expected).sort());
    for (const [key, value] of Object.entries(expected)) {
      const variable = variables.get(key)!;
      assert.equal(inputAt(variable, "value"), value, key);
      assert.equal(inputAt(variable, "sensitive"), false, key);
      assert.deepEqual(inputAt(variable, "targets"), ["preview"], key);
      assert.equal(inputAt(variable, "gitBranch"), "staging", key);
      assert.equal(inputAt(variable, "teamId"), "team_flightpro", key);
    }
  });

  it("production: its own values on production deployments only", async () => {
    const run = await runSampleStack("production");
    const variables = runtimeVariables(run.resources, run.one(COMPONENT).urn);
    assert.equal(inputAt(variables.get("STRIPE_MODE")!, "value"), "live");
    assert.equal(inputAt(variables.get("LOG_LEVEL")!, "value"), "info");
    for (const variable of variables.values()) {
      assert.deepEqual(inputAt(variable, "targets"), ["production"]);
      assert.equal(inputAt(variable, "gitBranch"), undefined);
    }
  });

  it("follows the config: a new setting becomes a variable, in the web project", async () => {
    const run = await runSampleStack("production", (raw) => {
      (raw["runtimeSettings"] as Record<string, string>)["MAINTENANCE_MODE"] = "off";
    });
    const component = run.one(COMPONENT);
    const variable = runtimeVariables(run.resources, component.urn).get("MAINTENANCE_MODE");
    assert.ok(variable, "no MAINTENANCE_MODE variable");
    assert.equal(inputAt(variable, "value"), "off");
    assert.ok(variable.name.startsWith(`${component.name}-`));
    const domain = run.one("vercel:index/projectDomain:ProjectDomain");
    assert.equal(inputAt(variable, "projectId"), inputAt(domain, "projectId"));
    assert.equal(variable.options.deleteBeforeReplace, true);
    assert.deepEqual(run.outputs["runtimeSettings"], [...Object.keys(sampleConfig("production")["runtimeSettings"] as object), "MAINTENANCE_MODE"].sort());
  });
});
