import { strict as assert } from "node:assert";
import { validStack } from "./fixtures";
import { Fixture, itRejects, judge, withInput, without } from "./judge";

const anomaly: Fixture = {
  type: "aws:cloudwatch/metricAlarm:MetricAlarm",
  name: "error-rate-spike",
  props: {
    comparisonOperator: "GreaterThanUpperThreshold",
    evaluationPeriods: 1,
    thresholdMetricId: "band",
    metricQueries: [{ id: "m1", metric: { metricName: "ErrorRate", namespace: "FlightPro/production", period: 300, stat: "Average" } }, { id: "band", expression: "ANOMALY_DETECTION_BAND(m1, 2)" }],
    alarmActions: ["arn:aws:sns:us-east-1:123456789012:flightpro-production-alerts-critical"],
  },
};

describe("policies: alerts", () => {
  it("accept one alarm per spec metric, no looser than the table, critical ones paging, topics encrypted", () => {
    assert.deepEqual(judge(validStack()), []);
  });

  it("accept stricter alarms and extra anomaly alarms", () => {
    let stack = withInput(validStack(), "error-rate", "threshold", 1);
    stack = withInput(stack, "database-cpu", "evaluationPeriods", 10);
    assert.deepEqual(judge([...stack, anomaly]), []);
  });

  it("accept a loose alarm when a compliant one covers the metric", () => {
    const loose: Fixture = { ...structuredClone(validStack().find((f) => f.name === "error-rate")!), name: "error-rate-rollback" };
    loose.props["threshold"] = 5;
    assert.deepEqual(judge([...validStack(), loose]), []);
  });

  itRejects([
    { title: "error rate threshold 3%", stack: () => withInput(validStack(), "error-rate", "threshold", 3), policy: "alerts-alarm-thresholds-within-spec", message: /ErrorRate fires above 3; the spec needs > 2/ },
    { title: "error rate over 10 minutes", stack: () => withInput(validStack(), "error-rate", "evaluationPeriods", 10), policy: "alerts-alarm-thresholds-within-spec", message: /waits 600 s .*allows 300 s/ },
    { title: "latency on the average", stack: () => withInput(withInput(validStack(), "api-latency", "extendedStatistic", undefined), "api-latency", "statistic", "Average"), policy: "alerts-alarm-thresholds-within-spec", message: /statistic Average; the spec measures p95/ },
    { title: "database CPU at 90%", stack: () => withInput(validStack(), "database-cpu", "threshold", 90), policy: "alerts-alarm-thresholds-within-spec", message: /DatabaseCPUUtilization fires above 90/ },
    { title: "disk at 90%", stack: () => withInput(validStack(), "disk-used", "threshold", 90), policy: "alerts-alarm-thresholds-within-spec", message: /DiskUsedPercent fires above 90/ },
    { title: "deployment failures only from the second", stack: () => withInput(validStack(), "deployment-failed", "comparisonOperator", "GreaterThanThreshold"), policy: "alerts-alarm-thresholds-within-spec", message: /fires above 1; the spec needs ≥ 1/ },
    { title: "no disk alarm", stack: () => without(validStack(), "disk-used"), policy: "alerts-alarm-thresholds-within-spec", message: /no alarm on DiskUsedPercent/ },
    {
      title: "error rate alarm goes to Slack",
      stack: () => validStack().map((f) => (f.name === "error-rate" ? { ...f, dependsOn: ["alerts-warning"], props: { ...f.props, alarmActions: ["arn:aws:sns:us-east-1:123456789012:flightpro-production-alerts-warning"] } } : f)),
      policy: "alerts-critical-alarm-pages",
      message: /error-rate on ErrorRate does not notify the paging topic/,
    },
    { title: "topic unencrypted", stack: () => withInput(validStack(), "alerts-warning", "kmsMasterKeyId", undefined), policy: "alerts-topic-kms-encrypted", message: /no kmsMasterKeyId/ },
  ]);
});
