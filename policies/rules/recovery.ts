import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { METRIC_ALARM, SNS_TOPIC, deliveries, evaluatedMetric, reachedSeverity } from "../lib/alarms";
import { now } from "../lib/clock";
import { StackResource, UnknownInputError, stackPolicy } from "../lib/define";
import { resolveKey } from "../lib/keys";
import { DEFAULT_ROLE_KINDS, PG_DEFAULT_PRIVILEGES, PG_GRANT, ROLE_KINDS_SCHEMA, RoleKindGlobs, describeGrant, isKind, privilegeGrantsOf } from "../lib/postgres";
import { Statement, conditionsOn, coversAction, grantedActions, isAllow, pinsExactly, statementLabel } from "../lib/policyDocument";
import {
  BUCKET,
  CODEBUILD_PROJECT,
  RECOVERY_METRICS,
  SSM_PARAMETER,
  allowStatements,
  backupBuckets,
  bucketName,
  buildspecCommands,
  buildspecText,
  declaredObjectives,
  dumpCommands,
  installedPostgresMajor,
  drillRecordOf,
  isDrillRegister,
  projectRole,
  projectVariable,
  reachesBuckets,
  scheduleEnabled,
  scheduleGapMinutes,
  schedulesOf,
  writersOf,
} from "../lib/recovery";
import { roleGrants } from "../lib/roles";
import { packagedMajors, readPgDumpArguments } from "../lib/shell/pgDump";
import { invocation, programOf } from "../lib/shell/syntax";
import { currentStack } from "../lib/stack";
import { asArray, asRecord, at, isUnknown, knownNumber, knownString } from "../lib/values";
import { BUCKET_ENCRYPTION, BUCKET_LIFECYCLE, BUCKET_PUBLIC_ACCESS_BLOCK, BUCKET_VERSIONING, bucketPolicyDocuments, companionsOf, deniesInsecureTransport } from "./audit";

const TOPICS = ["disaster-recovery"];
const SPEC_DR = 'Spec, Disaster Recovery: "RTO (Recovery Time Objective): 4 hours; RPO (Recovery Point Objective): 1 hour (latest backup)"; "Database: Backup restoration to local or alternative cloud"';
const SPEC_BACKUPS = 'Spec, Production: "Database: Production database (managed, backups enabled)"';

export interface Scope {
  /** Stacks that must have backups (the others are judged only on what they declare). */
  stacks: string[];
  bucketNames: string[];
}

export const scopeDefaults: Scope = { stacks: ["production"], bucketNames: ["*backup*"] };
const MAX_RTO_SCHEMA = { type: "integer", minimum: 1, description: "The longest RTO allowed, in minutes (the spec: 4 hours)." } as const;
export const scopeSchema: Record<keyof Scope, PolicyConfigJSONSchema> = {
  stacks: { type: "array", items: { type: "string" }, description: "Stacks that must back up their database (the spec's production)." },
  bucketNames: { type: "array", items: { type: "string" }, minItems: 1, description: "Globs matched against an S3 bucket's name or logical name to find the backup buckets." },
};

const required = (settings: Scope) => settings.stacks.includes(currentStack());

/** The backup jobs: CodeBuild projects running as a role that may put objects into a backup bucket. */
export function backupJobs(resources: StackResource[], names: string[]): StackResource[] {
  const writers = writersOf(resources, names);
  const grants = roleGrants(resources);
  return resources.filter((r) => r.type === CODEBUILD_PROJECT && writers.some((writer) => projectRole(r, grants)?.role.urn === writer.role.urn));
}

/** Whether the project runs pg_dump in the custom format (`-Fc`, `--format=custom`, `--form c`: pg_dump reads the format case-insensitively), read from the parsed scripts, not their text. */
function dumpsCustomFormat(job: StackResource): boolean {
  const major = installedPostgresMajor(job) ?? Math.max(...packagedMajors());
  return dumpCommands(job).some(({ args }) => readPgDumpArguments(args, major).some(({ option, value }) => option === "format" && /^c(ustom)?$/i.test(value ?? "")));
}

/** Whether the project copies something to S3 (`aws s3 cp|mv … s3://…`). */
function uploads(job: StackResource): boolean {
  return buildspecCommands(job).some(({ command }) => {
    const words = invocation(command);
    return programOf(command) === "aws" && words[1] === "s3" && ["cp", "mv"].includes(words[2] ?? "") && words.slice(3).some((word) => word.startsWith("s3://"));
  });
}
/** A restore into a database (-d/--dbname), not pg_restore --list or --file, which the backup job runs to check its archive. */
const RESTORES = /\bpg_restore\b[^\n]*\s(-d\s*\S|--dbname[= ]\S)/;

