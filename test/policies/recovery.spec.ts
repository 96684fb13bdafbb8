import { strict as assert } from "node:assert";
import { drillRegister, recoveryMetrics } from "../../infra/backup/contract";
import { objectiveTags } from "../../infra/backup/drillRegister";
import { DRILL_REGISTER_SEGMENT, DRILL_REGISTER_TAG, OBJECTIVE_TAGS, RECOVERY_METRICS } from "../../policies/lib/recovery";
import { recoveryPolicies } from "../../policies/rules/recovery";
import { validStack } from "./fixtures";
import { Fixture, IN_WINDOW, MutationCase, judge, policiesOf, withInput, without } from "./judge";
import { ACCOUNT, BACKUP_BUCKET, passedRecord } from "./recoveryFixtures";

/**
 * The recovery policies (policies/rules/recovery.ts) over the production stack's disaster recovery
 * (recoveryFixtures.ts, built with the program's own builders): compliant variants pass, each way a
 * change could weaken the backups, their alarm, the objectives, the bucket, the writer or the drill
 * is blocked by the policy that owns it.
 *
 * Upstream facts the cases rely on:
 * - EventBridge Scheduler: `rate(value unit)`, `cron(min hour dom month dow year)` with one day field
 *   `?`; a FLEXIBLE window delays a start by up to maximumWindowInMinutes
 *   (https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html,
 *   https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-schedule-flexible-time-windows.html).
 * - CloudWatch: treatMissingData "breaching" counts a period without data as breaching
 *   (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#alarms-and-missing-data).
 * - pg_dump's custom format is `--format=custom` / `-Fc` (https://www.postgresql.org/docs/15/app-pgdump.html).
 * - S3: forceDestroy deletes every object before the bucket (hashicorp/terraform-provider-aws
 *   website/docs/r/s3_bucket.html.markdown, force_destroy); an SSE-KMS multipart upload needs
 *   kms:Decrypt (https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateMultipartUpload.html).
 */

const BUCKET_FIXTURE = "dr-backups-bucket";
const BUCKET_ARN = `arn:aws:s3:::${BACKUP_BUCKET}`;
const PROJECT = "aws:codebuild/project:Project";
const REGISTER_FIXTURE = "dr-register-parameter";

/** One fixture, found by type and name (the drill's role and project share the logical name dr-drill). */
function change(fixtures: Fixture[], type: string, name: string, edit: (props: Record<string, unknown>, fixture: Fixture) => void): Fixture[] {
  const copy: Fixture[] = structuredClone(fixtures);
  const target = copy.find((fixture) => fixture.type === type && fixture.name === name);
  if (!target) throw new Error(`no ${type} named ${name}`);
  edit(target.props, target);
  return copy;
}

function buildspecOf(props: Record<string, unknown>): string {
  return (props["source"] as { buildspec: string }).buildspec;
}

function setBuildspec(props: Record<string, unknown>, text: string): void {
  (props["source"] as { buildspec: string }).buildspec = text;
}

/** The register's tags with one objective changed. */
function objectiveTag(tag: string, minutes: string): Fixture[] {
  return change(validStack(), "aws:ssm/parameter:Parameter", REGISTER_FIXTURE, (props) => {
    (props["tags"] as Record<string, string>)[tag] = minutes;
  });
}

/** The stack with one more inline policy on the writer's role. */
function writerAlso(statement: Record<string, unknown>, name = "dr-writer-extra"): Fixture[] {
  return [
    ...validStack(),
    {
      type: "aws:iam/rolePolicy:RolePolicy",
      name,
      props: { role: "flightpro-production-dr-jobs-writer", name: "extra", policy: JSON.stringify({ Version: "2012-10-17", Statement: [statement] }) },
      dependsOn: ["dr-writer"],
    },
  ];
}

