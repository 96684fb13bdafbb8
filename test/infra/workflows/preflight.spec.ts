import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { inDeployWindow, inFreeze, localTime, ScheduleSettings } from "../../../policies/rules/schedule";
import { scheduleCheckScript, stagingArtifactScript } from "../../../infra/workflows/preflight";
import { PROJECT_DIR } from "../../harness";
import { settingsFor } from "./fixtures";

/** Runs the generated freeze check in bash as the pre-flight job would, with the operator's inputs as env. */
function runCheck(freezes: { name: string; from: string; to: string }[], emergency: string, reason: string) {
  const { schedule } = settingsFor("staging-prod", (raw) => {
    raw["schedule"] = { ...(raw["schedule"] as Record<string, unknown>), freezes };
  });
  const result = spawnSync("bash", ["-c", scheduleCheckScript(schedule)], { env: { PATH: process.env["PATH"], EMERGENCY: emergency, REASON: reason }, encoding: "utf8" });
  return { status: result.status, out: result.stdout };
}

describe("pre-flight freeze check (generated bash)", () => {
  const allYear = [{ name: "always", from: "01-01", to: "12-31" }];
  const wrapping = [{ name: "wrap", from: "01-02", to: "01-01" }]; // crosses new year: every day but none
  const never = [{ name: "past", from: "2001-01-01", to: "2001-01-02" }];

  it("blocks a deploy inside a freeze window", () => {
    const { status, out } = runCheck(allYear, "false", "");
    assert.equal(status, 1);
    assert.match(out, /::error::deployment freeze: always \(01-01 to 12-31\)/);
    assert.equal(runCheck(wrapping, "false", "").status, 1);
  });

  it("lets an emergency with a reason through, with a warning, but not one without a reason", () => {
    const allowed = runCheck(allYear, "true", "payment outage hotfix");
    assert.equal(allowed.status, 0);
    assert.match(allowed.out, /::warning::deploying inside the freeze window always .*payment outage hotfix/);
    assert.equal(runCheck(allYear, "true", "  ").status, 1);
  });

  it("passes outside every freeze window", () => {
    assert.equal(runCheck(never, "false", "").status, 0);
  });
});

/** A git command in `cwd`, with a fixed identity and no signing; its trimmed stdout. */
function git(cwd: string, ...args: string[]): string {
  const result = spawnSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", ...args], {
    cwd,
    encoding: "utf8",
  });
  assert.equal(result.status, 0, `git ${args.join(" ")}: ${result.stderr}`);
  return result.stdout.trim();
}

function write(dir: string, files: Record<string, string>): void {
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), content);
  }
}

/**
 * A stand-in for `gh api` that answers the three calls the script makes from env: the staging
 * deployments ("id sha" lines, newest first), each deployment's latest state (failure for the ids
 * in FAILED_IDS), and a deployment's payload as the script's --jq prints it.
 */
const FAKE_GH = `#!/usr/bin/env bash
path="$2"
case "$path" in
  *"/deployments?environment=staging"*) printf '%s\\n' "$DEPLOYMENTS" ;;
  */statuses*) id="\${path#*/deployments/}"; id="\${id%%/*}"; case " $FAILED_IDS " in *" $id "*) echo failure ;; *) echo success ;; esac ;;
  */deployments/*) id="\${path##*/}"; printf 'image=ghcr.io/flightpro/api@sha256:%s\\nweb-url=https://web-%s.vercel.app\\n' "$id" "$id" ;;
  *) echo "unexpected gh call: $*" >&2; exit 2 ;;
esac
`;

