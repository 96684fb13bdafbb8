import { FilePosition } from "./errors";
import { parsePath } from "./values";

/**
 * A config problem in the program's words (`flightdeck-bootstrap:githubApp.id: expected number …`) with
 * where it is in front: `Pulumi.bootstrap.yaml:15:5: flightdeck-bootstrap:githubApp.id: …`, the file that
 * sets the key and the line and column of the value named (or of its nearest enclosing node). A problem
 * that names no key set in a file is given the stack file's name.
 */
export function locateProblem(
  problem: string,
  locate: ((qualifiedKey: string, segments: readonly (string | number)[]) => FilePosition | undefined) | undefined,
  stackFile: string,
): string {
  const named = /^([A-Za-z0-9_.-]+:[A-Za-z0-9_-]+)((?:\.[A-Za-z0-9_$-]+|\[\d+\])*): /.exec(problem);
  const at = named ? locate?.(named[1]!, named[2] ? parsePath(named[2].replace(/^\./, "")) : []) : undefined;
  return at ? `${at.file}:${at.line}:${at.column}: ${problem}` : `${stackFile}: ${problem}`;
}
