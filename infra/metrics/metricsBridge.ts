import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { toJson } from "../aws/policyDocument";
import { bridgeSources } from "../aws/alertMetrics";
import { EnvironmentName, GithubSettings } from "../config/schema";
import { bridgeKeyPolicy, bridgePermissions, bridgeTrustPolicy, schedulerPermissions, schedulerTrustPolicy, ssmParameterArn } from "./bridgePolicies";
import { bridgeBundle } from "./bundle";
import {
  BRIDGE_CONFIG_ENV,
  BridgeConfig,
  FUNCTION_TIMEOUT_SECONDS,
  GITHUB_API_URL,
  RAILWAY_GRAPHQL_URL,
  REQUEST_TIMEOUT_MS,
  RUN_BUDGET_MS,
  bridgePublishedMetrics,
  healthMetrics,
} from "./contract";
import { MetricsBridgeSettings } from "./settings";

/** Lambda's retries of a failed scheduled run (its default is 2). */
export const ASYNC_RETRIES = 0;

export interface MetricsBridgeArgs {
  settings: MetricsBridgeSettings;
  productSlug: string;
  environment: EnvironmentName;
  namespace: string;
  /** The warning topic: the bridge's own alarms (heartbeat missing, a source failing) notify it. */
  warningTopicArn: pulumi.Input<string>;
  secrets: { posthogApiKey: pulumi.Input<string>; railwayToken: pulumi.Input<string>; githubAppPrivateKey?: pulumi.Input<string> };
  /** The post-deployment watch (production): where it records, whom it pages, which App dispatches the rollback. */
  watch?: {
    github: GithubSettings;
    branch: string;
    criticalTopicArn: pulumi.Input<string>;
    topicKeyArn: pulumi.Input<string>;
    auditBucket: string;
    auditPrefix: string;
    auditKeyArn: pulumi.Input<string>;
  };
}

/** The SSM parameter the production deploy workflow writes its watch record to (String, JSON). */
export function watchRecordParameter(productSlug: string, environment: string): string {
  return `/flightdeck/${productSlug}/${environment}/deploy-watch`;
}

/**
 * The metrics bridge of one stack: a Node.js 22 Lambda (bundled from `lambda/`) that EventBridge
 * Scheduler runs every `scheduleMinutes`, its secrets as SecureString parameters under a KMS key of their
 * own, a role that may only publish to the stack's namespace, read those parameters and write its own
 * log group (and, with the watch, record and page), and the alarms that page when it stops beating or a
 * source keeps failing.
 */
export class MetricsBridge extends pulumi.ComponentResource {
  readonly function: aws.lambda.Function;
  readonly functionName: string;
  readonly recordParameter?: string;

