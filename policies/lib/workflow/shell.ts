/**
 * A small reader of the bash a `run:` step executes: it splits the script into simple commands
 * (words with quotes removed, redirections, the operators around them, command substitutions,
 * here-documents) and tracks whether each one runs as an if/while/until condition, negated, or
 * nested inside a compound command. It is not a full shell parser; it is exact for the constructs
 * the generated workflows use and errs on the side of reporting (a construct it cannot read is
 * kept as words). Grammar: https://www.gnu.org/software/bash/manual/bash.html#Shell-Commands
 */

export interface Redirect {
  op: string;
  target: string;
}

export interface Command {
  /** Words with quotes removed (`$VAR` references kept as written). */
  words: string[];
  /** The words as written, quotes included. */
  raw: string[];
  redirects: Redirect[];
  /** The operator before it ("start" for the first) and after it ("end" for the last). */
  before: string;
  after: string;
  /** Nesting depth: inside if/while/for/case bodies, braces, subshells and functions. */
  depth: number;
  /** Part of an if/elif/while/until condition list. */
  condition: boolean;
  negated: boolean;
  /** Inside a function body. */
  inFunction: boolean;
  /** Texts of $(…), `…`, <(…) and >(…) in its words. */
  substitutions: string[];
  /** Bodies of its here-documents. */
  heredocs: string[];
}

const OPERATORS = ["&&", "||", ";;", "|&", ";", "|", "&", "\n"];

interface Token {
  kind: "word" | "op" | "redirect";
  text: string;
  raw: string;
  substitutions: string[];
}

/** Reads a balanced $(…) / <(…) / ${…} starting after its opener; returns the inner text and the index after the closer. */
function balanced(text: string, start: number, open: string, close: string): [string, number] {
  let depth = 1;
  let index = start;
  let quote: string | undefined;
  while (index < text.length) {
    const char = text[index]!;
    if (quote) {
      if (char === "\\" && quote === '"') index++;
      else if (char === quote) quote = undefined;
    } else if (char === "'" || char === '"') quote = char;
    else if (char === "\\") index++;
    else if (char === open) depth++;
    else if (char === close && --depth === 0) return [text.slice(start, index), index + 1];
    index++;
  }
  return [text.slice(start), text.length];
}