describe("pre-flight 'same code as staging' check (generated bash, real git)", () => {
  let work: string;
  let repo: string;
  let bin: string;
  const sha: Record<string, string> = {};

  before(() => {
    work = mkdtempSync(path.join(tmpdir(), "flightdeck-preflight-"));
    repo = path.join(work, "repo");
    bin = path.join(work, "bin");
    mkdirSync(repo);
    write(bin, { gh: FAKE_GH });
    chmodSync(path.join(bin, "gh"), 0o755);
    git(repo, "init", "-q");
    // main as the production stack leaves it: its own .env.example and workflow files.
    write(repo, { "api/app.py": "v1\n", ".env.example": "# flightdeck stack production\n# Stripe live key\nSTRIPE_SECRET_KEY=\n", ".github/workflows/verify.yml": "name: verify # production\n" });
    git(repo, "add", "-A");
    git(repo, "commit", "-qm", "production stack files");
    // staging: the staging stack commits its own variants, then a feature lands and is deployed.
    git(repo, "checkout", "-qb", "staging");
    write(repo, { ".env.example": "# flightdeck stack staging\n# Stripe test key\nSTRIPE_SECRET_KEY=\n", ".github/workflows/verify.yml": "name: verify # staging\n" });
    git(repo, "commit", "-qam", "staging stack files");
    sha["stagingOld"] = git(repo, "rev-parse", "HEAD");
    write(repo, { "api/app.py": "v2\n" });
    git(repo, "commit", "-qam", "feature");
    sha["staging"] = git(repo, "rev-parse", "HEAD");
    // staging merged into main, then the production stack puts its files back.
    git(repo, "checkout", "-q", "main");
    git(repo, "merge", "-q", "--no-ff", "-X", "theirs", "-m", "Merge staging", "staging");
    write(repo, { ".env.example": "# flightdeck stack production\n# Stripe live key\nSTRIPE_SECRET_KEY=\n", ".github/workflows/verify.yml": "name: verify # production\n" });
    git(repo, "commit", "-qam", "production stack files again");
    sha["main"] = git(repo, "rev-parse", "HEAD");
    assert.notEqual(git(repo, "rev-parse", "main^{tree}"), git(repo, "rev-parse", "staging^{tree}"), "the trees differ, as they do between the stacks' branches");
  });

  after(() => rmSync(work, { recursive: true, force: true }));

  function check(deployments: string[], failedIds: string[] = [], commit = sha["main"]!) {
    const output = path.join(work, `output-${Math.random().toString(36).slice(2)}`);
    writeFileSync(output, "");
    const result = spawnSync("bash", ["-c", stagingArtifactScript()], {
      cwd: repo,
      encoding: "utf8",
      env: {
        PATH: `${bin}${path.delimiter}${process.env["PATH"] ?? ""}`,
        HOME: work,
        COMMIT: commit,
        REPOSITORY: "flightpro/flightpro",
        TASK: "deploy:flightdeck",
        GITHUB_OUTPUT: output,
        DEPLOYMENTS: deployments.join("\n"),
        FAILED_IDS: failedIds.join(" "),
      },
    });
    return { status: result.status, out: result.stdout, err: result.stderr, output: readFileSync(output, "utf8") };
  }

  it("finds the staging deployment of the same code although .env.example and the workflow files differ", () => {
    const result = check([`12 ${sha["staging"]}`, `11 ${sha["stagingOld"]}`]);
    assert.equal(result.status, 0, result.out + result.err);
    assert.equal(result.output, "image=ghcr.io/flightpro/api@sha256:12\nweb-url=https://web-12.vercel.app\n");
  });

  it("skips deployments whose smoke tests failed, of other code, or of commits it does not have", () => {
    const missing = "0".repeat(40);
    assert.equal(check([`13 ${missing}`, `12 ${sha["staging"]}`]).output, "image=ghcr.io/flightpro/api@sha256:12\nweb-url=https://web-12.vercel.app\n");
    const failed = check([`12 ${sha["staging"]}`, `11 ${sha["stagingOld"]}`], ["12"]);
    assert.equal(failed.status, 1);
    assert.match(failed.out, /::error::commit [0-9a-f]{40} has no staging deployment of the same code with passing smoke tests/);
    assert.equal(failed.output, "");
  });

  it("refuses code that staging never ran", () => {
    assert.equal(check([`11 ${sha["stagingOld"]}`]).status, 1, "staging ran v1, main has v2");
    write(repo, { "api/app.py": "v3\n" });
    git(repo, "commit", "-qam", "unreviewed change on main");
    assert.equal(check([`12 ${sha["staging"]}`], [], git(repo, "rev-parse", "HEAD")).status, 1);
    assert.equal(check([]).status, 1, "no staging deployment at all");
  });
});

/** The policy pack's schedule for production, as the engine hands it to the policy. */
function policySchedule(): ScheduleSettings {
  const config = JSON.parse(readFileSync(path.join(PROJECT_DIR, "policies", "config", "production.json"), "utf8")) as Record<string, unknown>;
  const { enforcementLevel: _level, ...schedule } = config["schedule-production-deploy-window"] as ScheduleSettings & { enforcementLevel: string };
  return schedule;
}