export const backupsScheduled = stackPolicy<Scope & { maxRpoMinutes: number }>(
  {
    name: "recovery-backups-scheduled",
    description:
      `The production database is backed up at least as often as the RPO, by a job the stack schedules. ${SPEC_BACKUPS}; ${SPEC_DR}. ` +
      "Judged as a whole: a backup bucket, a CodeBuild project whose role writes into it and whose buildspec dumps the database in pg_dump's custom format and uploads it, " +
      "and an enabled EventBridge schedule starting that project whose longest gap between starts (the rate or cron, plus any flexible window) is at most the declared RPO and the spec's.",
    severity: "critical",
    remediation: [
      "Declare flightdeck:disasterRecovery in the stack config (backups.bucketName, intervalMinutes at most the RPO).",
      "Keep the backup schedule ENABLED, with flexibleTimeWindow OFF, no endDate and no startDate in the future.",
      "Keep the backup project's buildspec running pg_dump --format=custom and aws s3 cp into the backup bucket.",
    ],
    topics: TOPICS,
  },
  {
    config: {
      defaults: { ...scopeDefaults, maxRpoMinutes: 60 },
      schema: { ...scopeSchema, maxRpoMinutes: { type: "integer", minimum: 1, description: "The longest RPO allowed, in minutes (the spec: 1 hour)." } },
    },
    validate(resources, settings, report, args) {
      const names = backupBuckets(resources, settings.bucketNames).map(bucketName);
      if (names.length === 0) {
        if (required(settings)) report(`no backup bucket (S3 bucket matching ${settings.bucketNames.join(", ")}): the database has no backups`);
        else args.notApplicable("no backup bucket in this stack");
        return;
      }
      const jobs = backupJobs(resources, names);
      if (jobs.length === 0) {
        report(`no CodeBuild project writes into ${names.join(", ")}: nothing makes backups`);
        return;
      }
      const declared = declaredObjectives(resources).rpoMinutes;
      const limit = Math.min(settings.maxRpoMinutes, declared ?? settings.maxRpoMinutes);
      const at = now();
      let meetsRpo = false;
      for (const job of jobs) {
        if (!dumpsCustomFormat(job)) report(`backup project ${job.name} does not run pg_dump in custom format (--format=custom)`, job.urn);
        if (!uploads(job)) report(`backup project ${job.name} does not upload the dump to S3 (aws s3 cp … s3://)`, job.urn);
        for (const schedule of schedulesOf(job, resources)) {
          const label = `schedule ${schedule.name} of ${job.name}`;
          const gap = scheduleGapMinutes(schedule);
          const problems: string[] = [];
          if (!scheduleEnabled(schedule)) problems.push(`is ${knownString(schedule.props["state"])}`);
          if (gap === undefined) problems.push(`has an expression whose cadence cannot be told (${knownString(schedule.props["scheduleExpression"]) ?? "none"})`);
          else if (gap > limit) problems.push(`starts the backup up to ${gap} min apart (flexible window included); the RPO is ${limit} min`);
          if (knownString(schedule.props["endDate"]) !== undefined) problems.push(`stops at ${knownString(schedule.props["endDate"])} (endDate)`);
          const start = knownString(schedule.props["startDate"]);
          if (start !== undefined && Date.parse(start) > at.getTime()) problems.push(`starts only at ${start} (startDate)`);
          if (problems.length === 0) meetsRpo = true;
          else report(`${label} ${problems.join("; ")}`, schedule.urn);
        }
      }
      if (!meetsRpo) report(`no enabled schedule starts a backup project at least every ${limit} min`);
    },
  },
);

function windowOf(alarm: StackResource): { period: number; periods: number; datapoints: number } | undefined {
  const metric = evaluatedMetric(alarm);
  const period = metric?.period;
  const periods = knownNumber(alarm.props["evaluationPeriods"]);
  if (period === undefined || periods === undefined) return undefined;
  return { period, periods, datapoints: knownNumber(alarm.props["datapointsToAlarm"]) ?? periods };
}

interface AlarmSettings extends Scope {
  maxRpoMinutes: number;
  maxMarginMinutes: number;
  criticalTopics: string[];
  warningTopics: string[];
  infoTopics: string[];
}

