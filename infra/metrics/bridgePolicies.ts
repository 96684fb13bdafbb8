import { PolicyDocument, PolicyStatement, accountRootStatement, policyDocument } from "../aws/policyDocument";

/**
 * The bridge's IAM and KMS documents as plain data (pure, so tests read them without mocks).
 * Service behaviour they rely on (AWS documentation):
 * - PutMetricData has no resource-level permission; `cloudwatch:namespace` scopes it (CloudWatch
 *   "Using condition keys to limit access to CloudWatch namespaces").
 * - A SecureString is decrypted by Parameter Store calling KMS with the caller's credentials: the reader
 *   needs kms:Decrypt on the key ("Restricting decryption of SecureString parameter values"); Parameter
 *   Store sets the encryption context `PARAMETER_ARN` and calls through `ssm.<region>.amazonaws.com`
 *   ("How AWS Systems Manager Parameter Store uses AWS KMS").
 * - A Lambda function's logs go to its log group through logs:CreateLogStream and logs:PutLogEvents
 *   (AWSLambdaBasicExecutionRole); the group exists already, so no logs:CreateLogGroup.
 * - PutObject to a bucket encrypted with a customer managed key needs kms:GenerateDataKey on it
 *   ("Using server-side encryption with AWS KMS keys"); publishing to a topic encrypted with one needs
 *   kms:GenerateDataKey* and kms:Decrypt (SNS "Encryption at rest").
 * - EventBridge Scheduler assumes its execution role as `scheduler.amazonaws.com`, and needs
 *   lambda:InvokeFunction on the target ("Set up the execution role"; aws:SourceAccount for confused deputies).
 */

export function ssmParameterArn(region: string, accountId: string, name: string): string {
  return `arn:aws:ssm:${region}:${accountId}:parameter${name.startsWith("/") ? name : `/${name}`}`;
}

/** Lambda assumes the bridge's role. */
export function bridgeTrustPolicy(): PolicyDocument {
  return policyDocument({ Sid: "LambdaRunsTheBridge", Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" });
}

/** EventBridge Scheduler assumes the schedule's role, for this account's schedules only. */
export function schedulerTrustPolicy(accountId: string): PolicyDocument {
  return policyDocument({
    Sid: "SchedulerInvokesTheBridge",
    Effect: "Allow",
    Principal: { Service: "scheduler.amazonaws.com" },
    Action: "sts:AssumeRole",
    Condition: { StringEquals: { "aws:SourceAccount": accountId } },
  });
}

/** The schedule's role may only invoke the bridge. */
export function schedulerPermissions(functionArn: string): PolicyDocument {
  return policyDocument({ Sid: "InvokeTheBridge", Effect: "Allow", Action: "lambda:InvokeFunction", Resource: functionArn });
}

/** The secrets' key: administered by the account (so IAM policies grant its use), nothing else. */
export function bridgeKeyPolicy(accountId: string): PolicyDocument {
  return policyDocument(accountRootStatement(accountId));
}

export interface BridgePermissionsInput {
  region: string;
  namespace: string;
  /** ARNs of the SecureString parameters the bridge reads (its secrets). */
  secretParameterArns: string[];
  secretsKeyArn: string;
  logGroupArn: string;
  watch?: {
    recordParameterArn: string;
    /** `arn:aws:s3:::<bucket>/<prefix><environment>/watch/*`: where the watch's audit records go. */
    auditRecordsArn: string;
    auditKeyArn: string;
    criticalTopicArn: string;
    topicKeyArn: string;
  };
}

/**
 * What the bridge may do, and nothing else: publish metrics to its namespace, read its own parameters
 * (decrypting only them, only through Parameter Store), write its own logs; with the watch also record
 * and page (the audit prefix's watch records, the critical topic).
 */
export function bridgePermissions(input: BridgePermissionsInput): PolicyDocument {
  const statements: PolicyStatement[] = [
    {
      Sid: "PublishMetricsToItsNamespace",
      Effect: "Allow",
      Action: "cloudwatch:PutMetricData",
      Resource: "*",
      Condition: { StringEquals: { "cloudwatch:namespace": input.namespace } },
    },
    {
      Sid: "ReadItsParameters",
      Effect: "Allow",
      Action: "ssm:GetParameters",
      Resource: [...input.secretParameterArns, ...(input.watch ? [input.watch.recordParameterArn] : [])],
    },
    {
      Sid: "DecryptItsSecretsThroughParameterStore",
      Effect: "Allow",
      Action: "kms:Decrypt",
      Resource: input.secretsKeyArn,
      Condition: {
        StringEquals: {
          "kms:ViaService": `ssm.${input.region}.amazonaws.com`,
          "kms:EncryptionContext:PARAMETER_ARN": input.secretParameterArns,
        },
      },
    },
    { Sid: "WriteItsLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${input.logGroupArn}:*` },
  ];
  if (input.watch) {
    statements.push(
      { Sid: "RecordWatchActions", Effect: "Allow", Action: "s3:PutObject", Resource: input.watch.auditRecordsArn },
      {
        Sid: "EncryptWatchRecords",
        Effect: "Allow",
        Action: "kms:GenerateDataKey",
        Resource: input.watch.auditKeyArn,
        Condition: { StringEquals: { "kms:ViaService": `s3.${input.region}.amazonaws.com` } },
      },
      { Sid: "PageOnCall", Effect: "Allow", Action: "sns:Publish", Resource: input.watch.criticalTopicArn },
      {
        Sid: "PublishToTheEncryptedTopic",
        Effect: "Allow",
        Action: ["kms:GenerateDataKey", "kms:Decrypt"],
        Resource: input.watch.topicKeyArn,
        Condition: { StringEquals: { "kms:ViaService": `sns.${input.region}.amazonaws.com` } },
      },
    );
  }
  return policyDocument(...statements);
}
