import { Command, Script, Stmt, invocation, parseScript, programOf } from "./syntax";

/**
 * Whether a command's failure fails the script that runs it: judged on the parsed script by bash's
 * rules, not by spelling. From the bash manual (https://www.gnu.org/software/bash/manual/bash.html):
 * - `set -e` ("The Set Builtin"): the shell does not exit if the command that fails is part of the
 *   command list immediately following `while`/`until`, part of the test in an `if`, part of any command
 *   executed in a `&&` or `||` list except the command following the final `&&` or `||`, any command in
 *   a pipeline but the last (subject to `pipefail`), or if its status is inverted with `!`; a compound
 *   command or function executing where `-e` is ignored ignores it throughout.
 * - "Pipelines": the status of a pipeline is its last command's, unless `pipefail` is on (then the
 *   rightmost non-zero one); `!` negates it. "Lists of Commands": `a || b` runs b only when a fails and
 *   returns b's status; a command ended by `&` runs in the background with status 0.
 * - "Command Substitution" / "Command Execution Environment": a command substitution runs in a subshell
 *   that does not inherit `-e` unless `inherit_errexit` is set; the status of a command made only of
 *   assignments is that of its last command substitution ("Simple Command Expansion"), while `local`,
 *   `export`, `declare` and `readonly` return their own status.
 * - "Bourne Shell Builtins": `exit n` ends the shell with n (a trap on EXIT runs first, and an `exit` it
 *   calls sets the status); a subshell's `exit` ends only the subshell, whose status is then the command's.
 * `start` is how the script starts: GitHub runs `run:` with `bash -e {0}` when no shell is set and
 * `bash --noprofile --norc -eo pipefail {0}` for `shell: bash`
 * (https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax#jobsjob_idstepsshell).
 */

export interface ShellStart {
  errexit: boolean;
  pipefail: boolean;
}

export interface Escape {
  command: Command;
  /** Why its failure does not fail the script. */
  reason: string;
}

/** A check: the command, and whether it stands in a condition (if/while test) where it is control flow. */
export type IsCheck = (command: Command, inCondition: boolean) => boolean;

interface Context {
  errexit: boolean;
  /** -e ignored here (a condition, a non-final && / || member, a negation). */
  ignored: boolean;
  pipefail: boolean;
  inheritErrexit: boolean;
  inCondition: boolean;
  /** Inside a pipeline part whose output the next command reads: what it prints is data, not a message. */
  outputConsumed?: boolean;
  /** Why the script would not fail if the shell exited here because of -e (undefined: it fails). */
  exitLost: string | undefined;
  /** Why the script would not fail if this position ended with a non-zero status and went on (undefined: it fails). */
  statusLost: string | undefined;
}

const lost = (context: Context): string | undefined => (context.errexit && !context.ignored ? context.exitLost : context.statusLost);

function describe(statement: Stmt): string {
  if (statement.type === "command") return invocation(statement.command).slice(0, 3).join(" ") || statement.command.words.slice(0, 2).join(" ");
  if (statement.type === "group") return statement.subshell ? "( … )" : "{ … }";
  return statement.type;
}

/** The literal status an `exit`/`return` ends with: a number, "last" for the status of the command before it, undefined when it cannot be told. */
function exitStatus(command: Command): number | "last" | undefined {
  const words = invocation(command);
  const argument = words[1];
  if (argument === undefined || argument === "$?" || argument === "${?}") return "last";
  return /^\d+$/.test(argument) ? Number(argument) : undefined;
}

/** Whether running these statements certainly ends with a failure (`exit 1`, `return 2`, `false`; `exit` right after the failure). */
export function alwaysFails(statements: readonly Stmt[]): boolean {
  return statements.some((statement, index) => {
    if (statement.background) return false;
    if (statement.type === "group") return alwaysFails(statement.body);
    if (statement.type !== "command") return false;
    const program = programOf(statement.command);
    if (program === "exit" || program === "return") {
      const status = exitStatus(statement.command);
      return status === "last" ? index === 0 : status !== undefined && status !== 0;
    }
    return program === "false" && index === statements.length - 1;
  });
}

