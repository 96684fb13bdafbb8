import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { scheduleCheckScript } from "../../../infra/workflows/preflight";
import { settingsFor } from "./fixtures";

/** Runs the generated freeze check in bash as the pre-flight job would, with the operator's inputs as env. */
function runCheck(freezes: { name: string; from: string; to: string }[], emergency: string, reason: string) {
  const { schedule } = settingsFor("staging-prod", (raw) => {
    raw["schedule"] = { ...(raw["schedule"] as Record<string, unknown>), freezes };
  });
  const result = spawnSync("bash", ["-c", scheduleCheckScript(schedule)], { env: { PATH: process.env["PATH"], EMERGENCY: emergency, REASON: reason }, encoding: "utf8" });
  return { status: result.status, out: result.stdout };
}

describe("pre-flight freeze check (generated bash)", () => {
  const allYear = [{ name: "always", from: "01-01", to: "12-31" }];
  const wrapping = [{ name: "wrap", from: "01-02", to: "01-01" }]; // crosses new year: every day but none
  const never = [{ name: "past", from: "2001-01-01", to: "2001-01-02" }];

  it("blocks a deploy inside a freeze window", () => {
    const { status, out } = runCheck(allYear, "false", "");
    assert.equal(status, 1);
    assert.match(out, /::error::deployment freeze: always \(01-01 to 12-31\)/);
    assert.equal(runCheck(wrapping, "false", "").status, 1);
  });

  it("lets an emergency with a reason through, with a warning, but not one without a reason", () => {
    const allowed = runCheck(allYear, "true", "payment outage hotfix");
    assert.equal(allowed.status, 0);
    assert.match(allowed.out, /::warning::deploying inside the freeze window always .*payment outage hotfix/);
    assert.equal(runCheck(allYear, "true", "  ").status, 1);
  });

  it("passes outside every freeze window", () => {
    assert.equal(runCheck(never, "false", "").status, 0);
  });
});
