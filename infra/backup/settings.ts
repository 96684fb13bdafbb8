import { z } from "zod";

/**
 * `flightdeck:disasterRecovery`: the spec's "Disaster Recovery" section as data. The recovery
 * objectives, the database backups (bucket, cadence, alarm, retention, replica), the weekly restore
 * drill, the backup platforms prepared for the web app and the API, and who does what in the
 * runbook. Well-formedness only: whether the objectives, cadence and alarm meet the spec is the
 * policy pack's (policies/rules/recovery.ts).
 */

const bucketName = z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "must be a valid S3 bucket name");
const kebab = z.string().regex(/^[a-z][a-z0-9-]*$/, "must be lower-case kebab-case");
const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "must be a time as HH:MM");
const weekdays = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"] as const;
/** A table the drill counts: `table` (in the app's schema, public) or `schema.table`, lower-case identifiers. */
const tableName = z.string().regex(/^([a-z_][a-z0-9_]*\.)?[a-z_][a-z0-9_]*$/, "must be a lower-case table name, optionally schema-qualified (schema.table)");
const handle = z.string().regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/, "must be a GitHub user name");

export const drillTable = z.strictObject({
  name: tableName.describe("a table whose rows the drill counts in the restored database"),
  minRows: z.number().int().min(0).default(1).describe("the drill fails when the restored table has fewer rows"),
});

export const disasterRecovery = z.strictObject({
  rpoMinutes: z.number().int().positive().default(60).describe("recovery point objective: the most data, in minutes, a restore may lose (the spec: 1 hour)"),
  rtoMinutes: z.number().int().positive().default(240).describe("recovery time objective: the longest, in minutes, until the product serves again (the spec: 4 hours)"),
  backups: z.strictObject({
    bucketName: bucketName.describe("the dedicated S3 bucket of the database's backups (its own KMS key)"),
    prefix: z.string().regex(/^[a-z0-9-]+\/$/, "must be a key prefix ending in /").default("postgres/"),
    intervalMinutes: z.number().int().min(5).max(1440).default(15).describe("how often the backup job starts (EventBridge Scheduler rate)"),
    alarmMarginMinutes: z.number().int().min(0).default(15).describe("the backup-age alarm fires when the newest backup is older than the RPO plus this margin"),
    minSizeRatio: z.number().gt(0).max(1).default(0.5).describe("the size alarm fires when a backup is smaller than this fraction of the one before"),
    retentionDays: z.number().int().positive().default(35).describe("days a backup stays current before it expires"),
    noncurrentRetentionDays: z.number().int().positive().default(7).describe("days an overwritten backup version is kept"),
    postgresVersion: z.number().int().min(12).max(17).default(15).describe("major version of the PostgreSQL tools the jobs install (pg_dump must be at least the server's)"),
    replica: z
      .strictObject({
        region: z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, "must be an AWS region such as us-west-2"),
        bucketName: bucketName,
      })
      .optional()
      .describe("a copy of every backup in a bucket of another region (S3 replication)"),
    protect: z.boolean().default(false).describe("protect and retainOnDelete on the backup buckets and their keys"),
  }),
  drill: z.strictObject({
    weekday: z.enum(weekdays).default("Mon").describe("the weekly restore drill's day (UTC)"),
    time: clockTime.default("06:17").describe("the weekly restore drill's start time (UTC)"),
    rtoShare: z.number().gt(0).max(1).default(0.25).describe("share of the RTO the database restore may take: the drill alarms above it"),
    tables: z.array(drillTable).min(1).describe("tables the drill counts in the restored database"),
  }),
  platforms: z.strictObject({
    netlify: z.strictObject({
      siteName: kebab.describe("the Netlify site the web app switches to"),
    }),
    fly: z.strictObject({
      app: kebab.describe("the Fly.io app the API switches to"),
      primaryRegion: z.string().regex(/^[a-z]{3}$/, "must be a Fly.io region code such as iad").default("iad"),
      internalPort: z.number().int().min(1).max(65535).default(8000).describe("the port the API image listens on"),
      healthPath: z.string().regex(/^\/[^\s]*$/, "must be a path starting with /").default("/health"),
      memoryMb: z.number().int().min(256).default(512),
      minMachines: z.number().int().min(1).default(1),
    }),
  }),
  runbook: z.strictObject({
    statusPageUrl: z.string().regex(/^https:\/\/[^\s]+$/, "must be an https:// URL").describe("where users are told (the spec's immediate phase)"),
    roles: z.strictObject({
      incidentCommander: handle.describe("decides, keeps the timeline, calls the switch"),
      communications: handle.describe("status page and users"),
      platform: handle.describe("switches web and API to the backup platforms"),
      database: handle.describe("restores the database"),
    }),
  }),
});

export type DisasterRecoverySettings = z.output<typeof disasterRecovery>;
export type DrillTable = z.output<typeof drillTable>;

/**
 * Rules across fields the schema cannot express, one line per problem
 * (`flightdeck:disasterRecovery.drill.tables[1].name: …`).
 */
export function disasterRecoveryProblems(settings: { disasterRecovery?: DisasterRecoverySettings; model: string; database?: unknown; alerts?: unknown; web?: unknown; api?: unknown }): string[] {
  const recovery = settings.disasterRecovery;
  if (!recovery) return [];
  const problems: string[] = [];
  const at = (path: string, message: string) => problems.push(`flightdeck:disasterRecovery${path === "" ? "" : `.${path}`}: ${message}`);
  if (settings.model === "local-only") {
    at("", "model local-only deploys nowhere: remove this key");
    return problems;
  }
  const needs: [keyof typeof settings, string][] = [
    ["database", "backs up its database"],
    ["alerts", "publishes its alarms on the alert topics"],
    ["web", "prepares Netlify for its web app"],
    ["api", "prepares Fly.io for its API"],
  ];
  for (const [key, why] of needs) if (settings[key] === undefined) at("", `needs flightdeck:${key}: disaster recovery ${why}`);
  const seen = new Set<string>();
  recovery.drill.tables.forEach((table, index) => {
    const qualified = table.name.includes(".") ? table.name : `public.${table.name}`;
    if (seen.has(qualified)) at(`drill.tables[${index}].name`, `duplicate table (got ${JSON.stringify(table.name)})`);
    seen.add(qualified);
  });
  const replica = recovery.backups.replica;
  if (replica && replica.bucketName === recovery.backups.bucketName) {
    at("backups.replica.bucketName", `must differ from backups.bucketName (got ${JSON.stringify(replica.bucketName)})`);
  }
  return problems;
}