/**
 * Statements whose status the body's last statement returns: `cmd; status=$?; …; [ "$status" -eq 0 ]`
 * (or `exit "$status"`, `return "$status"`), with nothing between assigning the variable again.
 */
function carriedStatuses(statements: readonly Stmt[]): Set<number> {
  const carried = new Set<number>();
  const last = statements[statements.length - 1];
  if (last?.type !== "command" || last.background) return carried;
  const words = invocation(last.command);
  const tested = (name: string) => {
    const reference = new RegExp(`^\\$\\{?${name}\\}?$`);
    if (["exit", "return"].includes(words[0] ?? "")) return words.length === 2 && reference.test(words[1]!);
    const test = words[0] === "[" || words[0] === "[[" ? words.slice(1, -1) : words[0] === "test" ? words.slice(1) : undefined;
    return test !== undefined && test.length === 3 && reference.test(test[0]!) && ((["-eq", "=", "=="].includes(test[1]!) && test[2] === "0") || false);
  };
  statements.forEach((statement, index) => {
    const next = statements[index + 1];
    if (statement.type !== "command" || statement.background || next?.type !== "command" || index + 1 >= statements.length - 1) return;
    const assignment = /^([A-Za-z_][A-Za-z0-9_]*)=\$\?$/.exec(next.command.words.length === 1 ? next.command.words[0]! : "");
    if (assignment === null || !tested(assignment[1]!)) return;
    const reassigned = statements.slice(index + 2, -1).some((between) => between.type === "command" && between.command.words.some((word) => word.startsWith(`${assignment[1]}=`)));
    if (!reassigned) carried.add(index);
  });
  return carried;
}

/** `set` and `shopt` changes to the options the analysis follows. */
function applyOptions(command: Command, context: Context): void {
  const words = invocation(command);
  if (words[0] === "shopt" && words.includes("inherit_errexit")) context.inheritErrexit = words.includes("-s");
  if (words[0] !== "set") return;
  let pendingOption: boolean | undefined;
  for (const word of words.slice(1)) {
    if (pendingOption !== undefined) {
      if (word === "errexit") context.errexit = pendingOption;
      if (word === "pipefail") context.pipefail = pendingOption;
      pendingOption = undefined;
      continue;
    }
    const flags = /^([-+])([A-Za-z]+)$/.exec(word);
    if (!flags) continue;
    const on = flags[1] === "-";
    for (const letter of flags[2]!) {
      if (letter === "e") context.errexit = on;
      if (letter === "o") pendingOption = on;
    }
  }
}

class Analysis {
  readonly escapes: Escape[] = [];
  readonly functions = new Map<string, Stmt[]>();
  readonly called = new Set<string>();
  private readonly active = new Set<string>();

  constructor(private readonly isCheck: IsCheck) {}

  collectFunctions(statements: readonly Stmt[]): void {
    for (const statement of statements) {
      if (statement.type === "function") {
        this.functions.set(statement.name, statement.body);
        this.collectFunctions(statement.body);
      } else if (statement.type === "group") this.collectFunctions(statement.body);
      else if (statement.type === "if") for (const clause of statement.clauses) this.collectFunctions(clause.body);
    }
  }

  report(command: Command, reason: string): void {
    if (!this.escapes.some((escape) => escape.command === command)) this.escapes.push({ command, reason });
  }

  /** A body: statements in order, `set` changes carried forward; the last one's status is the body's. */
  sequence(statements: readonly Stmt[], context: Context, lastStatusLost: string | undefined): void {
    const current = { ...context };
    const carried = carriedStatuses(statements);
    statements.forEach((statement, index) => {
      const later = current.errexit && !current.ignored ? "a later command decides the step's status (-e does not stop the script for it here)" : "-e is off here, and a later command decides the step's status";
      this.statement(statement, { ...current, statusLost: index === statements.length - 1 || carried.has(index) ? lastStatusLost : later });
      if (statement.type === "command" && !statement.background) applyOptions(statement.command, current);
    });
  }

  statement(statement: Stmt, context: Context): void {
    if (statement.background) {
      const background: Context = { ...context, ignored: true, statusLost: "it runs in the background (&): nothing waits for its status", exitLost: "it runs in the background (&): nothing waits for its status" };
      this.visit({ ...statement, background: false }, background);
      return;
    }
    this.visit(statement, context);
  }

