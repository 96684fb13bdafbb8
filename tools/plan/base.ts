import { readFileSync } from "node:fs";
import type { PlanDocument } from "./document";

/** A plan file that cannot be used: missing, not JSON, not a plan, or of another stack. */
export class PlanFileError extends Error {}

/**
 * Reads a plan saved with `--format json`. With `expect`, the plan must be of that project and
 * stack (a base plan of another stack would show every resource as deleted and created).
 */
export function readPlanFile(file: string, what: string, expect?: { project: string; stack: string }): PlanDocument {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const code = error instanceof Error && "code" in error ? String(error.code) : "";
    throw new PlanFileError(code === "ENOENT" ? `${what} ${file}: no such file` : `${what} ${file}: cannot read it (${code || String(error)})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new PlanFileError(`${what} ${file} is not JSON (${error instanceof Error ? error.message : String(error)}); save it with \`npm run plan -- --stack <name> --format json --out FILE\``);
  }
  const problem = planShapeProblem(parsed);
  if (problem) throw new PlanFileError(`${what} ${file} is not a plan saved with \`--format json\`: ${problem}`);
  const plan = parsed as PlanDocument;
  if (expect && plan.stack !== expect.stack) {
    throw new PlanFileError(`${what} ${file} is a plan of stack "${plan.stack}", not of "${expect.stack}"`);
  }
  if (expect && plan.project !== expect.project) {
    throw new PlanFileError(`${what} ${file} is a plan of project "${plan.project}", not of "${expect.project}"`);
  }
  return plan;
}

function planShapeProblem(value: unknown): string | undefined {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return "not an object";
  const record = value as Record<string, unknown>;
  if (typeof record["project"] !== "string") return "no project";
  if (typeof record["stack"] !== "string") return "no stack";
  if (!Array.isArray(record["resources"])) return "no resources";
  for (const [index, resource] of record["resources"].entries()) {
    if (resource === null || typeof resource !== "object") return `resources[${index}] is not an object`;
    const fields = resource as Record<string, unknown>;
    for (const key of ["urn", "type", "name"]) {
      if (typeof fields[key] !== "string") return `resources[${index}].${key} is not a string`;
    }
    if (typeof fields["custom"] !== "boolean") return `resources[${index}].custom is not a boolean`;
    if (fields["inputs"] === null || typeof fields["inputs"] !== "object") return `resources[${index}].inputs is not an object`;
  }
  if (record["summary"] === null || typeof record["summary"] !== "object") return "no summary";
  if (!Array.isArray(record["unsetSecrets"])) return "no unsetSecrets";
  return undefined;
}
