import { strict as assert } from "node:assert";
import { RecordedResource, StackRun, inputAt, runSampleStack, sampleConfig } from "../harness";
import { secretConfigKeys, validateStackConfig } from "../../infra/config/validate";
import { stackConfigSchema } from "../../infra/config/schema";

const TOPIC = "aws:sns/topic:Topic";
const KEY = "aws:kms/key:Key";
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription";
const SLACK = "aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration";
const COMPONENT = "flightdeck:aws:AlertRules";

type Statement = Record<string, unknown>;

function statements(resource: RecordedResource, path: string): Statement[] {
  const text = inputAt(resource, path);
  assert.equal(typeof text, "string", `${resource.name}.${path} is a JSON document`);
  const document: unknown = JSON.parse(text as string);
  const list = (document as { Statement?: unknown }).Statement;
  assert.ok(Array.isArray(list));
  return list as Statement[];
}

function alarm(run: StackRun, ruleId: string): RecordedResource {
  return run.one(ALARM, `-alerts-${ruleId}`);
}

function topicArn(run: StackRun, severity: string): string {
  const topic = run.one(TOPIC, `-alerts-${severity}`);
  return `arn:aws:sns:us-east-1:123456789012:${String(inputAt(topic, "name"))}`;
}

/** Seconds the condition must hold: period × datapoints to alarm. */
function windowSeconds(resource: RecordedResource): number {
  return Number(inputAt(resource, "period")) * Number(inputAt(resource, "datapointsToAlarm"));
}

/** The raw config of a sample stack with one rule changed, validated as the program would. */
function problemsWithRule(change: (rule: Record<string, unknown>) => void): string[] {
  const raw = sampleConfig("production");
  const alerts = raw["alerts"] as { rules: Record<string, unknown>[] };
  change(alerts.rules[0]!);
  const parsed = stackConfigSchema.safeParse(raw);
  const secrets = parsed.success ? secretConfigKeys(parsed.data) : ["databaseAdminPassword", "pagerDutyEndpoint"];
  for (const key of secrets) raw[key] = "set";
  const result = validateStackConfig(raw);
  return result.ok ? [] : result.problems;
}

