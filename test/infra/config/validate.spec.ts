import { strict as assert } from "node:assert";
import { stackConfigSchema } from "../../../infra/config/schema";
import { validateStackConfig } from "../../../infra/config/validate";
import { canarySecrets, requiredSecretKeys, sampleConfig } from "../../harness";

type Raw = Record<string, unknown>;

/** A sample stack's raw config with its secrets set, after `mutate`. */
function configWith(stack: "staging" | "production", mutate: (raw: Raw) => void = () => undefined): Raw {
  const raw = sampleConfig(stack);
  const secrets = canarySecrets(requiredSecretKeys(raw));
  mutate(raw);
  // A config the schema rejects declares nothing reliably: keep every secret so only the schema problem shows.
  const keep = validShape(raw) ? requiredSecretKeys(raw) : Object.keys(secrets);
  return { ...raw, ...Object.fromEntries(Object.entries(secrets).filter(([key]) => keep.includes(key))) };
}

function validShape(raw: Raw): boolean {
  return stackConfigSchema.safeParse(raw).success;
}

function problemsOf(raw: Raw): string[] {
  const result = validateStackConfig(raw);
  return result.ok ? [] : result.problems;
}

function record(raw: Raw, key: string): Raw {
  return raw[key] as Raw;
}

function localOnly(raw: Raw): void {
  raw["model"] = "local-only";
  for (const key of ["web", "api", "database", "alerts", "audit", "secrets", "disasterRecovery"]) delete raw[key];
  record(raw, "github")["branches"] = { production: "main" };
}

