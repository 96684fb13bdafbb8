import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { PROJECT_DIR } from "../harness";
import { linkProgram } from "../harness/scratch";

/** Temporary copies of the project's stack files, edited as a pull request would edit them; removed by `cleanup`. */
export class ProjectCopies {
  private readonly dirs: string[] = [];

  /**
   * A directory holding Pulumi.yaml and Pulumi.<stack>.yaml as committed, each passed through its edit
   * (text in, text or bytes out).
   */
  make(edits: { project?: (text: string) => string | Buffer; stack?: Partial<Record<"staging" | "production", (text: string) => string | Buffer>> } = {}): string {
    const dir = mkdtempSync(path.join(tmpdir(), "flightdeck-copy-"));
    this.dirs.push(dir);
    const copy = (name: string, edit?: (text: string) => string | Buffer) => {
      const text = readFileSync(path.join(PROJECT_DIR, name), "utf8");
      writeFileSync(path.join(dir, name), edit ? edit(text) : text);
    };
    linkProgram(dir);
    copy("Pulumi.yaml", edits.project);
    copy("Pulumi.staging.yaml", edits.stack?.staging);
    copy("Pulumi.production.yaml", edits.stack?.production);
    return dir;
  }

  cleanup(): void {
    for (const dir of this.dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  }
}

/** `text` with `search` replaced once; fails when `search` is not there (an edit that matched nothing tests nothing). */
export function replaceOnce(text: string, search: string | RegExp, replacement: string): string {
  const found = typeof search === "string" ? text.includes(search) : search.test(text);
  if (!found) throw new Error(`edit matched nothing: ${String(search)}`);
  return text.replace(search, replacement);
}

/** Lines appended under the stack file's `config:` (each indented two spaces by the caller). */
export function appendConfig(text: string, lines: string): string {
  return `${text.trimEnd()}\n${lines}`;
}
