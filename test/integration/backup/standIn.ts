import { createHash } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { RecordedResource, inputAt } from "../../harness";

/** What the scripts left in the AWS stand-in (aws-stand-in.cjs): objects, metadata, metrics, parameters, calls. */
export interface AwsStandIn {
  /** Put on PATH: holds `aws`. */
  binDir: string;
  /** AWS_STAND_IN_DIR. */
  stateDir: string;
  objectKeys(bucket: string): string[];
  object(bucket: string, key: string): Buffer;
  /** Replaces an object's bytes; `metadata` replaces its metadata too (as a writer that could overwrite would). */
  replaceObject(bucket: string, key: string, content: Buffer, metadata?: Record<string, string>): void;
  metadata(bucket: string, key: string): Record<string, string>;
  metrics(): { Namespace: string; MetricName: string; Value: number; Unit: string; Timestamp?: string }[];
  parameter(name: string): string | undefined;
  /** Sets parameters, as a stack or another job would have written them. */
  putParameters(values: Record<string, string>): void;
  /** What was published to SNS topics, in order. */
  published(): { TopicArn: string; Subject?: string; Message: string }[];
  calls(): string[][];
  remove(): void;
}

export function sha256(content: Buffer): string {
  return createHash("sha256").update(content).digest("hex");
}

export function createAwsStandIn(): AwsStandIn {
  const root = mkdtempSync(path.join(tmpdir(), "flightdeck-aws-"));
  const binDir = path.join(root, "bin");
  const stateDir = path.join(root, "state");
  mkdirSync(binDir);
  mkdirSync(stateDir);
  writeFileSync(path.join(binDir, "aws"), `#!/bin/sh\nexec node ${JSON.stringify(path.join(__dirname, "aws-stand-in.cjs"))} "$@"\n`);
  chmodSync(path.join(binDir, "aws"), 0o755);
  const lines = (file: string) => (existsSync(file) ? readFileSync(file, "utf8").split("\n").filter(Boolean) : []);
  const objectPath = (bucket: string, key: string) => path.join(stateDir, "s3", bucket, key);
  const metaPath = (bucket: string, key: string) => path.join(stateDir, "s3-metadata", bucket, `${key}.json`);
  return {
    binDir,
    stateDir,
    objectKeys(bucket) {
      const base = path.join(stateDir, "s3", bucket);
      const keys: string[] = [];
      const walk = (folder: string) => {
        if (!existsSync(folder)) return;
        for (const entry of readdirSync(folder, { withFileTypes: true })) {
          const full = path.join(folder, entry.name);
          if (entry.isDirectory()) walk(full);
          else keys.push(path.relative(base, full).split(path.sep).join("/"));
        }
      };
      walk(base);
      return keys.sort();
    },
    object: (bucket, key) => readFileSync(objectPath(bucket, key)),
    replaceObject(bucket, key, content, metadata) {
      writeFileSync(objectPath(bucket, key), content);
      if (metadata) writeFileSync(metaPath(bucket, key), JSON.stringify(metadata));
    },
    metadata: (bucket, key) => JSON.parse(readFileSync(metaPath(bucket, key), "utf8")) as Record<string, string>,
    metrics: () => lines(path.join(stateDir, "metrics.jsonl")).map((line) => JSON.parse(line)),
    parameter(name) {
      const file = path.join(stateDir, "ssm.json");
      return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as Record<string, string>)[name] : undefined;
    },
    putParameters(values) {
      const file = path.join(stateDir, "ssm.json");
      const current = existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as Record<string, string>) : {};
      writeFileSync(file, JSON.stringify({ ...current, ...values }));
    },
    published: () => lines(path.join(stateDir, "sns.jsonl")).map((line) => JSON.parse(line)),
    calls: () => lines(path.join(stateDir, "calls.jsonl")).map((line) => JSON.parse(line) as string[]),
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** A planned CodeBuild project's build command and the environment CodeBuild gives it (PLAINTEXT values; PARAMETER_STORE ones from `parameters`). */
export function buildOf(project: RecordedResource, parameters: Record<string, string> = {}): { command: string; env: Record<string, string> } {
  const buildspec = parse(String(inputAt(project, "source.buildspec"))) as { phases: { build: { commands: string[] } } };
  const variables = inputAt(project, "environment.environmentVariables") as { name: string; type: string; value: string }[];
  const env: Record<string, string> = {};
  for (const variable of variables) {
    if (variable.type === "PARAMETER_STORE") {
      const value = parameters[variable.value];
      if (value === undefined) throw new Error(`no value for the parameter ${variable.value} of ${variable.name}`);
      env[variable.name] = value;
    } else env[variable.name] = variable.value;
  }
  if (buildspec.phases.build.commands.length !== 1) throw new Error(`${project.name}: expected one build command`);
  return { command: buildspec.phases.build.commands[0]!, env };
}
