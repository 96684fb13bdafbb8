import { strict as assert } from "node:assert";
import { drillRegisterFromConfig } from "../../../tools/offline/drillRegister";
import { sampleConfig } from "../../harness";
import * as backupContract from "../../../infra/backup/contract";
import * as recoveryJobs from "../../../infra/backup/recoveryJobs";
import * as backupSettings from "../../../infra/backup/settings";
import * as schema from "../../../infra/config/schema";

/** The program's model the engine reads the register's names and budget from (tools/offline/programs.ts loads it from the evaluated checkout). */
const modules = { backupContract, recoveryJobs, backupSettings, schema };

/** What the offline plan assumes the drill register holds (it cannot read SSM): the newest drill that has finished. */
describe("offline drill register", () => {
  const production = sampleConfig("production");
  const PREFIX = "/flightdeck/flightpro/production/restore-drill/";
  const recordAt = (iso: string) => {
    const read = drillRegisterFromConfig(production, new Date(iso), modules)(PREFIX);
    assert.ok(read, "the register's path is answered");
    return JSON.parse(read.values[0]!) as { lastPassed: string; lastRun: string };
  };

  it("is the same for plans seconds apart while a drill is running (the sample drill starts Mondays 06:17 UTC and takes 600 s)", () => {
    assert.deepEqual(recordAt("2026-11-30T06:20:00Z"), recordAt("2026-11-30T06:26:59Z"));
    assert.equal(recordAt("2026-11-30T06:20:00Z").lastPassed, "2026-11-23T06:27:00Z");
  });

  it("moves to this week's drill once it has finished", () => {
    assert.equal(recordAt("2026-11-30T06:27:00Z").lastPassed, "2026-11-30T06:27:00Z");
    assert.equal(recordAt("2026-12-03T12:00:00Z").lastRun, "2026-11-30T06:27:00Z");
  });

  it("answers only its own path", () => {
    assert.equal(drillRegisterFromConfig(production, new Date("2026-12-01T15:00:00Z"), modules)("/flightdeck/flightpro/staging/restore-drill/"), undefined);
  });
});
