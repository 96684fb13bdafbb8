import { execFile } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { readPackManifest } from "./manifest";

const run = promisify(execFile);

/**
 * The environment the Pulumi CLI's npm runs with: the user's, without what `npm run` exports to
 * its scripts (npm_* settings of the calling npm) and without this repository's Node.js options.
 */
export function cleanEnvironment(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const clean: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(env)) {
    if (/^npm_/i.test(key) || key === "INIT_CWD" || key === "NODE_OPTIONS" || key === "NODE_PATH") continue;
    clean[key] = value;
  }
  return clean;
}

export interface InstalledPack {
  /** The installed pack, as the CLI lays out a downloaded one (`…/pulumi-analyzer-<name>-v<version>`). */
  dir: string;
  /** The tarball's file list, as `npm pack` wrote it. */
  tarballFiles: string[];
  /** Seconds spent in `npm pack` and in `npm install`. */
  timings: { packSeconds: number; installSeconds: number };
  /** Removes everything this created. */
  remove(): void;
}

/**
 * Does to a copy of the pack what `pulumi policy publish` and a later `pulumi up` do to it:
 * 1. `npm pack --loglevel=error` in the pack directory: the published tarball (pulumi/pulumi@v3.259.0:
 *    pkg/backend/httpstate/policypack.go Publish → sdk/nodejs/npm/npm.go Pack). npm leaves
 *    package-lock.json out of every tarball (npm/npm-packlist@v10.0.4: lib/index.js, the strict
 *    ignore list), so the published pack carries package.json and its files only;
 * 2. extract the tarball's `package/` directory as the pack's install directory, then run
 *    `npm install --loglevel=error` there (policypack.go installRequiredPolicy →
 *    sdk/nodejs/cmd/pulumi-language-nodejs/installcache.go installShared → npm.go Install):
 *    dependencies resolve from package.json's ranges, to the newest versions they allow at install time.
 * The copy lives in a temporary directory outside the repository, so nothing resolves from it.
 */
export async function installPublishedPack(packDir: string, options: { env?: NodeJS.ProcessEnv; signal?: AbortSignal } = {}): Promise<InstalledPack> {
  const env = options.env ?? cleanEnvironment();
  const signal = options.signal;
  const work = mkdtempSync(path.join(tmpdir(), "flightdeck-published-pack-"));
  // Also on the way out of a process that exits before it could call remove(). An aborted install
  // (options.signal) stops npm first, then removes the directory.
  const remove = () => {
    process.off("exit", remove);
    rmSync(work, { recursive: true, force: true });
  };
  process.on("exit", remove);
  try {
    const source = path.join(work, "source");
    cpSync(packDir, source, { recursive: true, filter: (from) => path.basename(from) !== "node_modules" });

    let started = performance.now();
    const packed = await run("npm", ["pack", "--loglevel=error"], { cwd: source, env, signal, maxBuffer: 16 * 1024 * 1024 });
    const tarball = path.join(source, packed.stdout.trim().split("\n").pop()!.trim());
    const packSeconds = (performance.now() - started) / 1000;

    const manifest = readPackManifest(packDir);
    const policiesDir = path.join(work, "home", ".pulumi", "policies", "flightdeck-org");
    mkdirSync(policiesDir, { recursive: true });
    const extracted = mkdtempSync(path.join(policiesDir, "extract-"));
    await run("tar", ["-xzf", tarball, "-C", extracted], { env, signal });
    const dir = path.join(policiesDir, `pulumi-analyzer-flightdeck-v${manifest.version}`);
    cpSync(path.join(extracted, "package"), dir, { recursive: true });
    rmSync(extracted, { recursive: true, force: true });
    const tarballFiles = listFiles(dir);

    started = performance.now();
    await run("npm", ["install", "--loglevel=error"], { cwd: dir, env, signal, maxBuffer: 16 * 1024 * 1024 });
    const installSeconds = (performance.now() - started) / 1000;
    return { dir, tarballFiles, timings: { packSeconds, installSeconds }, remove };
  } catch (error) {
    remove();
    throw error;
  }
}

/**
 * Where the engine finds the pack's runner: `require.resolve("@pulumi/pulumi/cmd/run-policy-pack")`
 * run by node in the pack's directory (pulumi/pulumi@v3.259.0:
 * sdk/nodejs/cmd/pulumi-language-nodejs/main.go locateModule, called from RunPlugin).
 */
export async function locateRunPolicyPack(packDir: string, env: NodeJS.ProcessEnv = cleanEnvironment()): Promise<string> {
  const { stdout } = await run(process.execPath, ["-e", "console.log(require.resolve('@pulumi/pulumi/cmd/run-policy-pack'))"], { cwd: packDir, env });
  return stdout.trim();
}

function listFiles(dir: string, base = dir): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...listFiles(full, base));
    else files.push(path.relative(base, full).split(path.sep).join("/"));
  }
  return files.sort();
}
