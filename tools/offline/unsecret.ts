import { readFileSync } from "node:fs";
import type { BuiltProgram } from "./entry";

/**
 * `pulumi.unsecret` takes the engine's secret mark off a value. The pack cannot follow a value from a
 * secret to where it lands: @pulumi/policy hands a pack its inputs with the secret marks removed
 * (@pulumi/policy@1.21.0 server.js deserializes with keepSecrets=false; pulumi/pulumi-policy#241), so the
 * pack judges a value by its text and its destination, never by where it came from. A value the program
 * unsecrets therefore reaches a plain input with nothing to tell it was a secret.
 *
 * So the program may call it only where this list says, each place with why the value is not a secret.
 * The list is the judge's own copy (CI's plan runs the base branch's tools on the pull request's program),
 * and it counts: a second unsecret in a listed file is a change to this list too. Every mention of the
 * name in the code that runs counts, an alias or `pulumi["unsecret"]` as much as a call: it is read from
 * the program as built (the esbuild bundle the offline engine runs, whose comments are gone), and a
 * module loaded by a computed name is already refused when the program is built (entry.ts).
 */
export const UNSECRET_ALLOWED: readonly { file: string; mentions: number; why: string }[] = [
  {
    file: "infra/flags/featureFlags.ts",
    mentions: 1,
    why: "the flag register (SSM String parameters read withDecryption: false) holds dates, stages and flag keys; the provider marks every getParametersByPath `values` sensitive",
  },
  {
    file: "infra/backup/drillRegister.ts",
    mentions: 1,
    why: "the drill register (an SSM String parameter read withDecryption: false) holds dates, counts and names; the provider marks every getParametersByPath `values` sensitive",
  },
];

const ALLOW_LIST_FILE = "tools/offline/unsecret.ts";

/** Where the built program mentions `unsecret` beyond what UNSECRET_ALLOWED lets it: one line each, with the source file and line. */
export function unsecretOutsideAllowList(program: BuiltProgram): string[] {
  const code = readFileSync(program.file, "utf8");
  const found = new Map<string, number[]>();
  for (const [index, text] of code.split("\n").entries()) {
    for (const match of text.matchAll(/unsecret/g)) {
      const source = program.sourceOf(index + 1, match.index + 1);
      const file = source?.file ?? "the program";
      found.set(file, [...(found.get(file) ?? []), source?.line ?? index + 1]);
    }
  }
  const problems: string[] = [];
  for (const [file, lines] of found) {
    const allowed = UNSECRET_ALLOWED.find((entry) => entry.file === file)?.mentions ?? 0;
    if (lines.length <= allowed) continue;
    const at = lines.map((line) => `${file}:${line}`).join(", ");
    problems.push(
      allowed === 0
        ? `${at}: pulumi.unsecret takes the secret mark off a value, and the pack cannot tell where a value came from; keep the value secret, or add the place to ${ALLOW_LIST_FILE} (UNSECRET_ALLOWED) with why it is no secret, in a change of its own`
        : `${at}: ${lines.length} mentions of pulumi.unsecret where ${ALLOW_LIST_FILE} (UNSECRET_ALLOWED) allows ${allowed}; keep the value secret, or raise the count there with why, in a change of its own`,
    );
  }
  return problems;
}
