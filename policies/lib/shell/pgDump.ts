/**
 * What a `pg_dump` command line leaves out of the dump, read as pg_dump reads it: GNU getopt_long
 * (src/bin/pg_dump/pg_dump.c, `getopt_long(argc, argv, "abBcCd:e:E:f:F:h:j:n:N:Op:RsS:t:T:U:vwWxZ:", …)`
 * in REL_15_STABLE): short options bundle (`-sv`, `-Tlogs`), an option's argument is attached or the next
 * word, a long option may be abbreviated to any unique prefix (`--schema-o`), `--name=value` or
 * `--name value`, `--` ends the options, and the database name may stand anywhere.
 *
 * The options are those of the releases the backup job's image installs (infra/backup/buildImage.ts:
 * 15, 16, 18), from each release's reference page; a spec checks the 15 table against the real
 * pg_dump 15's `--help` (test/policies/pgDump.spec.ts).
 * - https://www.postgresql.org/docs/15/app-pgdump.html
 * - https://www.postgresql.org/docs/16/app-pgdump.html (adds --table-and-children, --exclude-table-and-children,
 *   --exclude-table-data-and-children, --large-objects / --no-large-objects)
 * - https://www.postgresql.org/docs/18/app-pgdump.html (adds, through 17, --filter, --exclude-extension, --sync-method;
 *   in 18 --no-data, --no-schema, --statistics-only, --no-statistics, --with-data, --with-schema,
 *   --with-statistics, --no-policies, --sequence-data, --statistics)
 */

interface PgDumpOption {
  short?: string;
  argument: boolean;
  /** The first major release that has it (15 when every packaged release has it). */
  since: number;
  /** What it leaves out of the dump, quoting the reference page; undefined when it leaves no data out. */
  drops?: string | ((value: string | undefined) => string | undefined);
}

const SECTIONS = ["pre-data", "data", "post-data"];

