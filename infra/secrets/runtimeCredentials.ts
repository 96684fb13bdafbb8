import { SecretEntry } from "../config/schema";
import { isRotatedByProgram } from "./rotation";

/**
 * The credentials the running app holds: the connection strings `pulumi up` rotates
 * (database/passwordRotation.ts) that the app reads from its platforms (Vercel, Railway). Vercel
 * applies a changed variable to the next deployment, and Railway's variables reach the service only
 * through the deploy jobs (workflows/railway.ts), so after a rotation these are what a redeploy
 * must carry, and what expires under the app when it does not happen.
 *
 * Per entry: `rotatedAt`, the Rotating's base timestamp of the password the connection string
 * names now, and `validUntil`, that password's VALID UNTIL (both RFC 3339). The stack writes the
 * map as the deploy environment's plain variable RUNTIME_ROTATIONS (after the values, so a deploy
 * never records a newer credential than it carries) and exports it (`appRedeploy.credentials`);
 * each successful deploy records it (deployedCredentials.ts); infra.yml redeploys when it changes
 * (tools/redeploy).
 */
export type RuntimeCredentials = Record<string, { rotatedAt: string; validUntil: string }>;

/** The app's deploy workflow that a rotation redeploys (the stack's `appRedeploy` output, read by tools/redeploy), dispatched as the deploy App. */
export interface RedeployTarget {
  owner: string;
  repository: string;
  workflow: string;
  ref: string;
  appId: number;
  installationId: number;
  /** The workflow_dispatch input that records why (deploy-production's `reason`); undefined: the workflow takes none. */
  reasonInput?: string;
}

/** The inventory entries whose value the running app reads from its platforms and `pulumi up` rotates. */
export function runtimeCredentialEntries(entries: readonly SecretEntry[]): SecretEntry[] {
  return entries.filter((entry) => isRotatedByProgram(entry) && (entry.destinations.vercel || entry.destinations.railway));
}

/** The inventory entries the deploy jobs upsert into the Railway service's variables. */
export function railwayVariableNames(entries: readonly SecretEntry[]): string[] {
  return entries.filter((entry) => entry.destinations.railway).map((entry) => entry.name);
}
