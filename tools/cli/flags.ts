import { parseArgs, ParseArgsConfig } from "node:util";

/** A command line's flags: `string` takes a value, `boolean` does not; `short` is a one-letter alias. */
export type FlagOptions = Record<string, { type: "string" | "boolean"; short?: string }>;

export type ParsedFlags<T extends FlagOptions> = { [K in keyof T]?: T[K]["type"] extends "string" ? string : boolean };

/**
 * Parses `argv` with node:util's parseArgs (strict: an unknown flag, a missing value, a value on a
 * boolean flag or a positional argument is an error), and refuses a flag given twice, which
 * parseArgs would settle silently by keeping the last. Errors are thrown as `error(message)`, in the
 * words the tools have always used (`unknown argument "--x"`, `--stack needs a value`, …).
 */
export function parseFlags<T extends FlagOptions>(argv: readonly string[], options: T, error: (message: string) => Error): ParsedFlags<T> {
  let parsed: ReturnType<typeof parseArgs<{ args: string[]; options: T; strict: true; tokens: true; allowPositionals: false }>>;
  try {
    parsed = parseArgs({ args: [...argv], options: options as ParseArgsConfig["options"] & T, strict: true, tokens: true, allowPositionals: false });
  } catch (cause) {
    throw error(usageMessage(cause, argv, options));
  }
  const seen = new Set<string>();
  for (const token of parsed.tokens) {
    if (token.kind !== "option") continue;
    if (seen.has(token.name)) throw error(`--${token.name} given twice`);
    seen.add(token.name);
    if (options[token.name]?.type === "string" && (token.value === undefined || token.value === "")) throw error(`--${token.name} needs a value`);
  }
  return parsed.values as ParsedFlags<T>;
}

/** parseArgs' error, said as the tools say it (its own messages name the Node API, not the command). */
function usageMessage(cause: unknown, argv: readonly string[], options: FlagOptions): string {
  const code = (cause as { code?: string }).code;
  const message = cause instanceof Error ? cause.message : String(cause);
  switch (code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION": {
      const flag = /Unknown option '([^']+)'/.exec(message)?.[1] ?? "";
      return `unknown argument ${JSON.stringify(argv.find((arg) => arg.startsWith(`${flag}=`)) ?? flag)}`;
    }
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL":
      return `unknown argument ${JSON.stringify(/Unexpected argument '([^']*)'/.exec(message)?.[1] ?? "")}`;
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE": {
      const name = /--([A-Za-z0-9-]+)/.exec(message)?.[1];
      if (name === undefined || !options[name]) return message;
      return options[name].type === "boolean" ? `--${name} takes no value` : `--${name} needs a value`;
    }
    default:
      return message;
  }
}
