/** Command-line arguments of `npm run preview` and `npm run up` (thin wrappers over the Pulumi CLI). */
export type PulumiCommand = "preview" | "up";

export interface WrapperArgs {
  command: PulumiCommand;
  stack: string;
  /** A project directory of this checkout other than the root one (`bootstrap`). */
  project?: string;
  diff: boolean;
  refresh: boolean;
  expectNoChanges: boolean;
  /** preview only: `--json`. */
  json: boolean;
  /** up only: `--yes`. */
  yes: boolean;
  /** up only: `--skip-preview`. */
  skipPreview: boolean;
  message?: string;
  /** up only: why production is being applied from outside CI. */
  breakGlass?: string;
}

export class WrapperUsageError extends Error {}

export function usage(command: PulumiCommand): string {
  return command === "preview"
    ? "usage: npm run preview -- --stack <name> [--project DIR] [--diff] [--json] [--refresh] [--expect-no-changes] [--message TEXT]"
    : 'usage: npm run up -- --stack <name> [--project DIR] [--yes] [--skip-preview] [--diff] [--refresh] [--expect-no-changes] [--message TEXT] [--break-glass "REASON"]';
}

/** At least this many characters, as for a waiver's reason: a reason says why. */
export const MIN_REASON_LENGTH = 10;

interface FlagSpec {
  names: string[];
  commands: PulumiCommand[];
  value: boolean;
}

const FLAGS: Record<string, FlagSpec> = {
  stack: { names: ["--stack", "-s"], commands: ["preview", "up"], value: true },
  project: { names: ["--project"], commands: ["preview", "up"], value: true },
  message: { names: ["--message", "-m"], commands: ["preview", "up"], value: true },
  diff: { names: ["--diff"], commands: ["preview", "up"], value: false },
  refresh: { names: ["--refresh", "-r"], commands: ["preview", "up"], value: false },
  expectNoChanges: { names: ["--expect-no-changes"], commands: ["preview", "up"], value: false },
  json: { names: ["--json", "-j"], commands: ["preview"], value: false },
  yes: { names: ["--yes", "-y"], commands: ["up"], value: false },
  skipPreview: { names: ["--skip-preview", "-f"], commands: ["up"], value: false },
  breakGlass: { names: ["--break-glass"], commands: ["up"], value: true },
};

/**
 * Parses the wrapper's own flags. Anything else is refused rather than passed on: the wrapper
 * decides which pack, config and stack the CLI gets, so `--policy-pack`, `--config`, `--target`
 * and the like cannot be slipped through it.
 */
export function parseWrapperArgs(command: PulumiCommand, argv: readonly string[]): WrapperArgs {
  const seen = new Map<string, string | true>();
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index]!;
    const equals = arg.startsWith("--") ? arg.indexOf("=") : -1;
    const name = equals > 0 ? arg.slice(0, equals) : arg;
    const entry = Object.entries(FLAGS).find(([, spec]) => spec.names.includes(name));
    if (!entry) throw new WrapperUsageError(`unknown argument ${JSON.stringify(arg)}`);
    const [key, spec] = entry;
    if (!spec.commands.includes(command)) throw new WrapperUsageError(`${name} is not a flag of npm run ${command}`);
    if (seen.has(key)) throw new WrapperUsageError(`${spec.names[0]} given twice`);
    if (spec.value) {
      const value = equals > 0 ? arg.slice(equals + 1) : argv[++index];
      if (value === undefined || value.startsWith("-")) throw new WrapperUsageError(`${spec.names[0]} needs a value`);
      seen.set(key, value);
    } else {
      if (equals > 0) throw new WrapperUsageError(`${name} takes no value`);
      seen.set(key, true);
    }
  }
  const text = (key: string) => {
    const value = seen.get(key);
    return typeof value === "string" ? value : undefined;
  };
  const stack = text("stack");
  if (!stack) throw new WrapperUsageError("--stack is required");
  const breakGlass = text("breakGlass");
  if (breakGlass !== undefined && breakGlass.trim().length < MIN_REASON_LENGTH) {
    throw new WrapperUsageError(`--break-glass needs a reason that says why (at least ${MIN_REASON_LENGTH} characters, got ${JSON.stringify(breakGlass)})`);
  }
  return {
    command,
    stack,
    project: text("project"),
    diff: seen.has("diff"),
    refresh: seen.has("refresh"),
    expectNoChanges: seen.has("expectNoChanges"),
    json: seen.has("json"),
    yes: seen.has("yes"),
    skipPreview: seen.has("skipPreview"),
    message: text("message"),
    breakGlass: breakGlass?.trim(),
  };
}
