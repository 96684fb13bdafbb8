import { strict as assert } from "node:assert";
import { buildWorkflows } from "../../../infra/workflows/files";
import { isStepsJob } from "../../../infra/workflows/model";
import { sampleConfig } from "../../harness";
import { models, settingsFor } from "./fixtures";

describe("workflow toolchain (Node, pnpm)", () => {
  it("the sample stacks and the schema default build with Node 22 (Node 20 ended 2026-04-30)", () => {
    // nodejs/Release@e4bf922 schedule.json: "v20": end 2026-04-30; "v22": end 2027-04-30.
    for (const stack of ["staging", "production"] as const) {
      assert.equal((sampleConfig(stack)["app"] as Record<string, unknown>)["nodeVersion"], "22");
    }
    const defaults = settingsFor("staging-prod", (raw) => {
      delete raw["app"];
    });
    assert.equal(defaults.app.nodeVersion, "22");
    assert.equal(defaults.app.pnpmVersion, undefined);
  });

  for (const model of models) {
    it(`${model}: pnpm/action-setup reads the app's packageManager (no version input) after a checkout`, () => {
      // pnpm/action-setup@v4.0.0 src/install-pnpm/run.ts, readTarget: with a `version` input and a
      // package.json `packageManager` that differ it throws "Multiple versions of pnpm specified";
      // without the input it reads package.json from GITHUB_WORKSPACE ("please run the actions/checkout before").
      let seen = 0;
      for (const file of buildWorkflows(settingsFor(model))) {
        for (const [id, job] of Object.entries(file.workflow.jobs)) {
          if (!isStepsJob(job)) continue;
          job.steps.forEach((step, index) => {
            if (!step.uses?.startsWith("pnpm/action-setup@")) return;
            seen++;
            assert.equal(step.with?.["version"], undefined, `${file.name} ${id}`);
            assert.ok(job.steps.slice(0, index).some((s) => s.uses?.startsWith("actions/checkout@")), `${file.name} ${id}: checkout before pnpm/action-setup`);
          });
        }
      }
      assert.ok(seen > 0);
    });
  }

  it("passes a pnpm version only when the settings name one (an app without packageManager)", () => {
    const pinned = buildWorkflows(settingsFor("staging-prod", (raw) => {
      raw["app"] = { ...(raw["app"] as Record<string, unknown>), pnpmVersion: "9.15.4" };
    }));
    const versions = pinned.flatMap((file) =>
      Object.values(file.workflow.jobs).flatMap((job) => (isStepsJob(job) ? job.steps : [])).filter((s) => s.uses?.startsWith("pnpm/action-setup@")).map((s) => s.with?.["version"]),
    );
    assert.ok(versions.length > 0);
    assert.deepEqual([...new Set(versions)], ["9.15.4"]);
  });
});
