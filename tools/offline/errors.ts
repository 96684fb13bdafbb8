/** A config that fails validation: one line per problem, as the program reports them. */
export class InvalidConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid stack configuration:\n${problems.map((p) => `  ${p}`).join("\n")}`);
  }
}
