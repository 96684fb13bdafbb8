import { existsSync, readFileSync, readdirSync } from "node:fs";
import * as path from "node:path";
import { Alias, LineCounter, Node as YamlNode, isMap, isScalar, isSeq, parseDocument, visit } from "yaml";
import { FilePosition, StackFileError } from "./errors";

/** A stack's config as the Pulumi CLI hands it to the program: fully-qualified keys, string values. */
export interface StackConfigMap {
  project: string;
  stack: string;
  config: Record<string, string>;
  /** Secret values as the stack file holds them (`secure:` ciphertext, by fully-qualified key): only the CLI can decrypt them. */
  encrypted: Record<string, string>;
  /** Where each fully-qualified key is set: the stack file when it sets the key, else Pulumi.yaml. */
  positions: Record<string, FilePosition>;
  /**
   * Where a value inside a key's value is (`segments` as in `github.branches[0]`: ["branches", 0]), in the
   * file that sets the key; the nearest enclosing node that exists. Undefined for a key no file sets.
   */
  locate?: (qualifiedKey: string, segments: readonly (string | number)[]) => FilePosition | undefined;
}

export class UnknownStackError extends Error {}

/** How many YAML errors of one file are shown (the rest are counted). */
const YAML_ERRORS_SHOWN = 3;

/** How many alias expansions a stack file may need; a file past it is an alias bomb (eemeli/yaml's own default). */
const MAX_ALIAS_COUNT = 100;

/** The stacks a project directory has a stack file for, sorted. */
export function stacksIn(projectDir: string): string[] {
  if (!existsSync(projectDir)) return [];
  return readdirSync(projectDir)
    .map((file) => /^Pulumi\.([A-Za-z0-9_.-]+)\.yaml$/.exec(file)?.[1])
    .filter((stack): stack is string => stack !== undefined)
    .sort();
}

/** Reads Pulumi.yaml's project-level values and Pulumi.<stack>.yaml, the stack's value winning per key. */
export function readStackConfig(stack: string, projectDir: string): StackConfigMap {
  const projectFile = path.join(projectDir, "Pulumi.yaml");
  const stackFile = path.join(projectDir, `Pulumi.${stack}.yaml`);
  if (!/^[A-Za-z0-9_.-]+$/.test(stack) || !existsSync(stackFile)) {
    const stacks = stacksIn(projectDir);
    throw new UnknownStackError(
      `unknown stack ${JSON.stringify(stack)}: no ${path.basename(stackFile)} in ${projectDir} (stacks there: ${stacks.length > 0 ? stacks.join(", ") : "none"})`,
    );
  }
  const project = readYamlFile(projectFile, "Pulumi.yaml");
  const stackDocument = readYamlFile(stackFile, path.basename(stackFile));
  const problems: { at: FilePosition; message: string }[] = [];
  const projectRoot = mappingAt(project, [], problems, { allowEmpty: false });
  const stackRoot = mappingAt(stackDocument, [], problems, { allowEmpty: true });
  const projectName = projectRoot?.["name"];
  if (projectRoot && typeof projectRoot["name"] !== "string") {
    problems.push({ at: project.positionOf(["name"]), message: "name: expected the project name (a string)" });
  }
  const projectConfig = projectRoot ? mappingAt(project, ["config"], problems, { allowEmpty: true }) : undefined;
  const stackConfig = stackRoot ? mappingAt(stackDocument, ["config"], problems, { allowEmpty: true }) : undefined;
  for (const [file, section] of [[project, projectConfig], [stackDocument, stackConfig]] as const) {
    for (const [key, value] of Object.entries(section ?? {})) {
      const path = nonFinitePath(value, key);
      // The CLI hands config objects to the program as JSON, which has no spelling for .inf or .nan.
      if (path !== undefined) problems.push({ at: file.positionOf(["config", key]), message: `${path}: must be a finite number (got ${String(valueAtPath(value, path, key))})` });
    }
  }
  if (problems.length > 0 || typeof projectName !== "string") throw new StackFileError(problems);

  const config: Record<string, string> = {};
  const encrypted: Record<string, string> = {};
  const positions: Record<string, FilePosition> = {};
  // Where each key's value sits: the file and the path of its node (a project value is under `value:` or `default:`).
  const nodes: Record<string, { file: YamlFile; path: (string | number)[] }> = {};
  for (const [key, declaration] of Object.entries(projectConfig ?? {})) {
    const value = isRecord(declaration) && ("value" in declaration || "default" in declaration)
      ? declaration["value"] ?? declaration["default"]
      : declaration;
    if (value === undefined) continue;
    const qualified = qualify(key, projectName);
    config[qualified] = toConfigString(value);
    positions[qualified] = project.positionOf(["config", key]);
    const wrapper = isRecord(declaration) && "value" in declaration ? ["value"] : isRecord(declaration) && "default" in declaration ? ["default"] : [];
    nodes[qualified] = { file: project, path: ["config", key, ...wrapper] };
  }
  for (const [key, value] of Object.entries(stackConfig ?? {})) {
    const qualified = qualify(key, projectName);
    positions[qualified] = stackDocument.positionOf(["config", key]);
    nodes[qualified] = { file: stackDocument, path: ["config", key] };
    // As the CLI reads it: a value holding a `secure:` mapping anywhere is a secret it decrypts;
    // pulumi/pulumi sdk/go/common/resource/config/value.go (hasSecureValue, isSecureValue: a map of one key, "secure").
    if (isSecureValue(value)) {
      encrypted[qualified] = value.secure;
      delete config[qualified];
      continue;
    }
    if (hasSecureValue(value)) {
      encrypted[qualified] = JSON.stringify(value);
      delete config[qualified];
      continue;
    }
    config[qualified] = toConfigString(value);
  }
  const locate = (qualifiedKey: string, segments: readonly (string | number)[]): FilePosition | undefined => {
    const node = nodes[qualifiedKey];
    return node ? node.file.positionOf([...node.path, ...segments]) : undefined;
  };
  return { project: projectName, stack, config, encrypted, positions, locate };
}

