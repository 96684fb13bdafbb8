import { dependsOn, resourcePolicy, stackPolicy, StackResource, UnknownInputError } from "../lib/define";
import { anyGlobMatch } from "../lib/glob";
import { asArray, asRecord, at, isRecord, isUnknown, jsonDocument, knownNumber, knownString, Plain, PlainRecord } from "../lib/values";

export const BUCKET = "aws:s3/bucket:Bucket";
export const BUCKET_VERSIONING = "aws:s3/bucketVersioning:BucketVersioning";
export const BUCKET_OBJECT_LOCK = "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration";
export const BUCKET_ENCRYPTION = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration";
export const BUCKET_PUBLIC_ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock";
export const BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy";
export const BUCKET_LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration";
export const KMS_KEY = "aws:kms/key:Key";
export const IAM_ROLE = "aws:iam/role:Role";

const TOPICS = ["audit-log", "compliance"];
const SPEC_AUDIT = 'Spec, Compliance & Audit: "Deployment Audit Log … Stored: GitHub Actions logs (90 days), exported to S3 (7 years)"';

interface BucketSettings {
  bucketNames: string[];
}
const bucketNamesSchema = {
  type: "array",
  items: { type: "string" },
  minItems: 1,
  description: "Globs matched against an S3 bucket's name or logical name to find the audit log bucket(s).",
} as const;
const bucketDefaults: BucketSettings = { bucketNames: ["*audit*"] };

export function auditBuckets(resources: StackResource[], settings: BucketSettings): StackResource[] {
  return resources.filter(
    (r) => r.type === BUCKET && (anyGlobMatch(settings.bucketNames, r.name) || anyGlobMatch(settings.bucketNames, knownString(r.props["bucket"]) ?? "")),
  );
}

/** The resources of `type` that configure `bucket` (by bucket name, or by depending on the bucket). */
export function companionsOf(bucket: StackResource, type: string, resources: StackResource[]): StackResource[] {
  const name = knownString(bucket.props["bucket"]);
  return resources.filter((r) => r.type === type && ((name !== undefined && r.props["bucket"] === name) || dependsOn(r, bucket.urn, "bucket")));
}

/** A stack policy judging each audit bucket; not applicable when the stack has none. */
function perAuditBucket<C extends BucketSettings>(
  check: (bucket: StackResource, resources: StackResource[], settings: C, report: (message: string, urn?: string) => void) => void,
) {
  return (resources: StackResource[], settings: C, report: (message: string, urn?: string) => void, args: { notApplicable(reason?: string): never }) => {
    const buckets = auditBuckets(resources, settings);
    if (buckets.length === 0) args.notApplicable("no audit log bucket in this stack");
    for (const bucket of buckets) check(bucket, resources, settings, report);
  };
}

export const auditBucketDeclared = stackPolicy<BucketSettings & { required: boolean }>(
  {
    name: "audit-log-bucket-declared",
    description: `Every deployment leaves a record kept for years. ${SPEC_AUDIT}.`,
    severity: "high",
    remediation: ["Declare the audit log (flightdeck:audit in the stack config): the bucket, its key and the deploy jobs' writer role."],
    topics: TOPICS,
  },
  {
    config: {
      defaults: { ...bucketDefaults, required: true },
      schema: { bucketNames: bucketNamesSchema, required: { type: "boolean", description: "Whether the stack must declare an audit log bucket." } },
    },
    validate(resources, settings, report, args) {
      if (!settings.required) args.notApplicable("an audit log is not required for this stack");
      if (auditBuckets(resources, settings).length === 0) report(`no S3 bucket matching ${settings.bucketNames.join(", ")}: deployments leave no durable record`);
    },
  },
);

