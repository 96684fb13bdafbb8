import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { isMap, isSeq, parseDocument } from "yaml";

/**
 * One change a pull request makes to a copy of the repository. Every edit checks that it changed
 * what it meant to change: an edit that matches nothing would replay a no-op and "pass" for the
 * wrong reason, so it throws instead (the case is then reported as broken, not as caught).
 */
export interface Edit {
  /** What the edit does, for the report (`Pulumi.production.yaml: config.flightdeck:schedule.deployDays`). */
  describe: string;
  /** The repository-relative files it writes. */
  files: string[];
  apply(dir: string): void;
}

export class EditError extends Error {}

type YamlPath = readonly (string | number)[];

function read(dir: string, file: string): string {
  const full = path.join(dir, file);
  if (!existsSync(full)) throw new EditError(`${file}: no such file in the copy`);
  return readFileSync(full, "utf8");
}

function write(dir: string, file: string, text: string | Buffer): void {
  const full = path.join(dir, file);
  mkdirSync(path.dirname(full), { recursive: true });
  writeFileSync(full, text);
}

/** `search` replaced by `replacement` in `file`; `count` is how many occurrences must be there (default exactly 1; "all" at least one). */
export function replace(file: string, search: string, replacement: string, count: number | "all" = 1): Edit {
  return {
    describe: `${file}: ${JSON.stringify(abbreviate(search))} → ${JSON.stringify(abbreviate(replacement))}`,
    files: [file],
    apply(dir) {
      const text = read(dir, file);
      const found = text.split(search).length - 1;
      if (found === 0 || (count !== "all" && found !== count)) {
        throw new EditError(`${file}: expected ${count === "all" ? "at least one" : count} occurrence(s) of ${JSON.stringify(abbreviate(search))}, found ${found}`);
      }
      write(dir, file, text.split(search).join(replacement));
    },
  };
}

/** A regular expression replaced in `file`; it must match at least once. */
export function replacePattern(file: string, pattern: RegExp, replacement: string): Edit {
  return {
    describe: `${file}: /${abbreviate(pattern.source)}/ → ${JSON.stringify(abbreviate(replacement))}`,
    files: [file],
    apply(dir) {
      const text = read(dir, file);
      if (!new RegExp(pattern.source, pattern.flags.replace("g", "")).test(text)) throw new EditError(`${file}: /${pattern.source}/ matches nothing`);
      write(dir, file, text.replace(pattern, replacement));
    },
  };
}

/** A whole file written (created, or replaced). */
export function writeFile(file: string, content: string | Buffer): Edit {
  return { describe: `${file}: written (${content.length} bytes)`, files: [file], apply: (dir) => write(dir, file, content) };
}

/** Text appended to the end of `file`. */
export function append(file: string, text: string): Edit {
  return {
    describe: `${file}: appended ${JSON.stringify(abbreviate(text))}`,
    files: [file],
    apply(dir) {
      write(dir, file, read(dir, file).replace(/\n*$/, "\n") + text);
    },
  };
}

/** A file removed. */
export function removeFile(file: string): Edit {
  return {
    describe: `${file}: removed`,
    files: [file],
    apply(dir) {
      read(dir, file);
      rmSync(path.join(dir, file));
    },
  };
}

/**
 * A value set at a path of a YAML file, comments kept (eemeli/yaml's Document API). Mappings on the
 * way must exist unless `create` is set; setting the value it already has is an error.
 */
export function yamlSet(file: string, at: YamlPath, value: unknown, options: { create?: boolean } = {}): Edit {
  return {
    describe: `${file}: ${at.join(".")} = ${abbreviate(JSON.stringify(value) ?? "undefined")}`,
    files: [file],
    apply(dir) {
      const document = parseDocument(read(dir, file));
      if (!options.create && !document.hasIn(at)) throw new EditError(`${file}: ${at.join(".")} is not set (use create)`);
      const before = JSON.stringify(document.getIn(at) === undefined ? undefined : toPlain(document.getIn(at)));
      if (before === JSON.stringify(value)) throw new EditError(`${file}: ${at.join(".")} already is ${before}`);
      document.setIn(at, value);
      write(dir, file, document.toString({ lineWidth: 0 }));
    },
  };
}

