import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { SourceMap, SourceMapPayload } from "node:module";
import * as path from "node:path";
import { StackFileError } from "./errors";
import { readYamlFile } from "./stackConfig";

/**
 * Where the nodejs language host finds a project's program, read as the CLI and the host read it:
 * - pulumi/pulumi@v3.259.0 pkg/engine/project.go getPwdMain: `main` is relative to the directory of
 *   Pulumi.yaml; a directory becomes the working directory with entry point ".", a file its directory
 *   and its base name; no `main` is ".";
 * - sdk/nodejs/cmd/pulumi-language-nodejs/main.go constructArguments (`--pwd` the program directory,
 *   then the entry point) and parseOptions (`runtime.options.typescript`, default true; `tsconfig`; `nodeargs`);
 * - sdk/nodejs/cmd/run/run.ts run: the program is `pwd/entry`; with entry point "." the package.json found
 *   upward from it names the entry (`exports` as a string, `exports["."]` (default, require, import),
 *   else `main`), when that file exists; a directory is required as `dir/` (its index); a package of
 *   `type: module` is imported as an ES module instead.
 */
export interface ProgramEntry {
  /** The directory of Pulumi.yaml. */
  projectDir: string;
  /** The working directory the host starts the program in. */
  pwd: string;
  /** What `require` is given: an absolute file, or a directory ending in a separator. */
  module: string;
  /** How Pulumi.yaml says it, for messages (`main: infra/`). */
  described: string;
}

export class ProgramEntryError extends StackFileError {}

export function locateProgram(projectDir: string): ProgramEntry {
  const project = readYamlFile(path.join(projectDir, "Pulumi.yaml"), "Pulumi.yaml");
  const root = (project.value ?? {}) as Record<string, unknown>;
  const problem = (at: string[], message: string): never => {
    throw new ProgramEntryError([{ at: project.positionOf(at), message }]);
  };
  const runtime = root["runtime"];
  const runtimeName = typeof runtime === "string" ? runtime : isRecord(runtime) ? runtime["name"] : undefined;
  if (runtimeName !== "nodejs") problem(["runtime"], `runtime: the offline plan runs nodejs programs (got ${JSON.stringify(runtimeName ?? null)})`);
  const options = isRecord(runtime) && isRecord(runtime["options"]) ? runtime["options"] : {};
  if (options["nodeargs"] !== undefined && options["nodeargs"] !== "") {
    // The host passes them to node before the program (main.go execRuntime): code the plan would not run.
    problem(["runtime", "options", "nodeargs"], "runtime.options.nodeargs: the host would start node with these arguments (code such as --require runs before the program), which the offline plan does not do: remove them");
  }
  const typescript = options["typescript"] === undefined ? true : options["typescript"];
  if (typeof typescript !== "boolean") problem(["runtime", "options", "typescript"], "runtime.options.typescript: must be true or false");
  const main = root["main"];
  if (main !== undefined && typeof main !== "string") problem(["main"], "main: must be a path relative to Pulumi.yaml");

  let pwd = projectDir;
  let entry = ".";
  if (typeof main === "string" && main !== "") {
    const target = path.resolve(projectDir, main);
    if (!existsSync(target)) problem(["main"], `main: ${main} does not exist (the CLI stops: "project 'main' could not be read")`);
    if (statSync(target).isDirectory()) pwd = target;
    else {
      pwd = path.dirname(target);
      entry = path.basename(target);
    }
  }
  let program = path.join(pwd, entry);
  const manifest = packageManifestAbove(program);
  if (manifest?.data["type"] === "module") problem(["main"], "main: package.json declares `type: module`; the host imports ES modules, which the offline plan does not run");
  if (entry === "." && manifest) {
    const named = entryNamedBy(manifest.data);
    if (named !== undefined && existsSync(path.join(manifest.dir, named))) program = path.join(manifest.dir, named);
  }
  const isDirectory = existsSync(program) && statSync(program).isDirectory();
  const module = isDirectory && !program.endsWith(path.sep) ? program + path.sep : program;
  if (!typescript && /\.ts$/.test(resolvedFile(module) ?? "")) {
    problem(["runtime", "options", "typescript"], `runtime.options.typescript: false, so the host cannot load ${path.relative(projectDir, resolvedFile(module)!)}`);
  }
  return { projectDir, pwd, module, described: `main: ${typeof main === "string" ? main : "(none)"}` };
}

/** run.ts: `exports` (a string, or `exports["."]` as a string or its default/require/import), else `main`. */
function entryNamedBy(data: Record<string, unknown>): string | undefined {
  const exports = data["exports"];
  if (typeof exports === "string") return exports;
  if (isRecord(exports)) {
    const main = exports["."];
    if (typeof main === "string") return main;
    if (isRecord(main)) {
      const chosen = main["default"] ?? main["require"] ?? main["import"];
      return typeof chosen === "string" ? chosen : undefined;
    }
    return undefined;
  }
  return typeof data["main"] === "string" ? data["main"] : undefined;
}

