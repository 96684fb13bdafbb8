import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { packagedPostgresMajors } from "../../infra/backup/buildImage";
import { dataLeftOut, packagedMajors, pgDumpOptions, readPgDumpArguments } from "../../policies/lib/shell/pgDump";
import { backupsScheduled } from "../../policies/rules/recovery";
import { recoveryScriptPolicies } from "../../policies/rules/recoveryScripts";
import { serverBinaries } from "../integration/postgres/cluster";
import { validStack } from "./fixtures";
import { Fixture, judge, policiesOf } from "./judge";

/**
 * The backup and drill jobs judged by what their scripts do (policies/rules/recoveryScripts.ts), on
 * the production stack's disaster recovery built with the program's own builders (recoveryFixtures.ts).
 *
 * pg_dump's command line is checked against the real pg_dump 15 (Debian's postgresql-15 here, the
 * release the production stack's jobs install): every option of the pack's table is one it accepts,
 * with or without an argument as the table says, every option its --help lists is in the table, and it
 * resolves abbreviations as GNU getopt_long does (a unique prefix, an ambiguous one refused).
 * Reference: https://www.postgresql.org/docs/15/app-pgdump.html. CodeBuild runs each phase command in
 * bash and fails the phase when it exits non-zero (https://docs.aws.amazon.com/codebuild/latest/userguide/build-spec-ref.html).
 */

const PROJECT = "aws:codebuild/project:Project";
const BACKUP = "dr-backup";
const DRILL = "dr-drill";
const DUMPS = "recovery-backup-dumps-all-data";
const CHECKS = "recovery-job-checks-fail-the-build";
const policies = [...recoveryScriptPolicies, backupsScheduled];

/** The stack with one project's buildspec edited (its text, YAML included). */
function editBuildspec(name: string, edit: (text: string) => string): Fixture[] {
  const copy: Fixture[] = structuredClone(validStack());
  const project = copy.find((fixture) => fixture.type === PROJECT && fixture.name === name);
  if (!project) throw new Error(`no project ${name}`);
  const source = project.props["source"] as { buildspec: string };
  const edited = edit(source.buildspec);
  if (edited === source.buildspec) throw new Error(`the edit changed nothing in ${name}'s buildspec`);
  source.buildspec = edited;
  return copy;
}

/** The scripts' lines as the rendered buildspec indents them (a literal block under `commands`). */
const INDENT = "        ";
const DUMP_LINE = `${INDENT}pg_dump --format=custom --no-password --dbname="$DATABASE_URL" --file="$dump"`;
const dumpWith = (line: string) => editBuildspec(BACKUP, (text) => text.replace(DUMP_LINE, `${INDENT}${line}`));

