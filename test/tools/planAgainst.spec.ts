import { strict as assert } from "node:assert";
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { runCombine } from "../../tools/plan/combine";
import type { PlanDocument } from "../../tools/plan/document";
import { runPlan } from "../harness/plans";
import { MARKDOWN_MARKER } from "../../tools/plan/render/markdown";
import { plan, recorded, RULESET } from "./planFixtures";
import { scratchDir } from "../harness/scratch";

/** One instant for every plan here: the program is evaluated once for all of them (test/harness/plans.ts). */
const AT = "2026-12-01T15:00:00Z";
const dir = scratchDir("against");
function file(name: string, content: string): string {
  const full = path.join(dir, name);
  writeFileSync(full, content);
  return full;
}

describe("npm run plan -- --against", () => {
  it("exits 2 with a clear message for a missing file, bad JSON, a non-plan, or a plan of another stack", async () => {
    const missing = path.join(dir, "nope.json");
    const cases: [string, RegExp][] = [
      [missing, /^--against .*nope\.json: no such file$/],
      [file("bad.json", "{ not json"), /^--against .*bad\.json is not JSON \(.+\); save it with `npm run plan -- --stack <name> --format json --out FILE`$/],
      [file("other.json", JSON.stringify({ hello: "world" })), /^--against .*other\.json is not a plan saved with `--format json`: no project$/],
      [file("staging.json", JSON.stringify(plan("staging", []))), /^--against .*staging\.json is a plan of stack "staging", not of "production"$/],
    ];
    for (const [against, message] of cases) {
      const result = await runPlan(["--stack", "production", "--against", against]);
      assert.equal(result.exitCode, 2, against);
      assert.equal(result.output, "");
      assert.match(result.errors[0] ?? "", message);
    }
  });

  it("adds the diff to the JSON and shows it in text and Markdown", async () => {
    const saved = JSON.parse((await runPlan(["--stack", "staging", "--no-policy", "--at", AT, "--format", "json"])).output) as PlanDocument;
    const target = saved.resources.find((resource) => resource.custom && Object.keys(resource.inputs).length > 0);
    assert.ok(target, "the program declares a custom resource with inputs");
    const key = Object.keys(target.inputs)[0]!;
    target.inputs[key] = "a value the base branch had";
    saved.resources.push({ urn: "urn:pulumi:staging::flightdeck::aws:sns/topic:Topic::removed-topic", type: "aws:sns/topic:Topic", name: "removed-topic", parent: null, custom: true, inputs: {} });
    const base = file("base.json", JSON.stringify(saved));

    const json = JSON.parse((await runPlan(["--stack", "staging", "--no-policy", "--at", AT, "--format", "json", "--against", base])).output) as PlanDocument;
    assert.ok(json.diff);
    const changed = json.diff.changes.find((change) => change.urn === target.urn);
    assert.ok(changed && (changed.kind === "update" || changed.kind === "replace"));
    assert.ok(changed.paths.includes(key));
    assert.deepEqual(json.diff.changes.filter((c) => c.kind === "delete").map((c) => c.name), ["removed-topic"]);
    assert.equal(json.diff.counts.create, 0);

    const text = (await runPlan(["--stack", "staging", "--no-policy", "--at", AT, "--against", base])).output;
    assert.match(text, /^Changes against the base plan: 0 to create, \d+ to update, \d+ to replace, 1 to delete, \d+ unchanged$/m);
    assert.match(text, /^ {2}- {2}delete {2}aws:sns\/topic:Topic {2}removed-topic$/m);

    const markdown = (await runPlan(["--stack", "staging", "--no-policy", "--at", AT, "--format", "markdown", "--against", base])).output;
    assert.equal(markdown.split("\n")[0], MARKDOWN_MARKER);
    assert.match(markdown, /➖ delete `aws:sns\/topic:Topic` \*\*removed-topic\*\*/);
  });
});

describe("npm run plan:comment", () => {
  it("renders one comment for several saved plans", () => {
    const a = file("a.json", JSON.stringify(plan("staging", [recorded("staging", RULESET, "r", {})])));
    const b = file("b.json", JSON.stringify(plan("production", [])));
    const result = runCombine([a, b]);
    assert.equal(result.exitCode, 0, result.errors.join("\n"));
    assert.match(result.output, /^### `staging`$/m);
    assert.match(result.output, /^### `production`$/m);
  });

  it("exits 2 on no plans, a bad file or the same stack twice", () => {
    assert.equal(runCombine([]).exitCode, 2);
    assert.match(runCombine([path.join(dir, "missing.json")]).errors[0] ?? "", /^plan .*missing\.json: no such file$/);
    const a = file("twice.json", JSON.stringify(plan("staging", [])));
    assert.deepEqual(runCombine([a, a]).errors, ['two plans of stack "staging"']);
  });
});