/** The nearest package.json at or above the program (sdk/nodejs/runtime/manifest.ts searchupPackageManifest). */
function packageManifestAbove(program: string): { dir: string; data: Record<string, unknown> } | undefined {
  let dir = existsSync(program) && statSync(program).isDirectory() ? program : path.dirname(program);
  for (;;) {
    const file = path.join(dir, "package.json");
    if (existsSync(file)) {
      try {
        const data = JSON.parse(readFileSync(file, "utf8")) as unknown;
        return { dir, data: isRecord(data) ? data : {} };
      } catch {
        return { dir, data: {} };
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** The file `require(module)` loads, among the extensions the host can load. */
function resolvedFile(module: string): string | undefined {
  const candidates = module.endsWith(path.sep)
    ? [`${module}index.ts`, `${module}index.js`]
    : [module, `${module}.ts`, `${module}.js`];
  return candidates.find((file) => existsSync(file) && statSync(file).isFile());
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/**
 * Loads and runs the program as run.ts's runProgram does: `require` of the entry (inside the caller's
 * `runInPulumiStack`), then, when the module exports a function, its result, awaited; the working
 * directory is the host's `--pwd` while it runs.
 *
 * The host compiles each TypeScript file with ts-node as it is required. Here the entry and every
 * file it imports outside node_modules are compiled by esbuild into one CommonJS file (one module per
 * source file inside it, run in the same order), rebuilt when a source changes: each evaluation runs
 * that file afresh, as each `pulumi up` is a new process, so what a module does when it loads (a
 * transform registered at import) happens in every evaluation, while the packages stay loaded once.
 * A `require` of a computed name cannot be followed and is refused.
 */
export async function runProgramEntry(entry: ProgramEntry, built: BuiltProgram): Promise<unknown> {
  const previous = process.cwd();
  process.chdir(entry.pwd);
  try {
    delete require.cache[built.file];
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const exported = require(built.file) as unknown;
    return await (exported instanceof Function ? (exported as () => unknown)() : exported);
  } finally {
    process.chdir(previous);
  }
}

/** The program compiled into one file (see runProgramEntry), and where each of its lines comes from. */
export interface BuiltProgram {
  file: string;
  /** The repository the program was built in: the sources' paths (sourceOf) are relative to it. */
  repository: string;
  /** The source file and line of a position in `file`, for messages. */
  sourceOf(line: number, column: number): { file: string; line: number } | undefined;
}

export class ProgramBuildError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join("\n"));
  }
}

/** A build on disk: its inputs (relative to the repository: a copy of it has its own) and their digests, so another process reuses it while none changed. */
interface BuildManifest {
  inputs: { file: string; sha256: string }[];
}

const builds = new Map<string, { inputs: { file: string; mtimeMs: number; size: number }[]; built: BuiltProgram }>();

export function buildProgram(entry: ProgramEntry): BuiltProgram {
  const source = resolvedFile(entry.module);
  if (source === undefined) {
    throw new ProgramBuildError([`${entry.described}: no program to run at ${path.relative(entry.projectDir, entry.module) || "."} (no index.ts or index.js)`]);
  }
  const repository = findRepositoryRoot(entry.projectDir);
  return bundle(repository, path.relative(repository, source).replace(/[^A-Za-z0-9]+/g, "-"), { entryPoints: [source] });
}

/**
 * Modules of the checkout that holds `projectDir`, re-exported by `contents` (TypeScript whose imports are
 * relative to that checkout's root), compiled and cached like the program (see buildProgram): what the
 * offline engine calls of a program's own code besides the program (./programs.ts).
 */
export function buildCheckoutModules(projectDir: string, name: string, contents: string): BuiltProgram {
  const repository = findRepositoryRoot(projectDir);
  // The entry's text is part of the build's identity: an engine that asks for other modules builds anew.
  const digest = createHash("sha256").update(contents).digest("hex").slice(0, 12);
  return bundle(repository, `${name}-${digest}`, { stdin: { contents, resolveDir: repository, sourcefile: `${name}.ts`, loader: "ts" } });
}

function bundle(repository: string, name: string, entry: Pick<import("esbuild").BuildOptions, "entryPoints" | "stdin">): BuiltProgram {
  const file = path.join(repository, ".build", "program", `${name}.js`);
  const manifestFile = `${file}.inputs.json`;
  // In this process: unchanged while no input's size or modification time changed.
  const cached = builds.get(file);
  if (cached && cached.inputs.every(unchanged) && existsSync(file)) return cached.built;
  // Built by another process (the plan before, another spec worker): reused while every input has the same digest.
  const onDisk = readManifest(manifestFile);
  const inRepository = (input: string) => path.resolve(repository, input);
  if (onDisk && existsSync(file) && existsSync(`${file}.map`) && onDisk.inputs.every((input) => digestOf(inRepository(input.file)) === input.sha256)) {
    return remember(file, onDisk.inputs.map((input) => inRepository(input.file)), builtProgram(file, readFileSync(`${file}.map`, "utf8"), repository));
  }

  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuild = require("esbuild") as typeof import("esbuild");
  const result = esbuild.buildSync({
    ...entry,
    bundle: true,
    packages: "external",
    platform: "node",
    target: "node22",
    format: "cjs",
    outfile: file,
    write: false,
    sourcemap: "external",
    metafile: true,
    absWorkingDir: repository,
    logLevel: "silent",
  });
  const computed = result.warnings.filter((warning) => warning.id === "unsupported-require-call" || warning.id === "unsupported-dynamic-import");
  if (computed.length > 0) {
    throw new ProgramBuildError(computed.map((warning) => `${located(warning, repository)}: the program loads a module by a computed name, which the offline plan cannot follow: name it literally`));
  }
  const code = result.outputFiles.find((output) => output.path === file)!.contents;
  const map = result.outputFiles.find((output) => output.path === `${file}.map`)!.text;
  // A generated entry (stdin) is no file: its text is in the output's name.
  const generated = entry.stdin ? (entry.stdin.sourcefile ?? "<stdin>") : undefined;
  const inputs = Object.keys(result.metafile!.inputs).filter((input) => input !== generated).map((input) => path.resolve(repository, input));
  mkdirSync(path.dirname(file), { recursive: true });
  writeIfChanged(`${file}.map`, Buffer.from(map));
  writeIfChanged(file, Buffer.from(code));
  const manifest: BuildManifest = { inputs: inputs.map((input) => ({ file: path.relative(repository, input), sha256: digestOf(input) ?? "" })) };
  writeIfChanged(manifestFile, Buffer.from(JSON.stringify(manifest)));
  return remember(file, inputs, builtProgram(file, map, repository));
}

function builtProgram(file: string, map: string, repository: string): BuiltProgram {
  let sourceMap: SourceMap | undefined;
  return {
    file,
    repository,
    sourceOf(line, column) {
      sourceMap ??= new SourceMap(JSON.parse(map) as SourceMapPayload);
      const found = sourceMap.findEntry(line - 1, column - 1);
      if (!("originalSource" in found)) return undefined;
      return { file: path.relative(repository, path.resolve(path.dirname(file), found.originalSource)).split(path.sep).join("/"), line: found.originalLine + 1 };
    },
  };
}

function remember(file: string, inputs: string[], built: BuiltProgram): BuiltProgram {
  const stats = inputs.map((input) => {
    const stat = statSync(input);
    return { file: input, mtimeMs: stat.mtimeMs, size: stat.size };
  });
  builds.set(file, { inputs: stats, built });
  return built;
}

function readManifest(file: string): BuildManifest | undefined {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as BuildManifest;
  } catch {
    return undefined;
  }
}

function digestOf(file: string): string | undefined {
  try {
    return createHash("sha256").update(readFileSync(file)).digest("hex");
  } catch {
    return undefined;
  }
}

/** esbuild fails on what the host's compiler would fail on too (a syntax error, a missing import): one line each. */
export function programBuildProblems(error: unknown, repository: string): string[] | undefined {
  if (error instanceof ProgramBuildError) return error.problems;
  const errors = (error as { errors?: import("esbuild").Message[] } | undefined)?.errors;
  if (!Array.isArray(errors)) return undefined;
  return errors.map((message) => `${located(message, repository)}: ${message.text}`);
}

function located(message: import("esbuild").Message, repository: string): string {
  const at = message.location;
  if (!at) return "the program";
  return `${path.relative(repository, path.resolve(repository, at.file)).split(path.sep).join("/")}:${at.line}:${at.column + 1}`;
}

function unchanged(input: { file: string; mtimeMs: number; size: number }): boolean {
  try {
    const stat = statSync(input.file);
    return stat.mtimeMs === input.mtimeMs && stat.size === input.size;
  } catch {
    return false;
  }
}

/** Written aside and renamed, and only when different: parallel spec workers never read half a file. */
function writeIfChanged(file: string, contents: Buffer): void {
  if (existsSync(file) && readFileSync(file).equals(contents)) return;
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, contents);
  renameSync(temporary, file);
}

/** The package the program belongs to (the nearest package.json above it, as run.ts finds it): its node_modules resolve the build's imports. */
function findRepositoryRoot(projectDir: string): string {
  return packageManifestAbove(projectDir)?.dir ?? projectDir;
}
