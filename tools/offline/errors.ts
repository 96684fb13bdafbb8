import type { AmbientRead } from "./ambient";
/** A config that fails validation: one line per problem, as the program reports them. */
export class InvalidConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid stack configuration:\n${problems.map((p) => `  ${p}`).join("\n")}`);
  }
}

/** Where in a stack file a problem is: the file's name in the project, 1-based line and column. */
export interface FilePosition {
  file: string;
  line: number;
  column: number;
}

/**
 * A stack file that cannot be read as config (not UTF-8, a NUL, bad YAML, a duplicate key, an alias
 * bomb, not a mapping) or that holds what must never be in it (a credential). One line per problem,
 * `file:line:column: what is wrong`, never the offending value.
 */
export class StackFileError extends InvalidConfigError {
  constructor(readonly positions: { at: FilePosition; message: string }[]) {
    super(positions.map(({ at, message }) => `${at.file}:${at.line}:${at.column}: ${message}`));
  }
}

/** The program read input outside its declared environment (./ambient.ts): the plan cannot vouch for what `pulumi up` would do. */
export class AmbientInputError extends InvalidConfigError {
  constructor(
    problems: string[],
    readonly reads: readonly AmbientRead[],
  ) {
    super(problems);
  }
}

/** The program could not be built or stopped with an error of its own (a `pulumi.RunError`, as the CLI would print it). */
export class ProgramError extends InvalidConfigError {}
