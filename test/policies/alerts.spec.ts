import { strict as assert } from "node:assert";
import { alertsKeyPolicy, topicArn, validStack } from "./fixtures";
import { Fixture, itRejects, judge, mutate, policiesOf, withInput, without } from "./judge";
import { packSettings } from "./packConfig";

const anomaly: Fixture = {
  type: "aws:cloudwatch/metricAlarm:MetricAlarm",
  name: "error-rate-spike",
  props: {
    comparisonOperator: "GreaterThanUpperThreshold",
    evaluationPeriods: 1,
    thresholdMetricId: "band",
    metricQueries: [{ id: "m1", metric: { metricName: "ErrorRate", namespace: "FlightPro/production", period: 300, stat: "Average" } }, { id: "band", expression: "ANOMALY_DETECTION_BAND(m1, 2)" }],
    alarmActions: [topicArn("alerts-critical")],
  },
  dependsOn: ["alerts-critical"],
};

const production = () => ({ config: packSettings("production") });

/** The policies the stack violates, and that some message matches. */
function expectOnly(fixtures: Fixture[], policies: string[], pattern: RegExp): void {
  const verdicts = judge(fixtures, production());
  assert.deepEqual(policiesOf(verdicts), [...policies].sort(), JSON.stringify(verdicts, null, 1));
  assert.ok(verdicts.some((verdict) => pattern.test(verdict.message)), `no message matches ${pattern}: ${JSON.stringify(verdicts.map((v) => v.message), null, 1)}`);
}

const setting = (name: string, path: string, value: unknown) => () => withInput(validStack(), name, path, value);

