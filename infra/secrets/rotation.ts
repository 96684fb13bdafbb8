import { SecretEntry } from "../config/schema";

/** What the rotation register stores per secret: enough for a policy to judge whether it is overdue. */
export interface RotationRecord {
  name: string;
  kind: SecretEntry["kind"];
  periodDays: number;
  lastRotated: string;
  destinations: SecretEntry["destinations"];
}

/** Public values (NEXT_PUBLIC_*) are not secrets and are not rotated; every other entry is. */
export function isRotated(entry: SecretEntry): boolean {
  return entry.kind !== "public";
}

export function rotationRecord(entry: SecretEntry): RotationRecord {
  if (entry.rotation === undefined) throw new Error(`secret inventory: ${entry.name}: kind ${entry.kind} needs a rotation period and date`);
  return {
    name: entry.name,
    kind: entry.kind,
    periodDays: entry.rotation.periodDays,
    lastRotated: entry.rotation.lastRotated,
    destinations: entry.destinations,
  };
}

/** The Vercel comment of an entry: what it is and when it is due for rotation. */
export function rotationComment(entry: SecretEntry): string {
  if (!isRotated(entry) || entry.rotation === undefined) return `${entry.description}. Public value, not rotated. Managed by flightdeck.`;
  return `${entry.description}. Rotate every ${entry.rotation.periodDays} days (last rotated ${entry.rotation.lastRotated}). Managed by flightdeck.`;
}
