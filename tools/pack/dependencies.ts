import { existsSync, readFileSync, statSync } from "node:fs";
import { builtinModules } from "node:module";
import * as path from "node:path";
import * as semver from "semver";
import * as ts from "typescript";
import { PackManifest, packFiles, readPackManifest } from "./manifest";

const TSCONFIG = "tsconfig.json";

/**
 * What a published pack needs besides the modules it imports, with why:
 * - the engine starts a Node.js pack with `@pulumi/pulumi/cmd/run-policy-pack`, resolved with
 *   `require.resolve` from the pack's directory (pulumi/pulumi@v3.259.0:
 *   sdk/nodejs/cmd/pulumi-language-nodejs/main.go, RunPlugin and locateModule);
 * - run-policy-pack compiles the pack with ts-node and `require("typescript")` from the pack's
 *   node_modules, falling back to a vendored TypeScript 3.8.3 that cannot compile it
 *   (pulumi/pulumi@v3.259.0: sdk/nodejs/tsutils.ts, typeScriptRequireStrings);
 * - the tsconfig's `types` need their @types packages (ts-node type-checks).
 */
export function engineRequiredPackages(packDir: string): Map<string, string> {
  const required = new Map<string, string>([
    ["@pulumi/pulumi", "the engine starts the pack with its @pulumi/pulumi/cmd/run-policy-pack"],
    ["typescript", "the engine compiles the pack with it"],
  ]);
  const tsconfig = path.join(packDir, TSCONFIG);
  if (existsSync(tsconfig)) {
    const parsed = ts.parseConfigFileTextToJson(tsconfig, readFileSync(tsconfig, "utf8"));
    const types = (parsed.config as { compilerOptions?: { types?: unknown } } | undefined)?.compilerOptions?.types;
    if (Array.isArray(types)) {
      for (const type of types) if (typeof type === "string") required.set(type.startsWith("@") ? type : `@types/${type}`, `${TSCONFIG} lists its types`);
    }
  }
  return required;
}

/** A module the pack loads: where it is imported from and what. */
export interface PackImport {
  /** The importing file, relative to the pack directory. */
  from: string;
  specifier: string;
}

