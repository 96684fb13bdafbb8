import { PolicyDocument, accountRootStatement, policyDocument } from "./policyDocument";

/**
 * The alert topics' key: the account administers it; CloudWatch alarms (the publishers) and SNS
 * (delivering to PagerDuty and Chatbot) may use it to encrypt and decrypt messages, nothing else.
 */
export function alertsKeyPolicy(accountId: string): PolicyDocument {
  return policyDocument(
    accountRootStatement(accountId),
    {
      Sid: "CloudWatchAlarmsPublishEncrypted",
      Effect: "Allow",
      Principal: { Service: "cloudwatch.amazonaws.com" },
      Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
      Resource: "*",
    },
    {
      Sid: "SnsDeliversEncrypted",
      Effect: "Allow",
      Principal: { Service: "sns.amazonaws.com" },
      Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
      Resource: "*",
      Condition: { StringEquals: { "aws:SourceAccount": accountId } },
    },
  );
}

/** AWS Chatbot assumes this role to post the topics' messages to Slack. */
export function chatbotTrustPolicy(accountId: string): PolicyDocument {
  return policyDocument({
    Sid: "ChatbotAssumesRole",
    Effect: "Allow",
    Principal: { Service: "chatbot.amazonaws.com" },
    Action: "sts:AssumeRole",
    Condition: { StringEquals: { "aws:SourceAccount": accountId } },
  });
}

/** Chatbot only reads alarm and metric details to render notifications; it changes nothing. */
export function chatbotPermissions(): PolicyDocument {
  return policyDocument({
    Sid: "ReadAlarmDetails",
    Effect: "Allow",
    Action: ["cloudwatch:Describe*", "cloudwatch:Get*", "cloudwatch:List*"],
    Resource: "*",
  });
}

export interface SlackTarget {
  workspaceId: string;
  channelId: string;
  channelName: string;
}

/**
 * One Chatbot configuration per Slack channel, listing every topic routed to it
 * (warning and info may share a channel; a channel takes one configuration).
 */
export function slackConfigurations<K extends string>(routes: readonly { topic: K; slack: SlackTarget }[]): { slack: SlackTarget; topics: K[] }[] {
  const byChannel = new Map<string, { slack: SlackTarget; topics: K[] }>();
  for (const route of routes) {
    const key = `${route.slack.workspaceId}/${route.slack.channelId}`;
    const existing = byChannel.get(key);
    if (existing) existing.topics.push(route.topic);
    else byChannel.set(key, { slack: route.slack, topics: [route.topic] });
  }
  return [...byChannel.values()];
}
