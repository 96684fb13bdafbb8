import { PolicyDocument, policyDocument } from "../aws/policyDocument";

export interface ReminderPermissionsInput {
  accountId: string;
  region: string;
  /** The rotation register's path (`/flightdeck/<slug>/<env>/secret-rotation/`). */
  registerPath: string;
  topicArns: string[];
  topicKeyArn: string;
  logGroupName: string;
}

/**
 * The reminder job reads the rotation register and posts to the warning and critical topics; it
 * reads no secret (the register holds names and dates) and writes nothing else. GetParametersByPath
 * is authorised on the path's own ARN (`parameter/<path>`, Service Authorization Reference: ssm
 * GetParametersByPath, resource type parameter); publishing to a KMS-encrypted topic needs
 * kms:GenerateDataKey and kms:Decrypt on its key, through SNS
 * (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html).
 */
export function reminderPermissions(input: ReminderPermissionsInput): PolicyDocument {
  const path = input.registerPath.replace(/\/$/, "");
  return policyDocument(
    { Sid: "ReadRotationRegister", Effect: "Allow", Action: "ssm:GetParametersByPath", Resource: `arn:aws:ssm:${input.region}:${input.accountId}:parameter${path}` },
    { Sid: "PostReminders", Effect: "Allow", Action: "sns:Publish", Resource: input.topicArns },
    {
      Sid: "PublishToEncryptedTopics",
      Effect: "Allow",
      Action: ["kms:GenerateDataKey", "kms:Decrypt"],
      Resource: input.topicKeyArn,
      Condition: { StringEquals: { "kms:ViaService": `sns.${input.region}.amazonaws.com` } },
    },
    {
      Sid: "WriteBuildLogs",
      Effect: "Allow",
      Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
      Resource: `arn:aws:logs:${input.region}:${input.accountId}:log-group:${input.logGroupName}:*`,
    },
  );
}

/** EventBridge Scheduler starts the reminder project, nothing else. */
export function reminderSchedulerPermissions(projectArn: string): PolicyDocument {
  return policyDocument({ Sid: "StartReminder", Effect: "Allow", Action: "codebuild:StartBuild", Resource: projectArn });
}
