import { strict as assert } from "node:assert";
import * as path from "node:path";
import { PolicyPackProcess } from "../../tools/policy/client";
import { PROJECT_DIR } from "../harness";

/**
 * `pulumi preview --policy-pack policies` starts the pack through @pulumi/pulumi's run-policy-pack,
 * which registers its vendored ts-node WITH type-checking and reads policies/tsconfig.json. The
 * offline client runs the pack through tsx, which never type-checks; this spec starts it the
 * engine's way, so a pack that only the engine would reject fails here.
 */
describe("the policy pack started as the engine starts it", function () {
  this.timeout(180000);

  it("type-checks, serves the analyzer protocol and describes its policies", async () => {
    const runPolicyPack = path.join(PROJECT_DIR, "node_modules", "@pulumi", "pulumi", "cmd", "run-policy-pack");
    // run-policy-pack <engine-address> <program>: the address is not dialled to serve analyzer calls.
    const pack = await PolicyPackProcess.start({ stack: "production", entry: [runPolicyPack, "127.0.0.1:0", "."] });
    try {
      const info = await pack.info();
      assert.equal(info.getName(), "flightdeck");
      const names = info.getPoliciesList().map((policy) => policy.getName());
      assert.ok(names.includes("github-ruleset-pull-request-required"), names.join(", "));
      assert.ok(names.includes("schedule-production-deploy-window"));
    } finally {
      pack.close();
    }
  });
});
