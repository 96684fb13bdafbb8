import { existsSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
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

/**
 * Links this checkout's program into a directory of stack files (the program the offline engine runs is
 * the one its Pulumi.yaml names: `main: infra/`), with the package it belongs to: the sources, package.json,
 * tsconfig.json and node_modules. The directory then plans as a checkout with other stack files would.
 */
export function linkProgram(dir: string): string {
  for (const name of ["infra", "bootstrap", "policies", "package.json", "tsconfig.json", "node_modules"]) {
    const target = path.join(dir, name);
    if (!existsSync(target)) symlinkSync(path.join(REPOSITORY, name), target);
  }
  return dir;
}

const REPOSITORY = path.resolve(__dirname, "..", "..");
