import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

/**
 * What a pull request changes in the gate that judges it: the policy pack (code, config, waivers),
 * the pipeline that runs the judge (.github/), and the judge's tooling. CI judges a pull request
 * with the base branch's pack, so such a change takes effect only after it is merged; the comment
 * shows it so that reviewers (the code owners of these paths) see it.
 */
export type GateFileKind = "pack code" | "pack config" | "waivers" | "pipeline" | "judge tooling";

export interface GateFileChange {
  path: string;
  kind: GateFileKind;
  change: "added" | "removed" | "modified";
}

export interface GateChanges {
  files: GateFileChange[];
  /** Waivers the pull request adds or changes, one line each (policy, resource, stack, approver, expiry). */
  waiversAdded: string[];
}

/** Directories and files of a checkout that make up the gate, by kind. */
const GATE_ROOTS: readonly string[] = ["policies", ".github", "tools/plan", "tools/policy", "package.json", "package-lock.json"];
const SKIPPED = new Set(["node_modules", ".git"]);

export function kindOf(file: string): GateFileKind {
  if (file === "policies/waivers.yaml") return "waivers";
  if (/^policies\/config\/[^/]+\.json$/.test(file)) return "pack config";
  if (file.startsWith("policies/")) return "pack code";
  if (file.startsWith(".github/")) return "pipeline";
  return "judge tooling";
}

/** Every file under the gate's roots in a checkout, by path relative to it (with `/`). */
function gateFiles(checkout: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const visit = (relative: string) => {
    const absolute = path.join(checkout, relative);
    if (!existsSync(absolute)) return;
    const stats = statSync(absolute);
    if (stats.isDirectory()) {
      for (const entry of readdirSync(absolute).sort()) if (!SKIPPED.has(entry)) visit(path.posix.join(relative, entry));
    } else if (stats.isFile()) {
      files.set(relative, readFileSync(absolute));
    }
  };
  for (const root of GATE_ROOTS) visit(root);
  return files;
}

/** The gate files that differ between two checkouts, and the waivers the head adds. */
export function gateChanges(baseCheckout: string, headCheckout: string): GateChanges {
  const base = gateFiles(baseCheckout);
  const head = gateFiles(headCheckout);
  const files: GateFileChange[] = [];
  for (const file of [...new Set([...base.keys(), ...head.keys()])].sort()) {
    const before = base.get(file);
    const after = head.get(file);
    const change = before === undefined ? "added" : after === undefined ? "removed" : before.equals(after) ? undefined : "modified";
    if (change) files.push({ path: file, kind: kindOf(file), change });
  }
  return { files, waiversAdded: addedWaivers(base.get("policies/waivers.yaml"), head.get("policies/waivers.yaml")) };
}

function waiverEntries(text: Buffer | undefined): unknown[] {
  if (text === undefined) return [];
  try {
    const document: unknown = parse(text.toString("utf8"));
    const entries = document !== null && typeof document === "object" && !Array.isArray(document) ? (document as Record<string, unknown>)["waivers"] : undefined;
    return Array.isArray(entries) ? entries : [];
  } catch {
    return []; // the pack reports an unreadable file; here it only adds nothing to list
  }
}

function addedWaivers(before: Buffer | undefined, after: Buffer | undefined): string[] {
  const known = new Set(waiverEntries(before).map((entry) => JSON.stringify(entry)));
  return waiverEntries(after)
    .filter((entry) => !known.has(JSON.stringify(entry)))
    .map((entry) => {
      const field = (key: string) => {
        const value = entry !== null && typeof entry === "object" ? (entry as Record<string, unknown>)[key] : undefined;
        return value === undefined ? "?" : String(value);
      };
      return `${field("policy")} on ${field("resource")} (stack ${field("stack")}), approved by ${field("approvedBy")} until ${field("expires")}: ${field("reason")}`;
    });
}
