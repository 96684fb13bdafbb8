import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import * as path from "node:path";
import { runWrapper } from "../../../tools/pulumi/main";
import { PROJECT_DIR } from "../../harness";

/**
 * `npm run preview` / `npm run up` against a stand-in `pulumi` on PATH that records its argv, working
 * directory and environment, and exits with the code it is told to. What the wrappers pass is checked
 * against the CLI's own flags (pulumi/pulumi@v3.259.0):
 * - pkg/cmd/pulumi/operations/preview.go and up.go: `--stack`/`-s`, `--policy-pack` and
 *   `--policy-pack-config` (string slices, paired by position), `--message`/`-m`, `--diff`, `--json`,
 *   `--refresh`, `--expect-no-changes`, and for up `--yes`/`-y`, `--skip-preview`/`-f`;
 * - pkg/cmd/pulumi/cmd/exit_codes.go: the CLI's exit codes (1 a failure, a bailed update with a
 *   mandatory policy violation included; 2 configuration; 5 reserved for policy violations; 255
 *   internal), which the wrapper must hand back unchanged;
 * - pkg/backend/apply.go PreviewThenPromptThenExecute and pkg/resource/deploy/deployment_executor.go:
 *   without the preview, stack policies (AnalyzeResources) run only after the changes are applied,
 *   which is why production refuses `--skip-preview`.
 * CI detection reads GITHUB_ACTIONS, which GitHub sets to "true" on every step
 * (https://docs.github.com/en/actions/reference/variables-reference).
 */