export const auditBucketVersioned = stackPolicy<BucketSettings>(
  {
    name: "audit-bucket-versioning-enabled",
    description: `Audit records cannot be overwritten silently; object lock needs versioning. ${SPEC_AUDIT}.`,
    severity: "high",
    remediation: ["Declare an aws.s3.BucketVersioning for the bucket with versioningConfiguration.status Enabled."],
    topics: TOPICS,
  },
  {
    config: { defaults: bucketDefaults, schema: { bucketNames: bucketNamesSchema } },
    requires: BUCKET,
    validate: perAuditBucket((bucket, resources, _settings, report) => {
      const versioning = companionsOf(bucket, BUCKET_VERSIONING, resources);
      if (!versioning.some((v) => at(v.props, "versioningConfiguration.status") === "Enabled")) {
        report(versioning.length === 0 ? "the audit bucket has no versioning configuration" : "the audit bucket's versioning is not Enabled", versioning[0]?.urn ?? bucket.urn);
      }
    }),
  },
);

const MODE_STRENGTH: Record<string, number> = { GOVERNANCE: 1, COMPLIANCE: 2 };

/** Retention of an object lock configuration, in days (years count 365 days), or undefined. */
export function lockRetentionDays(lock: StackResource): { mode?: string; days?: number } {
  const retention = asRecord(at(lock.props, "rule.defaultRetention"));
  const days = knownNumber(retention?.["days"]);
  const years = knownNumber(retention?.["years"]);
  return { mode: knownString(retention?.["mode"]), days: days ?? (years !== undefined ? years * 365 : undefined) };
}

export const auditBucketObjectLock = stackPolicy<BucketSettings & { mode: string; minDays: number }>(
  {
    name: "audit-bucket-object-lock-retained",
    description: `Audit records cannot be deleted before their retention ends: object lock, COMPLIANCE mode, 7 years (2557 days) in production. ${SPEC_AUDIT}.`,
    severity: "critical",
    remediation: [
      "Create the bucket with objectLockEnabled: true (it cannot be turned on later without support).",
      "Declare an aws.s3.BucketObjectLockConfiguration with rule.defaultRetention { mode: COMPLIANCE, days: 2557 } (audit.retention in the stack config).",
    ],
    topics: TOPICS,
  },
  {
    config: {
      defaults: { ...bucketDefaults, mode: "COMPLIANCE", minDays: 2557 },
      schema: {
        bucketNames: bucketNamesSchema,
        mode: { type: "string", enum: ["COMPLIANCE", "GOVERNANCE"], description: "Weakest retention mode allowed (COMPLIANCE is stronger than GOVERNANCE)." },
        minDays: { type: "integer", minimum: 1, description: "Shortest default retention allowed, in days." },
      },
    },
    requires: BUCKET,
    validate: perAuditBucket((bucket, resources, settings, report) => {
      if (bucket.props["objectLockEnabled"] !== true) report("the audit bucket is created without objectLockEnabled: true", bucket.urn);
      const locks = companionsOf(bucket, BUCKET_OBJECT_LOCK, resources);
      if (locks.length === 0) {
        report("the audit bucket has no object lock configuration", bucket.urn);
        return;
      }
      for (const lock of locks) {
        const { mode, days } = lockRetentionDays(lock);
        if ((MODE_STRENGTH[mode ?? ""] ?? 0) < (MODE_STRENGTH[settings.mode] ?? 2)) {
          report(`object lock mode is ${mode ?? "not set"}; ${settings.mode} required`, lock.urn);
        }
        if (days === undefined || days < settings.minDays) {
          report(`default retention is ${days ?? "not set"} days; at least ${settings.minDays} required`, lock.urn);
        }
      }
    }),
  },
);

