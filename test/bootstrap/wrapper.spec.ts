import { strict as assert } from "node:assert";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { runWrapper } from "../../tools/pulumi/main";
import { BOOTSTRAP_DIR } from "./harness";

/**
 * `npm run preview|up -- --project bootstrap --stack bootstrap`: the same wrappers run the CLI in the
 * bootstrap's directory with the checkout's pack and its bootstrap config, paths relative to where the
 * CLI runs (pulumi/pulumi@v3.259.0 pkg/cmd/pulumi/operations/up.go: --policy-pack, --policy-pack-config).
 * A stand-in `pulumi` on PATH records what it was given.
 */
describe("npm run preview / up -- --project bootstrap", () => {
  let bin: string;
  let record: string;
  before(() => {
    bin = mkdtempSync(path.join(tmpdir(), "flightdeck-bootstrap-standin-"));
    record = path.join(bin, "record.json");
    writeFileSync(path.join(bin, "pulumi"), `#!/usr/bin/env node\nrequire("node:fs").writeFileSync(process.env.STANDIN_RECORD, JSON.stringify({ argv: process.argv.slice(2), cwd: process.cwd() }));\n`);
    chmodSync(path.join(bin, "pulumi"), 0o755);
  });
  after(() => rmSync(bin, { recursive: true, force: true }));
  beforeEach(() => rmSync(record, { force: true }));

  async function wrap(command: "preview" | "up", argv: string[]) {
    const lines: string[] = [];
    const env = { ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("GITHUB_"))), PATH: `${bin}${path.delimiter}${process.env["PATH"]}`, STANDIN_RECORD: record };
    const exitCode = await runWrapper(command, argv, { env, stderr: (line) => lines.push(line) });
    const recorded = existsSync(record) ? (JSON.parse(readFileSync(record, "utf8")) as { argv: string[]; cwd: string }) : undefined;
    return { exitCode, stderr: lines.join("\n"), recorded };
  }

  it("an administrator's up of the bootstrap runs in bootstrap/ with ../policies and its config", async () => {
    const { exitCode, recorded, stderr } = await wrap("up", ["--project", "bootstrap", "--stack", "bootstrap"]);
    assert.equal(exitCode, 0, stderr);
    assert.deepEqual(recorded?.argv, ["up", "--stack", "bootstrap", "--policy-pack", "../policies", "--policy-pack-config", "../policies/config/bootstrap.json"]);
    assert.equal(recorded?.cwd, BOOTSTRAP_DIR);
    assert.ok(existsSync(path.join(recorded.cwd, "..", "policies", "config", "bootstrap.json")));
  });

  it("refuses a directory that is not a project of this checkout, and a stack the bootstrap does not have", async () => {
    const outside = await wrap("preview", ["--project", bin, "--stack", "bootstrap"]);
    assert.equal(outside.exitCode, 2);
    assert.match(outside.stderr, /--project .*: not a Pulumi project of this checkout/);
    const stack = await wrap("preview", ["--project", "bootstrap", "--stack", "production"]);
    assert.equal(stack.exitCode, 2);
    assert.match(stack.stderr, /unknown stack "production": a stack needs Pulumi.<stack>.yaml and ..\/policies\/config\/<stack>.json \(known: bootstrap\)/);
    assert.equal(stack.recorded, undefined);
  });
});
