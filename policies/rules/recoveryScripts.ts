import { StackResource, stackPolicy } from "../lib/define";
import { CODEBUILD_PROJECT, backupBuckets, bucketName, buildspecCommands, buildspecScripts, continuingPhases, dumpCommands, installedPostgresMajor } from "../lib/recovery";
import { escapingFailures, testsThatDecideNothing } from "../lib/shell/failures";
import { Scope, backupJobs, scopeDefaults, scopeSchema } from "./recovery";
import { dataLeftOut, packagedMajors } from "../lib/shell/pgDump";
import { Command, invocation, programOf } from "../lib/shell/syntax";

/**
 * The backup and drill jobs judged by what their scripts do, read by the shell parser: which data
 * pg_dump leaves out, and whether a check's failure fails the build.
 */

const TOPICS = ["disaster-recovery"];
const SPEC_DR = 'Spec, Disaster Recovery: "RPO (Recovery Point Objective): 1 hour (latest backup)"; "Database: Backup restoration to local or alternative cloud"';

/** CodeBuild projects with an inline buildspec. */
function databaseJobs(resources: StackResource[]): StackResource[] {
  return resources.filter((resource) => resource.type === CODEBUILD_PROJECT && buildspecScripts(resource).length > 0);
}

export const backupDumpsAllData = stackPolicy<Pick<Scope, "bucketNames">>(
  {
    name: "recovery-backup-dumps-all-data",
    description:
      "Every pg_dump a backup job (a CodeBuild project whose role writes into a backup bucket) runs dumps the whole database: no option that leaves data or the schema out (-t/--table, -T/--exclude-table, --exclude-table-data, -n/--schema, -N/--exclude-schema, -s/--schema-only, -a/--data-only, -B/--no-blobs, " +
      "--no-unlogged-table-data, --enable-row-security, --section, and the later releases' --exclude-table-and-children, --filter, --no-data …), read as pg_dump reads its command line (bundled short options, abbreviated long ones) " +
      `for the release the buildspec installs (https://www.postgresql.org/docs/15/app-pgdump.html). ${SPEC_DR}.`,
    severity: "critical",
    remediation: ["Run `pg_dump --format=custom --no-password --dbname=\"$DATABASE_URL\" --file=…` with no option that selects or excludes objects or data.", "A table that must not be backed up is a decision for the strategy, not the backup job: waive this policy with the reason."],
    topics: TOPICS,
  },
  {
    requires: CODEBUILD_PROJECT,
    config: { defaults: { bucketNames: scopeDefaults.bucketNames }, schema: { bucketNames: scopeSchema.bucketNames } },
    validate(resources, settings, report, args) {
      const names = backupBuckets(resources, settings.bucketNames).map(bucketName);
      const jobs = backupJobs(resources, names).filter((job) => dumpCommands(job).length > 0);
      if (jobs.length === 0) args.notApplicable("no backup job runs pg_dump");
      for (const job of jobs) {
        const major = installedPostgresMajor(job) ?? Math.max(...packagedMajors());
        for (const { script, args } of dumpCommands(job)) {
          for (const reason of dataLeftOut(args, major)) report(`${job.name} ${script.at}: pg_dump ${reason}`, job.urn);
        }
      }
    },
  },
);

const TESTS = new Set(["[", "[[", "test", "false"]);
const DATABASE_TOOLS = new Set(["pg_dump", "pg_restore", "psql", "pg_dumpall"]);

export const recoveryChecksFailTheBuild = stackPolicy(
  {
    name: "recovery-job-checks-fail-the-build",
    description:
      "A backup or restore drill that cannot fail is no evidence: in every CodeBuild project that dumps or restores a database, each database command (pg_dump, pg_restore, psql) and each test outside an if/while condition (`[ … ]`, `[[ … ]]`, test, false), and the command that runs the job's script, fails the build when it fails; an `if` around a test whose branches only print decides nothing. " +
      "Judged on the parsed scripts by bash's rules: `|| true`, `set +e`, a pipeline without pipefail, an if whose branch does not fail, a trap that exits 0, a command substitution whose status is dropped, a check in a function nothing calls. " +
      `${SPEC_DR}; Rollback: "Testing: Quarterly rollback drills to ensure procedure works".`,
    severity: "critical",
    remediation: ["Start the job's script with `set -euo pipefail` and let each check's failure end it; report a failure from an EXIT trap that exits with the script's status."],
    topics: TOPICS,
  },
  {
    requires: CODEBUILD_PROJECT,
    validate(resources, _settings, report, args) {
      const jobs = databaseJobs(resources).filter((job) => buildspecCommands(job).some(({ command }) => DATABASE_TOOLS.has(programOf(command))));
      if (jobs.length === 0) args.notApplicable("no CodeBuild project dumps or restores a database");
      for (const job of jobs) {
        for (const { phase, value } of continuingPhases(job)) report(`${job.name} phases.${phase}.on-failure: ${value} goes on after a failed command (ABORT, the default, fails the build)`, job.urn);
        const scripts = buildspecScripts(job);
        const runners = new Set(scripts.map((script) => script.runBy).filter((command): command is Command => command !== undefined));
        for (const script of scripts) {
          const isCheck = (command: Command, inCondition: boolean) =>
            runners.has(command) || DATABASE_TOOLS.has(programOf(command)) || (!inCondition && TESTS.has(programOf(command)));
          for (const escape of escapingFailures(script.text, isCheck, script.start)) {
            report(`${job.name} ${script.at}: \`${invocation(escape.command).slice(0, 4).join(" ")}\` can fail without failing the build: ${escape.reason}`, job.urn);
          }
          for (const command of testsThatDecideNothing(script.text)) {
            if (isCheck(command, false)) report(`${job.name} ${script.at}: \`${invocation(command).slice(0, 4).join(" ")}\` decides nothing: the if's branches only print`, job.urn);
          }
        }
      }
    },
  },
);

export const recoveryScriptPolicies = [backupDumpsAllData, recoveryChecksFailTheBuild];
