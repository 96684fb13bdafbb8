import { parse } from "yaml";
import { StackResource, dependsOn } from "./define";
import { anyGlobMatch } from "./glob";
import { Statement, coversAction, coversResource, isAllow, wildcardMatch } from "./policyDocument";
import { RoleGrants, roleGrants } from "./roles";
import { Plain, PlainRecord, asArray, asRecord, at, knownString } from "./values";
import { ShellStart } from "./shell/failures";
import { Command, Stmt, allCommandsOf, invocation, parseScript, programOf } from "./shell/syntax";

/**
 * Disaster recovery as the pack sees it: the backup buckets, the jobs (CodeBuild projects) that write
 * and restore backups and the EventBridge schedules that start them, the alarms on their metrics and
 * the drill register. Inputs as @pulumi/aws 7 names them. The program's names (infra/backup/contract.ts)
 * are held here again: the pack never imports the program (test/policies/recovery.spec.ts checks they agree).
 */

export const BUCKET = "aws:s3/bucket:Bucket";
export const CODEBUILD_PROJECT = "aws:codebuild/project:Project";
export const SCHEDULE = "aws:scheduler/schedule:Schedule";
export const SSM_PARAMETER = "aws:ssm/parameter:Parameter";

export const RECOVERY_METRICS = {
  backupCompleted: "BackupCompleted",
  backupSizeRatio: "BackupSizeRatio",
  drillSeconds: "RestoreDrillSeconds",
} as const;

/** The drill register: an SSM parameter under `/restore-drill/`, tagged, holding the drill's JSON record. */
export const DRILL_REGISTER_SEGMENT = "/restore-drill/";
export const DRILL_REGISTER_TAG = "flightdeck:restore-drill";
export const OBJECTIVE_TAGS = { rpoMinutes: "flightdeck:rpo-minutes", rtoMinutes: "flightdeck:rto-minutes" } as const;

export function bucketName(bucket: StackResource): string {
  return knownString(bucket.props["bucket"]) ?? bucket.name;
}

export function backupBuckets(resources: StackResource[], globs: readonly string[]): StackResource[] {
  return resources.filter((r) => r.type === BUCKET && (anyGlobMatch(globs, r.name) || anyGlobMatch(globs, knownString(r.props["bucket"]) ?? "")));
}

/** Allow statements of a role's permission documents (documents that cannot be read yet are skipped: other policies report them). */
export function allowStatements(grants: RoleGrants): { statement: Statement; source: string; urn: string }[] {
  return grants.permissions.flatMap((source) =>
    source.document.kind === "document" ? source.document.statements.filter(isAllow).map((statement) => ({ statement, source: source.label, urn: source.urn })) : [],
  );
}

/**
 * Whether a statement's Resource reaches some object of the bucket: `*`, or an S3 ARN whose bucket
 * part matches the bucket's name and that names keys (any prefix). NotResource is taken to reach it.
 */
export function reachesObjects(statement: Statement, name: string): boolean {
  if (statement.resources === undefined) return true;
  return statement.resources.some((pattern) => {
    const trimmed = pattern.trim();
    if (trimmed === "*") return true;
    const arn = /^arn:aws[a-z-]*:s3:::([^/]*)\/(.*)$/.exec(trimmed);
    return arn !== null && wildcardMatch(arn[1]!, name);
  });
}

/** Whether a statement reaches the bucket itself or any of its objects, for any of the buckets. */
export function reachesBuckets(statement: Statement, names: readonly string[]): boolean {
  return names.some((name) => coversResource(statement, `arn:aws:s3:::${name}`) || reachesObjects(statement, name));
}

/** Roles that may put objects into any of the buckets (the backup writers). */
export function writersOf(resources: StackResource[], names: readonly string[]): RoleGrants[] {
  return roleGrants(resources).filter((grants) =>
    allowStatements(grants).some(({ statement }) => coversAction(statement, "s3:PutObject") && names.some((name) => reachesObjects(statement, name))),
  );
}

/** The role a CodeBuild project runs as (its serviceRole: an ARN or name of a stack role, or one it depends on). */
export function projectRole(project: StackResource, grants: RoleGrants[]): RoleGrants | undefined {
  const reference = knownString(project.props["serviceRole"]);
  if (reference !== undefined) {
    const name = reference.includes(":role/") ? reference.slice(reference.lastIndexOf("/") + 1) : reference;
    const byName = grants.find((candidate) => candidate.roleName === name);
    if (byName) return byName;
  }
  return grants.find((candidate) => dependsOn(project, candidate.role.urn, "serviceRole"));
}

