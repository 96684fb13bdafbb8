import { Plain } from "../values";

/**
 * Enough of GitHub's expression language to decide what an `if:` or `continue-on-error:` can be
 * (https://docs.github.com/en/actions/reference/workflows-and-actions/expressions): literals,
 * context paths, `!`, comparisons, `&&`, `||`, parentheses and function calls. A value is known only
 * when it follows from literals, the status functions of the scenario, and `github.event_name`
 * (one of the workflow's triggers); every other context is unknown, and so is anything built on it.
 * An `if:` with no status function is implicitly `success() && (…)` ("Status check functions").
 *
 * Why not GitHub's own @actions/expressions: it is an ES module whose package exports only an `import`
 * condition, and the engine runs the pack through ts-node with policies/tsconfig.json (`module:
 * commonjs`), which compiles `await import("@actions/expressions")` to `require("@actions/expressions")`
 * (measured: TypeScript 5.9 transpileModule with that tsconfig emits
 * `Promise.resolve().then(() => __importStar(require("@actions/expressions")))`); Node 22.23 refuses that
 * require with ERR_PACKAGE_PATH_NOT_EXPORTED ("No \"exports\" main defined"). Loading it would need the
 * pack compiled as `module: node16` (which keeps import() in CommonJS output) for every pack file.
 */

const UNKNOWN = Symbol("unknown");
type Value = string | number | boolean | null | typeof UNKNOWN;

/** How the jobs before this point ended. */
export interface Scenario {
  /** Every earlier step/job succeeded. */
  outcome: "success" | "failure" | "cancelled";
  /** The workflow's trigger names, for github.event_name (empty: unknown). */
  events: readonly string[];
}

type Node =
  | { kind: "literal"; value: Value }
  | { kind: "path"; path: string }
  | { kind: "call"; name: string; args: Node[] }
  | { kind: "not"; operand: Node }
  | { kind: "binary"; op: string; left: Node; right: Node };

class ParseError extends Error {}

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  const pattern = /\s*(?:('(?:[^']|'')*')|(&&|\|\||==|!=|<=|>=|[!<>(),\[\]])|([A-Za-z_][A-Za-z0-9_-]*(?:\.(?:[A-Za-z_*][A-Za-z0-9_-]*|\*))*|0x[0-9a-fA-F]+|-?\d+(?:\.\d+)?(?:e[+-]?\d+)?))/y;
  let index = 0;
  while (index < text.length) {
    if (/^\s*$/.test(text.slice(index))) break;
    pattern.lastIndex = index;
    const match = pattern.exec(text);
    if (!match) throw new ParseError(`cannot read ${JSON.stringify(text.slice(index))}`);
    tokens.push(match[1] ?? match[2] ?? match[3]!);
    index = pattern.lastIndex;
  }
  return tokens;
}

function parse(text: string): Node {
  const tokens = tokenize(text);
  let position = 0;
  const peek = () => tokens[position];
  const next = () => tokens[position++];
  const expect = (token: string) => {
    if (next() !== token) throw new ParseError(`expected ${token}`);
  };
  const primary = (): Node => {
    const token = next();
    if (token === undefined) throw new ParseError("unexpected end");
    if (token === "(") {
      const inner = or();
      expect(")");
      return inner;
    }
    if (token === "!") return { kind: "not", operand: primary() };
    if (token.startsWith("'")) return { kind: "literal", value: token.slice(1, -1).replace(/''/g, "'") };
    if (token === "true" || token === "false") return { kind: "literal", value: token === "true" };
    if (token === "null") return { kind: "literal", value: null };
    if (/^(0x[0-9a-fA-F]+|-?\d)/.test(token)) return { kind: "literal", value: Number(token) };
    if (peek() === "(") {
      next();
      const args: Node[] = [];
      while (peek() !== ")") {
        args.push(or());
        if (peek() === ",") next();
        else break;
      }
      expect(")");
      return { kind: "call", name: token.toLowerCase(), args };
    }
    let path = token;
    while (peek() === "[") {
      next();
      const key = or();
      expect("]");
      path += key.kind === "literal" ? `.${String(key.value)}` : ".*";
      while (peek()?.startsWith(".")) path += next();
    }
    return { kind: "path", path: path.toLowerCase() };
  };
  const comparison = (): Node => {
    let left = primary();
    while (["==", "!=", "<", "<=", ">", ">="].includes(peek() ?? "")) {
      const op = next()!;
      left = { kind: "binary", op, left, right: primary() };
    }
    return left;
  };
  const and = (): Node => {
    let left = comparison();
    while (peek() === "&&") {
      next();
      left = { kind: "binary", op: "&&", left, right: comparison() };
    }
    return left;
  };
  const or = (): Node => {
    let left = and();
    while (peek() === "||") {
      next();
      left = { kind: "binary", op: "||", left, right: and() };
    }
    return left;
  };
  const node = or();
  if (position !== tokens.length) throw new ParseError(`unexpected ${tokens[position]}`);
  return node;
}