export const backupAlarmPages = stackPolicy<AlarmSettings>(
  {
    name: "recovery-backup-alarm-pages",
    description:
      `The RPO is measured, not assumed: an alarm pages (the critical topic, with its PagerDuty subscription) when no backup completed within the RPO plus a bounded margin, ` +
      `counting missing data as breaching (a stopped schedule, a failed job and a silent publisher all page), on the ${RECOVERY_METRICS.backupCompleted} metric in the namespace the backup job publishes to; ` +
      `and a second one pages when a backup is much smaller than the one before (${RECOVERY_METRICS.backupSizeRatio}). ${SPEC_DR}; Alert Channels: "Critical … PagerDuty → phone call".`,
    severity: "critical",
    remediation: [
      "Keep the backup-age alarm flightdeck declares: Sum of BackupCompleted < 1 in every one-minute period of the last RPO + margin minutes, treatMissingData breaching, notifying the critical topic.",
      "Keep backups.alarmMarginMinutes within the pack's maxMarginMinutes, and the alarm's namespace equal to the backup project's METRICS_NAMESPACE.",
      "Keep the size alarm (BackupSizeRatio below backups.minSizeRatio) on the critical topic.",
    ],
    topics: [...TOPICS, "monitoring"],
  },
  {
    config: {
      defaults: { ...scopeDefaults, maxRpoMinutes: 60, maxMarginMinutes: 30, criticalTopics: ["*-critical"], warningTopics: ["*-warning"], infoTopics: ["*-info"] },
      schema: {
        ...scopeSchema,
        maxRpoMinutes: { type: "integer", minimum: 1, description: "The longest RPO allowed, in minutes." },
        maxMarginMinutes: { type: "integer", minimum: 0, description: "The longest margin past the RPO before the backup-age alarm fires, in minutes." },
        criticalTopics: { type: "array", items: { type: "string" }, minItems: 1, description: "Globs of the critical (paging) topic's name." },
        warningTopics: { type: "array", items: { type: "string" }, minItems: 1, description: "Globs of the warning topic's name." },
        infoTopics: { type: "array", items: { type: "string" }, minItems: 1, description: "Globs of the info topic's name." },
      },
    },
    validate(resources, settings, report, args) {
      const names = backupBuckets(resources, settings.bucketNames).map(bucketName);
      if (names.length === 0 && !required(settings)) args.notApplicable("no backup bucket in this stack");
      const namespaces = new Set(backupJobs(resources, names).map((job) => projectVariable(job, "METRICS_NAMESPACE")).filter((ns): ns is string => ns !== undefined));
      const declared = declaredObjectives(resources).rpoMinutes;
      const windowLimit = (Math.min(settings.maxRpoMinutes, declared ?? settings.maxRpoMinutes) + settings.maxMarginMinutes) * 60;
      const topics = resources.filter((r) => r.type === SNS_TOPIC);
      const delivery = deliveries(resources);
      const alarms = resources.filter((r) => r.type === METRIC_ALARM);
      const pages = (alarm: StackResource) => alarm.props["actionsEnabled"] !== false && reachedSeverity(alarm, topics, delivery, settings) === "critical";
      const judged = (metricName: string, check: (alarm: StackResource) => string[]) => {
        const candidates = alarms.filter((alarm) => evaluatedMetric(alarm)?.metricName === metricName);
        if (candidates.length === 0) return [`no alarm on ${metricName}`];
        const verdicts = candidates.map((alarm) => ({ alarm, problems: check(alarm) }));
        if (verdicts.some(({ problems }) => problems.length === 0)) return [];
        return verdicts.map(({ alarm, problems }) => `alarm ${alarm.name} on ${metricName} ${problems.join("; ")}`);
      };
      const common = (alarm: StackResource): string[] => {
        const problems: string[] = [];
        const metric = evaluatedMetric(alarm);
        if (metric?.shape !== "metric") problems.push("does not compare the metric itself (metric math)");
        if (metric?.namespace === undefined || (namespaces.size > 0 && !namespaces.has(metric.namespace))) {
          problems.push(`watches namespace ${metric?.namespace ?? "(none)"}, not the one the backup job publishes to (${[...namespaces].join(", ") || "unknown"})`);
        }
        if (Object.keys(metric?.dimensions ?? {}).length > 0) problems.push(`filters on dimensions ${JSON.stringify(metric?.dimensions)} the job does not publish`);
        if (metric?.unit !== undefined) problems.push(`filters on unit ${metric.unit}`);
        if (!pages(alarm)) problems.push("does not page (it reaches no critical topic with a PagerDuty subscription, or its actions are disabled)");
        return problems;
      };
      const problems = [
        ...judged(RECOVERY_METRICS.backupCompleted, (alarm) => {
          const problems = common(alarm);
          const window = windowOf(alarm);
          const operator = knownString(alarm.props["comparisonOperator"]);
          const threshold = knownNumber(alarm.props["threshold"]);
          const statistic = evaluatedMetric(alarm)?.statistic;
          if (!["Sum", "SampleCount"].includes(statistic ?? "")) problems.push(`uses statistic ${statistic ?? "(none)"}; backups are counted with Sum or SampleCount`);
          const firesOnNone = (operator === "LessThanThreshold" && threshold !== undefined && threshold > 0 && threshold <= 1) || (operator === "LessThanOrEqualToThreshold" && threshold !== undefined && threshold >= 0 && threshold < 1);
          if (!firesOnNone) problems.push(`compares ${operator ?? "(none)"} ${threshold ?? ""}: it must fire when no backup completed (Sum < 1)`);
          const missing = knownString(alarm.props["treatMissingData"]) ?? "missing";
          if (missing !== "breaching") problems.push(`treats missing data as ${missing}: a period without any backup must count as breaching`);
          if (!window) problems.push("has no period or evaluationPeriods");
          else {
            if (window.datapoints > window.periods) problems.push(`needs ${window.datapoints} of ${window.periods} datapoints: it can never fire`);
            if (window.period * window.periods > windowLimit) problems.push(`fires only after ${window.period * window.periods} s without a backup; at most ${windowLimit} s (RPO + ${settings.maxMarginMinutes} min)`);
          }
          return problems;
        }),
        ...judged(RECOVERY_METRICS.backupSizeRatio, (alarm) => {
          const problems = common(alarm);
          const operator = knownString(alarm.props["comparisonOperator"]);
          const threshold = knownNumber(alarm.props["threshold"]);
          if (!(operator === "LessThanThreshold" || operator === "LessThanOrEqualToThreshold") || threshold === undefined || !(threshold > 0 && threshold <= 1)) {
            problems.push(`compares ${operator ?? "(none)"} ${threshold ?? ""}: it must fire below a fraction (0–1] of the previous backup`);
          }
          return problems;
        }),
      ];
      for (const problem of problems) report(problem);
    },
  },
);

