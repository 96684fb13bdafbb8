import { strict as assert } from "node:assert";
import { RecordedResource, StackRun, inputAt, runSampleStack } from "../harness";
import { audit as auditSchema } from "../../infra/config/schema";
import { auditBucketPolicy, auditLifecycleRules } from "../../infra/aws/auditPolicies";

const BUCKET = "aws:s3/bucket:Bucket";
const KEY = "aws:kms/key:Key";
const LOCK = "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration";
const VERSIONING = "aws:s3/bucketVersioning:BucketVersioning";
const ENCRYPTION = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration";
const PUBLIC_ACCESS = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock";
const OWNERSHIP = "aws:s3/bucketOwnershipControls:BucketOwnershipControls";
const POLICY = "aws:s3/bucketPolicy:BucketPolicy";
const LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration";
const COMPONENT = "flightdeck:aws:AuditLog";

const SEVEN_YEARS_DAYS = 2557;

type Statement = Record<string, unknown>;

function policyStatements(resource: RecordedResource): Statement[] {
  const text = inputAt(resource, "policy");
  assert.equal(typeof text, "string");
  const statements = (JSON.parse(text as string) as { Statement?: unknown }).Statement;
  assert.ok(Array.isArray(statements));
  return statements as Statement[];
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}

