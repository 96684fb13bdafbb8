import * as path from "node:path";
import type { BuiltProgram } from "./entry";

/**
 * What the program reads from the machine rather than from its config, while the offline engine runs it.
 *
 * The nodejs language host starts the program with the CLI's whole environment (pulumi/pulumi@v3.259.0
 * sdk/nodejs/cmd/pulumi-language-nodejs/main.go execRuntime: `env := os.Environ()`, then PULUMI_CONFIG,
 * PULUMI_CONFIG_SECRET_KEYS, PULUMI_NODEJS_TYPESCRIPT…) and the machine's clock. A program whose
 * resources depend on either can plan one way here and apply another way in the deploy job, so:
 * - the program sees only its declared variables (the values the plan sets, `declared`), never this
 *   machine's: a read of any other variable answers "unset", and one made by the program's code (or by
 *   a library it called, such as a provider SDK's default taken from the environment) is recorded;
 * - enumerating or copying the environment (`{ ...process.env }`, `Object.keys(process.env)`) is recorded;
 * - the program's own code reading the clock (`new Date()`, `Date.now()`, `Date()`) is recorded: its
 *   clock is the declared FLIGHTDECK_NOW (infra/flags/clock.ts), which the plan sets to `--at`.
 * Reads made by the offline engine itself, by Node's internals, and the Pulumi SDK's reads of its own
 * PULUMI_* variables (the language host's contract, which the mock runtime replaces) are not the program's.
 */
export interface AmbientRead {
  /** `env:NAME`, `env:*` (the whole environment enumerated) or `clock`. */
  what: string;
  /** The program's source file and line whose code made the read (directly, or through the library it called), relative to the repository. */
  file: string;
  /** The library that read it on the program's behalf, when not the program's own code. */
  via?: string;
}

export interface AmbientScope {
  /** The program as it runs (entry.ts buildProgram): frames in its file are the program's. */
  program: BuiltProgram;
  /** Declared variables and the values the program sees (undefined: declared, but unset in this evaluation). */
  declared: Readonly<Record<string, string | undefined>>;
}

/** Runs `run` (the program's evaluation) with the environment and clock described above; returns what the program read. */
export async function withAmbientInputRecorded<T>(scope: AmbientScope, run: () => Promise<T>): Promise<{ result: T; reads: AmbientRead[] }> {
  const reads = new Map<string, AmbientRead>();
  const classify = classifier(scope.program);
  const record = (what: string, reader: Reader | undefined) => {
    if (!reader) return;
    const read: AmbientRead = { what, file: reader.file, ...(reader.via ? { via: reader.via } : {}) };
    reads.set(`${read.what}\0${read.file}\0${read.via ?? ""}`, read);
  };
  const realEnv = process.env;
  const written = new Map<string, string | undefined>();
  const declared = new Map(Object.entries(scope.declared));
  const visible = (key: string): string | undefined => (written.has(key) ? written.get(key) : declared.get(key));
  const readByProgram = (key: string, reader: Reader | undefined): boolean => {
    if (!reader) {
      notTheProgram.set(key, (notTheProgram.get(key) ?? 0) + 1);
      return false;
    }
    // PULUMI_* read by a library: the SDKs' own settings (the host's contract, which the mock runtime stands in
    // for); NODE_* read by Node's internals: Node's own (NODE_V8_COVERAGE, whenever code is compiled).
    const own = (key.startsWith("PULUMI_") && reader.via !== undefined) || (key.startsWith("NODE_") && reader.byNode);
    if (!declared.has(key) && !written.has(key) && !own) record(`env:${key}`, reader);
    return true;
  };
  // A key that others read in a loop (the yaml parser reads LOG_TOKENS once per token) is not attributed
  // past this many reads: finding the reader costs a stack trace.
  const notTheProgram = new Map<string, number>();
  const reader = (key: string): Reader | undefined => ((notTheProgram.get(key) ?? 0) >= ATTRIBUTED_READS_PER_KEY ? undefined : classify());
  const environment = new Proxy<Record<string, string | undefined>>(
    {},
    {
      get(_target, key) {
        if (typeof key !== "string") return undefined;
        return readByProgram(key, reader(key)) ? visible(key) : realEnv[key];
      },
      has(_target, key) {
        if (typeof key !== "string") return false;
        return readByProgram(key, reader(key)) ? visible(key) !== undefined : key in realEnv;
      },
      set(_target, key, value) {
        if (typeof key !== "string") return false;
        if (classify()) written.set(key, String(value));
        else realEnv[key] = String(value);
        return true;
      },
      deleteProperty(_target, key) {
        if (typeof key !== "string") return false;
        if (classify()) written.set(key, undefined);
        else delete realEnv[key];
        return true;
      },
      ownKeys() {
        const reader = classify();
        if (!reader) return Reflect.ownKeys(realEnv);
        record("env:*", reader);
        return [...new Set([...declared.keys(), ...written.keys()])].filter((key) => visible(key) !== undefined);
      },
      getOwnPropertyDescriptor(_target, key) {
        if (typeof key !== "string") return undefined;
        const value = readByProgram(key, reader(key)) ? visible(key) : realEnv[key];
        return value === undefined ? undefined : { value, writable: true, enumerable: true, configurable: true };
      },
    },
  );

  const RealDate = Date;
  const noteClock = () => {
    const reader = classify();
    // Only the program's own code: libraries keep time for their own purposes (timeouts, logs).
    if (reader && reader.via === undefined) record("clock", reader);
  };
  const now = () => {
    noteClock();
    return RealDate.now();
  };
  const recordingDate: DateConstructor = new Proxy(RealDate, {
    construct(target, args, newTarget): object {
      if (args.length === 0) noteClock();
      return Reflect.construct(target, args, newTarget === recordingDate ? target : newTarget) as object;
    },
    apply(target, thisArg, args): string {
      noteClock();
      return Reflect.apply(target, thisArg, args) as string;
    },
    get(target, key, receiver) {
      return key === "now" ? now : Reflect.get(target, key, receiver);
    },
  });

  process.env = environment;
  globalThis.Date = recordingDate;
  try {
    const result = await run();
    return { result, reads: [...reads.values()] };
  } finally {
    process.env = realEnv;
    globalThis.Date = RealDate;
  }
}

