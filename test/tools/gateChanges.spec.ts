import { strict as assert } from "node:assert";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { runCombine } from "../../tools/plan/combine";
import { gateChanges } from "../../tools/plan/gate";
import { component, plan } from "./planFixtures";

/** A pull request that changes the gate is judged by the base branch's gate; the comment says so and lists the change. */
describe("plan:comment -- --gate-base --gate-head (a change to the gate itself)", () => {
  let dir: string;
  const write = (checkout: string, file: string, text: string) => {
    const full = path.join(dir, checkout, file);
    mkdirSync(path.dirname(full), { recursive: true });
    writeFileSync(full, text);
  };
  const waiver = (policy: string, expires: string) =>
    `  - { policy: ${policy}, resource: "*", stack: production, reason: "Hotfix for INC-311: checkout fails", approvedBy: maria-chen, expires: "${expires}" }\n`;

  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), "flightdeck-gate-"));
    for (const checkout of ["base", "head"]) {
      write(checkout, "policies/index.ts", "// the pack\n");
      write(checkout, "policies/config/staging.json", '{ "all": "advisory" }\n');
      write(checkout, "tools/plan/main.ts", "// the plan\n");
      write(checkout, "infra/stack.ts", "// the program\n");
      write(checkout, "policies/node_modules/x/index.js", checkout);
    }
    write("base", "policies/config/production.json", '{ "all": "mandatory" }\n');
    write("head", "policies/config/production.json", '{ "all": "advisory" }\n');
    write("base", "policies/waivers.yaml", `waivers:\n${waiver("schedule-production-deploy-window", "2026-12-01")}`);
    write("head", "policies/waivers.yaml", `waivers:\n${waiver("schedule-production-deploy-window", "2026-12-01")}${waiver("schedule-production-deploy-window", "2026-12-02")}`);
    write("head", "policies/rules/extra.ts", "// a new rule\n");
    write("base", ".github/workflows/infra.yml", "name: infra\n");
    write("head", ".github/workflows/infra.yml", "name: infra\n# changed\n");
    write("head", ".github/CODEOWNERS", "/policies/ @someone-else\n");
    write("head", "package.json", '{ "scripts": { "plan": "echo ok" } }\n');
    write("head", "infra/stack.ts", "// the program, changed\n");
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("lists what changed in the pack (code, config, waivers), the pipeline and the judge's tooling; nothing else", () => {
    const changes = gateChanges(path.join(dir, "base"), path.join(dir, "head"));
    assert.deepEqual(
      changes.files.map((file) => [file.path, file.kind, file.change]),
      [
        [".github/CODEOWNERS", "pipeline", "added"],
        [".github/workflows/infra.yml", "pipeline", "modified"],
        ["package.json", "judge tooling", "added"],
        ["policies/config/production.json", "pack config", "modified"],
        ["policies/rules/extra.ts", "pack code", "added"],
        ["policies/waivers.yaml", "waivers", "modified"],
      ],
    );
    assert.deepEqual(changes.waiversAdded, ["schedule-production-deploy-window on * (stack production), approved by maria-chen until 2026-12-02: Hotfix for INC-311: checkout fails"]);
    assert.deepEqual(gateChanges(path.join(dir, "base"), path.join(dir, "base")).files, []);
  });

  it("renders a gate-change section after the verdict, and none when the gate is unchanged", () => {
    const saved = path.join(dir, "production.json");
    writeFileSync(saved, JSON.stringify(plan("production", [component("production")])));
    const changed = runCombine([saved, "--gate-base", path.join(dir, "base"), "--gate-head", path.join(dir, "head")]);
    assert.equal(changed.exitCode, 0, changed.errors.join("\n"));
    const section = changed.output.slice(changed.output.indexOf("### 🛡️ Gate change"));
    assert.ok(changed.output.indexOf("### 🛡️ Gate change") < changed.output.indexOf("### `production`"), "before the stacks");
    assert.match(section, /The verdict above is the \*\*base branch's\*\* pack, config and waivers/);
    assert.match(section, /- \*\*pack code\*\*: `policies\/rules\/extra.ts` \(added\)\n- \*\*pack config\*\*: `policies\/config\/production.json` \(modified\)\n- \*\*waivers\*\*: `policies\/waivers.yaml` \(modified\)\n- \*\*pipeline\*\*: `.github\/CODEOWNERS` \(added\), `.github\/workflows\/infra.yml` \(modified\)\n- \*\*judge tooling\*\*: `package.json` \(added\)/);
    assert.match(section, /\*\*Waivers added or changed\*\*\n\n- schedule-production-deploy-window on \\\* \(stack production\), approved by maria-chen until 2026-12-02/);
    const same = runCombine([saved, "--gate-base", path.join(dir, "base"), "--gate-head", path.join(dir, "base")]);
    assert.ok(!same.output.includes("Gate change"));
  });

  it("exits 2 when only one checkout is given, or one is not a directory", () => {
    const saved = path.join(dir, "production.json");
    assert.deepEqual(runCombine([saved, "--gate-base", dir]).errors[0], "--gate-base and --gate-head go together: the base branch's checkout and the pull request's");
    const missing = runCombine([saved, "--gate-base", dir, "--gate-head", path.join(dir, "nope")]);
    assert.deepEqual([missing.exitCode, missing.errors[0]], [2, `--gate-head ${path.join(dir, "nope")}: no such directory`]);
  });
});