  private visit(statement: Stmt, context: Context): void {
    switch (statement.type) {
      case "command":
        this.command(statement.command, context);
        return;
      case "list": {
        const rescue = statement.op === "||" ? statement.right : undefined;
        const leftLost =
          statement.op === "&&"
            ? context.statusLost === undefined
              ? undefined
              : `it is not the last command of an && list (-e does not stop the script when it fails), and ${context.statusLost}`
            : alwaysFails([rescue!])
              ? lost(context)
              : `\`… || ${describe(rescue!)}\` goes on when it fails`;
        // `test && …`, and `test || continue` (break, return, exit): the left side chooses what runs next, as an if condition does.
        const choosesFlow = statement.op === "&&" || context.outputConsumed === true || (rescue?.type === "command" && ["continue", "break", "return", "exit"].includes(programOf(rescue.command)));
        this.statement(statement.left, { ...context, ignored: true, inCondition: context.inCondition || choosesFlow, statusLost: leftLost });
        this.statement(statement.right, context);
        return;
      }
      case "pipeline":
        statement.parts.forEach((part, index) => {
          const last = index === statement.parts.length - 1;
          if (last) this.statement(part, context);
          else {
            const next = describe(statement.parts[index + 1]!);
            this.statement(part, { ...context, ignored: true, outputConsumed: true, statusLost: context.pipefail ? lost(context) : `it is piped into \`${next}\` without pipefail: the pipeline's status is the last command's` });
          }
        });
        return;
      case "not":
        this.statement(statement.body, { ...context, ignored: true, statusLost: "`!` inverts its status" });
        return;
      case "if":
        statement.clauses.forEach((clause, index) => {
          const laterClause = index < statement.clauses.length - 1;
          const failureBranch = laterClause ? undefined : statement.otherwise;
          clause.condition.forEach((condition, position) => {
            const deciding = position === clause.condition.length - 1;
            const conditionContext: Context = { ...context, ignored: true, inCondition: true };
            if (!deciding) {
              this.statement(condition, { ...conditionContext, statusLost: "it is in an if condition before the command that decides the branch" });
            } else if (condition.type === "not") {
              // `if ! check; then …`: the check failing runs the body.
              this.statement(condition.body, { ...conditionContext, statusLost: alwaysFails(clause.body) ? lost(context) : "it is an `if !` condition whose branch does not fail" });
            } else {
              const reason = laterClause
                ? "it is an if condition: when it fails, an elif decides what runs"
                : failureBranch === undefined
                  ? "it is an if condition: when it fails, nothing runs and the if succeeds"
                  : alwaysFails(failureBranch)
                    ? undefined
                    : "it is an if condition: when it fails, the else branch runs, which does not fail";
              this.statement(condition, { ...conditionContext, statusLost: reason === undefined ? lost(context) : reason });
            }
          });
          this.sequence(clause.body, context, context.statusLost);
        });
        if (statement.otherwise) this.sequence(statement.otherwise, context, context.statusLost);
        return;
      case "loop":
        for (const condition of statement.condition) {
          this.statement(condition, { ...context, ignored: statement.keyword === "while" || statement.keyword === "until", inCondition: statement.keyword !== "for", statusLost: statement.keyword === "for" || statement.keyword === "select" ? context.statusLost : `it is a ${statement.keyword} condition: its failure only decides the loop` });
        }
        this.sequence(statement.body, context, context.statusLost);
        return;
      case "case":
        for (const body of statement.bodies) this.sequence(body, context, context.statusLost);
        return;
      case "group":
        if (statement.subshell) {
          // A subshell inherits -e; its exit is its status, and that status fails the command where it stands.
          const fails = lost(context);
          this.sequence(statement.body, { ...context, exitLost: fails }, fails);
        } else this.sequence(statement.body, context, context.statusLost);
        return;
      case "function":
        return; // judged where it is called
      case "unreadable":
        return;
    }
  }