const STATUS_FUNCTIONS = new Set(["success", "failure", "cancelled", "always"]);

function usesStatus(node: Node): boolean {
  switch (node.kind) {
    case "call":
      return STATUS_FUNCTIONS.has(node.name) || node.args.some(usesStatus);
    case "not":
      return usesStatus(node.operand);
    case "binary":
      return usesStatus(node.left) || usesStatus(node.right);
    default:
      return false;
  }
}

function truthy(value: Value): boolean | typeof UNKNOWN {
  if (value === UNKNOWN) return UNKNOWN;
  return value !== null && value !== false && value !== 0 && value !== "" && !Number.isNaN(value);
}

function toNumber(value: Exclude<Value, typeof UNKNOWN>): number {
  if (value === null) return 0;
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "number") return value;
  return value.trim() === "" ? 0 : Number(value);
}

function compare(op: string, left: Value, right: Value): Value {
  if (left === UNKNOWN || right === UNKNOWN) return UNKNOWN;
  if (typeof left === "string" && typeof right === "string") {
    const a = left.toLowerCase();
    const b = right.toLowerCase();
    return op === "==" ? a === b : op === "!=" ? a !== b : op === "<" ? a < b : op === "<=" ? a <= b : op === ">" ? a > b : a >= b;
  }
  const a = toNumber(left);
  const b = toNumber(right);
  return op === "==" ? a === b : op === "!=" ? a !== b : op === "<" ? a < b : op === "<=" ? a <= b : op === ">" ? a > b : a >= b;
}

function evaluate(node: Node, scenario: Scenario): Value {
  switch (node.kind) {
    case "literal":
      return node.value;
    case "path":
      if (node.path === "github.event_name" && scenario.events.length === 1) return scenario.events[0]!;
      return UNKNOWN;
    case "not": {
      const value = truthy(evaluate(node.operand, scenario));
      return value === UNKNOWN ? UNKNOWN : !value;
    }
    case "call":
      switch (node.name) {
        case "success":
          return scenario.outcome === "success";
        case "failure":
          return scenario.outcome === "failure";
        case "cancelled":
          return scenario.outcome === "cancelled";
        case "always":
          return true;
        default:
          return UNKNOWN;
      }
    case "binary": {
      if (node.op === "&&" || node.op === "||") {
        const left = evaluate(node.left, scenario);
        const leftTruth = truthy(left);
        if (node.op === "&&" && leftTruth === false) return left;
        if (node.op === "||" && leftTruth === true) return left;
        const right = evaluate(node.right, scenario);
        if (leftTruth === UNKNOWN) {
          const rightTruth = truthy(right);
          if (node.op === "&&" && rightTruth === false) return false;
          if (node.op === "||" && rightTruth === true) return true;
          return UNKNOWN;
        }
        return right;
      }
      // github.event_name compared with a name that is not a trigger of the workflow: known false.
      const eventSide = [node.left, node.right].find((side) => side.kind === "path" && side.path === "github.event_name");
      const literalSide = [node.left, node.right].find((side) => side.kind === "literal");
      if (eventSide && literalSide && literalSide.kind === "literal" && typeof literalSide.value === "string" && scenario.events.length > 0 && (node.op === "==" || node.op === "!=")) {
        const isTrigger = scenario.events.some((event) => event.toLowerCase() === String(literalSide.value).toLowerCase());
        if (!isTrigger) return node.op === "!=";
      }
      return compare(node.op, evaluate(node.left, scenario), evaluate(node.right, scenario));
    }
  }
}