describe("policies: alerts", () => {
  describe("compliant alarms written other valid ways pass", () => {
    it("one alarm per spec metric, no looser than the table, routed by severity, topics encrypted with a key CloudWatch may use", () => {
      assert.deepEqual(judge(validStack(), production()), []);
    });

    it("stricter alarms and an extra anomaly alarm", () => {
      let stack = withInput(validStack(), "error-rate", "threshold", 1);
      stack = withInput(stack, "database-cpu", "evaluationPeriods", 10);
      assert.deepEqual(judge([...stack, anomaly], production()), []);
    });

    it("a loose alarm when a compliant one covers the metric", () => {
      const loose: Fixture = { ...structuredClone(validStack().find((f) => f.name === "error-rate")!), name: "error-rate-rollback" };
      loose.props["threshold"] = 5;
      assert.deepEqual(judge([...validStack(), loose], production()), []);
    });

    it("the error rate as a one-query metric-math alarm, Maximum, 3 of 5 datapoints, missing data as breaching; latency at p99", () => {
      const stack = mutate(validStack(), "error-rate", (props) => {
        for (const key of ["metricName", "namespace", "period", "statistic"]) delete props[key];
        props["metricQueries"] = [{ id: "m1", returnData: true, metric: { metricName: "ErrorRate", namespace: "FlightPro/production", period: 60, stat: "Maximum" } }];
        props["datapointsToAlarm"] = 3;
        props["treatMissingData"] = "breaching";
      });
      assert.deepEqual(judge(withInput(stack, "api-latency", "extendedStatistic", "p99"), production()), []);
    });

    it("the topics' key referenced by an alias of the stack", () => {
      const alias: Fixture = { type: "aws:kms/alias:Alias", name: "alerts-key-alias", props: { name: "alias/flightpro-production-alerts", targetKeyId: "alerts" }, dependsOn: ["alerts-key"] };
      const stack = validStack().map((fixture) => (fixture.type === "aws:sns/topic:Topic" ? { ...fixture, props: { ...fixture.props, kmsMasterKeyId: "alias/flightpro-production-alerts" }, dependsOn: [] } : fixture));
      assert.deepEqual(judge([...stack, alias], production()), []);
    });
  });

  describe("thresholds: the table, as a whole alarm", () => {
    itRejects(
      [
        { title: "error rate threshold 3%", stack: setting("error-rate", "threshold", 3), policy: "alerts-alarm-thresholds-within-spec", message: /ErrorRate fires above 3; the spec needs > 2/ },
        { title: "error rate over 10 minutes", stack: setting("error-rate", "evaluationPeriods", 10), policy: "alerts-alarm-thresholds-within-spec", message: /waits 600 s .*allows 300 s/ },
        { title: "latency on the average", stack: () => withInput(withInput(validStack(), "api-latency", "extendedStatistic", undefined), "api-latency", "statistic", "Average"), policy: "alerts-alarm-thresholds-within-spec", message: /statistic Average; the spec's ApiLatency is measured as p95/ },
        { title: "latency on p50", stack: setting("api-latency", "extendedStatistic", "p50"), policy: "alerts-alarm-thresholds-within-spec", message: /statistic p50/ },
        { title: "error rate on Minimum (a rate alarm on Minimum never fires)", stack: setting("error-rate", "statistic", "Minimum"), policy: "alerts-alarm-thresholds-within-spec", message: /statistic Minimum/ },
        { title: "database CPU on SampleCount", stack: setting("database-cpu", "statistic", "SampleCount"), policy: "alerts-alarm-thresholds-within-spec", message: /statistic SampleCount/ },
        { title: "database CPU at 90%", stack: setting("database-cpu", "threshold", 90), policy: "alerts-alarm-thresholds-within-spec", message: /DatabaseCPUUtilization fires above 90/ },
        { title: "disk at 90%", stack: setting("disk-used", "threshold", 90), policy: "alerts-alarm-thresholds-within-spec", message: /DiskUsedPercent fires above 90/ },
        { title: "deployment failures only from the second", stack: setting("deployment-failed", "comparisonOperator", "GreaterThanThreshold"), policy: "alerts-alarm-thresholds-within-spec", message: /fires above 1; the spec needs ≥ 1/ },
        { title: "an alarm that needs more breaching datapoints than it evaluates", stack: setting("error-rate", "datapointsToAlarm", 50), policy: "alerts-alarm-thresholds-within-spec", message: /50 breaching datapoints out of 5 evaluated/ },
        // terraform-provider-aws cloudwatch_metric_alarm: evaluate_low_sample_count_percentiles "ignore": "the alarm state will not change during periods with too few data points".
        { title: "latency ignoring periods with few samples", stack: setting("api-latency", "evaluateLowSampleCountPercentiles", "ignore"), policy: "alerts-alarm-thresholds-within-spec", message: /evaluateLowSampleCountPercentiles: ignore/ },
        { title: "an error-rate outage of the feed read as healthy", stack: setting("error-rate", "treatMissingData", "notBreaching"), policy: "alerts-alarm-thresholds-within-spec", message: /treats missing data as notBreaching/ },
        {
          title: "dimensions the publishers do not send",
          stack: setting("disk-used", "dimensions", { Volume: "/data" }),
          policy: "alerts-alarm-thresholds-within-spec",
          message: /watches nothing/,
          // Nothing publishes DiskUsedPercent with that dimension (policies/rules/metrics.ts).
          alsoBy: ["metrics-alarm-metric-published"],
        },
        { title: "a unit the publishers do not send", stack: setting("api-latency", "unit", "Milliseconds"), policy: "alerts-alarm-thresholds-within-spec", message: /unit Milliseconds/, alsoBy: ["metrics-alarm-metric-published"] },
        { title: "no disk alarm", stack: () => without(validStack(), "disk-used"), policy: "alerts-alarm-thresholds-within-spec", message: /no alarm on DiskUsedPercent/ },
      ],
    );

    it("block an error-rate alarm rewritten as metric math that can never breach", () => {
      const stack = mutate(validStack(), "error-rate", (props) => {
        for (const key of ["metricName", "namespace", "period", "statistic"]) delete props[key];
        props["metricQueries"] = [
          { id: "m1", returnData: false, metric: { metricName: "ErrorRate", namespace: "FlightPro/production", period: 60, stat: "Average" } },
          { id: "e1", returnData: true, expression: "m1 * 0" },
        ];
      });
      expectOnly(stack, ["alerts-alarm-thresholds-within-spec"], /metric math/);
    });

    it("block the production error-rate alarm watching staging's namespace", () => {
      expectOnly(withInput(validStack(), "error-rate", "namespace", "FlightPro/staging"), ["alerts-alarm-actions-enabled", "alerts-alarm-thresholds-within-spec", "isolation-stack-resources-own", "metrics-alarm-metric-published", "runtime-production-isolated-from-staging"], /namespace FlightPro\/staging/);
    });
  });

  describe("actions and routing: an alarm reaches the spec's channel", () => {
    const stranger = (props: Record<string, unknown>, dependsOn: string[]) => () => [
      ...validStack().map((f) => (f.name === "error-rate" ? { ...f, props: { ...f.props, ...props }, dependsOn } : f)),
      { type: "aws:sns/topic:Topic", name: "alerts-spare", props: { name: "flightpro-production-alerts-spare", kmsMasterKeyId: "arn:aws:kms:us-east-1:123456789012:key/alerts" }, dependsOn: ["alerts-key"] },
    ];
    const cases: [string, () => Fixture[], string[], RegExp][] = [
      ["actionsEnabled: false", setting("error-rate", "actionsEnabled", false), ["alerts-alarm-actions-enabled"], /actionsEnabled: false/],
      ["alarmActions emptied, okActions only", () => withInput(withInput(validStack(), "error-rate", "alarmActions", []), "error-rate", "okActions", [topicArn("alerts-critical")]), ["alerts-alarm-actions-enabled", "alerts-alarm-severity-routed"], /no alarmActions/],
      ["another topic of the stack with no subscription", stranger({ alarmActions: ["arn:aws:sns:us-east-1:123456789012:flightpro-production-alerts-spare"] }, ["alerts-spare"]), ["alerts-alarm-actions-enabled", "alerts-alarm-severity-routed", "alerts-paging-path-delivers"], /nobody receives it/],
      ["a lookalike ARN in another account", setting("error-rate", "alarmActions", ["arn:aws:sns:us-east-1:999999999999:flightpro-production-alerts-spare"]), ["alerts-alarm-actions-enabled", "alerts-alarm-severity-routed", "alerts-paging-path-delivers"], /not a topic of this stack/],
      ["the error-rate alarm sent to Slack (severity warning)", () => validStack().map((f) => (f.name === "error-rate" ? { ...f, dependsOn: ["alerts-warning"], props: { ...f.props, alarmActions: [topicArn("alerts-warning")] } } : f)), ["alerts-alarm-severity-routed"], /error-rate on ErrorRate reaches warning; the spec needs critical/],
      ["a filter policy on the PagerDuty subscription", setting("alerts-critical-pagerduty", "filterPolicy", JSON.stringify({ severity: ["none"] })), ["alerts-alarm-actions-enabled", "alerts-alarm-severity-routed", "alerts-paging-path-delivers", "alerts-subscription-unfiltered", "metrics-watch-thresholds-within-spec", "recovery-backup-alarm-pages"], /filters messages/],
      ["the PagerDuty subscription pointed at another host", setting("alerts-critical-pagerduty", "endpoint", "https://hooks.example.com/sink"), ["alerts-alarm-actions-enabled", "alerts-alarm-severity-routed", "metrics-watch-thresholds-within-spec", "recovery-backup-alarm-pages"], /reaches no channel/],
      [
        "a composite alarm with an actions suppressor",
        () => [...validStack(), { type: "aws:cloudwatch/compositeAlarm:CompositeAlarm", name: "errors-or-deploys", props: { alarmRule: "ALARM(error-rate)", alarmActions: [topicArn("alerts-critical")], actionsSuppressor: { alarm: "maintenance", extensionPeriod: 60, waitPeriod: 60 } }, dependsOn: ["alerts-critical"] }],
        ["alerts-alarm-actions-enabled"],
        /actions suppressor/,
      ],
    ];
    for (const [title, fixtures, policies, pattern] of cases) it(`block ${title}`, () => expectOnly(fixtures(), policies, pattern));
  });

  describe("topic policies", () => {
    const topicPolicy = (...statements: Record<string, unknown>[]): Fixture => ({
      type: "aws:sns/topicPolicy:TopicPolicy",
      name: "alerts-critical-policy",
      props: { arn: topicArn("alerts-critical"), policy: JSON.stringify({ Version: "2012-10-17", Statement: statements }) },
      dependsOn: ["alerts-critical"],
    });

    it("accept SNS's default policy written out (everyone, pinned to the account by AWS:SourceOwner) and CloudWatch publishing", () => {
      const policy = topicPolicy(
        { Effect: "Allow", Principal: { AWS: "*" }, Action: ["SNS:Publish", "SNS:Subscribe", "SNS:GetTopicAttributes"], Resource: topicArn("alerts-critical"), Condition: { StringEquals: { "AWS:SourceOwner": "123456789012" } } },
        { Effect: "Allow", Principal: { Service: "cloudwatch.amazonaws.com" }, Action: "sns:Publish", Resource: topicArn("alerts-critical") },
      );
      assert.deepEqual(judge([...validStack(), policy], production()), []);
    });

    const cases: [string, Record<string, unknown>, RegExp][] = [
      ["anyone may subscribe", { Effect: "Allow", Principal: "*", Action: "sns:Subscribe", Resource: topicArn("alerts-critical") }, /any principal \("\*"\) without pinning the account/],
      ["everyone pinned to another account", { Effect: "Allow", Principal: { AWS: "*" }, Action: "sns:Publish", Resource: "*", Condition: { StringEquals: { "aws:SourceAccount": "999999999999" } } }, /without pinning the account/],
      ["another account may reconfigure the topic", { Effect: "Allow", Principal: { AWS: "arn:aws:iam::999999999999:root" }, Action: "sns:SetTopicAttributes", Resource: topicArn("alerts-critical") }, /999999999999/],
      ["a service may delete the topic", { Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, Action: "sns:*", Resource: topicArn("alerts-critical") }, /services may only publish/],
    ];
    // Each policy replaces the topic's whole access policy, so CloudWatch may no longer publish: the paging path breaks too.
    for (const [title, statement, pattern] of cases) it(`block ${title}`, () => expectOnly([...validStack(), topicPolicy(statement)], ["alerts-paging-path-delivers", "alerts-topic-policy-restricted"], pattern));

    it("block a topic's own policy input with NotPrincipal", () => {
      const stack = withInput(validStack(), "alerts-warning", "policy", { Statement: [{ Effect: "Allow", NotPrincipal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "sns:Publish", Resource: "*" }] });
      expectOnly(stack, ["alerts-topic-policy-restricted"], /NotPrincipal/);
    });
  });

  describe("topics and Chatbot", () => {
    const cases: [string, () => Fixture[], string[], RegExp][] = [
      ["a topic without encryption", setting("alerts-warning", "kmsMasterKeyId", undefined), ["alerts-topic-kms-encrypted"], /no kmsMasterKeyId/],
      // Amazon SNS Developer Guide, sns-key-management: AWS services publishing to encrypted topics need a customer managed key.
      ["the AWS managed key alias/aws/sns", setting("alerts-critical", "kmsMasterKeyId", "alias/aws/sns"), ["alerts-paging-path-delivers", "alerts-topic-kms-encrypted"], /CloudWatch alarms cannot use AWS managed keys/],
      ["a key policy that no longer lets CloudWatch encrypt", () => withInput(validStack(), "alerts-key", "policy", JSON.stringify({ ...alertsKeyPolicy, Statement: alertsKeyPolicy.Statement.filter((s) => s.Sid !== "CloudWatchAlarmsPublishEncrypted") })), ["alerts-paging-path-delivers"], /the key policy of alerts-key does not certainly let cloudwatch.amazonaws.com .* kms:GenerateDataKey/],
      // terraform-provider-aws chatbot_slack_channel_configuration: without guardrail_policy_arns "The AWS managed AdministratorAccess policy is applied by default".
      ["Chatbot guardrails left unset", setting("alerts-slack-alerts", "guardrailPolicyArns", undefined), ["alerts-chatbot-guardrails-read-only"], /AWS applies AdministratorAccess/],
      ["Chatbot guardrail AdministratorAccess", setting("alerts-slack-alerts", "guardrailPolicyArns", ["arn:aws:iam::aws:policy/AdministratorAccess"]), ["alerts-chatbot-guardrails-read-only"], /guardrail AdministratorAccess/],
      [
        "the Chatbot role allowed to delete alarms",
        setting("alerts-chatbot-read", "policy", JSON.stringify({ Statement: [{ Effect: "Allow", Action: ["cloudwatch:Describe*", "cloudwatch:DeleteAlarms"], Resource: "arn:aws:cloudwatch:us-east-1:123456789012:alarm:flightpro-*" }] })),
        ["alerts-chatbot-guardrails-read-only"],
        /may cloudwatch:DeleteAlarms/,
      ],
    ];
    for (const [title, fixtures, policies, pattern] of cases) it(`block ${title}`, () => expectOnly(fixtures(), policies, pattern));
  });
});
