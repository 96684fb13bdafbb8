import { migrationBookkeeping } from "../pipeline/migrations";
import { backupMetadata, recoveryMetrics } from "./contract";

/**
 * The backup and restore-drill scripts, as the jobs run them (bash, in the CodeBuild build phase;
 * test/integration/backup runs these very strings against a real PostgreSQL server).
 *
 * Tools they rely on, each documented upstream:
 * - pg_dump --format=custom: "a custom-format archive suitable for input into pg_restore ...
 *   compressed by default" (https://www.postgresql.org/docs/15/app-pgdump.html);
 * - pg_restore --list reads an archive's table of contents and fails on a file that is not one;
 *   --exit-on-error stops at the first failed statement; --no-owner and --no-privileges skip the
 *   ownership and GRANT commands for roles the throwaway server does not have
 *   (https://www.postgresql.org/docs/15/app-pgrestore.html);
 * - initdb and pg_ctl refuse to run as root, so as root the throwaway server runs as the server
 *   package's `postgres` user (https://www.postgresql.org/docs/15/app-initdb.html);
 * - the AWS CLI v2 and jq are on CodeBuild's Amazon Linux 2023 standard image
 *   (aws/aws-codebuild-docker-images al/x86_64/standard/5.0/Dockerfile: "Install AWS CLI v2", `jq`);
 * - "pg_dump cannot dump from PostgreSQL servers newer than its own major version; it will refuse to
 *   even try" (https://www.postgresql.org/docs/15/app-pgdump.html, Notes); `server_version_num` is the
 *   server's version as an integer, major × 10000 + minor from version 10
 *   (https://www.postgresql.org/docs/15/runtime-config-preset.html);
 * - pg_dump sets row_security off, and "if the user does not have sufficient privileges to bypass row
 *   security, then an error is thrown" (app-pgdump.html, --enable-row-security): `pg_class.relrowsecurity`
 *   says a table has it enabled (https://www.postgresql.org/docs/15/catalog-pg-class.html);
 * - `pg_restore --list` prints one table-of-contents line per entry, an extension as
 *   `<id>; 3079 <oid> EXTENSION - <name>` (read from pg_restore 15 here, test/integration/backup).
 * Every value enters through the environment (below); no secret is printed.
 */

/**
 * The backup job's prerequisites, checked before anything is dumped or published: a server whose major
 * version this pg_dump can dump, and no table whose row-level security the backup role cannot bypass.
 * Each failure says what to change.
 */
const BACKUP_PREREQUISITES = String.raw`query() { psql -X -q -A -t -v ON_ERROR_STOP=1 --no-password --dbname="$DATABASE_URL" -c "$1"; }
client_major="$(pg_dump --version | sed -nE 's/^pg_dump \(PostgreSQL\) ([0-9]+).*/\1/p')"
server_version="$(query 'SHOW server_version_num')"
server_major="$((server_version / 10000))"
if [ -z "$client_major" ] || [ "$server_major" -gt "$client_major" ]; then
  echo "backup: the database server runs PostgreSQL $server_major (server_version_num $server_version) and this job's pg_dump is %{client_major:-of no known version}: pg_dump refuses a server of a newer major version; set flightdeck:disasterRecovery.backups.postgresVersion to $server_major or later" >&2
  exit 1
fi
secured="$(query "SELECT coalesce(string_agg(format('%I.%I', n.nspname, c.relname), ', ' ORDER BY n.nspname, c.relname), '') FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relrowsecurity AND c.relkind IN ('r', 'p')")"
if [ -n "$secured" ]; then
  echo "backup: row-level security is enabled on $secured; the backup role does not bypass it, so pg_dump would fail (and --enable-row-security would dump only the rows the policies show): disable row-level security on those tables, or back them up another way" >&2
  exit 1
fi`;

/** The environment the backup script reads. DATABASE_URL comes from Parameter Store (a SecureString). */
export const backupEnv = ["DATABASE_URL", "BACKUP_BUCKET", "BACKUP_PREFIX", "METRICS_NAMESPACE", "RPO_MINUTES"] as const;

/**
 * The environment the drill script reads. DRILL_TABLES is space-separated `schema.table:minRows`;
 * PG_BIN (optional) is where initdb and pg_ctl are when they are not on PATH (Debian keeps them in
 * /usr/lib/postgresql/<major>/bin).
 */
export const drillEnv = [
  "BACKUP_BUCKET",
  "BACKUP_PREFIX",
  "METRICS_NAMESPACE",
  "REGISTER_PARAMETER",
  "DRILL_TABLES",
  "BUDGET_SECONDS",
  "RPO_MINUTES",
  "RTO_MINUTES",
  "DRILL_EXTENSIONS",
] as const;