const OPTIONS: Readonly<Record<string, PgDumpOption>> = {
  // Connection and output
  file: { short: "f", argument: true, since: 15 },
  format: { short: "F", argument: true, since: 15 },
  jobs: { short: "j", argument: true, since: 15 },
  verbose: { short: "v", argument: false, since: 15 },
  version: { short: "V", argument: false, since: 15 },
  compress: { short: "Z", argument: true, since: 15 },
  "lock-wait-timeout": { argument: true, since: 15 },
  "no-sync": { argument: false, since: 15 },
  help: { short: "?", argument: false, since: 15 },
  dbname: { short: "d", argument: true, since: 15 },
  host: { short: "h", argument: true, since: 15 },
  port: { short: "p", argument: true, since: 15 },
  username: { short: "U", argument: true, since: 15 },
  "no-password": { short: "w", argument: false, since: 15 },
  password: { short: "W", argument: false, since: 15 },
  role: { argument: true, since: 15 },
  // What the dump holds
  "data-only": { short: "a", argument: false, since: 15, drops: '"Dump only the data, not the schema (data definitions)": nothing to restore it into' },
  blobs: { short: "b", argument: false, since: 15 },
  "no-blobs": { short: "B", argument: false, since: 15, drops: '"Exclude large objects in the dump"' },
  clean: { short: "c", argument: false, since: 15 },
  create: { short: "C", argument: false, since: 15 },
  extension: { short: "e", argument: true, since: 15 },
  encoding: { short: "E", argument: true, since: 15 },
  schema: { short: "n", argument: true, since: 15, drops: (value) => `"Dump only schemas matching pattern" (${value ?? "?"}): every other schema is left out` },
  "exclude-schema": { short: "N", argument: true, since: 15, drops: (value) => `"Do not dump any schemas matching pattern" (${value ?? "?"})` },
  "no-owner": { short: "O", argument: false, since: 15 },
  "schema-only": { short: "s", argument: false, since: 15, drops: '"Dump only the object definitions (schema), not data"' },
  superuser: { short: "S", argument: true, since: 15 },
  table: { short: "t", argument: true, since: 15, drops: (value) => `"Dump only tables with names matching pattern" (${value ?? "?"}): every other table is left out` },
  "exclude-table": { short: "T", argument: true, since: 15, drops: (value) => `"Do not dump any tables matching pattern" (${value ?? "?"})` },
  "no-privileges": { short: "x", argument: false, since: 15 },
  "no-acl": { short: "x", argument: false, since: 15 },
  "binary-upgrade": { argument: false, since: 15 },
  "column-inserts": { argument: false, since: 15 },
  "attribute-inserts": { argument: false, since: 15 },
  "disable-dollar-quoting": { argument: false, since: 15 },
  "disable-triggers": { argument: false, since: 15 },
  "enable-row-security": { argument: false, since: 15, drops: '"dump the parts of the contents of the table that they have access to": rows the row-security policies hide are left out' },
  "exclude-table-data": { argument: true, since: 15, drops: (value) => `"Do not dump data for any tables matching pattern" (${value ?? "?"})` },
  "extra-float-digits": { argument: true, since: 15 },
  "if-exists": { argument: false, since: 15 },
  "include-foreign-data": { argument: true, since: 15 },
  inserts: { argument: false, since: 15 },
  "load-via-partition-root": { argument: false, since: 15 },
  "no-comments": { argument: false, since: 15 },
  "no-publications": { argument: false, since: 15 },
  "no-security-labels": { argument: false, since: 15 },
  "no-subscriptions": { argument: false, since: 15 },
  "no-table-access-method": { argument: false, since: 15 },
  "no-tablespaces": { argument: false, since: 15 },
  "no-toast-compression": { argument: false, since: 15 },
  "no-unlogged-table-data": { argument: false, since: 15, drops: '"Do not dump the contents of unlogged tables and sequences"' },
  "on-conflict-do-nothing": { argument: false, since: 15 },
  "quote-all-identifiers": { argument: false, since: 15 },
  "restrict-key": { argument: true, since: 15 },
  "rows-per-insert": { argument: true, since: 15 },
  section: {
    argument: true,
    since: 15,
    drops: (value) => (value !== undefined && SECTIONS.includes(value) ? `"Only dump the named section" (${value}): the other sections are left out` : undefined),
  },
  "serializable-deferrable": { argument: false, since: 15 },
  snapshot: { argument: true, since: 15 },
  "strict-names": { argument: false, since: 15 },
  "use-set-session-authorization": { argument: false, since: 15 },
  // 16
  "table-and-children": { argument: true, since: 16, drops: (value) => `"Dump only tables with names matching pattern", and their children (${value ?? "?"}): every other table is left out` },
  "exclude-table-and-children": { argument: true, since: 16, drops: (value) => `"Do not dump any tables matching pattern", nor their children (${value ?? "?"})` },
  "exclude-table-data-and-children": { argument: true, since: 16, drops: (value) => `"Do not dump data for any tables matching pattern", nor their children (${value ?? "?"})` },
  "large-objects": { short: "b", argument: false, since: 16 },
  "no-large-objects": { short: "B", argument: false, since: 16, drops: '"Exclude large objects in the dump"' },
  // 17
  filter: { argument: true, since: 17, drops: (value) => `"Specify a filename from which to read patterns for objects to include or exclude from the dump" (${value ?? "?"}): the pack cannot read what it leaves out` },
  "exclude-extension": { argument: true, since: 17, drops: (value) => `"Do not dump any extensions matching pattern" (${value ?? "?"})` },
  "sync-method": { argument: true, since: 17 },
  // 18
  "no-data": { argument: false, since: 18, drops: '"Do not dump data"' },
  "no-schema": { argument: false, since: 18, drops: '"Do not dump schema (data definitions)": nothing to restore the data into' },
  "statistics-only": { argument: false, since: 18, drops: '"Dump only the statistics, not the schema (data definitions) or data"' },
  "no-statistics": { argument: false, since: 18 },
  "with-data": { argument: false, since: 18 },
  "with-schema": { argument: false, since: 18 },
  "with-statistics": { argument: false, since: 18 },
  statistics: { argument: false, since: 18 },
  "no-policies": { argument: false, since: 18 },
  "sequence-data": { argument: false, since: 18 },
};