  command(command: Command, context: Context): void {
    const program = programOf(command);
    const words = invocation(command);
    const onlyAssignments = words.length === 0;
    // Command substitutions: their last command's status is the command's only when the command is only assignments.
    const substitutionLost = onlyAssignments ? lost(context) : `it runs inside $(…) of \`${command.declaration ? command.words[0] : program}\`, whose own status is the step's`;
    for (const body of command.commandSubstitutions) {
      this.sequence(body, { ...context, errexit: context.inheritErrexit && context.errexit, ignored: false, inCondition: false, exitLost: substitutionLost }, substitutionLost);
    }
    if (["bash", "sh", "dash", "zsh", "ksh"].includes(program)) {
      const flag = words.indexOf("-c");
      const text = flag > 0 ? words[flag + 1] : undefined;
      if (text !== undefined) {
        const options = words.slice(1, flag);
        const errexit = options.some((option) => /^-[a-z]*e/.test(option)) || options.includes("errexit");
        const fails = lost(context);
        this.script(parseScript(text), { ...context, errexit, pipefail: false, ignored: false, exitLost: fails }, fails);
      }
    }
    if (program === "eval" && words.length > 1) this.script(parseScript(words.slice(1).join(" ")), context, lost(context));
    const body = this.functions.get(program);
    if (body !== undefined && !this.active.has(program)) {
      this.called.add(program);
      this.active.add(program);
      this.sequence(body, context, lost(context));
      this.active.delete(program);
    }
    if (!onlyAssignments && this.isCheck(command, context.inCondition)) {
      const reason = lost(context);
      if (reason !== undefined) this.report(command, reason);
    }
  }

  script(script: Script, context: Context, lastStatusLost: string | undefined): void {
    this.collectFunctions(script.statements);
    this.sequence(script.statements, context, lastStatusLost);
  }
}

/** The trap that ends the script with status 0 whatever failed (`trap 'exit 0' EXIT`, or a handler function that does). */
function zeroExitTrap(script: Script, functions: Map<string, Stmt[]>): string | undefined {
  for (const command of script.commands) {
    const words = invocation(command);
    if (words[0] !== "trap" || words.length < 3) continue;
    const signals = words.slice(2).map((signal) => signal.toUpperCase().replace(/^SIG/, ""));
    if (!signals.some((signal) => ["EXIT", "0", "ERR"].includes(signal))) continue;
    const handler = parseScript(words[1]!);
    const bodies = [handler.statements, ...handler.commands.map((call) => functions.get(programOf(call))).filter((body): body is Stmt[] => body !== undefined)];
    const exitsZero = (statements: readonly Stmt[]): boolean =>
      statements.some((statement) => {
        if (statement.type === "command") return ["exit"].includes(programOf(statement.command)) && exitStatus(statement.command) === 0;
        if (statement.type === "group") return exitsZero(statement.body);
        if (statement.type === "list") return exitsZero([statement.left, statement.right]);
        if (statement.type === "if") return statement.clauses.some((clause) => exitsZero(clause.body)) || exitsZero(statement.otherwise ?? []);
        return false;
      });
    if (bodies.some(exitsZero)) return `\`trap ${words[1]} ${words.slice(2).join(" ")}\` ends the script with status 0`;
  }
  return undefined;
}

/**
 * The checks of a script whose failure does not fail it, each with why. Checks in functions that nothing
 * calls never run: they are reported too.
 */
export function escapingFailures(text: string, isCheck: IsCheck, start: ShellStart): Escape[] {
  const script = parseScript(text);
  const analysis = new Analysis(isCheck);
  analysis.collectFunctions(script.statements);
  const trap = zeroExitTrap(script, analysis.functions);
  const context: Context = { errexit: start.errexit, pipefail: start.pipefail, ignored: false, inheritErrexit: false, inCondition: false, exitLost: trap, statusLost: trap };
  analysis.sequence(script.statements, context, trap);
  // A function named in a trap runs when the trap fires: it is not "never called".
  for (const command of script.commands) {
    const words = invocation(command);
    if (words[0] === "trap" && words[1] !== undefined) for (const call of parseScript(words[1]).commands) analysis.called.add(programOf(call));
  }
  for (const [name, body] of analysis.functions) {
    if (analysis.called.has(name)) continue;
    for (const command of script.commands.filter((candidate) => candidate.inFunction && isCheck(candidate, candidate.condition))) {
      if (bodyHas(body, command)) analysis.report(command, `it is in function ${name}, which nothing calls`);
    }
  }
  return analysis.escapes;
}

