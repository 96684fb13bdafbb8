import { strict as assert } from "node:assert";
import { preflightEnforcesFloor } from "../../policies/rules/schedule";
import { runSampleStack } from "../harness";
import { Fixture, judge } from "./judge";
import { withFloor } from "./scheduleFixtures";

// Apart from schedule.spec.ts: this one runs the program (the sample stack through the mock engine), so
// it is not among the specs `npm run mutate` runs per mutant of policies/lib/scheduleCheck.ts, a file
// the program bundles (tools/mutate/specs.ts).
describe("policies: schedule-production-preflight-enforces-floor on the program's own output", () => {
  it("the stack config itself: removing the holiday freeze from flightdeck:schedule is a mandatory violation of the program's own output", async () => {
    const run = await runSampleStack("production", (raw) => {
      raw["schedule"] = { ...(raw["schedule"] as Record<string, unknown>), freezes: [{ name: "black-friday-2026", from: "2026-11-23", to: "2026-11-30" }] };
    });
    const fixtures: Fixture[] = run.resources.map((resource) => ({ type: resource.type, name: resource.name, props: resource.inputs }));
    const verdicts = judge(fixtures, { ...withFloor, policies: [preflightEnforcesFloor] });
    assert.equal(verdicts.length, 1, JSON.stringify(verdicts));
    assert.match(verdicts[0]!.message, /deploy-production\.yml jobs\.preflight\.steps\[1\]: the schedule the pre-flight enforces is weaker than the floor: the floor's freeze holidays/);
  });
});