/** The files the pack's entry point reaches through relative imports, and every package they import. */
export function reachableImports(packDir: string, manifest: PackManifest = readPackManifest(packDir)): { files: string[]; packages: PackImport[]; escapes: PackImport[]; unresolved: PackImport[] } {
  const files: string[] = [];
  const packages: PackImport[] = [];
  const escapes: PackImport[] = [];
  const unresolved: PackImport[] = [];
  const queue = [path.resolve(packDir, manifest.main)];
  const seen = new Set<string>(queue);
  while (queue.length > 0) {
    const file = queue.shift()!;
    const from = toPosix(path.relative(packDir, file));
    files.push(from);
    const source = readFileSync(file, "utf8");
    const info = ts.preProcessFile(source, true, true);
    // preProcessFile sees import, export … from and require(); a package located with require.resolve is loaded too.
    const resolved = [...source.matchAll(/\brequire\.resolve\(\s*["']([^"']+)["']/g)].map((match) => ({ fileName: match[1]! }));
    for (const { fileName: specifier } of [...info.importedFiles, ...resolved]) {
      if (specifier.startsWith(".") || path.isAbsolute(specifier)) {
        const base = path.resolve(path.dirname(file), specifier);
        const inside = path.relative(path.resolve(packDir), base);
        const target = resolveRelative(base);
        if (inside.startsWith("..") || path.isAbsolute(inside)) escapes.push({ from, specifier });
        else if (target === undefined) unresolved.push({ from, specifier });
        else if (!seen.has(target)) {
          seen.add(target);
          queue.push(target);
        }
      } else if (!isBuiltin(specifier)) {
        packages.push({ from, specifier });
      }
    }
    for (const { fileName } of info.typeReferenceDirectives) packages.push({ from, specifier: fileName.startsWith("@") ? fileName : `@types/${fileName}` });
  }
  return { files: files.sort(), packages, escapes, unresolved };
}

/** `@scope/name/sub/path` → `@scope/name`; `name/sub` → `name`. */
export function packageName(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!;
}

/** The version the root lockfile installs for a package at the top of node_modules, if any. */
export function rootLockedVersion(rootDir: string, name: string): string | undefined {
  const lock = readJson(path.join(rootDir, "package-lock.json")) as { packages?: Record<string, { version?: string }> } | undefined;
  return lock?.packages?.[`node_modules/${name}`]?.version;
}

/**
 * Everything that keeps the pack self-contained and equal in place and published, as one message
 * per problem (empty when all is well):
 * - every package a reachable file imports is a dependency of the pack (and every dependency is used);
 * - every relative import stays inside the pack and points at a file the pack ships;
 * - dependencies are version ranges (npm run pack:lock writes `^` the version the root lockfile
 *   installs) that the root's installed version satisfies (the pack runs from the root's node_modules
 *   in place), declared by the root package.json so `npm ci` installs them;
 * - policies/package-lock.json matches policies/package.json and resolves each range to the root's
 *   version, so a standalone install of the pack runs the code the specs ran.
 */
export function dependencyProblems(packDir: string, rootDir: string): string[] {
  const manifest = readPackManifest(packDir);
  const rel = (file: string) => toPosix(path.relative(rootDir, path.join(packDir, file)));
  const manifestFile = rel("package.json");
  const problems: string[] = [];
  const { files, packages, escapes, unresolved } = reachableImports(packDir, manifest);

  const shipped = new Set(packFiles(packDir, manifest));
  for (const file of files) if (!shipped.has(file)) problems.push(`${rel(file)} is loaded by the pack but not shipped: add it (or its directory) to "files" in ${manifestFile}`);
  for (const { from, specifier } of escapes) problems.push(`${rel(from)} imports ${JSON.stringify(specifier)}, outside the pack: a published pack has only the files of ${rel("")}`);
  for (const { from, specifier } of unresolved) problems.push(`${rel(from)} imports ${JSON.stringify(specifier)}, which does not exist`);

  const declared = manifest.dependencies;
  const required = new Map<string, string>();
  for (const { from, specifier } of packages) if (!required.has(packageName(specifier))) required.set(packageName(specifier), `${rel(from)} imports ${JSON.stringify(specifier)}`);
  for (const [name, why] of engineRequiredPackages(packDir)) if (!required.has(name)) required.set(name, why);

  for (const [name, why] of required) {
    if (declared[name] !== undefined) continue;
    const version = rootLockedVersion(rootDir, name);
    const add = version ? `add "${name}": "^${version}" (the version the root lockfile installs)` : `add it (and to the root package.json, so the pack resolves it in place)`;
    problems.push(`${why}, which ${manifestFile} does not declare: ${add}, then run npm run pack:lock`);
  }
  for (const name of Object.keys(declared)) {
    if (!required.has(name)) problems.push(`${manifestFile} declares ${name}, which no pack file imports: remove it, then run npm run pack:lock`);
  }

  const rootManifest = readJson(path.join(rootDir, "package.json")) as { dependencies?: Record<string, string>; devDependencies?: Record<string, string> } | undefined;
  for (const [name, range] of Object.entries(declared)) {
    if (semver.validRange(range) === null) {
      problems.push(`${manifestFile}: ${name} is ${JSON.stringify(range)}, not a version range npm reads; run npm run pack:lock`);
      continue;
    }
    if (rootManifest?.dependencies?.[name] === undefined && rootManifest?.devDependencies?.[name] === undefined) {
      problems.push(`${manifestFile} declares ${name}, which the root package.json does not: in place the pack resolves its modules from the root node_modules, so add it there too`);
    }
    const rootVersion = rootLockedVersion(rootDir, name);
    if (rootVersion !== undefined && !semver.satisfies(rootVersion, range)) {
      problems.push(`${manifestFile} wants ${name} ${range} but the root lockfile installs ${rootVersion}: in place the pack would run a version the range excludes; run npm run pack:lock, or update the root`);
    }
  }

  const lockFile = path.join(packDir, "package-lock.json");
  const lock = readJson(lockFile) as { version?: string; packages?: Record<string, { version?: string; license?: string; dependencies?: Record<string, string> }> } | undefined;
  if (!lock?.packages) {
    problems.push(`${rel("package-lock.json")} is missing or not a lockfile: run npm run pack:lock`);
  } else {
    const lockedRoot = lock.packages[""]?.dependencies ?? {};
    const stale = [...new Set([...Object.keys(lockedRoot), ...Object.keys(declared)])]
      .filter((name) => lockedRoot[name] !== declared[name] || lock.packages?.[`node_modules/${name}`]?.version !== rootLockedVersion(rootDir, name))
      .sort();
    if (stale.length > 0) problems.push(`${rel("package-lock.json")} does not match ${manifestFile} for ${stale.join(", ")}: run npm run pack:lock`);
    // The pack is distributed with a proprietary project: nothing it installs may be under the GPL or the AGPL
    // (an evaluator such as @cloud-copilot/iam-simulate, AGPL-3.0-or-later, stays a development dependency of the root).
    for (const [location, entry] of Object.entries(lock.packages)) {
      if (location === "" || typeof entry.license !== "string" || !/\bA?GPL\b/i.test(entry.license)) continue;
      problems.push(`${rel("package-lock.json")} installs ${location.replace(/^.*node_modules\//, "")}, licensed ${entry.license}, which the pack cannot ship with the proprietary project: keep it out of ${manifestFile} (a development dependency of the root may use it)`);
    }
    if (lock.version !== manifest.version || lock.packages[""]?.version !== manifest.version) {
      problems.push(`${rel("package-lock.json")} has version ${lock.version} but ${manifestFile} has ${manifest.version}: run npm run pack:lock`);
    }
  }
  return problems;
}

function resolveRelative(base: string): string | undefined {
  for (const candidate of [base, `${base}.ts`, `${base}.d.ts`, `${base}.js`, `${base}.json`, path.join(base, "index.ts"), path.join(base, "index.js")]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

function isBuiltin(specifier: string): boolean {
  return specifier.startsWith("node:") || builtinModules.includes(specifier.split("/")[0]!);
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch {
    return undefined;
  }
}

function toPosix(file: string): string {
  return file.split(path.sep).join("/");
}
