import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";

/** Rewrites a JSON file the way npm writes package.json and package-lock.json: two spaces, final newline. */
export function updateJsonFile(file: string, change: (data: Record<string, unknown>) => void): void {
  const data = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  change(data);
  writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
}

/** Sets the pack's version in policies/package.json and in its lockfile (both places npm keeps it). */
export function setPackVersion(packDir: string, version: string): void {
  updateJsonFile(path.join(packDir, "package.json"), (manifest) => {
    manifest["version"] = version;
  });
  updateJsonFile(path.join(packDir, "package-lock.json"), (lock) => {
    lock["version"] = version;
    const packages = lock["packages"] as Record<string, Record<string, unknown>> | undefined;
    if (packages?.[""]) packages[""]["version"] = version;
  });
}
