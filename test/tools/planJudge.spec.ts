import { strict as assert } from "node:assert";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import type { Log } from "sarif";
import type { PlanDocument } from "../../tools/plan/document";
import { recordedResources } from "../../tools/plan/judgedResources";
import { runPlan } from "../../tools/plan/main";
import { PROJECT_DIR } from "../harness";
import { component, plan, recorded, RULESET } from "./planFixtures";
import { linkProgram } from "../harness/scratch";

/** Tuesday 10:00 America/New_York: inside the deploy window. */
const IN_WINDOW = "2026-12-01T15:00:00Z";

/**
 * `--judge PLAN.json`: the verdict on resources another job recorded (in CI, the pull request's
 * program, evaluated by its own tooling), given by this checkout's pack, as if this checkout had
 * evaluated them.
 */
describe("npm run plan -- --judge", function () {
  this.timeout(180_000);
  let dir: string;
  let project: string;

  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), "flightdeck-judge-"));
    // A pull request's checkout that drops the required approval (a mandatory violation in production).
    project = path.join(dir, "head");
    const files = ["Pulumi.yaml", "Pulumi.production.yaml", "Pulumi.staging.yaml"];
    mkdirSync(project);
    for (const name of files) copyFileSync(path.join(PROJECT_DIR, name), path.join(project, name));
    linkProgram(project);
    // Three more comment lines than this checkout's file: SARIF lines tell which file was read.
    const yaml = "# the pull request's copy\n#\n#\n" + readFileSync(path.join(project, "Pulumi.yaml"), "utf8").replace("requiredApprovals: 1", "requiredApprovals: 0");
    assert.ok(yaml.includes("requiredApprovals: 0"));
    writeFileSync(path.join(project, "Pulumi.yaml"), yaml);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** The pull request's program, evaluated once (as `evaluate` does in CI): what the pack judges. */
  let saved: string;
  before(async () => {
    const recordedPlan = await runPlan(["--stack", "production", "--no-policy", "--format", "evaluation", "--at", IN_WINDOW], { projectDir: project });
    assert.equal(recordedPlan.exitCode, 0);
    saved = path.join(dir, "production.json");
    writeFileSync(saved, recordedPlan.output);
  });

  it("gives the verdict the direct plan gives, with this checkout's pack; violations also on the base are marked", async () => {
    const direct = await runPlan(["--stack", "production", "--format", "json", "--at", IN_WINDOW], { projectDir: project });
    const judged = await runPlan(["--stack", "production", "--judge", saved, "--project", project, "--format", "json", "--at", IN_WINDOW]);
    assert.equal(direct.exitCode, 1);
    assert.equal(judged.exitCode, 1, judged.errors.join("\n"));
    const verdict = (output: string) => (JSON.parse(output) as PlanDocument).policy?.violations.map((v) => [v.policy, v.enforcementLevel, v.urn, v.message]);
    assert.deepEqual(verdict(judged.output), verdict(direct.output));
    assert.deepEqual(verdict(judged.output)?.map(([policy]) => policy), ["github-ruleset-pull-request-required"]);

    // The direct plan as the base: the same violation is marked as already there.
    const base = path.join(dir, "base.json");
    writeFileSync(base, direct.output);
    const against = await runPlan(["--stack", "production", "--judge", saved, "--project", project, "--against", base, "--format", "markdown", "--at", IN_WINDOW]);
    assert.equal(against.exitCode, 1);
    assert.match(against.output, /`github-ruleset-pull-request-required` on \*\*flightpro-production-rules-ruleset\*\* _\(also on the base branch\)_/);
  });

  it("points SARIF results at the judged project's stack files (--project)", async () => {
    const sarif = await runPlan(["--stack", "production", "--judge", saved, "--project", project, "--format", "sarif", "--at", IN_WINDOW]);
    assert.equal(sarif.exitCode, 1);
    const results = (JSON.parse(sarif.output) as Log).runs[0]!.results ?? [];
    // The result points at the key that configures the ruleset: `github:` under `config:`.
    const line = readFileSync(path.join(project, "Pulumi.yaml"), "utf8").split("\n").findIndex((text) => text === "  github:") + 1;
    const ownLine = readFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), "utf8").split("\n").findIndex((text) => text === "  github:") + 1;
    assert.equal(line, ownLine + 3);
    const location = results[0]?.locations?.[0]?.physicalLocation;
    assert.deepEqual([location?.artifactLocation?.uri, location?.region?.startLine], ["Pulumi.yaml", line]);
  });

  it("gives the pack each secret as [secret #N], equal secrets alike, and the options as recorded", () => {
    const group = component("production");
    const a = recorded("production", RULESET, "a", { value: "same-secret", other: "plain" }, ["value"]);
    const b = recorded("production", RULESET, "b", { value: "same-secret" }, ["value"]);
    const c = recorded("production", RULESET, "c", { value: "different-secret" }, ["value"]);
    c.options = { ...c.options, protect: true, dependsOn: [a.urn] };
    const resources = recordedResources(plan("production", [group, a, b, c]));
    assert.deepEqual(resources.slice(1).map((r) => r.inputs["value"]), ["[secret #1]", "[secret #1]", "[secret #2]"]);
    assert.deepEqual(resources.slice(1).map((r) => r.secretPaths), [["value"], ["value"], ["value"]]);
    assert.equal(resources[1]!.inputs["other"], "plain");
    assert.deepEqual([resources[3]!.options.protect, resources[3]!.options.dependsOn], [true, [a.urn]]);
    assert.ok(!JSON.stringify(plan("production", [group, a, b, c])).includes("same-secret"), "the saved plan never holds a secret");
  });

  it("exits 2 on a plan it cannot judge, and on flags that do not go together", async () => {
    const other = path.join(dir, "staging.json");
    writeFileSync(other, JSON.stringify(plan("staging", [component("staging")])));
    const old = path.join(dir, "old.json");
    const withoutOptions = plan("production", [component("production")]);
    delete withoutOptions.resources[0]!.options;
    writeFileSync(old, JSON.stringify(withoutOptions));
    const cases: [string[], RegExp][] = [
      [["--judge", path.join(dir, "nope.json")], /^--judge .*nope\.json: no such file$/],
      [["--judge", other], /^--judge .*staging\.json is a plan of stack "staging", not of "production"$/],
      [["--judge", old], /^--judge .*old\.json: resources\[0\] has no options \(saved by a flightdeck that predates --judge\?/],
      [["--judge", old, "--no-policy"], /^--judge needs the policy pack: drop --no-policy$/],
      [["--project", project], /^--project goes with --judge/],
      [["--judge", old, "--project", path.join(dir, "nowhere")], /^unknown stack "production": no Pulumi\.production\.yaml in .*nowhere \(stacks there: none\)$/],
    ];
    for (const [flags, message] of cases) {
      const result = await runPlan(["--stack", "production", ...flags]);
      assert.equal(result.exitCode, 2, flags.join(" "));
      assert.match(result.errors[0] ?? "", message);
    }
  });
});
