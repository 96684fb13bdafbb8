import { strict as assert } from "node:assert";
import { renderText } from "../../tools/plan/render/text";
import { ALARM, BUCKET, component, plan, policyDescription, recorded, urn } from "./planFixtures";

/** A component with eight alarms and a bucket, and a violation on one alarm. */
function sample(violated: boolean) {
  const alarms = Array.from({ length: 8 }, (_, index) => recorded("production", ALARM, `group-alarm-${index}-error-rate`, { threshold: index, alarmName: `alarm-${index}` }));
  const bucket = recorded("production", BUCKET, "group-audit", { bucket: "flightpro-audit", objectLockEnabled: true });
  const policy = {
    pack: "flightdeck",
    version: "9.9.9",
    violations: violated
      ? [{ policy: "alerts-threshold-within-spec", enforcementLevel: "mandatory" as const, severity: "high" as const, urn: urn("production", ALARM, "group-alarm-3-error-rate"), message: "threshold 9 is looser than 2" }]
      : [],
    waived: [],
    waiverProblems: [],
    policies: [policyDescription("alerts-threshold-within-spec", "high")],
  };
  return plan("production", [component("production"), ...alarms, bucket], policy);
}

/** The resource tree's lines for resources (`+ …`), not the counts by type. */
const resourceLines = (text: string) => text.split("\n").filter((line) => /^\s*\+ /.test(line));

describe("npm run plan, text format", () => {
  it("says the verdict on its second line, and the violations before the resources", () => {
    const lines = renderText(sample(true)).split("\n");
    assert.equal(lines[1], "Verdict: BLOCKED by 1 mandatory violation of alerts-threshold-within-spec (0 advisory, 0 waived)");
    const violation = lines.findIndex((line) => line.includes("threshold 9 is looser than 2"));
    const firstResource = lines.findIndex((line) => line.includes(BUCKET));
    assert.ok(violation > 1 && violation < firstResource, "the violation comes before the resource tree");
    assert.equal(renderText(sample(false)).split("\n")[1], "Verdict: passes (no mandatory violation; 0 advisory, 0 waived)");
  });

  it("collapses a component's resources of one type into a line with their count, and hides inputs", () => {
    const text = renderText(sample(false));
    const alarmLines = resourceLines(text).filter((line) => line.includes(ALARM));
    assert.equal(alarmLines.length, 1);
    assert.match(alarmLines[0]!, /\+ 8 × aws:cloudwatch\/metricAlarm:MetricAlarm {2}…-alarm-0-error-rate, …-alarm-1-error-rate, /);
    assert.match(alarmLines[0]!, /\(\d+ more\)$/);
    assert.ok(!text.includes("objectLockEnabled"), "inputs are hidden");
  });

  it("with --verbose lists every resource with its inputs", () => {
    const text = renderText(sample(false), { verbose: true });
    assert.equal(resourceLines(text).filter((line) => line.includes(ALARM)).length, 8);
    assert.match(text, /objectLockEnabled: true/);
    assert.match(text, /alarmName: "alarm-7"/);
  });
});
