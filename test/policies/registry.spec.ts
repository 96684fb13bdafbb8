import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { policyRegistry } from "../../policies/lib/define";
import { allPolicies } from "../../policies/rules";

/** The gate's own check, which pack.ts adds to the policies of rules/. */
const GATE_POLICIES = ["policy-waivers-valid"];
const configOf = (stack: string) => JSON.parse(readFileSync(path.join(__dirname, "..", "..", "policies", "config", `${stack}.json`), "utf8")) as Record<string, unknown>;

describe("policies: registry and per-stack config", () => {
  it("every policy is registered once with a kebab-case name, a reason from the spec, a severity, remediation and topics", () => {
    const registered = [...policyRegistry.keys()].filter((name) => !GATE_POLICIES.includes(name)).sort();
    assert.deepEqual(registered, allPolicies.map((policy) => policy.name).sort());
    for (const policy of allPolicies) {
      const meta = policyRegistry.get(policy.name);
      assert.ok(meta, policy.name);
      assert.match(policy.name, /^[a-z]+(-[a-z0-9]+){2,}$/);
      assert.match(meta.description, /Spec|spec/, `${policy.name} quotes the spec`);
      assert.ok(["low", "medium", "high", "critical"].includes(meta.severity));
      assert.ok(meta.remediation.length > 0 && meta.topics.length > 0, policy.name);
      assert.equal(policy.enforcementLevel, "advisory", `${policy.name} defaults to advisory`);
      assert.equal(policy.severity, meta.severity);
      assert.ok(policy.remediationSteps && policy.remediationSteps.length > 0);
    }
  });

  it("every setting has a default", () => {
    for (const policy of allPolicies) {
      for (const [key, schema] of Object.entries(policy.configSchema?.properties ?? {})) {
        assert.notEqual(schema.default, undefined, `${policy.name}.${key}`);
      }
    }
  });

  it("production makes every policy mandatory; staging keeps every policy advisory", () => {
    for (const [stack, level] of [["production", "mandatory"], ["staging", "advisory"]] as const) {
      const config = configOf(stack);
      assert.equal(config["all"], level);
      for (const [name, entry] of Object.entries(config)) {
        if (name === "all") continue;
        assert.ok(allPolicies.some((policy) => policy.name === name) || GATE_POLICIES.includes(name), `${stack}.json names ${name}`);
        assert.equal((entry as { enforcementLevel?: string }).enforcementLevel, level, `${stack}.json ${name}`);
      }
    }
  });

  it("production keeps the spec's seven years; staging relaxes retention and protection", () => {
    assert.deepEqual(configOf("production")["audit-bucket-object-lock-retained"], { enforcementLevel: "mandatory", mode: "COMPLIANCE", minDays: 2557 });
    assert.deepEqual(configOf("staging")["audit-bucket-object-lock-retained"], { enforcementLevel: "advisory", mode: "GOVERNANCE", minDays: 30 });
    assert.deepEqual(configOf("staging")["audit-resources-protected"], { enforcementLevel: "advisory", requireProtect: false });
  });
});
