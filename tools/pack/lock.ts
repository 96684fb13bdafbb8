import { execFile } from "node:child_process";
import * as path from "node:path";
import { promisify } from "node:util";
import { PROJECT_ROOT } from "../projectRoot";
import { engineRequiredPackages, packageName, reachableImports, rootLockedVersion } from "./dependencies";
import { PACK_SOURCE_DIR, readPackManifest } from "./manifest";
import { updateJsonFile } from "./packageFiles";
import { cleanEnvironment } from "./published";

const run = promisify(execFile);

/**
 * `npm run pack:lock`: makes policies/package.json declare exactly what the pack loads (every
 * package its files import, plus what the engine needs to start it), each as a caret range of the
 * version the root lockfile installs, then rewrites policies/package-lock.json from it with
 * `npm install --package-lock-only` (which writes the lockfile and no node_modules), keeping each
 * package at the root's version (the committed lockfile's, when it satisfies the range; see
 * dependencyProblems). Exit 2 when the pack needs a package the root does not install: add it at the root first.
 */
export async function runLock(options: { packDir?: string; rootDir?: string } = {}): Promise<{ exitCode: number; lines: string[] }> {
  const packDir = options.packDir ?? PACK_SOURCE_DIR;
  const rootDir = options.rootDir ?? PROJECT_ROOT;
  const manifest = readPackManifest(packDir);
  const needed = new Set<string>([...reachableImports(packDir, manifest).packages.map((entry) => packageName(entry.specifier)), ...engineRequiredPackages(packDir).keys()]);

  const dependencies: Record<string, string> = {};
  const missing: string[] = [];
  for (const name of [...needed].sort()) {
    const version = rootLockedVersion(rootDir, name);
    if (version === undefined) missing.push(name);
    else dependencies[name] = `^${version}`;
  }
  if (missing.length > 0) {
    return {
      exitCode: 2,
      lines: missing.map((name) => `pack:lock: the pack needs ${name}, which the root lockfile does not install: add it at the root (npm install ${name}), then rerun`),
    };
  }

  const lines: string[] = [];
  for (const name of Object.keys({ ...manifest.dependencies, ...dependencies }).sort()) {
    const before = manifest.dependencies[name];
    const after = dependencies[name];
    if (before !== after) lines.push(`pack:lock: ${name}: ${before ?? "(none)"} → ${after ?? "(removed)"}`);
  }
  updateJsonFile(path.join(packDir, "package.json"), (data) => {
    data["dependencies"] = dependencies;
  });
  await run("npm", ["install", "--package-lock-only", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: packDir, env: cleanEnvironment() });
  lines.push(`pack:lock: ${path.relative(rootDir, path.join(packDir, "package-lock.json"))} written for ${Object.keys(dependencies).length} dependencies`);
  return { exitCode: 0, lines };
}

if (require.main === module) {
  runLock().then(
    (result) => {
      for (const line of result.lines) (result.exitCode === 0 ? process.stdout : process.stderr).write(`${line}\n`);
      process.exitCode = result.exitCode;
    },
    (error: unknown) => {
      process.stderr.write(`pack:lock: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
