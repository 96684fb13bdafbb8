import { copyFileSync, cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { PROJECT_DIR } from "../../harness";

export const PACK_DIR = path.join(PROJECT_DIR, "policies");

/** A copy of the repository's pack and root manifests in a temporary directory, for a test to change. */
export interface PackCopy {
  /** Stands for the repository root: package.json, package-lock.json, policies/. */
  root: string;
  pack: string;
  edit(file: string, change: (text: string) => string): void;
  remove(): void;
}

/**
 * Copies policies/ (without node_modules) and the root package.json and lockfile. With `modules`,
 * the copy's root node_modules links to the repository's, so the copied pack starts in place as the
 * original does.
 */
export function copyPack(options: { modules?: boolean } = {}): PackCopy {
  const root = mkdtempSync(path.join(tmpdir(), "flightdeck-pack-copy-"));
  const pack = path.join(root, "policies");
  cpSync(PACK_DIR, pack, { recursive: true, filter: (from) => path.basename(from) !== "node_modules" });
  for (const file of ["package.json", "package-lock.json"]) copyFileSync(path.join(PROJECT_DIR, file), path.join(root, file));
  if (options.modules) symlinkSync(path.join(PROJECT_DIR, "node_modules"), path.join(root, "node_modules"), "dir");
  return {
    root,
    pack,
    edit(file, change) {
      const target = path.join(pack, file);
      const before = readFileSync(target, "utf8");
      const after = change(before);
      if (after === before) throw new Error(`editing ${file} changed nothing`);
      writeFileSync(target, after);
    },
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}