/** A parsed YAML file: its plain value, and where each path of it starts. */
interface YamlFile {
  name: string;
  value: unknown;
  positionOf(path: readonly (string | number)[]): FilePosition;
}

/**
 * One stack file as data, or a StackFileError naming the file, line and column of every reason it
 * cannot be: bytes that are not UTF-8, a NUL character, a YAML syntax error, a duplicate key (YAML 1.2
 * §3.2.1.1: mapping keys are unique), an alias bomb. Never includes the file's content in a message.
 */
export function readYamlFile(file: string, name: string): YamlFile {
  const bytes = readFileSync(file);
  const invalidAt = firstInvalidUtf8(bytes);
  if (invalidAt !== undefined) {
    throw new StackFileError([{ at: textPosition(Buffer.from(bytes).toString("latin1"), invalidAt, name), message: "is not UTF-8 text (an invalid byte sequence starts here)" }]);
  }
  const text = bytes.toString("utf8");
  const lineCounter = new LineCounter();
  const at = (offset: number): FilePosition => {
    const { line, col } = lineCounter.linePos(offset);
    return { file: name, line, column: col };
  };
  const nul = text.indexOf("\u0000");
  if (nul >= 0) throw new StackFileError([{ at: textPosition(text, nul, name), message: "contains a NUL character" }]);
  const document = parseDocument(text, { uniqueKeys: true, prettyErrors: false, lineCounter });
  if (document.errors.length > 0) {
    // One syntax error makes the parser misread what follows (a tab, an unclosed bracket: dozens of errors):
    // the first few are the ones to fix, the rest are counted.
    const shown = document.errors.slice(0, YAML_ERRORS_SHOWN).map((error) => ({ at: at(error.pos[0]), message: yamlErrorMessage(error.code, error.message) }));
    const more = document.errors.length - shown.length;
    if (more > 0) {
      shown.push({ at: at(document.errors[YAML_ERRORS_SHOWN]!.pos[0]), message: `and ${more} more YAML error${more === 1 ? "" : "s"} from here on, most of them likely caused by the first: fix those and plan again` });
    }
    throw new StackFileError(shown);
  }
  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    if (!(error instanceof ReferenceError)) throw error;
    let first: number | undefined;
    visit(document, {
      Alias(_key, node: Alias) {
        first ??= node.range?.[0];
        return visit.BREAK;
      },
    });
    throw new StackFileError([{ at: at(first ?? 0), message: `aliases expand past ${MAX_ALIAS_COUNT} nodes (a YAML alias bomb); write the values out` }]);
  }
  return {
    name,
    value,
    positionOf(pathSegments) {
      let node: unknown = document.contents;
      let offset = 0;
      for (const segment of pathSegments) {
        if (isSeq(node) && typeof segment === "number") {
          const item = node.items[segment] as YamlNode | undefined;
          if (!item) break;
          offset = item.range?.[0] ?? offset;
          node = item;
          continue;
        }
        if (!isMap(node)) break;
        const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment));
        if (!pair) break;
        offset = (pair.key as YamlNode).range?.[0] ?? offset;
        node = pair.value;
      }
      return at(offset);
    },
  };
}

