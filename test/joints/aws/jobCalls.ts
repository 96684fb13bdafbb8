import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { BRIDGE_CONFIG_ENV, BridgeConfig } from "../../../infra/metrics/contract";
import { Evaluation } from "../../../tools/offline/evaluate";
import { RecordedResource } from "../../../tools/offline/monitor";
import { Command, commandsOf, invocation, programOf } from "../../../policies/lib/workflow/shell";
import { AwsCall, Derived, baseContext } from "./calls";
import { SSM_MANAGED_KEY_ID } from "./actionMap";

/**
 * What the stacks' jobs call in AWS, each with its own role: the metrics bridge (the AWS SDK commands
 * its bundled code sends, read from infra/metrics/lambda), the backup and restore-drill CodeBuild
 * projects (the `aws` CLI commands of the scripts in their planned buildspecs, read with the pack's
 * shell reader), the services that run them for the role (Lambda's and CodeBuild's logs, CodeBuild's
 * Parameter Store variables), and the schedules that start them.
 */

type Where = { region: string; account: string };

const roleName = (arn: unknown) => /:role\/(.+)$/.exec(String(arn))?.[1] ?? String(arn);
const sessionOf = (role: string, where: Where) => `arn:aws:sts::${where.account}:assumed-role/${role}/job`;
const parameterArn = (where: Where, name: string) => `arn:aws:ssm:${where.region}:${where.account}:parameter/${name.replace(/^\//, "")}`;

function call(role: string, where: Where, action: string, resource: string, why: string, extra: Record<string, string | string[]> = {}): AwsCall {
  return { by: role, action, resource, context: { ...baseContext(sessionOf(role, where), where.account, where.region), ...extra }, why };
}

/** The KMS key S3 encrypts a bucket's new objects with (its planned default encryption), if a customer key. */
function bucketKey(plan: Evaluation, bucket: string): string | undefined {
  const encryption = plan.resources.find((resource) => resource.type === "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration" && resource.inputs["bucket"] === bucket);
  const rules = encryption?.inputs["rules"] as { applyServerSideEncryptionByDefault?: { kmsMasterKeyId?: string } }[] | undefined;
  return rules?.[0]?.applyServerSideEncryptionByDefault?.kmsMasterKeyId;
}

/**
 * Reading a parameter: ssm:GetParameter(s) on it and, for a SecureString read with decryption, kms:Decrypt of its key
 * through Parameter Store with the parameter's ARN as encryption context
 * (https://docs.aws.amazon.com/kms/latest/developerguide/services-parameter-store.html).
 */
function readParameter(plan: Evaluation, role: string, where: Where, action: string, name: string, why: string): AwsCall[] {
  const parameter = plan.resources.find((resource) => resource.type === "aws:ssm/parameter:Parameter" && resource.inputs["name"] === name);
  const calls = [call(role, where, action, parameterArn(where, name), why)];
  if (parameter?.inputs["type"] === "SecureString") {
    const key = typeof parameter.inputs["keyId"] === "string" ? parameter.inputs["keyId"] : `arn:aws:kms:${where.region}:${where.account}:key/${SSM_MANAGED_KEY_ID}`;
    calls.push(call(role, where, "kms:Decrypt", key, `${why} (SecureString)`, { "kms:ViaService": `ssm.${where.region}.amazonaws.com`, "kms:CallerAccount": where.account, "kms:EncryptionContext:PARAMETER_ARN": parameterArn(where, name) }));
  }
  return calls;
}

/** S3 with SSE-KMS calls KMS for the requester: GenerateDataKey to write, Decrypt to read (and, for a multipart upload, both). */
function viaS3(role: string, where: Where, key: string | undefined, actions: string[], why: string): AwsCall[] {
  if (key === undefined) return [];
  return actions.map((action) => call(role, where, action, key, `${why} (SSE-KMS)`, { "kms:ViaService": `s3.${where.region}.amazonaws.com`, "kms:CallerAccount": where.account }));
}