describe("schedule parity: the pre-flight's bash and the schedule policy agree", () => {
  const stackSchedule = settingsFor("staging-prod").schedule;
  const policy = policySchedule();
  let bin: string;

  before(() => {
    bin = mkdtempSync(path.join(tmpdir(), "flightdeck-date-"));
    const real = spawnSync("bash", ["-c", "command -v date"], { encoding: "utf8" }).stdout.trim();
    // `date` at a fixed instant: the script's own TZ still applies.
    writeFileSync(path.join(bin, "date"), `#!/usr/bin/env bash\nexec ${real} -d "@$FAKE_EPOCH" "$@"\n`);
    chmodSync(path.join(bin, "date"), 0o755);
  });

  after(() => rmSync(bin, { recursive: true, force: true }));

  it("the stack config and the policy config declare the same window and freezes", () => {
    assert.equal(stackSchedule.timezone, policy.timezone);
    assert.deepEqual([...stackSchedule.deployDays], policy.deployDays);
    assert.deepEqual(stackSchedule.deployHours, policy.deployHours);
    assert.deepEqual(stackSchedule.freezes, policy.freezes);
  });

  /** The bash verdict at an instant: the freeze it names (emergency run) and whether it warns about the window; plus whether a normal run is blocked. */
  function bashVerdict(at: Date) {
    const run = (emergency: string) =>
      spawnSync("bash", ["-c", scheduleCheckScript(stackSchedule)], {
        encoding: "utf8",
        env: { PATH: `${bin}${path.delimiter}${process.env["PATH"] ?? ""}`, FAKE_EPOCH: String(Math.floor(at.getTime() / 1000)), EMERGENCY: emergency, REASON: "parity" },
      });
    const emergency = run("true");
    assert.equal(emergency.status, 0, emergency.stdout + emergency.stderr);
    const frozen = /deploying inside the freeze window (\S+) \(/.exec(emergency.stdout)?.[1] ?? null;
    return { frozen, inWindow: !emergency.stdout.includes("outside the regular deployment window"), blocked: run("false").status !== 0 };
  }

  function policyVerdict(at: Date) {
    const local = localTime(at, policy.timezone);
    const frozen = policy.freezes.find((freeze) => inFreeze(local, freeze))?.name ?? null;
    return { frozen, inWindow: inDeployWindow(local, policy), blocked: frozen !== null };
  }

  const instants: [string, string][] = [
    ["2026-11-10T16:00:00Z", "Tue 11:00 EST, inside"],
    ["2026-11-10T15:00:00Z", "Tue 10:00 exactly (opens)"],
    ["2026-11-10T14:59:00Z", "Tue 09:59"],
    ["2026-11-10T18:59:00Z", "Tue 13:59"],
    ["2026-11-10T19:00:00Z", "Tue 14:00 exactly (closes)"],
    ["2026-07-09T14:30:00Z", "Thu 10:30 EDT"],
    ["2026-11-13T16:00:00Z", "a Friday"],
    ["2026-11-23T05:00:00Z", "black Friday week opens (Mon 00:00)"],
    ["2026-11-24T16:00:00Z", "black Friday week, a Tuesday in the window"],
    ["2026-12-01T04:59:00Z", "black Friday week, its last minute (Mon 11-30 23:59)"],
    ["2026-12-01T15:00:00Z", "the Tuesday after black Friday week, 10:00"],
    ["2027-11-23T16:00:00Z", "a dated freeze is not yearly (Tue 2027-11-23)"],
    ["2026-12-19T16:00:00Z", "the day before the holidays"],
    ["2026-12-20T05:00:00Z", "holidays open (12-20 00:00)"],
    ["2026-12-22T16:00:00Z", "holidays, a Tuesday in the window"],
    ["2027-01-02T23:00:00Z", "holidays, last day (01-02 18:00)"],
    ["2027-01-03T05:00:00Z", "holidays over (01-03 00:00)"],
    ["2027-01-07T16:00:00Z", "Thu after the holidays, 11:00"],
  ];

  for (const [iso, what] of instants) {
    it(`${iso} (${what}): same verdict`, () => {
      const at = new Date(iso);
      assert.deepEqual(bashVerdict(at), policyVerdict(at));
    });
  }

  it("the instants cover each verdict: inside, outside, in each freeze", () => {
    const verdicts = instants.map(([iso]) => policyVerdict(new Date(iso)));
    assert.ok(verdicts.some((v) => v.inWindow && v.frozen === null));
    assert.ok(verdicts.some((v) => !v.inWindow && v.frozen === null));
    assert.deepEqual([...new Set(verdicts.map((v) => v.frozen).filter((name) => name !== null))].sort(), policy.freezes.map((f) => f.name).sort());
    assert.deepEqual(policyVerdict(new Date("2026-11-10T19:00:00Z")).inWindow, false, "14:00 is outside");
  });
});
