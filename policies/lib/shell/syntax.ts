import { Language, Node, Parser } from "web-tree-sitter";

/**
 * The bash a `run:` step or a CodeBuild buildspec executes, read by a real parser: tree-sitter-bash
 * (the grammar bash-language-server and GitHub use) through web-tree-sitter, both WebAssembly.
 *
 * Why not sh-syntax (mvdan/sh compiled to WebAssembly), which the issue names: its `parse()` hands
 * JavaScript a statement's command as `{Pos, End}` only, with no node type, words or operators
 * (un-ts/sh-syntax@v0.6.0:processor/structs.go `mapNode`; checked on 0.7.0: `parse("pg_dump -T x || true")`
 * gives `Cmd: {Pos, End}`), so it cannot tell which program runs or under which operator. mvdan-sh,
 * the same parser with a full AST, is deprecated by its author (mvdan/sh#1145). A hand-written reader
 * is what this replaces.
 *
 * Loading is asynchronous (WebAssembly, once per process, about 150 ms): every entry point awaits
 * `loadShellParser()` before judging (the pack's index.ts before it starts its server, the specs in a
 * root hook); parsing is synchronous after that. The parsed tree is copied into the plain structures
 * below and freed at once (tree-sitter trees live in WebAssembly memory).
 *
 * What the structures keep is what bash's grammar says decides a command's effect
 * (https://www.gnu.org/software/bash/manual/bash.html#Shell-Commands): simple commands with their
 * words (quotes removed), redirections and here-documents; lists (`&&`, `||`), pipelines (`|`, `|&`),
 * `!`, `&`; if/while/until/for/case, `{ }`, `( )` and functions; command and process substitutions.
 */

export interface Redirect {
  op: string;
  target: string;
}

export interface Command {
  /** Words with quotes removed (`$VAR` references kept as written); leading `VAR=value` assignments included. */
  words: string[];
  /** The words as written, quotes included. */
  raw: string[];
  redirects: Redirect[];
  /** The operator before it ("start" for the first of a body) and after it ("end" for the last). */
  before: string;
  after: string;
  /** Nesting depth: inside if/while/for/case bodies, braces, subshells and functions. */
  depth: number;
  /** Part of an if/elif/while/until condition list. */
  condition: boolean;
  negated: boolean;
  /** Inside a function body. */
  inFunction: boolean;
  /** Runs in the background (`&`). */
  background: boolean;
  /** `local`, `export`, `declare`, `readonly`, `typeset`: its status is its own, not its substitutions'. */
  declaration: boolean;
  /** Texts of $(…), `…`, <(…) and >(…) in its words and redirections. */
  substitutions: string[];
  /** The command substitutions ($(…), `…`) as parsed statements, in order. */
  commandSubstitutions: Stmt[][];
  /** Bodies of its here-documents. */
  heredocs: string[];
}

export type Stmt = (
  | { type: "command"; command: Command }
  | { type: "list"; op: "&&" | "||"; left: Stmt; right: Stmt }
  | { type: "pipeline"; parts: Stmt[]; ops: string[] }
  | { type: "not"; body: Stmt }
  | { type: "if"; clauses: { condition: Stmt[]; body: Stmt[] }[]; otherwise?: Stmt[] }
  | { type: "loop"; keyword: "while" | "until" | "for" | "select"; condition: Stmt[]; body: Stmt[] }
  | { type: "case"; bodies: Stmt[][] }
  | { type: "group"; subshell: boolean; body: Stmt[] }
  | { type: "function"; name: string; body: Stmt[] }
  /** Text the grammar could not read (an ERROR node). */
  | { type: "unreadable"; text: string }
) & { background: boolean };

export interface Script {
  statements: Stmt[];
  /** Every simple command, in source order (function bodies included; substitutions' contents excluded: see allCommandsOf). */
  commands: Command[];
  /** Parts bash's grammar could not read, as written (empty for a well-formed script). */
  unreadable: string[];
}

let parser: Parser | undefined;
let loading: Promise<void> | undefined;

/** Loads the parser once per process; every caller awaits the same load. */
export function loadShellParser(): Promise<void> {
  loading ??= (async () => {
    await Parser.init();
    const language = await Language.load(require.resolve("tree-sitter-bash/tree-sitter-bash.wasm"));
    const loaded = new Parser();
    loaded.setLanguage(language);
    parser = loaded;
  })();
  return loading;
}