export const auditBucketKmsEncrypted = stackPolicy<BucketSettings>(
  {
    name: "audit-bucket-kms-encrypted",
    description: `Audit records are encrypted with a key the account controls (aws:kms), so access to them is logged and revocable. ${SPEC_AUDIT}; "Secrets stored in platform (encrypted at rest)".`,
    severity: "high",
    remediation: ["Declare an aws.s3.BucketServerSideEncryptionConfiguration with sseAlgorithm aws:kms and kmsMasterKeyId set to the audit key."],
    topics: TOPICS,
  },
  {
    config: { defaults: bucketDefaults, schema: { bucketNames: bucketNamesSchema } },
    requires: BUCKET,
    validate: perAuditBucket((bucket, resources, _settings, report) => {
      const configs = companionsOf(bucket, BUCKET_ENCRYPTION, resources);
      const rules = configs.flatMap((c) => asArray(c.props["rules"]).map((rule) => asRecord(at(rule, "applyServerSideEncryptionByDefault"))));
      const kms = rules.some((rule) => {
        const algorithm = knownString(rule?.["sseAlgorithm"]);
        const key = rule?.["kmsMasterKeyId"];
        return (algorithm === "aws:kms" || algorithm === "aws:kms:dsse") && key !== undefined && key !== null && key !== "";
      });
      if (!kms) report(configs.length === 0 ? "the audit bucket has no encryption configuration" : "the audit bucket is not encrypted with aws:kms and a KMS key", configs[0]?.urn ?? bucket.urn);
    }),
  },
);

const PUBLIC_ACCESS_FLAGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];

export const auditBucketPrivate = stackPolicy<BucketSettings>(
  {
    name: "audit-bucket-public-access-blocked",
    description: `Audit records are never public. ${SPEC_AUDIT}; "HIPAA: Deployment logs retained, access controls".`,
    severity: "critical",
    remediation: [`Declare an aws.s3.BucketPublicAccessBlock for the bucket with ${PUBLIC_ACCESS_FLAGS.join(", ")} all true.`],
    topics: TOPICS,
  },
  {
    config: { defaults: bucketDefaults, schema: { bucketNames: bucketNamesSchema } },
    requires: BUCKET,
    validate: perAuditBucket((bucket, resources, _settings, report) => {
      const blocks = companionsOf(bucket, BUCKET_PUBLIC_ACCESS_BLOCK, resources);
      if (blocks.length === 0) {
        report("the audit bucket has no public access block", bucket.urn);
        return;
      }
      const missing = PUBLIC_ACCESS_FLAGS.filter((flag) => !blocks.some((b) => b.props[flag] === true));
      if (missing.length > 0) report(`public access block leaves ${missing.join(", ")} off`, blocks[0]!.urn);
    }),
  },
);

function statementsOf(document: Plain | undefined): PlainRecord[] {
  const statement = asRecord(document)?.["Statement"];
  if (Array.isArray(statement)) return statement.filter(isRecord);
  return isRecord(statement) ? [statement] : [];
}

function valuesOf(value: Plain | undefined): Plain[] {
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
}

function deniesInsecureTransport(statement: PlainRecord): boolean {
  if (statement["Effect"] !== "Deny") return false;
  const bool = asRecord(asRecord(statement["Condition"])?.["Bool"]);
  return valuesOf(bool?.["aws:SecureTransport"]).some((value) => value === "false" || value === false);
}

export const auditBucketTlsOnly = stackPolicy<BucketSettings>(
  {
    name: "audit-bucket-tls-only",
    description: `Audit records travel only over TLS. ${SPEC_AUDIT}; "HIPAA: … access controls".`,
    severity: "high",
    remediation: ['Give the bucket an aws.s3.BucketPolicy with a Deny statement for s3:* on the bucket and its objects when Condition Bool aws:SecureTransport is "false".'],
    topics: TOPICS,
  },
  {
    config: { defaults: bucketDefaults, schema: { bucketNames: bucketNamesSchema } },
    requires: BUCKET,
    validate: perAuditBucket((bucket, resources, _settings, report) => {
      const policies = companionsOf(bucket, BUCKET_POLICY, resources);
      if (policies.length === 0) {
        report("the audit bucket has no bucket policy denying requests without TLS", bucket.urn);
        return;
      }
      for (const policy of policies) {
        if (isUnknown(policy.props["policy"])) throw new UnknownInputError(`${policy.urn} policy`);
      }
      const denies = policies.some((policy) => statementsOf(jsonDocument(policy.props["policy"])).some(deniesInsecureTransport));
      if (!denies) report('the bucket policy does not deny requests where aws:SecureTransport is "false"', policies[0]!.urn);
    }),
  },
);