const ATTRIBUTED_READS_PER_KEY = 50;

/** Who made a read: the program's source file (and line), and the library between it and the read if any. */
interface Reader {
  file: string;
  via?: string;
  /** The read itself is Node's code (a built-in module). */
  byNode: boolean;
}

/**
 * A function that tells, from the current stack, whether the program made the read: walking outward from
 * the read, the first frame in the program's file makes it the program's (through the library frames
 * crossed on the way, if any); reaching any other file of ours first (the offline engine, the specs)
 * makes it theirs.
 */
function classifier(program: BuiltProgram): () => Reader | undefined {
  // Source maps are turned off while capturing, so frames keep their installed paths (a library's
  // package name, the program's built file) rather than their sources' names.
  const callerFrames = (): Frame[] => {
    const limit = Error.stackTraceLimit;
    const mapped = process.sourceMapsEnabled;
    Error.stackTraceLimit = 60;
    if (mapped) process.setSourceMapsEnabled(false);
    const holder: { stack?: string } = {};
    Error.captureStackTrace(holder);
    const stack = holder.stack ?? ""; // formatted on first access: before source maps are back on
    if (mapped) process.setSourceMapsEnabled(true);
    Error.stackTraceLimit = limit;
    return stack.split("\n").slice(1).map(parseFrame);
  };
  return () => {
    let library: string | undefined;
    let byNode: boolean | undefined;
    for (const frame of callerFrames()) {
      const file = frame.file.startsWith("file://") ? decodeURIComponent(frame.file.slice("file://".length)) : frame.file;
      if (file === __filename || file === "") continue;
      byNode ??= file.startsWith("node:");
      if (file.startsWith("node:") || !path.isAbsolute(file)) continue;
      if (file === program.file) {
        const source = program.sourceOf(frame.line, frame.column);
        return { file: source ? `${source.file}:${source.line}` : "the program", ...(library ? { via: library } : {}), byNode };
      }
      const nodeModules = file.lastIndexOf(`${path.sep}node_modules${path.sep}`);
      if (nodeModules < 0) return undefined;
      library ??= packageName(file.slice(nodeModules + "/node_modules/".length));
    }
    return undefined;
  };
}

interface Frame {
  file: string;
  line: number;
  column: number;
}

/** The location of one formatted frame (`    at f (/a/b.js:1:2)`, `    at /a/b.js:1:2`); file "" for a native one. */
function parseFrame(line: string): Frame {
  const location = /\(([^()]*)\)\s*$/.exec(line)?.[1] ?? line.trim().replace(/^at (async )?/, "");
  const match = /^(.*?):(\d+):(\d+)$/.exec(location);
  return match ? { file: match[1]!, line: Number(match[2]), column: Number(match[3]) } : { file: "", line: 0, column: 0 };
}

function packageName(inNodeModules: string): string {
  const parts = inNodeModules.split(path.sep);
  return parts[0]?.startsWith("@") ? `${parts[0]}/${parts[1] ?? ""}` : (parts[0] ?? inNodeModules);
}

/** One line per read, for the plan's errors: what was read, by which file, and what to do. */
export function describeAmbientRead(read: AmbientRead, declaredIn: string): string {
  const by = read.via ? `${read.file} (through ${read.via})` : read.file;
  if (read.what === "clock") {
    return `${by}: reads the machine's clock: pulumi up would compute with the time it runs at, not the plan's --at; use the program's clock (rolloutNow, FLIGHTDECK_NOW)`;
  }
  if (read.what === "env:*") {
    return `${by}: enumerates the environment variables: what it finds depends on the machine that runs pulumi up; read declared variables by name (${declaredIn})`;
  }
  const name = read.what.slice("env:".length);
  return `${by}: reads the environment variable ${name}, which ${declaredIn} does not declare: pulumi up would see whatever the machine that runs it sets, which this plan cannot see; make it config, or declare it there with the value the plan evaluates it with`;
}