const LAMBDA_SOURCE = path.join(__dirname, "..", "..", "..", "infra", "metrics", "lambda");

/** The AWS SDK v3 commands the bridge's code sends (`new XCommand(`), from its sources. */
export function bridgeSdkCommands(): string[] {
  const commands = new Set<string>();
  for (const file of readdirSync(LAMBDA_SOURCE).filter((name) => name.endsWith(".ts"))) {
    for (const match of readFileSync(path.join(LAMBDA_SOURCE, file), "utf8").matchAll(/new ([A-Z][A-Za-z]+)Command\(/g)) commands.add(match[1]!);
  }
  return [...commands].sort();
}

/**
 * The bridge's calls, per SDK command, with what the planned function's configuration names. Publishing to an
 * SNS topic encrypted with a customer key needs kms:GenerateDataKey* and kms:Decrypt on it
 * (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#sns-what-permissions-for-sse).
 */
const BRIDGE_COMMANDS: Record<string, (plan: Evaluation, role: string, where: Where, config: BridgeConfig) => AwsCall[]> = {
  GetParameters: (plan, role, where, config) =>
    [config.secrets.posthogApiKey, config.secrets.railwayToken, config.secrets.githubAppPrivateKey, config.watch?.recordParameter]
      .filter((name): name is string => name !== undefined)
      .flatMap((name) => readParameter(plan, role, where, "ssm:GetParameters", name, `metrics bridge: GetParameters ${name}`)),
  PutMetricData: (_, role, where, config) => [call(role, where, "cloudwatch:PutMetricData", "*", "metrics bridge: PutMetricData", { "cloudwatch:namespace": config.namespace })],
  PutObject: (plan, role, where, config) =>
    config.watch
      ? [
          call(role, where, "s3:PutObject", `arn:aws:s3:::${config.watch.audit.bucket}/${config.watch.audit.prefix}${config.environment}/watch/run/automatic-rollback.json`, "metrics bridge: the watch's audit record"),
          ...viaS3(role, where, bucketKey(plan, config.watch.audit.bucket), ["kms:GenerateDataKey"], "metrics bridge: the watch's audit record"),
        ]
      : [],
  Publish: (plan, role, where, config) => {
    if (!config.watch) return [];
    const topic = plan.resources.find((resource) => resource.type === "aws:sns/topic:Topic" && config.watch!.criticalTopicArn.endsWith(`:${String(resource.inputs["name"])}`));
    const key = topic?.inputs["kmsMasterKeyId"];
    const via = { "kms:ViaService": `sns.${where.region}.amazonaws.com`, "kms:CallerAccount": where.account };
    return [
      call(role, where, "sns:Publish", config.watch.criticalTopicArn, "metrics bridge: page the critical topic"),
      ...(typeof key === "string" ? ["kms:GenerateDataKey", "kms:Decrypt"].map((action) => call(role, where, action, key, "metrics bridge: publish to the encrypted topic", via)) : []),
    ];
  },
};

/**
 * A Lambda function writes its logs with its execution role: logs:CreateLogStream and logs:PutLogEvents on its
 * log group (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs.html, "Lambda needs
 * permission ... logs:CreateLogStream, logs:PutLogEvents"); CodeBuild likewise with its service role
 * (https://docs.aws.amazon.com/codebuild/latest/userguide/setting-up-service-role.html).
 */
function logCalls(role: string, where: Where, logGroup: string, why: string): AwsCall[] {
  const stream = `arn:aws:logs:${where.region}:${where.account}:log-group:${logGroup}:log-stream:2026/11/10/run`;
  return [call(role, where, "logs:CreateLogStream", stream, `${why}: logs`), call(role, where, "logs:PutLogEvents", stream, `${why}: logs`)];
}

function bridgeCalls(plan: Evaluation, fn: RecordedResource, where: Where): Derived {
  const problems: string[] = [];
  const variables = (fn.inputs["environment"] as { variables?: Record<string, string> } | undefined)?.variables ?? {};
  const config = JSON.parse(variables[BRIDGE_CONFIG_ENV] ?? "{}") as BridgeConfig;
  const role = roleName(fn.inputs["role"]);
  const calls: AwsCall[] = [];
  for (const command of bridgeSdkCommands()) {
    const build = BRIDGE_COMMANDS[command];
    if (!build) problems.push(`the metrics bridge sends ${command}Command (infra/metrics/lambda): add it to BRIDGE_COMMANDS in test/joints/aws/jobCalls.ts`);
    else calls.push(...build(plan, role, where, config));
  }
  const logGroup = (fn.inputs["loggingConfig"] as { logGroup?: string } | undefined)?.logGroup ?? `/aws/lambda/${String(fn.inputs["name"])}`;
  calls.push(...logCalls(role, where, logGroup, "metrics bridge"));
  return { calls, problems };
}

/** Every command a script runs: its own, those in functions, command substitutions and here-documents. */
function allCommands(script: string, depth = 0): Command[] {
  if (depth > 4) return [];
  return commandsOf(script).flatMap((command) => [command, ...[...command.substitutions, ...command.heredocs].flatMap((inner) => allCommands(inner, depth + 1))]);
}

const option = (words: readonly string[], name: string): string | undefined => {
  const index = words.indexOf(name);
  return index >= 0 ? words[index + 1] : words.find((word) => word.startsWith(`${name}=`))?.slice(name.length + 1);
};

/**
 * Expands `$VAR`/`${VAR}` from the job's variables and the script's own assignments; a command substitution
 * stands for its output. A variable assigned from `aws s3api list-objects-v2 … --prefix P` holds a key under P
 * (ListObjectsV2 "Limits the response to keys that begin with the specified prefix":
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html).
 */
function expander(environment: Record<string, string>) {
  const assigned = new Map<string, string>();
  const expand = (text: string): string =>
    text
      .replace(/\$\(([\s\S]*)\)/g, (_, inner: string) => {
        const listing = allCommands(inner).find((command) => programOf(command) === "aws" && invocation(command).includes("list-objects-v2"));
        const prefix = listing ? option(invocation(listing), "--prefix") : undefined;
        return prefix !== undefined ? `${expand(prefix)}-listed` : "-computed";
      })
      .replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (whole, name: string) => environment[name] ?? assigned.get(name) ?? whole);
  return {
    expand,
    assign(command: Command) {
      for (const raw of command.raw) {
        const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(raw);
        if (match && match[2] !== '""' && match[2] !== "") assigned.set(match[1]!, expand(match[2]!.replace(/^"|"$/g, "")));
      }
    },
  };
}