/** Every command of a project's inline buildspec (all phases, `commands` and `finally`), as one text; "" when it has none. */
export function buildspecText(project: StackResource): string {
  const buildspec = knownString(at(project.props, "source.buildspec"));
  if (buildspec === undefined) return "";
  let document: unknown;
  try {
    document = parse(buildspec);
  } catch {
    return "";
  }
  const phases = asRecord(asRecord(document as Plain)?.["phases"]) ?? {};
  return Object.values(phases)
    .flatMap((phase) => [...asArray(asRecord(phase)?.["commands"]), ...asArray(asRecord(phase)?.["finally"])])
    .map((command) => (typeof command === "string" ? command : ""))
    .join("\n");
}

/** The phases of buildspec 0.2, in the order CodeBuild runs them. */
const PHASES = ["install", "pre_build", "build", "post_build"] as const;

/** The `phases` of a project's inline buildspec (empty when it has none or it is not YAML). */
function buildspecPhases(project: StackResource): PlainRecord {
  const buildspec = knownString(at(project.props, "source.buildspec"));
  if (buildspec === undefined) return {};
  try {
    return asRecord(asRecord(parse(buildspec) as Plain)?.["phases"]) ?? {};
  } catch {
    return {};
  }
}

/**
 * Phases that go on after a failed command: `on-failure` other than ABORT ("CONTINUE - Continue to the
 * next phase", https://docs.aws.amazon.com/codebuild/latest/userguide/build-spec-ref.html).
 */
export function continuingPhases(project: StackResource): { phase: string; value: string }[] {
  const phases = buildspecPhases(project);
  return PHASES.map((phase) => ({ phase, value: asRecord(phases[phase])?.["on-failure"] }))
    .filter((entry): entry is { phase: (typeof PHASES)[number]; value: Plain } => entry.value !== undefined && entry.value !== "ABORT")
    .map(({ phase, value }) => ({ phase, value: String(value) }));
}

/** A script a buildspec runs: where (`phases.<phase>.commands[<n>]`, or the here-document it ran), its text, and the shell options it starts with. */
export interface BuildspecScript {
  at: string;
  text: string;
  start: ShellStart;
  /** The phase command that runs it (undefined for a phase command itself). */
  runBy?: Command;
}

/**
 * The scripts an inline buildspec runs: each phase command (`commands` and `finally`), and each
 * here-document it runs, fed to a shell (`bash <<'EOF'`) or written to a file a later command runs
 * (`cat > "$script" <<'EOF'` … `bash "$script"`, as infra/backup/buildspec.ts writes them).
 * CodeBuild (https://docs.aws.amazon.com/codebuild/latest/userguide/build-spec-ref.html) runs the
 * commands of version 0.2 "in the same instance of the default shell" (`env.shell` bash here), "one at
 * a time"; a command that exits non-zero fails the phase. Nothing there says a command runs with -e,
 * so each is judged as bash without it: its status is its last command's.
 */
export function buildspecScripts(project: StackResource): BuildspecScript[] {
  const phases = buildspecPhases(project);
  const scripts: BuildspecScript[] = [];
  const files = new Map<string, string>();
  for (const phase of PHASES) {
    for (const list of ["commands", "finally"] as const) {
      asArray(asRecord(phases[phase])?.[list]).forEach((entry, index) => {
        if (typeof entry !== "string") return;
        const where = `phases.${phase}.${list}[${index}]`;
        scripts.push({ at: where, text: entry, start: { errexit: false, pipefail: false } });
        for (const command of allCommandsOf(entry)) {
          const words = invocation(command);
          const program = programOf(command);
          const written = command.redirects.find((redirect) => redirect.op === ">" || redirect.op === ">|");
          if (command.heredocs.length > 0 && written !== undefined && ["cat", "tee"].includes(program)) files.set(written.target, command.heredocs.join("\n"));
          if (!RUNNERS.has(program)) continue;
          const options = words.slice(1).filter((word) => word.startsWith("-") || word === "pipefail" || word === "errexit");
          const start = { errexit: options.some((option) => /^-[a-z]*e/.test(option)) || options.includes("errexit"), pipefail: options.includes("pipefail") };
          const file = words.slice(1).find((word) => !word.startsWith("-") && word !== "pipefail" && word !== "errexit");
          if (file !== undefined && files.has(file)) scripts.push({ at: `${where} (${program} ${file})`, text: files.get(file)!, start, runBy: command });
          else if (file === undefined && command.heredocs.length > 0) scripts.push({ at: `${where} (${program} <<)`, text: command.heredocs.join("\n"), start, runBy: command });
        }
      });
    }
  }
  return scripts;
}

const RUNNERS = new Set(["bash", "sh", "source", "."]);

/** Every command a project's buildspec runs, in its phases and the scripts they run, with the script it is in. */
export function buildspecCommands(project: StackResource): { script: BuildspecScript; command: Command }[] {
  return buildspecScripts(project).flatMap((script) => allCommandsOf(script.text).map((command) => ({ script, command })));
}

