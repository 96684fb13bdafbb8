import { bridgePermissions, bridgeTrustPolicy, schedulerPermissions, schedulerTrustPolicy, ssmParameterArn } from "../../infra/metrics/bridgePolicies";
import { BRIDGE_CONFIG_ENV, BridgeConfig, bridgePublishedMetrics, healthMetrics } from "../../infra/metrics/contract";
import { watchRecordParameter } from "../../infra/metrics/metricsBridge";
import type { Fixture } from "./judge";
import { rollbackYaml } from "./workflowFixtures";

/**
 * The production stack's metrics bridge as the program declares it (infra/metrics/metricsBridge.ts), built
 * from the program's own document builders: the function and its FLIGHTDECK_BRIDGE document, its role and
 * permissions, the schedule and its role, the SecureString parameters under their own key, the heartbeat
 * and source alarms; plus what the watch needs elsewhere (the deploy role's permission to write the record
 * and publish DeploymentFailed, the committed rollback workflow).
 */
const ACCOUNT = "123456789012";
const REGION = "us-east-1";
export const BRIDGE_FUNCTION = "flightpro-production-metrics-bridge";
export const BRIDGE_NAMESPACE = "FlightPro/production";
export const RECORD_PARAMETER = watchRecordParameter("flightpro", "production");
export const SECRET_PARAMETERS = ["posthog-api-key", "railway-token", "github-app-private-key"].map((suffix) => `/flightdeck/flightpro/production/metrics-bridge/${suffix}`);
const KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/metrics-bridge`;
const FUNCTION_ARN = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${BRIDGE_FUNCTION}`;

export function bridgeDocument(): BridgeConfig {
  return {
    version: 1,
    environment: "production",
    namespace: BRIDGE_NAMESPACE,
    heartbeat: healthMetrics.heartbeat,
    sourceFailed: healthMetrics.sourceFailed,
    metrics: bridgePublishedMetrics(),
    windowSeconds: 60,
    lagSeconds: 60,
    posthog: { host: "https://us.posthog.com", projectId: 41028, requests: { event: "api_request" }, errors: { event: "api_request", where: "toInt(properties.status_code) >= 500" }, retries: 0 },
    railway: { url: "https://backboard.railway.com/graphql/v2", projectId: "p", environmentId: "e", apiServiceId: "a", databaseServiceId: "d", databaseVolumeInstanceId: "v", retries: 2 },
    secrets: { posthogApiKey: SECRET_PARAMETERS[0]!, railwayToken: SECRET_PARAMETERS[1]!, githubAppPrivateKey: SECRET_PARAMETERS[2]! },
    budgetMs: 45000,
    requestTimeoutMs: 10000,
    watch: {
      recordParameter: RECORD_PARAMETER,
      windowMinutes: 60,
      baselineMinutes: 60,
      evaluationMinutes: 5,
      pageFactor: 2,
      rollbackErrorRatePercent: 5,
      minRequests: 100,
      minErrors: 5,
      baselineFloorPercent: 0.5,
      criticalTopicArn: `arn:aws:sns:${REGION}:${ACCOUNT}:flightpro-production-alerts-critical`,
      audit: { bucket: "flightpro-deploy-audit-production", prefix: "deployments/" },
      github: { apiUrl: "https://api.github.com", owner: "flightpro", repository: "flightpro", appId: 918273, installationId: 51234567, workflow: "rollback.yml", ref: "main" },
    },
  };
}

