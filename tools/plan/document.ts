import { Evaluation } from "../offline/evaluate";
import { maskSecrets } from "../offline/values";

/** How every secret value is printed, in every format. */
export const SECRET_MASK = "[secret]";

export interface PlannedResource {
  urn: string;
  type: string;
  name: string;
  parent: string | null;
  custom: boolean;
  inputs: Record<string, unknown>;
}

/** What `npm run plan` reports for one stack; `--format json` prints it as is. */
export interface PlanDocument {
  project: string;
  stack: string;
  resources: PlannedResource[];
  summary: { resources: number; byType: Record<string, number> };
  /** Secret config keys that were not set; the offline plan used a placeholder. */
  unsetSecrets: string[];
}

export function planDocument(evaluation: Evaluation): PlanDocument {
  const resources = evaluation.resources.map((resource) => ({
    urn: resource.urn,
    type: resource.type,
    name: resource.name,
    parent: resource.parent,
    custom: resource.custom,
    inputs: maskSecrets(resource.inputs, resource.secretPaths, SECRET_MASK),
  }));
  const byType: Record<string, number> = {};
  for (const resource of resources) byType[resource.type] = (byType[resource.type] ?? 0) + 1;
  const sortedByType = Object.fromEntries(Object.entries(byType).sort(([a], [b]) => a.localeCompare(b)));
  return {
    project: evaluation.project,
    stack: evaluation.stack,
    resources,
    summary: { resources: resources.length, byType: sortedByType },
    unsetSecrets: evaluation.placeholders,
  };
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
