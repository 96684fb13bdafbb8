import { existsSync, readFileSync } from "node:fs";
import { type Node, type ParseError, findNodeAtLocation, parseTree, printParseErrorCode } from "jsonc-parser";

/**
 * Where things are in a policy config file (JSON), for messages that name `file:line:column`. JSON.parse
 * says what the file means; jsonc-parser (Microsoft's, the parser behind VS Code's JSON support) only
 * says where: the offset of a syntax error, and of the key a setting is under. Comments and trailing
 * commas count as syntax errors here, as they are for JSON.parse.
 */

/** 1-based line and column of `offset` in `text`. */
function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split(/\r\n|\r|\n/);
  return { line: before.length, column: before[before.length - 1]!.length + 1 };
}

const STRICT = { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false } as const;

/** The first syntax error of `text`: its line, column and what it is (undefined when jsonc-parser finds none). */
export function jsonSyntaxError(text: string): { line: number; column: number; what: string } | undefined {
  const errors: ParseError[] = [];
  parseTree(text, errors, STRICT);
  const first = errors[0];
  if (!first) return undefined;
  return { ...lineColumn(text, first.offset), what: describeError(printParseErrorCode(first.error)) };
}

/** jsonc-parser's error codes (`CommaExpected`) in words (`comma expected`). */
function describeError(code: string): string {
  return code.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
}

/**
 * The line and column of the deepest entry of `path` (property names, array indexes) the JSON file
 * holds (the key of that property), or undefined when the file cannot be read or holds none of it.
 */
export function jsonPosition(file: string, path: readonly (string | number)[]): { line: number; column: number } | undefined {
  if (!existsSync(file)) return undefined;
  const text = readFileSync(file, "utf8");
  const root = parseTree(text, [], STRICT);
  if (!root) return undefined;
  for (let depth = path.length; depth > 0; depth--) {
    const node = findNodeAtLocation(root, [...path.slice(0, depth)]);
    if (node) return lineColumn(text, keyOf(node).offset);
  }
  return undefined;
}

/** `label:line:column` of `path` in the JSON file at `file` (see jsonPosition), or `label` alone. */
export function jsonLocation(file: string, path: readonly (string | number)[], label: string = file): string {
  const at = jsonPosition(file, path);
  return at ? `${label}:${at.line}:${at.column}` : label;
}

/** A property value's key node (where a reader looks for the setting); an array item itself. */
function keyOf(node: Node): Node {
  return node.parent?.type === "property" ? node.parent.children![0]! : node;
}