/** `@NAME@` placeholders of the scripts: the names defined once in contract.ts and migrations.ts. */
const NAMES: Record<string, string> = {
  BACKUP_COMPLETED: recoveryMetrics.backupCompleted,
  BACKUP_SIZE_BYTES: recoveryMetrics.backupSizeBytes,
  BACKUP_SIZE_RATIO: recoveryMetrics.backupSizeRatio,
  DRILL_SECONDS: recoveryMetrics.drillSeconds,
  META_SHA256: backupMetadata.sha256,
  META_HEAD: backupMetadata.migrationHead,
  META_COMPLETED: backupMetadata.completedAt,
  VERSION_SCHEMA: migrationBookkeeping.versionTableSchema,
};


/**
 * Shared by the restore drill and the staging refresh (a fact once): where the throwaway server's
 * tools are and who runs them (initdb and pg_ctl refuse root), and how it stops (in the script's EXIT trap).
 */
const THROWAWAY_SETUP = String.raw`pg_bin="%{PG_BIN:-}"
workdir="$(mktemp -d)"
chmod 755 "$workdir"
server_user=""
if [ "$(id -u)" = 0 ]; then server_user=postgres; chown "$server_user" "$workdir"; fi
tool() { if [ -n "$pg_bin" ]; then echo "$pg_bin/$1"; else echo "$1"; fi; }
as_server() { if [ -n "$server_user" ]; then runuser -u "$server_user" -- "$@"; else "$@"; fi; }`;
const THROWAWAY_STOP = String.raw`if [ -f "$workdir/data/postmaster.pid" ]; then as_server "$(tool pg_ctl)" -D "$workdir/data" -m immediate -w stop > /dev/null 2>&1 || true; fi
  rm -rf "$workdir"`;

/**
 * The newest backup, downloaded to $workdir/backup.dump and checked to be the object the backup job wrote
 * (its SHA-256 metadata); then restored into a throwaway PostgreSQL server (a new cluster in $workdir, on a
 * Unix socket only) as the database `restored`; `restored` runs psql there. Sets `key` and `expected_head`,
 * and `failure` before each step for the script's EXIT trap. The drill checks the archive's extensions
 * between the two; the staging refresh runs both at once (@NEWEST_BACKUP_RESTORED@).
 */
const NEWEST_BACKUP_DOWNLOADED = String.raw`failure="no backup found under s3://$BACKUP_BUCKET/$BACKUP_PREFIX"
key="$(aws s3api list-objects-v2 --bucket "$BACKUP_BUCKET" --prefix "$BACKUP_PREFIX" --query 'Contents[].Key' --output text \
  | tr '\t' '\n' | grep '\.dump$' | sort | tail -n 1 || true)"
[ -n "$key" ]
failure="cannot read the metadata of s3://$BACKUP_BUCKET/$key"
metadata="$(aws s3api head-object --bucket "$BACKUP_BUCKET" --key "$key" --query Metadata --output json)"
expected_sha="$(echo "$metadata" | jq -r '.["@META_SHA256@"] // ""')"
expected_head="$(echo "$metadata" | jq -r '.["@META_HEAD@"] // ""')"
failure="cannot download s3://$BACKUP_BUCKET/$key"
aws s3 cp "s3://$BACKUP_BUCKET/$key" "$workdir/backup.dump" --only-show-errors
failure="s3://$BACKUP_BUCKET/$key is not the object the backup job wrote (its SHA-256 differs from the recorded one)"
[ -n "$expected_sha" ]
[ "$(sha256sum "$workdir/backup.dump" | cut -d ' ' -f 1)" = "$expected_sha" ]
chmod 644 "$workdir/backup.dump"`;
const BACKUP_RESTORED_IN_THROWAWAY = String.raw`failure="the throwaway PostgreSQL server did not start"
as_server "$(tool initdb)" -D "$workdir/data" -U drill --auth=trust --no-sync --encoding=UTF8 --locale=C > /dev/null
as_server "$(tool pg_ctl)" -D "$workdir/data" -l "$workdir/server.log" -w -t 60 \
  -o "-k $workdir -c listen_addresses='' -p 5432 -c fsync=off" start > /dev/null
restored() { psql -X -q -A -t -v ON_ERROR_STOP=1 -h "$workdir" -p 5432 -U drill -d restored "$@"; }
psql -X -q -v ON_ERROR_STOP=1 -h "$workdir" -p 5432 -U drill -d postgres -c 'CREATE DATABASE restored' > /dev/null

failure="pg_restore could not restore $key"
pg_restore --exit-on-error --no-owner --no-privileges -h "$workdir" -p 5432 -U drill -d restored "$workdir/backup.dump"`;