export const auditBucketLifecycleKeepsRetention = stackPolicy<BucketSettings & { minDays: number }>(
  {
    name: "audit-bucket-lifecycle-keeps-retention",
    description: `No lifecycle rule expires audit records before their retention ends. ${SPEC_AUDIT}.`,
    severity: "high",
    remediation: [
      "Remove expiration and noncurrentVersionExpiration from the lifecycle rules, or set them to at least the retention period.",
      "Transitions to colder storage (glacierAfterDays) are fine.",
    ],
    topics: TOPICS,
  },
  {
    config: {
      defaults: { ...bucketDefaults, minDays: 2557 },
      schema: { bucketNames: bucketNamesSchema, minDays: { type: "integer", minimum: 1, description: "Retention in days no expiration may undercut." } },
    },
    requires: BUCKET,
    validate: perAuditBucket((bucket, resources, settings, report) => {
      const lockDays = companionsOf(bucket, BUCKET_OBJECT_LOCK, resources)
        .map((lock) => lockRetentionDays(lock).days ?? 0)
        .reduce((max, days) => Math.max(max, days), 0);
      const retention = Math.max(settings.minDays, lockDays);
      for (const lifecycle of companionsOf(bucket, BUCKET_LIFECYCLE, resources)) {
        for (const rule of asArray(lifecycle.props["rules"])) {
          const record = asRecord(rule);
          if (!record || record["status"] === "Disabled") continue;
          const id = knownString(record["id"]) ?? "(unnamed rule)";
          const expiration = knownNumber(at(record, "expiration.days"));
          if (expiration !== undefined && expiration < retention) report(`lifecycle rule ${id} expires objects after ${expiration} days, before the ${retention}-day retention`, lifecycle.urn);
          if (knownString(at(record, "expiration.date")) !== undefined) report(`lifecycle rule ${id} expires objects on a fixed date`, lifecycle.urn);
          const noncurrent = knownNumber(at(record, "noncurrentVersionExpiration.noncurrentDays"));
          if (noncurrent !== undefined && noncurrent < retention) {
            report(`lifecycle rule ${id} expires noncurrent versions after ${noncurrent} days, before the ${retention}-day retention`, lifecycle.urn);
          }
        }
      }
    }),
  },
);

/** KMS keys the bucket's encryption uses (by id/ARN, or by dependency). */
function keysOf(bucket: StackResource, resources: StackResource[]): StackResource[] {
  const configs = companionsOf(bucket, BUCKET_ENCRYPTION, resources);
  const keyRefs = configs.flatMap((c) => asArray(c.props["rules"]).map((rule) => knownString(at(rule, "applyServerSideEncryptionByDefault.kmsMasterKeyId"))));
  return resources.filter(
    (r) =>
      r.type === KMS_KEY &&
      (configs.some((c) => dependsOn(c, r.urn, "rules")) ||
        keyRefs.some((ref) => ref !== undefined && (ref === knownString(r.props["arn"]) || ref === knownString(r.props["keyId"])))),
  );
}

export const auditResourcesProtected = stackPolicy<BucketSettings & { requireProtect: boolean }>(
  {
    name: "audit-resources-protected",
    description: `The audit bucket and its KMS key cannot be deleted by a pulumi destroy or a refactoring. ${SPEC_AUDIT}.`,
    severity: "high",
    remediation: ["Set audit.protect: true in the stack config (resource options protect and retainOnDelete on the bucket and its key)."],
    topics: TOPICS,
  },
  {
    config: {
      defaults: { ...bucketDefaults, requireProtect: true },
      schema: { bucketNames: bucketNamesSchema, requireProtect: { type: "boolean", description: "Whether the bucket and key must have the protect option." } },
    },
    requires: BUCKET,
    validate(resources, settings, report, args) {
      if (!settings.requireProtect) args.notApplicable("protection not required for this stack");
      perAuditBucket<BucketSettings & { requireProtect: boolean }>((bucket, all, _settings, reportIt) => {
        if (!bucket.protect) reportIt(`audit bucket ${bucket.name} is not protected (resource option protect)`, bucket.urn);
        const keys = keysOf(bucket, all);
        if (keys.length === 0) reportIt(`no KMS key of this stack encrypts audit bucket ${bucket.name}`, bucket.urn);
        for (const key of keys) if (!key.protect) reportIt(`KMS key ${key.name} of the audit bucket is not protected (resource option protect)`, key.urn);
      })(resources, settings, report, args);
    },
  },
);