export const objectivesWithinSpec = stackPolicy<Scope & { maxRpoMinutes: number; maxRtoMinutes: number }>(
  {
    name: "recovery-objectives-within-spec",
    description:
      `The stack declares its recovery objectives and they are no looser than the spec's: RPO at most 1 hour, RTO at most 4 hours. ${SPEC_DR}. ` +
      "Read from the drill register's tags (flightdeck:rpo-minutes, flightdeck:rto-minutes), which the stack writes from flightdeck:disasterRecovery and the drill never changes.",
    severity: "high",
    remediation: ["Set flightdeck:disasterRecovery.rpoMinutes to 60 or less and rtoMinutes to 240 or less."],
    topics: TOPICS,
  },
  {
    config: {
      defaults: { ...scopeDefaults, maxRpoMinutes: 60, maxRtoMinutes: 240 },
      schema: {
        ...scopeSchema,
        maxRpoMinutes: { type: "integer", minimum: 1, description: "The longest RPO allowed, in minutes (the spec: 1 hour)." },
        maxRtoMinutes: MAX_RTO_SCHEMA,
      },
    },
    validate(resources, settings, report, args) {
      const { rpoMinutes, rtoMinutes, register } = declaredObjectives(resources);
      if (!register) {
        if (required(settings)) report("no drill register declares the recovery objectives (flightdeck:disasterRecovery is missing)");
        else args.notApplicable("no disaster recovery in this stack");
        return;
      }
      if (rpoMinutes === undefined) report("the drill register does not declare the RPO (tag flightdeck:rpo-minutes)", register.urn);
      else if (rpoMinutes > settings.maxRpoMinutes) report(`RPO ${rpoMinutes} min is looser than the spec's ${settings.maxRpoMinutes} min`, register.urn);
      if (rtoMinutes === undefined) report("the drill register does not declare the RTO (tag flightdeck:rto-minutes)", register.urn);
      else if (rtoMinutes > settings.maxRtoMinutes) report(`RTO ${rtoMinutes} min is looser than the spec's ${settings.maxRtoMinutes} min`, register.urn);
    },
  },
);

/** Actions that delete backups or the bucket, or lift what keeps them: nobody may be allowed them on a backup bucket. */
export const BACKUP_PROTECTED_ACTIONS = [
  "s3:DeleteObject",
  "s3:DeleteObjectVersion",
  "s3:DeleteBucket",
  "s3:ReplicateDelete",
  "s3:PutBucketPolicy",
  "s3:DeleteBucketPolicy",
  "s3:PutLifecycleConfiguration",
  "s3:PutBucketVersioning",
  "s3:PutBucketAcl",
  "s3:PutObjectAcl",
  "s3:PutBucketPublicAccessBlock",
];

function unconditionalDeny(statement: Statement, action: string, arn: string): boolean {
  if (statement.effect !== "Deny" || statement.notPrincipal || !statement.principal?.everyone || statement.conditions.length > 0) return false;
  return coversAction(statement, action) && (statement.resources === undefined || statement.resources.some((pattern) => pattern.trim() === "*" || pattern.trim() === arn || (pattern.trim().endsWith("*") && arn.startsWith(pattern.trim().slice(0, -1)))));
}

export const backupBucketRetained = stackPolicy<Scope & { requireProtect: boolean; minRetentionDays: number }>(
  {
    name: "recovery-backup-bucket-retained",
    description:
      `Backups cannot be deleted, by a person, a role or a pulumi destroy: every backup bucket is versioned, protected (its key too), not force-destroyed, its policy denies deleting the bucket and any backup version to everyone, ` +
      `no role of the stack may delete backups or lift those protections, and no lifecycle rule expires backups, or purges their noncurrent versions, sooner than the minimum. ${SPEC_DR}.`,
    severity: "critical",
    remediation: [
      "Set disasterRecovery.backups.protect: true (protect and retainOnDelete on the buckets and keys); keep forceDestroy false.",
      'Keep the bucket policy statements Deny * s3:DeleteBucket on the bucket and s3:DeleteObjectVersion on its objects, without conditions.',
      "Grant no role s3:Delete*, s3:ReplicateDelete, s3:PutLifecycleConfiguration, s3:PutBucketPolicy, s3:PutBucketVersioning or ACL writes on a backup bucket.",
      "Keep backups.retentionDays at least the pack's minRetentionDays.",
    ],
    topics: [...TOPICS, "storage"],
  },
  {
    config: {
      defaults: { ...scopeDefaults, requireProtect: true, minRetentionDays: 7 },
      schema: {
        ...scopeSchema,
        requireProtect: { type: "boolean", description: "Whether the backup buckets and their keys must have the protect option." },
        minRetentionDays: { type: "integer", minimum: 1, description: "The fewest days a backup may be kept before a lifecycle rule expires it." },
      },
    },
    requires: BUCKET,
    validate(resources, settings, report, args) {
      const buckets = backupBuckets(resources, settings.bucketNames);
      if (buckets.length === 0) args.notApplicable("no backup bucket in this stack");
      let unknown = false;
      for (const bucket of buckets) {
        const name = bucketName(bucket);
        const arn = `arn:aws:s3:::${name}`;
        if (isUnknown(bucket.props["forceDestroy"])) unknown = true;
        if (bucket.props["forceDestroy"] === true) report(`backup bucket ${name} has forceDestroy: true: deleting it empties it first`, bucket.urn);
        if (settings.requireProtect && !bucket.protect) report(`backup bucket ${name} is not protected (resource option protect)`, bucket.urn);
        if (settings.requireProtect) {
          for (const config of companionsOf(bucket, BUCKET_ENCRYPTION, resources)) {
            for (const rule of asArray(config.props["rules"])) {
              const key = resolveKey(knownString(at(rule, "applyServerSideEncryptionByDefault.kmsMasterKeyId")) ?? "", resources, config, "rules");
              if (key && !key.protect) report(`KMS key ${key.name} of backup bucket ${name} is not protected (resource option protect)`, key.urn);
            }
          }
        }
        const versioning = companionsOf(bucket, BUCKET_VERSIONING, resources);
        if (at(bucket.props, "versioning.enabled") !== true && !versioning.some((v) => at(v.props, "versioningConfiguration.status") === "Enabled")) {
          report(`backup bucket ${name} is not versioned: an overwritten backup is lost`, versioning[0]?.urn ?? bucket.urn);
        }
        const documents = bucketPolicyDocuments(bucket, resources);
        if (documents.some(({ document }) => document.kind === "unknown")) unknown = true;
        const statements = documents.flatMap(({ document }) => (document.kind === "document" ? document.statements : []));
        for (const [action, target] of [["s3:DeleteBucket", arn], ["s3:DeleteObjectVersion", `${arn}/any/object`]] as const) {
          if (!statements.some((statement) => unconditionalDeny(statement, action, target))) {
            report(`backup bucket ${name}'s policy does not deny ${action} to everyone, without conditions`, documents[0]?.urn ?? bucket.urn);
          }
        }
        for (const lifecycle of companionsOf(bucket, BUCKET_LIFECYCLE, resources)) {
          for (const rule of asArray(lifecycle.props["rules"])) {
            const record = asRecord(rule);
            if (!record || record["status"] === "Disabled") continue;
            const days = knownNumber(at(record, "expiration.days"));
            if (days !== undefined && days < settings.minRetentionDays) report(`lifecycle rule ${knownString(record["id"]) ?? "(unnamed)"} expires backups after ${days} days; at least ${settings.minRetentionDays}`, lifecycle.urn);
            if (knownString(at(record, "expiration.date")) !== undefined) report(`lifecycle rule ${knownString(record["id"]) ?? "(unnamed)"} expires backups on a fixed date`, lifecycle.urn);
            // A backup deleted or overwritten lives on as a noncurrent version: purging those sooner undoes versioning.
            const noncurrent = knownNumber(at(record, "noncurrentVersionExpiration.noncurrentDays"));
            if (noncurrent !== undefined && noncurrent < settings.minRetentionDays) report(`lifecycle rule ${knownString(record["id"]) ?? "(unnamed)"} purges noncurrent backup versions after ${noncurrent} days; at least ${settings.minRetentionDays}`, lifecycle.urn);
          }
        }
      }
      const names = buckets.map(bucketName);
      for (const grants of roleGrants(resources)) {
        for (const { statement, source, urn } of allowStatements(grants)) {
          if (!reachesBuckets(statement, names)) continue;
          const protectedActions = BACKUP_PROTECTED_ACTIONS.filter((action) => coversAction(statement, action));
          if (protectedActions.length > 0) report(`role ${grants.roleName} may ${protectedActions.join(", ")} on a backup bucket (${source}, ${statementLabel(statement)})`, urn);
        }
      }
      if (unknown) throw new UnknownInputError("a backup bucket's forceDestroy or policy");
    },
  },
);