describe("stack config validation", () => {
  it("accepts both sample stacks", () => {
    assert.deepEqual(problemsOf(configWith("staging")), []);
    assert.deepEqual(problemsOf(configWith("production")), []);
  });

  it("accepts every deployment model of the spec", () => {
    assert.deepEqual(problemsOf(configWith("production")), [], "staging-prod");
    const directProd = configWith("production", (raw) => {
      raw["model"] = "direct-prod";
      record(raw, "github")["branches"] = { production: "main" };
    });
    assert.deepEqual(problemsOf(directProd), [], "direct-prod");
    const local = validateStackConfig(configWith("production", localOnly));
    assert.equal(local.ok, true, "local-only");
  });

  it("applies the spec's defaults", () => {
    const result = validateStackConfig(configWith("production", (raw) => {
      delete raw["budgets"];
      delete raw["schedule"];
      delete record(raw, "github")["requiredApprovals"];
    }));
    assert.ok(result.ok);
    assert.deepEqual(result.settings.budgets, { lighthouseMinScore: 85, initialJsMaxKb: 200, dockerImageMaxMb: 500 });
    assert.equal(result.settings.github.requiredApprovals, 1);
    assert.deepEqual(result.settings.schedule.deployDays, ["Tue", "Thu"]);
    assert.deepEqual(result.settings.schedule.freezes, [{ name: "holidays", from: "12-20", to: "01-02" }]);
  });

  it("rejects an unknown key at any depth, naming its path", () => {
    assert.deepEqual(problemsOf(configWith("production", (raw) => { record(raw, "github")["ownr"] = "x"; })), [
      "flightdeck:github.ownr: unknown key",
    ]);
    assert.deepEqual(problemsOf(configWith("production", (raw) => { raw["modle"] = "direct-prod"; })), [
      "flightdeck:modle: unknown key (neither a setting nor a secret declared in flightdeck:secrets)",
    ]);
  });

  it("rejects a wrong type with the value it got", () => {
    assert.deepEqual(problemsOf(configWith("production", (raw) => { record(raw, "github")["requiredApprovals"] = "one"; })), [
      'flightdeck:github.requiredApprovals: expected number (got "one")',
    ]);
  });

  it("rejects an unknown model and an unknown environment", () => {
    assert.deepEqual(problemsOf(configWith("production", (raw) => { raw["model"] = "yolo-prod"; })), [
      'flightdeck:model: expected one of "staging-prod", "direct-prod", "local-only" (got "yolo-prod")',
    ]);
  });

  it("lists every problem, not just the first", () => {
    const problems = problemsOf(configWith("production", (raw) => {
      record(raw, "github")["requiredApprovals"] = -1;
      record(raw, "web")["url"] = "http://app.flightpro.com";
    }));
    assert.deepEqual(problems.sort(), [
      "flightdeck:github.requiredApprovals: must be at least 0 (got -1)",
      'flightdeck:web.url: must be an https:// URL (got "http://app.flightpro.com")',
    ]);
  });

  it("rejects a stack the model does not have", () => {
    const problems = problemsOf(configWith("staging", (raw) => {
      raw["model"] = "direct-prod";
      record(raw, "github")["branches"] = { production: "main" };
    }));
    assert.deepEqual(problems, ['flightdeck:environment: model direct-prod has no staging stack (got "staging")']);
  });

  it("rejects a staging branch in a model without staging, and requires it in staging-prod", () => {
    assert.deepEqual(problemsOf(configWith("production", (raw) => { raw["model"] = "direct-prod"; })), [
      'flightdeck:github.branches.staging: model direct-prod has no staging branch (got "staging")',
    ]);
    assert.deepEqual(problemsOf(configWith("production", (raw) => { record(raw, "github")["branches"] = { production: "main" }; })), [
      "flightdeck:github.branches.staging: is required by model staging-prod",
    ]);
  });

  it("rejects deploy targets in local-only and requires them elsewhere", () => {
    const problems = problemsOf(configWith("production", (raw) => {
      localOnly(raw);
      raw["audit"] = sampleConfig("production")["audit"];
    }));
    assert.deepEqual(problems, ["flightdeck:audit: model local-only deploys nowhere: remove this key"]);
    assert.deepEqual(problemsOf(configWith("production", (raw) => { delete raw["database"]; })).filter((p) => p.startsWith("flightdeck:database")), [
      "flightdeck:database: is required by model staging-prod",
    ]);
  });

  it("rejects an unknown alert metric and a duplicate rule id", () => {
    const problems = problemsOf(configWith("production", (raw) => {
      const rules = record(raw, "alerts")["rules"] as Raw[];
      rules[0]!["metric"] = "happiness";
    }));
    assert.deepEqual(problems, [
      'flightdeck:alerts.rules[0].metric: expected one of "error-rate", "api-latency-p95", "deployment-failed", "database-cpu", "disk-used" (got "happiness")',
    ]);
    const duplicate = problemsOf(configWith("production", (raw) => {
      const rules = record(raw, "alerts")["rules"] as Raw[];
      rules[1]!["id"] = rules[0]!["id"];
    }));
    assert.deepEqual(duplicate, ['flightdeck:alerts.rules[1].id: duplicate rule id (got "error-rate")']);
  });

  it("rejects a reviewer that is not a string", () => {
    const problems = problemsOf(configWith("production", (raw) => {
      (record(record(raw, "deployEnvironment"), "reviewers")["users"] as unknown[])[0] = 42;
    }));
    assert.deepEqual(problems, ["flightdeck:deployEnvironment.reviewers.users[0]: expected string (got 42)"]);
  });

  it("keeps secret values out of config and out of messages", () => {
    const problems = problemsOf(configWith("production", (raw) => {
      const secrets = raw["secrets"] as Raw[];
      secrets.find((entry) => entry["name"] === "STRIPE_SECRET_KEY")!["value"] = "sk_live_do_not_print";
    }));
    assert.deepEqual(problems, ["flightdeck:secrets[4].value: only plain values are written in config; this one comes from config"]);
    assert.ok(!problems.join("\n").includes("sk_live_do_not_print"));
  });

  it("rejects public values that are not NEXT_PUBLIC_* and NEXT_PUBLIC_* values marked secret", () => {
    const problems = problemsOf(configWith("production", (raw) => {
      const secrets = raw["secrets"] as Raw[];
      secrets.find((entry) => entry["name"] === "NEXT_PUBLIC_API_URL")!["kind"] = "api-key";
    }));
    assert.ok(problems.includes('flightdeck:secrets[7].kind: NEXT_PUBLIC_* values are shipped to browsers and must be kind public (got "api-key")'), problems.join("\n"));
  });

  it("requires every declared secret to be set, without printing any value", () => {
    const raw = sampleConfig("production");
    const secrets = canarySecrets(requiredSecretKeys(raw));
    delete secrets["STRIPE_SECRET_KEY"];
    const problems = problemsOf({ ...raw, ...secrets });
    assert.deepEqual(problems, ["flightdeck:STRIPE_SECRET_KEY: secret is not set (pulumi config set --secret STRIPE_SECRET_KEY <value>)"]);
  });

  it("rejects a rotation date that is not a date", () => {
    const problems = problemsOf(configWith("production", (raw) => {
      ((raw["secrets"] as Raw[])[2]!["rotation"] as Raw)["lastRotated"] = "last tuesday";
    }));
    assert.deepEqual(problems, ['flightdeck:secrets[2].rotation.lastRotated: must be a date as YYYY-MM-DD (got "last tuesday")']);
  });
});