export function bridgeRolePermissions(): ReturnType<typeof bridgePermissions> {
  return bridgePermissions({
    region: REGION,
    namespace: BRIDGE_NAMESPACE,
    secretParameterArns: SECRET_PARAMETERS.map((name) => ssmParameterArn(REGION, ACCOUNT, name)),
    secretsKeyArn: KEY_ARN,
    logGroupArn: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/${BRIDGE_FUNCTION}`,
    watch: {
      recordParameterArn: ssmParameterArn(REGION, ACCOUNT, RECORD_PARAMETER),
      auditRecordsArn: "arn:aws:s3:::flightpro-deploy-audit-production/deployments/production/watch/*",
      auditKeyArn: `arn:aws:kms:${REGION}:${ACCOUNT}:key/1`,
      criticalTopicArn: `arn:aws:sns:${REGION}:${ACCOUNT}:flightpro-production-alerts-critical`,
      topicKeyArn: `arn:aws:kms:${REGION}:${ACCOUNT}:key/alerts`,
    },
  });
}

function bridgeAlarm(name: string, metricName: string, props: Record<string, unknown>): Fixture {
  return {
    type: "aws:cloudwatch/metricAlarm:MetricAlarm",
    name,
    props: { namespace: BRIDGE_NAMESPACE, metricName, alarmActions: [`arn:aws:sns:${REGION}:${ACCOUNT}:flightpro-production-alerts-warning`], ...props },
    dependsOn: ["alerts-warning"],
  };
}

export function bridgeStack(): Fixture[] {
  return [
    {
      type: "aws:kms/key:Key",
      name: "metrics-key",
      props: { description: "bridge secrets", enableKeyRotation: true, policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Sid: "AccountAdministersKey", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "kms:*", Resource: "*" }] }) },
    },
    ...SECRET_PARAMETERS.map((name, index) => ({
      type: "aws:ssm/parameter:Parameter",
      name: `metrics-secret-${index}`,
      props: { name, type: "SecureString", keyId: KEY_ARN, value: "fixture-secret-value" },
      propertyDependencies: { keyId: ["metrics-key"] },
      dependsOn: ["metrics-key"],
    })),
    { type: "aws:cloudwatch/logGroup:LogGroup", name: "metrics-logs", props: { name: `/aws/lambda/${BRIDGE_FUNCTION}`, retentionInDays: 90 } },
    { type: "aws:iam/role:Role", name: "metrics-role", props: { name: BRIDGE_FUNCTION, assumeRolePolicy: JSON.stringify(bridgeTrustPolicy()) } },
    {
      type: "aws:iam/rolePolicy:RolePolicy",
      name: "metrics-permissions",
      props: { role: BRIDGE_FUNCTION, name: "publish-metrics-read-own-secrets", policy: JSON.stringify(bridgeRolePermissions()) },
      dependsOn: ["metrics-role"],
    },
    {
      type: "aws:lambda/function:Function",
      name: "metrics-function",
      props: {
        name: BRIDGE_FUNCTION,
        runtime: "nodejs22.x",
        handler: "index.handler",
        role: `arn:aws:iam::${ACCOUNT}:role/${BRIDGE_FUNCTION}`,
        timeout: 55,
        environment: { variables: { [BRIDGE_CONFIG_ENV]: JSON.stringify(bridgeDocument()) } },
      },
      dependsOn: ["metrics-role", "metrics-permissions", "metrics-logs", "alerts-critical"],
      propertyDependencies: { role: ["metrics-role"], environment: ["alerts-critical"] },
    },
    {
      // A failed run is not retried by Lambda (infra/metrics/metricsBridge.ts ASYNC_RETRIES).
      type: "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
      name: "metrics-async",
      props: { functionName: BRIDGE_FUNCTION, maximumRetryAttempts: 0, maximumEventAgeInSeconds: 60 },
      dependsOn: ["metrics-function"],
      propertyDependencies: { functionName: ["metrics-function"] },
    },
    { type: "aws:iam/role:Role", name: "metrics-scheduler-role", props: { name: `${BRIDGE_FUNCTION}-scheduler`, assumeRolePolicy: JSON.stringify(schedulerTrustPolicy(ACCOUNT)) } },
    {
      type: "aws:iam/rolePolicy:RolePolicy",
      name: "metrics-scheduler-permissions",
      props: { role: `${BRIDGE_FUNCTION}-scheduler`, name: "invoke-the-bridge", policy: JSON.stringify(schedulerPermissions(FUNCTION_ARN)) },
      dependsOn: ["metrics-scheduler-role", "metrics-function"],
    },
    {
      type: "aws:scheduler/schedule:Schedule",
      name: "metrics-schedule",
      props: {
        name: BRIDGE_FUNCTION,
        scheduleExpression: "rate(1 minute)",
        flexibleTimeWindow: { mode: "OFF" },
        state: "ENABLED",
        target: { arn: FUNCTION_ARN, roleArn: `arn:aws:iam::${ACCOUNT}:role/${BRIDGE_FUNCTION}-scheduler`, retryPolicy: { maximumRetryAttempts: 0, maximumEventAgeInSeconds: 60 } },
      },
      dependsOn: ["metrics-function", "metrics-scheduler-role"],
      propertyDependencies: { target: ["metrics-function", "metrics-scheduler-role"] },
    },
    bridgeAlarm("metrics-heartbeat", healthMetrics.heartbeat.metricName, {
      statistic: "Sum",
      period: 60,
      evaluationPeriods: 5,
      datapointsToAlarm: 5,
      threshold: 1,
      comparisonOperator: "LessThanThreshold",
      treatMissingData: "breaching",
    }),
    ...["posthog", "railway"].map((source) =>
      bridgeAlarm(`metrics-${source}-failing`, healthMetrics.sourceFailed.metricName, {
        dimensions: { [healthMetrics.sourceFailed.dimension]: source },
        statistic: "Minimum",
        period: 60,
        evaluationPeriods: 3,
        datapointsToAlarm: 3,
        threshold: 1,
        comparisonOperator: "GreaterThanOrEqualToThreshold",
        treatMissingData: "notBreaching",
      }),
    ),
    {
      // The deploy role publishes DeploymentFailed and starts the watch (infra/aws/auditPolicies.ts deployRolePermissions).
      type: "aws:iam/rolePolicy:RolePolicy",
      name: "deploy-audit-watch",
      props: {
        role: "flightpro-production-deploy-audit",
        name: "publish-and-watch",
        policy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            { Sid: "ReportFailedDeployments", Effect: "Allow", Action: "cloudwatch:PutMetricData", Resource: "*", Condition: { StringEquals: { "cloudwatch:namespace": BRIDGE_NAMESPACE } } },
            { Sid: "StartThePostDeploymentWatch", Effect: "Allow", Action: "ssm:PutParameter", Resource: ssmParameterArn(REGION, ACCOUNT, RECORD_PARAMETER) },
          ],
        }),
      },
      dependsOn: ["deploy-audit-role"],
    },
    {
      type: "github:index/repositoryFile:RepositoryFile",
      name: "workflow-rollback",
      props: { repository: "flightpro", branch: "main", file: ".github/workflows/rollback.yml", content: rollbackYaml, commitMessage: "ci: rollback.yml" },
    },
  ];
}
