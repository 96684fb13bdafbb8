import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { PROJECT_ROOT } from "../../tools/projectRoot";

// tools/requireNode.cjs runs first in `npm test` and `npm run plan`. Here it runs under a Node that
// reports another version (a preload redefines process.version and process.versions.node).
function checkAs(version: string) {
  const preload = `Object.defineProperty(process, "version", { value: "v${version}" });` +
    `Object.defineProperty(process, "versions", { value: { ...process.versions, node: "${version}" } });`;
  return spawnSync(process.execPath, ["--eval", `${preload} require(${JSON.stringify(path.join(PROJECT_ROOT, "tools", "requireNode.cjs"))})`], { encoding: "utf8" });
}

describe("the Node.js version check before npm test and npm run plan", () => {
  it("stops Node 20 with one line naming Node.js 22 and how to get it, exit 1", () => {
    const run = checkAs("20.20.2");
    assert.equal(run.status, 1);
    assert.equal(run.stdout, "");
    const lines = run.stderr.trim().split("\n");
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /needs Node\.js 22 or later \(this is v20\.20\.2\)/);
    assert.match(lines[0]!, /\.ci\/node/);
  });

  it("lets Node 22 and later through silently", () => {
    for (const version of ["22.0.0", "24.1.0"]) {
      const run = checkAs(version);
      assert.equal(run.status, 0, run.stderr);
      assert.equal(run.stderr, "");
    }
  });
});