/** A key or sequence item removed from a YAML file; it must be there. */
export function yamlDelete(file: string, at: YamlPath): Edit {
  return {
    describe: `${file}: ${at.join(".")} removed`,
    files: [file],
    apply(dir) {
      const document = parseDocument(read(dir, file));
      if (!document.hasIn(at)) throw new EditError(`${file}: ${at.join(".")} is not set`);
      document.deleteIn(at);
      write(dir, file, document.toString({ lineWidth: 0 }));
    },
  };
}

/** An item appended to a YAML sequence (created when `create` and absent). */
export function yamlPush(file: string, at: YamlPath, item: unknown, options: { create?: boolean } = {}): Edit {
  return {
    describe: `${file}: ${at.join(".")} += ${abbreviate(JSON.stringify(item))}`,
    files: [file],
    apply(dir) {
      const document = parseDocument(read(dir, file));
      const node = document.getIn(at, true);
      if (node === undefined && options.create) {
        document.setIn(at, [item]);
      } else if (isSeq(node)) {
        node.add(document.createNode(item));
      } else {
        throw new EditError(`${file}: ${at.join(".")} is not a sequence`);
      }
      write(dir, file, document.toString({ lineWidth: 0 }));
    },
  };
}

/** A JSON file changed by `update` (which must change it). */
export function jsonEdit(file: string, describe: string, update: (value: Record<string, unknown>) => void): Edit {
  return {
    describe: `${file}: ${describe}`,
    files: [file],
    apply(dir) {
      const text = read(dir, file);
      const value = JSON.parse(text) as Record<string, unknown>;
      update(value);
      const after = JSON.stringify(value, null, 2) + "\n";
      if (JSON.stringify(JSON.parse(text)) === JSON.stringify(value)) throw new EditError(`${file}: ${describe} changed nothing`);
      write(dir, file, after);
    },
  };
}

/** The stack file of a stack: `config.<key>` paths. */
export const stackFile = (stack: "production" | "staging") => `Pulumi.${stack}.yaml`;

/** `flightdeck:<key>` of the production stack file, then the path inside it. */
export function production(key: string, ...rest: (string | number)[]): YamlPath {
  return ["config", key.includes(":") ? key : `flightdeck:${key}`, ...rest];
}

/** A project-level value of Pulumi.yaml (`config.<key>.value`), then the path inside it. */
export function project(key: string, ...rest: (string | number)[]): YamlPath {
  return ["config", key, "value", ...rest];
}

/**
 * TypeScript added to the program's buildStack (infra/stack.ts), just before it returns, as a pull
 * request adding a resource there would; `imports` are added at the top of the file. The code sees
 * buildStack's locals (settings, prefix, branch, githubProviders, auditLog, alertRules, database, …).
 */
export function addToBuildStack(code: string, imports: string[] = []): Edit {
  const file = "infra/stack.ts";
  const anchor = "\n  return {\n    environment: settings.environment,";
  return {
    describe: `${file}: buildStack adds ${JSON.stringify(abbreviate(code.trim()))}`,
    files: [file],
    apply(dir) {
      const text = read(dir, file);
      if (text.split(anchor).length !== 2) throw new EditError(`${file}: buildStack's return statement not found once`);
      const withCode = text.replace(anchor, `\n${code.replace(/\n*$/, "\n")}${anchor}`);
      write(dir, file, imports.map((line) => `${line}\n`).join("") + withCode);
    },
  };
}

function abbreviate(text: string): string {
  const oneLine = text.replace(/\s+/g, " ");
  return oneLine.length > 90 ? `${oneLine.slice(0, 87)}...` : oneLine;
}

function toPlain(node: unknown): unknown {
  if (isMap(node) || isSeq(node)) return node.toJSON();
  if (node !== null && typeof node === "object" && "toJSON" in node && typeof (node as { toJSON: unknown }).toJSON === "function") {
    return (node as { toJSON(): unknown }).toJSON();
  }
  return node;
}
