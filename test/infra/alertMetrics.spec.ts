import { strict as assert } from "node:assert";
import { AlertRule, alertRule } from "../../infra/config/schema";
import {
  alarmSpec,
  alertNamespace,
  anomalyBandExpression,
  breachWindowSeconds,
  datapointsToAlarm,
  formatDuration,
  isPercentile,
  metricDefinitions,
} from "../../infra/aws/alertMetrics";
import { specMetricBounds, statisticAllowed } from "../../policies/rules/alerts";

/** A rule as the schema would hand it over (defaults applied). */
function rule(fields: Partial<AlertRule> & Pick<AlertRule, "id" | "metric" | "threshold" | "periodSeconds" | "evaluationPeriods" | "severity">): AlertRule {
  return alertRule.parse({ action: "Investigate", ...fields });
}

describe("alert metrics (pure)", () => {
  it("maps every metric id of the schema to the CloudWatch metric the app publishes", () => {
    assert.deepEqual(
      Object.fromEntries(Object.entries(metricDefinitions).map(([id, m]) => [id, [m.metricName, m.unit]])),
      {
        "error-rate": ["ErrorRate", "Percent"],
        "api-latency-p95": ["ApiLatency", "Seconds"],
        "deployment-failed": ["DeploymentFailed", "Count"],
        "database-cpu": ["DatabaseCPUUtilization", "Percent"],
        "disk-used": ["DiskUsedPercent", "Percent"],
      },
    );
  });

  it("decides missing data per metric: a gap in the per-minute feed is not good news; no DeploymentFailed datum is", () => {
    assert.deepEqual(
      Object.fromEntries(Object.entries(metricDefinitions).map(([id, m]) => [id, m.treatMissingData])),
      { "error-rate": "missing", "api-latency-p95": "missing", "deployment-failed": "notBreaching", "database-cpu": "missing", "disk-used": "missing" },
    );
  });

  it("agrees with the policy pack's table: every metric's unit, required statistic and missing-data treatment pass alerts-alarm-thresholds-within-spec", () => {
    for (const [id, metric] of Object.entries(metricDefinitions)) {
      const bound = specMetricBounds.find((candidate) => candidate.metricName === metric.metricName);
      assert.ok(bound, `the pack bounds ${metric.metricName}`);
      assert.equal(metric.unit, bound.unit, id);
      assert.ok(bound.treatMissingData.includes(metric.treatMissingData), `${id}: ${metric.treatMissingData}`);
      if (metric.requiredStatistic) assert.ok(statisticAllowed(metric.requiredStatistic, bound.statistics), id);
    }
  });

  it("defaults the namespace to <product>/<environment> and keeps a configured one", () => {
    assert.equal(alertNamespace(undefined, "FlightPro", "staging"), "FlightPro/staging");
    assert.equal(alertNamespace("Custom/Metrics", "FlightPro", "staging"), "Custom/Metrics");
  });

  it("puts percentiles in extendedStatistic and the rest in statistic", () => {
    assert.equal(isPercentile("p95"), true);
    assert.equal(isPercentile("p99"), true);
    assert.equal(isPercentile("Average"), false);
    assert.equal(isPercentile("Sum"), false);
    const latency = alarmSpec(rule({ id: "lat", metric: "api-latency-p95", statistic: "p95", threshold: 1, periodSeconds: 60, evaluationPeriods: 10, severity: "warning" }), "N");
    if (latency.kind !== "threshold") return assert.fail("expected a threshold alarm");
    assert.equal(latency.extendedStatistic, "p95");
    assert.equal(latency.statistic, undefined);
    const cpu = alarmSpec(rule({ id: "cpu", metric: "database-cpu", threshold: 85, periodSeconds: 60, evaluationPeriods: 30, severity: "warning" }), "N");
    if (cpu.kind !== "threshold") return assert.fail("expected a threshold alarm");
    assert.equal(cpu.statistic, "Average");
    assert.equal(cpu.extendedStatistic, undefined);
  });

  it("requires every evaluated period to breach unless datapointsToAlarm says otherwise ('for N minutes')", () => {
    const base = { id: "e", metric: "error-rate" as const, threshold: 2, periodSeconds: 60, evaluationPeriods: 5, severity: "critical" as const };
    assert.equal(datapointsToAlarm(rule(base)), 5);
    assert.equal(breachWindowSeconds(rule(base)), 5 * 60);
    assert.equal(datapointsToAlarm(rule({ ...base, datapointsToAlarm: 3 })), 3);
    assert.equal(breachWindowSeconds(rule({ ...base, datapointsToAlarm: 3 })), 3 * 60);
    assert.equal(breachWindowSeconds(rule({ ...base, periodSeconds: 300, evaluationPeriods: 6 })), 30 * 60);
  });

  it("formats durations as a responder reads them", () => {
    assert.equal(formatDuration(300), "5 min");
    assert.equal(formatDuration(7200), "2 h");
    assert.equal(formatDuration(30), "30 s");
  });

  it("builds an anomaly alarm from ANOMALY_DETECTION_BAND and points the threshold at the band", () => {
    const spec = alarmSpec(
      rule({ id: "spike", metric: "error-rate", kind: "anomaly", comparison: "GreaterThanUpperThreshold", threshold: 2, periodSeconds: 300, evaluationPeriods: 1, severity: "critical" }),
      "FlightPro/production",
    );
    if (spec.kind !== "anomaly") return assert.fail("expected an anomaly alarm");
    const band = spec.metricQueries.find((query) => query.expression !== undefined);
    const metric = spec.metricQueries.find((query) => query.metric !== undefined);
    assert.ok(band && metric);
    assert.equal(band.expression, `ANOMALY_DETECTION_BAND(${metric.id}, 2)`);
    assert.equal(spec.thresholdMetricId, band.id);
    assert.deepEqual(metric.metric, { namespace: "FlightPro/production", metricName: "ErrorRate", period: 300, stat: "Average" });
    assert.equal(spec.comparisonOperator, "GreaterThanUpperThreshold");
    assert.ok(!("threshold" in spec), "an anomaly alarm has no static threshold");
  });

  it("refuses a band of no width", () => {
    assert.throws(() => anomalyBandExpression("m1", 0), /positive width in standard deviations \(got 0\)/);
  });

  it("refuses a latency rule whose statistic is not the p95 its metric promises", () => {
    assert.throws(
      () => alarmSpec(rule({ id: "lat", metric: "api-latency-p95", statistic: "Average", threshold: 1, periodSeconds: 60, evaluationPeriods: 10, severity: "warning" }), "N"),
      { message: "alert rule lat: metric api-latency-p95 is measured as p95 (got statistic Average)" },
    );
  });

  it("describes the breach and carries the runbook action", () => {
    const spec = alarmSpec(
      rule({ id: "cpu", metric: "database-cpu", threshold: 85, periodSeconds: 60, evaluationPeriods: 30, severity: "warning", action: "Scale up the database" }),
      "N",
    );
    assert.equal(spec.alarmDescription, "[warning] DatabaseCPUUtilization > 85% for 30 min. Action: Scale up the database");
  });
});
