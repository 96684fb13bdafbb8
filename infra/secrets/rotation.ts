import { SecretEntry } from "../config/schema";

/**
 * Who rotates a secret: `pulumi up` for the connection strings the database component generates
 * (database/passwordRotation.ts), people for everything else (API keys, tokens, external URLs:
 * the program cannot mint them), reminded by the rotation reminder (reminders.ts).
 */
export type RotatedBy = "pulumi" | "people";

/** What the rotation register stores per secret: enough for a policy to judge whether it is overdue, and for the reminder to warn before. */
export interface RotationRecord {
  name: string;
  kind: SecretEntry["kind"];
  periodDays: number;
  lastRotated: string;
  destinations: SecretEntry["destinations"];
  rotatedBy: RotatedBy;
  /** Program-rotated passwords: when the password the connection string names stops being valid (RFC 3339). */
  validUntil?: string;
}

/** Public values (NEXT_PUBLIC_*) are not secrets and are not rotated; every other entry is. */
export function isRotated(entry: SecretEntry): boolean {
  return entry.kind !== "public";
}

/** Connection strings the stack generates, whose passwords `pulumi up` rotates. */
export function isRotatedByProgram(entry: Pick<SecretEntry, "source">): boolean {
  return entry.source === "database-app-url" || entry.source === "database-migrator-url";
}

/** The program's rotation of a generated entry: when its password was due (RFC 3339 or YYYY-MM-DD) and until when it is valid. */
export interface ProgramRotation {
  rotatedAt: string;
  validUntil: string;
}

/**
 * An entry's register record: a generated one dated by the program's rotation (the Rotating's
 * base timestamp), any other by the date people record in the stack config.
 */
export function rotationRecord(entry: SecretEntry, program?: ProgramRotation): RotationRecord {
  if (entry.rotation === undefined) throw new Error(`secret inventory: ${entry.name}: kind ${entry.kind} needs a rotation period`);
  const common = { name: entry.name, kind: entry.kind, periodDays: entry.rotation.periodDays, destinations: entry.destinations };
  if (isRotatedByProgram(entry)) {
    if (program === undefined) throw new Error(`secret inventory: ${entry.name}: ${entry.source} is rotated by the database component, which handed over no rotation`);
    return { ...common, lastRotated: program.rotatedAt.slice(0, 10), rotatedBy: "pulumi", validUntil: program.validUntil };
  }
  if (entry.rotation.lastRotated === undefined) throw new Error(`secret inventory: ${entry.name}: rotation.lastRotated is required (people rotate it)`);
  return { ...common, lastRotated: entry.rotation.lastRotated, rotatedBy: "people" };
}

/** The Vercel comment of an entry: what it is and how it is rotated. */
export function rotationComment(entry: SecretEntry): string {
  if (!isRotated(entry) || entry.rotation === undefined) return `${entry.description}. Public value, not rotated. Managed by flightdeck.`;
  if (isRotatedByProgram(entry)) return `${entry.description}. Rotated by pulumi up every ${entry.rotation.periodDays} days. Managed by flightdeck.`;
  return `${entry.description}. Rotate every ${entry.rotation.periodDays} days (last rotated ${entry.rotation.lastRotated}). Managed by flightdeck.`;
}