export class ShellParserNotLoaded extends Error {
  constructor() {
    super("the shell parser is not loaded: await loadShellParser() (policies/lib/shell/syntax.ts) before judging scripts");
  }
}

const STATEMENTS = new Set([
  "command",
  "redirected_statement",
  "list",
  "pipeline",
  "negated_command",
  "if_statement",
  "while_statement",
  "for_statement",
  "c_style_for_statement",
  "case_statement",
  "compound_statement",
  "subshell",
  "function_definition",
  "variable_assignment",
  "variable_assignments",
  "declaration_command",
  "unset_command",
  "test_command",
  "ERROR",
]);

/** A word's value with bash's quote removal (https://www.gnu.org/software/bash/manual/bash.html#Quote-Removal); expansions stay as written. */
function unquote(node: Node): string {
  switch (node.type) {
    case "raw_string":
      return node.text.slice(1, -1);
    case "string":
      return node.text.slice(1, -1).replace(/\\([$`"\\])/g, "$1").replace(/\\\n/g, "");
    case "translated_string":
      return node.text.slice(2, -1).replace(/\\([$`"\\])/g, "$1").replace(/\\\n/g, "");
    case "ansi_c_string":
      return node.text
        .slice(2, -1)
        .replace(/\\(x[0-9a-fA-F]{1,2}|[0-7]{1,3}|.)/g, (_m, escape: string) => {
          if (escape.startsWith("x")) return String.fromCharCode(parseInt(escape.slice(1), 16));
          if (/^[0-7]+$/.test(escape)) return String.fromCharCode(parseInt(escape, 8));
          return ({ n: "\n", t: "\t", r: "\r", a: "\x07", b: "\b", e: "\x1b", f: "\f", v: "\v" } as Record<string, string>)[escape] ?? escape;
        });
    case "concatenation":
      return node.children.map(unquote).join("");
    case "word":
      return node.text.replace(/\\\n/g, "").replace(/\\(.)/g, "$1");
    case "variable_assignment": {
      const name = node.childForFieldName("name")?.text ?? "";
      const value = node.childForFieldName("value");
      const operator = node.children.find((child) => child.type === "=" || child.type === "+=")?.type ?? "=";
      return `${name}${operator}${value ? unquote(value) : ""}`;
    }
    default:
      return node.text;
  }
}

function substitutionText(node: Node): string {
  if (node.type === "command_substitution") return node.text.startsWith("`") ? node.text.slice(1, -1) : node.text.slice(2, -1);
  return node.text.slice(2, -1);
}

/** The outermost command and process substitutions inside a node. */
function substitutionsIn(node: Node, found: Node[] = []): Node[] {
  for (const child of node.children) {
    if (child.type === "command_substitution" || child.type === "process_substitution") found.push(child);
    else substitutionsIn(child, found);
  }
  return found;
}

interface Place {
  before: string;
  after: string;
  depth: number;
  condition: boolean;
  negated: boolean;
  inFunction: boolean;
  background: boolean;
}

class Reader {
  readonly commands: Command[] = [];
  readonly unreadable: string[] = [];

  /** Statements of a body (program, braces, do … done, then …), with the terminator after each. */
  body(nodes: Node[], place: Place): Stmt[] {
    const statements: Stmt[] = [];
    const indices = nodes.map((node, index) => ({ node, index })).filter(({ node }) => STATEMENTS.has(node.type));
    indices.forEach(({ node, index }, position) => {
      const next = nodes[index + 1];
      const terminator = next && !next.isNamed && [";", "&", ";;", ";&", ";;&"].includes(next.type) ? next.type : undefined;
      const previous = position > 0 ? indices[position - 1]! : undefined;
      const previousTerminator = previous ? nodes[previous.index + 1] : undefined;
      const before = position === 0 ? place.before : previousTerminator && !previousTerminator.isNamed && [";", "&"].includes(previousTerminator.type) ? previousTerminator.type : "\n";
      const after = terminator ?? (position === indices.length - 1 ? place.after : "\n");
      const background = place.background || terminator === "&";
      statements.push(this.statement(node, { ...place, before, after, background }));
    });
    return statements;
  }

  statement(node: Node, place: Place): Stmt {
    const background = place.background;
    const inner = (extra: Partial<Place>): Place => ({ ...place, before: "start", after: "end", depth: place.depth + 1, ...extra });
    switch (node.type) {
      case "redirected_statement": {
        const body = node.childForFieldName("body");
        const redirects = node.children.filter((child) => child !== body && /redirect$/.test(child.type));
        if (body === null) return { type: "unreadable", text: node.text, background };
        const statement = this.statement(body, place);
        if (statement.type === "command") this.addRedirects(statement.command, redirects);
        for (const child of node.children) if (child.type === "ERROR") this.unreadable.push(child.text);
        return statement;
      }
      case "list": {
        const [left, right] = node.namedChildren.filter((child) => STATEMENTS.has(child.type));
        const op = node.children.find((child) => child.type === "&&" || child.type === "||")?.type as "&&" | "||" | undefined;
        if (!left || !right || !op) return this.unreadableStatement(node, background);
        return { type: "list", op, left: this.statement(left, { ...place, after: op }), right: this.statement(right, { ...place, before: op }), background };
      }
      case "pipeline": {
        const parts = node.namedChildren.filter((child) => STATEMENTS.has(child.type));
        const ops = node.children.filter((child) => child.type === "|" || child.type === "|&").map((child) => child.type);
        return {
          type: "pipeline",
          ops,
          parts: parts.map((part, index) => this.statement(part, { ...place, before: index === 0 ? place.before : ops[index - 1]!, after: index === parts.length - 1 ? place.after : ops[index]! })),
          background,
        };
      }
      case "negated_command": {
        const body = node.namedChildren.find((child) => STATEMENTS.has(child.type));
        if (!body) return this.unreadableStatement(node, background);
        return { type: "not", body: this.statement(body, { ...place, negated: true }), background };
      }
      case "if_statement": {
        const clauses: { condition: Stmt[]; body: Stmt[] }[] = [];
        let otherwise: Stmt[] | undefined;
        const split = (children: Node[]) => {
          const then = children.findIndex((child) => child.type === "then");
          return { condition: children.slice(0, then < 0 ? children.length : then), body: then < 0 ? [] : children.slice(then + 1) };
        };
        const own = node.children.filter((child) => child.type !== "elif_clause" && child.type !== "else_clause" && child.type !== "fi");
        for (const part of [own, ...node.children.filter((child) => child.type === "elif_clause").map((clause) => clause.children)]) {
          const { condition, body } = split(part);
          clauses.push({ condition: this.body(condition, inner({ condition: true })), body: this.body(body, inner({})) });
        }
        const elseClause = node.children.find((child) => child.type === "else_clause");
        if (elseClause) otherwise = this.body(elseClause.children, inner({}));
        return { type: "if", clauses, otherwise, background };
      }
      case "while_statement": {
        const keyword = node.children[0]?.type === "until" ? "until" : "while";
        const group = node.childForFieldName("body");
        const condition = node.children.filter((child) => child !== group);
        return { type: "loop", keyword, condition: this.body(condition, inner({ condition: true })), body: this.body(group?.children ?? [], inner({})), background };
      }
      case "for_statement":
      case "c_style_for_statement": {
        const group = node.childForFieldName("body");
        const keyword = node.children[0]?.type === "select" ? "select" : "for";
        // The list it iterates over is words, not commands; their substitutions run first.
        const header = this.command(node, node.children.filter((child) => child !== group && child.type !== "for" && child.type !== "select"), { ...place, depth: place.depth + 1 });
        this.commands.pop();
        const substitutions: Stmt[] = header.commandSubstitutions.length > 0 ? [{ type: "command", command: { ...header, words: [], raw: [] }, background }] : [];
        return { type: "loop", keyword, condition: substitutions, body: this.body(group?.children ?? [], inner({})), background };
      }
      case "case_statement": {
        const bodies = node.children
          .filter((child) => child.type === "case_item")
          .map((item) => this.body(item.children.filter((_child, index) => item.fieldNameForChild(index) !== "value"), inner({})));
        return { type: "case", bodies, background };
      }
      case "compound_statement":
      case "subshell":
        return { type: "group", subshell: node.type === "subshell", body: this.body(node.children, inner({})), background };
      case "function_definition": {
        const name = node.childForFieldName("name")?.text ?? "";
        const bodyNode = node.childForFieldName("body");
        const body = bodyNode ? this.body(bodyNode.type === "compound_statement" || bodyNode.type === "subshell" ? bodyNode.children : [bodyNode], inner({ inFunction: true })) : [];
        return { type: "function", name, body, background };
      }
      case "command":
      case "variable_assignment":
      case "variable_assignments":
      case "declaration_command":
      case "unset_command":
      case "test_command":
        return { type: "command", command: this.command(node, node.type === "variable_assignment" ? [node] : node.children, place), background };
      default:
        return this.unreadableStatement(node, background);
    }
  }

  unreadableStatement(node: Node, background: boolean): Stmt {
    this.unreadable.push(node.text);
    return { type: "unreadable", text: node.text, background };
  }

  command(node: Node, children: Node[], place: Place): Command {
    const command: Command = {
      words: [],
      raw: [],
      redirects: [],
      before: place.before,
      after: place.after,
      depth: place.depth,
      condition: place.condition,
      negated: place.negated,
      inFunction: place.inFunction,
      background: place.background,
      declaration: node.type === "declaration_command",
      substitutions: [],
      commandSubstitutions: [],
      heredocs: [],
    };
    const redirects: Node[] = [];
    if (node.type === "test_command") {
      const opener = node.children[0]?.text ?? "[";
      const inner = node.text.slice(opener.length, node.text.length - (opener === "[[" ? 2 : 1)).trim();
      command.words.push(opener, ...inner.split(/\s+/).filter((part) => part !== "").map((part) => part.replace(/^["']|["']$/g, "")), opener === "[[" ? "]]" : "]");
      command.raw.push(...command.words);
    } else {
      for (const child of children) {
        if (/redirect$/.test(child.type)) redirects.push(child);
        else if (child.type === "ERROR") this.unreadable.push(child.text);
        else if (child.isNamed && child.type !== "comment") {
          const word = child.type === "command_name" ? child.namedChildren[0] ?? child : child;
          command.words.push(unquote(word));
          command.raw.push(word.text);
        } else if (!child.isNamed && ["local", "export", "declare", "readonly", "typeset", "unset", "unsetenv"].includes(child.type)) {
          command.words.push(child.type);
          command.raw.push(child.type);
        }
      }
    }
    this.addSubstitutions(command, node.type === "test_command" ? [node] : children.filter((child) => !/redirect$/.test(child.type)));
    this.addRedirects(command, redirects);
    this.commands.push(command);
    return command;
  }

  addSubstitutions(command: Command, nodes: Node[]): void {
    for (const node of nodes) {
      const found = node.type === "command_substitution" || node.type === "process_substitution" ? [node] : substitutionsIn(node);
      for (const substitution of found) {
        command.substitutions.push(substitutionText(substitution));
        if (substitution.type === "command_substitution") {
          const nested = new Reader();
          command.commandSubstitutions.push(nested.body(substitution.children, { before: "start", after: "end", depth: 0, condition: false, negated: false, inFunction: false, background: false }));
          this.unreadable.push(...nested.unreadable);
        }
      }
    }
  }

  addRedirects(command: Command, redirects: Node[]): void {
    for (const redirect of redirects) {
      if (redirect.type === "heredoc_redirect") {
        const op = redirect.children.find((child) => child.type === "<<" || child.type === "<<-")?.type ?? "<<";
        const start = redirect.children.find((child) => child.type === "heredoc_start")?.text ?? "";
        command.redirects.push({ op, target: start.replace(/^["']|["']$/g, "").replace(/\\/g, "") });
        const body = redirect.children.find((child) => child.type === "heredoc_body");
        command.heredocs.push((body?.text ?? "").replace(/\n$/, ""));
        this.addRedirects(command, redirect.children.filter((child) => child.type === "file_redirect" || child.type === "herestring_redirect"));
        this.addSubstitutions(command, redirect.children.filter((child) => child.type !== "heredoc_body"));
      } else if (redirect.type === "herestring_redirect") {
        const target = redirect.namedChildren[0];
        command.redirects.push({ op: "<<<", target: target ? unquote(target) : "" });
        this.addSubstitutions(command, [redirect]);
      } else {
        const op = redirect.children.find((child) => !child.isNamed)?.type ?? ">";
        const destination = redirect.childForFieldName("destination") ?? redirect.namedChildren[redirect.namedChildren.length - 1];
        command.redirects.push({ op, target: destination ? unquote(destination) : "" });
        this.addSubstitutions(command, [redirect]);
      }
    }
  }
}

const scriptCache = new Map<string, Script>();

/** A bash script, parsed (results of the last few hundred scripts are kept: workflows repeat their steps). */
export function parseScript(text: string): Script {
  const cached = scriptCache.get(text);
  if (cached) return cached;
  if (!parser) throw new ShellParserNotLoaded();
  const tree = parser.parse(text);
  if (!tree) throw new Error("the shell parser returned no tree");
  const reader = new Reader();
  let statements: Stmt[];
  try {
    statements = reader.body(tree.rootNode.children, { before: "start", after: "end", depth: 0, condition: false, negated: false, inFunction: false, background: false });
    if (tree.rootNode.hasError && reader.unreadable.length === 0) reader.unreadable.push(text.trim().split("\n")[0] ?? "");
  } finally {
    tree.delete();
  }
  const script: Script = { statements, commands: reader.commands, unreadable: reader.unreadable };
  if (scriptCache.size > 512) scriptCache.clear();
  scriptCache.set(text, script);
  return script;
}

/** The simple commands of a bash script, in order (those inside functions included; substitutions' contents not). */
export function commandsOf(script: string): Command[] {
  return parseScript(script).commands;
}

const SHELLS = new Set(["bash", "sh", "zsh", "dash", "ksh"]);

/**
 * A script's commands and those it runs indirectly: inside command and process substitutions
 * (`url="$(vercel deploy …)"`), `bash -c "…"` / `sh -c` strings and `eval`, to a depth of four.
 */
export function allCommandsOf(script: string): Command[] {
  const commands: Command[] = [];
  const visit = (list: Command[], depth: number) => {
    for (const command of list) {
      commands.push(command);
      if (depth >= 4) continue;
      for (const text of command.substitutions) visit(commandsOf(text), depth + 1);
      const words = invocation(command);
      const program = programOf(command);
      const flag = words.indexOf("-c");
      if (SHELLS.has(program) && flag > 0 && words[flag + 1] !== undefined) visit(commandsOf(words[flag + 1]!), depth + 1);
      if (program === "eval") visit(commandsOf(words.slice(1).join(" ")), depth + 1);
    }
  };
  visit(commandsOf(script), 0);
  return commands;
}

/** The command's name and arguments with leading `VAR=value` assignments and wrappers (sudo, env, command, exec, time, nohup) removed. */
export function invocation(command: Command): string[] {
  let words = command.words;
  for (;;) {
    const first = words[0];
    if (first === undefined) return words;
    if (/^[A-Za-z_][A-Za-z0-9_]*\+?=/.test(first)) words = words.slice(1);
    else if (["sudo", "command", "exec", "time", "nohup", "builtin"].includes(first)) words = words.slice(1).filter((word, index) => index > 0 || !word.startsWith("-"));
    else if (first === "env") {
      let rest = words.slice(1);
      while (rest[0] !== undefined && (rest[0].startsWith("-") || /^[A-Za-z_][A-Za-z0-9_]*=/.test(rest[0]))) rest = rest.slice(1);
      if (rest.length === 0) return words; // `env` alone prints the environment
      words = rest;
    } else return words;
  }
}

/** The program a command runs: its first word without a path (`/usr/bin/curl` → `curl`). */
export function programOf(command: Command): string {
  const first = invocation(command)[0] ?? "";
  return first.split("/").pop() ?? first;
}

/** Pipelines: runs of commands joined by `|` / `|&`. */
export function pipelines(commands: Command[]): Command[][] {
  const result: Command[][] = [];
  let current: Command[] = [];
  for (const command of commands) {
    current.push(command);
    if (command.after !== "|" && command.after !== "|&") {
      result.push(current);
      current = [];
    }
  }
  if (current.length > 0) result.push(current);
  return result;
}

/** Environment variable names a text references (`$NAME`, `${NAME…}`, `${!NAME}` excluded). */
export function variablesIn(text: string): string[] {
  const names = new Set<string>();
  for (const match of text.matchAll(/\$(?:\{([A-Za-z_][A-Za-z0-9_]*)[^}]*\}|([A-Za-z_][A-Za-z0-9_]*))/g)) names.add(match[1] ?? match[2]!);
  return [...names];
}
