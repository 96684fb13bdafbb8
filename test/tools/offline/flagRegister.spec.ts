import { strict as assert } from "node:assert";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parsePlanArgs, UsageError } from "../../../tools/plan/args";
import { flagRegistersFromFiles } from "../../../tools/offline/flagRegister";
import { PROJECT_DIR } from "../../harness";
import { scratchDir } from "../../harness/scratch";

/**
 * What the offline plan answers for a flag register (it cannot read SSM): what the deployed checkout's
 * stack file would have written, each flag applied since its configured start (flagRegister.ts).
 */
describe("offline flag registers", () => {
  const DEC_1 = new Date("2026-12-01T15:00:00Z");
  const PATH = "/flightdeck/flightpro/production/feature-flags";

  const recordsIn = (dir: string) => {
    const read = flagRegistersFromFiles(dir, DEC_1)(PATH);
    assert.ok(read, "the register's path is answered");
    return read.values.map((value) => JSON.parse(value) as { key: string; start: string; exposure: { percent: number }; note: string });
  };

  it("answers each flag of the deployed stack file, at the stage due then, and says where the record came from", () => {
    const records = recordsIn(PROJECT_DIR);
    assert.deepEqual(records.map((record) => [record.key, record.start, record.exposure.percent]), [
      ["new-dashboard", "2026-11-24", 25],
      ["offline-briefings", "2026-12-03", 0],
    ]);
    assert.match(records[0]!.note, /^offline plan: the register cannot be read offline; assumed applied since rollout\.start in Pulumi\.production\.yaml of the deployed checkout$/);
  });

  it("reads the deployed checkout, not the one being planned: an edited file elsewhere does not change it", () => {
    const deployed = scratchDir("deployed");
    for (const file of ["Pulumi.yaml", "Pulumi.staging.yaml"]) copyFileSync(path.join(PROJECT_DIR, file), path.join(deployed, file));
    const production = readFileSync(path.join(PROJECT_DIR, "Pulumi.production.yaml"), "utf8").replace('start: "2026-11-24"', 'start: "2026-11-20"');
    writeFileSync(path.join(deployed, "Pulumi.production.yaml"), production);
    assert.equal(recordsIn(deployed)[0]!.start, "2026-11-20");
    assert.equal(recordsIn(PROJECT_DIR)[0]!.start, "2026-11-24");
  });

  it("answers nothing for a path no stack file of the checkout has, and no records where the stack declares no flags", () => {
    assert.equal(flagRegistersFromFiles(PROJECT_DIR, DEC_1)("/flightdeck/flightpro/qa/feature-flags"), undefined);
    const empty = scratchDir("no-flags");
    mkdirSync(empty, { recursive: true });
    copyFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), path.join(empty, "Pulumi.yaml"));
    writeFileSync(path.join(empty, "Pulumi.production.yaml"), readFileSync(path.join(PROJECT_DIR, "Pulumi.production.yaml"), "utf8").replace(/  flightdeck:featureFlags:[\s\S]*?(?=  flightdeck:disasterRecovery:)/, ""));
    assert.deepEqual(flagRegistersFromFiles(empty, DEC_1)(PATH), { names: [], values: [] });
  });

  it("--deployed names the deployed checkout for an evaluation; it does not go with --judge", () => {
    assert.equal(parsePlanArgs(["--stack", "production", "--deployed", "../base"]).deployed, "../base");
    assert.throws(() => parsePlanArgs(["--stack", "production", "--deployed", "../base", "--judge", "plan.json"]), (error: Error) => error instanceof UsageError && /--deployed is for evaluating a program/.test(error.message));
  });
});
