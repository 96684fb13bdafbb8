import type { PlanDiff } from "../diff";
import { PlanDocument, PlannedResource, PolicySection } from "../document";
import { policyLines } from "./policyText";
import { ArtifactSection, failedChecks, failureLine } from "../../artifacts/section";

const MAX_VALUE = 96;
const MAX_DEPTH = 3;

/**
 * The plan as text: the verdict first (and the violations with their remediation), then the resources
 * as a tree under their components. By default a component's resources of one type are one line (count
 * and names) without inputs, so a 200-resource stack fits a screen; `verbose` lists each resource with
 * its inputs.
 */
export function renderText(plan: PlanDocument, options: { verbose?: boolean } = {}): string {
  const lines: string[] = [`Plan of stack ${plan.stack} (project ${plan.project}), evaluated offline`, verdictLine(plan.policy), ...artifactLines(plan.artifacts)];
  if (plan.policy) lines.push("", ...policyLines(plan.policy));
  const children = new Map<string | null, PlannedResource[]>();
  for (const resource of plan.resources) {
    const siblings = children.get(resource.parent) ?? [];
    siblings.push(resource);
    children.set(resource.parent, siblings);
  }
  const known = new Set(plan.resources.map((resource) => resource.urn));
  const roots = plan.resources.filter((resource) => resource.parent === null || !known.has(resource.parent));

  lines.push("", `Resources: ${plan.summary.resources}${options.verbose ? "" : " (inputs with --verbose or --format json)"}`);
  const visit = (resource: PlannedResource, indent: string) => {
    lines.push(`${indent}${resource.custom ? "+" : "▸"} ${resource.type}  ${resource.name}`);
    if (resource.custom && options.verbose) {
      for (const line of inputLines(resource.inputs)) lines.push(`${indent}    ${line}`);
    }
    const inner = children.get(resource.urn) ?? [];
    if (options.verbose) {
      for (const child of inner) visit(child, indent + "  ");
      return;
    }
    for (const child of inner.filter((child) => !child.custom || (children.get(child.urn) ?? []).length > 0)) visit(child, indent + "  ");
    for (const line of leafGroupLines(resource.name, inner.filter((child) => child.custom && (children.get(child.urn) ?? []).length === 0))) {
      lines.push(`${indent}  ${line}`);
    }
  };
  for (const root of roots) visit(root, "");

  lines.push("", "By type:");
  const width = Math.max(...Object.keys(plan.summary.byType).map((type) => type.length));
  for (const [type, count] of Object.entries(plan.summary.byType)) lines.push(`  ${type.padEnd(width)}  ${count}`);
  if (plan.diff) lines.push("", ...diffLines(plan.diff));
  if ((plan.encryptedSecrets ?? []).length > 0) {
    lines.push("", `Encrypted secrets (set; only the Pulumi CLI decrypts them, so the plan follows their ciphertext): ${(plan.encryptedSecrets ?? []).join(", ")}`);
  }
  if (plan.unsetSecrets.length > 0) {
    lines.push("", `Unset secrets (offline placeholders; \`pulumi up\` requires them): ${plan.unsetSecrets.join(", ")}`);
  }
  return lines.join("\n") + "\n";
}

/** One line that says whether the change may go ahead. */
export function verdictLine(policy: PolicySection | undefined): string {
  if (!policy) return "Verdict: not judged (--no-policy)";
  const mandatory = [...new Set(policy.violations.filter((v) => v.enforcementLevel === "mandatory").map((v) => v.policy))];
  const advisory = policy.violations.filter((v) => v.enforcementLevel !== "mandatory").length;
  const counts = `${advisory} advisory, ${policy.waived.length} waived`;
  if (mandatory.length === 0) return `Verdict: passes (no mandatory violation; ${counts})`;
  const count = policy.violations.length - advisory;
  return `Verdict: BLOCKED by ${count} mandatory violation${count === 1 ? "" : "s"} of ${mandatory.join(", ")} (${counts})`;
}