const BUCKET_REPLICATION = "aws:s3/bucketReplicationConfig:BucketReplicationConfig";
const PUBLIC_ACCESS_FLAGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];

export const backupBucketPrivate = stackPolicy<Scope>(
  {
    name: "recovery-backup-bucket-private",
    description:
      `A backup is a copy of the whole database: no backup bucket can be made public or opened to anyone by its policy. Public access is blocked (all four settings), ACLs are disabled (BucketOwnerEnforced), ` +
      `the bucket policy allows nothing (every reader and writer is a role of the stack, granted by IAM), it refuses any request without TLS, and it replicates only into another backup bucket of this stack. ${SPEC_DR}; Compliance: "PCI: Production access restricted".`,
    severity: "critical",
    remediation: [
      `Keep an aws.s3.BucketPublicAccessBlock with ${PUBLIC_ACCESS_FLAGS.join(", ")} true, and BucketOwnershipControls BucketOwnerEnforced.`,
      "Remove every Allow statement from the backup bucket's policy; grant access through the job roles' IAM policies.",
      'Keep the statement {Effect: Deny, Principal: "*", Action: "s3:*", Resource: [bucket, bucket/*], Condition: {Bool: {"aws:SecureTransport": "false"}}}.',
      "Replicate only to the replica flightdeck declares (disasterRecovery.backups.replica), never to a bucket outside the stack or another account.",
    ],
    topics: [...TOPICS, "storage"],
  },
  {
    config: { defaults: scopeDefaults, schema: scopeSchema },
    requires: BUCKET,
    validate(resources, settings, report, args) {
      const buckets = backupBuckets(resources, settings.bucketNames);
      if (buckets.length === 0) args.notApplicable("no backup bucket in this stack");
      let unknown = false;
      for (const bucket of buckets) {
        const name = bucketName(bucket);
        const blocks = companionsOf(bucket, BUCKET_PUBLIC_ACCESS_BLOCK, resources);
        const off = PUBLIC_ACCESS_FLAGS.filter((flag) => !blocks.some((block) => block.props[flag] === true));
        if (off.length > 0) report(`backup bucket ${name}: public access block ${blocks.length === 0 ? "missing" : `leaves ${off.join(", ")} off`}`, blocks[0]?.urn ?? bucket.urn);
        const ownership = companionsOf(bucket, "aws:s3/bucketOwnershipControls:BucketOwnershipControls", resources);
        if (!ownership.some((control) => at(control.props, "rule.objectOwnership") === "BucketOwnerEnforced")) report(`backup bucket ${name}: ACLs are not disabled (ownership controls BucketOwnerEnforced)`, ownership[0]?.urn ?? bucket.urn);
        const canned = knownString(bucket.props["acl"]);
        if (canned !== undefined && canned !== "private") report(`backup bucket ${name} has the canned ACL ${canned}`, bucket.urn);
        const documents = bucketPolicyDocuments(bucket, resources);
        if (documents.some(({ document }) => document.kind === "unknown")) {
          unknown = true;
          continue;
        }
        const statements = documents.flatMap(({ document }) => (document.kind === "document" ? document.statements : []));
        for (const { document, urn } of documents) if (document.kind === "invalid") report(`backup bucket ${name}'s policy ${document.reason}`, urn);
        for (const statement of statements.filter(isAllow)) report(`backup bucket ${name}'s policy ${statementLabel(statement)} allows ${statement.actions?.join(", ") ?? "every action but its NotAction"}: grant access through IAM roles only`, documents[0]?.urn);
        if (!statements.some((statement) => deniesInsecureTransport(statement, name))) report(`backup bucket ${name}'s policy does not deny requests without TLS (aws:SecureTransport false)`, documents[0]?.urn ?? bucket.urn);
      }
      // A replica is a copy of every backup: only into a backup bucket of this stack, which these policies judge too.
      const names = new Set(buckets.map(bucketName));
      for (const bucket of buckets) {
        const rules = [
          ...companionsOf(bucket, BUCKET_REPLICATION, resources).flatMap((config) => asArray(config.props["rules"]).map((rule) => ({ rule, urn: config.urn }))),
          ...asArray(at(bucket.props, "replicationConfiguration.rules")).map((rule) => ({ rule, urn: bucket.urn })),
        ];
        for (const { rule, urn } of rules) {
          const destination = at(rule, "destination.bucket");
          if (isUnknown(destination)) {
            unknown = true;
            continue;
          }
          const target = (knownString(destination) ?? "").replace(/^arn:aws[a-z-]*:s3:::/, "");
          if (!names.has(target)) report(`backup bucket ${bucketName(bucket)} replicates to ${knownString(destination) ?? "(no bucket)"}, not a backup bucket of this stack`, urn);
          const account = knownString(at(rule, "destination.account"));
          if (account !== undefined) report(`backup bucket ${bucketName(bucket)} replicates to account ${account}: its copy would not be judged by this stack's policies`, urn);
        }
      }
      if (unknown) throw new UnknownInputError("a backup bucket policy");
    },
  },
);

