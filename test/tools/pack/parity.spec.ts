import { strict as assert } from "node:assert";
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { compareVerdicts, firstDifference, Scenario } from "../../../tools/pack/parity";
import { IN_WINDOW, productionScenarios } from "../../../tools/pack/verify";
import { bundledCheckoutPack, PackEntry } from "../../../tools/policy/bundle";
import { ownPackEntry } from "../../../tools/policy/spawn";
import { runSampleStack } from "../../harness";
import { copyPack, PACK_DIR, PackCopy } from "./fixtures";

/**
 * The comparison `npm run pack:verify` makes between the pack in place and the published pack,
 * exercised on a second copy of the pack that runs from the root's node_modules: identical packs
 * agree, a pack that differs in what it decides does not. Here both start from esbuild bundles of
 * their own sources, in their own directories; pack:verify (a `.ci/run` step) starts both as the
 * engine starts a Node.js pack (run-policy-pack with ts-node, which type-checks each new directory for
 * seconds), and test/policies/engineStart.spec.ts covers that start.
 */
describe("pack:verify's comparison of two packs over the analyzer protocol", function () {
  this.timeout(180_000);
  let copy: PackCopy;
  let scenario: Scenario;
  let inPlace: PackEntry;
  let other: PackEntry;
  const config = path.join(PACK_DIR, "config", "production.json");

  before(async () => {
    // Evaluated at the scenarios' clock, as pack:verify does (the offline drill register is dated by it).
    const scenarios = productionScenarios((await runSampleStack("production", undefined, { now: IN_WINDOW })).resources);
    scenario = scenarios.find((candidate) => candidate.name.startsWith("STRIPE_SECRET_KEY"))!;
    inPlace = { dir: PACK_DIR, entry: ownPackEntry() };
    // One copy for both cases (the second changes only its waivers file, which the pack reads when it starts).
    copy = copyPack({ modules: true });
    other = bundledCheckoutPack(copy.root, "pack");
    assert.equal(other.dir, copy.pack);
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
