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
    for (const finding of await findCredentials(text)) {
      const before = text.slice(0, finding.start);
      problems.push({
        at: { file: name, line: before.split("\n").length, column: finding.start - before.lastIndexOf("\n") },
        message: `a credential in plain text (detected by ${finding.rule}): remove it from the file, revoke and rotate it, and store it with \`pulumi config set --secret\``,
      });
    }
  }
  if (problems.length > 0) throw new StackFileError(problems);
}