export const backupBucketOwnKey = stackPolicy<Scope>(
  {
    name: "recovery-backup-bucket-own-key",
    description:
      `Backups are encrypted with a KMS key of their own: SSE-KMS with a key of this stack that encrypts no other bucket, so who may read backups is decided by that key's grants and the bucket's roles alone. ${SPEC_DR}; Secrets Management: "Secrets stored in platform (encrypted at rest)".`,
    severity: "high",
    remediation: ["Encrypt each backup bucket with aws:kms and its own aws.kms.Key (flightdeck creates one per backup bucket); use that key for nothing else."],
    topics: [...TOPICS, "encryption"],
  },
  {
    config: { defaults: scopeDefaults, schema: scopeSchema },
    requires: BUCKET,
    validate(resources, settings, report, args) {
      const buckets = backupBuckets(resources, settings.bucketNames);
      if (buckets.length === 0) args.notApplicable("no backup bucket in this stack");
      const keyOf = (bucket: StackResource): { key?: StackResource; problem?: string } => {
        const configs = companionsOf(bucket, BUCKET_ENCRYPTION, resources);
        for (const config of configs) {
          for (const rule of asArray(config.props["rules"])) {
            const algorithm = knownString(at(rule, "applyServerSideEncryptionByDefault.sseAlgorithm"));
            const reference = knownString(at(rule, "applyServerSideEncryptionByDefault.kmsMasterKeyId")) ?? "";
            if (algorithm !== "aws:kms" && algorithm !== "aws:kms:dsse") return { problem: `is encrypted with ${algorithm ?? "nothing"}, not aws:kms` };
            const key = resolveKey(reference, resources, config, "rules");
            return key ? { key } : { problem: `is encrypted with ${reference || "the AWS managed key"}, not a key of this stack` };
          }
        }
        return { problem: "has no encryption configuration" };
      };
      const owners = new Map<string, string[]>();
      for (const bucket of resources.filter((r) => r.type === BUCKET)) {
        const { key } = keyOf(bucket);
        if (key) owners.set(key.urn, [...(owners.get(key.urn) ?? []), bucketName(bucket)]);
      }
      for (const bucket of buckets) {
        const { key, problem } = keyOf(bucket);
        if (problem) report(`backup bucket ${bucketName(bucket)} ${problem}`, bucket.urn);
        const sharing = key ? (owners.get(key.urn) ?? []).filter((other) => other !== bucketName(bucket)) : [];
        if (key && sharing.length > 0) report(`backup bucket ${bucketName(bucket)} shares its key ${key.name} with ${sharing.join(", ")}`, key.urn);
      }
    },
  },
);

interface WriterSettings extends Scope {
  allowedActions: string[];
}

/** KMS actions that read data with a key (or let it be read). */
const DECRYPTS = /^kms:(Decrypt|ReEncrypt.*)$/i;

