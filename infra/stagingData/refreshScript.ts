import { archiveExtensionsDeclared, fill } from "../backup/scripts";

/** The job's environment variable listing the extensions its server has installed (flightdeck:stagingData.extensions). */
export const REFRESH_EXTENSIONS = "REFRESH_EXTENSIONS";

/** K ⊕ ipad and K ⊕ opad (RFC 2104) as psql variables `ipad` and `opad` (hex), from the psql variable `key`. */
const HMAC_PADS = String.raw`SELECT string_agg(lpad(to_hex(get_byte(padded.k, i) # 54), 2, '0'), '' ORDER BY i) AS ipad,
       string_agg(lpad(to_hex(get_byte(padded.k, i) # 92), 2, '0'), '' ORDER BY i) AS opad
  FROM (SELECT CASE WHEN octet_length(raw) > 64 THEN sha256(raw) ELSE raw END AS short FROM (SELECT convert_to(:'key', 'UTF8') AS raw) AS given) AS key_bytes,
       LATERAL (SELECT short || decode(repeat('00', 64 - octet_length(short)), 'hex') AS k) AS padded,
       generate_series(0, 63) AS i
\gset`;

/** The script with the HMAC pads' query and the extension check in place (before fill, which refuses an unknown placeholder). */
function withSnippets(script: string): string {
  return script
    .replace("@HMAC_PADS@", () => HMAC_PADS)
    .replace("@ARCHIVE_EXTENSIONS_DECLARED@", () => archiveExtensionsDeclared(REFRESH_EXTENSIONS, "flightdeck:stagingData.extensions", "the refresh's throwaway server"));
}

/**
 * The weekly staging refresh (the spec's "Anonymized copy of production data (refreshed weekly)"), as
 * the job runs it (bash in CodeBuild, like the restore drill whose steps it shares: infra/backup/scripts.ts;
 * test/integration/stagingData runs this very string against a real PostgreSQL server):
 *
 * 1. the newest production backup, checked to be the object the backup job wrote, restored into a
 *    throwaway server (the drill's steps), whose server has the extensions the schema uses installed
 *    (flightdeck:stagingData.extensions, REFRESH_EXTENSIONS): a backup creating another stops the refresh by
 *    name before the restore (archiveExtensionsDeclared, the drill's check);
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
 * Strategies: `keep`; `null`; `hash`, HMAC-SHA256 of the value's text keyed by MASKING_KEY (the stack's
 * generated secret, stagingRefresh.ts): the same value gives the same hash, so joins and uniqueness hold,
 * and without the key nobody can hash a guess (an e-mail, a name) to find it. 32 hex digits cast back to
 * the column's type (text or uuid; another type fails the refresh); `fake-name` (`Person <6 hex digits>`)
 * and `fake-email` (`user-<16 hex>@example.invalid`, a reserved domain: RFC 2606), both from the same
 * HMAC, so equal inputs stay equal. NULL stays NULL.
 * HMAC as RFC 2104 §2 defines it, H(K ⊕ opad ‖ H(K ⊕ ipad ‖ text)) with B = 64 bytes for SHA-256 (a key
 * longer than B is hashed first, a shorter one padded with zeros; ipad 0x36, opad 0x5c), built from
 * PostgreSQL's own sha256() (https://www.postgresql.org/docs/15/functions-binarystring.html) and integer
 * `#` (XOR), so the throwaway database needs no pgcrypto; test/integration/stagingData checks it against
 * Node's createHmac. The key goes to psql as a variable (`:'key'`, quoted by psql:
 * https://www.postgresql.org/docs/15/app-psql.html, "SQL Interpolation"), the padded keys stay psql
 * variables (`\gset`), never in the script's text or its output.
 */

export const REFRESH_SCRIPT = fill(withSnippets(String.raw`set -euo pipefail
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

@NEWEST_BACKUP_DOWNLOADED@

@ARCHIVE_EXTENSIONS_DECLARED@

@BACKUP_RESTORED_IN_THROWAWAY@

failure="cannot read the restored schema"
columns="$(restored -c "SELECT coalesce(json_agg(json_build_object('schema', n.nspname, 'table', c.relname, 'column', a.attname, 'type', format_type(a.atttypid, a.atttypmod)) ORDER BY n.nspname, c.relname, a.attnum), '[]')
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
    AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'")"
unclassified="$(jq -r --argjson rules "$MASKING_RULES" '[.[] | "\(.schema).\(.table).\(.column)" | select($rules[.] == null)] | join(", ")' <<< "$columns")"
failure="the restored schema has columns no masking rule classifies (add each to flightdeck:stagingData.masking): $unclassified"
[ -z "$unclassified" ]

failure="masking failed"
hmac_pads="$(cat <<'SQL'
@HMAC_PADS@
SQL
)"
statements="$(jq -r --argjson rules "$MASKING_RULES" '
  def ident: "\"" + gsub("\""; "\"\"") + "\"";
  def digest($c): "encode(sha256(decode(:'"'"'opad'"'"', '"'"'hex'"'"') || sha256(decode(:'"'"'ipad'"'"', '"'"'hex'"'"') || convert_to(" + $c + "::text, '"'"'UTF8'"'"'))), '"'"'hex'"'"')";
  def masked($c; $strategy; $type):
    if $strategy == "null" then "NULL"
    elif $strategy == "hash" then "CASE WHEN " + $c + " IS NULL THEN NULL ELSE left(" + digest($c) + ", 32)::" + $type + " END"
    elif $strategy == "fake-name" then "CASE WHEN " + $c + " IS NULL THEN NULL ELSE ('"'"'Person '"'"' || upper(left(" + digest($c) + ", 6)))::" + $type + " END"
    else "CASE WHEN " + $c + " IS NULL THEN NULL ELSE ('"'"'user-'"'"' || left(" + digest($c) + ", 16) || '"'"'@example.invalid'"'"')::" + $type + " END" end;
  [.[] | . + {strategy: $rules["\(.schema).\(.table).\(.column)"]} | select(.strategy != "keep")]
  | group_by([.schema, .table])[]
  | "UPDATE " + (.[0].schema | ident) + "." + (.[0].table | ident) + " SET "
    + ([.[] | (.column | ident) + " = " + masked(.column | ident; .strategy; .type)] | join(", ")) + ";"' <<< "$columns")"
{ echo "SET session_replication_role = replica;"; echo "$hmac_pads"; echo "$statements"; } \
  | restored --single-transaction -v key="$MASKING_KEY" -f - > /dev/null
echo "staging refresh: $(jq length <<< "$columns") columns classified, $(grep -c '^UPDATE ' <<< "$statements" || true) tables masked"

failure="cannot dump the masked rows"
pg_dump --data-only --no-owner --no-privileges --exclude-schema=@VERSION_SCHEMA@ -h "$workdir" -p 5432 -U drill -d restored -f "$workdir/masked.sql"
tables="$(jq -r '[.[] | select(.schema != "@VERSION_SCHEMA@") | "\(.schema).\(.table)"] | unique | map(split(".") | map("\"" + gsub("\""; "\"\"") + "\"") | join(".")) | join(", ")' <<< "$columns")"

failure="loading staging failed; staging is unchanged"
{ echo "SET client_min_messages = warning;"; [ -z "$tables" ] || echo "TRUNCATE TABLE $tables;"; cat "$workdir/masked.sql"; } \
  | psql -X -q -v ON_ERROR_STOP=1 --single-transaction --no-password -d "$STAGING_DATABASE_URL" -f - > /dev/null
echo "staging refresh: loaded the masked rows of $key into staging"`));