function bucketPolicyWith(extra: Record<string, unknown>): Fixture[] {
  return change(validStack(), "aws:s3/bucketPolicy:BucketPolicy", "dr-backups-policy", (props) => {
    const document = JSON.parse(props["policy"] as string) as { Statement: unknown[] };
    document.Statement.push(extra);
    props["policy"] = JSON.stringify(document);
  });
}

function bucketPolicyWithout(sid: string): Fixture[] {
  return change(validStack(), "aws:s3/bucketPolicy:BucketPolicy", "dr-backups-policy", (props) => {
    const document = JSON.parse(props["policy"] as string) as { Statement: { Sid?: string }[] };
    const kept = document.Statement.filter((statement) => statement.Sid !== sid);
    if (kept.length === document.Statement.length) throw new Error(`no statement ${sid} in the backup bucket policy`);
    props["policy"] = JSON.stringify({ ...document, Statement: kept });
  });
}

/**
 * One `it` per case: the mutated stack violates exactly the case's policy and those of `alsoBy`,
 * and one of the policy's messages matches (a policy may name the resource and sum up the stack).
 */
function itBlocks(cases: MutationCase[]): void {
  for (const testCase of cases) {
    it(`${testCase.policy}: ${testCase.title}`, () => {
      const verdicts = judge(testCase.stack(), testCase.options);
      assert.deepEqual(policiesOf(verdicts), [testCase.policy, ...(testCase.alsoBy ?? [])].sort(), JSON.stringify(verdicts, null, 1));
      const messages = verdicts.filter((verdict) => verdict.policy === testCase.policy).map((verdict) => verdict.message);
      assert.ok(messages.some((message) => testCase.message.test(message)), `${testCase.message} matches none of ${JSON.stringify(messages, null, 1)}`);
    });
  }
}

/** A replication configuration on the backup bucket with this destination. */
function replication(destination: Record<string, unknown>): Fixture {
  return {
    type: "aws:s3/bucketReplicationConfig:BucketReplicationConfig",
    name: "dr-backups-replication",
    props: {
      bucket: BACKUP_BUCKET,
      role: `arn:aws:iam::${ACCOUNT}:role/flightpro-production-dr-jobs-drill`,
      rules: [{ id: "copy", status: "Enabled", filter: { prefix: "postgres/" }, deleteMarkerReplication: { status: "Disabled" }, destination }],
    },
  };
}