/** Fills the placeholders; `%{` stands for bash's `${` (a template literal would read `${` itself). */
export function fill(script: string): string {
  return script
    // Functions, not strings: a replacement string reads `$'` and `$&` as patterns, and the snippets hold them.
    .replace("@THROWAWAY_SETUP@", () => THROWAWAY_SETUP)
    .replace("@THROWAWAY_STOP@", () => THROWAWAY_STOP)
    .replace("@NEWEST_BACKUP_RESTORED@", () => `${NEWEST_BACKUP_DOWNLOADED}\n\n${BACKUP_RESTORED_IN_THROWAWAY}`)
    .replace("@NEWEST_BACKUP_DOWNLOADED@", () => NEWEST_BACKUP_DOWNLOADED)
    .replace("@BACKUP_RESTORED_IN_THROWAWAY@", () => BACKUP_RESTORED_IN_THROWAWAY)
    .replaceAll("%{", "${").replace(/@([A-Z0-9_]+)@/g, (placeholder, name: string) => {
    const value = NAMES[name];
    if (value === undefined) throw new Error(`script placeholder ${placeholder} has no value`);
    return value;
  });
}

/**
 * Dumps the database (custom format), checks that the archive reads back and holds the migration
 * head, uploads it with its checksum and head as object metadata (the writer may only put objects),
 * then publishes its completion, size, and size relative to the backup before it (read back from
 * its own metric). Any failing step fails the job before BackupCompleted is published: the
 * backup-age alarm then sees no completion.
 */
export const BACKUP_SCRIPT = fill(String.raw`set -euo pipefail
${BACKUP_PREREQUISITES}
workdir="$(mktemp -d)"
trap 'rm -rf "$workdir"' EXIT
dump="$workdir/backup.dump"
started="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
pg_dump --format=custom --no-password --dbname="$DATABASE_URL" --file="$dump"
# An archive pg_restore cannot read is no backup.
pg_restore --list "$dump" > "$workdir/toc"
head="$(pg_restore --data-only --schema=@VERSION_SCHEMA@ --table=alembic_version --file=- "$dump" \
  | awk '/^COPY /{copy=1; next} /^\\\.$/{copy=0} copy && NF {print $1}' | sort | paste -sd '+' -)"
if [ -z "$head" ]; then
  echo "backup: the dump holds no migration head (@VERSION_SCHEMA@.alembic_version is empty or missing)" >&2
  exit 1
fi
size="$(stat -c %s "$dump")"
sha="$(sha256sum "$dump" | cut -d ' ' -f 1)"
completed="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
key="$BACKUP_PREFIX$(date -u -d "$completed" +%Y/%m/%d/%Y%m%dT%H%M%SZ).dump"
aws s3 cp "$dump" "s3://$BACKUP_BUCKET/$key" --only-show-errors \
  --metadata "@META_SHA256@=$sha,@META_HEAD@=$head,@META_COMPLETED@=$completed"
since="$(date -u -d "$started - $((2 * RPO_MINUTES)) minutes" +%Y-%m-%dT%H:%M:%SZ)"
previous="$(aws cloudwatch get-metric-statistics --namespace "$METRICS_NAMESPACE" --metric-name @BACKUP_SIZE_BYTES@ \
  --start-time "$since" --end-time "$started" --period 60 --statistics Maximum \
  --query 'sort_by(Datapoints, &Timestamp)[-1].Maximum' --output text)"
metrics="$(jq -n --arg at "$completed" --argjson size "$size" --arg previous "$previous" '
  [{MetricName: "@BACKUP_COMPLETED@", Value: 1, Unit: "Count", Timestamp: $at},
   {MetricName: "@BACKUP_SIZE_BYTES@", Value: $size, Unit: "Bytes", Timestamp: $at}]
  + (if ($previous | test("^[0-9.eE+]+$")) and (($previous | tonumber) > 0)
     then [{MetricName: "@BACKUP_SIZE_RATIO@", Value: ($size / ($previous | tonumber)), Unit: "None", Timestamp: $at}]
     else [] end)')"
aws cloudwatch put-metric-data --namespace "$METRICS_NAMESPACE" --metric-data "$metrics"
echo "backup: s3://$BACKUP_BUCKET/$key ($size bytes, migration head $head, previous backup $previous bytes)"`);