function yamlErrorMessage(code: string, message: string): string {
  const firstLine = message.split("\n")[0] ?? message;
  if (code === "DUPLICATE_KEY") return "duplicate key: a key may appear once in a mapping (YAML 1.2), and which value wins is not defined";
  return `YAML syntax error: ${firstLine}`;
}

/** The mapping at `at` of a file, or a problem: the whole file (`[]`) or its `config:` must be mappings. */
function mappingAt(
  file: YamlFile,
  at: readonly string[],
  problems: { at: FilePosition; message: string }[],
  options: { allowEmpty: boolean },
): Record<string, unknown> | undefined {
  let value: unknown = file.value;
  for (const segment of at) value = isRecord(value) ? value[segment] : undefined;
  if ((value === null || value === undefined) && options.allowEmpty) return {};
  if (isRecord(value)) return value;
  const what = at.length === 0 ? "the file" : `${at.join(".")}:`;
  problems.push({ at: file.positionOf(at), message: `${what} must be a YAML mapping of keys to values (got ${kindOf(value)})` });
  return undefined;
}

function kindOf(value: unknown): string {
  if (value === null || value === undefined) return "nothing";
  if (Array.isArray(value)) return "a sequence";
  return typeof value === "string" ? "a string" : `a ${typeof value}`;
}

/** The offset of the first byte that does not continue a valid UTF-8 sequence, or undefined. */
function firstInvalidUtf8(bytes: Uint8Array): number | undefined {
  let index = 0;
  while (index < bytes.length) {
    const lead = bytes[index]!;
    const length = lead < 0x80 ? 1 : lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
    if (length === 0 || index + length > bytes.length) return index;
    for (let next = 1; next < length; next++) if ((bytes[index + next]! & 0xc0) !== 0x80) return index;
    if (length > 1) {
      const decoded = new TextDecoder("utf-8", { fatal: true });
      try {
        decoded.decode(bytes.subarray(index, index + length)); // overlong forms and surrogates
      } catch {
        return index;
      }
    }
    index += length;
  }
  return undefined;
}

/** 1-based line and column of an offset (columns count units of `text`: characters, or bytes read as latin1). */
function textPosition(text: string, offset: number, file: string): FilePosition {
  const before = text.slice(0, offset);
  return { file, line: before.split("\n").length, column: offset - before.lastIndexOf("\n") };
}

/** The path (`key.a[0].b`) of the first number in `value` that is not finite, or undefined. */
function nonFinitePath(value: unknown, path: string): string | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? undefined : path;
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = nonFinitePath(item, `${path}[${index}]`);
      if (found !== undefined) return found;
    }
  } else if (isRecord(value)) {
    for (const [key, item] of Object.entries(value)) {
      const found = nonFinitePath(item, `${path}.${key}`);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

function valueAtPath(value: unknown, path: string, root: string): unknown {
  let current = value;
  for (const segment of path.slice(root.length).match(/[^.[\]]+/g) ?? []) {
    current = Array.isArray(current) ? current[Number(segment)] : isRecord(current) ? current[segment] : undefined;
  }
  return current;
}

function isSecureValue(value: unknown): value is { secure: string } {
  return isRecord(value) && Object.keys(value).length === 1 && typeof value["secure"] === "string";
}

function hasSecureValue(value: unknown): boolean {
  if (isSecureValue(value)) return true;
  if (Array.isArray(value)) return value.some(hasSecureValue);
  return isRecord(value) && Object.values(value).some(hasSecureValue);
}

function qualify(key: string, projectName: string): string {
  return key.includes(":") ? key : `${projectName}:${key}`;
}

function toConfigString(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
