import type { ResourceChange } from "../diff";
import type { PlanDocument, PolicyDescription, PolicyViolation, WaivedViolation } from "../document";
import type { GateChanges, GateFileKind } from "../gate";
import { failedChecks, failureLine } from "../../artifacts/section";

/** A hidden line by which the workflow finds (and edits) its previous comment. */
export const MARKDOWN_MARKER = "<!-- flightdeck-plan -->";
/** GitHub refuses comments over 65,536 characters; stay well under it. */
export const MARKDOWN_LIMIT = 60_000;
/** The longest a message or remediation is printed before it is cut. */
const MAX_TEXT = 400;
/** The most changed paths listed for one resource. */
const MAX_PATHS = 12;

const ICON: Record<ResourceChange["kind"], string> = { create: "➕", update: "✏️", replace: "🔁", delete: "➖" };

/**
 * A pull-request comment for one or more stacks: the marker, a verdict heading, a summary table
 * (always whole), then per stack the changes, the violations with their remediation, the waivers
 * and the waiver problems. When the comment would exceed `limit` characters, every list is cut to
 * the same (largest fitting) number of items, the rest collapsed into "…and N more".
 */
export function renderMarkdown(plans: readonly PlanDocument[], options: { limit?: number; gate?: GateChanges } = {}): string {
  const limit = options.limit ?? MARKDOWN_LIMIT;
  const head = header(plans) + (options.gate && options.gate.files.length > 0 ? gateSection(options.gate) : "");
  const longest = Math.max(0, ...plans.map(longestList));
  const render = (items: number) => [head, ...plans.map((plan) => stackSection(plan, items))].join("\n");

  const full = render(longest);
  if (full.length <= limit) return full;
  let fits = -1;
  let low = 0;
  let high = longest - 1;
  while (low <= high) {
    const middle = Math.floor((low + high) / 2);
    if (render(middle).length <= limit) {
      fits = middle;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  if (fits >= 0) return render(fits);
  const note = `\n_Details omitted: with ${plans.length} stacks the comment would exceed ${limit.toLocaleString("en-US")} characters. Run \`npm run plan\` per stack for them._\n`;
  return head + note;
}

function header(plans: readonly PlanDocument[]): string {
  const mandatory = plans.reduce((sum, plan) => sum + mandatoryCount(plan), 0);
  const unjudged = plans.filter((plan) => plan.policy === undefined).map((plan) => plan.stack);
  const failedArtifacts = plans.flatMap((plan) => failedChecks(plan.artifacts).map((check) => `\`${plan.stack}\`: ${failureLine(check)}`));
  const verdict =
    mandatory > 0
      ? `❌ flightdeck plan: ${mandatory} mandatory ${mandatory === 1 ? "violation blocks" : "violations block"} this change`
      : failedArtifacts.length > 0
        ? `❌ flightdeck plan: the planned code fails ${failedArtifacts.length} behaviour ${failedArtifacts.length === 1 ? "check" : "checks"}`
        : unjudged.length === plans.length
        ? "⚪ flightdeck plan: the policy pack did not run"
        : "✅ flightdeck plan: no mandatory violation";
  const lines = [
    MARKDOWN_MARKER,
    `## ${verdict}`,
    "",
    "| stack | create | update | replace | delete | unchanged | mandatory | advisory | waived |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const plan of plans) {
    const counts = plan.diff?.counts;
    const changeCells = counts ? [counts.create, counts.update, counts.replace, counts.delete, counts.unchanged].map(String) : ["—", "—", "—", "—", "—"];
    const policy = plan.policy;
    const policyCells = policy
      ? [bold(mandatoryCount(plan)), String(policy.violations.length - mandatoryCount(plan)), String(policy.waived.length)]
      : ["—", "—", "—"];
    lines.push(`| ${code(plan.stack).replace(/\|/g, "\\|")} | ${[...changeCells, ...policyCells].join(" | ")} |`);
  }
  const notes: string[] = [];
  const undiffed = plans.filter((plan) => plan.diff === undefined).map((plan) => plan.stack);
  if (undiffed.length > 0) notes.push(`No base plan for ${undiffed.map(code).join(", ")}: changes not computed.`);
  if (unjudged.length > 0 && unjudged.length < plans.length) notes.push(`Policy pack not run for ${unjudged.map(code).join(", ")}.`);
  if (notes.length > 0) lines.push("", notes.join(" "));
  if (failedArtifacts.length > 0) lines.push("", "**The planned code does not behave as its config says** (artifact check; this blocks, no waiver applies):", "", ...failedArtifacts.map((line) => `- ${line}`));
  lines.push("", "<sub>Evaluated offline (`npm run plan`): inputs as the program declares them; values known only after apply are not compared.</sub>", "");
  return lines.join("\n");
}

const KIND_ORDER: readonly GateFileKind[] = ["pack code", "pack config", "waivers", "pipeline", "judge tooling"];
/** The most gate files listed per kind. */
const MAX_GATE_FILES = 20;

/**
 * The pull request changes the gate that judges it. It was judged by the base branch's pack; what
 * it changes takes effect after merge, so reviewers (the code owners of these paths) must see it.
 */
function gateSection(gate: GateChanges): string {
  const lines = [
    "",
    "### 🛡️ Gate change",
    "",
    "This pull request changes the gate itself. The verdict above is the **base branch's** pack, config and waivers; " +
      "these changes apply from the merge on, so they need the code owners' review.",
    "",
  ];
  for (const kind of KIND_ORDER) {
    const files = gate.files.filter((file) => file.kind === kind);
    if (files.length === 0) continue;
    const shown = files.slice(0, MAX_GATE_FILES).map((file) => `${code(file.path)} (${file.change})`).join(", ");
    const more = files.length > MAX_GATE_FILES ? ` …and ${files.length - MAX_GATE_FILES} more` : "";
    lines.push(`- **${kind}**: ${shown}${more}`);
  }
  if (gate.waiversAdded.length > 0) {
    lines.push("", "**Waivers added or changed**", "", ...list(gate.waiversAdded.map((waiver) => `- ${text(waiver)}`), MAX_GATE_FILES));
  }
  lines.push("");
  return lines.join("\n");
}

function stackSection(plan: PlanDocument, items: number): string {
  const lines = [`### ${code(plan.stack)}`, ""];
  const policies = new Map((plan.policy?.policies ?? []).map((policy) => [policy.name, policy]));

  if (plan.diff) {
    const changes = plan.diff.changes;
    lines.push(`**Changes against the base branch**`, "");
    if (changes.length === 0) lines.push(`No changes (${plan.diff.counts.unchanged} resources unchanged).`);
    else lines.push(...list(changes.map(changeLine), items));
    lines.push("");
  } else {
    lines.push(`${plan.summary.resources} resources declared; no base plan to compare with.`, "");
  }

  if (plan.policy) {
    const ordered = [...plan.policy.violations].sort((a, b) => weight(b) - weight(a));
    lines.push(`**Policy violations**`, "");
    if (ordered.length === 0) lines.push("None.");
    else lines.push(...list(ordered.map((violation) => violationLine(violation, policies.get(violation.policy))), items));
    lines.push("");
    if (plan.policy.waived.length > 0) {
      lines.push(`**Waived violations**`, "", ...list(plan.policy.waived.map(waivedLine), items), "");
    }
    if (plan.policy.waiverProblems.length > 0) {
      lines.push(`**Waiver problems**`, "", ...list(plan.policy.waiverProblems.map((problem) => `- ⚠️ ${text(problem)}`), items), "");
    }
  }
  if (plan.unsetSecrets.length > 0) {
    lines.push(`<sub>${plan.unsetSecrets.length} secret${plan.unsetSecrets.length === 1 ? " was" : "s were"} not set; the offline plan used placeholders.</sub>`, "");
  }
  return lines.join("\n");
}

function changeLine(change: ResourceChange): string {
  const what = `${ICON[change.kind]} ${change.kind} ${code(change.type)} **${text(change.name)}**`;
  if (change.kind === "create" || change.kind === "delete") return `- ${what}`;
  const secret = new Set(change.secretPaths ?? []);
  const shown = change.paths.slice(0, MAX_PATHS).map((path) => (secret.has(path) ? `${code(path)} (secret)` : code(path))).join(", ");
  const more = change.paths.length > MAX_PATHS ? ` …and ${change.paths.length - MAX_PATHS} more` : "";
  const because = change.replaceBecause ? ` (replaced because ${change.replaceBecause.slice(0, MAX_PATHS).map(code).join(", ")} changed)` : "";
  return `- ${what}: ${shown}${more}${because}`;
}

function violationLine(violation: PolicyViolation, policy: PolicyDescription | undefined): string {
  const icon = violation.enforcementLevel === "mandatory" ? "❌" : "⚠️";
  const base = violation.onBase ? " _(also on the base branch)_" : "";
  const lines = [`- ${icon} **${violation.enforcementLevel}** · ${violation.severity} · ${code(violation.policy)} on ${subject(violation)}${base}<br>${text(violation.message)}`];
  if (policy?.remediation) lines.push(`  <br>_Remediation:_ ${text(policy.remediation)}`);
  return lines.join("\n");
}

function waivedLine(waived: WaivedViolation): string {
  return `- ${code(waived.policy)} on ${subject(waived)}: ${text(waived.message)}<br>waived by ${text(waived.approvedBy)} until **${text(waived.expires)}**: ${text(waived.reason)}`;
}

function subject(violation: PolicyViolation): string {
  if (violation.urn === null) return "the stack";
  const name = violation.urn.split("::").pop() ?? violation.urn;
  return `**${text(name)}**`;
}

/** The first `items` entries, then "…and N more". */
function list(entries: readonly string[], items: number): string[] {
  if (entries.length <= items) return [...entries];
  return [...entries.slice(0, items), `- …and ${entries.length - items} more`];
}

function longestList(plan: PlanDocument): number {
  const policy = plan.policy;
  return Math.max(plan.diff?.changes.length ?? 0, policy?.violations.length ?? 0, policy?.waived.length ?? 0, policy?.waiverProblems.length ?? 0);
}

function mandatoryCount(plan: PlanDocument): number {
  return plan.policy?.violations.filter((violation) => violation.enforcementLevel === "mandatory").length ?? 0;
}

const SEVERITY_WEIGHT: Record<PolicyViolation["severity"], number> = { low: 0, medium: 1, high: 2, critical: 3 };

function weight(violation: PolicyViolation): number {
  return (violation.enforcementLevel === "mandatory" ? 10 : 0) + SEVERITY_WEIGHT[violation.severity];
}

function bold(count: number): string {
  return count > 0 ? `**${count}**` : "0";
}

/** Plain text on one line, cut to MAX_TEXT, with Markdown and HTML characters escaped. */
export function text(value: string): string {
  const line = value.replace(/\s+/g, " ").trim();
  const cut = line.length > MAX_TEXT ? `${line.slice(0, MAX_TEXT - 1)}…` : line;
  return cut.replace(/[\\`*_{}[\]<>|#~!]/g, (char) => `\\${char}`).replace(/&/g, "&amp;");
}

/** An inline code span (backticks inside replaced, so the span cannot end early). */
export function code(value: string): string {
  const line = value.replace(/\s+/g, " ").replace(/`/g, "'");
  return `\`${line.length > MAX_TEXT ? `${line.slice(0, MAX_TEXT - 1)}…` : line}\``;
}
