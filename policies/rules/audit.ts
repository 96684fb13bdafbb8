import { dependsOn, resourcePolicy, stackPolicy, StackResource, UnknownInputError } from "../lib/define";
import { anyGlobMatch } from "../lib/glob";
import { GITHUB_OIDC_AUDIENCE, GITHUB_OIDC_HOST, environmentSubject, trustsGithub } from "../lib/githubOidc";
import { coversWholeService } from "../lib/iamActions";
import { KMS_KEY as KEY_TYPE, resolveKey } from "../lib/keys";
import { conditionsOn, coversResource, ParsedDocument, parsePolicyDocument, pinsExactly, Statement, statementLabel } from "../lib/policyDocument";
import { currentStack } from "../lib/stack";
import { asArray, asRecord, at, isUnknown, knownNumber, knownString, Plain } from "../lib/values";

export const BUCKET = "aws:s3/bucket:Bucket";
export const BUCKET_VERSIONING = "aws:s3/bucketVersioning:BucketVersioning";
export const BUCKET_OBJECT_LOCK = "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration";
export const BUCKET_ENCRYPTION = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration";
export const BUCKET_PUBLIC_ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock";
export const BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy";
export const BUCKET_LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration";
export const KMS_KEY = KEY_TYPE;
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
    description: `The stack declares the deployment audit-log bucket, so every deployment leaves a record kept for years. ${SPEC_AUDIT}.`,
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
      // The bucket's own (deprecated, still applied) `versioning.enabled` is the same setting written another way.
      const inline = at(bucket.props, "versioning.enabled") === true;
      if (!inline && !versioning.some((v) => at(v.props, "versioningConfiguration.status") === "Enabled")) {
        report(versioning.length === 0 ? "the audit bucket has no versioning configuration" : "the audit bucket's versioning is not Enabled", versioning[0]?.urn ?? bucket.urn);
      }
    }),
  },
);

const MODE_STRENGTH: Record<string, number> = { GOVERNANCE: 1, COMPLIANCE: 2 };

