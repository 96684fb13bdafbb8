import { z } from "zod";
import { PACKAGED_POSTGRES_MAJORS, packagedPostgresMajors } from "../backup/buildImage";

/**
 * `flightdeck:stagingData`: the spec's staging data, "Anonymized copy of production data (refreshed
 * weekly) OR synthetic test data", as a choice. `synthetic`: staging's data is the team's own (seeds,
 * fixtures); nothing copies production. `anonymized`: the weekly refresh (stagingRefresh.ts) from
 * production's newest backup, masked by `masking`: every column of the restored schema must be named
 * there (`schema.table.column`), or the refresh stops.
 */

const weekdays = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"] as const;
const bucketName = z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "must be a valid S3 bucket name");
const columnPath = z.string().regex(/^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$/, "must be schema.table.column (lower-case identifiers)");

export const maskingStrategies = ["keep", "null", "hash", "fake-name", "fake-email"] as const;
export type MaskingStrategy = (typeof maskingStrategies)[number];

export const stagingData = z.discriminatedUnion("mode", [
  z.strictObject({
    mode: z.literal("synthetic").describe("staging runs on synthetic test data; production data never reaches it"),
  }),
  z.strictObject({
    mode: z.literal("anonymized").describe("a weekly masked copy of production's newest backup"),
    source: z.strictObject({
      bucketName: bucketName.describe("production's backup bucket (its flightdeck:disasterRecovery.backups.bucketName)"),
      prefix: z.string().regex(/^[a-z0-9-]+\/$/, "must be a key prefix ending in /").default("postgres/"),
    }),
    schedule: z
      .strictObject({
        weekday: z.enum(weekdays).default("Sun"),
        time: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "must be a time as HH:MM").default("05:00"),
      })
      .default({ weekday: "Sun", time: "05:00" })
      .describe("when the weekly refresh starts (UTC)"),
    postgresVersion: z
      .number()
      .int()
      .default(15)
      .describe(`major version of the PostgreSQL tools the job installs: at least production's server, one the build image packages (${packagedPostgresMajors().join(", ")})`),
    masking: z.record(columnPath, z.enum(maskingStrategies)).describe("every column of production's schema, schema.table.column → keep, null, hash (keeps joins), fake-name or fake-email"),
  }),
]);

export type StagingDataSettings = z.output<typeof stagingData>;
export type AnonymizedStagingData = Extract<StagingDataSettings, { mode: "anonymized" }>;

/** Rules across keys (`flightdeck:stagingData…: …`). */
export function stagingDataProblems(settings: { stagingData?: StagingDataSettings; environment: string; database?: unknown }): string[] {
  const data = settings.stagingData;
  if (!data) return [];
  const problems: string[] = [];
  if (settings.environment !== "staging") problems.push(`flightdeck:stagingData: only the staging stack chooses its data (this is ${settings.environment})`);
  if (data.mode === "anonymized" && settings.database === undefined) problems.push("flightdeck:stagingData: anonymized loads the staging database: it needs flightdeck:database");
  if (data.mode === "anonymized" && PACKAGED_POSTGRES_MAJORS[data.postgresVersion] === undefined) {
    problems.push(`flightdeck:stagingData.postgresVersion: the refresh job's image (CodeBuild's Amazon Linux 2023) packages PostgreSQL ${packagedPostgresMajors().join(", ")}, not ${data.postgresVersion}`);
  }
  if (data.mode === "anonymized" && Object.keys(data.masking).length === 0) problems.push("flightdeck:stagingData.masking: names no column; the refresh classifies every column of the restored schema");
  return problems;
}