describe("npm run preview / npm run up (wrappers over the Pulumi CLI)", function () {
  this.timeout(60_000);
  let bin: string;
  let record: string;

  const STANDIN = `#!/usr/bin/env node
const fs = require("node:fs");
fs.writeFileSync(process.env.STANDIN_RECORD, JSON.stringify({
  argv: process.argv.slice(2),
  cwd: process.cwd(),
  passphraseSet: process.env.PULUMI_CONFIG_PASSPHRASE !== undefined,
}));
process.exit(Number(process.env.STANDIN_EXIT || "0"));
`;

  before(() => {
    bin = mkdtempSync(path.join(tmpdir(), "flightdeck-pulumi-standin-"));
    writeFileSync(path.join(bin, "pulumi"), STANDIN);
    chmodSync(path.join(bin, "pulumi"), 0o755);
    record = path.join(bin, "record.json");
  });
  after(() => rmSync(bin, { recursive: true, force: true }));
  beforeEach(() => rmSync(record, { force: true }));

  /** A laptop: no GitHub Actions variables, the stand-in first on PATH. */
  function laptopEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => key !== "CI" && !key.startsWith("GITHUB_")));
    return { ...inherited, PATH: `${bin}${path.delimiter}${process.env["PATH"]}`, STANDIN_RECORD: record, ...extra };
  }
  const ciEnv = (extra: NodeJS.ProcessEnv = {}) =>
    laptopEnv({
      CI: "true",
      GITHUB_ACTIONS: "true",
      GITHUB_SERVER_URL: "https://github.com",
      GITHUB_REPOSITORY: "flightpro/infra",
      GITHUB_RUN_ID: "4242",
      GITHUB_SHA: "0123456789abcdef0123456789abcdef01234567",
      GITHUB_ACTOR: "maria-chen",
      ...extra,
    });

  async function wrap(command: "preview" | "up", argv: string[], env: NodeJS.ProcessEnv) {
    const lines: string[] = [];
    const exitCode = await runWrapper(command, argv, { env, stderr: (line) => lines.push(line) });
    const recorded = existsSync(record) ? (JSON.parse(readFileSync(record, "utf8")) as { argv: string[]; cwd: string; passphraseSet: boolean }) : undefined;
    return { exitCode, stderr: lines.join("\n"), recorded };
  }

  it("preview passes the stack, its pack and its policy config, from the project directory, and prints the command", async () => {
    const { exitCode, stderr, recorded } = await wrap("preview", ["--stack", "staging"], laptopEnv());
    assert.equal(exitCode, 0);
    assert.deepEqual(recorded?.argv, ["preview", "--stack", "staging", "--policy-pack", "policies", "--policy-pack-config", "policies/config/staging.json"]);
    assert.equal(recorded?.cwd, PROJECT_DIR);
    assert.ok(existsSync(path.join(recorded.cwd, "policies", "config", "staging.json")), "the config path resolves from the CLI's working directory");
    assert.equal(stderr, "$ pulumi preview --stack staging --policy-pack policies --policy-pack-config policies/config/staging.json");
  });

  it("hands back the CLI's exit code (a failure, a policy violation, an internal error)", async () => {
    for (const code of [1, 5, 255]) {
      const { exitCode, recorded } = await wrap("preview", ["--stack", "production"], laptopEnv({ STANDIN_EXIT: String(code) }));
      assert.equal(exitCode, code);
      assert.equal(recorded?.argv[2], "production");
    }
  });

  it("passes --diff, --refresh, --expect-no-changes, --json and a message (quoted in the printed line)", async () => {
    const { exitCode, stderr, recorded } = await wrap("preview", ["--stack=staging", "--diff", "--refresh", "--expect-no-changes", "--json", "-m", "drift check, nightly"], laptopEnv());
    assert.equal(exitCode, 0);
    assert.deepEqual(recorded?.argv, [
      "preview", "--stack", "staging", "--policy-pack", "policies", "--policy-pack-config", "policies/config/staging.json",
      "--message", "drift check, nightly", "--diff", "--refresh", "--expect-no-changes", "--json",
    ]);
    assert.match(stderr, /--message 'drift check, nightly' --diff/);
  });

  it("up on staging runs from a laptop with --yes and --skip-preview", async () => {
    const { exitCode, recorded } = await wrap("up", ["--stack", "staging", "--yes", "--skip-preview"], laptopEnv());
    assert.equal(exitCode, 0);
    assert.deepEqual(recorded?.argv, ["up", "--stack", "staging", "--policy-pack", "policies", "--policy-pack-config", "policies/config/staging.json", "--yes", "--skip-preview"]);
  });

  it("refuses up on production outside CI, without running the CLI, and says how to break glass", async () => {
    const { exitCode, stderr, recorded } = await wrap("up", ["--stack", "production", "--yes"], laptopEnv({ CI: "true" }));
    assert.equal(exitCode, 2);
    assert.equal(recorded, undefined, "pulumi must not run");
    assert.match(stderr, /refusing to apply production outside CI/);
    assert.match(stderr, /--break-glass "<why, with the incident id>"/);
  });

  it("in GitHub Actions, up on production runs and records the run in the update message", async () => {
    const { exitCode, stderr, recorded } = await wrap("up", ["--stack", "production", "--yes"], ciEnv());
    assert.equal(exitCode, 0);
    assert.deepEqual(recorded?.argv, [
      "up", "--stack", "production", "--policy-pack", "policies", "--policy-pack-config", "policies/config/production.json",
      "--message", "pipeline: https://github.com/flightpro/infra/actions/runs/4242 at 0123456789abcdef0123456789abcdef01234567, started by maria-chen",
      "--yes",
    ]);
    assert.match(stderr, /applying production from https:\/\/github.com\/flightpro\/infra\/actions\/runs\/4242/);
  });

  it("--break-glass with a reason runs production from a laptop, prints the reason and records it as the message", async () => {
    const reason = "INC-311 checkout fails for EU cards, hotfix approved by maria-chen";
    const { exitCode, stderr, recorded } = await wrap("up", ["--stack", "production", "--break-glass", reason, "--message", "hotfix"], laptopEnv());
    assert.equal(exitCode, 0);
    const message = recorded?.argv[recorded.argv.indexOf("--message") + 1];
    assert.equal(message, `hotfix | BREAK-GLASS by ${userInfo().username}: ${reason}`);
    assert.ok(recorded?.argv.includes("--policy-pack") && recorded.argv.includes("policies/config/production.json"), "the pack still runs");
    assert.match(stderr, new RegExp(`BREAK-GLASS: applying production outside CI as ${userInfo().username}\\. Reason: ${reason}`));
  });

  it("refuses a missing or empty break-glass reason, and break glass where there is nothing to break", async () => {
    for (const argv of [["--stack", "production", "--break-glass"], ["--stack", "production", "--break-glass", "--yes"], ["--stack", "production", "--break-glass", "   hotfix  "], ["--stack", "production", "--break-glass="]]) {
      const { exitCode, stderr, recorded } = await wrap("up", argv, laptopEnv());
      assert.equal(exitCode, 2, argv.join(" "));
      assert.equal(recorded, undefined);
      assert.match(stderr, /--break-glass needs (a value|a reason)/);
    }
    const staging = await wrap("up", ["--stack", "staging", "--break-glass", "INC-1 nothing is on fire here"], laptopEnv());
    assert.equal(staging.exitCode, 2);
    assert.match(staging.stderr, /--break-glass is only for production/);
    const preview = await wrap("preview", ["--stack", "production", "--break-glass", "INC-1 nothing is on fire here"], laptopEnv());
    assert.equal(preview.exitCode, 2);
    assert.match(preview.stderr, /--break-glass is not a flag of npm run preview/);
  });

  it("refuses --skip-preview on production, even in CI", async () => {
    const { exitCode, stderr, recorded } = await wrap("up", ["--stack", "production", "--yes", "--skip-preview"], ciEnv());
    assert.equal(exitCode, 2);
    assert.equal(recorded, undefined);
    assert.match(stderr, /--skip-preview is refused for production/);
  });

  it("refuses an unknown stack, an unknown flag, a flag that would change the pack, and a missing --stack", async () => {
    const cases: [("preview" | "up"), string[], RegExp][] = [
      ["preview", ["--stack", "prod"], /unknown stack "prod".*known: production, staging/],
      ["preview", ["--stack", "../Pulumi"], /unknown stack/],
      ["preview", ["--stack", "staging", "--policy-pack", "/tmp/lenient-pack"], /unknown argument "--policy-pack"/],
      ["preview", ["--stack", "staging", "--policy-pack-config=/tmp/all-advisory.json"], /unknown argument/],
      ["up", ["--stack", "staging", "--target", "urn:pulumi:staging::flightdeck::x"], /unknown argument "--target"/],
      ["up", ["--stack", "staging", "--config", "flightdeck:github.requiredApprovals=0"], /unknown argument "--config"/],
      ["preview", ["--stack", "staging", "--yes"], /--yes is not a flag of npm run preview/],
      ["preview", ["--stack", "staging", "--stack", "production"], /--stack given twice/],
      ["up", ["--yes"], /--stack is required/],
    ];
    for (const [command, argv, message] of cases) {
      const { exitCode, stderr, recorded } = await wrap(command, argv, laptopEnv());
      assert.equal(exitCode, 2, `${command} ${argv.join(" ")}`);
      assert.equal(recorded, undefined);
      assert.match(stderr, message);
      assert.match(stderr, new RegExp(`usage: npm run ${command} -- --stack <name>`));
    }
  });

  it("refuses a policy config below the pack's level floors, naming the file and the policy, without running the CLI", async () => {
    // A project whose production.json sets one policy advisory (policies/lib/floors.ts LEVEL_FLOORS: every policy is mandatory there).
    const project = mkdtempSync(path.join(tmpdir(), "flightdeck-wrapper-floors-"));
    try {
      for (const file of ["Pulumi.yaml", "Pulumi.production.yaml"]) copyFileSync(path.join(PROJECT_DIR, file), path.join(project, file));
      mkdirSync(path.join(project, "policies", "config"), { recursive: true });
      const config = JSON.parse(readFileSync(path.join(PROJECT_DIR, "policies", "config", "production.json"), "utf8")) as Record<string, unknown>;
      config["audit-bucket-kms-encrypted"] = "advisory";
      writeFileSync(path.join(project, "policies", "config", "production.json"), JSON.stringify(config));
      const lines: string[] = [];
      const exitCode = await runWrapper("preview", ["--stack", "production"], { projectDir: project, env: laptopEnv(), stderr: (line) => lines.push(line) });
      assert.equal(exitCode, 2);
      assert.match(lines.join("\n"), /^npm run preview: policies\/config\/production\.json: sets policies below their enforcement level floor[^\n]*\n {2}audit-bucket-kms-encrypted is advisory: it is at least mandatory in stack production/);
      assert.equal(existsSync(record), false, "the CLI did not run");
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });

  it("passes the environment through to the CLI and never prints it", async () => {
    const passphrase = "canary-passphrase-s3cr3t";
    const { stderr, recorded } = await wrap("preview", ["--stack", "staging"], laptopEnv({ PULUMI_CONFIG_PASSPHRASE: passphrase }));
    assert.equal(recorded?.passphraseSet, true);
    assert.ok(!stderr.includes(passphrase));
  });

  it("exits 127 with a clear message when pulumi is not on PATH", async () => {
    const { exitCode, stderr } = await wrap("preview", ["--stack", "staging"], { ...laptopEnv(), PATH: path.dirname(process.execPath) });
    assert.equal(exitCode, 127);
    assert.match(stderr, /pulumi: command not found; install the Pulumi CLI/);
  });

  it("npm run up -- … runs the wrapper and exits with the CLI's code", () => {
    const result = spawnSync("npm", ["run", "-s", "up", "--", "--stack", "staging", "--yes"], { cwd: PROJECT_DIR, env: laptopEnv({ STANDIN_EXIT: "5" }), encoding: "utf8" });
    assert.equal(result.status, 5, result.stderr);
    assert.match(result.stderr, /\$ pulumi up --stack staging --policy-pack policies --policy-pack-config policies\/config\/staging.json --yes/);
    assert.deepEqual((JSON.parse(readFileSync(record, "utf8")) as { argv: string[] }).argv.slice(0, 3), ["up", "--stack", "staging"]);
  });
});