/**
 * The `pg_dump` command lines a project runs, each as its arguments: a pg_dump written in a function that
 * passes on its own arguments (`dump() { pg_dump "$@"; }`) is read once per call, with the call's
 * arguments in place of `"$@"`.
 */
export function dumpCommands(project: StackResource): { script: BuildspecScript; command: Command; args: string[] }[] {
  const found: { script: BuildspecScript; command: Command; args: string[] }[] = [];
  for (const script of buildspecScripts(project)) {
    const wrappers = new Map<string, Command>();
    const collect = (statements: readonly Stmt[], inside?: string) => {
      for (const statement of statements) {
        if (statement.type === "function") collect(statement.body, statement.name);
        else if (statement.type === "command" && inside !== undefined && programOf(statement.command) === "pg_dump" && invocation(statement.command).some((word) => word === "$@" || word === "$*")) wrappers.set(inside, statement.command);
        else if (statement.type === "group") collect(statement.body, inside);
      }
    };
    collect(parseScript(script.text).statements);
    for (const command of allCommandsOf(script.text)) {
      const words = invocation(command);
      const wrapper = wrappers.get(programOf(command));
      if (programOf(command) === "pg_dump") found.push({ script, command, args: words.slice(1) });
      else if (wrapper !== undefined) found.push({ script, command, args: invocation(wrapper).slice(1).flatMap((word) => (word === "$@" || word === "$*" ? words.slice(1) : [word])) });
    }
  }
  return found;
}

/** The PostgreSQL major a buildspec installs (`dnf install … postgresqlNN`), when it names one. */
export function installedPostgresMajor(project: StackResource): number | undefined {
  for (const script of buildspecScripts(project)) {
    for (const command of allCommandsOf(script.text)) {
      const words = invocation(command);
      if (!["dnf", "yum", "apt-get", "apt"].includes(programOf(command)) || !words.includes("install")) continue;
      const major = words.map((word) => /^postgresql-?(?:client-)?(\d+)$/.exec(word)?.[1]).find((found) => found !== undefined);
      if (major !== undefined) return Number(major);
    }
  }
  return undefined;
}

/** A project's plain environment variable (PLAINTEXT, or a variable without a type). */
export function projectVariable(project: StackResource, name: string): string | undefined {
  const variables = asArray(at(project.props, "environment.environmentVariables")).map((variable) => asRecord(variable) ?? {});
  const found = variables.find((variable) => knownString(variable["name"]) === name && (variable["type"] === undefined || variable["type"] === "PLAINTEXT"));
  return knownString(found?.["value"]);
}

/** Schedules whose target is the project (its ARN, written or from its output). */
export function schedulesOf(project: StackResource, resources: StackResource[]): StackResource[] {
  const arn = knownString(project.props["arn"]);
  const name = knownString(project.props["name"]);
  return resources.filter((schedule) => {
    if (schedule.type !== SCHEDULE) return false;
    const target = knownString(at(schedule.props, "target.arn"));
    if (target !== undefined && (target === arn || (name !== undefined && target.endsWith(`:project/${name}`)))) return true;
    return dependsOn(schedule, project.urn, "target");
  });
}

const DAY_NAMES = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

/** The values a cron field selects within [min, max]: `*`, `?`, numbers, ranges, lists, steps (and day names). Undefined when it uses anything else. */
function cronField(field: string, min: number, max: number, names: string[] = []): number[] | undefined {
  const values = new Set<number>();
  for (const part of field.split(",")) {
    const [range, stepText] = part.split("/");
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1 || range === undefined) return undefined;
    const value = (text: string) => {
      const index = names.indexOf(text.toUpperCase());
      if (index >= 0) return index + min;
      return /^\d+$/.test(text) ? Number(text) : NaN;
    };
    let from: number;
    let to: number;
    if (range === "*" || range === "?") [from, to] = [min, max];
    else if (range.includes("-")) [from, to] = range.split("-").map(value) as [number, number];
    else [from, to] = stepText === undefined ? [value(range), value(range)] : [value(range), max];
    if (!Number.isInteger(from) || !Number.isInteger(to) || from < min || to > max || from > to) return undefined;
    for (let current = from; current <= to; current += step) values.add(current);
  }
  return [...values];
}

/**
 * The longest gap, in minutes, between two starts of an EventBridge Scheduler schedule expression
 * (https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html): `rate(value unit)`
 * with unit minute(s), hour(s), day(s); `cron(minutes hours day-of-month month day-of-week year)` when
 * it repeats within every week (day-of-month `*` or `?`, month and year `*`; day-of-week 1-7 or SUN-SAT,
 * 1 being Sunday). Undefined for anything else: a cadence the pack cannot tell.
 */
