import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AlertSettings, EnvironmentName, Severity } from "../config/schema";
import { alarmSpec, alertNamespace } from "./alertMetrics";
import { alertsKeyPolicy, chatbotPermissions, chatbotTrustPolicy, slackConfigurations } from "./alertsPolicies";
import { toJson } from "./policyDocument";

export interface AlertRulesArgs {
  alerts: AlertSettings;
  productName: string;
  environment: EnvironmentName;
  /** The PagerDuty Events HTTPS endpoint (secret config `pagerDutyEndpoint`). */
  pagerDutyEndpoint: pulumi.Input<string>;
}

/**
 * The spec's monitoring table: three KMS-encrypted SNS topics (critical pages PagerDuty,
 * warning and info go to Slack through AWS Chatbot) and one CloudWatch alarm per rule,
 * notifying the topic of its severity when it fires and when it recovers.
 */
export class AlertRules extends pulumi.ComponentResource {
  readonly key: aws.kms.Key;
  readonly topics: Record<Severity, aws.sns.Topic>;
  readonly topicArns: Record<Severity, pulumi.Output<string>>;
  readonly alarms: aws.cloudwatch.MetricAlarm[];
  readonly namespace: string;

  constructor(name: string, args: AlertRulesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("flightdeck:aws:AlertRules", name, {}, opts);
    const { alerts } = args;
    const accountId = aws.getCallerIdentityOutput({}, { parent: this }).accountId;

    this.key = new aws.kms.Key(
      `${name}-key`,
      {
        description: `Encrypts the ${name} alert topics`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        policy: accountId.apply((id) => toJson(alertsKeyPolicy(id))),
      },
      { parent: this },
    );
    new aws.kms.Alias(`${name}-key-alias`, { name: `alias/${name}`, targetKeyId: this.key.keyId }, { parent: this });

    const topic = (severity: Severity) =>
      new aws.sns.Topic(
        `${name}-${severity}`,
        { name: `${name}-${severity}`, displayName: `${args.productName} ${args.environment} ${severity}`, kmsMasterKeyId: this.key.arn },
        { parent: this },
      );
    this.topics = { critical: topic("critical"), warning: topic("warning"), info: topic("info") };
    this.topicArns = { critical: this.topics.critical.arn, warning: this.topics.warning.arn, info: this.topics.info.arn };

    new aws.sns.TopicSubscription(
      `${name}-critical-pagerduty`,
      {
        topic: this.topics.critical.arn,
        protocol: "https",
        endpoint: pulumi.secret(args.pagerDutyEndpoint),
        endpointAutoConfirms: true,
      },
      { parent: this },
    );

    const chatbotRole = new aws.iam.Role(
      `${name}-chatbot`,
      {
        name: `${name}-chatbot`,
        description: "AWS Chatbot posts the warning and info alert topics to Slack",
        assumeRolePolicy: accountId.apply((id) => toJson(chatbotTrustPolicy(id))),
      },
      { parent: this },
    );
    new aws.iam.RolePolicy(
      `${name}-chatbot-read`,
      { role: chatbotRole.name, name: "read-alarm-details", policy: toJson(chatbotPermissions()) },
      { parent: this },
    );
    const slackRoutes = [
      { topic: "warning" as const, slack: alerts.channels.warning.slack },
      { topic: "info" as const, slack: alerts.channels.info.slack },
    ];
    for (const { slack, topics } of slackConfigurations(slackRoutes)) {
      const channel = slack.channelName.replace(/^#/, "");
      new aws.chatbot.SlackChannelConfiguration(
        `${name}-slack-${channel}`,
        {
          configurationName: `${name}-slack-${channel}`,
          slackTeamId: slack.workspaceId,
          slackChannelId: slack.channelId,
          iamRoleArn: chatbotRole.arn,
          guardrailPolicyArns: ["arn:aws:iam::aws:policy/CloudWatchReadOnlyAccess"],
          snsTopicArns: topics.map((severity) => this.topicArns[severity]),
          loggingLevel: "ERROR",
        },
        { parent: this },
      );
    }

    this.namespace = alertNamespace(alerts.namespace, args.productName, args.environment);
    this.alarms = alerts.rules.map((rule) => {
      const spec = alarmSpec(rule, this.namespace);
      const target = this.topicArns[spec.severity];
      const common = {
        name: `${name}-${rule.id}`,
        alarmDescription: spec.alarmDescription,
        comparisonOperator: spec.comparisonOperator,
        evaluationPeriods: spec.evaluationPeriods,
        datapointsToAlarm: spec.datapointsToAlarm,
        treatMissingData: spec.treatMissingData,
        alarmActions: [target],
        okActions: [target],
        tags: { severity: spec.severity, rule: rule.id },
      };
      const alarmArgs: aws.cloudwatch.MetricAlarmArgs =
        spec.kind === "anomaly"
          ? { ...common, thresholdMetricId: spec.thresholdMetricId, metricQueries: spec.metricQueries }
          : {
              ...common,
              namespace: spec.namespace,
              metricName: spec.metricName,
              statistic: spec.statistic,
              extendedStatistic: spec.extendedStatistic,
              period: spec.period,
              threshold: spec.threshold,
            };
      return new aws.cloudwatch.MetricAlarm(`${name}-${rule.id}`, alarmArgs, { parent: this });
    });

    this.registerOutputs({
      keyArn: this.key.arn,
      criticalTopicArn: this.topicArns.critical,
      warningTopicArn: this.topicArns.warning,
      infoTopicArn: this.topicArns.info,
      alarmNames: this.alarms.map((alarm) => alarm.name),
    });
  }
}
