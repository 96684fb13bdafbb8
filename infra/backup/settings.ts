import { BlockList, isIP } from "node:net";
import { z } from "zod";
import { CONTRIB_EXTENSIONS, PACKAGED_POSTGRES_MAJORS, PGVECTOR_EXTENSION, packagedPostgresMajors } from "./buildImage";

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

const dnsName = z.string().regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$/, "must be a DNS host name");
const port = z.number().int().min(1).max(65535);

/**
 * How the backup job reaches the database. A CodeBuild project without a VPC configuration reaches
 * only what is on the internet ("Typically, AWS CodeBuild cannot access resources in a VPC. To enable
 * access, you must provide additional VPC-specific configuration information in your CodeBuild project
 * configuration. This includes the VPC ID, the VPC subnet IDs, and the VPC security group IDs",
 * https://docs.aws.amazon.com/codebuild/latest/userguide/vpc-support.html).
 */
export const backupConnection = z.discriminatedUnion("via", [
  z.strictObject({
    via: z.literal("public").describe("over the internet: flightdeck:database.host, or a public TCP proxy in front of the database"),
    host: dnsName.optional().describe("a public proxy's host (Railway's TCP proxy: <domain>.proxy.rlwy.net, https://docs.railway.com/reference/tcp-proxy); default flightdeck:database.host"),
    port: port.optional().describe("the proxy's port; default flightdeck:database.port"),
  }),
  z.strictObject({
    via: z.literal("vpc").describe("from inside a VPC that routes to the database: the project gets this VPC configuration"),
    vpcId: z.string().regex(/^vpc-[0-9a-f]{8,17}$/, "must be a VPC id such as vpc-0abc12345def67890"),
    subnetIds: z.array(z.string().regex(/^subnet-[0-9a-f]{8,17}$/, "must be a subnet id")).min(1).describe("private subnets with a NAT route (the job also calls S3, SSM and CloudWatch)"),
    securityGroupIds: z.array(z.string().regex(/^sg-[0-9a-f]{8,17}$/, "must be a security group id")).min(1),
  }),
]);
export type BackupConnection = z.output<typeof backupConnection>;

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
    postgresVersion: z
      .number()
      .int()
      .default(15)
      .describe(`major version of the PostgreSQL tools the jobs install: at least the server's (pg_dump refuses a newer server), one the build image packages (${packagedPostgresMajors().join(", ")})`),
    connection: backupConnection.describe("how the backup job reaches the database"),
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
    extensions: z
      .array(z.string().regex(/^[a-z_][a-z0-9_-]*$/, "must be an extension name as CREATE EXTENSION takes it"))
      .default([])
      .describe(`extensions the schema uses, installed in the drill's server: contrib modules (postgresqlNN-contrib) or ${PGVECTOR_EXTENSION} (pgvector, built from source)`),
    pgvectorVersion: z.string().regex(/^\d+\.\d+\.\d+$/, "must be a pgvector release such as 0.8.1").default("0.8.1").describe("the pgvector release the drill builds when extensions has vector"),
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
export function disasterRecoveryProblems(settings: {
  disasterRecovery?: DisasterRecoverySettings;
  model: string;
  database?: { host: string; port: number };
  alerts?: unknown;
  web?: unknown;
  api?: unknown;
}): string[] {
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
  const version = recovery.backups.postgresVersion;
  if (PACKAGED_POSTGRES_MAJORS[version] === undefined) {
    at(
      "backups.postgresVersion",
      `the backup jobs' image (CodeBuild's Amazon Linux 2023) packages PostgreSQL ${packagedPostgresMajors().join(", ")}, not ${version}: choose the server's major version or a newer one of those (pg_dump refuses a server newer than itself)`,
    );
  }
  const connection = recovery.backups.connection;
  if (connection.via === "public" && settings.database) {
    const host = connection.host ?? settings.database.host;
    const reason = privateHostReason(host);
    if (reason) {
      at(
        connection.host === undefined ? "backups.connection" : "backups.connection.host",
        `the backup job runs in CodeBuild without a VPC and reaches only public hosts, but ${connection.host === undefined ? `flightdeck:database.host ${host}` : host} ${reason}: ` +
          "give a public proxy's host and port (connection.host, connection.port), or via: vpc with the VPC, subnets and security groups that reach the database",
      );
    }
  }
  recovery.drill.extensions.forEach((name, index) => {
    if (name === "plpgsql") at(`drill.extensions[${index}]`, "plpgsql is built into every server: remove it");
    else if (name !== PGVECTOR_EXTENSION && !(CONTRIB_EXTENSIONS as readonly string[]).includes(name)) {
      at(`drill.extensions[${index}]`, `${JSON.stringify(name)} is neither a contrib module (postgresql${version}-contrib) nor ${PGVECTOR_EXTENSION} (pgvector): the drill cannot install it`);
    }
  });
  const replica = recovery.backups.replica;
  if (replica && replica.bucketName === recovery.backups.bucketName) {
    at("backups.replica.bucketName", `must differ from backups.bucketName (got ${JSON.stringify(replica.bucketName)})`);
  }
  return problems;
}

/** Addresses no network outside the private one routes to (RFC 6890's special-purpose registries: private-use, loopback, link-local, unique-local, shared). */
const PRIVATE_ADDRESSES = (() => {
  const list = new BlockList();
  for (const [network, prefix] of [["10.0.0.0", 8], ["172.16.0.0", 12], ["192.168.0.0", 16], ["127.0.0.0", 8], ["169.254.0.0", 16], ["100.64.0.0", 10]] as const) list.addSubnet(network, prefix, "ipv4");
  for (const [network, prefix] of [["::1", 128], ["fc00::", 7], ["fe80::", 10]] as const) list.addSubnet(network, prefix, "ipv6");
  return list;
})();

/**
 * Names that resolve only inside a private network, with the rule that says so; undefined for a name
 * that may be public. RFC 6761 §6.3 (localhost), RFC 6762 §3 and Appendix G (local; intranet, internal,
 * private, corp, home, lan), RFC 8375 (home.arpa), ICANN's reservation of .internal for private use
 * (https://www.icann.org/en/board-activities-and-meetings/materials/approved-resolutions-special-meeting-of-the-icann-board-29-07-2024-en,
 * 2024.07.29.06), and Railway's private network (`<service>.railway.internal`, https://docs.railway.com/private-networking, "Internal DNS").
 */
export function privateHostReason(host: string): string | undefined {
  const address = host.replace(/^\[(.*)\]$/, "$1");
  const family = isIP(address);
  if (family !== 0) return PRIVATE_ADDRESSES.check(address, family === 4 ? "ipv4" : "ipv6") ? "is a private, loopback or link-local address (RFC 1918, RFC 4193, RFC 6890)" : undefined;
  const name = host.toLowerCase().replace(/\.$/, "");
  const suffixes: [string, string][] = [
    ["railway.internal", "is a Railway private-network name (only other Railway services of the project reach it)"],
    ["internal", "is under .internal, reserved for private networks"],
    ["localhost", "is the machine itself (RFC 6761)"],
    ["local", "is a multicast DNS name of the local link (RFC 6762)"],
    ["home.arpa", "is a home network name (RFC 8375)"],
    ...["intranet", "private", "corp", "home", "lan"].map((tld): [string, string] => [tld, `is under .${tld}, a private-network name (RFC 6762 Appendix G)`]),
  ];
  const match = suffixes.find(([suffix]) => name === suffix || name.endsWith(`.${suffix}`));
  return match?.[1];
}