/** The artifact check's verdict: one line when it passes, one per failed check when it blocks. */
export function artifactLines(section: ArtifactSection | undefined): string[] {
  if (!section || section.checks.length === 0) return [];
  const failed = failedChecks(section);
  if (failed.length === 0) return [`Artifacts: the planned code behaves as its config says (${section.checks.length} scenario${section.checks.length === 1 ? "" : "s"} passed)`];
  return [`Artifacts: BLOCKED by ${failed.length} failed behaviour check${failed.length === 1 ? "" : "s"} of the planned code`, ...failed.map((check) => `  ✗ ${failureLine(check)}`)];
}

/** A component's leaf resources, one line per type: `+ 3 × type: name, name, name`, names without the component's prefix. */
function leafGroupLines(parentName: string, leaves: readonly PlannedResource[]): string[] {
  const byType = new Map<string, string[]>();
  for (const leaf of leaves) {
    const name = leaf.name.startsWith(`${parentName}-`) && leaf.name.length > parentName.length + 1 ? `…-${leaf.name.slice(parentName.length + 1)}` : leaf.name;
    byType.set(leaf.type, [...(byType.get(leaf.type) ?? []), name]);
  }
  return [...byType.entries()].map(([type, names]) => (names.length === 1 ? `+ ${type}  ${names[0]}` : `+ ${names.length} × ${type}  ${shortList(names)}`));
}

function shortList(names: readonly string[]): string {
  const shown: string[] = [];
  let length = 0;
  for (const name of names) {
    if (shown.length > 0 && length + name.length > MAX_VALUE) return `${shown.join(", ")}, … (${names.length - shown.length} more)`;
    shown.push(name);
    length += name.length + 2;
  }
  return shown.join(", ");
}

const SIGN = { create: "+", update: "~", replace: "+-", delete: "-" } as const;

/** The changes against the base plan: counts, then one line per changed resource (paths, never values). */
export function diffLines(diff: PlanDiff): string[] {
  const { create, update, replace, delete: deleted, unchanged } = diff.counts;
  const lines = [`Changes against the base plan: ${create} to create, ${update} to update, ${replace} to replace, ${deleted} to delete, ${unchanged} unchanged`];
  for (const change of diff.changes) {
    let line = `  ${SIGN[change.kind].padEnd(2)} ${change.kind.padEnd(7)} ${change.type}  ${change.name}`;
    const secret = new Set(change.secretPaths ?? []);
    if (change.paths.length > 0) line += `: ${change.paths.map((path) => (secret.has(path) ? `${path} (secret)` : path)).join(", ")}`;
    if (change.replaceBecause) line += ` (replaced because ${change.replaceBecause.join(", ")} changed)`;
    lines.push(line);
  }
  return lines;
}

/** `path: value` lines for an input object, nested objects flattened a few levels deep. */
export function inputLines(inputs: Record<string, unknown>): string[] {
  const lines: string[] = [];
  const walk = (value: unknown, path: string, depth: number) => {
    if (value !== null && typeof value === "object" && depth < MAX_DEPTH) {
      const entries = Array.isArray(value) ? value.map((item, index) => [`[${index}]`, item] as const) : Object.entries(value);
      if (entries.length === 0) {
        lines.push(`${path}: ${Array.isArray(value) ? "[]" : "{}"}`);
        return;
      }
      for (const [key, child] of entries) walk(child, key.startsWith("[") ? `${path}${key}` : path ? `${path}.${key}` : key, depth + 1);
      return;
    }
    lines.push(`${path}: ${shorten(value)}`);
  };
  walk(inputs, "", 0);
  return lines;
}

function shorten(value: unknown): string {
  if (typeof value === "string" && value.includes("\n")) {
    const count = value.split("\n").length;
    return `${JSON.stringify(value.split("\n")[0]!.slice(0, 60))} … (${count} lines)`;
  }
  const text = JSON.stringify(value) ?? "undefined";
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 1)}…` : text;
}
