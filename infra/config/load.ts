import * as pulumi from "@pulumi/pulumi";
import { StackSettings } from "./schema";
import { isConfigSecret } from "./configSecrets";
import { rolloutNow } from "../flags/clock";
import { plainSecretProblems, stackFileName } from "./secretKeys";
import { CONFIG_NAMESPACE, RawStackConfig, requiredSecretKeys, validateStackConfig } from "./validate";

/** A validated stack config: typed settings, and the secret values as Pulumi secrets. */
export interface StackConfig {
  settings: StackSettings;
  /** Secret config values by key (`databaseAdminPassword`, `pagerDutyEndpoint`, inventory names). */
  secrets: Record<string, pulumi.Output<string>>;
}

/**
 * The only place that reads Pulumi config. Reads every `flightdeck:*` key, validates it,
 * and stops the program with every problem listed (no stack trace) before any resource exists.
 */
export function loadStackConfig(): StackConfig {
  const all = pulumi.runtime.allConfig();
  const raw = readNamespace(all);
  // Dates in the config are judged by the program's clock (FLIGHTDECK_NOW when set), as the flags are.
  const today = rolloutNow().toISOString().slice(0, 10);
  const result = validateStackConfig(raw, { isSecret: (key) => isConfigSecret(`${CONFIG_NAMESPACE}:${key}`), today });
  const secretKeys = result.ok ? result.secretKeys : requiredSecretKeys(raw);
  const problems = [
    ...(result.ok ? [] : result.problems),
    ...plainSecretProblems(all, secretKeys, isConfigSecret, () => stackFileName(pulumi.getStack())),
  ];
  if (!result.ok || problems.length > 0) {
    throw new pulumi.RunError(
      `invalid stack configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
        problems.map((problem) => `  ${problem}`).join("\n"),
    );
  }
  const config = new pulumi.Config(CONFIG_NAMESPACE);
  const secrets: Record<string, pulumi.Output<string>> = {};
  for (const key of result.secretKeys) secrets[key] = config.requireSecret(key);
  return { settings: result.settings, secrets };
}

/** `flightdeck:*` entries of Pulumi's config map, objects parsed from their JSON form. */
export function readNamespace(all: Record<string, string>): RawStackConfig {
  const raw: RawStackConfig = {};
  const prefix = `${CONFIG_NAMESPACE}:`;
  for (const [key, value] of Object.entries(all)) {
    if (!key.startsWith(prefix)) continue;
    raw[key.slice(prefix.length)] = parseConfigValue(value);
  }
  return raw;
}

function parseConfigValue(value: string): unknown {
  const trimmed = value.trim();
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
    try {
      return JSON.parse(trimmed);
    } catch {
      return value;
    }
  }
  return value;
}
