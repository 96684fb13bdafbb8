import * as path from "node:path";
import { anyGlobMatch } from "../../policies/lib/glob";
import { isRecord } from "../../policies/lib/values";
import type { FilePosition } from "../offline/errors";
import type { StackConfigMap } from "../offline/stackConfig";

/**
 * Facts the pack's config holds on purpose, beside the stack files that hold them too: the deploy
 * App's id (the rulesets' only bypass actor, the workflow files' only committer) and the Vercel keys
 * that may be plain. The judge must not take them from the pull request it judges, so a change to
 * one is a change to `policies/config/<stack>.json`, which code owners review. When the two copies
 * disagree, the plan says so once, naming both files, before anything is judged (exit 2), instead of
 * a violation per resource that names neither.
 */
export function packCopyDisagreements(policyConfig: unknown, configPath: string, stack: StackConfigMap, projectDir: string): string[] {
  if (!isRecord(policyConfig)) return [];
  const configFile = path.relative(projectDir, configPath) || configPath;
  const where = (key: string, segments: (string | number)[]) => located(stack.locate?.(key, segments) ?? stack.positions[key], projectDir);
  const problems: string[] = [];

  const github = parsed(stack.config["flightdeck:github"]);
  const deployIdentity = isRecord(github) && isRecord(github["deployIdentity"]) ? github["deployIdentity"] : undefined;
  const appId = deployIdentity?.["id"];
  if (typeof appId === "number") {
    const others = Object.entries(policyConfig)
      .filter(([, settings]) => isRecord(settings) && settings["appId"] !== undefined && settings["appId"] !== appId)
      .map(([policy, settings]) => `${policy} ${JSON.stringify((settings as Record<string, unknown>)["appId"])}`);
    if (others.length > 0) {
      problems.push(
        `${where("flightdeck:github", ["deployIdentity", "id"])}: flightdeck:github.deployIdentity.id is ${appId}, but ${configFile} gives appId ${others.join(", ")}: ` +
          `the pack keeps its own copy of the deploy App on purpose (the judge does not take it from the pull request); change both in one reviewed change`,
      );
    }
  }

  const sensitive = policyConfig["vercel-env-var-sensitive"];
  const plainKeys = isRecord(sensitive) && Array.isArray(sensitive["plainKeys"]) ? sensitive["plainKeys"].filter((key): key is string => typeof key === "string") : undefined;
  if (plainKeys !== undefined) {
    for (const { key, at } of plainVercelKeys(stack, where)) {
      if (anyGlobMatch(plainKeys, key)) continue;
      problems.push(
        `${at}: ${key} is a plain (not sensitive) Vercel variable, but ${configFile}'s vercel-env-var-sensitive.plainKeys (${plainKeys.join(", ")}) does not allow it: ` +
          `the pack keeps its own list on purpose (the judge does not take it from the pull request); add the key there in the same change, or make the value a secret`,
      );
    }
  }
  return problems;
}

/** The keys the program writes to Vercel as plain variables: every runtime setting, and the public entries of the secret inventory that go to Vercel. */
function plainVercelKeys(stack: StackConfigMap, where: (key: string, segments: (string | number)[]) => string): { key: string; at: string }[] {
  const keys: { key: string; at: string }[] = [];
  const settings = parsed(stack.config["flightdeck:runtimeSettings"]);
  if (isRecord(settings)) for (const key of Object.keys(settings)) keys.push({ key, at: where("flightdeck:runtimeSettings", [key]) });
  const secrets = parsed(stack.config["flightdeck:secrets"]);
  (Array.isArray(secrets) ? secrets : []).forEach((entry: unknown, index: number) => {
    if (!isRecord(entry) || typeof entry["name"] !== "string" || entry["kind"] !== "public") return;
    const destinations = entry["destinations"];
    if (isRecord(destinations) && destinations["vercel"] === true) keys.push({ key: entry["name"], at: where("flightdeck:secrets", [index, "name"]) });
  });
  return keys;
}

function parsed(value: string | undefined): unknown {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return undefined;
  }
}

function located(position: FilePosition | undefined, projectDir: string): string {
  if (position === undefined) return "the stack's config";
  const file = path.isAbsolute(position.file) ? path.relative(projectDir, position.file) : position.file;
  return `${file}:${position.line}:${position.column}`;
}