const GITHUB_OIDC = "token.actions.githubusercontent.com";
const SUBJECT = /^repo:[^/*?:\s]+\/[^/*?:\s]+:environment:[^*?:\s]+$/;

export const oidcRoleTrustPinned = resourcePolicy(
  {
    name: "audit-oidc-role-trust-pinned",
    description:
      'Only the deploy jobs of one repository and environment can assume the audit writer role. Spec, Compliance: "PCI: Production access restricted"; ' +
      'Audit log "Who deployed: GitHub user … Where: Environment". A wildcard subject lets any branch, fork workflow or repository write records.',
    severity: "critical",
    remediation: [
      `Trust only Federated ${GITHUB_OIDC}, with Condition StringEquals ${GITHUB_OIDC}:sub = repo:<owner>/<repo>:environment:<environment> and ${GITHUB_OIDC}:aud = sts.amazonaws.com.`,
      "Do not use StringLike or wildcards on these keys.",
    ],
    topics: [...TOPICS, "identity"],
  },
  {
    types: [IAM_ROLE],
    validate({ props }, _settings, report, args) {
      const raw = props["assumeRolePolicy"];
      if (isUnknown(raw)) throw new UnknownInputError("assumeRolePolicy");
      const statements = statementsOf(jsonDocument(raw)).filter((statement) =>
        valuesOf(asRecord(statement["Principal"])?.["Federated"]).some((principal) => typeof principal === "string" && principal.includes(GITHUB_OIDC)),
      );
      if (statements.length === 0) args.notApplicable("the role does not trust GitHub's OIDC provider");
      for (const statement of statements) {
        if (statement["Effect"] !== "Allow") continue;
        const condition = asRecord(statement["Condition"]) ?? {};
        const looseKeys = new Set<string>();
        for (const [operator, keys] of Object.entries(condition)) {
          if (operator === "StringEquals") continue;
          const loose = Object.keys(asRecord(keys) ?? {}).filter((key) => key.startsWith(`${GITHUB_OIDC}:`));
          loose.forEach((key) => looseKeys.add(key));
          if (loose.length > 0) report(`${operator} on ${loose.join(", ")}: only StringEquals with exact values pins the role`);
        }
        const equals = asRecord(condition["StringEquals"]) ?? {};
        const subjects = valuesOf(equals[`${GITHUB_OIDC}:sub`]);
        if (subjects.length === 0 && !looseKeys.has(`${GITHUB_OIDC}:sub`)) report(`no StringEquals condition on ${GITHUB_OIDC}:sub: any GitHub workflow can assume the role`);
        for (const subject of subjects) {
          if (typeof subject !== "string" || !SUBJECT.test(subject)) {
            report(`subject ${JSON.stringify(subject)} is not an exact repo:<owner>/<repo>:environment:<environment>`);
          }
        }
        const audiences = valuesOf(equals[`${GITHUB_OIDC}:aud`]);
        if ((audiences.length === 0 && !looseKeys.has(`${GITHUB_OIDC}:aud`)) || audiences.some((audience) => audience !== "sts.amazonaws.com")) {
          report(`${GITHUB_OIDC}:aud must be exactly sts.amazonaws.com (got ${JSON.stringify(audiences)})`);
        }
      }
    },
  },
);

export const auditPolicies = [
  auditBucketDeclared,
  auditBucketVersioned,
  auditBucketObjectLock,
  auditBucketKmsEncrypted,
  auditBucketPrivate,
  auditBucketTlsOnly,
  auditBucketLifecycleKeepsRetention,
  auditResourcesProtected,
  oidcRoleTrustPinned,
];