/**
 * The `aws` CLI commands the jobs run, as the IAM actions the CLI's operation maps to (`aws <service>
 * <operation>` calls the API operation of that name: https://docs.aws.amazon.com/cli/latest/reference/), and
 * `aws s3 cp`, which uploads with PutObject (multipart above 8 MB: https://docs.aws.amazon.com/cli/latest/topic/s3-config.html,
 * `multipart_threshold`; a multipart upload to an SSE-KMS bucket needs kms:Decrypt too:
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateMultipartUpload.html) and downloads with HeadObject and
 * GetObject (both authorised as s3:GetObject: https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html).
 */
/**
 * Reading an object of a bucket another stack declares (staging's refresh reads production's backups):
 * its key is not in this plan, so the call names a key of the account, and S3 passes the object's ARN
 * (or, with an S3 Bucket Key, the bucket's) as the encryption context `aws:s3:arn`
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html, "Encryption context").
 */
function foreignBucketDecrypt(plan: Evaluation, role: string, where: Where, bucket: string, key: string, why: string): AwsCall[] {
  if (plan.resources.some((resource) => resource.type === "aws:s3/bucket:Bucket" && resource.inputs["bucket"] === bucket)) return [];
  return [
    call(role, where, "kms:Decrypt", `arn:aws:kms:${where.region}:${where.account}:key/00000000-0000-4000-8000-00000000f0e1`, `${why} (SSE-KMS, another stack's key)`, {
      "kms:ViaService": `s3.${where.region}.amazonaws.com`,
      "kms:CallerAccount": where.account,
      "kms:EncryptionContext:aws:s3:arn": `arn:aws:s3:::${bucket}/${key}`,
    }),
  ];
}

