import { ReplayCase, caught, passes } from "../cases";
import { replace } from "../edits";
import { addResources } from "./helpers";

const PAGING = "alerts-paging-path-delivers";
const BRIDGE_KEY = "metrics-bridge-key-decrypt-bridge-only";
const ALERT_POLICIES = "infra/aws/alertsPolicies.ts";
const BRIDGE_POLICIES = "infra/metrics/bridgePolicies.ts";

/** The end of alertsKeyPolicy's last statement (SNS delivers), where a pull request would append one. */
const ALERTS_KEY_POLICY_END = '      Condition: { StringEquals: { "aws:SourceAccount": accountId } },\n    },\n  );\n}\n\n/** AWS Chatbot assumes';

/** An EventBridge rule of the stack that pages the critical topic (as a pull request would add one). */
const deployFailureRule = (extra = "") => `  if (alertRules) {
    const rule = new aws.cloudwatch.EventRule("flightpro-production-ecs-deploy-failed", { name: "flightpro-production-ecs-deploy-failed", eventPattern: JSON.stringify({ source: ["aws.ecs"], "detail-type": ["ECS Deployment State Change"], detail: { eventName: ["SERVICE_DEPLOYMENT_FAILED"] } }) });
    new aws.cloudwatch.EventTarget("flightpro-production-ecs-deploy-failed-page", { rule: rule.name, arn: alertRules.topicArns.critical });
${extra}  }`;

