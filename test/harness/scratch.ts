import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";

const made: string[] = [];

/** A new temporary directory `flightdeck-<purpose>-XXXXXX`, removed when the spec file that made it is done. */
export function scratchDir(purpose: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), `flightdeck-${purpose}-`));
  made.push(dir);
  return dir;
}

/**
 * A root hook plugin (.mocharc.cjs `require`): in parallel mode mocha runs root hooks once per spec
 * file (mocha's "Root Hook Plugins" docs), so each file's directories go when that file is done.
 */
export const mochaHooks = {
  afterAll(): void {
    for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
  },
};