/**
 * Restores the newest backup into a throwaway PostgreSQL server (a new cluster in a temporary
 * directory, listening on a Unix socket only), checks it is the object the backup job wrote
 * (SHA-256), counts the configured tables against their minimums, compares the migration head with
 * the one the backup recorded, and measures the whole as the recovery time. Before restoring, every
 * extension the backup creates must be one the drill's server has installed (DRILL_EXTENSIONS, from
 * flightdeck:disasterRecovery.drill.extensions): an undeclared one fails the drill by name. Every run, passed or
 * failed, overwrites the drill register; a passing run also publishes RestoreDrillSeconds. A failure
 * exits non-zero, so the build fails (CodeBuild's FailedBuilds, which the drill alarm watches).
 */
export const DRILL_SCRIPT = fill(String.raw`set -euo pipefail
started_epoch="$(date +%s)"
@THROWAWAY_SETUP@
key=""
head=""
counts="{}"
elapsed=0
failure="unexpected error"
register() {
  local status="$1" now previous record
  now="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  previous="$(aws ssm get-parameter --name "$REGISTER_PARAMETER" --query Parameter.Value --output text 2> /dev/null | jq -c 'if type == "object" then . else {} end' 2> /dev/null || true)"
  record="$(jq -n --arg status "$status" --arg now "$now" --arg key "$key" --arg head "$head" --argjson counts "$counts" \
    --arg failure "$failure" --argjson seconds "$elapsed" --argjson previous "%{previous:-"{}"}" \
    --argjson rpo "$RPO_MINUTES" --argjson rto "$RTO_MINUTES" --argjson budget "$BUDGET_SECONDS" '
    {status: $status, lastRun: $now, rpoMinutes: $rpo, rtoMinutes: $rto, budgetSeconds: $budget}
    + (if $status == "passed"
       then {lastPassed: $now, recoverySeconds: $seconds, backupKey: $key, migrationHead: $head, rowCounts: $counts}
       else ($previous | {lastPassed, recoverySeconds, backupKey, migrationHead, rowCounts} | with_entries(select(.value != null))) + {failure: $failure}
       end)')"
  aws ssm put-parameter --name "$REGISTER_PARAMETER" --type String --overwrite --value "$record" > /dev/null
}
finish() {
  local status=$?
  @THROWAWAY_STOP@
  if [ "$status" -ne 0 ]; then
    echo "restore drill failed: $failure" >&2
    register failed || echo "restore drill: could not update the register $REGISTER_PARAMETER" >&2
  fi
  exit "$status"
}
trap finish EXIT

@NEWEST_BACKUP_DOWNLOADED@

failure="pg_restore could not read $key as an archive (its table of contents)"
pg_restore --list "$workdir/backup.dump" > "$workdir/toc"
for extension in $(awk '$4 == "EXTENSION" && $5 == "-" {print $6}' "$workdir/toc" | sort -u); do
  failure="the backup creates extension $extension, which flightdeck:disasterRecovery.drill.extensions does not declare (the drill's server would not have it)"
  case " %{DRILL_EXTENSIONS:-} plpgsql " in *" $extension "*) ;; *) false ;; esac
done

@BACKUP_RESTORED_IN_THROWAWAY@

for spec in $DRILL_TABLES; do
  table="%{spec%%:*}"
  min="%{spec##*:}"
  failure="table $table is missing from the restored database"
  rows="$(restored -c "SELECT count(*) FROM \"%{table%%.*}\".\"%{table#*.}\"")"
  failure="table $table has $rows rows after the restore, fewer than $min"
  [ "$rows" -ge "$min" ]
  counts="$(echo "$counts" | jq -c --arg table "$table" --argjson rows "$rows" '. + {($table): $rows}')"
done
failure="the restored database has no migration head (@VERSION_SCHEMA@.alembic_version)"
head="$(restored -c "SELECT coalesce(string_agg(version_num, '+' ORDER BY version_num), '') FROM @VERSION_SCHEMA@.alembic_version")"
[ -n "$head" ]
failure="the restored migration head $head is not the one the backup recorded (%{expected_head:-none})"
[ "$head" = "$expected_head" ]

elapsed="$(( $(date +%s) - started_epoch ))"
failure="could not publish @DRILL_SECONDS@"
aws cloudwatch put-metric-data --namespace "$METRICS_NAMESPACE" --metric-data \
  "$(jq -n --argjson seconds "$elapsed" '[{MetricName: "@DRILL_SECONDS@", Value: $seconds, Unit: "Seconds"}]')"
failure="could not update the register $REGISTER_PARAMETER"
register passed
echo "restore drill passed: $key restored in $elapsed s (budget $BUDGET_SECONDS s); rows $counts; migration head $head"`);
