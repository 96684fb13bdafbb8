import { SecretEntry } from "../config/schema";

/** The path of the generated template in the app repository. */
export const ENV_EXAMPLE_PATH = ".env.example";

/** One comment line describing an entry: what it is, its kind, how often it is rotated. */
export function describeEntry(entry: SecretEntry): string {
  const rotation = entry.rotation ? `rotate every ${entry.rotation.periodDays} days` : "not rotated";
  return `# ${entry.description} (${entry.kind}, ${rotation})`;
}

/**
 * The `.env.example` the stack commits: a header saying flightdeck manages it, then for every
 * inventory entry a comment and `NAME=` with no value. Values never appear here, public or not.
 */
export function renderEnvExample(entries: readonly SecretEntry[], stack: string): string {
  const lines = [
    `# Managed by flightdeck (stack ${stack}): generated from the secrets inventory, do not edit by hand.`,
    "# Copy to .env.local and fill in values there; never commit .env files, keys or passwords.",
    "# Deployed values live in Vercel and the GitHub environment, set by the stack.",
  ];
  for (const entry of entries) {
    lines.push("", describeEntry(entry), `${entry.name}=`);
  }
  return lines.join("\n") + "\n";
}
