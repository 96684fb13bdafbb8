import { stackPolicy, StackResource, UnknownInputError } from "../lib/define";
import { stackAccounts } from "../lib/keys";
import { accountOf, coversAction, coversResource, isAllow, statementLabel } from "../lib/policyDocument";
import { identityPolicyDocuments } from "../lib/roles";
import { asArray, asRecord, knownString } from "../lib/values";
import { BUCKET, auditBuckets, bucketPolicyDocuments, companionsOf } from "./audit";

const TOPICS = ["storage", "least-privilege"];
const BUCKET_ACL = "aws:s3/bucketAcl:BucketAcl";

/**
 * Canned ACLs that grant anyone but the bucket owner (S3 User Guide, "Access control list (ACL)
 * overview", Canned ACL): public-read, public-read-write, authenticated-read, aws-exec-read,
 * log-delivery-write (the log delivery group may write).
 */
const OPEN_CANNED_ACLS = ["public-read", "public-read-write", "authenticated-read", "aws-exec-read", "log-delivery-write"];

/** Actions nobody may be allowed on the audit bucket: they delete records or lift the protections that keep them. */
export const AUDIT_PROTECTED_ACTIONS = [
  "s3:DeleteObject",
  "s3:DeleteObjectVersion",
  "s3:DeleteBucket",
  "s3:PutBucketPolicy",
  "s3:DeleteBucketPolicy",
  "s3:PutBucketObjectLockConfiguration",
  "s3:PutObjectRetention",
  "s3:PutObjectLegalHold",
  "s3:BypassGovernanceRetention",
  "s3:PutLifecycleConfiguration",
  "s3:PutBucketVersioning",
  "s3:PutBucketAcl",
  "s3:PutObjectAcl",
];

function bucketName(bucket: StackResource): string {
  return knownString(bucket.props["bucket"]) ?? bucket.name;
}

export const bucketPolicyRestricted = stackPolicy<{ bucketNames: string[]; accountIds: string[] }>(
  {
    name: "storage-bucket-policy-restricted",
    description:
      "Bucket policies and ACLs grant nothing to the public or to other accounts: no Allow to Principal \"*\" / {AWS: \"*\"} or with NotPrincipal, no account outside the stack's, no public or cross-account ACL grant; " +
      "and on the audit bucket no statement, in the bucket policy or in any identity's permissions (a role's, an IAM user's or group's, a managed policy of the stack whether attached here or not), allows anyone to delete records or lift their protection (DeleteObject, PutBucketPolicy, object lock, BypassGovernanceRetention, lifecycle, versioning). " +
      'Spec, Compliance & Audit: "Deployment Audit Log … exported to S3 (7 years)"; "HIPAA: Deployment logs retained, access controls".',
    severity: "critical",
    remediation: [
      "Keep only Deny statements in the audit bucket's policy (TLS only, no deletion); grant writers through their IAM role, not the bucket policy.",
      "Remove Allow statements for \"*\", NotPrincipal and other accounts; keep ACLs private (objectOwnership BucketOwnerEnforced).",
    ],
    topics: TOPICS,
  },
  {
    config: {
      defaults: { bucketNames: ["*audit*"], accountIds: [] },
      schema: {
        bucketNames: { type: "array", items: { type: "string" }, minItems: 1, description: "Globs matching the audit bucket(s), whose records nobody may be allowed to delete." },
        accountIds: { type: "array", items: { type: "string", pattern: "^\\d{12}$" }, description: "The stack's AWS account(s); empty: the account the stack's key policies give to root." },
      },
    },
    requires: BUCKET,
    validate(resources, settings, report) {
      const accounts = stackAccounts(resources, settings.accountIds);
      const audit = new Set(auditBuckets(resources, { bucketNames: settings.bucketNames }).map((bucket) => bucket.urn));
      let unknown = false;
      for (const bucket of resources) {
        if (bucket.type !== BUCKET) continue;
        const name = bucketName(bucket);
        for (const { urn, document } of bucketPolicyDocuments(bucket, resources)) {
          if (document.kind === "unknown") {
            unknown = true;
            continue;
          }
          if (document.kind === "invalid") {
            report(`the policy of bucket ${name} ${document.reason}: it cannot be judged`, urn);
            continue;
          }
          for (const statement of document.statements.filter(isAllow)) {
            const label = `bucket ${name} ${statementLabel(statement)}`;
            if (statement.notPrincipal) report(`${label} allows everyone but its NotPrincipal`, urn);
            const principal = statement.principal;
            if (principal?.everyone) report(`${label} allows any principal ("*")`, urn);
            for (const aws of principal?.aws ?? []) {
              const account = accountOf(aws);
              if (account === undefined || !accounts.has(account)) report(`${label} allows ${aws}, outside the stack's account (${[...accounts].join(", ") || "unknown"})`, urn);
            }
            if ((principal?.canonicalUser.length ?? 0) > 0 || (principal?.federated.length ?? 0) > 0) report(`${label} allows canonical-user or federated principals`, urn);
            if (audit.has(bucket.urn)) {
              const protectedActions = AUDIT_PROTECTED_ACTIONS.filter((action) => coversAction(statement, action));
              if (protectedActions.length > 0) report(`${label} allows ${protectedActions.join(", ")} on the audit bucket`, urn);
            }
          }
        }
        const acls = [bucket, ...companionsOf(bucket, BUCKET_ACL, resources)];
        for (const holder of acls) {
          const canned = knownString(holder.props["acl"]);
          if (canned !== undefined && OPEN_CANNED_ACLS.includes(canned)) report(`bucket ${name} has the canned ACL ${canned}: it grants others than the owner`, holder.urn);
          const ownerId = knownString(asRecord(asRecord(holder.props["accessControlPolicy"])?.["owner"])?.["id"]);
          const grants = [...asArray(holder.props["grants"]), ...asArray(asRecord(holder.props["accessControlPolicy"])?.["grants"])];
          for (const grant of grants) {
            const record = asRecord(grant);
            const grantee = asRecord(record?.["grantee"]) ?? record;
            const type = knownString(grantee?.["type"]);
            const id = knownString(grantee?.["id"]);
            if (type === "Group" || type === "AmazonCustomerByEmail" || (type === "CanonicalUser" && (ownerId === undefined || id !== ownerId))) {
              report(`bucket ${name} has an ACL grant to ${type}${knownString(grantee?.["uri"]) ? ` ${knownString(grantee?.["uri"])}` : id ? ` ${id}` : ""}`, holder.urn);
            }
          }
        }
      }
      // The same actions granted from the other side: any identity's own permissions on the audit bucket (a
      // role's, an IAM user's or group's, or a managed policy the stack declares, attached here or not).
      const auditArns = resources.filter((r) => audit.has(r.urn)).map((bucket) => `arn:aws:s3:::${bucketName(bucket)}`);
      for (const source of identityPolicyDocuments(resources)) {
        if (source.document.kind !== "document") continue;
        for (const statement of source.document.statements.filter(isAllow)) {
          const reaches = auditArns.some((arn) => coversResource(statement, arn) || coversResource(statement, `${arn}/any/object`));
          if (!reaches) continue;
          const protectedActions = AUDIT_PROTECTED_ACTIONS.filter((action) => coversAction(statement, action));
          if (protectedActions.length > 0) report(`${source.label} allows ${protectedActions.join(", ")} on the audit bucket (${statementLabel(statement)})`, source.urn);
        }
      }
      if (unknown) throw new UnknownInputError("a bucket policy");
    },
  },
);

export const bucketPolicies = [bucketPolicyRestricted];
