import { strict as assert } from "node:assert";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { runPlan } from "../../tools/plan/main";
import { PROJECT_DIR } from "../harness";
import { linkProgram, scratchDir } from "../harness/scratch";
import { ProjectCopies, replaceOnce } from "./projectCopy";

/**
 * Every bad input is named by file, line, column and key, as the first line the plan prints (exit 2).
 * The expected lines were written from the input files, before the plan was run on them.
 */
describe("npm run plan names the file, line and key of a bad input", function () {
  this.timeout(120000);
  const copies = new ProjectCopies();
  after(() => copies.cleanup());

  /** A checkout whose bootstrap stack file is edited; the plan of its bootstrap project. */
  const planBootstrap = async (edit: (text: string) => string) => {
    const dir = scratchDir("bootstrap-input");
    cpSync(path.join(PROJECT_DIR, "bootstrap"), path.join(dir, "bootstrap"), { recursive: true });
    linkProgram(dir);
    const file = path.join(dir, "bootstrap", "Pulumi.bootstrap.yaml");
    writeFileSync(file, edit(readFileSync(file, "utf8")));
    return runPlan(["--stack", "bootstrap", "--no-policy"], { projectDir: path.join(dir, "bootstrap") });
  };

  it("a bootstrap key: Pulumi.bootstrap.yaml, its line and column, the key", async () => {
    const result = await planBootstrap((text) => replaceOnce(text, 'flightdeck-bootstrap:account: "123456789012"', 'flightdeck-bootstrap:account: "12345"'));
    assert.equal(result.exitCode, 2);
    assert.equal(result.errors[0], 'Pulumi.bootstrap.yaml:9:3: flightdeck-bootstrap:account: must be a 12-digit AWS account id (got "12345")');
  });

  it("a value nested in a bootstrap key: the line and column of the nested value", async () => {
    const result = await planBootstrap((text) => replaceOnce(text, "    id: 918274\n", "    id: abc\n"));
    assert.equal(result.exitCode, 2);
    assert.equal(result.errors[0], 'Pulumi.bootstrap.yaml:15:5: flightdeck-bootstrap:githubApp.id: expected number (got "abc")');
  });

  it("a project-level value: Pulumi.yaml, inside its `value:`", async () => {
    const dir = copies.make({ project: (text) => replaceOnce(text, "      lighthouseMinScore: 85\n", "      lighthouseMinScore: high\n") });
    const result = await runPlan(["--stack", "production", "--no-policy"], { projectDir: dir });
    assert.equal(result.exitCode, 2);
    assert.equal(result.errors[0], 'Pulumi.yaml:36:7: flightdeck:budgets.lighthouseMinScore: expected number (got "high")');
  });

  it("an item of a list in the stack file: the key inside the item's flow mapping", async () => {
    const dir = copies.make({
      stack: { production: (text) => replaceOnce(text, 'rotation: { periodDays: 90, lastRotated: "2026-10-20" }', 'rotation: { periodDays: 90, lastRotated: "2099-10-20" }') },
    });
    const result = await runPlan(["--stack", "production", "--no-policy", "--at", "2026-12-01T15:00:00Z"], { projectDir: dir });
    assert.equal(result.exitCode, 2);
    assert.equal(
      result.errors[0],
      'Pulumi.production.yaml:76:35: flightdeck:secrets[5].rotation.lastRotated: is in the future (got "2099-10-20", today is 2026-12-01): record a rotation once it has happened',
    );
  });

  it("cascading YAML errors: the first three, then how many more, not dozens of lines", async () => {
    const dir = copies.make({ stack: { production: (text) => replaceOnce(text, "    waitTimerMinutes: 0\n", "    waitTimerMinutes: 0\n\tx: [\n") } });
    const result = await runPlan(["--stack", "production", "--no-policy"], { projectDir: dir });
    assert.equal(result.exitCode, 2);
    assert.equal(result.errors[0], "Pulumi.production.yaml:11:1: YAML syntax error: Tabs are not allowed as indentation");
    assert.equal(result.errors.length, 4, result.errors.join("\n"));
    assert.match(result.errors[3]!, /^Pulumi\.production\.yaml:\d+:\d+: and \d+ more YAML errors from here on, most of them likely caused by the first: fix those and plan again$/);
  });
});
