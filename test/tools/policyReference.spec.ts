import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { tmpdir } from "node:os";
import { buildPack } from "../../policies/pack";
import { POLICY_END, POLICY_REFERENCE_FILES, POLICY_START, firstSentence, policyReference } from "../../tools/policyReference";

describe("policy reference (docs/policies.md and policies/README.md)", () => {
  const table = policyReference();

  for (const file of POLICY_REFERENCE_FILES) {
    it(`${path.relative(path.join(__dirname, "..", ".."), file)} holds the table generated from the pack (run \`npm run docs\` when it fails)`, () => {
      const text = readFileSync(file, "utf8");
      assert.equal(text.slice(text.indexOf(POLICY_START), text.indexOf(POLICY_END) + POLICY_END.length), table);
    });
  }

  it("has one row per policy the pack serves, the waivers file's own check included", () => {
    const served = buildPack({ waiversFile: path.join(tmpdir(), "flightdeck-no-waivers.yaml"), stack: "production", project: "flightdeck" }).policies.map((policy) => policy.name);
    const listed = [...table.matchAll(/^\| `([a-z0-9-]+)` \|/gm)].map((match) => match[1]);
    assert.deepEqual(listed, served);
    assert.ok(listed.includes("policy-waivers-valid"));
  });

  it("takes the requirement up to the first full stop outside a quotation", () => {
    assert.equal(firstSentence('Nobody skips review. Spec: "a. b." More.'), "Nobody skips review.");
    assert.equal(firstSentence('Pinned "v1.2.3." to a SHA. Why.'), 'Pinned "v1.2.3." to a SHA.');
    assert.equal(firstSentence("Node 22.23 or later, no EOL release"), "Node 22.23 or later, no EOL release");
    assert.equal(firstSentence("Passwords in clear SQL (CREATE ROLE ... PASSWORD), so TLS. Why."), "Passwords in clear SQL (CREATE ROLE ... PASSWORD), so TLS.");
  });
});
