import { strict as assert } from "node:assert";
import { inputAt, runSampleStack } from "../harness";
import { verifyCheckIds } from "../../infra/pipeline/verifyChecks";

const RULESET = "github:index/repositoryRuleset:RepositoryRuleset";

describe("BranchRuleset", () => {
  it("protects main in production with approvals, every verify check, no force push or deletion", async () => {
    const run = await runSampleStack("production");
    const ruleset = run.one(RULESET);
    assert.deepEqual(inputAt(ruleset, "conditions.refName.includes"), ["refs/heads/main"]);
    assert.equal(inputAt(ruleset, "rules.pullRequest.requiredApprovingReviewCount"), 1);
    assert.equal(inputAt(ruleset, "rules.pullRequest.dismissStaleReviewsOnPush"), true);
    assert.deepEqual(
      inputAt(ruleset, "rules.requiredStatusChecks.requiredChecks"),
      ["lint", "typecheck", "unit-tests", "build", "security-scan", "migration-reversibility", "performance-budgets"].map((context) => ({ context, integrationId: 15368 })),
    );
    assert.deepEqual([...verifyCheckIds], ["lint", "typecheck", "unit-tests", "build", "security-scan", "migration-reversibility", "performance-budgets"]);
    assert.equal(inputAt(ruleset, "rules.nonFastForward"), true);
    assert.equal(inputAt(ruleset, "rules.deletion"), true);
    assert.deepEqual(inputAt(ruleset, "bypassActors"), [{ actorType: "Integration", actorId: 918273, bypassMode: "always" }]);
  });

  it("protects the staging branch in the staging stack", async () => {
    const run = await runSampleStack("staging");
    assert.deepEqual(inputAt(run.one(RULESET), "conditions.refName.includes"), ["refs/heads/staging"]);
  });
});