export const backupWriterWriteOnly = stackPolicy<WriterSettings>(
  {
    name: "recovery-backup-writer-write-only",
    description:
      `The identity that writes backups can only write new backup objects: no S3 action but s3:PutObject, and that only into the backup buckets (no read, list, delete or configuration of any bucket), SSM reads only of parameters named exactly, KMS decryption only through S3 ` +
      `(a multipart upload to an SSE-KMS bucket needs kms:Decrypt, S3 API reference, CreateMultipartUpload), and beyond that only the actions on the allowed list (its credentials, its metrics, its logs). ` +
      `Every document that grants the role permissions is judged, wildcards expanded against AWS's Service Authorization Reference. ${SPEC_DR}; Compliance: "PCI: Production access restricted".`,
    severity: "critical",
    remediation: [
      "Grant the backup role s3:PutObject on <backup bucket>/<prefix>* only, kms:GenerateDataKey/Encrypt/Decrypt on the backup key with Condition StringEquals kms:ViaService s3.<region>.amazonaws.com.",
      "Move any read of backups (s3:GetObject, s3:ListBucket) to the drill's role; never grant s3:* or s3:Get*/List*/Delete* to the writer.",
    ],
    topics: [...TOPICS, "least-privilege"],
  },
  {
    config: {
      defaults: {
        ...scopeDefaults,
        allowedActions: [
          "s3:PutObject",
          "kms:GenerateDataKey",
          "kms:Encrypt",
          "kms:Decrypt",
          "ssm:GetParameters",
          "ssm:GetParameter",
          "cloudwatch:PutMetricData",
          "cloudwatch:GetMetricStatistics",
          "logs:CreateLogStream",
          "logs:PutLogEvents",
        ],
      },
      schema: { ...scopeSchema, allowedActions: { type: "array", items: { type: "string" }, description: "Every action a backup writer may be granted (exact names)." } },
    },
    requires: BUCKET,
    validate(resources, settings, report, args) {
      const names = backupBuckets(resources, settings.bucketNames).map(bucketName);
      if (names.length === 0) args.notApplicable("no backup bucket in this stack");
      const allowed = new Set(settings.allowedActions.map((action) => action.toLowerCase()));
      let unknown = false;
      for (const writer of writersOf(resources, names)) {
        if (writer.permissions.some((source) => source.document.kind === "unknown")) unknown = true;
        for (const { arn, urn } of writer.managedPolicies) report(`backup writer ${writer.roleName} has the AWS managed policy ${arn} attached`, urn);
        for (const { what, urn } of writer.unresolved) report(`backup writer ${writer.roleName} is granted ${what}`, urn);
        for (const { statement, source, urn } of allowStatements(writer)) {
          const label = `${source}, ${statementLabel(statement)}`;
          const actions = grantedActions(statement).map((action) => action.name);
          const s3 = actions.filter((action) => /^s3:/i.test(action) && action.toLowerCase() !== "s3:putobject");
          if (s3.length > 0) report(`backup writer ${writer.roleName} may ${listed(s3)} (${label}): it may only put backup objects`, urn);
          const extra = actions.filter((action) => !/^s3:/i.test(action) && !allowed.has(action.toLowerCase()));
          if (extra.length > 0) report(`backup writer ${writer.roleName} may ${listed(extra)} (${label}), beyond what writing backups needs`, urn);
          const decrypts = actions.filter((action) => DECRYPTS.test(action));
          const throughS3 = conditionsOn(statement, "kms:ViaService").some((condition) => pinsExactly(condition) && condition.values.every((value) => /^s3\.[a-z0-9-]+\.amazonaws\.com$/.test(value)));
          if (decrypts.length > 0 && !throughS3) report(`backup writer ${writer.roleName} may ${listed(decrypts)} outside S3 (${label}): add Condition StringEquals kms:ViaService s3.<region>.amazonaws.com`, urn);
          if (statement.notActions) report(`backup writer ${writer.roleName} is granted every action but ${statement.notActions.join(", ")} (${label})`, urn);
          // Writing only backups: objects of the backup buckets, nowhere else; reading only named parameters (its credentials), no wildcard.
          const resources = statement.notResources ? ["every resource but " + statement.notResources.join(", ")] : (statement.resources ?? ["*"]);
          if (actions.some((action) => action.toLowerCase() === "s3:putobject")) {
            const elsewhere = resources.filter((resource) => !/^arn:aws[a-z-]*:s3:::[^/*?]+\/.*$/.test(resource.trim()) || !names.includes(resource.trim().replace(/^arn:aws[a-z-]*:s3:::/, "").split("/")[0]!));
            if (elsewhere.length > 0) report(`backup writer ${writer.roleName} may put objects into ${elsewhere.join(", ")} (${label}): only into the backup buckets`, urn);
          }
          if (actions.some((action) => /^ssm:Get/i.test(action))) {
            const wide = resources.filter((resource) => /[*?]/.test(resource) || resource.startsWith("every resource"));
            if (wide.length > 0) report(`backup writer ${writer.roleName} may read SSM parameters ${wide.join(", ")} (${label}): only its own credentials, by name`, urn);
          }
        }
      }
      if (unknown) throw new UnknownInputError("a backup writer's permissions");
    },
  },
);

function listed(actions: string[], limit = 6): string {
  const unique = [...new Set(actions)].sort();
  return unique.length <= limit ? unique.join(", ") : `${unique.slice(0, limit).join(", ")} and ${unique.length - limit} more`;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export const restoreDrillRecent = stackPolicy<Scope & { maxDaysSinceDrill: number; maxRtoMinutes: number }>(
  {
    name: "recovery-restore-drill-recent",
    description:
      `Restores are rehearsed, not assumed: the restore drill passed within the last days allowed (read from the drill register the drill writes after each run, judged with the pack's clock), ` +
      `its newest run did not fail, its measured recovery time fits the RTO, and an enabled schedule starts a project that restores with pg_restore into a database (-d/--dbname) at least that often. ${SPEC_DR}; Rollback: "Testing: Quarterly rollback drills to ensure procedure works".`,
    severity: "high",
    remediation: [
      "Run the restore drill (`aws codebuild start-build --project-name <stack>-dr-jobs-restore-drill`) and fix what fails; the next preview reads its result.",
      "Keep the drill's schedule enabled (disasterRecovery.drill.weekday/time), at most maxDaysSinceDrill days apart.",
      "For a new stack, whose first drill can only run after `pulumi up`, waive this policy until the first drill passed (policies/waivers.yaml).",
    ],
    topics: TOPICS,
  },
  {
    config: {
      defaults: { ...scopeDefaults, maxDaysSinceDrill: 8, maxRtoMinutes: 240 },
      schema: {
        ...scopeSchema,
        maxDaysSinceDrill: { type: "integer", minimum: 1, description: "Days since the drill last passed before the stack is blocked (weekly drill + a day)." },
        maxRtoMinutes: MAX_RTO_SCHEMA,
      },
    },
    validate(resources, settings, report, args) {
      const registers = resources.filter((r) => r.type === SSM_PARAMETER && isDrillRegister(r));
      if (registers.length === 0) {
        if (required(settings)) report("no restore drill register: restores are never rehearsed");
        else args.notApplicable("no restore drill in this stack");
        return;
      }
      const at = now();
      const declaredRto = declaredObjectives(resources).rtoMinutes;
      const rtoSeconds = Math.min(settings.maxRtoMinutes, declaredRto ?? settings.maxRtoMinutes) * 60;
      for (const register of registers) {
        const raw = register.props["insecureValue"] ?? register.props["value"];
        if (isUnknown(raw)) throw new UnknownInputError(`${register.urn} value`);
        const record = drillRecordOf(register);
        if (typeof record === "string") {
          report(record, register.urn);
          continue;
        }
        if (record.lastPassed === undefined) {
          report(`the restore drill has never passed (status ${record.status}${record.failure ? `: ${record.failure}` : ""})`, register.urn);
          continue;
        }
        const age = (at.getTime() - Date.parse(record.lastPassed)) / DAY_MS;
        if (age < -1 / 24) report(`the drill's lastPassed ${record.lastPassed} is in the future (now ${at.toISOString()})`, register.urn);
        else if (age > settings.maxDaysSinceDrill) report(`the restore drill last passed ${record.lastPassed}, ${Math.floor(age)} days ago; at most ${settings.maxDaysSinceDrill} days allowed`, register.urn);
        if (record.status === "failed") report(`the newest restore drill (${record.lastRun ?? "?"}) failed: ${record.failure ?? "no reason recorded"}`, register.urn);
        if (record.recoverySeconds !== undefined && record.recoverySeconds > rtoSeconds) report(`the drill restored in ${record.recoverySeconds} s, longer than the RTO (${rtoSeconds} s)`, register.urn);
      }
      const drills = resources.filter((r) => r.type === CODEBUILD_PROJECT && RESTORES.test(buildspecText(r)));
      const scheduled = drills.some((drill) =>
        schedulesOf(drill, resources).some((schedule) => {
          const gap = scheduleGapMinutes(schedule);
          return scheduleEnabled(schedule) && gap !== undefined && gap <= settings.maxDaysSinceDrill * 1440 && knownString(schedule.props["endDate"]) === undefined;
        }),
      );
      if (!scheduled) report(`no enabled schedule starts a restore drill (a project running pg_restore) at least every ${settings.maxDaysSinceDrill} days`);
    },
  },
);

/** What the backup role may hold, per object type: reading, and what reading needs. */
const BACKUP_ALLOWED: Record<string, string[]> = { database: ["CONNECT"], schema: ["USAGE"], table: ["SELECT"], sequence: ["SELECT"] };

export const backupRoleReadOnly = stackPolicy<{ roleKinds: RoleKindGlobs }>(
  {
    name: "recovery-backup-role-read-only",
    description:
      `The database role the backup job dumps as reads and nothing else: CONNECT on the database, USAGE on schemas, SELECT on tables and sequences (pg_dump "needs read access to all tables that you want to back up", ` +
      `https://www.postgresql.org/docs/15/backup-dump.html), by Grant or DefaultPrivileges; no write, no DDL, no function. ${SPEC_BACKUPS}; Compliance: "PCI: Production access restricted".`,
    severity: "high",
    remediation: ["Grant the backup role (<database>_backup) only CONNECT, USAGE on schemas and SELECT on tables and sequences."],
    topics: [...TOPICS, "database"],
  },
  {
    config: {
      defaults: { roleKinds: DEFAULT_ROLE_KINDS },
      schema: { roleKinds: ROLE_KINDS_SCHEMA },
    },
    validate(resources, settings, report, args) {
      if (!resources.some((resource) => resource.type === PG_GRANT || resource.type === PG_DEFAULT_PRIVILEGES)) args.notApplicable("no database grants in this stack");
      for (const resource of resources) {
        if (resource.type !== PG_GRANT && resource.type !== PG_DEFAULT_PRIVILEGES) continue;
        for (const grant of privilegeGrantsOf(resource)) {
          if (!isKind(settings.roleKinds, grant.role, "backup")) continue;
          const allowed = BACKUP_ALLOWED[grant.objectType] ?? [];
          const extra = grant.privileges.filter((privilege) => !allowed.includes(privilege));
          if (extra.length > 0) report(`backup role ${grant.role} is granted ${extra.join(", ")} (${describeGrant(grant)})`, grant.urn);
        }
      }
    },
  },
);

export const recoveryPolicies = [
  backupsScheduled,
  backupAlarmPages,
  objectivesWithinSpec,
  backupBucketRetained,
  backupBucketPrivate,
  backupBucketOwnKey,
  backupWriterWriteOnly,
  restoreDrillRecent,
  backupRoleReadOnly,
];
