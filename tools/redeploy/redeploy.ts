import { RedeployTarget, RuntimeCredentials } from "../../infra/secrets/runtimeCredentials";
import { dispatchWorkflow } from "../../infra/metrics/lambda/github";
import { deadlineIn } from "../../infra/metrics/lambda/http";

/**
 * After `pulumi up`: when it rotated a credential the running app reads (a new base timestamp of the
 * Rotating behind DATABASE_URL, …), dispatch the stack's app deploy workflow, so the new connection
 * string reaches the app: the deploy job upserts it into the Railway service's variables before it
 * deploys (infra/workflows/railway.ts) and builds a new Vercel deployment, which reads the project's
 * environment variables as they are now. The old password keeps working meanwhile (its slot rotates half
 * a period later: infra/database/passwordRotation.ts), so the app loses no connection while it waits.
 *
 * Input: the stack's `appRedeploy` output before and after the update (infra/stack.ts; dates, never a
 * value). The dispatch is the metrics bridge's (infra/metrics/lambda/github.ts: the deploy App's JWT, an
 * installation token narrowed to the repository and `actions: write`, POST …/dispatches), not retried.
 */
export interface AppRedeploy extends RedeployTarget {
  credentials: RuntimeCredentials;
}

/** The credentials whose rotation instant changed (or that are new), by name, sorted. */
export function rotatedCredentials(before: AppRedeploy | null, after: AppRedeploy | null): string[] {
  if (after === null) return [];
  return Object.entries(after.credentials)
    .filter(([name, credential]) => before?.credentials[name]?.rotatedAt !== credential.rotatedAt)
    .map(([name]) => name)
    .sort();
}

/** Reads an `appRedeploy` output as `pulumi stack output appRedeploy --json` prints it (`null` when the stack has none). */
export function parseAppRedeploy(text: string, source: string): AppRedeploy | null {
  let value: unknown;
  try {
    value = JSON.parse(text.trim() === "" ? "null" : text);
  } catch {
    throw new Error(`${source}: not JSON (expected the stack output appRedeploy, or null)`);
  }
  if (value === null) return null;
  const record = value as Partial<AppRedeploy>;
  const problems: string[] = [];
  for (const key of ["owner", "repository", "workflow", "ref"] as const) if (typeof record[key] !== "string" || record[key] === "") problems.push(`${key} must be a non-empty string`);
  for (const key of ["appId", "installationId"] as const) if (typeof record[key] !== "number") problems.push(`${key} must be a number`);
  if (record.reasonInput !== undefined && typeof record.reasonInput !== "string") problems.push("reasonInput must be a string");
  const credentials = record.credentials as unknown;
  if (credentials === null || typeof credentials !== "object") problems.push("credentials must be an object");
  else {
    for (const [name, credential] of Object.entries(credentials as Record<string, unknown>)) {
      const entry = credential as { rotatedAt?: unknown; validUntil?: unknown } | null;
      if (entry === null || typeof entry !== "object" || typeof entry.rotatedAt !== "string" || typeof entry.validUntil !== "string") problems.push(`credentials.${name} must be {rotatedAt, validUntil}`);
    }
  }
  if (problems.length > 0) throw new Error(`${source}: ${problems.join("; ")}`);
  return record as AppRedeploy;
}

export interface RedeployOptions {
  apiUrl: string;
  privateKey: string;
  now: Date;
  log: (line: string) => void;
  timeoutMs?: number;
}

/** Dispatches the app's deploy when `pulumi up` rotated one of its credentials; returns the rotated names (empty: nothing dispatched). */
export async function redeployAfterRotation(before: AppRedeploy | null, after: AppRedeploy | null, options: RedeployOptions): Promise<string[]> {
  const rotated = rotatedCredentials(before, after);
  if (after === null || rotated.length === 0) {
    options.log("No credential the app reads was rotated: no redeploy.");
    return [];
  }
  const reason = `Credential rotation by pulumi up: ${rotated.map((name) => `${name} (rotated ${after.credentials[name]!.rotatedAt})`).join(", ")}`;
  const inputs = after.reasonInput === undefined ? {} : { [after.reasonInput]: reason };
  const timeoutMs = options.timeoutMs ?? 15_000;
  await dispatchWorkflow(
    { apiUrl: options.apiUrl, owner: after.owner, repository: after.repository, appId: after.appId, installationId: after.installationId, workflow: after.workflow, ref: after.ref },
    options.privateKey,
    inputs,
    { deadline: deadlineIn(4 * timeoutMs), timeoutMs, now: options.now },
  );
  options.log(`${reason}: dispatched ${after.workflow} on ${after.ref} in ${after.owner}/${after.repository}.`);
  return rotated;
}
