import { strict as assert } from "node:assert";
import { realpathSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { compareVerdicts, EnginePack, firstDifference, Scenario } from "../../../tools/pack/parity";
import { locateRunPolicyPack } from "../../../tools/pack/published";
import { IN_WINDOW, productionScenarios } from "../../../tools/pack/verify";
import { PROJECT_DIR, runSampleStack } from "../../harness";
import { copyPack, PACK_DIR, PackCopy } from "./fixtures";

/**
 * The comparison `npm run pack:verify` makes between the pack in place and the published pack,
 * exercised on a second copy of the pack that runs from the root's node_modules: identical packs
 * agree, a pack that differs in what it decides does not. Both are started as the engine starts a
 * Node.js pack: run-policy-pack, found with require.resolve from the pack's directory, given the
 * engine address and the pack directory, in the pack directory (pulumi/pulumi@v3.259.0:
 * sdk/nodejs/cmd/pulumi-language-nodejs/main.go RunPlugin, locateModule).
 */
describe("pack:verify's comparison of two packs over the analyzer protocol", function () {
  this.timeout(180_000);
  let copy: PackCopy;
  let scenario: Scenario;
  let inPlace: EnginePack;
  let other: EnginePack;
  const config = path.join(PACK_DIR, "config", "production.json");

  before(async () => {
    // Evaluated at the scenarios' clock, as pack:verify does (the offline drill register is dated by it).
    const scenarios = productionScenarios((await runSampleStack("production", undefined, { now: IN_WINDOW })).resources);
    scenario = scenarios.find((candidate) => candidate.name.startsWith("STRIPE_SECRET_KEY"))!;
    inPlace = { dir: PACK_DIR, runPolicyPack: await locateRunPolicyPack(PACK_DIR) };
    assert.ok(inPlace.runPolicyPack.startsWith(realpathSync(path.join(PROJECT_DIR, "node_modules"))), inPlace.runPolicyPack);
    // One copy for both cases (the second changes only its waivers file): the engine's ts-node keeps
    // a compile cache by file, so the copy type-checks once.
    copy = copyPack({ modules: true });
    other = { dir: copy.pack, runPolicyPack: await locateRunPolicyPack(copy.pack) };
  });
  after(() => copy?.remove());

  it("identical packs give the same verdict, a mandatory violation included", async () => {
    const [verdict] = await compareVerdicts({ inPlace, published: other }, { stack: "production", policyConfigPath: config, scenarios: [scenario] });
    assert.equal(verdict!.same, true, firstDifference(verdict!.inPlace, verdict!.published));
    assert.deepEqual(verdict!.inPlace.violations.map((v) => [v.policy, v.enforcementLevel]), [["vercel-env-var-sensitive", "mandatory"]]);
  });

  it("a pack that decides differently (here: its own waivers file) is reported, with the first difference", async () => {
    writeFileSync(
      path.join(copy.pack, "waivers.yaml"),
      `waivers:\n  - policy: vercel-env-var-sensitive\n    resource: "*STRIPE_SECRET_KEY"\n    stack: production\n    reason: Vercel support ticket 1234 pending\n    approvedBy: maria-chen\n    expires: "2026-12-20"\n`,
    );
    const [verdict] = await compareVerdicts({ inPlace, published: other }, { stack: "production", policyConfigPath: config, scenarios: [scenario] });
    assert.equal(verdict!.same, false);
    assert.deepEqual(verdict!.published.violations, []);
    assert.equal(verdict!.published.waived[0]?.policy, "vercel-env-var-sensitive");
    assert.match(firstDifference(verdict!.inPlace, verdict!.published), /^violations\[0\]: in place \{"policy":"vercel-env-var-sensitive"/);
  });
});
