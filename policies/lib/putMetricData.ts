/**
 * The metric names a shell script puts into CloudWatch: `aws cloudwatch put-metric-data` commands, read
 * from the script's parsed commands (not its text). A name counts when the command itself names it:
 * `--metric-name X`, or a `MetricName` entry of its `--metric-data` document, written in the command
 * (inline JSON, or a `$(jq …)` that builds it) or in the shell variable it passes (`--metric-data "$m"`,
 * from the last `m=…` assignment before it). A name in an echo, a comment or any other command publishes
 * nothing. A here-document written to a file that the script then runs (`cat > "$f" <<'EOF'` … `bash "$f"`,
 * as the backup jobs' buildspecs do) is read as the commands it runs. The options are the CLI's (https://docs.aws.amazon.com/cli/latest/reference/cloudwatch/put-metric-data.html:
 * `--metric-name` for one metric, `--metric-data` a list of MetricDatum structures with `MetricName`).
 * A command that does not put its data where the alarms read publishes nothing: one that only prints a
 * parameter skeleton ("The --generate-cli-skeleton parameter causes the command not to run":
 * https://docs.aws.amazon.com/cli/latest/userguide/cli-usage-skeleton.html), takes its parameters from a
 * file (`--cli-input-json`/`--cli-input-yaml`: what it names cannot be read here), sends them to another
 * endpoint (`--endpoint-url`, a global option: https://docs.aws.amazon.com/cli/latest/reference/index.html),
 * asks for `help`, or (when the caller says which) names another namespace.
 */
import { Command, commandsOf, invocation, programOf } from "./shell/syntax";

/** `MetricName: "X"` in JSON or jq object syntax, the key quoted or not. */
const METRIC_NAME_ENTRY = /"?MetricName"?\s*:\s*"([A-Za-z0-9_.\-/#:@]+)"/g;

const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)=([\s\S]*)$/;

/** The value of an option given as `--name value` or `--name=value`. */
function optionValues(words: readonly string[], option: string): string[] {
  const values: string[] = [];
  words.forEach((word, index) => {
    if (word === option && words[index + 1] !== undefined) values.push(words[index + 1]!);
    else if (word.startsWith(`${option}=`)) values.push(word.slice(option.length + 1));
  });
  return values;
}

const MAX_SCRIPT_DEPTH = 3;

/** What a script runs: its commands, with a run of a file it wrote from a here-document replaced by that file's commands. */
function runCommands(commands: readonly Command[], depth = 0): Command[] {
  const written = new Map<string, string>();
  const run: Command[] = [];
  for (const command of commands) {
    const words = invocation(command);
    const program = programOf(command);
    const target = command.redirects.find((redirect) => redirect.op === ">" || redirect.op === ">|")?.target;
    if (program === "cat" && words.length === 1 && command.heredocs.length === 1 && target !== undefined) written.set(target, command.heredocs[0]!);
    const file = program === "bash" || program === "sh" ? words.slice(1).find((word) => !word.startsWith("-")) : program === "source" || program === "." ? words[1] : undefined;
    const body = file === undefined ? undefined : written.get(file);
    if (body !== undefined && depth < MAX_SCRIPT_DEPTH) run.push(...runCommands(commandsOf(body), depth + 1));
    else run.push(command);
  }
  return run;
}

/** Options with which a put-metric-data command sends nothing the alarms read, or nothing readable here. */
const NOT_SENT = ["--generate-cli-skeleton", "--cli-input-json", "--cli-input-yaml", "--endpoint-url"];

function sends(words: readonly string[], namespaceIs: (namespace: string) => boolean): boolean {
  if (words.includes("help") || NOT_SENT.some((option) => optionValues(words, option).length > 0 || words.includes(option))) return false;
  const namespaces = optionValues(words, "--namespace");
  return namespaces.length === 1 && namespaceIs(namespaces[0]!);
}

/** `namespaceIs`: which `--namespace` values put into the namespace the caller judges (default: any). */
export function putMetricNames(script: readonly Command[], namespaceIs: (namespace: string) => boolean = () => true): Set<string> {
  const names = new Set<string>();
  const assigned = new Map<string, string>();
  for (const command of runCommands(script)) {
    const words = invocation(command);
    if (words.length === 0) {
      // Only assignments: `metrics="$(jq -n … '[{MetricName: "X", …}]')"`.
      for (const word of command.words) {
        const match = ASSIGNMENT.exec(word);
        if (match) assigned.set(match[1]!, match[2]!);
      }
      continue;
    }
    if (programOf(command) !== "aws" || !words.includes("cloudwatch") || !words.includes("put-metric-data") || !sends(words, namespaceIs)) continue;
    for (const name of optionValues(words, "--metric-name")) names.add(name);
    for (const data of optionValues(words, "--metric-data")) {
      const variable = /^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$/.exec(data)?.[1];
      const document = variable === undefined ? data : assigned.get(variable) ?? "";
      for (const match of document.matchAll(METRIC_NAME_ENTRY)) names.add(match[1]!);
    }
  }
  return names;
}