describe("policies: disaster recovery", () => {
  it("the pack reads the names the program writes (the pack cannot import the program)", () => {
    for (const [key, name] of Object.entries(RECOVERY_METRICS)) assert.equal(name, recoveryMetrics[key as keyof typeof recoveryMetrics], key);
    assert.equal(DRILL_REGISTER_TAG, drillRegister.tagKey);
    assert.deepEqual(OBJECTIVE_TAGS, objectiveTags);
    assert.ok(drillRegister.parameterName("flightpro", "production").includes(DRILL_REGISTER_SEGMENT));
  });

  it("the production stack's disaster recovery passes every policy", () => {
    assert.deepEqual(judge(validStack()), []);
  });

  describe("a compliant disaster recovery written another valid way passes", () => {
    const passes: [string, () => Fixture[]][] = [
      ["the backup schedule as a cron expression every 20 minutes", () => withInput(validStack(), "dr-backup-schedule", "scheduleExpression", "cron(0/20 * * * ? *)")],
      ["the backup schedule exactly at the RPO: rate(1 hour)", () => withInput(validStack(), "dr-backup-schedule", "scheduleExpression", "rate(1 hour)")],
      ["a flexible window that still fits the RPO (every 30 min, up to 15 min late)", () =>
        withInput(withInput(validStack(), "dr-backup-schedule", "scheduleExpression", "rate(30 minutes)"), "dr-backup-schedule", "flexibleTimeWindow", { mode: "FLEXIBLE", maximumWindowInMinutes: 15 })],
      ["pg_dump spelled -Fc", () => change(validStack(), PROJECT, "dr-backup", (props) => setBuildspec(props, buildspecOf(props).replace(/--format=custom/g, "-Fc")))],
      ["versioning on the bucket itself instead of a BucketVersioning", () => withInput(without(validStack(), "dr-backups-versioning"), BUCKET_FIXTURE, "versioning", { enabled: true })],
      ["a drill that passed eight days ago (the weekly drill plus a day)", () => withInput(validStack(), REGISTER_FIXTURE, "insecureValue", passedRecord("2026-11-02T16:30:00Z"))],
      ["stricter objectives than the spec (RPO 30 min, RTO 2 h)", () => objectiveTag("flightdeck:rto-minutes", "120")],
    ];
    for (const [title, stack] of passes) {
      it(title, () => assert.deepEqual(judge(stack()), []));
    }

    it("a stack the scope does not require (staging) without disaster recovery is not judged on its absence", () => {
      const stack = validStack().filter((fixture) => !fixture.name.startsWith("dr-"));
      const verdicts = judge(stack, { stack: "staging", policies: recoveryPolicies });
      assert.deepEqual(verdicts, []);
    });
  });

  describe("production has backups, scheduled within the RPO", () => {
    itBlocks([
      {
        title: "no disaster recovery at all",
        stack: () => validStack().filter((fixture) => !fixture.name.startsWith("dr-")),
        policy: "recovery-backups-scheduled",
        message: /no backup bucket/,
        alsoBy: ["recovery-backup-alarm-pages", "recovery-objectives-within-spec", "recovery-restore-drill-recent"],
      },
      {
        title: "a backup every 90 minutes",
        stack: () => withInput(validStack(), "dr-backup-schedule", "scheduleExpression", "rate(90 minutes)"),
        policy: "recovery-backups-scheduled",
        message: /up to 90 min apart/,
      },
      {
        title: "an hourly cron whose flexible window lets it start up to 30 min late",
        stack: () => withInput(withInput(validStack(), "dr-backup-schedule", "scheduleExpression", "cron(5 * * * ? *)"), "dr-backup-schedule", "flexibleTimeWindow", { mode: "FLEXIBLE", maximumWindowInMinutes: 30 }),
        policy: "recovery-backups-scheduled",
        message: /up to 90 min apart \(flexible window included\)/,
      },
      {
        title: "a cron that only runs on weekdays (the weekend has no backups)",
        stack: () => withInput(validStack(), "dr-backup-schedule", "scheduleExpression", "cron(0/15 * ? * MON-FRI *)"),
        policy: "recovery-backups-scheduled",
        message: /min apart/,
      },
      {
        title: "the backup schedule DISABLED",
        stack: () => withInput(validStack(), "dr-backup-schedule", "state", "DISABLED"),
        policy: "recovery-backups-scheduled",
        message: /is DISABLED/,
        alsoBy: ["metrics-alarm-metric-published"],
      },
      {
        title: "the backup schedule ending (endDate)",
        stack: () => withInput(validStack(), "dr-backup-schedule", "endDate", "2026-12-01T00:00:00Z"),
        policy: "recovery-backups-scheduled",
        message: /endDate/,
      },
      {
        title: "the backup schedule starting only next year",
        stack: () => withInput(validStack(), "dr-backup-schedule", "startDate", "2027-01-01T00:00:00Z"),
        policy: "recovery-backups-scheduled",
        message: /startDate/,
      },
      {
        title: "the dump in plain SQL format instead of custom",
        stack: () => change(validStack(), PROJECT, "dr-backup", (props) => setBuildspec(props, buildspecOf(props).replace(/--format=custom/g, "--format=plain"))),
        policy: "recovery-backups-scheduled",
        message: /custom format/,
      },
      {
        title: "the backup project running as a role that cannot write the bucket (no job makes backups)",
        stack: () => change(validStack(), PROJECT, "dr-backup", (props) => {
          props["serviceRole"] = `arn:aws:iam::${ACCOUNT}:role/flightpro-production-dr-jobs-drill`;
        }),
        policy: "recovery-backups-scheduled",
        message: /nothing makes backups/,
      },
    ]);
  });

  describe("the backup alarm pages when the RPO is missed", () => {
    itBlocks([
      {
        title: "missing data not breaching (a stopped schedule would stay silent)",
        stack: () => withInput(validStack(), "dr-alarms-backup-age", "treatMissingData", "notBreaching"),
        policy: "recovery-backup-alarm-pages",
        message: /treats missing data as notBreaching/,
      },
      {
        title: "the age alarm on the warning topic (Slack, no page)",
        stack: () =>
          change(validStack(), "aws:cloudwatch/metricAlarm:MetricAlarm", "dr-alarms-backup-age", (props, fixture) => {
            props["alarmActions"] = [`arn:aws:sns:us-east-1:${ACCOUNT}:flightpro-production-alerts-warning`];
            fixture.dependsOn = ["alerts-warning"];
          }),
        policy: "recovery-backup-alarm-pages",
        message: /does not page/,
      },
      {
        title: "the age alarm's window far past the RPO (3 hours)",
        stack: () => withInput(validStack(), "dr-alarms-backup-age", "evaluationPeriods", 180),
        policy: "recovery-backup-alarm-pages",
        message: /fires only after 10800 s without a backup/,
      },
      {
        title: "the age alarm on another namespace than the job publishes to",
        stack: () => withInput(validStack(), "dr-alarms-backup-age", "namespace", "FlightPro/backups"),
        policy: "recovery-backup-alarm-pages",
        message: /watches namespace FlightPro\/backups, not the one the backup job publishes to/,
        alsoBy: ["alerts-alarm-actions-enabled", "metrics-alarm-metric-published"],
      },
      {
        title: "the age alarm comparing Sum < 0 (it can never fire)",
        stack: () => withInput(validStack(), "dr-alarms-backup-age", "threshold", 0),
        policy: "recovery-backup-alarm-pages",
        message: /must fire when no backup completed/,
      },
      {
        title: "the size alarm removed",
        stack: () => without(validStack(), "dr-alarms-backup-size"),
        policy: "recovery-backup-alarm-pages",
        message: /no alarm on BackupSizeRatio/,
      },
    ]);

    it("the age alarm with its actions disabled is blocked (and by the alarm-actions policy too)", () => {
      const verdicts = judge(withInput(validStack(), "dr-alarms-backup-age", "actionsEnabled", false));
      assert.deepEqual(policiesOf(verdicts), ["alerts-alarm-actions-enabled", "recovery-backup-alarm-pages"]);
      assert.match(verdicts.find((verdict) => verdict.policy === "recovery-backup-alarm-pages")!.message, /does not page/);
    });
  });

  describe("the objectives are no looser than the spec", () => {
    itBlocks([
      { title: "RPO 2 hours", stack: () => objectiveTag("flightdeck:rpo-minutes", "120"), policy: "recovery-objectives-within-spec", message: /RPO 120 min is looser than the spec's 60 min/ },
      { title: "RTO 8 hours", stack: () => objectiveTag("flightdeck:rto-minutes", "480"), policy: "recovery-objectives-within-spec", message: /RTO 480 min is looser than the spec's 240 min/ },
      {
        title: "the RPO tag removed from the register",
        stack: () =>
          change(validStack(), "aws:ssm/parameter:Parameter", REGISTER_FIXTURE, (props) => {
            delete (props["tags"] as Record<string, string>)["flightdeck:rpo-minutes"];
          }),
        policy: "recovery-objectives-within-spec",
        message: /does not declare the RPO/,
      },
    ]);
  });

  describe("the backup bucket cannot be deleted", () => {
    itBlocks([
      { title: "forceDestroy on the bucket", stack: () => withInput(validStack(), BUCKET_FIXTURE, "forceDestroy", true), policy: "recovery-backup-bucket-retained", message: /forceDestroy: true/ },
      {
        title: "the bucket not protected",
        stack: () => change(validStack(), "aws:s3/bucket:Bucket", BUCKET_FIXTURE, (_, fixture) => void delete fixture.protect),
        policy: "recovery-backup-bucket-retained",
        message: /is not protected/,
      },
      {
        title: "the bucket's key not protected",
        stack: () => change(validStack(), "aws:kms/key:Key", "dr-backups-key", (_, fixture) => void delete fixture.protect),
        policy: "recovery-backup-bucket-retained",
        message: /KMS key dr-backups-key .* is not protected/,
      },
      { title: "versioning suspended", stack: () => withInput(validStack(), "dr-backups-versioning", "versioningConfiguration.status", "Suspended"), policy: "recovery-backup-bucket-retained", message: /is not versioned/ },
      { title: "the deny on deleting object versions removed", stack: () => bucketPolicyWithout("DenyBackupVersionDeletion"), policy: "recovery-backup-bucket-retained", message: /does not deny s3:DeleteObjectVersion/ },
      {
        title: "a lifecycle rule expiring backups after a day",
        stack: () => withInput(validStack(), "dr-backups-lifecycle", "rules", [{ id: "expire", status: "Enabled", filter: { prefix: "postgres/" }, expiration: { days: 1 } }]),
        policy: "recovery-backup-bucket-retained",
        message: /expires backups after 1 days; at least 7/,
      },
      {
        title: "a lifecycle rule purging noncurrent versions (a deleted backup's only copy) after a day",
        stack: () => withInput(validStack(), "dr-backups-lifecycle", "rules", [{ id: "purge", status: "Enabled", filter: { prefix: "postgres/" }, noncurrentVersionExpiration: { noncurrentDays: 1 } }]),
        policy: "recovery-backup-bucket-retained",
        message: /purges noncurrent backup versions after 1 days; at least 7/,
      },
      {
        title: "a role granted s3:Delete* on the backups (in a second inline policy)",
        stack: () =>
          [
            ...validStack(),
            {
              type: "aws:iam/rolePolicy:RolePolicy",
              name: "dr-drill-cleanup",
              props: { role: "flightpro-production-dr-jobs-drill", name: "cleanup", policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:delete*", Resource: `${BUCKET_ARN}/*` }] }) },
              dependsOn: ["dr-drill"],
            },
          ] satisfies Fixture[],
        policy: "recovery-backup-bucket-retained",
        message: /may s3:DeleteObject, s3:DeleteObjectVersion/,
        alsoBy: ["iam-role-permissions-least-privilege"],
      },
    ]);
  });

  describe("the backup bucket cannot be made public", () => {
    itBlocks([
      { title: "restrictPublicBuckets off", stack: () => withInput(validStack(), "dr-backups-public-access", "restrictPublicBuckets", false), policy: "recovery-backup-bucket-private", message: /leaves restrictPublicBuckets off/ },
      { title: "the public access block removed", stack: () => without(validStack(), "dr-backups-public-access"), policy: "recovery-backup-bucket-private", message: /public access block missing/ },
      { title: "ACLs re-enabled (ObjectWriter)", stack: () => withInput(validStack(), "dr-backups-ownership", "rule.objectOwnership", "ObjectWriter"), policy: "recovery-backup-bucket-private", message: /ACLs are not disabled/ },
      { title: "a public-read canned ACL", stack: () => withInput(validStack(), BUCKET_FIXTURE, "acl", "public-read"), policy: "recovery-backup-bucket-private", message: /canned ACL public-read/, alsoBy: ["storage-bucket-policy-restricted"] },
      {
        title: "an Allow to the account's own root in the bucket policy (access outside the job roles)",
        stack: () => bucketPolicyWith({ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "s3:GetObject", Resource: `${BUCKET_ARN}/*` }),
        policy: "recovery-backup-bucket-private",
        message: /allows s3:GetObject: grant access through IAM roles only/,
      },
      { title: "the TLS-only statement removed", stack: () => bucketPolicyWithout("DenyInsecureTransport"), policy: "recovery-backup-bucket-private", message: /does not deny requests without TLS/ },
      {
        title: "replication of the backups to a bucket outside the stack",
        stack: () => [...validStack(), replication({ bucket: "arn:aws:s3:::exfiltration-target" })],
        policy: "recovery-backup-bucket-private",
        message: /replicates to arn:aws:s3:::exfiltration-target, not a backup bucket of this stack/,
      },
      {
        title: "replication to another account (even into the stack's own bucket name)",
        stack: () => [...validStack(), replication({ bucket: BUCKET_ARN, account: "999999999999" })],
        policy: "recovery-backup-bucket-private",
        message: /replicates to account 999999999999/,
      },
    ]);

    it("an Allow to everyone is blocked by this policy and the storage policy", () => {
      const verdicts = judge(bucketPolicyWith({ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: `${BUCKET_ARN}/*` }));
      assert.deepEqual(policiesOf(verdicts), ["recovery-backup-bucket-private", "storage-bucket-policy-restricted"]);
    });
  });

  describe("the backups have a key of their own", () => {
    itBlocks([
      {
        title: "SSE-S3 (AES256) instead of KMS",
        stack: () => withInput(validStack(), "dr-backups-encryption", "rules", [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }]),
        policy: "recovery-backup-bucket-own-key",
        message: /encrypted with AES256, not aws:kms/,
      },
      {
        title: "the AWS managed key (aws/s3)",
        stack: () => withInput(validStack(), "dr-backups-encryption", "rules", [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: "alias/aws/s3" } }]),
        policy: "recovery-backup-bucket-own-key",
        message: /not a key of this stack/,
      },
      {
        title: "the audit log's key shared with the backups",
        stack: () =>
          change(validStack(), "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "dr-backups-encryption", (props, fixture) => {
            props["rules"] = [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: "flightpro-production-audit-key" } }];
            fixture.dependsOn = ["flightpro-production-audit-key"];
          }),
        policy: "recovery-backup-bucket-own-key",
        message: /shares its key flightpro-production-audit-key/,
      },
    ]);
  });

  describe("the backup writer can only write", () => {
    itBlocks([
      { title: "s3:GetObject on the backups", stack: () => writerAlso({ Effect: "Allow", Action: "s3:GetObject", Resource: `${BUCKET_ARN}/*` }), policy: "recovery-backup-writer-write-only", message: /may s3:GetObject .*: it may only put backup objects/ },
      {
        title: "s3:List* on every bucket (reads other data's names)",
        stack: () => writerAlso({ Effect: "Allow", Action: "s3:List*", Resource: "*" }),
        policy: "recovery-backup-writer-write-only",
        message: /may s3:List/,
      },
      {
        title: "kms:Decrypt without the kms:ViaService condition (decrypts backups directly)",
        stack: () => writerAlso({ Effect: "Allow", Action: "kms:Decrypt", Resource: `arn:aws:kms:us-east-1:${ACCOUNT}:key/backups` }),
        policy: "recovery-backup-writer-write-only",
        message: /may kms:Decrypt outside S3/,
      },
      {
        title: "an extra service (secretsmanager:GetSecretValue)",
        stack: () => writerAlso({ Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:stripe` }),
        policy: "recovery-backup-writer-write-only",
        message: /secretsmanager:GetSecretValue .*beyond what writing backups needs/,
      },
      {
        title: "s3:PutObject on every bucket (overwrites other data)",
        stack: () => writerAlso({ Effect: "Allow", Action: "s3:PutObject", Resource: "arn:aws:s3:::*/*" }),
        policy: "recovery-backup-writer-write-only",
        message: /may put objects into arn:aws:s3:::\*\/\*.*only into the backup buckets/,
      },
      {
        title: "ssm:GetParameter on every parameter (reads every secret in Parameter Store)",
        stack: () => writerAlso({ Effect: "Allow", Action: "ssm:GetParameter", Resource: `arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/*` }),
        policy: "recovery-backup-writer-write-only",
        message: /may read SSM parameters arn:aws:ssm:us-east-1:123456789012:parameter\/\*/,
        alsoBy: ["metrics-bridge-secrets-protected"],
      },
      {
        title: "an AWS managed policy attached",
        stack: () =>
          [
            ...validStack(),
            {
              type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
              name: "dr-writer-readonly",
              props: { role: "flightpro-production-dr-jobs-writer", policyArn: "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess" },
              dependsOn: ["dr-writer"],
            },
          ] satisfies Fixture[],
        policy: "recovery-backup-writer-write-only",
        message: /AWS managed policy arn:aws:iam::aws:policy\/AmazonS3ReadOnlyAccess/,
        alsoBy: ["iam-role-permissions-least-privilege"],
      },
    ]);
  });

  describe("the restore drill ran recently and passed", () => {
    itBlocks([
      {
        title: "the drill last passed 20 days ago",
        stack: () => withInput(validStack(), REGISTER_FIXTURE, "insecureValue", passedRecord("2026-10-21T06:20:00Z")),
        policy: "recovery-restore-drill-recent",
        message: /last passed 2026-10-21T06:20:00Z, 20 days ago; at most 8 days/,
      },
      {
        title: "the newest drill failed",
        stack: () =>
          withInput(
            validStack(),
            REGISTER_FIXTURE,
            "insecureValue",
            JSON.stringify({ ...JSON.parse(passedRecord("2026-11-08T06:20:00Z")), status: "failed", lastRun: "2026-11-09T06:20:00Z", failure: "pg_restore: error: input file is too short" }),
          ),
        policy: "recovery-restore-drill-recent",
        message: /failed: pg_restore: error: input file is too short/,
      },
      {
        title: "a restore longer than the RTO",
        stack: () => withInput(validStack(), REGISTER_FIXTURE, "insecureValue", passedRecord("2026-11-09T06:27:00Z", 5 * 3600)),
        policy: "recovery-restore-drill-recent",
        message: /restored in 18000 s, longer than the RTO \(14400 s\)/,
      },
      {
        title: "a drill register that has never seen a pass",
        stack: () => withInput(validStack(), REGISTER_FIXTURE, "insecureValue", JSON.stringify({ status: "never-run" })),
        policy: "recovery-restore-drill-recent",
        message: /has never passed/,
      },
      {
        title: "the drill's schedule disabled",
        stack: () => withInput(validStack(), "dr-drill-schedule", "state", "DISABLED"),
        policy: "recovery-restore-drill-recent",
        message: /no enabled schedule starts a restore drill/,
        alsoBy: ["metrics-alarm-metric-published"],
      },
      {
        title: "the drill monthly (cron on the first of the month)",
        stack: () => withInput(validStack(), "dr-drill-schedule", "scheduleExpression", "cron(17 6 1 * ? *)"),
        policy: "recovery-restore-drill-recent",
        message: /no enabled schedule starts a restore drill/,
      },
      {
        title: "a last pass in the future",
        stack: () => withInput(validStack(), REGISTER_FIXTURE, "insecureValue", passedRecord("2026-12-24T00:00:00Z")),
        policy: "recovery-restore-drill-recent",
        message: /is in the future/,
      },
    ]);

    it("the same register judged later with the pack's clock: passed in a window, blocked 9 days after the drill", () => {
      assert.deepEqual(judge(validStack(), { now: IN_WINDOW, policies: recoveryPolicies }), []);
      const verdicts = judge(validStack(), { now: "2026-11-18T16:00:00Z", policies: recoveryPolicies });
      assert.deepEqual(policiesOf(verdicts), ["recovery-restore-drill-recent"]);
    });
  });

  describe("the backup database role only reads", () => {
    itBlocks([
      {
        title: "INSERT on the tables",
        stack: () => withInput(validStack(), "dr-db-backup-migrations-tables", "privileges", ["SELECT", "INSERT"]),
        policy: "recovery-backup-role-read-only",
        message: /backup role flightpro_backup is granted INSERT/,
      },
    ]);
  });
});