  constructor(name: string, args: MetricsBridgeArgs, opts?: pulumi.ComponentResourceOptions) {
    super("flightdeck:metrics:MetricsBridge", name, {}, opts);
    const { settings } = args;
    const child = { parent: this };
    const accountId = aws.getCallerIdentityOutput({}, child).accountId;
    const region = aws.getRegionOutput({}, child).region;
    const functionName = `${name}-bridge`;
    this.functionName = functionName;
    const parameterPrefix = `/flightdeck/${args.productSlug}/${args.environment}/metrics-bridge/`;

    const key = new aws.kms.Key(
      `${name}-key`,
      {
        description: `Encrypts the ${functionName} secrets (PostHog, Railway${args.watch ? ", the deploy App" : ""})`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        policy: accountId.apply((id) => toJson(bridgeKeyPolicy(id))),
      },
      child,
    );
    new aws.kms.Alias(`${name}-key-alias`, { name: `alias/${functionName}`, targetKeyId: key.keyId }, child);

    const secretParameter = (suffix: string, description: string, value: pulumi.Input<string>) =>
      new aws.ssm.Parameter(
        `${name}-${suffix}`,
        { name: `${parameterPrefix}${suffix}`, description, type: "SecureString", keyId: key.arn, value: pulumi.secret(value) },
        child,
      );
    const posthogKey = secretParameter("posthog-api-key", "PostHog personal API key (scope query:read) the metrics bridge queries with", args.secrets.posthogApiKey);
    const railwayToken = secretParameter("railway-token", "Railway project token the metrics bridge reads metrics with", args.secrets.railwayToken);
    const appKey =
      args.watch && args.secrets.githubAppPrivateKey !== undefined
        ? secretParameter("github-app-private-key", "The deploy GitHub App's private key: the watch dispatches the rollback workflow as the App", args.secrets.githubAppPrivateKey)
        : undefined;
    const secretParameters = [posthogKey, railwayToken, ...(appKey ? [appKey] : [])];
    this.recordParameter = args.watch ? watchRecordParameter(args.productSlug, args.environment) : undefined;

    const logGroup = new aws.cloudwatch.LogGroup(`${name}-logs`, { name: `/aws/lambda/${functionName}`, retentionInDays: settings.logRetentionDays }, child);

    const role = new aws.iam.Role(
      `${name}-role`,
      { name: functionName, description: `The metrics bridge of ${args.productSlug} ${args.environment}`, assumeRolePolicy: toJson(bridgeTrustPolicy()) },
      child,
    );
    const watch = args.watch;
    const recordParameter = this.recordParameter;
    const rolePolicy = new aws.iam.RolePolicy(
      `${name}-permissions`,
      {
        role: role.name,
        name: "publish-metrics-read-own-secrets",
        policy: pulumi
          .all([
            region,
            accountId,
            key.arn,
            logGroup.name,
            pulumi.all(secretParameters.map((parameter) => parameter.name)),
            watch ? pulumi.all([watch.criticalTopicArn, watch.topicKeyArn, watch.auditKeyArn]) : pulumi.output(undefined),
          ])
          .apply(([regionName, account, keyArn, logGroupName, names, watchArns]) =>
            toJson(
              bridgePermissions({
                region: regionName,
                namespace: args.namespace,
                secretParameterArns: names.map((parameterName) => ssmParameterArn(regionName, account, parameterName)),
                secretsKeyArn: keyArn,
                // The log group's ARN as IAM names it (Service Authorization Reference, CloudWatch Logs: log-group).
                logGroupArn: `arn:aws:logs:${regionName}:${account}:log-group:${logGroupName}`,
                watch:
                  watch && watchArns && recordParameter
                    ? {
                        recordParameterArn: ssmParameterArn(regionName, account, recordParameter),
                        auditRecordsArn: `arn:aws:s3:::${watch.auditBucket}/${watch.auditPrefix}${args.environment}/watch/*`,
                        criticalTopicArn: watchArns[0],
                        topicKeyArn: watchArns[1],
                        auditKeyArn: watchArns[2],
                      }
                    : undefined,
              }),
            ),
          ),
      },
      child,
    );

    const bundle = bridgeBundle();
    const config = pulumi
      .all([secretParameters.map((parameter) => parameter.name), watch ? watch.criticalTopicArn : ""])
      .apply(([names, criticalTopicArn]) => {
        const bridgeConfig: BridgeConfig = {
          version: 1,
          environment: args.environment,
          namespace: args.namespace,
          heartbeat: healthMetrics.heartbeat,
          sourceFailed: healthMetrics.sourceFailed,
          metrics: bridgePublishedMetrics(),
          windowSeconds: settings.windowSeconds,
          lagSeconds: settings.lagSeconds,
          posthog: { host: settings.posthog.host, projectId: settings.posthog.projectId, requests: settings.posthog.requests, errors: settings.posthog.errors, retries: settings.posthog.retries },
          railway: { url: RAILWAY_GRAPHQL_URL, ...settings.railway },
          secrets: { posthogApiKey: names[0]!, railwayToken: names[1]!, ...(names[2] !== undefined ? { githubAppPrivateKey: names[2] } : {}) },
          budgetMs: RUN_BUDGET_MS,
          requestTimeoutMs: REQUEST_TIMEOUT_MS,
        };
        if (watch && settings.watch && recordParameter) {
          const { rollbackWorkflow, ...thresholds } = settings.watch;
          bridgeConfig.watch = {
            recordParameter,
            ...thresholds,
            criticalTopicArn: criticalTopicArn as string,
            audit: { bucket: watch.auditBucket, prefix: watch.auditPrefix },
            github: {
              apiUrl: GITHUB_API_URL,
              owner: watch.github.owner,
              repository: watch.github.repository,
              appId: watch.github.deployIdentity.id,
              installationId: watch.github.deployIdentity.installationId,
              workflow: rollbackWorkflow,
              ref: watch.branch,
            },
          };
        }
        return JSON.stringify(bridgeConfig);
      });

    this.function = new aws.lambda.Function(
      `${name}-function`,
      {
        name: functionName,
        description: `flightdeck metrics bridge: PostHog and Railway into ${args.namespace}, every ${settings.scheduleMinutes} min`,
        runtime: "nodejs22.x",
        handler: "index.handler",
        code: new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.FileAsset(bundle.path) }),
        sourceCodeHash: Buffer.from(bundle.sha256, "hex").toString("base64"),
        role: role.arn,
        timeout: FUNCTION_TIMEOUT_SECONDS,
        memorySize: 256,
        environment: { variables: { [BRIDGE_CONFIG_ENV]: config } },
        loggingConfig: { logFormat: "Text", logGroup: logGroup.name },
      },
      { parent: this, dependsOn: [rolePolicy, logGroup] },
    );

    // EventBridge Scheduler invokes Lambda asynchronously, and Lambda retries an asynchronous invocation that
    // failed twice by default (https://docs.aws.amazon.com/lambda/latest/dg/with-eventbridge-scheduler.html,
    // https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html): each retry would query
    // PostHog and Railway again, within their hourly limits. A failed run is not retried; the next one is due.
    new aws.lambda.FunctionEventInvokeConfig(
      `${name}-async`,
      { functionName: this.function.name, maximumRetryAttempts: ASYNC_RETRIES, maximumEventAgeInSeconds: 60 },
      child,
    );

    const schedulerRole = new aws.iam.Role(
      `${name}-scheduler-role`,
      { name: `${functionName}-scheduler`, description: `EventBridge Scheduler runs ${functionName}`, assumeRolePolicy: accountId.apply((id) => toJson(schedulerTrustPolicy(id))) },
      child,
    );
    const schedulerPolicy = new aws.iam.RolePolicy(
      `${name}-scheduler-permissions`,
      { role: schedulerRole.name, name: "invoke-the-bridge", policy: this.function.arn.apply((arn) => toJson(schedulerPermissions(arn))) },
      child,
    );
    new aws.scheduler.Schedule(
      `${name}-schedule`,
      {
        name: functionName,
        description: `Runs the metrics bridge every ${settings.scheduleMinutes} min`,
        scheduleExpression: settings.scheduleMinutes === 1 ? "rate(1 minute)" : `rate(${settings.scheduleMinutes} minutes)`,
        flexibleTimeWindow: { mode: "OFF" },
        state: "ENABLED",
        target: {
          arn: this.function.arn,
          roleArn: schedulerRole.arn,
          // A run that could not start on time is not worth starting late: the next one is due.
          retryPolicy: { maximumRetryAttempts: 0, maximumEventAgeInSeconds: 60 },
        },
      },
      { parent: this, dependsOn: [schedulerPolicy] },
    );

    // Failure is visible: no heartbeat for 5 minutes (a gap is breaching), or a source failing 3 runs in a row.
    const period = settings.scheduleMinutes * 60;
    const heartbeatPeriods = Math.max(1, Math.ceil(5 / settings.scheduleMinutes));
    new aws.cloudwatch.MetricAlarm(
      `${name}-heartbeat`,
      {
        name: `${functionName}-heartbeat-missing`,
        alarmDescription: `[warning] The metrics bridge published no ${healthMetrics.heartbeat.metricName} for ${heartbeatPeriods * settings.scheduleMinutes} min: the alarms on error rate, latency, CPU and disk see no data. Action: check the ${functionName} logs (${logGroupName(functionName)}).`,
        namespace: args.namespace,
        metricName: healthMetrics.heartbeat.metricName,
        statistic: "Sum",
        period,
        evaluationPeriods: heartbeatPeriods,
        datapointsToAlarm: heartbeatPeriods,
        threshold: 1,
        comparisonOperator: "LessThanThreshold",
        treatMissingData: "breaching",
        alarmActions: [args.warningTopicArn],
        okActions: [args.warningTopicArn],
        tags: { severity: "warning", rule: "bridge-heartbeat" },
      },
      child,
    );
    for (const source of bridgeSources) {
      new aws.cloudwatch.MetricAlarm(
        `${name}-${source}-failing`,
        {
          name: `${functionName}-${source}-failing`,
          alarmDescription: `[warning] The metrics bridge could not read ${source} for 3 runs in a row: its metrics are missing, not healthy. Action: check the ${functionName} logs and the ${source} credentials.`,
          namespace: args.namespace,
          metricName: healthMetrics.sourceFailed.metricName,
          dimensions: { [healthMetrics.sourceFailed.dimension]: source },
          statistic: "Minimum",
          period,
          evaluationPeriods: 3,
          datapointsToAlarm: 3,
          threshold: 1,
          comparisonOperator: "GreaterThanOrEqualToThreshold",
          // No datum means the bridge did not run: the heartbeat alarm says so.
          treatMissingData: "notBreaching",
          alarmActions: [args.warningTopicArn],
          okActions: [args.warningTopicArn],
          tags: { severity: "warning", rule: `bridge-${source}-failing` },
        },
        child,
      );
    }

    this.registerOutputs({ functionName, bundleSha256: bundle.sha256, recordParameter: this.recordParameter });
  }
}

function logGroupName(functionName: string): string {
  return `/aws/lambda/${functionName}`;
}
