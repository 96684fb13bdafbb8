import { strict as assert } from "node:assert";
import { parseFlags } from "../../../tools/cli/flags";

const FLAGS = { stack: { type: "string", short: "s" }, diff: { type: "boolean" } } as const;
const parse = (...argv: string[]) => parseFlags(argv, FLAGS, (message) => new Error(message));

describe("command-line flags (node:util parseArgs)", () => {
  it("reads values, inline values, one-letter aliases and booleans", () => {
    assert.deepEqual({ ...parse("--stack", "staging", "--diff") }, { stack: "staging", diff: true });
    assert.deepEqual({ ...parse("--stack=production") }, { stack: "production" });
    assert.deepEqual({ ...parse("-s", "staging") }, { stack: "staging" });
  });

  it("refuses, in the tools' words, an unknown flag, a positional, a flag given twice, a missing or empty value, a value on a boolean", () => {
    const cases: [string[], string][] = [
      [["--colour"], 'unknown argument "--colour"'],
      [["--policy-pack-config=/tmp/x.json"], 'unknown argument "--policy-pack-config=/tmp/x.json"'],
      [["production"], 'unknown argument "production"'],
      [["--stack", "a", "--stack", "b"], "--stack given twice"],
      [["--stack", "a", "-s", "b"], "--stack given twice"],
      [["--stack"], "--stack needs a value"],
      [["--stack", "--diff"], "--stack needs a value"],
      [["--stack="], "--stack needs a value"],
      [["--diff=yes"], "--diff takes no value"],
    ];
    for (const [argv, message] of cases) assert.throws(() => parse(...argv), { message }, argv.join(" "));
  });
});