/** Retention of an object lock configuration (a companion resource or the bucket's inline block), in days. */
export function lockRetentionDays(lock: { props: Record<string, Plain> }, path = "rule.defaultRetention"): { mode?: string; days?: number } {
  const retention = asRecord(at(lock.props, path));
  const days = knownNumber(retention?.["days"]);
  const years = knownNumber(retention?.["years"]);
  // S3 keeps a version `years` calendar years (retain-until date = creation + years), which span leap days:
  // counted as 365.25 days each, so 7 years meets the spec's 2557 days.
  return { mode: knownString(retention?.["mode"]), days: days ?? (years !== undefined ? Math.ceil(years * 365.25) : undefined) };
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
      const inline = asRecord(bucket.props["objectLockConfiguration"]);
      if (bucket.props["objectLockEnabled"] !== true && inline?.["objectLockEnabled"] !== "Enabled") report("the audit bucket is created without objectLockEnabled: true", bucket.urn);
      const locks: { urn: string; retention: { mode?: string; days?: number } }[] = companionsOf(bucket, BUCKET_OBJECT_LOCK, resources).map((lock) => ({ urn: lock.urn, retention: lockRetentionDays(lock) }));
      if (inline && at(inline, "rule.defaultRetention") !== undefined) locks.push({ urn: bucket.urn, retention: lockRetentionDays(bucket, "objectLockConfiguration.rule.defaultRetention") });
      if (locks.length === 0) {
        report("the audit bucket has no object lock configuration", bucket.urn);
        return;
      }
      for (const lock of locks) {
        const { mode, days } = lock.retention;
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
      rules.push(asRecord(at(bucket.props, "serverSideEncryptionConfiguration.rule.applyServerSideEncryptionByDefault")));
      const kms = rules.some((rule) => {
        const algorithm = knownString(rule?.["sseAlgorithm"]);
        const key = rule?.["kmsMasterKeyId"];
        return (algorithm === "aws:kms" || algorithm === "aws:kms:dsse") && key !== undefined && key !== null && key !== "";
      });
      if (!kms) report(configs.length === 0 && bucket.props["serverSideEncryptionConfiguration"] === undefined ? "the audit bucket has no encryption configuration" : "the audit bucket is not encrypted with aws:kms and a KMS key", configs[0]?.urn ?? bucket.urn);
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

/** Every bucket policy document of a bucket: its BucketPolicy resources and the bucket's own `policy` input. */
export function bucketPolicyDocuments(bucket: StackResource, resources: StackResource[]): { urn: string; document: ParsedDocument }[] {
  const documents = companionsOf(bucket, BUCKET_POLICY, resources).map((policy) => ({ urn: policy.urn, document: parsePolicyDocument(policy.props["policy"]) }));
  if (bucket.props["policy"] !== undefined && bucket.props["policy"] !== null) documents.push({ urn: bucket.urn, document: parsePolicyDocument(bucket.props["policy"]) });
  return documents;
}

/**
 * The TLS-only statement AWS documents (S3 User Guide, "Enforce encryption in transit"; IAM condition
 * operators page, Boolean example): Deny, every principal, every S3 action, the bucket and all its
 * objects, when aws:SecureTransport is "false". Any further condition would narrow the Deny (conditions
 * are ANDed), and a NotPrincipal would exempt someone: neither counts.
 */
export function deniesInsecureTransport(statement: Statement, bucketName: string): boolean {
  if (statement.effect !== "Deny" || statement.notPrincipal || !statement.principal?.everyone) return false;
  if (!(statement.actions ?? []).some((pattern) => coversWholeService(pattern) && (pattern.trim() === "*" || /^s3:/i.test(pattern.trim())))) return false;
  const bucket = `arn:aws:s3:::${bucketName}`;
  if (!coversResource(statement, bucket) || !coversResource(statement, `${bucket}/any/object`)) return false;
  if (statement.conditions.length !== 1) return false;
  const [condition] = statement.conditions;
  return condition!.test === "bool" && condition!.qualifier === undefined && condition!.key === "aws:securetransport" && condition!.values.length > 0 && condition!.values.every((value) => value.toLowerCase() === "false");
}

export const auditBucketTlsOnly = stackPolicy<BucketSettings>(
  {
    name: "audit-bucket-tls-only",
    description: `Audit records travel only over TLS: the bucket policy denies every S3 action on the bucket and its objects to everyone when aws:SecureTransport is false, with no condition or exception that narrows it. ${SPEC_AUDIT}; "HIPAA: … access controls".`,
    severity: "high",
    remediation: [
      'Give the bucket an aws.s3.BucketPolicy with a statement {Effect: Deny, Principal: "*", Action: "s3:*", Resource: [bucket ARN, bucket ARN + "/*"], Condition: {Bool: {"aws:SecureTransport": "false"}}}.',
      "Do not add other conditions or a NotPrincipal to that statement.",
    ],
    topics: TOPICS,
  },
  {
    config: { defaults: bucketDefaults, schema: { bucketNames: bucketNamesSchema } },
    requires: BUCKET,
    validate: perAuditBucket((bucket, resources, _settings, report) => {
      const documents = bucketPolicyDocuments(bucket, resources);
      if (documents.length === 0) {
        report("the audit bucket has no bucket policy denying requests without TLS", bucket.urn);
        return;
      }
      const name = knownString(bucket.props["bucket"]);
      if (name === undefined || documents.some(({ document }) => document.kind === "unknown")) throw new UnknownInputError(`${bucket.urn} bucket policy`);
      const denies = documents.some(({ document }) => document.kind === "document" && document.statements.some((statement) => deniesInsecureTransport(statement, name)));
      if (!denies) report('no bucket policy statement denies s3:* on the bucket and its objects to everyone when aws:SecureTransport is "false"', documents[0]!.urn);
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
      // The bucket's own (deprecated, still applied) lifecycleRules expire objects just the same.
      asArray(bucket.props["lifecycleRules"]).forEach((rule, index) => {
        const record = asRecord(rule);
        if (!record || record["enabled"] === false) return;
        const id = knownString(record["id"]) ?? `lifecycleRules[${index}]`;
        const expiration = knownNumber(at(record, "expiration.days"));
        if (expiration !== undefined && expiration < retention) report(`lifecycle rule ${id} expires objects after ${expiration} days, before the ${retention}-day retention`, bucket.urn);
        if (knownString(at(record, "expiration.date")) !== undefined) report(`lifecycle rule ${id} expires objects on a fixed date`, bucket.urn);
        const noncurrent = knownNumber(at(record, "noncurrentVersionExpiration.days"));
        if (noncurrent !== undefined && noncurrent < retention) report(`lifecycle rule ${id} expires noncurrent versions after ${noncurrent} days, before the ${retention}-day retention`, bucket.urn);
      });
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

/** KMS keys of this stack the bucket's encryption uses (by dependency, or by an alias of this stack). */
function keysOf(bucket: StackResource, resources: StackResource[]): StackResource[] {
  const keys = new Set<StackResource>();
  for (const config of companionsOf(bucket, BUCKET_ENCRYPTION, resources)) {
    for (const rule of asArray(config.props["rules"])) {
      const key = resolveKey(knownString(at(rule, "applyServerSideEncryptionByDefault.kmsMasterKeyId")) ?? "", resources, config, "rules");
      if (key) keys.add(key);
    }
  }
  const inline = knownString(at(bucket.props, "serverSideEncryptionConfiguration.rule.applyServerSideEncryptionByDefault.kmsMasterKeyId"));
  const key = inline === undefined ? undefined : resolveKey(inline, resources, bucket, "serverSideEncryptionConfiguration");
  if (key) keys.add(key);
  return [...keys];
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

export const auditBucketForceDestroyDisabled = stackPolicy<BucketSettings>(
  {
    name: "audit-bucket-force-destroy-disabled",
    description: `Deleting the stack or the bucket resource never empties the audit bucket: forceDestroy deletes every object (and version) before deleting the bucket. ${SPEC_AUDIT}.`,
    severity: "critical",
    remediation: ["Set forceDestroy: false (or leave it unset) on the audit bucket."],
    topics: TOPICS,
  },
  {
    config: { defaults: bucketDefaults, schema: { bucketNames: bucketNamesSchema } },
    requires: BUCKET,
    validate: perAuditBucket((bucket, _resources, _settings, report) => {
      const forceDestroy = bucket.props["forceDestroy"];
      if (isUnknown(forceDestroy)) throw new UnknownInputError(`${bucket.urn} forceDestroy`);
      if (forceDestroy === true) report(`audit bucket ${bucket.name} has forceDestroy: true: a delete empties it first`, bucket.urn);
    }),
  },
);

/** Whether some condition of the statement pins `key` to exactly `expected` (every listed value equal). */
function pinnedTo(statement: Statement, key: string, accepts: (value: string, ignoreCase: boolean) => boolean): boolean {
  return conditionsOn(statement, key).some(
    (condition) => pinsExactly(condition) && condition.values.every((value) => accepts(value, condition.test === "stringequalsignorecase")),
  );
}

export const oidcRoleTrustPinned = resourcePolicy<{ repository: string; repositoryIds: string; environments: string[] }>(
  {
    name: "audit-oidc-role-trust-pinned",
    description:
      'Only the deploy jobs of the governed repository, in this stack\'s GitHub environment, can assume a role that trusts GitHub: every trust statement naming GitHub\'s OIDC provider pins ' +
      `${GITHUB_OIDC_HOST}:sub to repo:<owner>/<repo>:environment:<environment> (with immutable subject claims, exactly repo:<owner>@<owner id>/<repo>@<repo id>:environment:<environment>) and :aud to ${GITHUB_OIDC_AUDIENCE}, with operators that match exactly (StringEquals; no StringLike wildcards, no ForAnyValue/ForAllValues on these single-valued keys, no …IfExists). ` +
      'Spec, Compliance: "PCI: Production access restricted, deployment approvals required"; Audit log "Who deployed: GitHub user … Where: Environment". A looser subject lets any branch, fork workflow or repository act as the deploy jobs.',
    severity: "critical",
    remediation: [
      `Trust only Federated <the GitHub OIDC provider ARN> for sts:AssumeRoleWithWebIdentity, with Condition StringEquals ${GITHUB_OIDC_HOST}:sub = repo:<owner>/<repo>:environment:<environment> and ${GITHUB_OIDC_HOST}:aud = ${GITHUB_OIDC_AUDIENCE}.`,
      "The repository is the one the pack config names (repository); the environment is the stack's (environments).",
      "A repository with immutable subject claims (github/docs oidc.md, \"Immutable subject claims\"): set flightdeck:github.oidcSubjectIds in the stack config and this policy's repositoryIds (owner-id/repo-id) to the same ids.",
    ],
    topics: [...TOPICS, "identity"],
  },
  {
    types: [IAM_ROLE],
    config: {
      defaults: { repository: "", repositoryIds: "", environments: [] },
      schema: {
        repository: { type: "string", description: "The governed repository, owner/name; empty: any one exact repository." },
        repositoryIds: {
          type: "string",
          pattern: "^(\\d+/\\d+)?$",
          description: "The governed repository's owner id and repository id (owner-id/repo-id) when its OIDC subjects use immutable ids (repo:OWNER@ID/REPO@ID:…); empty for repo:OWNER/REPO:…. Either way, only that one form passes.",
        },
        environments: { type: "array", items: { type: "string" }, description: "GitHub environments the role may be assumed from; empty: the stack's name." },
      },
    },
    validate({ props }, settings, report, args) {
      const trust = parsePolicyDocument(props["assumeRolePolicy"]);
      if (trust.kind === "unknown") throw new UnknownInputError("assumeRolePolicy");
      if (trust.kind !== "document") return args.notApplicable("the trust policy cannot be read (iam-role-trust-restricted reports it)");
      const statements = trust.statements.filter(trustsGithub);
      if (statements.length === 0) args.notApplicable("the role does not trust GitHub's OIDC provider");
      const environments = settings.environments.length > 0 ? settings.environments : [currentStack()];
      const [ownerId, repositoryId] = settings.repositoryIds === "" ? [undefined, undefined] : settings.repositoryIds.split("/");
      const subjectOk = (value: string, ignoreCase: boolean) => {
        // repo:OWNER/REPO:environment:ENV, or repo:OWNER@OWNER-ID/REPO@REPO-ID:environment:ENV (both ids or none).
        const match = /^repo:([^/*?:\s@]+)(?:@(\d+))?\/([^/*?:\s@]+)(?:@(\d+))?:environment:([^*?:\s]+)$/.exec(value);
        if (!match) return false;
        const [, owner, writtenOwnerId, name, writtenRepositoryId, environment] = match;
        if (writtenOwnerId !== ownerId || writtenRepositoryId !== repositoryId) return false;
        const same = (a: string, b: string) => (ignoreCase ? a.toLowerCase() === b.toLowerCase() : a === b);
        return (settings.repository === "" || same(`${owner}/${name}`, settings.repository)) && environments.some((candidate) => same(environment!, candidate));
      };
      const prefix = settings.repository === "" ? "<owner>/<repo>" : settings.repository;
      const expected = environments
        .map((environment) => {
          const [owner, name] = prefix.split("/");
          return ownerId === undefined ? environmentSubject(prefix, environment) : `repo:${owner}@${ownerId}/${name}@${repositoryId}:environment:${environment}`;
        })
        .join(" or ");
      for (const statement of statements) {
        const label = statementLabel(statement);
        if (!pinnedTo(statement, `${GITHUB_OIDC_HOST}:sub`, subjectOk)) {
          const written = conditionsOn(statement, `${GITHUB_OIDC_HOST}:sub`).map((condition) => `${condition.operator} ${JSON.stringify(condition.values)}`);
          report(`${label} does not pin ${GITHUB_OIDC_HOST}:sub to ${expected} with an exact operator (${written.length > 0 ? written.join("; ") : "no condition on it: any GitHub workflow can assume the role"})`);
        }
        if (!pinnedTo(statement, `${GITHUB_OIDC_HOST}:aud`, (value) => value === GITHUB_OIDC_AUDIENCE)) {
          const written = conditionsOn(statement, `${GITHUB_OIDC_HOST}:aud`).map((condition) => `${condition.operator} ${JSON.stringify(condition.values)}`);
          report(`${label}: ${GITHUB_OIDC_HOST}:aud must be exactly ${GITHUB_OIDC_AUDIENCE} (got ${written.length > 0 ? written.join("; ") : "no condition"})`);
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
  auditBucketForceDestroyDisabled,
  oidcRoleTrustPinned,
];