/** Publishing to an SNS topic of the plan: sns:Publish, and for an SSE-KMS topic GenerateDataKey and Decrypt of its key through SNS (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html). */
function publish(plan: Evaluation, role: string, where: Where, topicArn: string, why: string): AwsCall[] {
  const topic = plan.resources.find((resource) => resource.type === "aws:sns/topic:Topic" && topicArn.endsWith(`:${String(resource.inputs["name"])}`));
  const key = typeof topic?.inputs["kmsMasterKeyId"] === "string" ? topic.inputs["kmsMasterKeyId"] : undefined;
  const context = { "kms:ViaService": `sns.${where.region}.amazonaws.com`, "kms:CallerAccount": where.account };
  return [call(role, where, "sns:Publish", topicArn, why), ...(key === undefined ? [] : ["kms:GenerateDataKey", "kms:Decrypt"].map((action) => call(role, where, action, key, `${why} (SSE-KMS topic)`, context)))];
}

const CLI_COMMANDS: Record<string, (words: string[], plan: Evaluation, role: string, where: Where, why: string) => AwsCall[]> = {
  "s3 cp": (words, plan, role, where, why) => {
    const [source, target] = words.slice(3).filter((word) => !word.startsWith("--") && !words[words.indexOf(word) - 1]?.startsWith("--metadata"));
    const object = (url: string) => /^s3:\/\/([^/]+)\/(.*)$/.exec(url);
    const up = object(target ?? "");
    const down = object(source ?? "");
    if (up) return [call(role, where, "s3:PutObject", `arn:aws:s3:::${up[1]}/${up[2]}`, why), ...viaS3(role, where, bucketKey(plan, up[1]!), ["kms:GenerateDataKey", "kms:Decrypt"], why)];
    if (down) return [call(role, where, "s3:GetObject", `arn:aws:s3:::${down[1]}/${down[2]}`, why), ...(bucketKey(plan, down[1]!) !== undefined ? viaS3(role, where, bucketKey(plan, down[1]!), ["kms:Decrypt"], why) : foreignBucketDecrypt(plan, role, where, down[1]!, down[2]!, why))];
    return [];
  },
  "s3api list-objects-v2": (words, _, role, where, why) => [call(role, where, "s3:ListBucket", `arn:aws:s3:::${option(words, "--bucket")}`, why, { "s3:prefix": option(words, "--prefix") ?? "" })],
  "s3api head-object": (words, _, role, where, why) => [call(role, where, "s3:GetObject", `arn:aws:s3:::${option(words, "--bucket")}/${option(words, "--key")}`, why)],
  "cloudwatch get-metric-statistics": (_, __, role, where, why) => [call(role, where, "cloudwatch:GetMetricStatistics", "*", why)],
  "cloudwatch put-metric-data": (words, _, role, where, why) => [call(role, where, "cloudwatch:PutMetricData", "*", why, { "cloudwatch:namespace": option(words, "--namespace") ?? "" })],
  "ssm get-parameter": (words, plan, role, where, why) => readParameter(plan, role, where, "ssm:GetParameter", option(words, "--name") ?? "", why),
  // GetParametersByPath "authorizes against the path in the request" (https://docs.aws.amazon.com/systems-manager/latest/userguide/ps-retrieval-authorization.html).
  "ssm get-parameters-by-path": (words, _, role, where, why) => [call(role, where, "ssm:GetParametersByPath", parameterArn(where, option(words, "--path") ?? ""), why)],
  "sns publish": (words, plan, role, where, why) => publish(plan, role, where, option(words, "--topic-arn") ?? "", why),
  "ssm put-parameter": (words, _, role, where, why) => [call(role, where, "ssm:PutParameter", `arn:aws:ssm:${where.region}:${where.account}:parameter/${(option(words, "--name") ?? "").replace(/^\//, "")}`, why)],
};

