import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { PROJECT_ROOT } from "../projectRoot";

/** The policy pack's directory in the repository (PulumiPolicy.yaml, package.json, index.ts). */
export const PACK_SOURCE_DIR = path.join(PROJECT_ROOT, "policies");

/** The parts of policies/package.json the release and publish tooling reads. */
export interface PackManifest {
  name: string;
  version: string;
  main: string;
  /** What `npm pack` (and so `pulumi policy publish`) ships: plain file names and directories ending in `/`. */
  files: string[];
  dependencies: Record<string, string>;
}

export class PackManifestError extends Error {}

export function readPackManifest(packDir: string): PackManifest {
  const file = path.join(packDir, "package.json");
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new PackManifestError(`${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!isRecord(data)) throw new PackManifestError(`${file}: expected a JSON object`);
  const text = (key: string): string => {
    const value = data[key];
    if (typeof value !== "string" || value === "") throw new PackManifestError(`${file}: "${key}" must be a non-empty string`);
    return value;
  };
  const files = data["files"];
  if (!Array.isArray(files) || !files.every((entry): entry is string => typeof entry === "string")) {
    throw new PackManifestError(`${file}: "files" must list what the published pack ships`);
  }
  const dependencies = data["dependencies"] ?? {};
  if (!isRecord(dependencies) || !Object.values(dependencies).every((value) => typeof value === "string")) {
    throw new PackManifestError(`${file}: "dependencies" must map package names to versions`);
  }
  return { name: text("name"), version: text("version"), main: text("main"), files, dependencies: dependencies as Record<string, string> };
}

/**
 * The files the published pack consists of, as paths relative to the pack directory (POSIX
 * separators, sorted): package.json and everything its `files` list names. npm adds README.md on
 * its own; it documents the pack and is left out here, so a documentation change needs no release.
 * `files` entries are kept to plain names (a file, or a directory ending in `/`) so that this list
 * and npm's agree without reimplementing npm's globbing; the spec compares the two.
 */
export function packFiles(packDir: string, manifest: PackManifest = readPackManifest(packDir)): string[] {
  const found = new Set<string>(["package.json"]);
  for (const entry of manifest.files) {
    if (!/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*\/?$/.test(entry) || entry.split("/").includes("..")) {
      throw new PackManifestError(`${path.join(packDir, "package.json")}: "files" entry ${JSON.stringify(entry)} must be a plain file name or a directory ending in "/" (no globs)`);
    }
    const target = path.join(packDir, entry);
    if (entry.endsWith("/")) {
      if (!existsSync(target) || !statSync(target).isDirectory()) throw new PackManifestError(`${path.join(packDir, "package.json")}: "files" names ${entry}, which is not a directory`);
      for (const file of walk(target)) found.add(toPosix(path.relative(packDir, file)));
    } else {
      if (!existsSync(target) || !statSync(target).isFile()) throw new PackManifestError(`${path.join(packDir, "package.json")}: "files" names ${entry}, which is not a file`);
      found.add(entry);
    }
  }
  return [...found].sort();
}

/**
 * The content hash of the pack as published: SHA-256 over each pack file's path and bytes. The
 * version field of package.json is left out (a release changes it) and package.json is compared as
 * JSON, not as text; line endings are normalised so a Windows checkout hashes the same.
 */
export function contentHash(packDir: string, files: string[] = packFiles(packDir)): string {
  const whole = createHash("sha256");
  for (const file of files) {
    const bytes = readFileSync(path.join(packDir, file));
    let text = bytes.toString("utf8").replace(/\r\n/g, "\n");
    if (file === "package.json") {
      const manifest = JSON.parse(text) as Record<string, unknown>;
      delete manifest["version"];
      text = JSON.stringify(manifest);
    }
    const digest = createHash("sha256").update(text).digest("hex");
    whole.update(`${file}\0${digest}\n`);
  }
  return whole.digest("hex");
}

function walk(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...walk(full));
    else if (entry.isFile()) files.push(full);
  }
  return files;
}

function toPosix(file: string): string {
  return file.split(path.sep).join("/");
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