/** Class 14 (issue 19, 4): paging paths judged end to end, and who reads the bridge's secrets through its key's own documents. */
export const pagingCases: ReplayCase[] = [
  {
    id: "paging-key-deny-other-callers",
    class: "paging",
    title: "alerts key: deny data keys to callers outside our account (defence in depth)",
    edits: [
      replace(
        ALERT_POLICIES,
        ALERTS_KEY_POLICY_END,
        '      Condition: { StringEquals: { "aws:SourceAccount": accountId } },\n    },\n    {\n      Sid: "DenyOtherCallers",\n      Effect: "Deny",\n      Principal: { AWS: "*" },\n      Action: ["kms:GenerateDataKey*", "kms:Decrypt"],\n      Resource: "*",\n      Condition: { StringNotEquals: { "kms:CallerAccount": accountId } },\n    },\n  );\n}\n\n/** AWS Chatbot assumes',
      ),
    ],
    expect: caught(PAGING),
  },
  {
    id: "paging-topic-policy-account-only",
    class: "paging",
    title: "critical topic: only principals of our account may publish (no cross-account spam)",
    edits: [
      addResources(
        `  if (alertRules) new aws.sns.TopicPolicy("flightpro-production-critical-policy", { arn: alertRules.topicArns.critical, policy: pulumi.all([alertRules.topicArns.critical, aws.getCallerIdentityOutput().accountId]).apply(([arn, account]) => JSON.stringify({ Version: "2012-10-17", Statement: [{ Sid: "OnlyOurAccountPublishes", Effect: "Allow", Principal: { AWS: \`arn:aws:iam::\${account}:root\` }, Action: "sns:Publish", Resource: arn }] })) });`,
        ["aws"],
      ),
    ],
    expect: caught(PAGING),
  },
  {
    id: "paging-eventbridge-rule-default-topic-policy",
    class: "paging",
    title: "page on failed ECS deployments: an EventBridge rule targeting the critical topic",
    edits: [addResources(deployFailureRule(), ["aws"])],
    expect: caught(PAGING),
  },
  {
    id: "paging-eventbridge-rule-key-without-events",
    class: "paging",
    title: "page on failed ECS deployments, with a topic policy for the rule and the alarms (the key left as it is)",
    edits: [
      addResources(
        deployFailureRule(
          `    new aws.sns.TopicPolicy("flightpro-production-critical-policy", { arn: alertRules.topicArns.critical, policy: pulumi.all([alertRules.topicArns.critical, rule.arn, aws.getCallerIdentityOutput().accountId]).apply(([arn, ruleArn, account]) => JSON.stringify({ Version: "2012-10-17", Statement: [
      { Sid: "RulePublishes", Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, Action: "sns:Publish", Resource: arn, Condition: { ArnEquals: { "aws:SourceArn": ruleArn } } },
      { Sid: "AlarmsPublish", Effect: "Allow", Principal: { Service: "cloudwatch.amazonaws.com" }, Action: "sns:Publish", Resource: arn, Condition: { StringEquals: { "aws:SourceAccount": account } } },
      { Sid: "AccountPublishes", Effect: "Allow", Principal: { AWS: \`arn:aws:iam::\${account}:root\` }, Action: "sns:Publish", Resource: arn },
    ] })) });
`,
        ),
        ["aws"],
      ),
    ],
    expect: caught(PAGING),
  },
  {
    id: "paging-bridge-topic-key-via-ssm",
    class: "paging",
    title: "bridge role: the alerts key only through SSM, like its secrets (one ViaService for all)",
    edits: [replace(BRIDGE_POLICIES, 'Condition: { StringEquals: { "kms:ViaService": `sns.${input.region}.amazonaws.com` } },', 'Condition: { StringEquals: { "kms:ViaService": `ssm.${input.region}.amazonaws.com` } },')],
    expect: caught(PAGING),
  },
  {
    id: "paging-bridge-key-deploy-role-decrypts",
    class: "paging",
    title: "bridge key: let the deploy role decrypt (to debug the bridge's PostHog key)",
    edits: [
      replace(
        BRIDGE_POLICIES,
        "  return policyDocument(accountRootStatement(accountId));",
        '  return policyDocument(accountRootStatement(accountId), { Sid: "DeployRoleDebugs", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${accountId}:role/flightpro-production-deploy` }, Action: "kms:Decrypt", Resource: "*" });',
      ),
    ],
    expect: caught(BRIDGE_KEY),
  },
  {
    id: "paging-bridge-key-lambda-service-decrypts",
    class: "paging",
    title: "bridge key: Lambda may decrypt with it (to encrypt the function's environment)",
    edits: [
      replace(
        BRIDGE_POLICIES,
        "  return policyDocument(accountRootStatement(accountId));",
        '  return policyDocument(accountRootStatement(accountId), { Sid: "LambdaUsesKey", Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: ["kms:Decrypt", "kms:GenerateDataKey*"], Resource: "*" });',
      ),
    ],
    expect: caught(BRIDGE_KEY),
  },
  {
    id: "paging-compliant-topic-policy-pinned",
    class: "compliant",
    title: "critical topic policy: CloudWatch alarms of our account and our account's roles publish, nobody else",
    edits: [
      addResources(
        `  if (alertRules) new aws.sns.TopicPolicy("flightpro-production-critical-policy", { arn: alertRules.topicArns.critical, policy: pulumi.all([alertRules.topicArns.critical, aws.getCallerIdentityOutput().accountId]).apply(([arn, account]) => JSON.stringify({ Version: "2012-10-17", Statement: [
    { Sid: "AlarmsPublish", Effect: "Allow", Principal: { Service: "cloudwatch.amazonaws.com" }, Action: "sns:Publish", Resource: arn, Condition: { ArnLike: { "aws:SourceArn": \`arn:aws:cloudwatch:*:\${account}:alarm:*\` }, StringEquals: { "aws:SourceAccount": account } } },
    { Sid: "AccountPublishes", Effect: "Allow", Principal: { AWS: \`arn:aws:iam::\${account}:root\` }, Action: "sns:Publish", Resource: arn },
  ] })) });`,
        ["aws"],
      ),
    ],
    expect: passes,
  },
  {
    id: "paging-topic-policy-pinned-to-alert-rules",
    class: "paging",
    title: "critical topic policy: only our alert rules' alarms (flightpro-production-alerts-*) may publish, pinned by SourceArn",
    edits: [
      addResources(
        `  if (alertRules) new aws.sns.TopicPolicy("flightpro-production-critical-policy", { arn: alertRules.topicArns.critical, policy: pulumi.all([alertRules.topicArns.critical, aws.getCallerIdentityOutput().accountId]).apply(([arn, account]) => JSON.stringify({ Version: "2012-10-17", Statement: [
    { Sid: "AlertRulesPublish", Effect: "Allow", Principal: { Service: "cloudwatch.amazonaws.com" }, Action: "sns:Publish", Resource: arn, Condition: { ArnLike: { "aws:SourceArn": \`arn:aws:cloudwatch:*:\${account}:alarm:flightpro-production-alerts-*\` }, StringEquals: { "aws:SourceAccount": account } } },
    { Sid: "AccountPublishes", Effect: "Allow", Principal: { AWS: \`arn:aws:iam::\${account}:root\` }, Action: "sns:Publish", Resource: arn },
  ] })) });`,
        ["aws"],
      ),
    ],
    // The backup alarms (flightpro-production-dr-alarms-*) page the same topic: their SourceArn is not covered.
    expect: caught(PAGING),
  },
  {
    id: "paging-compliant-key-confused-deputy-guard",
    class: "compliant",
    title: "alerts key: CloudWatch may use it only for alarms of our account (confused-deputy guard on SourceAccount and SourceArn)",
    edits: [
      replace(
        ALERT_POLICIES,
        '      Principal: { Service: "cloudwatch.amazonaws.com" },\n      Action: ["kms:Decrypt", "kms:GenerateDataKey*"],\n      Resource: "*",\n',
        '      Principal: { Service: "cloudwatch.amazonaws.com" },\n      Action: ["kms:Decrypt", "kms:GenerateDataKey*"],\n      Resource: "*",\n      Condition: { StringEquals: { "aws:SourceAccount": accountId }, ArnLike: { "aws:SourceArn": `arn:aws:cloudwatch:*:${accountId}:alarm:*` } },\n',
      ),
    ],
    expect: passes,
  },
];
