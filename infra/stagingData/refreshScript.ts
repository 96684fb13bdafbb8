import { fill } from "../backup/scripts";

/**
 * The weekly staging refresh (the spec's "Anonymized copy of production data (refreshed weekly)"), as
 * the job runs it (bash in CodeBuild, like the restore drill whose steps it shares: infra/backup/scripts.ts;
 * test/integration/stagingData runs this very string against a real PostgreSQL server):
 *
 * 1. the newest production backup, checked to be the object the backup job wrote, restored into a
 *    throwaway server (the drill's steps);
 * 2. every column of every table the restore holds must have a masking rule (MASKING_RULES, a JSON
 *    object `schema.table.column` → strategy): one without stops the refresh before anything else,
 *    so a column a migration adds cannot leak;
 * 3. the rules are applied in the throwaway database, in one transaction with foreign-key triggers
 *    off (`session_replication_role = replica`: "replica" fires no ordinary trigger, and foreign keys
 *    are triggers: https://www.postgresql.org/docs/15/runtime-config-client.html#GUC-SESSION-REPLICATION-ROLE),
 *    so a key rewritten on both sides of a join stays joined;
 * 4. only then the masked rows (pg_dump --data-only, the migrations schema left out: staging keeps
 *    its own migration head) replace staging's, in one transaction (TRUNCATE, then the COPYs), as
 *    the staging role STAGING_DATABASE_URL names. Nothing else reaches staging; a failure anywhere
 *    leaves staging as it was.
 *
 * Strategies: `keep`; `null`; `hash`, a keyed SHA-256 (MASKING_KEY, a secret: the same value gives
 * the same hash, so joins and uniqueness hold, and without the key no original can be tested),
 * 32 hex digits cast back to the column's type (text or uuid; another type fails the refresh);
 * `fake-name` (`Person <6 hex digits>`) and `fake-email` (`user-<16 hex>@example.invalid`, a
 * reserved domain: RFC 2606), both from the keyed hash, so equal inputs stay equal. NULL stays NULL.
 * The key goes to psql as a variable (`:'key'`, quoted by psql: https://www.postgresql.org/docs/15/app-psql.html,
 * "SQL Interpolation"), never into the script's text or its output.
 */
export const REFRESH_SCRIPT = fill(String.raw`set -euo pipefail
@THROWAWAY_SETUP@
key=""
failure="unexpected error"
finish() {
  local status=$?
  @THROWAWAY_STOP@
  if [ "$status" -ne 0 ]; then echo "staging refresh failed: $failure" >&2; fi
  exit "$status"
}
trap finish EXIT
failure="MASKING_RULES is not a JSON object of column → strategy"
jq -e 'type == "object" and all(.[]; IN("keep", "null", "hash", "fake-name", "fake-email"))' <<< "$MASKING_RULES" > /dev/null

@NEWEST_BACKUP_RESTORED@

failure="cannot read the restored schema"
columns="$(restored -c "SELECT coalesce(json_agg(json_build_object('schema', n.nspname, 'table', c.relname, 'column', a.attname, 'type', format_type(a.atttypid, a.atttypmod)) ORDER BY n.nspname, c.relname, a.attnum), '[]')
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
    AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'")"
unclassified="$(jq -r --argjson rules "$MASKING_RULES" '[.[] | "\(.schema).\(.table).\(.column)" | select($rules[.] == null)] | join(", ")' <<< "$columns")"
failure="the restored schema has columns no masking rule classifies (add each to flightdeck:stagingData.masking): $unclassified"
[ -z "$unclassified" ]

failure="masking failed"
statements="$(jq -r --argjson rules "$MASKING_RULES" '
  def ident: "\"" + gsub("\""; "\"\"") + "\"";
  def digest($c): "encode(sha256(convert_to(:'"'"'key'"'"' || '"'"':'"'"' || " + $c + "::text, '"'"'UTF8'"'"')), '"'"'hex'"'"')";
  def masked($c; $strategy; $type):
    if $strategy == "null" then "NULL"
    elif $strategy == "hash" then "CASE WHEN " + $c + " IS NULL THEN NULL ELSE left(" + digest($c) + ", 32)::" + $type + " END"
    elif $strategy == "fake-name" then "CASE WHEN " + $c + " IS NULL THEN NULL ELSE ('"'"'Person '"'"' || upper(left(" + digest($c) + ", 6)))::" + $type + " END"
    else "CASE WHEN " + $c + " IS NULL THEN NULL ELSE ('"'"'user-'"'"' || left(" + digest($c) + ", 16) || '"'"'@example.invalid'"'"')::" + $type + " END" end;
  [.[] | . + {strategy: $rules["\(.schema).\(.table).\(.column)"]} | select(.strategy != "keep")]
  | group_by([.schema, .table])[]
  | "UPDATE " + (.[0].schema | ident) + "." + (.[0].table | ident) + " SET "
    + ([.[] | (.column | ident) + " = " + masked(.column | ident; .strategy; .type)] | join(", ")) + ";"' <<< "$columns")"
{ echo "SET session_replication_role = replica;"; echo "$statements"; } \
  | restored --single-transaction -v key="$MASKING_KEY" -f - > /dev/null
echo "staging refresh: $(jq length <<< "$columns") columns classified, $(grep -c '^UPDATE ' <<< "$statements" || true) tables masked"

failure="cannot dump the masked rows"
pg_dump --data-only --no-owner --no-privileges --exclude-schema=@VERSION_SCHEMA@ -h "$workdir" -p 5432 -U drill -d restored -f "$workdir/masked.sql"
tables="$(jq -r '[.[] | select(.schema != "@VERSION_SCHEMA@") | "\(.schema).\(.table)"] | unique | map(split(".") | map("\"" + gsub("\""; "\"\"") + "\"") | join(".")) | join(", ")' <<< "$columns")"

failure="loading staging failed; staging is unchanged"
{ echo "SET client_min_messages = warning;"; [ -z "$tables" ] || echo "TRUNCATE TABLE $tables;"; cat "$workdir/masked.sql"; } \
  | psql -X -q -v ON_ERROR_STOP=1 --single-transaction --no-password -d "$STAGING_DATABASE_URL" -f - > /dev/null
echo "staging refresh: loaded the masked rows of $key into staging"`);