/** The PostgreSQL majors the backup job's image installs (infra/backup/buildImage.ts PACKAGED_POSTGRES_MAJORS; the pack never imports the program, test/policies/pgDump.spec.ts checks they agree). */
export function packagedMajors(): number[] {
  return [15, 16, 18];
}

/** The long options (and the short letter of each) a release of pg_dump accepts. */
export function pgDumpOptions(major: number): { long: string; short?: string; argument: boolean }[] {
  return Object.entries(OPTIONS)
    .filter(([, option]) => option.since <= major)
    .map(([long, option]) => ({ long, ...(option.short !== undefined ? { short: option.short } : {}), argument: option.argument }));
}

/** A long option as getopt_long resolves it: the exact name, or the only option the prefix starts (options with the same effect count once). */
function resolveLong(name: string, known: readonly string[]): string | undefined {
  if (known.includes(name)) return name;
  const candidates = known.filter((long) => long.startsWith(name));
  const distinct = new Set(candidates.map((long) => JSON.stringify({ ...OPTIONS[long], drops: undefined, since: undefined, name: OPTIONS[long]!.short ?? long })));
  return distinct.size === 1 ? candidates[0] : undefined;
}

/** The options a pg_dump command line gives (its arguments after the program name), each with its value. */
export function readPgDumpArguments(args: readonly string[], major: number): { option: string; value?: string }[] {
  const known = Object.keys(OPTIONS).filter((long) => OPTIONS[long]!.since <= major);
  const byShort = new Map(known.filter((long) => OPTIONS[long]!.short !== undefined).map((long) => [OPTIONS[long]!.short!, long] as const));
  const found: { option: string; value?: string }[] = [];
  for (let index = 0; index < args.length; index++) {
    const word = args[index]!;
    if (word === "--") break;
    if (word.startsWith("--")) {
      const [name, inline] = word.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
      const long = resolveLong(name, known);
      if (long === undefined) continue; // pg_dump refuses it and dumps nothing: the backup fails
      const value = OPTIONS[long]!.argument ? (inline ?? args[++index]) : undefined;
      found.push({ option: long, ...(value !== undefined ? { value } : {}) });
    } else if (word.startsWith("-") && word.length > 1) {
      for (let position = 1; position < word.length; position++) {
        const long = byShort.get(word[position]!);
        if (long === undefined) continue;
        if (OPTIONS[long]!.argument) {
          const attached = word.slice(position + 1);
          const value = attached !== "" ? attached : args[++index];
          found.push({ option: long, ...(value !== undefined ? { value } : {}) });
          break;
        }
        found.push({ option: long });
      }
    }
  }
  return found;
}

/**
 * Why a pg_dump command line leaves data out of the dump, one reason per option (empty: it dumps every
 * table's data and the schema). `--section` leaves nothing out only when all three sections are named.
 */
export function dataLeftOut(args: readonly string[], major: number): string[] {
  const options = readPgDumpArguments(args, major);
  const sections = new Set(options.filter(({ option }) => option === "section").map(({ value }) => value));
  const reasons: string[] = [];
  for (const { option, value } of options) {
    if (option === "section" && SECTIONS.every((section) => sections.has(section))) continue;
    const drops = OPTIONS[option]!.drops;
    const reason = typeof drops === "function" ? drops(value) : drops;
    if (reason !== undefined) reasons.push(`--${option}${value !== undefined ? `=${value}` : ""}: ${reason}`);
  }
  return reasons;
}
