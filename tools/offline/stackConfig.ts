import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

/** A stack's config as the Pulumi CLI hands it to the program: fully-qualified keys, string values. */
export interface StackConfigMap {
  project: string;
  stack: string;
  config: Record<string, string>;
  /** Secret values as the stack file holds them (`secure:` ciphertext, by fully-qualified key): only the CLI can decrypt them. */
  encrypted: Record<string, string>;
}

export class UnknownStackError extends Error {}

/** Reads Pulumi.yaml's project-level values and Pulumi.<stack>.yaml, the stack's value winning per key. */
export function readStackConfig(stack: string, projectDir: string): StackConfigMap {
  const projectFile = path.join(projectDir, "Pulumi.yaml");
  const stackFile = path.join(projectDir, `Pulumi.${stack}.yaml`);
  if (!/^[A-Za-z0-9_.-]+$/.test(stack) || !existsSync(stackFile)) {
    throw new UnknownStackError(`unknown stack ${JSON.stringify(stack)}: no ${path.basename(stackFile)} in ${projectDir}`);
  }
  const project = asRecord(parse(readFileSync(projectFile, "utf8")), projectFile);
  const projectName = String(project["name"]);
  const config: Record<string, string> = {};
  const encrypted: Record<string, string> = {};

  for (const [key, declaration] of Object.entries(asRecord(project["config"] ?? {}, projectFile))) {
    const value = isRecord(declaration) && ("value" in declaration || "default" in declaration)
      ? declaration["value"] ?? declaration["default"]
      : declaration;
    if (value !== undefined) config[qualify(key, projectName)] = toConfigString(value);
  }
  const stackSettings = asRecord(parse(readFileSync(stackFile, "utf8")) ?? {}, stackFile);
  for (const [key, value] of Object.entries(asRecord(stackSettings["config"] ?? {}, stackFile))) {
    if (isRecord(value) && "secure" in value) {
      encrypted[qualify(key, projectName)] = String(value["secure"]);
      continue;
    }
    config[qualify(key, projectName)] = toConfigString(value);
  }
  return { project: projectName, stack, config, encrypted };
}

function qualify(key: string, projectName: string): string {
  return key.includes(":") ? key : `${projectName}:${key}`;
}

function toConfigString(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function asRecord(value: unknown, file: string): Record<string, unknown> {
  if (!isRecord(value)) throw new Error(`${file}: expected a YAML mapping`);
  return value;
}
