import { knownString } from "../values";
import { parseWorkflow, Workflow, WorkflowParseError } from "./model";

/** The commit a github.RepositoryFile makes, when it is a workflow: any name, .yml or .yaml, under .github/workflows/ (any depth is ignored by GitHub, so only the top level counts). */
export const WORKFLOW_PATH = /^\.github\/workflows\/[^/]+\.ya?ml$/i;

export function isWorkflowPath(file: string | undefined): file is string {
  return file !== undefined && WORKFLOW_PATH.test(file.replace(/^\.?\//, ""));
}

/**
 * Parsed workflows by path and content. Many policies judge each workflow file and the engine sends
 * each resource to every policy: parsing once per file is most of the pack's time on them. Entries
 * are read-only; a file that does not parse is remembered as its error. Bounded.
 */
const parsed = new Map<string, Workflow | WorkflowParseError>();
const MAX_PARSED = 2048;

export function cachedWorkflow(file: string, content: string): Workflow | WorkflowParseError {
  const key = `${file}\u0000${content}`;
  let entry = parsed.get(key);
  if (entry === undefined) {
    try {
      entry = parseWorkflow(file, content);
    } catch (error) {
      entry = error instanceof WorkflowParseError ? error : new WorkflowParseError(`${file}: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (parsed.size >= MAX_PARSED) parsed.delete(parsed.keys().next().value as string);
    parsed.set(key, entry);
  }
  return entry;
}

/** The path a RepositoryFile's `file` input names, normalised. */
export function workflowPathOf(file: unknown): string | undefined {
  const path = knownString(typeof file === "string" ? file : undefined);
  if (path === undefined) return undefined;
  const normal = path.replace(/^\.?\//, "");
  return isWorkflowPath(normal) ? normal : undefined;
}

/** Text a workflow must contain to deploy anything (the tools and APIs roles.ts recognises): a cheap test before parsing. */
export const MAY_DEPLOY = /vercel|\bvc\b|railway|alembic|psql|pg_restore|prisma|flyway|liquibase|configure-aws-credentials/i;
/** Text a workflow must contain to hold a schedule check. */
export const MAY_CHECK_SCHEDULE = /SCHEDULE_|freeze|deploy window|schedule/i;