function bodyHas(statements: readonly Stmt[], command: Command): boolean {
  return statements.some((statement) => {
    switch (statement.type) {
      case "command":
        return statement.command === command;
      case "list":
        return bodyHas([statement.left, statement.right], command);
      case "pipeline":
        return bodyHas(statement.parts, command);
      case "not":
        return bodyHas([statement.body], command);
      case "if":
        return statement.clauses.some((clause) => bodyHas(clause.condition, command) || bodyHas(clause.body, command)) || bodyHas(statement.otherwise ?? [], command);
      case "loop":
        return bodyHas(statement.condition, command) || bodyHas(statement.body, command);
      case "case":
        return statement.bodies.some((body) => bodyHas(body, command));
      case "group":
      case "function":
        return bodyHas(statement.body, command);
      default:
        return false;
    }
  });
}

/** Commands whose only effect is a message or nothing. */
const MESSAGES = new Set([":", "true", "echo", "printf", "logger"]);

/**
 * The commands of `if` conditions whose branches do nothing but print (`:`, `true`, `echo`, `printf`,
 * `logger`), one of them nothing at all (a missing `else` included): whatever the test finds, the
 * script goes on the same way.
 */
export function testsThatDecideNothing(text: string): Command[] {
  const found: Command[] = [];
  const noOp = (statements: readonly Stmt[]) => statements.every((statement) => statement.type === "command" && MESSAGES.has(programOf(statement.command)));
  const visit = (statements: readonly Stmt[]) => {
    for (const statement of statements) {
      if (statement.type === "if") {
        const branches = [...statement.clauses.map((clause) => clause.body), statement.otherwise ?? []];
        // Branches that print different things (`if [ -n "$dir" ]; then echo "$dir/x"; else echo x; fi`) choose an output; one that does nothing does not.
        const silentBranch = branches.some((branch) => branch.every((inner) => inner.type === "command" && [":", "true"].includes(programOf(inner.command))));
        if (branches.every(noOp) && silentBranch) {
          for (const clause of statement.clauses) for (const condition of clause.condition) collect(condition);
        }
        for (const clause of statement.clauses) visit(clause.body);
        visit(statement.otherwise ?? []);
      } else if (statement.type === "group") visit(statement.body); // a function's if (a trap's report, a helper's choice) is judged where it is called, not here
      else if (statement.type === "loop") visit(statement.body);
      else if (statement.type === "case") statement.bodies.forEach(visit);
    }
  };
  const collect = (statement: Stmt) => {
    if (statement.type === "command") found.push(statement.command);
    else if (statement.type === "list") [statement.left, statement.right].forEach(collect);
    else if (statement.type === "not") collect(statement.body);
    else if (statement.type === "pipeline") statement.parts.forEach(collect);
  };
  visit(parseScript(text).statements);
  return found;
}

/** How GitHub starts a `run:` step's shell (see above); undefined for a shell that is not bash or sh. */
export function githubShellStart(shell: string | undefined): ShellStart | undefined {
  if (shell === undefined) return { errexit: true, pipefail: false };
  const trimmed = shell.trim();
  if (trimmed === "bash") return { errexit: true, pipefail: true };
  if (trimmed === "sh") return { errexit: true, pipefail: false };
  const words = trimmed.split(/\s+/);
  const program = words[0]?.split("/").pop() ?? "";
  if (!["bash", "sh"].includes(program) || !words.includes("{0}")) return undefined;
  const options = words.slice(1, words.indexOf("{0}"));
  let errexit = false;
  let pipefail = false;
  options.forEach((option, index) => {
    if (/^-[a-z]*e/.test(option) && !option.startsWith("--")) errexit = true;
    if (/^-[a-z]*o$/.test(option) && options[index + 1] === "pipefail") pipefail = true;
    if (option === "-o" && options[index + 1] === "errexit") errexit = true;
  });
  return { errexit, pipefail };
}
