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
    assert.deepEqual(errors, ["Pulumi.production.yaml:166:5: flightdeck:audit.glacierAfterDays: must be greater than 0 (got 0)"]);
  });

  describe("a credential anywhere in a stack file, comments included", () => {
    // Built at run time so no scanner flags this file; formats as secretlint's stripe and github rules encode them.
    const stripeKey = ["sk", "live", "51H8zXk2eZvKYlo2C0a1b2c3d4e5f6g7h8"].join("_");
    const githubToken = ["ghp", "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"].join("_");

    async function planErrors(dir: string): Promise<string[]> {
      const result = await runPlan(["--stack", "production", "--no-policy"], { projectDir: dir });
      assert.equal(result.exitCode, 2, result.errors.join("\n"));
      for (const line of result.errors) assert.ok(!line.includes(stripeKey) && !line.includes(githubToken), "the credential was printed");
      return result.errors;
    }

    it("in a comment of the stack file, at its line and column, naming the rule", async () => {
      const dir = copies.make({ stack: { production: (text) => replaceOnce(text, "  aws:region: us-east-1\n", `  aws:region: us-east-1  # old key: ${stripeKey}\n`) } });
      assert.deepEqual(await planErrors(dir), [
        "Pulumi.production.yaml:4:37: a credential in plain text (detected by secretlint-rule-stripe/STRIPE_SECRET_KEY_LIVE): remove it from the file, revoke and rotate it, and store it with `pulumi config set --secret`",
      ]);
    });

    it("in a NEXT_PUBLIC_* value (public by definition) and in Pulumi.yaml", async () => {
      const dir = copies.make({
        stack: { production: (text) => replaceOnce(text, "value: phc_flightpro_production", `value: ${githubToken}`) },
        project: (text) => `# deploy token ${githubToken}\n${text}`,
      });
      const errors = await planErrors(dir);
      assert.equal(errors.length, 2);
      assert.match(errors[0]!, /^Pulumi\.yaml:1:16: a credential in plain text \(detected by secretlint-rule-github\/GITHUB_TOKEN\)/);
      assert.match(errors[1]!, /^Pulumi\.production\.yaml:\d+:14: a credential in plain text \(detected by secretlint-rule-github\/GITHUB_TOKEN\)/);
    });

    it("a private key pasted into comment lines (a `#` before every line of it)", async () => {
      const body = "MIIEowIBAAKCAQEAx".padEnd(64, "Q");
      const pem = [`-----BEGIN RSA ${"PRIVATE"} KEY-----`, body, body, `-----END RSA ${"PRIVATE"} KEY-----`].map((line) => `# ${line}`).join("\n");
      const dir = copies.make({ project: (text) => `${pem}\n${text}` });
      const errors = await planErrors(dir);
      assert.equal(errors.length, 1, errors.join("\n"));
      assert.match(errors[0]!, /^Pulumi\.yaml:1:3: a credential in plain text \(detected by secretlint-rule-privatekey\/PrivateKey\)/);
      for (const line of errors) assert.ok(!line.includes(body), "the key was printed");
    });

    it("not in encrypted values, secret references or a localhost test database", async () => {
      const dir = copies.make({
        stack: { production: (text) => appendConfig(text, "  # CI: postgresql://ci:ci-password@localhost:5432/migrations, ${{ secrets.STRIPE_SECRET_KEY }}\n  flightdeck:STRIPE_SECRET_KEY:\n    secure: v1:b64ciphertextAAAAQUtJQVozTVNKVjRXMlFQTFhLN1I=\n") },
      });
      const result = await runPlan(["--stack", "production", "--no-policy"], { projectDir: dir });
      assert.equal(result.exitCode, 0, result.errors.join("\n"));
    });
  });
});
