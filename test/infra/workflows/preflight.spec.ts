import { strict as assert } from "node:assert";
import { stepBash } from "../../harness/bash";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { inDeployWindow, inFreeze, localTime, Schedule } from "../../../policies/lib/schedule";
import { SCHEDULE_CHECK_SCRIPT } from "../../../policies/lib/scheduleCheck";
import { rollbackTargetScript, scheduleCheckStep, stagingArtifactScript } from "../../../infra/workflows/preflight";
import { settingsFor } from "./fixtures";

/** A `date` that answers at the instant in $FAKE_EPOCH (the script's own TZ still applies), in a temporary bin directory. */
function fakeDateBin(): string {
  const bin = mkdtempSync(path.join(tmpdir(), "flightdeck-date-"));
  const real = spawnSync("bash", stepBash("command -v date"), { encoding: "utf8" }).stdout.trim();
  writeFileSync(path.join(bin, "date"), `#!/usr/bin/env bash\nexec ${real} -d "@$FAKE_EPOCH" "$@"\n`);
  chmodSync(path.join(bin, "date"), 0o755);
  return bin;
}

/** The generated schedule check step run in bash as the pre-flight job runs it: its env, the operator's inputs, at an instant. */
function runScheduleCheck(bin: string, schedule: Schedule, at: string, emergency = "false", reason = "") {
  const step = scheduleCheckStep(schedule);
  const env: Record<string, string> = { PATH: `${bin}${path.delimiter}${process.env["PATH"] ?? ""}`, FAKE_EPOCH: String(Math.floor(Date.parse(at) / 1000)), EMERGENCY: emergency, REASON: reason };
  for (const [key, value] of Object.entries(step.env ?? {})) if (!value.startsWith("${{")) env[key] = value;
  const result = spawnSync("bash", stepBash(step.run ?? ""), { env, encoding: "utf8" });
  return { status: result.status, out: result.stdout + result.stderr };
}

