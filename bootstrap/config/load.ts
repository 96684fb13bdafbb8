import * as pulumi from "@pulumi/pulumi";
import { isConfigSecret } from "../../infra/config/configSecrets";
import { plainSecretProblems, stackFileName } from "../../infra/config/secretKeys";
import { BootstrapSettings } from "./schema";
import { BOOTSTRAP_NAMESPACE, RawBootstrapConfig, requiredBootstrapSecretKeys, validateBootstrapConfig } from "./validate";

/** A validated bootstrap config: typed settings, and the secret values as Pulumi secrets. */
export interface BootstrapConfig {
  settings: BootstrapSettings;
  /** `aws:region`: where the bucket, keys, rule and topic live. */
  region: string;
  secrets: Record<string, pulumi.Output<string>>;
}

/**
 * The only place the bootstrap program reads Pulumi config: every `flightdeck-bootstrap:*` key,
 * validated, the program stopped with every problem listed (no stack trace) before any resource exists.
 */
export function loadBootstrapConfig(): BootstrapConfig {
  const all = pulumi.runtime.allConfig();
  const raw = readBootstrapNamespace(all);
  const result = validateBootstrapConfig(raw, { isSecret: (key) => isConfigSecret(`${BOOTSTRAP_NAMESPACE}:${key}`) });
  const region = all["aws:region"];
  const secretKeys = result.ok ? result.secretKeys : requiredBootstrapSecretKeys(raw);
  const problems = [
    ...(result.ok ? [] : result.problems),
    ...regionProblems(all),
    ...plainSecretProblems(all, secretKeys, isConfigSecret, () => stackFileName(pulumi.getStack()), BOOTSTRAP_NAMESPACE),
  ];
  if (!result.ok || problems.length > 0 || region === undefined) {
    throw new pulumi.RunError(
      `invalid bootstrap configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` + problems.map((problem) => `  ${problem}`).join("\n"),
    );
  }
  const config = new pulumi.Config(BOOTSTRAP_NAMESPACE);
  const secrets: Record<string, pulumi.Output<string>> = {};
  for (const key of result.secretKeys) secrets[key] = config.requireSecret(key);
  return { settings: result.settings, region, secrets };
}

/** `aws:region` must name a region: the bucket, keys, rule and topic live there. */
export function regionProblems(all: Record<string, string>): string[] {
  const region = all["aws:region"];
  return region === undefined || !/^[a-z]{2}(-[a-z]+)+-\d$/.test(region) ? [`aws:region: must be set to an AWS region (got ${JSON.stringify(region ?? null)})`] : [];
}

/** `flightdeck-bootstrap:*` entries of Pulumi's config map, objects parsed from their JSON form. */
export function readBootstrapNamespace(all: Record<string, string>): RawBootstrapConfig {
  const raw: RawBootstrapConfig = {};
  const prefix = `${BOOTSTRAP_NAMESPACE}:`;
  for (const [key, value] of Object.entries(all)) {
    if (!key.startsWith(prefix)) continue;
    const trimmed = value.trim();
    let parsed: unknown = value;
    if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
      try {
        parsed = JSON.parse(trimmed);
      } catch {
        parsed = value;
      }
    }
    raw[key.slice(prefix.length)] = parsed;
  }
  return raw;
}
