import { readFileSync } from "node:fs";
import * as path from "node:path";
import { findCredentials } from "../../policies/lib/credentials";
import { FilePosition, StackFileError } from "./errors";

/**
 * Scans a stack's files as text, comments included, with the policy pack's credential detector
 * (secretlint's recommended preset and flightdeck's own rules): a credential has no place in a file
 * that is committed, whatever key or comment holds it. Throws a StackFileError naming the file,
 * line, column and rule of each finding, never the value.
 */
export async function assertNoCredentialsInStackFiles(projectDir: string, stack: string): Promise<void> {
  const problems: { at: FilePosition; message: string }[] = [];
  for (const name of ["Pulumi.yaml", `Pulumi.${stack}.yaml`]) {
    const text = readFileSync(path.join(projectDir, name), "utf8");
    // Comments are scanned as the text they hold too: a key pasted into comment lines (`# -----BEGIN …`,
    // `# MIIE…`) has a `#` before every line, which secretlint's multi-line rules (private keys) do not expect.
    const seen = new Set<string>();
    const findings = [...(await findCredentials(text)), ...(await findCredentials(withoutCommentMarkers(text)))].filter((finding) => {
      const key = `${finding.rule}\0${finding.start}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    for (const finding of findings.sort((a, b) => a.start - b.start)) {
      const before = text.slice(0, finding.start);
      problems.push({
        at: { file: name, line: before.split("\n").length, column: finding.start - before.lastIndexOf("\n") },
        message: `a credential in plain text (detected by ${finding.rule}): remove it from the file, revoke and rotate it, and store it with \`pulumi config set --secret\``,
      });
    }
  }
  if (problems.length > 0) throw new StackFileError(problems);
}

/** The text with the `#` of every comment line blanked (same length, so positions stay those of the file). */
export function withoutCommentMarkers(text: string): string {
  return text.replace(/^([ \t]*)#/gm, "$1 ");
}
