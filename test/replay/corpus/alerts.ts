import { ReplayCase, badInput, caught, passes } from "../cases";
import { replace } from "../edits";
import { PRODUCTION_FILE, addResources, alertRule, setProduction } from "./helpers";
import { yamlDelete } from "../edits";

const THRESHOLDS = "alerts-alarm-thresholds-within-spec";
const ACTIONS = "alerts-alarm-actions-enabled";
const ROUTED = "alerts-alarm-severity-routed";
const ALERTS_FILE = "infra/aws/alerts.ts";

/** Class 6: alarms judged as a whole, from the metric to the person paged. */
export const alertCases: ReplayCase[] = [
  {
    id: "alert-error-rate-threshold-10",
    class: "alerts",
    title: "error-rate alarm at 10% (2% pages too often)",
    edits: [setProduction("alerts", alertRule("error-rate", "threshold"), 10), setProduction("alerts", alertRule("error-rate-rollback", "threshold"), 10)],
    expect: caught(THRESHOLDS),
  },
  {
    id: "alert-error-rate-one-hour",
    class: "alerts",
    title: "error-rate over 60 minutes instead of 5",
    edits: [setProduction("alerts", alertRule("error-rate", "evaluationPeriods"), 60), setProduction("alerts", alertRule("error-rate-rollback", "evaluationPeriods"), 60)],
    expect: caught(THRESHOLDS),
  },
  {
    id: "alert-error-rate-minimum",
    class: "alerts",
    title: "error-rate on the Minimum statistic (ignore single bad hosts)",
    edits: [setProduction("alerts", alertRule("error-rate", "statistic"), "Minimum"), setProduction("alerts", alertRule("error-rate-rollback", "statistic"), "Minimum")],
    expect: caught(THRESHOLDS),
  },
  {
    id: "alert-error-rate-sample-count",
    class: "alerts",
    title: "error-rate on SampleCount",
    edits: [setProduction("alerts", alertRule("error-rate", "statistic"), "SampleCount"), setProduction("alerts", alertRule("error-rate-rollback", "statistic"), "SampleCount")],
    expect: caught(THRESHOLDS),
  },
  {
    id: "alert-error-rate-warning-severity",
    class: "alerts",
    title: "error-rate goes to Slack (#alerts), not PagerDuty",
    edits: [
      setProduction("alerts", alertRule("error-rate", "severity"), "warning"),
      setProduction("alerts", alertRule("error-rate-rollback", "severity"), "warning"),
      setProduction("alerts", alertRule("error-rate-spike", "severity"), "warning"),
    ],
    expect: caught(ROUTED),
  },
  {
    id: "alert-deployment-failed-info",
    class: "alerts",
    title: "deployment-failed goes to #deploys (info)",
    edits: [setProduction("alerts", alertRule("deployment-failed", "severity"), "info")],
    expect: caught(ROUTED),
  },
  {
    id: "alert-cpu-info",
    class: "alerts",
    title: "database-cpu goes to #deploys (info)",
    edits: [setProduction("alerts", alertRule("database-cpu", "severity"), "info")],
    expect: caught(ROUTED),
  },
  {
    id: "alert-disk-rule-removed",
    class: "alerts",
    title: "drop the disk-used alarm (Railway autoscales storage)",
    edits: [yamlDelete(PRODUCTION_FILE, ["config", "flightdeck:alerts", "rules", 6])],
    expect: caught(THRESHOLDS),
  },
  {
    id: "alert-only-anomaly-error-rate",
    class: "alerts",
    title: "error rate watched only by the anomaly band (thresholds are too static)",
    edits: [yamlDelete(PRODUCTION_FILE, ["config", "flightdeck:alerts", "rules", 1]), yamlDelete(PRODUCTION_FILE, ["config", "flightdeck:alerts", "rules", 0])],
    expect: caught(THRESHOLDS),
  },
  {
    id: "alert-cpu-period-hour",
    class: "alerts",
    title: "database-cpu: one 1-hour period instead of 30 one-minute ones",
    edits: [setProduction("alerts", alertRule("database-cpu", "periodSeconds"), 3600), setProduction("alerts", alertRule("database-cpu", "evaluationPeriods"), 1)],
    expect: caught(THRESHOLDS),
  },
  {
    id: "alert-disk-threshold-95",
    class: "alerts",
    title: "disk-used at 95%",
    edits: [setProduction("alerts", alertRule("disk-used", "threshold"), 95)],
    expect: caught(THRESHOLDS),
  },
  {
    id: "alert-latency-p99-threshold-5",
    class: "alerts",
    title: "API latency p95 threshold 5 s",
    edits: [setProduction("alerts", alertRule("api-latency-p95", "threshold"), 5)],
    expect: caught(THRESHOLDS),
  },
  {
    id: "alert-latency-average",
    class: "alerts",
    title: "API latency on the Average (p95 is expensive)",
    edits: [setProduction("alerts", alertRule("api-latency-p95", "statistic"), "Average")],
    expect: badInput(/alerts\.rules\[3\]\.statistic/),
  },
  {
    id: "alert-actions-disabled",
    class: "alerts",
    title: "alarms: actionsEnabled false during the Railway migration",
    edits: [replace(ALERTS_FILE, "        alarmActions: [target],", "        actionsEnabled: false,\n        alarmActions: [target],")],
    expect: caught(ACTIONS),
  },
  {
    id: "alert-ok-actions-only",
    class: "alerts",
    title: "alarms: only notify on recovery (OK), alarm state is visible in the console",
    edits: [replace(ALERTS_FILE, "        alarmActions: [target],\n", "")],
    expect: caught(ACTIONS),
  },
  {
    id: "alert-missing-data-not-breaching",
    class: "alerts",
    title: "feed metrics: treat missing data as not breaching (stop INSUFFICIENT_DATA noise)",
    edits: [replace("infra/aws/alertMetrics.ts", '"error-rate": { metricName: "ErrorRate", unit: "Percent", treatMissingData: "missing",', '"error-rate": { metricName: "ErrorRate", unit: "Percent", treatMissingData: "notBreaching",')],
    expect: caught(THRESHOLDS),
  },
  {
    id: "alert-wrong-metric-name",
    class: "alerts",
    title: "error-rate alarm on the metric Errors (the name the app used before)",
    edits: [replace("infra/aws/alertMetrics.ts", '"error-rate": { metricName: "ErrorRate",', '"error-rate": { metricName: "Errors",')],
    expect: caught(THRESHOLDS),
  },
  {
    id: "alert-hand-written-topic-arn",
    class: "alerts",
    title: "critical alarms go to the shared on-call topic (ARN of the ops account)",
    edits: [replace(ALERTS_FILE, "const target = this.topicArns[spec.severity];", 'const target = spec.severity === "critical" ? pulumi.output("arn:aws:sns:us-east-1:999988887777:oncall-critical") : this.topicArns[spec.severity];')],
    expect: caught(ACTIONS),
  },
  {
    id: "alert-pagerduty-filter-policy",
    class: "alerts",
    title: "PagerDuty only for the rollback alarm (filter policy on the subscription)",
    edits: [replace(ALERTS_FILE, "        endpointAutoConfirms: true,\n", '        endpointAutoConfirms: true,\n        filterPolicyScope: "MessageBody",\n        filterPolicy: JSON.stringify({ AlarmName: [{ suffix: "rollback" }] }),\n')],
    expect: caught("alerts-subscription-unfiltered"),
  },
  {
    id: "alert-pagerduty-email-instead",
    class: "alerts",
    title: "critical topic: email the on-call alias instead of PagerDuty",
    edits: [replace(ALERTS_FILE, '        protocol: "https",\n        endpoint: pulumi.secret(args.pagerDutyEndpoint),', '        protocol: "email",\n        endpoint: "oncall@flightpro.com",')],
    expect: caught(ROUTED),
  },
  {
    id: "alert-topic-aws-managed-key",
    class: "alerts",
    title: "alert topics: AWS managed key alias/aws/sns (one less key to manage)",
    edits: [replace(ALERTS_FILE, "kmsMasterKeyId: this.key.arn },", 'kmsMasterKeyId: "alias/aws/sns" },')],
    expect: caught("alerts-topic-kms-encrypted"),
  },
  {
    id: "alert-key-policy-cloudwatch-removed",
    class: "alerts",
    title: "alerts key: drop the CloudWatch statement (SNS encrypts anyway)",
    edits: [replace("infra/aws/alertsPolicies.ts", 'Principal: { Service: "cloudwatch.amazonaws.com" },', 'Principal: { Service: "events.amazonaws.com" },')],
    // The key-policy joint is judged once, per alarm, by the paging path (alerts-topic-kms-encrypted judges the key's kind).
    expect: caught("alerts-paging-path-delivers"),
  },
  {
    id: "alert-topic-policy-open-subscribe",
    class: "alerts",
    title: "critical topic: anyone may subscribe (for the status page vendor)",
    edits: [
      addResources(
        `  if (alertRules) new aws.sns.TopicPolicy("flightpro-production-critical-policy", { arn: alertRules.topicArns.critical, policy: alertRules.topicArns.critical.apply((arn) => JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: ["sns:Subscribe", "sns:Publish"], Resource: arn }] })) });`,
        ["aws"],
      ),
    ],
    expect: caught("alerts-topic-policy-restricted"),
  },
  {
    id: "alert-chatbot-admin-guardrail",
    class: "alerts",
    title: "Chatbot: ReadOnlyAccess guardrail replaced by PowerUserAccess (run runbooks from Slack)",
    edits: [replace(ALERTS_FILE, 'guardrailPolicyArns: ["arn:aws:iam::aws:policy/CloudWatchReadOnlyAccess"],', 'guardrailPolicyArns: ["arn:aws:iam::aws:policy/PowerUserAccess"],')],
    expect: caught("alerts-chatbot-guardrails-read-only"),
  },
  {
    id: "alert-chatbot-role-writes",
    class: "alerts",
    title: "Chatbot role may also set alarm state (silence from Slack)",
    edits: [replace("infra/aws/alertsPolicies.ts", 'Action: ["cloudwatch:Describe*", "cloudwatch:Get*", "cloudwatch:List*"],', 'Action: ["cloudwatch:Describe*", "cloudwatch:Get*", "cloudwatch:List*", "cloudwatch:SetAlarmState", "cloudwatch:DisableAlarmActions"],')],
    expect: caught("alerts-chatbot-guardrails-read-only"),
  },
  {
    id: "alert-composite-suppressor",
    class: "alerts",
    title: "a composite alarm that pages on error rate, suppressed during deploys",
    edits: [
      addResources(
        `  if (alertRules) new aws.cloudwatch.CompositeAlarm("flightpro-production-error-rate-outside-deploys", {
    alarmName: "flightpro-production-error-rate-outside-deploys",
    alarmRule: "ALARM(flightpro-production-alerts-error-rate)",
    alarmActions: [alertRules.topicArns.critical],
    actionsSuppressor: { alarm: "flightpro-production-alerts-deployment-failed", extensionPeriod: 3600, waitPeriod: 60 },
  });`,
        ["aws"],
      ),
    ],
    expect: caught(ACTIONS),
  },
  {
    id: "alert-extra-alarm-suppressed-actions",
    class: "alerts",
    title: "an extra p99 latency alarm with actions disabled until it is tuned",
    edits: [
      addResources(
        `  if (alertRules) new aws.cloudwatch.MetricAlarm("flightpro-production-latency-p99", {
    name: "flightpro-production-latency-p99", namespace: alertRules.namespace, metricName: "ApiLatency", extendedStatistic: "p99",
    period: 60, evaluationPeriods: 10, threshold: 3, comparisonOperator: "GreaterThanThreshold", treatMissingData: "missing",
    actionsEnabled: false, alarmActions: [alertRules.topicArns.warning],
  });`,
        ["aws"],
      ),
    ],
    expect: caught(ACTIONS),
  },
  {
    id: "alert-latency-ignores-low-samples",
    class: "alerts",
    title: "latency alarm ignores low sample counts at night",
    edits: [replace(ALERTS_FILE, "              period: spec.period,", '              period: spec.period,\n              evaluateLowSampleCountPercentiles: spec.extendedStatistic ? "ignore" : undefined,')],
    expect: caught(THRESHOLDS),
  },
  {
    id: "alert-error-rate-dimension",
    class: "alerts",
    title: "error-rate alarm on the api service's dimension only",
    edits: [replace(ALERTS_FILE, "              threshold: spec.threshold,", '              threshold: spec.threshold,\n              dimensions: spec.metricName === "ErrorRate" ? { Service: "api" } : undefined,')],
    expect: caught(THRESHOLDS),
  },
  {
    id: "alert-compliant-tighter",
    class: "compliant",
    title: "error-rate: alarm on 3 of 5 datapoints, >= 1.5%",
    edits: [
      setProduction("alerts", alertRule("error-rate", "threshold"), 1.5),
      setProduction("alerts", alertRule("error-rate", "comparison"), "GreaterThanOrEqualToThreshold", true),
      setProduction("alerts", alertRule("error-rate", "datapointsToAlarm"), 3, true),
    ],
    expect: passes,
  },
  {
    id: "alert-compliant-cpu-maximum",
    class: "compliant",
    title: "database-cpu on the Maximum statistic, five-minute periods",
    edits: [
      setProduction("alerts", alertRule("database-cpu", "statistic"), "Maximum"),
      setProduction("alerts", alertRule("database-cpu", "periodSeconds"), 300),
      setProduction("alerts", alertRule("database-cpu", "evaluationPeriods"), 6),
    ],
    expect: passes,
  },
  {
    id: "alert-compliant-latency-critical",
    class: "compliant",
    title: "API latency pages (critical) instead of Slack",
    edits: [setProduction("alerts", alertRule("api-latency-p95", "severity"), "critical")],
    expect: passes,
  },
];
