import { strict as assert } from "node:assert";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parseDocument } from "yaml";
import type { PlanDocument } from "../../tools/plan/document";
import { runPlan } from "../../tools/plan/main";
import { PROJECT_DIR } from "../harness";
import { linkProgram } from "../harness/scratch";

/** Tuesday 10:00 in New York: inside the deploy window. */
const IN_WINDOW = "2026-12-01T15:00:00Z";
const FLAGS = ["config", "flightdeck:featureFlags", "flags"];

/** A copy of the project whose production stack file has its flags edited (a YAML document edit, comments kept). */
function projectWithProductionFlags(edit: (flags: { set(path: (string | number)[], value: unknown): void; delete(path: (string | number)[]): void }) => void): string {
  const dir = mkdtempSync(path.join(tmpdir(), "flightdeck-flags-"));
  linkProgram(dir);
  for (const file of ["Pulumi.yaml", "Pulumi.staging.yaml"]) copyFileSync(path.join(PROJECT_DIR, file), path.join(dir, file));
  const document = parseDocument(readFileSync(path.join(PROJECT_DIR, "Pulumi.production.yaml"), "utf8"));
  edit({
    set: (at, value) => document.setIn([...FLAGS, ...at], value),
    delete: (at) => document.deleteIn([...FLAGS, ...at]),
  });
  writeFileSync(path.join(dir, "Pulumi.production.yaml"), document.toString());
  return dir;
}

function violationsOf(output: string): string[] {
  const plan = JSON.parse(output) as PlanDocument;
  return (plan.policy?.violations ?? []).map((violation) => `${violation.enforcementLevel} ${violation.policy} ${(violation.urn ?? "").split("::").pop()}`);
}

describe("npm run plan: production flags judged by the pack (real analyzer protocol)", function () {
  this.timeout(180_000);
  const dirs: string[] = [];
  after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it("blocks a production plan that starts before staging's, a plan that skips stages and a flag without an owner (exit 1)", async () => {
    const dir = projectWithProductionFlags((flags) => {
      flags.set([0, "rollout", "start"], "2026-11-10");
      flags.delete([1, "owner"]);
      flags.set([1, "rollout", "stages"], [
        { day: 0, rollout: 0 },
        { day: 1, rollout: 100 },
      ]);
      flags.set([1, "rollout", "start"], "2026-11-27");
    });
    dirs.push(dir);
    const result = await runPlan(["--stack", "production", "--format", "json", "--at", IN_WINDOW], { projectDir: dir });
    assert.equal(result.exitCode, 1, result.errors.join("\n"));
    assert.deepEqual([...new Set(violationsOf(result.output))].sort(), [
      "mandatory flags-production-not-ahead-of-staging flightpro-production-flags-new-dashboard",
      "mandatory flags-production-not-ahead-of-staging flightpro-production-flags-offline-briefings",
      "mandatory flags-production-owner-required flightpro-production-flags-offline-briefings",
      "mandatory flags-rollout-plan-follows-spec flightpro-production-flags-offline-briefings",
    ]);
  });

  it("passes a compliant plan written another way: a slower custom plan, the time zone spelled out (exit 0)", async () => {
    const dir = projectWithProductionFlags((flags) => {
      flags.set([0, "rollout", "timezone"], "America/New_York");
      flags.set([0, "rollout", "stages"], [
        { day: 0, rollout: 0 },
        { day: 1, rollout: "team" },
        { day: 3, rollout: 5 },
        { day: 8, rollout: 25 },
        { day: 15, rollout: 50 },
        { day: 28, rollout: 100 },
      ]);
    });
    dirs.push(dir);
    const result = await runPlan(["--stack", "production", "--format", "json", "--at", IN_WINDOW], { projectDir: dir });
    assert.deepEqual(violationsOf(result.output), []);
    assert.equal(result.exitCode, 0);
    const flags = (JSON.parse(result.output) as PlanDocument).resources.filter((resource) => resource.type === "pulumi-nodejs:dynamic/posthog:FeatureFlag");
    assert.deepEqual(
      flags.map((resource) => [resource.name, resource.inputs["stage"]]).sort(),
      [
        ["flightpro-production-flags-new-dashboard", "5% (day 3 of plan since 2026-11-24; next: 25% on 2026-12-02)"],
        ["flightpro-production-flags-offline-briefings", "0% (plan not started; day 0 is 2026-12-03)"],
      ],
    );
  });
});
