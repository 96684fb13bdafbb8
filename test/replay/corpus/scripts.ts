import { ReplayCase, caught, passes } from "../cases";
import { replace } from "../edits";

const SCRIPTS = "infra/backup/scripts.ts";
const BUILDSPEC = "infra/backup/buildspec.ts";
const PRODUCTION = "infra/workflows/deployProduction.ts";
const VERCEL = "infra/workflows/vercel.ts";
const DUMPS_ALL = "recovery-backup-dumps-all-data";
const CHECKS_FAIL = "recovery-job-checks-fail-the-build";
const SMOKE_ROLLBACK = "workflow-production-smoke-tests-roll-back";
const WEB_BUILD = "workflow-production-web-built-for-production";
const USES_ENVIRONMENT = "workflow-production-deploy-uses-environment";

const DUMP = 'pg_dump --format=custom --no-password --dbname="$DATABASE_URL" --file="$dump"';
const ROW_CHECK = '  [ "$rows" -ge "$min" ]';
const RESTORE = 'pg_restore --exit-on-error --no-owner --no-privileges -h "$workdir" -p 5432 -U drill -d restored "$workdir/backup.dump"';

/** Class 14 (issue 19, 5): scripts judged by their effects, read by the shell parser. */
export const scriptCases: ReplayCase[] = [
  {
    id: "scripts-backup-skips-page-view-data",
    class: "scripts",
    title: "backup: skip the rows of the page_views table (it is 80% of the dump and can be rebuilt from PostHog)",
    edits: [replace(SCRIPTS, DUMP, 'pg_dump --format=custom --exclude-table-data=public.page_views --no-password --dbname="$DATABASE_URL" --file="$dump"')],
    expect: caught(DUMPS_ALL),
  },
  {
    id: "scripts-backup-abbreviated-schema-only",
    class: "scripts",
    title: "backup: faster nightly dumps (--schema-o, the data is replicated anyway)",
    edits: [replace(SCRIPTS, DUMP, 'pg_dump --format=custom --schema-o --no-password --dbname="$DATABASE_URL" --file="$dump"')],
    expect: caught(DUMPS_ALL),
  },
  {
    id: "scripts-backup-public-schema-bundled",
    class: "scripts",
    title: "backup: dump only the application schema (-vn public)",
    edits: [replace(SCRIPTS, DUMP, 'pg_dump -Fc -vn public --no-password --dbname="$DATABASE_URL" --file="$dump"')],
    expect: caught(DUMPS_ALL),
  },
  {
    id: "scripts-backup-verbose-compliant",
    class: "compliant",
    title: "backup: verbose pg_dump with the short format flag",
    edits: [replace(SCRIPTS, DUMP, 'pg_dump -Fc -v --no-password --dbname="$DATABASE_URL" --file="$dump"')],
    expect: passes,
  },
  {
    id: "scripts-drill-row-check-warns",
    class: "scripts",
    title: "drill: a table with fewer rows than expected is a warning, not a failed drill",
    edits: [replace(SCRIPTS, ROW_CHECK, '  [ "$rows" -ge "$min" ] || echo "restore drill: $table has only $rows rows" >&2')],
    expect: caught(CHECKS_FAIL),
  },
  {
    id: "scripts-drill-restore-errors-tolerated",
    class: "scripts",
    title: "drill: tolerate restore errors from extensions the drill server lacks (if ! pg_restore; then warn)",
    edits: [replace(SCRIPTS, RESTORE, `if ! ${RESTORE}; then echo "pg_restore reported errors" >&2; fi`)],
    expect: caught(CHECKS_FAIL),
  },
  {
    id: "scripts-drill-row-check-exits-compliant",
    class: "compliant",
    title: "drill: say which table is short before failing",
    edits: [replace(SCRIPTS, ROW_CHECK, '  [ "$rows" -ge "$min" ] || { echo "restore drill: $table has only $rows rows" >&2; exit 1; }')],
    expect: passes,
  },
  {
    id: "scripts-buildspec-status-dropped",
    class: "scripts",
    title: "jobs: clean up the script file after running it (simpler wrapper)",
    edits: [replace(BUILDSPEC, 'bash "$script"; status=$?; rm -f "$script"; [ "$status" -eq 0 ]', 'bash "$script"; rm -f "$script"')],
    expect: caught(CHECKS_FAIL),
  },
  {
    id: "scripts-rollback-web-only-on-web-failure",
    class: "scripts",
    title: "deploy: roll the web back only when the web deploy itself failed (smoke failures are API problems)",
    edits: [replace(PRODUCTION, "if: rollbackWhen(`needs.preflight.outputs.previous-web-url != '' && steps.${ids.deployWeb}.outcome != 'skipped'`),", "if: expr(`failure() && steps.${ids.deployWeb}.outcome == 'failure'`),")],
    expect: caught(SMOKE_ROLLBACK),
  },
  {
    id: "scripts-extra-web-deploy-from-source",
    class: "scripts",
    title: "deploy: also push a source deploy so Vercel's build logs show the commit",
    edits: [replace(VERCEL, `      'url="$(vercel deploy --prebuilt --prod --skip-domain --token="$VERCEL_TOKEN")"',`, `      'url="$(vercel deploy --prebuilt --prod --skip-domain --token="$VERCEL_TOKEN")"',\n      'vercel deploy --prod --skip-domain --token="$VERCEL_TOKEN" > /dev/null',`)],
    expect: caught(WEB_BUILD),
  },
  {
    id: "scripts-environment-from-branch",
    class: "scripts",
    title: "deploy: one workflow for both environments, chosen by the branch",
    edits: [replace(PRODUCTION, 'const environment = { name: "production", url: vars(deployVariables.webUrl) };', "const environment = { name: \"${{ github.ref == 'refs/heads/main' && 'production' || 'staging' }}\", url: vars(deployVariables.webUrl) };")],
    expect: caught(USES_ENVIRONMENT),
  },
];
