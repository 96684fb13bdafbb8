import { strict as assert } from "node:assert";
import { parse } from "yaml";
import { metricDefinitions } from "../../../infra/aws/alertMetrics";
import { validateStackConfig } from "../../../infra/config/validate";
import { BRIDGE_CONFIG_ENV, BridgeConfig } from "../../../infra/metrics/contract";
import { StackRun, canarySecrets, inputAt, requiredSecretKeys, runSampleStack, sampleConfig } from "../../harness";

const FUNCTION = "aws:lambda/function:Function";
const SCHEDULE = "aws:scheduler/schedule:Schedule";
const PARAMETER = "aws:ssm/parameter:Parameter";
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";

function documentOf(run: StackRun): BridgeConfig {
  const variables = inputAt(run.one(FUNCTION, "-metrics-function"), "environment.variables") as Record<string, string>;
  return JSON.parse(variables[BRIDGE_CONFIG_ENV]!) as BridgeConfig;
}

describe("MetricsBridge (sample stacks)", () => {
  let production: StackRun;
  let staging: StackRun;
  before(async () => {
    production = await runSampleStack("production");
    staging = await runSampleStack("staging");
  });

  it("runs a Node.js 22 function every minute, well within the minute, from the bundled handler", () => {
    const fn = production.one(FUNCTION, "-metrics-function");
    // AWS Lambda runtimes: nodejs22.x is supported (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html).
    assert.equal(inputAt(fn, "runtime"), "nodejs22.x");
    assert.equal(inputAt(fn, "handler"), "index.handler");
    assert.ok((inputAt(fn, "timeout") as number) < 60);
    assert.match(String(inputAt(fn, "code")), /^<archive: index\.js \(\d+ bytes, sha256:[0-9a-f]{16}\)>$/);
    const schedule = production.one(SCHEDULE, "-metrics-schedule");
    assert.equal(inputAt(schedule, "scheduleExpression"), "rate(1 minute)");
    assert.equal(inputAt(schedule, "flexibleTimeWindow.mode"), "OFF");
    assert.equal(inputAt(schedule, "target.arn"), "arn:aws:lambda:us-east-1:123456789012:function:flightpro-production-metrics-bridge");
  });

  it("publishes the monitoring table's metrics with the names, units and dimensions the alarms read", () => {
    const document = documentOf(production);
    assert.equal(document.namespace, "FlightPro/production");
    const published = document.metrics.map((metric) => [metric.metricName, metric.unit, metric.source]).sort();
    assert.deepEqual(published, [
      ["ApiLatency", "Seconds", "railway"],
      ["DatabaseCPUUtilization", "Percent", "railway"],
      ["DiskUsedPercent", "Percent", "railway"],
      ["ErrorRate", "Percent", "posthog"],
    ]);
    // Every alarm of the rules reads a metric some publisher sends: the bridge, or the deploy workflow's DeploymentFailed.
    for (const alarm of production.ofType(ALARM).filter((a) => a.name.startsWith("flightpro-production-alerts-"))) {
      const name = (inputAt(alarm, "metricName") ?? (inputAt(alarm, "metricQueries[0].metric.metricName") as string)) as string;
      assert.ok(published.some(([metric]) => metric === name) || name === metricDefinitions["deployment-failed"].metricName, `${alarm.name} reads ${name}`);
    }
  });

  it("keeps its secrets in SecureString parameters under a key of their own (the deploy App's key only with the watch)", () => {
    const names = (run: StackRun) => run.ofType(PARAMETER).filter((p) => String(inputAt(p, "name")).includes("/metrics-bridge/")).map((p) => [inputAt(p, "name"), inputAt(p, "type")]);
    assert.deepEqual(names(production), [
      ["/flightdeck/flightpro/production/metrics-bridge/posthog-api-key", "SecureString"],
      ["/flightdeck/flightpro/production/metrics-bridge/railway-token", "SecureString"],
      ["/flightdeck/flightpro/production/metrics-bridge/github-app-private-key", "SecureString"],
    ]);
    assert.deepEqual(names(staging).map(([name]) => name), ["/flightdeck/flightpro/staging/metrics-bridge/posthog-api-key", "/flightdeck/flightpro/staging/metrics-bridge/railway-token"]);
    const key = production.one("aws:kms/key:Key", "-metrics-key");
    const keyId = inputAt(production.one("aws:kms/alias:Alias", "-metrics-key-alias"), "targetKeyId") as string;
    for (const parameter of production.ofType(PARAMETER).filter((p) => String(inputAt(p, "name")).includes("/metrics-bridge/"))) {
      assert.ok(parameter.secretPaths.includes("value"), `${parameter.name} value is a Pulumi secret`);
      assert.equal(inputAt(parameter, "keyId"), `arn:aws:kms:us-east-1:123456789012:key/${keyId}`, `${parameter.name} is encrypted with the bridge's own key`);
    }
    // No other SecureString of the stack uses that key.
    const others = production.ofType(PARAMETER).filter((p) => !String(inputAt(p, "name")).includes("/metrics-bridge/") && String(inputAt(p, "keyId") ?? "").endsWith(keyId));
    assert.deepEqual(others, []);
    assert.equal(inputAt(key, "enableKeyRotation"), true);
  });

  it("pages (warning) when the heartbeat is missing for 5 minutes or a source fails 3 runs in a row", () => {
    const heartbeat = production.one(ALARM, "-metrics-heartbeat");
    assert.deepEqual(
      ["metricName", "statistic", "period", "evaluationPeriods", "comparisonOperator", "threshold", "treatMissingData"].map((key) => inputAt(heartbeat, key)),
      ["BridgeHeartbeat", "Sum", 60, 5, "LessThanThreshold", 1, "breaching"],
    );
    const failing = production.one(ALARM, "-metrics-railway-failing");
    assert.deepEqual(inputAt(failing, "dimensions"), { Source: "railway" });
    assert.deepEqual([inputAt(failing, "evaluationPeriods"), inputAt(failing, "datapointsToAlarm"), inputAt(failing, "comparisonOperator")], [3, 3, "GreaterThanOrEqualToThreshold"]);
    assert.match(String(inputAt(heartbeat, "alarmActions[0]")), /flightpro-production-alerts-warning$/);
    // Staging's bridge alarms notify #alerts (the warning topic), never the critical one.
    const stagingAlarms = staging.ofType(ALARM).filter((a) => a.name.includes("-metrics-"));
    assert.deepEqual(stagingAlarms.map((a) => a.name).sort(), ["flightpro-staging-metrics-heartbeat", "flightpro-staging-metrics-posthog-failing", "flightpro-staging-metrics-railway-failing"]);
    for (const alarm of stagingAlarms) {
      assert.deepEqual(inputAt(alarm, "alarmActions"), [String(inputAt(alarm, "alarmActions[0]"))]);
      assert.match(String(inputAt(alarm, "alarmActions[0]")), /flightpro-staging-alerts-warning$/, alarm.name);
    }
  });

  it("watches production deploys only: staging has the bridge without the watch", () => {
    assert.equal(documentOf(production).watch?.rollbackErrorRatePercent, 5);
    assert.equal(documentOf(production).watch?.github.workflow, "rollback.yml");
    assert.equal(documentOf(staging).watch, undefined);
    const raw = sampleConfig("staging");
    (raw["metricsBridge"] as Record<string, unknown>)["watch"] = {};
    const result = validateStackConfig({ ...raw, ...canarySecrets(requiredSecretKeys(raw)) });
    assert.deepEqual(result.ok ? [] : result.problems, ["flightdeck:metricsBridge.watch: only production deploys are watched (this stack is staging)"]);
  });

  it("needs the PostHog key and the Railway token as secrets when the stack declares the bridge", () => {
    const raw = sampleConfig("production");
    assert.ok(requiredSecretKeys(raw).includes("metricsPosthogApiKey") && requiredSecretKeys(raw).includes("metricsRailwayToken"));
    const secrets = canarySecrets(requiredSecretKeys(raw).filter((key) => key !== "metricsRailwayToken"));
    const result = validateStackConfig({ ...raw, ...secrets });
    assert.deepEqual(result.ok ? [] : result.problems, ["flightdeck:metricsRailwayToken: secret is not set (pulumi config set --secret metricsRailwayToken <value>)"]);
  });

  it("the production deploy writes the watch record after a successful deploy, with what the bridge reads", () => {
    const file = production.ofType("github:index/repositoryFile:RepositoryFile").find((f) => inputAt(f, "file") === ".github/workflows/deploy-production.yml")!;
    const workflow = parse(String(inputAt(file, "content"))) as { jobs: Record<string, { steps: { name: string; if?: string; env?: Record<string, string>; run?: string }[]; outputs?: Record<string, string> }> };
    const step = workflow.jobs["deploy"]!.steps.find((s) => s.name.startsWith("Start the post-deployment watch"))!;
    assert.equal(step.if, "${{ success() }}");
    assert.equal(step.env?.["WATCH_PARAMETER"], "/flightdeck/flightpro/production/deploy-watch");
    assert.equal(step.env?.["STARTED_AT"], "${{ needs.preflight.outputs.started-at }}");
    assert.equal(step.env?.["PREVIOUS_DEPLOYMENT"], "${{ needs.preflight.outputs.previous-deployment-id }}");
    assert.match(step.run ?? "", /aws ssm put-parameter --name "\$WATCH_PARAMETER" --type String --overwrite/);
    assert.equal(workflow.jobs["preflight"]!.outputs?.["started-at"], "${{ steps.previous.outputs.started-at }}");
    const stagingFile = staging.ofType("github:index/repositoryFile:RepositoryFile").find((f) => inputAt(f, "file") === ".github/workflows/deploy-production.yml")!;
    assert.doesNotMatch(String(inputAt(stagingFile, "content")), /deploy-watch/);
  });
});