describe("pre-flight schedule check (the pack's fixed script, the stack's schedule as env)", () => {
  const base = settingsFor("staging-prod").schedule;
  const schedule = (freezes: Schedule["freezes"], extra: Partial<Schedule> = {}): Schedule => ({ ...base, freezes, ...extra });
  const IN_WINDOW = "2026-11-10T16:00:00Z"; // Tue 11:00 New York
  let bin: string;

  before(() => {
    bin = fakeDateBin();
  });
  after(() => rmSync(bin, { recursive: true, force: true }));

  it("runs the pack's script verbatim, with the schedule as data and the operator's inputs from the dispatch", () => {
    const step = scheduleCheckStep(base);
    assert.equal(step.run, SCHEDULE_CHECK_SCRIPT);
    assert.deepEqual(step.env, {
      SCHEDULE_TIMEZONE: "America/New_York",
      SCHEDULE_DEPLOY_DAYS: "Tue Thu",
      SCHEDULE_DEPLOY_HOURS: "10:00-14:00",
      SCHEDULE_FREEZES: "12-20 01-02 holidays\n2026-11-23 2026-11-30 black-friday-2026",
      EMERGENCY: "${{ inputs.emergency }}",
      REASON: "${{ inputs.reason }}",
    });
  });

  it("blocks a deploy inside a freeze window, also one that wraps the new year", () => {
    const blocked = runScheduleCheck(bin, schedule([{ name: "always", from: "01-01", to: "12-31" }]), IN_WINDOW);
    assert.equal(blocked.status, 1);
    assert.match(blocked.out, /::error::deployment freeze: always \(01-01 to 12-31\)/);
    assert.equal(runScheduleCheck(bin, schedule([{ name: "wrap", from: "01-02", to: "01-01" }]), IN_WINDOW).status, 1);
  });

  it("lets an emergency with a reason through, with a warning, but not one without a reason", () => {
    const frozen = schedule([{ name: "always", from: "01-01", to: "12-31" }]);
    const allowed = runScheduleCheck(bin, frozen, IN_WINDOW, "true", "payment outage hotfix");
    assert.equal(allowed.status, 0, allowed.out);
    assert.match(allowed.out, /::warning::deploying inside the freeze window always .*payment outage hotfix/);
    assert.equal(runScheduleCheck(bin, frozen, IN_WINDOW, "true", "  ").status, 1);
  });

  it("passes inside the window outside every freeze; blocks outside the window unless an emergency", () => {
    const never = schedule([{ name: "past", from: "2001-01-01", to: "2001-01-02" }]);
    assert.equal(runScheduleCheck(bin, never, IN_WINDOW).status, 0);
    const noFreeze = runScheduleCheck(bin, schedule([]), IN_WINDOW);
    assert.equal(noFreeze.status, 0, noFreeze.out);
    assert.match(noFreeze.out, /^schedule: Tue 2026-11-10 11:00 America\/New_York$/m, "the job log says what it judged");
    const friday = runScheduleCheck(bin, never, "2026-11-13T16:00:00Z");
    assert.equal(friday.status, 1);
    assert.match(friday.out, /::error::outside the deploy window \(Tue Thu 10:00-14:00 America\/New_York; it is Fri 2026-11-13 11:00\)/);
    assert.equal(runScheduleCheck(bin, never, "2026-11-13T16:00:00Z", "true", "INC-42").status, 0);
  });

  it("fails closed on a value it cannot read: an unknown time zone (GNU date would use UTC), a bad day, hours or freeze", () => {
    const never = schedule([]);
    const cases: [Schedule, RegExp][] = [
      [{ ...never, timezone: "America/Nowhere" }, /SCHEDULE_TIMEZONE: unknown time zone 'America\/Nowhere'/],
      [{ ...never, timezone: " America/New_York" }, /SCHEDULE_TIMEZONE: unknown time zone ' America\/New_York'/],
      [{ ...never, deployDays: ["Tue", "Tuesday"] }, /not a weekday: Tuesday/],
      [{ ...never, deployHours: { from: "10:00", to: "25:00" } }, /SCHEDULE_DEPLOY_HOURS: not HH:MM-HH:MM/],
      [{ ...never, freezes: [{ name: "x", from: "December", to: "01-02" }] }, /SCHEDULE_FREEZES: dates must be MM-DD or YYYY-MM-DD/],
      [{ ...never, freezes: [{ name: "", from: "12-20", to: "01-02" }] }, /SCHEDULE_FREEZES: not FROM TO NAME: 12-20 01-02/],
      [{ ...never, deployDays: [] }, /SCHEDULE_DEPLOY_DAYS: no deploy day/],
      // A path that leads to a zone file is still not a zone name.
      [{ ...never, timezone: "../zoneinfo/UTC" }, /SCHEDULE_TIMEZONE: unknown time zone '\.\.\/zoneinfo\/UTC'/],
    ];
    for (const [bad, message] of cases) {
      const result = runScheduleCheck(bin, bad, IN_WINDOW);
      assert.equal(result.status, 1, JSON.stringify(bad));
      assert.match(result.out, message);
    }
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
  */deployments/*) id="\${path##*/}"; printf 'image=ghcr.io/flightpro/api@sha256:%s\\n' "$id" ;;
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
    const result = spawnSync("bash", stepBash(stagingArtifactScript()), {
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
    assert.equal(result.output, "image=ghcr.io/flightpro/api@sha256:12\n");
  });

  it("skips deployments whose smoke tests failed, of other code, or of commits it does not have", () => {
    const missing = "0".repeat(40);
    assert.equal(check([`13 ${missing}`, `12 ${sha["staging"]}`]).output, "image=ghcr.io/flightpro/api@sha256:12\n");
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

describe("schedule parity: the pre-flight's bash and the pack's calendar (policies/lib/schedule.ts) agree", () => {
  const stackSchedule = settingsFor("staging-prod").schedule;
  let bin: string;

  before(() => {
    bin = fakeDateBin();
  });
  after(() => rmSync(bin, { recursive: true, force: true }));

  /**
   * The bash verdict at an instant, from one emergency run (which reports instead of failing): the
   * freeze it names and whether it is inside the window. (A normal run fails exactly when either
   * is reported: the specs above run that path.)
   */
  function bashVerdict(at: string) {
    const emergency = runScheduleCheck(bin, stackSchedule, at, "true", "parity");
    assert.equal(emergency.status, 0, emergency.out);
    const frozen = /deploying inside the freeze window (\S+) \(/.exec(emergency.out)?.[1] ?? null;
    return { frozen, inWindow: !emergency.out.includes("outside the deploy window") };
  }

  function policyVerdict(at: string) {
    const local = localTime(new Date(at), stackSchedule.timezone);
    const frozen = stackSchedule.freezes.find((freeze) => inFreeze(local, freeze))?.name ?? null;
    return { frozen, inWindow: inDeployWindow(local, stackSchedule) };
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
      assert.deepEqual(bashVerdict(iso), policyVerdict(iso));
    });
  }

  it("the instants cover each verdict: inside, outside, in each freeze", () => {
    const verdicts = instants.map(([iso]) => policyVerdict(iso));
    assert.ok(verdicts.some((v) => v.inWindow && v.frozen === null));
    assert.ok(verdicts.some((v) => !v.inWindow && v.frozen === null));
    assert.deepEqual([...new Set(verdicts.map((v) => v.frozen).filter((name) => name !== null))].sort(), stackSchedule.freezes.map((f) => f.name).sort());
    assert.deepEqual(policyVerdict("2026-11-10T19:00:00Z").inWindow, false, "14:00 is outside");
  });
});

/**
 * A stand-in for `gh api` answering the rollback target lookup from $RELEASES (newest first, one
 * "id state image web sha" per line), as the script's --jq filters print the REST answers: the list
 * of deployment ids, a deployment's latest status state, and a deployment's "image web sha".
 */
const FAKE_GH_RELEASES = `#!/usr/bin/env bash
path="$2"
case "$path" in
  *"/deployments?environment=production&task=deploy:flightdeck"*) while read -r id _; do echo "$id"; done <<< "$RELEASES" ;;
  */statuses*) id="\${path#*/deployments/}"; id="\${id%%/*}"; while read -r i state _; do [ "$i" = "$id" ] && echo "$state"; done <<< "$RELEASES"; true ;;
  */deployments/*) id="\${path##*/}"; while read -r i _ image web sha; do [ "$i" = "$id" ] && echo "$image $web $sha"; done <<< "$RELEASES"; true ;;
  *) echo "unexpected gh call: $*" >&2; exit 2 ;;
esac
`;

describe("rollback target (generated bash): a release the environment ran before, as recorded", () => {
  let work: string;
  const digest = (n: number) => `ghcr.io/flightpro/api@sha256:${String(n).repeat(64).slice(0, 64)}`;
  const release = (id: number, state: string, image = digest(id), web = `https://web-${id}.vercel.app`) => `${id} ${state} ${image} ${web} ${"c".repeat(39)}${id % 10}`;

  before(() => {
    work = mkdtempSync(path.join(tmpdir(), "flightdeck-rollback-"));
    write(work, { "bin/gh": FAKE_GH_RELEASES });
    chmodSync(path.join(work, "bin", "gh"), 0o755);
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  function lookup(releases: string[], requested = "") {
    const output = path.join(work, `output-${Math.random().toString(36).slice(2)}`);
    writeFileSync(output, "");
    const result = spawnSync("bash", stepBash(rollbackTargetScript()), {
      encoding: "utf8",
      env: {
        PATH: `${path.join(work, "bin")}${path.delimiter}${process.env["PATH"] ?? ""}`,
        REPOSITORY: "flightpro/flightpro",
        ENVIRONMENT: "production",
        TASK: "deploy:flightdeck",
        REPO: "ghcr.io/flightpro/api",
        REQUESTED: requested,
        RELEASES: releases.join("\n"),
        GITHUB_OUTPUT: output,
      },
    });
    return { status: result.status, out: result.stdout + result.stderr, output: readFileSync(output, "utf8") };
  }

  it("defaults to the newest successful release that differs from the running one, skipping failed ones", () => {
    const result = lookup([release(9, "success"), release(8, "failure"), release(7, "success", digest(9), "https://web-9.vercel.app"), release(6, "success")]);
    assert.equal(result.status, 0, result.out);
    assert.equal(result.output, `image=${digest(6)}\nweb-url=https://web-6.vercel.app\nsha=${"c".repeat(39)}6\ndeployment-id=6\n`);
  });

  it("returns to a chosen earlier successful deployment, never to the running one, a failed one or an unknown id", () => {
    const releases = [release(9, "success"), release(8, "failure"), release(7, "success"), release(6, "success")];
    assert.match(lookup(releases, "6").output, /deployment-id=6\n$/);
    for (const requested of ["9", "8", "5"]) {
      const refused = lookup(releases, requested);
      assert.equal(refused.status, 1, requested);
      assert.match(refused.out, new RegExp(`no earlier successful production deployment with id ${requested}`));
      assert.equal(refused.output, "");
    }
  });

  it("refuses a release recorded without an image digest or web deployment", () => {
    const byTag = lookup([release(9, "success"), release(7, "success", "ghcr.io/flightpro/api:latest")]);
    assert.equal(byTag.status, 1);
    assert.match(byTag.out, /recorded no image of ghcr\.io\/flightpro\/api by digest \(ghcr\.io\/flightpro\/api:latest\)/);
    assert.equal(lookup([release(9, "success")]).status, 1, "nothing earlier");
  });
});
