import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { policyDocument, toJson } from "../../infra/aws/policyDocument";
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
 * KMS-encrypted SNS topic that pages (PagerDuty) and mails.
 *
 * AssumeRole is a read-only management event, which a rule in state ENABLED never receives: "To receive
 * read-only management events ... set the rule state to ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-cloudtrail.html#eb-service-event-cloudtrail-management).
 * CloudTrail logs a call to a regional STS endpoint in that region, and a call to the global endpoint
 * (sts.amazonaws.com) in US East (N. Virginia)
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/cloudtrail-integration.html#stscloudtrail_region, "calls to the global
 * endpoint are logged as calls to a global service ... in us-east-1"). So outside us-east-1 a second rule there, through a
 * second aws provider, forwards those events to the bootstrap region's default event bus (a cross-Region event bus
 * target, with a role EventBridge assumes to put them: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cross-region.html),
 * where the first rule matches them.
 */
export const READ_ONLY_MANAGEMENT_EVENTS_STATE = "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS";

/** The region CloudTrail delivers the STS global endpoint's events in. */
export const GLOBAL_ENDPOINT_REGION = "us-east-1";

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

    const pattern = JSON.stringify(assumedRolePattern(args.roleArn));
    this.rule = new aws.cloudwatch.EventRule(
      `${name}-rule`,
      { name: `${name}-assumed`, description: "The break-glass role was assumed", eventPattern: pattern, state: READ_ONLY_MANAGEMENT_EVENTS_STATE },
      child,
    );
    const ruleArn = `arn:aws:events:${args.region}:${args.account}:rule/${name}-assumed`;
    const topicArn = `arn:aws:sns:${args.region}:${args.account}:${name}`;
    const topicPolicy = new aws.sns.TopicPolicy(`${name}-topic-policy`, { arn: this.topic.arn, policy: toJson(alertTopicPolicy(topicArn, ruleArn)) }, child);
    new aws.cloudwatch.EventTarget(`${name}-target`, { rule: this.rule.name, arn: this.topic.arn }, { parent: this, dependsOn: [topicPolicy] });

    if (args.region !== GLOBAL_ENDPOINT_REGION) this.forwardGlobalEndpointEvents(name, args, pattern);

    if (args.pagerDutyEndpoint) {
      new aws.sns.TopicSubscription(`${name}-pagerduty`, { topic: this.topic.arn, protocol: "https", endpoint: args.pagerDutyEndpoint, endpointAutoConfirms: true }, child);
    }
    args.emails.forEach((email, index) => {
      new aws.sns.TopicSubscription(`${name}-email-${index}`, { topic: this.topic.arn, protocol: "email", endpoint: email }, child);
    });
    this.registerOutputs({ topicArn: this.topicArn });
  }

  /** In us-east-1, the same rule, forwarding to the bootstrap region's default event bus. */
  private forwardGlobalEndpointEvents(name: string, args: BreakGlassAlarmArgs, pattern: string): void {
    const provider = new aws.Provider(`${name}-${GLOBAL_ENDPOINT_REGION}`, { region: GLOBAL_ENDPOINT_REGION }, { parent: this });
    const homeBus = `arn:aws:events:${args.region}:${args.account}:event-bus/default`;
    const forwarder = new aws.iam.Role(
      `${name}-forwarder`,
      {
        name: `${name}-forwarder`,
        description: `EventBridge forwards break-glass assumptions logged in ${GLOBAL_ENDPOINT_REGION} to ${args.region}`,
        assumeRolePolicy: toJson(
          policyDocument({ Sid: "EventBridgeOfThisAccount", Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, Action: "sts:AssumeRole", Condition: { StringEquals: { "aws:SourceAccount": args.account } } }),
        ),
      },
      { parent: this },
    );
    const put = new aws.iam.RolePolicy(
      `${name}-forwarder-put-events`,
      { role: forwarder.name, name: "put-events-home", policy: toJson(policyDocument({ Sid: "PutEventsToTheHomeBus", Effect: "Allow", Action: "events:PutEvents", Resource: homeBus })) },
      { parent: this },
    );
    const rule = new aws.cloudwatch.EventRule(
      `${name}-global-rule`,
      { name: `${name}-assumed-global`, description: `The break-glass role was assumed through the STS global endpoint (logged in ${GLOBAL_ENDPOINT_REGION})`, eventPattern: pattern, state: READ_ONLY_MANAGEMENT_EVENTS_STATE },
      { parent: this, provider },
    );
    new aws.cloudwatch.EventTarget(`${name}-global-target`, { rule: rule.name, arn: homeBus, roleArn: forwarder.arn }, { parent: this, provider, dependsOn: [put] });
  }
}
