import { strict as assert } from "node:assert";
import { validateStackConfig } from "../../../infra/config/validate";
import { canarySecrets, requiredSecretKeys, sampleConfig } from "../../harness";

type Raw = Record<string, unknown>;
type Entry = { name: string; destinations: { vercel: boolean; githubEnvironment: boolean } };

/** The production sample after `mutate`, with the secrets it still declares set. */
function problemsAfter(mutate: (raw: Raw, secrets: Entry[]) => void): string[] {
  const raw = sampleConfig("production");
  mutate(raw, raw["secrets"] as Entry[]);
  const result = validateStackConfig({ ...raw, ...canarySecrets(requiredSecretKeys(raw)) });
  return result.ok ? [] : result.problems;
}

describe("config rule: deploy secrets reach the GitHub environment", () => {
  it("accepts the sample", () => {
    assert.deepEqual(problemsAfter(() => undefined), []);
  });

  it("requires VERCEL_TOKEN, RAILWAY_TOKEN and MIGRATION_DATABASE_URL in the inventory", () => {
    const problems = problemsAfter((raw) => {
      raw["secrets"] = (raw["secrets"] as Entry[]).filter((entry) => entry.name !== "VERCEL_TOKEN" && entry.name !== "MIGRATION_DATABASE_URL");
    });
    assert.deepEqual(problems, [
      "flightdeck:secrets: must declare VERCEL_TOKEN, which the deploy workflows read from the GitHub environment (got no entry named VERCEL_TOKEN)",
      "flightdeck:secrets: must declare MIGRATION_DATABASE_URL, which the deploy workflows read from the GitHub environment (got no entry named MIGRATION_DATABASE_URL)",
    ]);
  });

  it("requires them to go to the GitHub environment, naming the entry", () => {
    const problems = problemsAfter((_raw, secrets) => {
      const index = secrets.findIndex((entry) => entry.name === "RAILWAY_TOKEN");
      assert.equal(index, 6, "the sample's seventh entry is RAILWAY_TOKEN");
      secrets[index]!.destinations = { vercel: false, githubEnvironment: false };
    });
    assert.deepEqual(problems, [
      "flightdeck:secrets[6].destinations.githubEnvironment: must be true: the deploy workflows read RAILWAY_TOKEN from the GitHub environment (got false)",
    ]);
  });

  it("does not apply to local-only, which has no deploy environment", () => {
    const problems = problemsAfter((raw) => {
      raw["model"] = "local-only";
      for (const key of ["web", "api", "database", "alerts", "audit", "secrets", "disasterRecovery"]) delete raw[key];
      (raw["github"] as Raw)["branches"] = { production: "main" };
    });
    assert.deepEqual(problems, []);
  });
});
