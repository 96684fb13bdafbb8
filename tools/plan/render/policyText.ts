import { PolicySection, PolicyViolation } from "../document";

/** The pack's verdict as text: violations grouped by policy (mandatory first) with remediation, then waivers. */
export function policyLines(section: PolicySection): string[] {
  const mandatory = section.violations.filter((v) => v.enforcementLevel === "mandatory").length;
  const advisory = section.violations.length - mandatory;
  const lines = [
    `Policy pack ${section.pack} ${section.version}: ${mandatory} mandatory, ${advisory} advisory violation(s), ${section.waived.length} waived` +
      (mandatory > 0 ? " — BLOCKED" : ""),
  ];
  const byPolicy = new Map<string, PolicyViolation[]>();
  for (const violation of section.violations) byPolicy.set(violation.policy, [...(byPolicy.get(violation.policy) ?? []), violation]);
  const ordered = [...byPolicy.entries()].sort(([, a], [, b]) => rank(a) - rank(b));
  for (const [name, violations] of ordered) {
    const policy = section.policies.find((p) => p.name === name);
    lines.push("", `  [${violations[0]!.enforcementLevel}] ${name} (${violations[0]!.severity})`);
    for (const violation of violations) lines.push(`    - ${violation.urn ? `${shortUrn(violation.urn)}: ` : ""}${violation.message}`);
    if (policy?.remediation) lines.push("    remediation:", ...policy.remediation.split("\n").map((step) => `      ${step}`));
  }
  if (section.waived.length > 0) {
    lines.push("", "  Waived:");
    for (const waived of section.waived) {
      lines.push(`    - ${waived.policy}${waived.urn ? ` on ${shortUrn(waived.urn)}` : ""}: waived by ${waived.approvedBy} until ${waived.expires} (${waived.reason})`);
    }
  }
  if (section.waiverProblems.length > 0) lines.push("", "  Waiver problems:", ...section.waiverProblems.map((problem) => `    - ${problem}`));
  return lines;
}

function rank(violations: PolicyViolation[]): number {
  return violations.some((v) => v.enforcementLevel === "mandatory") ? 0 : 1;
}

/** The type and name at the end of a URN: enough to find the resource in the tree above. */
function shortUrn(urn: string): string {
  const parts = urn.split("::");
  const type = (parts[2] ?? "").split("$").pop() ?? "";
  return `${type} ${parts[3] ?? ""}`;
}