describe("pg_dump's command line as pg_dump 15 reads it", () => {
  const { bin } = serverBinaries();
  const pgDump = path.join(bin, "pg_dump");
  /** pg_dump's complaint about its options, or "" when it went on to connect (to a socket directory that does not exist). */
  const complaint = (args: string[]) => {
    const result = spawnSync(pgDump, [...args, "-h", "/nonexistent-flightdeck-socket", "db"], { encoding: "utf8", env: { ...process.env, PGCONNECT_TIMEOUT: "1" } });
    return /connection to server/.test(result.stderr) ? "" : result.stderr.split("\n")[0]!;
  };

  it("the installed pg_dump is release 15", () => {
    assert.match(spawnSync(pgDump, ["--version"], { encoding: "utf8" }).stdout, /\(PostgreSQL\) 15\./);
  });

  it("accepts every option of the table at once, and takes an argument exactly where the table and its --help say", () => {
    const options = pgDumpOptions(15).filter((option) => !["help", "version"].includes(option.long));
    // getopt_long stops at the first option it refuses: one command line with every option shows they are all known.
    const all = options.map((option) => (option.argument ? `--${option.long}=${option.long === "format" ? "c" : option.long === "section" ? "data" : "1"}` : `--${option.long}`));
    assert.doesNotMatch(complaint(all), /unrecognized|requires an argument|doesn't allow an argument/);
    const help = spawnSync(pgDump, ["--help"], { encoding: "utf8" }).stdout;
    const listed = new Map([...help.matchAll(/--([a-z][a-z-]+)(=?)/g)].map((match) => [match[1]!, match[2] === "="] as const));
    for (const option of options) {
      if (listed.has(option.long)) assert.equal(option.argument, listed.get(option.long), option.long);
      // Aliases --help does not list (--no-acl, --attribute-inserts): refused with a value when they take none.
      else if (!option.argument) assert.match(complaint([`--${option.long}=x`]), /doesn't allow an argument/, option.long);
    }
  });

  it("lists no option in --help that the table lacks", () => {
    const help = spawnSync(pgDump, ["--help"], { encoding: "utf8" }).stdout;
    const listed = [...new Set([...help.matchAll(/--([a-z][a-z-]+)/g)].map((match) => match[1]!))];
    const known = new Set(pgDumpOptions(15).map((option) => option.long));
    assert.deepEqual(listed.filter((long) => !known.has(long)), []);
  });

  it("resolves abbreviations as the table's reader does: a unique prefix is the option, an ambiguous one is refused", () => {
    assert.equal(complaint(["--schema-o"]), "");
    assert.deepEqual(readPgDumpArguments(["--schema-o"], 15), [{ option: "schema-only" }]);
    assert.match(complaint(["--no-p"]), /ambiguous/);
    assert.deepEqual(readPgDumpArguments(["--no-p"], 15), []);
    assert.equal(complaint(["--exclude-table-d=events"]), "");
    assert.deepEqual(readPgDumpArguments(["--exclude-table-d=events"], 15), [{ option: "exclude-table-data", value: "events" }]);
  });

  it("reads bundled short options, attached and separate arguments, and stops at --", () => {
    assert.deepEqual(readPgDumpArguments(["-vsFc", "-Tlogs", "-t", "users", "db", "--", "-a"], 15), [
      { option: "verbose" },
      { option: "schema-only" },
      { option: "format", value: "c" },
      { option: "exclude-table", value: "logs" },
      { option: "table", value: "users" },
    ]);
  });

  it("the releases the pack knows are those the jobs' image packages", () => {
    assert.deepEqual(packagedMajors(), packagedPostgresMajors());
  });

  it("options of later releases are judged only for those releases", () => {
    assert.deepEqual(dataLeftOut(["--no-data"], 15), []);
    assert.equal(dataLeftOut(["--no-data"], 18).length, 1);
    assert.equal(dataLeftOut(["--exclude-table-and-children=audit"], 16).length, 1);
  });
});

describe("recovery jobs judged by what their scripts do", () => {
  it("the production stack's backup and drill pass", () => {
    assert.deepEqual(judge(validStack(), { policies }), []);
  });

  describe("a backup that leaves data out is blocked", () => {
    const cases: [string, string][] = [
      ["-T audit_log", 'pg_dump --format=custom --no-password --dbname="$DATABASE_URL" --file="$dump" -T audit_log'],
      ["--exclude-table-data (the events table is big)", 'pg_dump --format=custom --exclude-table-data=public.events --no-password --dbname="$DATABASE_URL" --file="$dump"'],
      ["an abbreviated --exclude-table-d", 'pg_dump --format=custom --exclude-table-d public.events --no-password --dbname="$DATABASE_URL" --file="$dump"'],
      ["--schema-only bundled with -F (-sFc)", 'pg_dump -sFc --no-password --dbname="$DATABASE_URL" --file="$dump"'],
      ["-n public only", 'pg_dump -Fc -n public --no-password --dbname="$DATABASE_URL" --file="$dump"'],
      ["two sections of three", 'pg_dump -Fc --section=pre-data --section=data --no-password --dbname="$DATABASE_URL" --file="$dump"'],
      ["pg_dump run through env and inside bash -c", `env PGAPPNAME=backup bash -c 'pg_dump -Fc -N audit --no-password --dbname="$DATABASE_URL" --file="$dump"'`],
      ["pg_dump in a function that passes its arguments on, called with -T", `dump() { pg_dump "$@"; }\n${INDENT}dump --format=custom -T public.audit_log --no-password --dbname="$DATABASE_URL" --file="$dump"`],
      ["--enable-row-security", 'pg_dump -Fc --enable-row-security --no-password --dbname="$DATABASE_URL" --file="$dump"'],
    ];
    for (const [title, line] of cases) {
      it(title, () => {
        const verdicts = judge(dumpWith(line), { policies });
        assert.deepEqual(policiesOf(verdicts), [DUMPS]);
      });
    }
  });

  describe("a backup written another valid way passes", () => {
    const cases: [string, string][] = [
      ["-Fc -v with the database name last", 'pg_dump -Fc -v --no-password --file="$dump" "$DATABASE_URL"'],
      ["all three sections named", 'pg_dump --format=c --section=pre-data --section=data --section=post-data --no-password --dbname="$DATABASE_URL" --file="$dump"'],
      ["--form=custom (an abbreviation of --format)", 'pg_dump --form=custom --no-password --dbname="$DATABASE_URL" --file="$dump"'],
    ];
    for (const [title, line] of cases) it(title, () => assert.deepEqual(judge(dumpWith(line), { policies }), []));
  });

  it("a pg_dump in a comment is no dump: the backup is judged to run none in custom format", () => {
    const stack = editBuildspec(BACKUP, (text) => text.replace(DUMP_LINE, `${INDENT}# pg_dump --format=custom (moved to the nightly job)\n${INDENT}pg_dump --format=plain --no-password --dbname="$DATABASE_URL" --file="$dump"`));
    assert.deepEqual(policiesOf(judge(stack, { policies })), ["recovery-backups-scheduled"]);
  });

  describe("a job whose checks cannot fail the build is blocked", () => {
    const cases: [string, string, (text: string) => string][] = [
      ["the drill's restore || true", DRILL, (text) => text.replace('-d restored "$workdir/backup.dump"', '-d restored "$workdir/backup.dump" || true')],
      ["the drill's row count check || echo", DRILL, (text) => text.replace('[ "$rows" -ge "$min" ]', '[ "$rows" -ge "$min" ] || echo "::warning:: few rows"')],
      ["set +e before the drill's checks", DRILL, (text) => text.replace(`${INDENT}for spec in $DRILL_TABLES; do`, `${INDENT}set +e\n${INDENT}for spec in $DRILL_TABLES; do`)],
      ["the migration head compared in an if without a failing branch", DRILL, (text) => text.replace(`${INDENT}[ "$head" = "$expected_head" ]`, `${INDENT}if ! [ "$head" = "$expected_head" ]; then echo "head differs"; fi`)],
      ["the backup's pg_dump piped into tee without pipefail", BACKUP, (text) => text.replace("set -euo pipefail", "set -eu").replace(DUMP_LINE, `${DUMP_LINE} 2>&1 | tee /tmp/dump.log`)],
      ["the wrapper drops the script's status", BACKUP, (text) => text.replace('bash "$script"; status=$?; rm -f "$script"; [ "$status" -eq 0 ]', 'bash "$script"; rm -f "$script"')],
      ["the build phase set to go on after a failure (on-failure: CONTINUE)", DRILL, (text) => text.replace("  build:\n", "  build:\n    on-failure: CONTINUE\n")],
      ["an EXIT trap that exits 0", DRILL, (text) => text.replace("trap finish EXIT", `trap finish EXIT\n${INDENT}trap 'exit 0' EXIT`)],
    ];
    for (const [title, project, edit] of cases) {
      it(title, () => {
        const verdicts = judge(editBuildspec(project, edit), { policies });
        assert.ok(policiesOf(verdicts).includes(CHECKS), JSON.stringify(verdicts, null, 1));
      });
    }
  });

  it("a job that is not a backup (it writes into no backup bucket) may dump part of a database, and feed a test's `|| echo` into psql (as the staging refresh does)", () => {
    const stack = editBuildspec(DRILL, (text) =>
      text.replace(
        `${INDENT}[ "$head" = "$expected_head" ]`,
        `${INDENT}[ "$head" = "$expected_head" ]\n${INDENT}pg_dump --data-only --exclude-schema=alembic -h "$workdir" -U drill -d restored -f "$workdir/masked.sql"\n${INDENT}{ [ -z "$tables" ] || echo "TRUNCATE TABLE $tables;"; cat "$workdir/masked.sql"; } | psql -X -v ON_ERROR_STOP=1 -d restored -f - > /dev/null`,
      ),
    );
    assert.deepEqual(judge(stack, { policies }), []);
  });

  it("the wrapper may carry the script's status another way: exit \"$status\"", () => {
    const stack = editBuildspec(BACKUP, (text) => text.replace('bash "$script"; status=$?; rm -f "$script"; [ "$status" -eq 0 ]', 'bash "$script"; status=$?; rm -f "$script"; exit "$status"'));
    assert.deepEqual(judge(stack, { policies }), []);
  });
});
