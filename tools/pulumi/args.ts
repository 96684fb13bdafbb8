import { parseFlags } from "../cli/flags";

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

/** The wrapper's flags (the Pulumi CLI's names and one-letter aliases), and which command takes each. */
const FLAGS = {
  stack: { type: "string", short: "s" },
  project: { type: "string" },
  message: { type: "string", short: "m" },
  diff: { type: "boolean" },
  refresh: { type: "boolean", short: "r" },
  "expect-no-changes": { type: "boolean" },
  json: { type: "boolean", short: "j" },
  yes: { type: "boolean", short: "y" },
  "skip-preview": { type: "boolean", short: "f" },
  "break-glass": { type: "string" },
} as const;

const ONLY: Partial<Record<keyof typeof FLAGS, PulumiCommand>> = { json: "preview", yes: "up", "skip-preview": "up", "break-glass": "up" };

/**
 * Parses the wrapper's own flags. Anything else is refused rather than passed on: the wrapper
 * decides which pack, config and stack the CLI gets, so `--policy-pack`, `--config`, `--target`
 * and the like cannot be slipped through it.
 */
export function parseWrapperArgs(command: PulumiCommand, argv: readonly string[]): WrapperArgs {
  const flags = parseFlags(argv, FLAGS, (message) => new WrapperUsageError(message));
  for (const [flag, only] of Object.entries(ONLY)) {
    if (only !== command && flags[flag as keyof typeof FLAGS] !== undefined) throw new WrapperUsageError(`--${flag} is not a flag of npm run ${command}`);
  }
  const stack = flags.stack;
  if (!stack) throw new WrapperUsageError("--stack is required");
  const breakGlass = flags["break-glass"];
  if (breakGlass !== undefined && breakGlass.trim().length < MIN_REASON_LENGTH) {
    throw new WrapperUsageError(`--break-glass needs a reason that says why (at least ${MIN_REASON_LENGTH} characters, got ${JSON.stringify(breakGlass)})`);
  }
  return {
    command,
    stack,
    project: flags.project,
    diff: flags.diff === true,
    refresh: flags.refresh === true,
    expectNoChanges: flags["expect-no-changes"] === true,
    json: flags.json === true,
    yes: flags.yes === true,
    skipPreview: flags["skip-preview"] === true,
    message: flags.message,
    breakGlass: breakGlass?.trim(),
  };
}
