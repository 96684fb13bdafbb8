import { Evaluation } from "../offline/evaluate";
import { RecordedProvider, RecordedResource } from "../offline/monitor";
import { maskSecrets, parsePath } from "../offline/values";
import type { ArtifactSection } from "../artifacts/section";
import type { PlanDiff } from "./diff";
import { canonicalJson, secretFingerprint } from "./fingerprint";

/** How every secret value is printed, in every format. */
export const SECRET_MASK = "[secret]";

/** A recorded resource as the plan prints it: its inputs with every secret masked. */
export interface PlannedResource extends Pick<RecordedResource, "urn" | "type" | "name" | "parent" | "custom" | "inputs"> {
  /** The resource options the engine hands the pack (protect, dependsOn, provider, …); `--judge` needs them. */
  options?: RecordedResource["options"];
  /**
   * For each secret input path, a short HMAC of its value keyed by the resource's URN (see
   * `secretFingerprint`), so that a diff can tell a changed secret from an unchanged one while
   * both print as "[secret]". Absent when the resource has no secret input.
   */
  secretFingerprints?: Record<string, string>;
  /**
   * For each secret input path, a number shared by every secret input of this plan that holds the
   * same value (1, 2, …). `--judge` gives the pack each secret as `[secret #N]`: the pack can tell
   * equal secrets from different ones, as it could with the values, without the plan holding them.
   */
  secretValueIds?: Record<string, number>;
  /** The URN of the provider the engine analyzes this resource with (an entry of PlanDocument.providers). */
  providerUrn?: string;
  /** Only in `--format evaluation`: the secret input paths, whose values `inputs` then holds as evaluated. */
  secretPaths?: string[];
}

/** A provider the engine hands the pack with the resources that use it (explicit, or a package's default). */
export interface PlannedProvider extends Pick<RecordedProvider, "urn" | "type" | "name" | "inputs"> {
  /** As PlannedResource.secretValueIds, numbered in the same table. */
  secretValueIds?: Record<string, number>;
  /** As PlannedResource.secretPaths. */
  secretPaths?: string[];
}

/** What `npm run plan` reports for one stack; `--format json` prints it as is. */
export interface PlanDocument {
  project: string;
  stack: string;
  resources: PlannedResource[];
  /** Each provider the resources are analyzed with, once; `--judge` hands them to the pack again. */
  providers?: PlannedProvider[];
  summary: { resources: number; byType: Record<string, number> };
  /** Secret config keys that were not set; the offline plan used a placeholder. */
  unsetSecrets: string[];
  /** Secret config keys set encrypted in the stack file; the offline plan used a placeholder that follows the ciphertext. */
  encryptedSecrets?: string[];
  /** The pack's verdict; absent with `--no-policy` or until the pack has run. */
  policy?: PolicySection;
  /** The changes against a base plan, when run with `--against BASE.json`. */
  diff?: PlanDiff;
  /** The artifact check (tools/artifacts/check.ts): the planned code run against stand-ins; a failed check blocks. */
  artifacts?: ArtifactSection;
}

/**
 * The plan of an evaluation. Every secret input is masked, unless `keepSecretValues` (`--format
 * evaluation`, the hand-off from the job that evaluates a pull request's program to the job that
 * judges it): then inputs are as the offline engine evaluated them, with their secret paths. The
 * offline engine cannot decrypt a secret, so those values are its placeholders and whatever the
 * program itself wraps in pulumi.secret(); the pack needs them to judge as the engine would let it
 * (the SDK hands policies secrets unwrapped), e.g. a provider's JSON-encoded appAuth.
 */