describe("AuditLog", () => {
  let production: StackRun;
  let staging: StackRun;
  before(async () => {
    // Without disaster recovery, whose backup buckets would be this spec's only other S3 buckets.
    production = await runSampleStack("production", (raw) => delete raw["disasterRecovery"]);
    staging = await runSampleStack("staging", (raw) => delete raw["disasterRecovery"]);
  });

  it("names the bucket from config and enables object lock on it", () => {
    const bucket = production.one(BUCKET, "-audit-bucket");
    assert.equal(inputAt(bucket, "bucket"), "flightpro-deploy-audit-production");
    assert.equal(inputAt(bucket, "objectLockEnabled"), true);
    assert.equal(inputAt(staging.one(BUCKET, "-audit-bucket"), "bucket"), "flightpro-deploy-audit-staging");
  });

  it("retains records 7 years in COMPLIANCE mode in production", () => {
    const lock = production.one(LOCK);
    assert.equal(inputAt(lock, "rule.defaultRetention.mode"), "COMPLIANCE");
    assert.equal(inputAt(lock, "rule.defaultRetention.days"), SEVEN_YEARS_DAYS);
    assert.equal(inputAt(lock, "bucket"), "flightpro-deploy-audit-production");
  });

  it("retains records in GOVERNANCE mode in staging", () => {
    const lock = staging.one(LOCK);
    assert.equal(inputAt(lock, "rule.defaultRetention.mode"), "GOVERNANCE");
    assert.equal(inputAt(lock, "rule.defaultRetention.days"), 30);
  });

  it("versions the bucket, and turns versioning on before object lock and lifecycle", () => {
    const versioning = production.one(VERSIONING);
    assert.equal(inputAt(versioning, "versioningConfiguration.status"), "Enabled");
    assert.ok(production.one(LOCK).options.dependsOn.includes(versioning.urn));
    assert.ok(production.one(LIFECYCLE).options.dependsOn.includes(versioning.urn));
  });

  it("encrypts with SSE-KMS under its own rotating key, with bucket keys", () => {
    const key = production.one(KEY, "-audit-key");
    assert.equal(inputAt(key, "enableKeyRotation"), true);
    const encryption = production.one(ENCRYPTION);
    assert.equal(inputAt(encryption, "rules[0].applyServerSideEncryptionByDefault.sseAlgorithm"), "aws:kms");
    // The audit key's alias names its key id; the encryption names the key by ARN (…:key/<id>).
    const auditKeyId = String(inputAt(production.one("aws:kms/alias:Alias", "-audit-key-alias"), "targetKeyId"));
    const alertsKeyId = String(inputAt(production.one("aws:kms/alias:Alias", "-alerts-key-alias"), "targetKeyId"));
    assert.notEqual(auditKeyId, alertsKeyId);
    assert.match(String(inputAt(encryption, "rules[0].applyServerSideEncryptionByDefault.kmsMasterKeyId")), new RegExp(`^arn:aws:kms:[a-z0-9-]+:\\d{12}:key/${auditKeyId}$`));
    assert.ok(encryption.options.dependsOn.includes(key.urn), "encryption depends on the audit key");
    assert.equal(inputAt(encryption, "rules[0].bucketKeyEnabled"), true);
  });

  it("blocks every kind of public access and enforces bucket-owner ownership (no ACLs)", () => {
    const block = production.one(PUBLIC_ACCESS);
    for (const field of ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"]) {
      assert.equal(inputAt(block, field), true, field);
    }
    assert.equal(inputAt(production.one(OWNERSHIP), "rule.objectOwnership"), "BucketOwnerEnforced");
  });

  it("denies non-TLS access and the deletion of records or record versions, to everyone", () => {
    const statements = policyStatements(production.one(POLICY));
    const tls = statements.find((s) => JSON.stringify(s["Condition"]) === JSON.stringify({ Bool: { "aws:SecureTransport": "false" } }));
    assert.ok(tls, "a statement conditioned on aws:SecureTransport false");
    assert.equal(tls["Effect"], "Deny");
    assert.equal(tls["Principal"], "*");
    assert.deepEqual(asList(tls["Action"]), ["s3:*"]);
    assert.deepEqual(asList(tls["Resource"]).sort(), ["arn:aws:s3:::flightpro-deploy-audit-production", "arn:aws:s3:::flightpro-deploy-audit-production/*"]);

    const deletion = statements.find((s) => asList(s["Action"]).includes("s3:DeleteObjectVersion"));
    assert.ok(deletion, "a statement about deleting versions");
    assert.equal(deletion["Effect"], "Deny");
    assert.equal(deletion["Principal"], "*");
    assert.equal(deletion["Condition"], undefined, "deletion is denied unconditionally");
    assert.deepEqual(asList(deletion["Action"]).sort(), ["s3:DeleteObject", "s3:DeleteObjectVersion"]);
    assert.deepEqual(asList(deletion["Resource"]), ["arn:aws:s3:::flightpro-deploy-audit-production/*"]);
    assert.equal(statements.filter((s) => s["Effect"] === "Allow").length, 0, "the bucket policy grants nothing");
  });

  it("moves production records to Glacier after 90 days and expires them at 7 years, not before", () => {
    const lifecycle = production.one(LIFECYCLE);
    const rules = inputAt(lifecycle, "rules") as Record<string, unknown>[];
    assert.equal(rules.length, 1);
    assert.equal(inputAt(lifecycle, "rules[0].status"), "Enabled");
    assert.equal(inputAt(lifecycle, "rules[0].filter.prefix"), "deployments/");
    assert.deepEqual(inputAt(lifecycle, "rules[0].transitions"), [{ days: 90, storageClass: "GLACIER" }]);
    assert.equal(inputAt(lifecycle, "rules[0].expiration.days"), SEVEN_YEARS_DAYS);
    assert.equal(inputAt(lifecycle, "rules[0].noncurrentVersionExpiration.noncurrentDays"), SEVEN_YEARS_DAYS);
  });

  it("protects and retains the bucket and its key in production, not in staging", () => {
    for (const resource of [production.one(BUCKET, "-audit-bucket"), production.one(KEY, "-audit-key")]) {
      assert.equal(resource.options.protect, true, resource.name);
      assert.equal(resource.options.retainOnDelete, true, resource.name);
    }
    for (const resource of [staging.one(BUCKET, "-audit-bucket"), staging.one(KEY, "-audit-key")]) {
      assert.equal(resource.options.protect, false, resource.name);
      assert.equal(resource.options.retainOnDelete, false, resource.name);
    }
  });

  it("parents every child to the component and names it after the component", () => {
    const component = production.one(COMPONENT);
    for (const type of [BUCKET, LOCK, VERSIONING, ENCRYPTION, PUBLIC_ACCESS, OWNERSHIP, POLICY, LIFECYCLE]) {
      const child = production.one(type, "");
      assert.equal(child.parent, component.urn, type);
      assert.ok(child.name.startsWith(`${component.name}-`), child.name);
    }
  });

  describe("lifecycle (pure)", () => {
    const settings = (fields: Record<string, unknown>) =>
      auditSchema.parse({ bucketName: "audit-bucket", retention: { mode: "COMPLIANCE", days: 2557 }, ...fields });

    it("never expires a record, current or superseded, before its retention ends", () => {
      for (const days of [1, 30, 365, 2557, 3650]) {
        for (const glacierAfterDays of [1, 30, 90, 4000]) {
          const [rule] = auditLifecycleRules(settings({ retention: { mode: "GOVERNANCE", days }, glacierAfterDays }));
          assert.ok(rule);
          assert.ok(rule.expiration.days >= days, `expiration ${rule.expiration.days} < retention ${days}`);
          assert.ok(rule.noncurrentVersionExpiration.noncurrentDays >= days);
          for (const transition of rule.transitions ?? []) assert.ok(transition.days < rule.expiration.days, "archives before expiring");
        }
      }
    });

    it("skips the Glacier transition when records expire first (staging: 30-day retention, Glacier at 90)", () => {
      const [rule] = auditLifecycleRules(settings({ retention: { mode: "GOVERNANCE", days: 30 }, glacierAfterDays: 90 }));
      assert.equal(rule?.transitions, undefined);
      assert.equal(rule?.expiration.days, 30);
    });

    it("only applies under the records' prefix", () => {
      const [rule] = auditLifecycleRules(settings({ prefix: "audit-records/" }));
      assert.deepEqual(rule?.filter, { prefix: "audit-records/" });
    });

    it("builds the deny statements for the bucket it is given", () => {
      const statements = auditBucketPolicy("other-bucket").Statement;
      assert.deepEqual(statements.map((s) => s.Effect), ["Deny", "Deny"]);
      assert.deepEqual(statements[1]?.Resource, "arn:aws:s3:::other-bucket/*");
    });
  });
});
