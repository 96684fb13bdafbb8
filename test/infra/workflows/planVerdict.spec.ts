import { strict as assert } from "node:assert";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { PlanDocument } from "../../../tools/plan/document";
import { runPlan } from "../../../tools/plan/main";
import { PROJECT_DIR } from "../../harness";
import { linkProgram } from "../../harness/scratch";

/** Tuesday 10:00 in New York: inside the deploy window, outside every freeze. */
const IN_WINDOW = "2026-12-01T15:00:00Z";

describe("a workflow file that breaks a rule, through the stack config: a policy violation of the plan, not a crash", function () {
  this.timeout(120000);
  let dir: string;

  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), "flightdeck-workflow-rules-"));
    const project = readFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), "utf8");
    const changed = project
      .replace('nodeVersion: "22"', 'nodeVersion: "20"')
      .replace('        - name: holidays\n          from: "12-20"\n          to: "01-02"\n', "");
    assert.ok(changed.includes('nodeVersion: "20"') && !changed.includes("name: holidays"), "the sample project changed as intended");
    linkProgram(dir);
    writeFileSync(path.join(dir, "Pulumi.yaml"), changed);
    copyFileSync(path.join(PROJECT_DIR, "Pulumi.production.yaml"), path.join(dir, "Pulumi.production.yaml"));
    // Production's flags follow what staging serves: the plan reads staging's stack file for it.
    copyFileSync(path.join(PROJECT_DIR, "Pulumi.staging.yaml"), path.join(dir, "Pulumi.staging.yaml"));
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it("Node 20 and no holiday freeze: mandatory violations naming the file and the YAML path, exit 1, no error output", async () => {
    const result = await runPlan(["--stack", "production", "--format", "json", "--at", IN_WINDOW], { projectDir: dir });
    assert.deepEqual(result.errors, []);
    assert.equal(result.exitCode, 1);
    const violations = (JSON.parse(result.output) as PlanDocument).policy?.violations ?? [];
    const byPolicy = (name: string) => violations.filter((v) => v.policy === name);
    assert.ok(violations.every((v) => v.enforcementLevel === "mandatory"));
    assert.ok(byPolicy("workflow-node-version-supported").some((v) => /\.github\/workflows\/verify\.yml jobs\.lint\.steps\[\d+\]\.with\.node-version: Node\.js 20 reached end of life on 2026-04-30/.test(v.message)));
    assert.ok(byPolicy("schedule-production-preflight-enforces-floor").some((v) => /the floor's freeze holidays \(12-20 to 01-02\) is not frozen/.test(v.message)));
    assert.deepEqual([...new Set(violations.map((v) => v.policy))].sort(), ["schedule-production-preflight-enforces-floor", "workflow-node-version-supported"]);
  });
});
