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
 * "authorizes against the path in the request rather than against the parameters it returns"
 * (https://docs.aws.amazon.com/systems-manager/latest/userguide/ps-retrieval-authorization.html); publishing to a KMS-encrypted topic needs
 * kms:GenerateDataKey and kms:Decrypt on its key, through SNS
 * (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html).
 */
export function reminderPermissions(input: ReminderPermissionsInput): PolicyDocument {
  // Both spellings of the path (the job asks with its trailing slash), nothing under another path.
  const path = input.registerPath.replace(/\/$/, "");
  const arn = (text: string) => `arn:aws:ssm:${input.region}:${input.accountId}:parameter${text}`;
  return policyDocument(
    { Sid: "ReadRotationRegister", Effect: "Allow", Action: "ssm:GetParametersByPath", Resource: [arn(path), arn(`${path}/`)] },
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
