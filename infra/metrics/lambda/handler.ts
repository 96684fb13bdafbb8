import { createHash } from "node:crypto";
import { CloudWatchClient, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { PutObjectCommand, S3Client, S3ServiceException } from "@aws-sdk/client-s3";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { GetParametersCommand, SSMClient } from "@aws-sdk/client-ssm";
import { BRIDGE_CONFIG_ENV, BridgeConfig, WatchRecord, parseWatchRecord } from "../contract";
import { RunReadings, runDatums } from "./datums";
import { dispatchWorkflow } from "./github";
import { Deadline, SourceError, deadlineIn } from "./http";
import { Window, readErrorCounts } from "./posthog";
import { readRailway } from "./railway";
import { WatchVerdict, judgeWatch, watchActive, watchWindows } from "./watch";

/**
 * The metrics bridge, run every minute by EventBridge Scheduler: reads PostHog and Railway, publishes the
 * spec's metrics, its heartbeat and each source's failure flag to the stack's namespace in one
 * PutMetricData, then (production) judges the post-deployment watch. The AWS SDK clients take the
 * Lambda runtime's credentials and region from the environment (and, like every SDK v3 client, an
 * endpoint from AWS_ENDPOINT_URL_<SERVICE> when one is set: @smithy/core getEndpointUrlConfig).
 */

export interface RunSummary {
  at: string;
  published: { metricName: string; value: number; dimensions?: Record<string, string> }[];
  failures: Record<string, string>;
  watch?: { state: string; detail?: string };
}

function readConfig(): BridgeConfig {
  const text = process.env[BRIDGE_CONFIG_ENV];
  if (text === undefined || text === "") throw new Error(`${BRIDGE_CONFIG_ENV} is not set: the bridge has nothing to read or publish`);
  const config = JSON.parse(text) as BridgeConfig;
  if (config.version !== 1 || typeof config.namespace !== "string" || !Array.isArray(config.metrics)) throw new Error(`${BRIDGE_CONFIG_ENV} is not a version 1 bridge config`);
  return config;
}

/** The secrets (SecureString, decrypted) and the watch record, in one GetParameters call. */
async function readParameters(ssm: SSMClient, config: BridgeConfig): Promise<{ values: Map<string, string>; missing: string[] }> {
  const names = [config.secrets.posthogApiKey, config.secrets.railwayToken, config.secrets.githubAppPrivateKey, config.watch?.recordParameter].filter((name): name is string => name !== undefined);
  const answer = await ssm.send(new GetParametersCommand({ Names: names, WithDecryption: true }));
  const values = new Map<string, string>();
  for (const parameter of answer.Parameters ?? []) if (parameter.Name !== undefined && parameter.Value !== undefined) values.set(parameter.Name, parameter.Value);
  return { values, missing: answer.InvalidParameters ?? [] };
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Runs one bridge cycle against `now`; exported for the handler and for tests of the bundle. */
export async function runBridge(now: Date = new Date()): Promise<RunSummary> {
  const config = readConfig();
  const deadline: Deadline = deadlineIn(config.budgetMs);
  const timeoutMs = config.requestTimeoutMs;
  const ssm = new SSMClient({});
  const { values, missing } = await readParameters(ssm, config);
  const secret = (name: string | undefined) => (name === undefined ? undefined : values.get(name));

  const end = new Date(now.getTime() - config.lagSeconds * 1000);
  const current: Window = { name: "current", from: new Date(end.getTime() - config.windowSeconds * 1000), to: end };

  // The watch's record (a String parameter the deploy workflow writes; absent until the first watched deploy).
  let record: WatchRecord | undefined;
  let recordProblem: string | undefined;
  if (config.watch) {
    const text = values.get(config.watch.recordParameter);
    if (text !== undefined) {
      const parsed = parseWatchRecord(text);
      if (typeof parsed === "string") recordProblem = `the watch record ${config.watch.recordParameter} ${parsed}`;
      else if (watchActive(parsed, config.watch, now)) record = parsed;
    }
  }
  const windows: Window[] = [current];
  const watchWindow = record && config.watch ? watchWindows(record, config.watch, now, config.lagSeconds) : undefined;
  if (watchWindow) windows.push(watchWindow.baseline, watchWindow.recent);

  const posthogKey = secret(config.secrets.posthogApiKey);
  const railwayToken = secret(config.secrets.railwayToken);
  const [posthog, railway] = await Promise.all([
    posthogKey === undefined
      ? Promise.resolve<RunReadings["posthog"] & { all?: undefined }>({ ok: false, error: `SSM parameter ${config.secrets.posthogApiKey} is missing` })
      : readErrorCounts(config.posthog, posthogKey, windows, { deadline, timeoutMs }).then(
          (all) => ({ ok: true as const, counts: all.get("current")!, all }),
          (error: unknown) => ({ ok: false as const, error: errorText(error) }),
        ),
    railwayToken === undefined
      ? Promise.resolve<RunReadings["railway"]>({ ok: false, error: `SSM parameter ${config.secrets.railwayToken} is missing` })
      : readRailway(config.railway, railwayToken, current, { deadline, timeoutMs }).then(
          (readings) => ({ ok: true as const, readings }),
          (error: unknown) => ({ ok: false as const, error: errorText(error) }),
        ),
  ]);

  const datums = runDatums(config, { posthog, railway }, end);
  const cloudwatch = new CloudWatchClient({});
  await cloudwatch.send(new PutMetricDataCommand({ Namespace: config.namespace, MetricData: datums }));

  const summary: RunSummary = {
    at: now.toISOString(),
    published: datums.map((datum) => ({
      metricName: datum.MetricName,
      value: datum.Value,
      ...(datum.Dimensions ? { dimensions: Object.fromEntries(datum.Dimensions.map((d) => [d.Name, d.Value])) } : {}),
    })),
    failures: {},
  };
  if (!posthog.ok) summary.failures["posthog"] = posthog.error;
  if (!railway.ok) summary.failures["railway"] = railway.error;
  if (missing.length > 0) summary.failures["parameters"] = `missing SSM parameters: ${missing.filter((name) => name !== config.watch?.recordParameter).join(", ") || "(only the watch record: no watched deploy yet)"}`;

  if (config.watch) {
    if (recordProblem !== undefined) summary.watch = { state: "invalid-record", detail: recordProblem };
    else if (!record) summary.watch = { state: "idle" };
    else if (!posthog.ok || posthog.all === undefined) summary.watch = { state: "unknown", detail: "PostHog could not be read: no verdict this run" };
    else {
      const verdict = judgeWatch(posthog.all.get("baseline")!, posthog.all.get("recent")!, config.watch);
      summary.watch = await actOnVerdict(config, record, verdict, secret(config.secrets.githubAppPrivateKey), { deadline, timeoutMs, now });
    }
  }
  for (const [source, error] of Object.entries(summary.failures)) console.error(`flightdeck bridge: ${source}: ${error}`);
  console.log(JSON.stringify(summary));
  return summary;
}

/**
 * Pages and rolls back at most once per watched deploy: each action first writes its audit record
 * with `If-None-Match: *` (S3 conditional writes: the PUT fails with 412 Precondition Failed when the
 * key exists; https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html). The
 * audit bucket has object lock, whose PUTs need Content-MD5 (or an SDK checksum).
 */
async function actOnVerdict(
  config: BridgeConfig,
  record: WatchRecord,
  verdict: WatchVerdict,
  privateKey: string | undefined,
  options: { deadline: Deadline; timeoutMs: number; now: Date },
): Promise<NonNullable<RunSummary["watch"]>> {
  const watch = config.watch!;
  if (verdict.kind === "insufficient") return { state: "insufficient-traffic", detail: verdict.reason };
  if (verdict.kind === "healthy") return { state: "healthy", detail: `${verdict.ratePercent.toFixed(2)}% (baseline ${verdict.baselinePercent.toFixed(2)}%)` };

  const s3 = new S3Client({});
  const sns = new SNSClient({});
  const key = `${watch.audit.prefix}${record.environment}/watch/${record.runId}/${verdict.kind === "rollback" ? "automatic-rollback" : "critical-page"}.json`;
  const auditRecord = {
    environment: record.environment,
    kind: verdict.kind === "rollback" ? "automatic-rollback" : "post-deploy-page",
    who: "flightdeck metrics bridge (post-deployment watch)",
    when: options.now.toISOString(),
    deploy: { commit: record.commit, run: record.runUrl, startedAt: record.startedAt, deployedAt: record.deployedAt },
    reason: verdict.reason,
    errorRatePercent: verdict.ratePercent,
    baselinePercent: verdict.baselinePercent,
    requests: verdict.recent.requests,
    errors: verdict.recent.errors,
    rollback: verdict.kind === "rollback" ? { workflow: watch.github.workflow, ref: watch.github.ref, toDeployment: record.previousDeployment || null } : null,
  };
  const body = JSON.stringify(auditRecord);
  try {
    await s3.send(
      new PutObjectCommand({
        Bucket: watch.audit.bucket,
        Key: key,
        Body: body,
        ContentType: "application/json",
        ContentMD5: createHash("md5").update(body).digest("base64"),
        IfNoneMatch: "*",
      }),
    );
  } catch (error) {
    if (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 412) return { state: `${verdict.kind}-already-done`, detail: key };
    throw error;
  }

  let dispatchProblem: string | undefined;
  if (verdict.kind === "rollback") {
    if (privateKey === undefined) dispatchProblem = `the deploy App's private key (${config.secrets.githubAppPrivateKey ?? "no parameter configured"}) is missing`;
    else {
      const inputs: Record<string, string> = {
        environment: record.environment,
        reason: `automatic rollback by the post-deployment watch: ${verdict.reason} after ${record.commit} (${record.runUrl})`,
      };
      if (record.previousDeployment !== "") inputs["deployment"] = record.previousDeployment;
      try {
        await dispatchWorkflow(watch.github, privateKey, inputs, options);
      } catch (error) {
        dispatchProblem = error instanceof SourceError ? error.message : errorText(error);
      }
    }
  }
  const subject = verdict.kind === "rollback" ? (dispatchProblem ? "Automatic rollback FAILED to start" : "Automatic rollback started") : "Errors spiked after a production deploy";
  const action =
    verdict.kind === "page"
      ? "Investigate immediately; roll back with rollback.yml if it does not recover."
      : dispatchProblem
        ? `The rollback could not be dispatched (${dispatchProblem}): run ${watch.github.workflow} by hand now.`
        : `${watch.github.workflow} was dispatched${record.previousDeployment ? ` back to deployment ${record.previousDeployment}` : ""}: approve it in the ${record.environment} environment.`;
  await sns.send(
    new PublishCommand({
      TopicArn: watch.criticalTopicArn,
      Subject: `[critical] ${subject} (${record.environment})`.slice(0, 100),
      Message: `${subject}: ${verdict.reason}.\nDeploy: commit ${record.commit}, run ${record.runUrl} (live since ${record.deployedAt}).\n${action}\nAudit record: s3://${watch.audit.bucket}/${key}`,
    }),
  );
  return { state: dispatchProblem ? "rollback-dispatch-failed" : verdict.kind === "rollback" ? "rollback-dispatched" : "paged", detail: dispatchProblem ?? verdict.reason };
}

/** The Lambda entry point (handler `index.handler`); the scheduler's event carries nothing the bridge needs. */
export async function handler(): Promise<RunSummary> {
  return runBridge();
}