export function longestGapMinutes(expression: string): number | undefined {
  const rate = /^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$/.exec(expression.trim());
  if (rate) {
    const value = Number(rate[1]);
    if (value <= 0) return undefined;
    return value * (rate[2]!.startsWith("minute") ? 1 : rate[2]!.startsWith("hour") ? 60 : 1440);
  }
  const cron = /^cron\(\s*(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s*\)$/.exec(expression.trim());
  if (!cron) return undefined;
  const [, minutesField, hoursField, domField, monthField, dowField, yearField] = cron;
  if (!["*", "?"].includes(domField!) || monthField !== "*" || yearField !== "*") return undefined;
  const minutes = cronField(minutesField!, 0, 59);
  const hours = cronField(hoursField!, 0, 23);
  const days = cronField(dowField!, 1, 7, DAY_NAMES);
  if (!minutes || !hours || !days || minutes.length === 0 || hours.length === 0 || days.length === 0) return undefined;
  const starts = days.flatMap((day) => hours.flatMap((hour) => minutes.map((minute) => (day - 1) * 1440 + hour * 60 + minute))).sort((a, b) => a - b);
  const week = 7 * 1440;
  let longest = starts[0]! + week - starts[starts.length - 1]!;
  for (let index = 1; index < starts.length; index++) longest = Math.max(longest, starts[index]! - starts[index - 1]!);
  return longest;
}

/** A schedule's longest gap including its flexible time window (a start may come that much later). */
export function scheduleGapMinutes(schedule: StackResource): number | undefined {
  const gap = longestGapMinutes(knownString(schedule.props["scheduleExpression"]) ?? "");
  if (gap === undefined) return undefined;
  const window = asRecord(schedule.props["flexibleTimeWindow"]);
  const flexible = knownString(window?.["mode"]) === "FLEXIBLE" ? Number(window?.["maximumWindowInMinutes"] ?? 1440) : 0;
  return gap + (Number.isFinite(flexible) ? flexible : 1440);
}

/** Whether a schedule starts anything at all (not DISABLED; the provider's default state is ENABLED). */
export function scheduleEnabled(schedule: StackResource): boolean {
  const state = knownString(schedule.props["state"]);
  return state === undefined || state === "ENABLED";
}

export function isDrillRegister(parameter: StackResource): boolean {
  return (knownString(parameter.props["name"]) ?? "").includes(DRILL_REGISTER_SEGMENT) || asRecord(parameter.props["tags"])?.[DRILL_REGISTER_TAG] !== undefined;
}

export interface DrillRecord {
  status: string;
  lastRun?: string;
  lastPassed?: string;
  recoverySeconds?: number;
  failure?: string;
}

/** The register's record, or why it cannot be read. */
export function drillRecordOf(parameter: StackResource): DrillRecord | string {
  const text = knownString(parameter.props["insecureValue"] ?? parameter.props["value"]);
  if (text === undefined) return "the register has no value";
  let parsed: Plain;
  try {
    parsed = JSON.parse(text) as Plain;
  } catch {
    return "the register's value is not JSON";
  }
  const record = asRecord(parsed);
  if (!record || typeof record["status"] !== "string") return "the register's value is not a drill record (no status)";
  const instant = (key: string) => {
    const value = record[key];
    if (value === undefined || value === null) return undefined;
    return typeof value === "string" && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?(\.\d+)?Z$/.test(value) && !Number.isNaN(Date.parse(value)) ? value : "invalid";
  };
  const lastRun = instant("lastRun");
  const lastPassed = instant("lastPassed");
  if (lastRun === "invalid" || lastPassed === "invalid") return "the register's lastRun or lastPassed is not an ISO 8601 UTC instant";
  const seconds = record["recoverySeconds"];
  return {
    status: record["status"],
    lastRun,
    lastPassed,
    recoverySeconds: typeof seconds === "number" ? seconds : undefined,
    failure: knownString(record["failure"]),
  };
}

/** The objectives the stack declares (the register's tags), in minutes; undefined when a tag is missing or not a number. */
export function declaredObjectives(resources: StackResource[]): { rpoMinutes?: number; rtoMinutes?: number; register?: StackResource } {
  const register = resources.find((r) => r.type === SSM_PARAMETER && isDrillRegister(r));
  const tags: PlainRecord = asRecord(register?.props["tags"]) ?? {};
  const minutes = (key: string) => {
    const value = knownString(tags[key]);
    return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
  };
  return { rpoMinutes: minutes(OBJECTIVE_TAGS.rpoMinutes), rtoMinutes: minutes(OBJECTIVE_TAGS.rtoMinutes), register };
}
