import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { build } from "esbuild";

/**
 * Copies of the repository to replay pull requests in. The base copy is the repository as checked
 * out (its tracked files, as they are in the working tree), built once; each case copies the base,
 * edits it, and rebuilds only when it changed code. node_modules is a symlink to the repository's.
 */
export class Workspace {
  private constructor(
    readonly root: string,
    readonly base: string,
    private readonly repository: string,
  ) {}

  /** A workspace under the system's temporary directory with a built base copy of `repository`. */
  static async create(repository: string): Promise<Workspace> {
    const root = mkdtempSync(path.join(tmpdir(), "flightdeck-replay-"));
    const base = path.join(root, "base");
    try {
      copyTracked(repository, base);
      symlinkSync(path.join(repository, "node_modules"), path.join(base, "node_modules"), "dir");
      await buildCopy(base);
    } catch (error) {
      rmSync(root, { recursive: true, force: true });
      throw error;
    }
    return new Workspace(root, base, repository);
  }

  /** Node's compile cache for every process of the replay (NODE_COMPILE_CACHE). */
  get compileCache(): string {
    return path.join(this.root, ".compile-cache");
  }

  /** A fresh copy of the base (its build included) named after the case. */
  copy(name: string): string {
    const dir = path.join(this.root, name);
    cpSync(this.base, dir, { recursive: true, verbatimSymlinks: true, filter: (source) => source !== path.join(this.base, "node_modules") });
    symlinkSync(path.join(this.repository, "node_modules"), path.join(dir, "node_modules"), "dir");
    return dir;
  }

  remove(dir: string): void {
    if (path.dirname(dir) !== this.root) throw new Error(`${dir} is not a copy of this workspace`);
    rmSync(dir, { recursive: true, force: true });
  }

  dispose(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** The files git tracks in `repository` (with their working-tree content), except the specs: what a pull request can change. */
function copyTracked(repository: string, target: string): void {
  const files = execFileSync("git", ["ls-files", "-z"], { cwd: repository, encoding: "utf8" })
    .split("\0")
    .filter((file) => file !== "" && !file.startsWith("test/"));
  for (const file of files) {
    const destination = path.join(target, file);
    mkdirSync(path.dirname(destination), { recursive: true });
    try {
      cpSync(path.join(repository, file), destination);
    } catch (error) {
      // A tracked file deleted in the working tree is not part of the copy.
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
  }
}

/**
 * The bundles `npm run plan` runs (`npm run build:offline`: the plan tool and the pack), built with the
 * same entry points and options as package.json's script, in the copy.
 */
export async function buildCopy(dir: string): Promise<void> {
  const script = (JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts["build:offline"];
  if (script === undefined) throw new Error("package.json has no build:offline script");
  const words = script.split(/\s+/);
  const options = ["--bundle", "--platform=node", "--target=node22", "--packages=external", "--outbase=.", "--outdir=.build"];
  const missing = options.filter((option) => !words.includes(option));
  if (words[0] !== "esbuild" || missing.length > 0) throw new Error(`build:offline is not the esbuild bundle this replay reproduces (missing ${missing.join(" ")})`);
  const entryPoints = words.filter((word) => word.endsWith(".ts"));
  await build({
    absWorkingDir: dir,
    entryPoints,
    bundle: true,
    platform: "node",
    target: "node22",
    packages: "external",
    outbase: ".",
    outdir: ".build",
    logLevel: "silent",
  });
}

/** Whether a changed file is code that the bundles contain (so the copy must be rebuilt). */
export function isBundledCode(file: string): boolean {
  return /^(infra|tools|policies)\/.*\.ts$/.test(file);
}
