import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { toJson } from "../../infra/aws/policyDocument";
import { alertKeyPolicy } from "./keyPolicies";
import { alertTopicPolicy, assumedRolePattern } from "./resourcePolicies";

export interface BreakGlassAlarmArgs {
  account: string;
  region: string;
  /** The break-glass role whose every assumption pages. */
  roleArn: string;
  /** PagerDuty's Events HTTPS endpoint (a secret), when PagerDuty is paged. */
  pagerDutyEndpoint?: pulumi.Output<string>;
  emails: string[];
}

/**
 * Every assumption of the break-glass role reaches people within a minute: CloudTrail records the
 * AssumeRole, EventBridge matches it (./resourcePolicies.ts assumedRolePattern) and publishes it to a
 * KMS-encrypted SNS topic that pages (PagerDuty) and mails. The rule is the bootstrap region's, so the
 * role is assumed through that region's STS endpoint (CloudTrail logs a call to a regional STS endpoint
 * in that region: https://docs.aws.amazon.com/IAM/latest/UserGuide/cloudtrail-integration.html).
 */
export class BreakGlassAlarm extends pulumi.ComponentResource {
  readonly topic: aws.sns.Topic;
  readonly topicArn: pulumi.Output<string>;
  readonly keyArn: pulumi.Output<string>;
  readonly rule: aws.cloudwatch.EventRule;

  constructor(name: string, args: BreakGlassAlarmArgs, opts?: pulumi.ComponentResourceOptions) {
    super("flightdeck:bootstrap:BreakGlassAlarm", name, {}, opts);
    const child = { parent: this };
    const key = new aws.kms.Key(
      `${name}-key`,
      { description: `Encrypts the ${name} alert topic`, enableKeyRotation: true, deletionWindowInDays: 30, policy: toJson(alertKeyPolicy(args.account)) },
      child,
    );
    new aws.kms.Alias(`${name}-key-alias`, { name: `alias/${name}`, targetKeyId: key.keyId }, child);
    this.keyArn = key.arn;
    this.topic = new aws.sns.Topic(`${name}-topic`, { name, displayName: "flightdeck break-glass", kmsMasterKeyId: key.arn }, child);
    this.topicArn = this.topic.arn;

    this.rule = new aws.cloudwatch.EventRule(
      `${name}-rule`,
      { name: `${name}-assumed`, description: "The break-glass role was assumed", eventPattern: JSON.stringify(assumedRolePattern(args.roleArn)) },
      child,
    );
    const ruleArn = `arn:aws:events:${args.region}:${args.account}:rule/${name}-assumed`;
    const topicArn = `arn:aws:sns:${args.region}:${args.account}:${name}`;
    const topicPolicy = new aws.sns.TopicPolicy(`${name}-topic-policy`, { arn: this.topic.arn, policy: toJson(alertTopicPolicy(topicArn, ruleArn)) }, child);
    new aws.cloudwatch.EventTarget(`${name}-target`, { rule: this.rule.name, arn: this.topic.arn }, { parent: this, dependsOn: [topicPolicy] });

    if (args.pagerDutyEndpoint) {
      new aws.sns.TopicSubscription(`${name}-pagerduty`, { topic: this.topic.arn, protocol: "https", endpoint: args.pagerDutyEndpoint, endpointAutoConfirms: true }, child);
    }
    args.emails.forEach((email, index) => {
      new aws.sns.TopicSubscription(`${name}-email-${index}`, { topic: this.topic.arn, protocol: "email", endpoint: email }, child);
    });
    this.registerOutputs({ topicArn: this.topicArn });
  }
}
