/**
 * Names shared by the backup and drill jobs, the alarms that watch them and the drill register, each
 * defined once. The policy pack cannot import the program: policies/rules/recovery.ts holds the same
 * names, and test/policies/recovery.spec.ts checks the two agree.
 */

/** CloudWatch metrics the jobs publish in the stack's alert namespace. */
export const recoveryMetrics = {
  /** 1 per finished backup, timestamped at its completion: the backup-age alarm counts them. */
  backupCompleted: "BackupCompleted",
  /** The backup's size in bytes. */
  backupSizeBytes: "BackupSizeBytes",
  /** The backup's size divided by the one before it (published from the second backup on). */
  backupSizeRatio: "BackupSizeRatio",
  /** The drill's measured recovery time: download, restore and sanity queries, in seconds. */
  drillSeconds: "RestoreDrillSeconds",
} as const;

/**
 * The drill register: one SSM parameter per stack that the restore drill overwrites after every run
 * with its record (`DrillRecord`), so the pack can judge when the drill last passed.
 */
export const drillRegister = {
  parameterPrefix: (product: string, environment: string) => `/flightdeck/${product}/${environment}/restore-drill/`,
  parameterName: (product: string, environment: string) => `${drillRegister.parameterPrefix(product, environment)}last-run`,
  tagKey: "flightdeck:restore-drill",
} as const;

/** What the drill writes to the register (JSON), and what the pack reads back. */
export interface DrillRecord {
  /** `never-run` until the first drill; then the outcome of the newest run. */
  status: "never-run" | "passed" | "failed";
  /** When the newest run finished (ISO 8601, UTC). */
  lastRun?: string;
  /** When the newest passing run finished, and what it measured. */
  lastPassed?: string;
  recoverySeconds?: number;
  /** The backup object the newest passing run restored, and its migration head. */
  backupKey?: string;
  migrationHead?: string;
  rowCounts?: Record<string, number>;
  /** The objectives the drill was held to (from the stack config). */
  rpoMinutes: number;
  rtoMinutes: number;
  /** The share of the RTO the restore may take, in seconds. */
  budgetSeconds: number;
  /** Why the newest run failed. */
  failure?: string;
  /** Where the record came from when it was not read from the register (the offline plan). */
  note?: string;
}

/** S3 object metadata the backup job writes with each dump (x-amz-meta-*): what the drill checks it restored. */
export const backupMetadata = {
  sha256: "sha256",
  migrationHead: "migration-head",
  completedAt: "completed-at",
} as const;