describe("AlertRules", () => {
  let production: StackRun;
  before(async () => {
    production = await runSampleStack("production");
  });

  it("creates critical, warning and info topics, each encrypted with a rotating customer-managed key", () => {
    const key = production.one(KEY, "-alerts-key");
    assert.equal(inputAt(key, "enableKeyRotation"), true);
    const topics = production.ofType(TOPIC).filter((topic) => topic.name.includes("-alerts-"));
    assert.deepEqual(topics.map((topic) => topic.name.split("-alerts-")[1]).sort(), ["critical", "info", "warning"]);
    for (const topic of topics) {
      assert.match(String(inputAt(topic, "kmsMasterKeyId")), /^arn:aws:kms:us-east-1:123456789012:key\//);
      assert.notEqual(inputAt(topic, "kmsMasterKeyId"), "alias/aws/sns", `${topic.name} uses the customer-managed key`);
      assert.equal(topic.parent, production.one(COMPONENT).urn);
    }
  });

  it("lets CloudWatch alarms and SNS use the topics' key, and nothing else outside the account", () => {
    const key = production.one(KEY, "-alerts-key");
    const byService = new Map<string, Statement>();
    for (const statement of statements(key, "policy")) {
      const principal = statement["Principal"] as { Service?: string; AWS?: string };
      if (principal.Service) byService.set(principal.Service, statement);
      else assert.equal(principal.AWS, "arn:aws:iam::123456789012:root");
    }
    assert.deepEqual([...byService.keys()].sort(), ["cloudwatch.amazonaws.com", "sns.amazonaws.com"]);
    for (const statement of byService.values()) {
      assert.deepEqual(statement["Action"], ["kms:Decrypt", "kms:GenerateDataKey*"]);
      assert.equal(statement["Effect"], "Allow");
    }
  });

  it("pages PagerDuty over HTTPS from the critical topic, the endpoint kept secret", () => {
    const subscriptions = production.ofType(SUBSCRIPTION);
    assert.equal(subscriptions.length, 1);
    const pagerDuty = subscriptions[0]!;
    assert.equal(inputAt(pagerDuty, "protocol"), "https");
    assert.equal(inputAt(pagerDuty, "topic"), topicArn(production, "critical"));
    assert.equal(inputAt(pagerDuty, "endpoint"), "canary-pagerDutyEndpoint-s3cr3t");
    assert.ok(pagerDuty.secretPaths.includes("endpoint"), "the PagerDuty endpoint is a secret");
  });

  it("sends warning to #alerts and info to #deploys through AWS Chatbot with its own role", () => {
    const alerts = production.one(SLACK, "-slack-alerts");
    assert.equal(inputAt(alerts, "slackChannelId"), "C0ALERTS01");
    assert.equal(inputAt(alerts, "slackTeamId"), "T0FLIGHTPRO");
    assert.deepEqual(inputAt(alerts, "snsTopicArns"), [topicArn(production, "warning")]);
    const deploys = production.one(SLACK, "-slack-deploys");
    assert.equal(inputAt(deploys, "slackChannelId"), "C0DEPLOYS1");
    assert.deepEqual(inputAt(deploys, "snsTopicArns"), [topicArn(production, "info")]);
    const role = production.one("aws:iam/role:Role", "-alerts-chatbot");
    assert.equal(inputAt(alerts, "iamRoleArn"), `arn:aws:iam::123456789012:role/${String(inputAt(role, "name"))}`);
    const trust = statements(role, "assumeRolePolicy");
    assert.deepEqual(trust.map((s) => s["Principal"]), [{ Service: "chatbot.amazonaws.com" }]);
  });

  it("shares one Chatbot configuration when warning and info go to the same channel", async () => {
    const run = await runSampleStack("staging", (raw) => {
      const alerts = raw["alerts"] as { channels: { info: { slack: Record<string, string> } } };
      alerts.channels.info.slack = { workspaceId: "T0FLIGHTPRO", channelId: "C0ALERTS01", channelName: "#alerts" };
    });
    const configurations = run.ofType(SLACK);
    assert.equal(configurations.length, 1);
    assert.deepEqual(inputAt(configurations[0]!, "snsTopicArns"), [topicArn(run, "warning"), topicArn(run, "info")]);
  });

  it("declares one alarm per rule on the product's namespace", () => {
    // The monitoring table's alarms; the metrics bridge's (heartbeat, sources) and disaster recovery's belong to their components.
    const alarms = production.ofType(ALARM).filter((alarm) => alarm.name.startsWith("flightpro-production-alerts-"));
    assert.equal(alarms.length, 7);
    for (const resource of alarms.filter((a) => inputAt(a, "metricQueries") === undefined)) {
      assert.equal(inputAt(resource, "namespace"), "FlightPro/production");
    }
  });

  // The spec's monitoring table, row by row.
  const table = [
    { rule: "error-rate", metric: "ErrorRate", threshold: 2, seconds: 5 * 60, operator: "GreaterThanThreshold", severity: "critical" },
    { rule: "error-rate-rollback", metric: "ErrorRate", threshold: 5, seconds: 5 * 60, operator: "GreaterThanThreshold", severity: "critical" },
    { rule: "api-latency-p95", metric: "ApiLatency", threshold: 1, seconds: 10 * 60, operator: "GreaterThanThreshold", severity: "warning" },
    { rule: "deployment-failed", metric: "DeploymentFailed", threshold: 1, seconds: 60, operator: "GreaterThanOrEqualToThreshold", severity: "critical" },
    { rule: "database-cpu", metric: "DatabaseCPUUtilization", threshold: 85, seconds: 30 * 60, operator: "GreaterThanThreshold", severity: "warning" },
    { rule: "disk-used", metric: "DiskUsedPercent", threshold: 80, seconds: undefined, operator: "GreaterThanThreshold", severity: "warning" },
  ] as const;
  for (const row of table) {
    it(`alarms on ${row.rule}: ${row.metric} ${row.operator} ${row.threshold}${row.seconds ? ` for ${row.seconds / 60} min` : ""} → ${row.severity}`, () => {
      const resource = alarm(production, row.rule);
      assert.equal(inputAt(resource, "metricName"), row.metric);
      assert.equal(inputAt(resource, "threshold"), row.threshold);
      assert.equal(inputAt(resource, "comparisonOperator"), row.operator);
      if (row.seconds !== undefined) assert.equal(windowSeconds(resource), row.seconds);
      assert.deepEqual(inputAt(resource, "alarmActions"), [topicArn(production, row.severity)]);
      assert.deepEqual(inputAt(resource, "okActions"), [topicArn(production, row.severity)]);
      assert.match(String(inputAt(resource, "alarmDescription")), /Action: \S/);
    });
  }

  it("reads a gap in the error rate as missing data (INSUFFICIENT_DATA), never as healthy, and no failed-deploy datum as no failure", () => {
    assert.equal(inputAt(alarm(production, "error-rate"), "treatMissingData"), "missing");
    assert.equal(inputAt(alarm(production, "error-rate-rollback"), "treatMissingData"), "missing");
    assert.equal(inputAt(alarm(production, "deployment-failed"), "treatMissingData"), "notBreaching");
  });

  it("keeps every alarm's actions enabled and pointed at its topic's arn output (ALARM and OK)", () => {
    for (const resource of production.ofType(ALARM)) {
      assert.notEqual(inputAt(resource, "actionsEnabled"), false, resource.name);
      const actions = inputAt(resource, "alarmActions") as string[];
      assert.equal(actions.length, 1, resource.name);
      const topic = production.ofType(TOPIC).find((candidate) => actions[0]!.endsWith(`:${String(inputAt(candidate, "name"))}`));
      assert.ok(topic && resource.options.dependsOn.includes(topic.urn), `${resource.name} depends on the topic it notifies`);
    }
  });

  it("measures API latency as p95 in seconds (extendedStatistic, no statistic)", () => {
    const resource = alarm(production, "api-latency-p95");
    assert.equal(inputAt(resource, "extendedStatistic"), "p95");
    assert.equal(inputAt(resource, "statistic"), undefined);
  });

  it("carries the rollback trigger's runbook action to the critical topic", () => {
    const resource = alarm(production, "error-rate-rollback");
    assert.match(String(inputAt(resource, "alarmDescription")), /Action: Roll back now \(rollback\.yml\)/);
  });

  it("alarms when errors leave their baseline band after a deploy (the spec's spike check)", () => {
    const resource = alarm(production, "error-rate-spike");
    const queries = inputAt(resource, "metricQueries") as Record<string, unknown>[];
    const band = queries.find((query) => typeof query["expression"] === "string");
    const metric = queries.find((query) => query["metric"] !== undefined);
    assert.ok(band && metric, "a metric and its band");
    assert.equal(band["expression"], `ANOMALY_DETECTION_BAND(${String(metric["id"])}, 2)`);
    assert.equal(inputAt(resource, "thresholdMetricId"), band["id"]);
    assert.equal(inputAt(resource, "comparisonOperator"), "GreaterThanUpperThreshold");
    assert.equal(inputAt(resource, "threshold"), undefined);
    assert.deepEqual(metric["metric"], { metricName: "ErrorRate", namespace: "FlightPro/production", period: 300, stat: "Average" });
    assert.deepEqual(inputAt(resource, "alarmActions"), [topicArn(production, "critical")]);
  });

  it("uses a configured namespace", async () => {
    const run = await runSampleStack("staging", (raw) => {
      (raw["alerts"] as Record<string, unknown>)["namespace"] = "FlightPro/Custom";
    });
    assert.equal(inputAt(alarm(run, "database-cpu"), "namespace"), "FlightPro/Custom");
    assert.equal(inputAt(alarm(run, "disk-used"), "namespace"), "FlightPro/Custom");
  });

  it("stops a latency rule measured with the wrong statistic before declaring it", async () => {
    await assert.rejects(
      runSampleStack("staging", (raw) => {
        const rules = (raw["alerts"] as { rules: Record<string, unknown>[] }).rules;
        rules.find((rule) => rule["id"] === "api-latency-p95")!["statistic"] = "Average";
      }),
      /invalid stack configuration:\n {2}flightdeck:alerts\.rules\[\d+\]\.statistic: metric api-latency-p95 is measured as p95 \(got "Average"\)/,
    );
  });

  describe("structurally bad rules are rejected with their exact message", () => {
    it("an unknown severity", () => {
      assert.deepEqual(problemsWithRule((rule) => (rule["severity"] = "urgent")), [
        'flightdeck:alerts.rules[0].severity: expected one of "critical", "warning", "info" (got "urgent")',
      ]);
    });
    it("an unknown metric id", () => {
      assert.deepEqual(problemsWithRule((rule) => (rule["metric"] = "cpu-load")), [
        'flightdeck:alerts.rules[0].metric: expected one of "error-rate", "api-latency-p95", "deployment-failed", "database-cpu", "disk-used" (got "cpu-load")',
      ]);
    });
    it("an anomaly rule with a plain comparison", () => {
      assert.deepEqual(problemsWithRule((rule) => (rule["kind"] = "anomaly")), [
        'flightdeck:alerts.rules[0].comparison: an anomaly rule compares with GreaterThanUpperThreshold (got "GreaterThanThreshold")',
      ]);
    });
    it("a period CloudWatch does not take", () => {
      assert.deepEqual(problemsWithRule((rule) => (rule["periodSeconds"] = 90)), [
        "flightdeck:alerts.rules[0].periodSeconds: must be 10, 30 or a multiple of 60 (got 90)",
      ]);
    });
    it("a latency rule on the Average (the metric is measured as p95): a config error naming the key, not an internal error", () => {
      assert.deepEqual(problemsWithRule((rule) => (rule["metric"] = "api-latency-p95")), [
        'flightdeck:alerts.rules[0].statistic: metric api-latency-p95 is measured as p95 (got "Average")',
      ]);
    });
    it("more datapoints than evaluated periods", () => {
      assert.deepEqual(problemsWithRule((rule) => (rule["datapointsToAlarm"] = 6)), [
        "flightdeck:alerts.rules[0].datapointsToAlarm: cannot exceed evaluationPeriods 5 (got 6)",
      ]);
    });
  });
});
