import { loadShellParser } from "./shell/syntax";

/**
 * The maintained parsers the pack reads scripts and expressions with load asynchronously (WebAssembly
 * for bash, an ES module for GitHub's expressions): whoever judges awaits this once first. The pack's
 * index.ts does so before it starts its analyzer server; the specs in a root hook (test/harness/parsers.ts).
 */
export function loadParsers(): Promise<void> {
  return loadShellParser();
}