function buildProjectCalls(plan: Evaluation, project: RecordedResource, where: Where): Derived {
  const problems: string[] = [];
  const role = roleName(project.inputs["serviceRole"]);
  const name = String(project.inputs["name"]);
  const variables = ((project.inputs["environment"] as { environmentVariables?: { name: string; type: string; value: string }[] }).environmentVariables ?? []);
  const calls: AwsCall[] = [];
  // CodeBuild reads PARAMETER_STORE variables with the project's service role ("ssm:GetParameters":
  // https://docs.aws.amazon.com/codebuild/latest/userguide/setting-up-service-role.html).
  for (const variable of variables.filter((entry) => entry.type === "PARAMETER_STORE")) calls.push(...readParameter(plan, role, where, "ssm:GetParameters", variable.value, `${name}: CodeBuild reads ${variable.name}`));
  const logGroup = ((project.inputs["logsConfig"] as { cloudwatchLogs?: { groupName?: string } } | undefined)?.cloudwatchLogs?.groupName) ?? `/aws/codebuild/${name}`;
  calls.push(...logCalls(role, where, logGroup, name));
  const environment = Object.fromEntries(variables.filter((entry) => entry.type === "PLAINTEXT").map((entry) => [entry.name, entry.value]));
  const buildspec = parseYaml(String((project.inputs["source"] as { buildspec?: string }).buildspec)) as { phases: Record<string, { commands: string[] }> };
  for (const commands of Object.values(buildspec.phases)) {
    for (const text of commands.commands) {
      const { expand, assign } = expander(environment);
      for (const command of allCommands(text)) {
        assign(command);
        if (programOf(command) !== "aws") continue;
        const words = invocation(command).map(expand);
        const key = `${words[1]} ${words[2]}`;
        const build = CLI_COMMANDS[key];
        if (!build) problems.push(`${name} runs \`aws ${key}\`: add it to CLI_COMMANDS in test/joints/aws/jobCalls.ts`);
        else calls.push(...build(words, plan, role, where, `${name}: aws ${key}`));
      }
    }
  }
  return { calls, problems };
}

/**
 * A schedule's target is called with the schedule's role: lambda:InvokeFunction for a function,
 * codebuild:StartBuild for a project (https://docs.aws.amazon.com/scheduler/latest/UserGuide/setting-up.html#setting-up-execution-role;
 * templated targets: https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-targets-templated.html).
 */
function scheduleCalls(schedule: RecordedResource, where: Where): Derived {
  const target = schedule.inputs["target"] as { arn: string; roleArn: string };
  const role = roleName(target.roleArn);
  const why = `schedule ${String(schedule.inputs["name"])}`;
  if (target.arn.startsWith("arn:aws:lambda:")) return { calls: [call(role, where, "lambda:InvokeFunction", target.arn, why)], problems: [] };
  if (target.arn.startsWith("arn:aws:codebuild:")) return { calls: [call(role, where, "codebuild:StartBuild", target.arn, why)], problems: [] };
  return { calls: [], problems: [`${why} targets ${target.arn}: add its call to scheduleCalls in test/joints/aws/jobCalls.ts`] };
}

/** Every job call a planned stack's jobs make. */
export function jobCalls(plan: Evaluation, where: Where): Derived {
  const parts: Derived[] = [
    ...plan.resources.filter((resource) => resource.type === "aws:lambda/function:Function").map((fn) => bridgeCalls(plan, fn, where)),
    ...plan.resources.filter((resource) => resource.type === "aws:codebuild/project:Project").map((project) => buildProjectCalls(plan, project, where)),
    ...plan.resources.filter((resource) => resource.type === "aws:scheduler/schedule:Schedule").map((schedule) => scheduleCalls(schedule, where)),
  ];
  return { calls: parts.flatMap((part) => part.calls.map((entry) => ({ ...entry, why: `${plan.stack} ${entry.why}` }))), problems: parts.flatMap((part) => part.problems.map((problem) => `${plan.stack}: ${problem}`)) };
}
