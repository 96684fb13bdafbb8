import { strict as assert } from "node:assert";
import { runPlan } from "../../tools/plan/main";
import { ProjectCopies, appendConfig, replaceOnce } from "./projectCopy";

/**
 * A stack file that cannot be read is one clear error: exit 2, `file:line:column: what`, no stack
 * trace, never the offending value. (The CLI reads these files itself under `pulumi preview`; this
 * is what the offline plan sees of them.)
 */
describe("npm run plan on stack files it cannot read", () => {
  const copies = new ProjectCopies();
  after(() => copies.cleanup());

  async function errorsFor(edit: (text: string) => string | Buffer, stack: "production" | "staging" = "production"): Promise<string[]> {
    const dir = copies.make({ stack: { [stack]: edit } });
    const result = await runPlan(["--stack", stack, "--no-policy"], { projectDir: dir });
    assert.equal(result.exitCode, 2, `exit ${result.exitCode}: ${result.errors.join("\n")}`);
    for (const line of result.errors) assert.doesNotMatch(line, /\n\s+at |internal error/);
    return result.errors;
  }

  it("a duplicate key, at the second occurrence", async () => {
    assert.deepEqual(await errorsFor((text) => replaceOnce(text, "  flightdeck:environment: production\n", "  flightdeck:environment: production\n  flightdeck:environment: staging\n")), [
      "Pulumi.production.yaml:6:3: duplicate key: a key may appear once in a mapping (YAML 1.2), and which value wins is not defined",
    ]);
  });

  it("a duplicate key nested in a value", async () => {
    const errors = await errorsFor((text) => replaceOnce(text, "    port: 5432\n", "    port: 5432\n    port: 6432\n"));
    assert.equal(errors.length, 1);
    assert.match(errors[0]!, /^Pulumi\.production\.yaml:\d+:5: duplicate key/);
  });

  it("a YAML syntax error", async () => {
    const errors = await errorsFor((text) => replaceOnce(text, "  aws:region: us-east-1\n", "  aws:region: [us-east-1\n"));
    assert.match(errors[0]!, /^Pulumi\.production\.yaml:\d+:\d+: YAML syntax error: /);
  });

  it("a file that is not a mapping, and a config that is not a mapping", async () => {
    assert.deepEqual(await errorsFor(() => "- aws:region\n- us-east-1\n"), ["Pulumi.production.yaml:1:1: the file must be a YAML mapping of keys to values (got a sequence)"]);
    assert.deepEqual(await errorsFor(() => "config: us-east-1\n"), ["Pulumi.production.yaml:1:1: config: must be a YAML mapping of keys to values (got a string)"]);
  });

  it("an alias bomb, at its first alias", async () => {
    const bomb = ["  flightdeck:bomb0: &a0 [x, x, x, x, x, x, x, x, x, x]"];
    for (let level = 1; level < 6; level++) bomb.push(`  flightdeck:bomb${level}: &a${level} [${Array(10).fill(`*a${level - 1}`).join(", ")}]`);
    const errors = await errorsFor((text) => appendConfig(text, bomb.join("\n") + "\n"));
    assert.equal(errors.length, 1);
    assert.match(errors[0]!, /^Pulumi\.production\.yaml:\d+:\d+: aliases expand past 100 nodes \(a YAML alias bomb\)/);
  });

  it("bytes that are not UTF-8, and a NUL character, at their line and column", async () => {
    // "# FlightPro" then a Latin-1 "é" (one byte 0xE9, not UTF-8): the 12th byte of line 1.
    const latin1 = await errorsFor((text) => Buffer.concat([Buffer.from(text.slice(0, 11), "utf8"), Buffer.from([0xe9]), Buffer.from(text.slice(11), "utf8")]));
    assert.deepEqual(latin1, ["Pulumi.production.yaml:1:12: is not UTF-8 text (an invalid byte sequence starts here)"]);
    assert.deepEqual(await errorsFor((text) => replaceOnce(text, "us-east-1", "us-east\u00001")), ["Pulumi.production.yaml:4:22: contains a NUL character"]);
  });

  it("a number that is not finite (.inf, .nan), naming its key path", async () => {
    const errors = await errorsFor((text) => replaceOnce(text, "        threshold: 85\n", "        threshold: .inf\n"));
    assert.equal(errors.length, 1);
    assert.match(errors[0]!, /^Pulumi\.production\.yaml:\d+:3: flightdeck:alerts\.rules\[5\]\.threshold: must be a finite number \(got Infinity\)$/);
  });

  it("an exclusive bound is worded as one", async () => {
    const errors = await errorsFor((text) => replaceOnce(text, "    glacierAfterDays: 90\n", "    glacierAfterDays: 0\n"));
    assert.deepEqual(errors, ["flightdeck:audit.glacierAfterDays: must be greater than 0 (got 0)"]);
  });
});