function tokenize(script: string): { tokens: Token[]; heredocBodies: Map<number, string[]> } {
  const tokens: Token[] = [];
  const heredocBodies = new Map<number, string[]>();
  const pendingHeredocs: { delimiter: string; strip: boolean; token: number }[] = [];
  let index = 0;
  let word = "";
  let raw = "";
  let substitutions: string[] = [];
  let inWord = false;
  const endWord = () => {
    if (inWord) tokens.push({ kind: "word", text: word, raw, substitutions });
    word = "";
    raw = "";
    substitutions = [];
    inWord = false;
  };
  const readHeredocs = () => {
    for (const pending of pendingHeredocs.splice(0)) {
      const body: string[] = [];
      while (index < script.length) {
        const end = script.indexOf("\n", index);
        const line = script.slice(index, end < 0 ? script.length : end);
        index = end < 0 ? script.length : end + 1;
        if ((pending.strip ? line.replace(/^\t+/, "") : line) === pending.delimiter) break;
        body.push(line);
      }
      const list = heredocBodies.get(pending.token) ?? [];
      list.push(body.join("\n"));
      heredocBodies.set(pending.token, list);
    }
  };
  while (index < script.length) {
    const char = script[index]!;
    const rest = script.slice(index);
    if (char === "\\" && script[index + 1] === "\n") {
      index += 2;
      continue;
    }
    if (char === "#" && !inWord) {
      const end = script.indexOf("\n", index);
      index = end < 0 ? script.length : end;
      continue;
    }
    if (char === "'" ) {
      const end = script.indexOf("'", index + 1);
      const stop = end < 0 ? script.length : end;
      word += script.slice(index + 1, stop);
      raw += script.slice(index, stop + 1);
      inWord = true;
      index = stop + 1;
      continue;
    }
    if (char === '"') {
      let cursor = index + 1;
      let inner = "";
      while (cursor < script.length && script[cursor] !== '"') {
        if (script[cursor] === "\\" && cursor + 1 < script.length) {
          inner += script[cursor + 1];
          cursor += 2;
        } else if (script.startsWith("$(", cursor)) {
          const [text, after] = balanced(script, cursor + 2, "(", ")");
          substitutions.push(text);
          inner += `$(${text})`;
          cursor = after;
        } else if (script[cursor] === "`") {
          const end = script.indexOf("`", cursor + 1);
          substitutions.push(script.slice(cursor + 1, end < 0 ? script.length : end));
          inner += script.slice(cursor, end < 0 ? script.length : end + 1);
          cursor = end < 0 ? script.length : end + 1;
        } else inner += script[cursor++];
      }
      word += inner;
      raw += script.slice(index, cursor + 1);
      inWord = true;
      index = cursor + 1;
      continue;
    }
    if (rest.startsWith("$((")) {
      // Arithmetic expansion: a value, not a command.
      const [, after] = balanced(script, index + 3, "(", ")");
      const end = script[after] === ")" ? after + 1 : after;
      word += script.slice(index, end);
      raw += script.slice(index, end);
      inWord = true;
      index = end;
      continue;
    }
    if (!inWord && /^\[\[\s/.test(rest)) {
      // A [[ … ]] test: its <, >, ||, && and parentheses are operands, not shell operators.
      const end = script.indexOf(" ]]", index);
      const stop = end < 0 ? script.length : end + 3;
      const inner = script.slice(index + 2, end < 0 ? script.length : end);
      tokens.push({ kind: "word", text: "[[", raw: "[[", substitutions: [] });
      for (const part of inner.trim().split(/\s+/).filter((p) => p !== "")) {
        tokens.push({ kind: "word", text: part.replace(/^["']|["']$/g, ""), raw: part, substitutions: [] });
      }
      tokens.push({ kind: "word", text: "]]", raw: "]]", substitutions: [] });
      index = stop;
      continue;
    }
    if (rest.startsWith("$(") || rest.startsWith("<(") || rest.startsWith(">(")) {
      const [text, after] = balanced(script, index + 2, "(", ")");
      substitutions.push(text);
      word += script.slice(index, after);
      raw += script.slice(index, after);
      inWord = true;
      index = after;
      continue;
    }
    if (rest.startsWith("${")) {
      const [, after] = balanced(script, index + 2, "{", "}");
      word += script.slice(index, after);
      raw += script.slice(index, after);
      inWord = true;
      index = after;
      continue;
    }
    if (char === "`") {
      const end = script.indexOf("`", index + 1);
      const stop = end < 0 ? script.length : end;
      substitutions.push(script.slice(index + 1, stop));
      word += script.slice(index, stop + 1);
      raw += script.slice(index, stop + 1);
      inWord = true;
      index = stop + 1;
      continue;
    }
    if (char === "\\") {
      word += script[index + 1] ?? "";
      raw += script.slice(index, index + 2);
      inWord = true;
      index += 2;
      continue;
    }
    const redirect = /^(\d*|&)(<<<|<<-|<<|>>|>\||>&|<&|>|<)(\d+|-)?/.exec(rest);
    if (redirect && (!inWord || /^\d+$/.test(word))) {
      if (inWord && /^\d+$/.test(word)) {
        word = "";
        raw = "";
        inWord = false;
      }
      const op = redirect[2]!;
      index += redirect[0].length;
      if (redirect[3] !== undefined && (op === ">&" || op === "<&")) {
        tokens.push({ kind: "redirect", text: op, raw: redirect[0], substitutions: [] });
        tokens.push({ kind: "word", text: redirect[3], raw: redirect[3], substitutions: [] });
        continue;
      }
      tokens.push({ kind: "redirect", text: op, raw: redirect[0], substitutions: [] });
      if (op === "<<" || op === "<<-") {
        const delimiter = /^\s*(['"]?)([A-Za-z0-9_.-]+)\1/.exec(script.slice(index));
        if (delimiter) {
          index += delimiter[0].length;
          tokens.push({ kind: "word", text: delimiter[2]!, raw: delimiter[0].trim(), substitutions: [] });
          pendingHeredocs.push({ delimiter: delimiter[2]!, strip: op === "<<-", token: tokens.length - 1 });
        }
      }
      continue;
    }
    const operator = OPERATORS.find((op) => rest.startsWith(op));
    if (operator) {
      endWord();
      tokens.push({ kind: "op", text: operator, raw: operator, substitutions: [] });
      index += operator.length;
      if (operator === "\n") readHeredocs();
      continue;
    }
    if (char === "(" && inWord && script[index + 1] === ")") {
      // name() { …: a function definition.
      endWord();
      tokens.push({ kind: "op", text: "(", raw: "(", substitutions: [] }, { kind: "op", text: ")", raw: ")", substitutions: [] });
      index += 2;
      continue;
    }
    if ((char === "(" || char === ")") && !inWord) {
      tokens.push({ kind: "op", text: char, raw: char, substitutions: [] });
      index++;
      continue;
    }
    if (char === " " || char === "\t" || char === "\r") {
      endWord();
      index++;
      continue;
    }
    word += char;
    raw += char;
    inWord = true;
    index++;
  }
  endWord();
  return { tokens, heredocBodies };
}

const OPENERS = new Set(["if", "while", "until", "for", "case", "select", "{"]);

/** The simple commands of a bash script, in order. */
export function commandsOf(script: string): Command[] {
  const { tokens, heredocBodies } = tokenize(script);
  const commands: Command[] = [];
  const stack: string[] = [];
  let condition = false;
  let casePattern = false;
  let functionDepth: number[] = [];
  let current: { words: string[]; raw: string[]; redirects: Redirect[]; substitutions: string[]; heredocs: string[]; negated: boolean; depth: number; condition: boolean } | undefined;
  let before = "start";
  let pendingRedirect: string | undefined;

  const flush = (after: string) => {
    if (current && (current.words.length > 0 || current.redirects.length > 0)) {
      commands.push({ ...current, before, after, inFunction: functionDepth.length > 0 });
      before = after;
    } else if (current === undefined && after !== "\n") before = after;
    current = undefined;
  };
  const open = () => {
    current ??= { words: [], raw: [], redirects: [], substitutions: [], heredocs: [], negated: false, depth: stack.length, condition };
    return current;
  };

  tokens.forEach((token, position) => {
    if (casePattern) {
      if (token.kind === "word" && token.text === "esac") {
        stack.pop();
        casePattern = false;
      } else if (token.kind === "op" && token.text === ")") casePattern = false;
      return;
    }
    if (token.kind === "op") {
      if (token.text === "(") {
        const command = current;
        if (command && command.words.length === 1 && tokens[position + 1]?.text === ")") {
          // name() { … }: a function definition.
          current = undefined;
          functionDepth = [...functionDepth, stack.length];
          return;
        }
        flush(before);
        stack.push("(");
        return;
      }
      if (token.text === ")") {
        if (tokens[position - 1]?.text === "(") return;
        flush(")");
        stack.pop();
        return;
      }
      if (token.text === ";;") {
        flush(";;");
        casePattern = true;
        return;
      }
      flush(token.text);
      return;
    }
    if (token.kind === "redirect") {
      pendingRedirect = token.text;
      return;
    }
    if (pendingRedirect !== undefined) {
      const command = open();
      command.redirects.push({ op: pendingRedirect, target: token.text });
      command.substitutions.push(...token.substitutions);
      if (pendingRedirect === "<<" || pendingRedirect === "<<-") command.heredocs.push(...(heredocBodies.get(position) ?? []));
      pendingRedirect = undefined;
      return;
    }
    const isFirst = current === undefined || current.words.length === 0;
    if (isFirst && token.raw === token.text) {
      switch (token.text) {
        case "if":
        case "while":
        case "until":
          stack.push(token.text);
          condition = true;
          return;
        case "elif":
          condition = true;
          return;
        case "then":
        case "do":
        case "else":
          condition = false;
          return;
        case "fi":
        case "done":
        case "esac":
        case "}":
          stack.pop();
          if (functionDepth.length > 0 && functionDepth[functionDepth.length - 1] === stack.length) functionDepth = functionDepth.slice(0, -1);
          return;
        case "{":
          stack.push("{");
          return;
        case "!":
          open().negated = true;
          return;
        case "function": {
          functionDepth = [...functionDepth, stack.length];
          current = { words: ["function"], raw: ["function"], redirects: [], substitutions: [], heredocs: [], negated: false, depth: stack.length, condition };
          return;
        }
        case "for":
        case "select":
          stack.push(token.text);
          current = { words: [token.text], raw: [token.text], redirects: [], substitutions: [], heredocs: [], negated: false, depth: stack.length, condition: false };
          return;
        case "case":
          stack.push("case");
          current = { words: ["case"], raw: ["case"], redirects: [], substitutions: [], heredocs: [], negated: false, depth: stack.length, condition: false };
          return;
      }
    }
    if (current?.words[0] === "case" && token.text === "in" && current.words.length === 2) {
      current = undefined;
      casePattern = true;
      return;
    }
    if (current?.words[0] === "function") {
      current = undefined;
      return;
    }
    const command = open();
    command.words.push(token.text);
    command.raw.push(token.raw);
    command.substitutions.push(...token.substitutions);
  });
  flush("end");
  // `for x in …` and `case …` headers are not commands.
  return commands.filter((command) => !OPENERS.has(command.words[0] ?? "") && command.words[0] !== "select");
}

/** The command's name and arguments with leading `VAR=value` assignments and wrappers (sudo, env, command, exec, time, nohup) removed. */
export function invocation(command: Command): string[] {
  let words = command.words;
  for (;;) {
    const first = words[0];
    if (first === undefined) return words;
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(first)) words = words.slice(1);
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
