import { existsSync } from "node:fs";
import * as path from "node:path";

/** The directory holding Pulumi.yaml, found upward from `from`: the same from the sources and from the build. */
export function findProjectRoot(from: string): string {
  let dir = from;
  while (!existsSync(path.join(dir, "Pulumi.yaml"))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no Pulumi.yaml above ${from}`);
    dir = parent;
  }
  return dir;
}

export const PROJECT_ROOT = findProjectRoot(__dirname);