export type Truth = boolean | "unknown";

/** The expression inside an `if:` or `continue-on-error:` value, or undefined when it is a plain value. */
function expressionOf(value: Plain | undefined): { text: string } | { constant: Truth } {
  if (value === undefined) return { constant: true };
  if (value === null || typeof value === "boolean" || typeof value === "number") {
    const truth = truthy(value);
    return { constant: truth === UNKNOWN ? "unknown" : truth };
  }
  if (typeof value !== "string") return { constant: "unknown" };
  const trimmed = value.trim();
  const whole = /^\$\{\{([\s\S]*)\}\}$/.exec(trimmed);
  if (whole && !whole[1]!.includes("}}")) return { text: whole[1]! };
  if (trimmed.includes("${{")) return { constant: "unknown" }; // a string template: a non-empty string, whatever it contains
  return { text: trimmed };
}

/**
 * What an `if:` is in a scenario: true, false, or unknown. An absent `if:` is `success()`. A condition
 * that cannot be read is unknown.
 */
export function conditionIn(value: Plain | undefined, scenario: Scenario): Truth {
  if (value === undefined) return scenario.outcome === "success";
  const expression = expressionOf(value);
  if ("constant" in expression) return expression.constant;
  try {
    const node = parse(expression.text);
    const effective: Node = usesStatus(node) ? node : { kind: "binary", op: "&&", left: { kind: "call", name: "success", args: [] }, right: node };
    const result = truthy(evaluate(effective, scenario));
    return result === UNKNOWN ? "unknown" : result;
  } catch {
    return "unknown";
  }
}

/** What a `continue-on-error:` value is (a boolean, or an expression): true, false or unknown. Absent is false. */
export function flagValue(value: Plain | undefined, events: readonly string[]): Truth {
  if (value === undefined) return false;
  const expression = expressionOf(value);
  if ("constant" in expression) return expression.constant;
  try {
    const result = truthy(evaluate(parse(expression.text), { outcome: "success", events }));
    return result === UNKNOWN ? "unknown" : result;
  } catch {
    return "unknown";
  }
}

/** The status functions an `if:` calls, lower-cased (empty: the implicit success()). */
export function statusFunctionsOf(value: Plain | undefined): string[] {
  if (typeof value !== "string") return [];
  const found = new Set<string>();
  for (const match of value.toLowerCase().matchAll(/\b(success|failure|cancelled|always)\s*\(\s*\)/g)) found.add(match[1]!);
  return [...found];
}

/**
 * The value of a string that may hold `${{ }}` expressions, when every expression in it is made of
 * literals only (`${{ 'production' }}`, `prod${{ '' }}uction`); undefined when any part reads a context
 * or a function, or cannot be read: then it can be anything its inputs make it. Values become text as
 * GitHub's templates make them ("Literals": null is '', booleans 'true'/'false').
 */
export function literalOf(template: string): string | undefined {
  let result = "";
  let rest = template;
  for (;;) {
    const start = rest.indexOf("${{");
    if (start < 0) return result + rest;
    const end = rest.indexOf("}}", start + 3);
    if (end < 0) return undefined;
    result += rest.slice(0, start);
    let value: Value;
    try {
      const node = parse(rest.slice(start + 3, end));
      if (readsAnything(node)) return undefined;
      value = evaluate(node, { outcome: "success", events: [] });
    } catch {
      return undefined;
    }
    if (value === UNKNOWN) return undefined;
    result += value === null ? "" : String(value);
    rest = rest.slice(end + 2);
  }
}

/** Whether an expression reads a context or calls a function (its value then depends on the run). */
function readsAnything(node: Node): boolean {
  switch (node.kind) {
    case "literal":
      return false;
    case "path":
    case "call":
      return true;
    case "not":
      return readsAnything(node.operand);
    case "binary":
      return readsAnything(node.left) || readsAnything(node.right);
  }
}
