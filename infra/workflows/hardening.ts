import { parse } from "yaml";
import { pinnedVersion } from "./pins";

/**
 * The hardening rules every workflow file must keep, checked on the YAML text (so the same
 * checker judges generated files and hand-written ones such as this repository's infra.yml).
 * Returns one line per problem, naming where it is; empty means hardened.
 */
export function hardeningProblems(yamlText: string): string[] {
  const problems: string[] = [];
  const doc: unknown = parse(yamlText);
  if (!isRecord(doc)) return ["the file is not a YAML mapping"];

  const on = doc["on"];
  const triggers = typeof on === "string" ? [on] : Array.isArray(on) ? on.map(String) : isRecord(on) ? Object.keys(on) : [];
  if (triggers.includes("pull_request_target")) problems.push("on: pull_request_target runs untrusted code with a write token");

  const top = doc["permissions"];
  if (!isRecord(top) || !Object.entries(top).every(([scope, level]) => scope === "contents" && level === "read")) {
    problems.push("permissions: the top level must grant nothing ({}) or only contents: read");
  }

  const jobs = doc["jobs"];
  if (!isRecord(jobs)) return [...problems, "jobs: missing"];
  const environmentJobs: [string, Record<string, unknown>][] = [];
  for (const [id, job] of Object.entries(jobs)) {
    const at = `jobs.${id}`;
    if (!isRecord(job)) {
      problems.push(`${at}: not a mapping`);
      continue;
    }
    if (job["environment"] !== undefined) environmentJobs.push([id, job]);
    const permissions = job["permissions"];
    if (!isRecord(permissions)) problems.push(`${at}.permissions: every job states its permissions`);
    const steps = Array.isArray(job["steps"]) ? job["steps"] : [];
    const assumesAws = steps.some((step) => isRecord(step) && typeof step["uses"] === "string" && step["uses"].startsWith("aws-actions/configure-aws-credentials@"));
    if (isRecord(permissions) && permissions["id-token"] === "write" && !assumesAws) {
      problems.push(`${at}.permissions: id-token: write only on jobs that assume the AWS role`);
    }
    if (assumesAws && !(isRecord(permissions) && permissions["id-token"] === "write")) {
      problems.push(`${at}.permissions: assumes the AWS role without id-token: write`);
    }
    if (typeof job["uses"] === "string") {
      if (!job["uses"].startsWith("./")) problems.push(`${at}.uses: only reusable workflows of this repository`);
      continue;
    }
    if (typeof job["timeout-minutes"] !== "number") problems.push(`${at}.timeout-minutes: every job has a timeout`);
    steps.forEach((step, index) => {
      const where = `${at}.steps[${index}]`;
      if (!isRecord(step)) return;
      const uses = step["uses"];
      if (typeof uses === "string") {
        if (!/^[^@\s]+@[0-9a-f]{40}$/.test(uses)) problems.push(`${where}.uses: ${uses} is not pinned to a full commit SHA`);
        else if (pinnedVersion(uses) === undefined) problems.push(`${where}.uses: ${uses} is not in the pin table`);
        if (uses.startsWith("actions/checkout@")) {
          const withs = step["with"];
          if (!isRecord(withs) || withs["persist-credentials"] !== false) problems.push(`${where}: actions/checkout needs persist-credentials: false`);
        }
      }
      const run = step["run"];
      if (typeof run === "string" && run.includes("${{")) {
        problems.push(`${where}.run: an expression inside run: (pass it through env:)`);
      }
    });
  }

  // Deploys never overlap: a workflow-level group, or one on every job that deploys.
  if (environmentJobs.length > 0 && !isSerial(doc["concurrency"])) {
    for (const [id, job] of environmentJobs) {
      if (!isSerial(job["concurrency"])) {
        problems.push(`jobs.${id}.concurrency: a job that deploys needs a concurrency group per environment with cancel-in-progress: false`);
      }
    }
  }
  return problems;
}

/** Throws with every problem listed: a workflow that breaks a hardening rule is never committed. */
export function assertHardened(fileName: string, yamlText: string): void {
  const problems = hardeningProblems(yamlText);
  if (problems.length > 0) throw new Error(`${fileName} breaks the workflow hardening rules:\n  ${problems.join("\n  ")}`);
}

function isSerial(concurrency: unknown): boolean {
  return isRecord(concurrency) && typeof concurrency["group"] === "string" && concurrency["cancel-in-progress"] === false;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