export function planDocument(evaluation: Evaluation, options: { keepSecretValues?: boolean } = {}): PlanDocument {
  const keep = options.keepSecretValues === true;
  const masked = (item: Pick<RecordedResource, "inputs" | "secretPaths">) =>
    keep ? { inputs: item.inputs, ...(item.secretPaths.length > 0 ? { secretPaths: item.secretPaths } : {}) } : { inputs: maskSecrets(item.inputs, item.secretPaths, SECRET_MASK) };
  const valueIds = new Map<string, number>();
  const resources = evaluation.resources.map((resource) => ({
    urn: resource.urn,
    type: resource.type,
    name: resource.name,
    parent: resource.parent,
    custom: resource.custom,
    ...masked(resource),
    options: resource.options,
    ...fingerprintsOf(resource),
    ...secretValueIdsOf(resource, valueIds),
    ...(resource.provider ? { providerUrn: resource.provider.urn } : {}),
  }));
  const providers = new Map<string, PlannedProvider>();
  for (const { provider } of evaluation.resources) {
    if (!provider || providers.has(provider.urn)) continue;
    providers.set(provider.urn, {
      urn: provider.urn,
      type: provider.type,
      name: provider.name,
      ...masked(provider),
      ...secretValueIdsOf(provider, valueIds),
    });
  }
  const byType: Record<string, number> = {};
  for (const resource of resources) byType[resource.type] = (byType[resource.type] ?? 0) + 1;
  const sortedByType = Object.fromEntries(Object.entries(byType).sort(([a], [b]) => a.localeCompare(b)));
  return {
    project: evaluation.project,
    stack: evaluation.stack,
    resources,
    ...(providers.size > 0 ? { providers: [...providers.values()] } : {}),
    summary: { resources: resources.length, byType: sortedByType },
    unsetSecrets: evaluation.placeholders,
    encryptedSecrets: evaluation.encryptedPlaceholders,
  };
}

/** Fingerprints of the secret inputs of a recorded (unmasked) resource, computed before masking. */
function fingerprintsOf(resource: RecordedResource): Pick<PlannedResource, "secretFingerprints"> {
  const fingerprints: Record<string, string> = {};
  for (const path of resource.secretPaths) {
    const found = valueAt(resource.inputs, path);
    if (found.present) fingerprints[path] = secretFingerprint(resource.urn, path, found.value);
  }
  return Object.keys(fingerprints).length > 0 ? { secretFingerprints: fingerprints } : {};
}

/** Numbers for the secret values of a resource, shared across the plan by equal values (`ids` is the plan's table). */
function secretValueIdsOf(resource: Pick<RecordedResource, "inputs" | "secretPaths">, ids: Map<string, number>): Pick<PlannedResource, "secretValueIds"> {
  const result: Record<string, number> = {};
  for (const path of resource.secretPaths) {
    const found = valueAt(resource.inputs, path);
    if (!found.present) continue;
    const key = canonicalJson(found.value);
    let id = ids.get(key);
    if (id === undefined) {
      id = ids.size + 1;
      ids.set(key, id);
    }
    result[path] = id;
  }
  return Object.keys(result).length > 0 ? { secretValueIds: result } : {};
}

function valueAt(inputs: Record<string, unknown>, path: string): { present: boolean; value?: unknown } {
  let current: unknown = inputs;
  for (const segment of parsePath(path)) {
    if (current === null || typeof current !== "object" || !(segment in current)) return { present: false };
    current = (current as Record<string | number, unknown>)[segment];
  }
  return { present: true, value: current };
}

/** One policy of the pack, as the reports describe it. */
export interface PolicyDescription {
  name: string;
  description: string;
  severity: "low" | "medium" | "high" | "critical";
  enforcementLevel: "advisory" | "mandatory" | "remediate" | "disabled";
  remediation: string;
}

export interface PolicyViolation {
  policy: string;
  enforcementLevel: "advisory" | "mandatory";
  severity: PolicyDescription["severity"];
  /** null for stack policies. */
  urn: string | null;
  message: string;
  /** With `--against`: the base plan, judged by the same pack, has a violation of this policy on this resource too. */
  onBase?: boolean;
}

export interface WaivedViolation extends PolicyViolation {
  approvedBy: string;
  reason: string;
  expires: string;
}

/** The pack's verdict on a plan; `--format json` adds it under `policy`. */
export interface PolicySection {
  pack: string;
  version: string;
  violations: PolicyViolation[];
  waived: WaivedViolation[];
  /** Problems with the waivers file itself (expired or unmatched waivers, a malformed entry). */
  waiverProblems: string[];
  policies: PolicyDescription[];
}
