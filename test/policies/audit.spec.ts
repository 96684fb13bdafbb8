import { strict as assert } from "node:assert";
import { oidcRoleTrustPinned } from "../../policies/rules/audit";
import { trustPolicy, validStack } from "./fixtures";
import { Fixture, itRejects, judge, runResourcePolicy, withInput, without } from "./judge";

const BUCKET = "flightpro-production-audit-bucket";
const trust = (condition: Record<string, unknown>) => JSON.stringify({ ...trustPolicy, Statement: [{ ...trustPolicy.Statement[0], Condition: condition }] });
const aud = { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" };

describe("policies: audit log", () => {
  it("accept a versioned, locked, KMS-encrypted, private, TLS-only, protected bucket and a pinned writer role", () => {
    assert.deepEqual(judge(validStack()), []);
  });

  it("relax retention and protection with the staging settings", () => {
    let stack = withInput(validStack(), "audit-lock", "rule.defaultRetention", { mode: "GOVERNANCE", days: 30 });
    stack = withInput(stack, "audit-lifecycle", "rules.0.expiration.days", 400);
    stack = stack.map((fixture) => ({ ...fixture, protect: false }));
    const staging = {
      "audit-bucket-object-lock-retained": { mode: "GOVERNANCE", minDays: 30 },
      "audit-bucket-lifecycle-keeps-retention": { minDays: 30 },
      "audit-resources-protected": { requireProtect: false },
    };
    assert.deepEqual(judge(stack, { config: staging }), []);
  });

  it("leave roles that GitHub cannot assume alone", () => {
    const role: Fixture = { type: "aws:iam/role:Role", name: "chatbot", props: { assumeRolePolicy: JSON.stringify({ Statement: [{ Effect: "Allow", Principal: { Service: "chatbot.amazonaws.com" }, Action: "sts:AssumeRole" }] }) } };
    assert.equal(runResourcePolicy(oidcRoleTrustPinned, role), "not applicable");
  });

  itRejects([
    { title: "no audit bucket", stack: () => without(validStack(), BUCKET), policy: "audit-log-bucket-declared", message: /no S3 bucket matching \*audit\*/ },
    { title: "versioning suspended", stack: () => withInput(validStack(), "audit-versioning", "versioningConfiguration.status", "Suspended"), policy: "audit-bucket-versioning-enabled", message: /not Enabled/ },
    { title: "no versioning", stack: () => without(validStack(), "audit-versioning"), policy: "audit-bucket-versioning-enabled", message: /no versioning configuration/ },
    { title: "object lock not enabled on the bucket", stack: () => withInput(validStack(), BUCKET, "objectLockEnabled", false), policy: "audit-bucket-object-lock-retained", message: /objectLockEnabled/ },
    { title: "governance mode in production", stack: () => withInput(validStack(), "audit-lock", "rule.defaultRetention.mode", "GOVERNANCE"), policy: "audit-bucket-object-lock-retained", message: /mode is GOVERNANCE; COMPLIANCE required/ },
    { title: "six years", stack: () => withInput(validStack(), "audit-lock", "rule.defaultRetention", { mode: "COMPLIANCE", years: 6 }), policy: "audit-bucket-object-lock-retained", message: /2190 days; at least 2557/ },
    { title: "no object lock configuration", stack: () => without(validStack(), "audit-lock"), policy: "audit-bucket-object-lock-retained", message: /no object lock configuration/ },
    {
      title: "S3-managed keys",
      stack: () => withInput(validStack(), "audit-encryption", "rules", [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }]),
      policy: "audit-bucket-kms-encrypted",
      message: /not encrypted with aws:kms/,
    },
    { title: "public policies allowed", stack: () => withInput(validStack(), "audit-public-access", "blockPublicPolicy", false), policy: "audit-bucket-public-access-blocked", message: /leaves blockPublicPolicy off/ },
    { title: "no public access block", stack: () => without(validStack(), "audit-public-access"), policy: "audit-bucket-public-access-blocked", message: /no public access block/ },
    {
      title: "bucket policy without the TLS deny",
      stack: () => withInput(validStack(), "audit-policy", "policy", JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::1:root" }, Action: "s3:GetObject", Resource: "*" }] })),
      policy: "audit-bucket-tls-only",
      message: /aws:SecureTransport/,
    },
    { title: "no bucket policy", stack: () => without(validStack(), "audit-policy"), policy: "audit-bucket-tls-only", message: /no bucket policy/ },
    { title: "expiration before retention", stack: () => withInput(validStack(), "audit-lifecycle", "rules.0.expiration.days", 365), policy: "audit-bucket-lifecycle-keeps-retention", message: /after 365 days, before the 2557-day retention/ },
    {
      title: "noncurrent versions expire early",
      stack: () => withInput(validStack(), "audit-lifecycle", "rules.0.noncurrentVersionExpiration", { noncurrentDays: 30 }),
      policy: "audit-bucket-lifecycle-keeps-retention",
      message: /noncurrent versions after 30 days/,
    },
    { title: "bucket not protected", stack: () => validStack().map((f) => (f.name === BUCKET ? { ...f, protect: false } : f)), policy: "audit-resources-protected", message: /audit bucket .* is not protected/ },
    { title: "key not protected", stack: () => validStack().map((f) => (f.name === "flightpro-production-audit-key" ? { ...f, protect: false } : f)), policy: "audit-resources-protected", message: /KMS key .* is not protected/ },
    {
      title: "wildcard subject with StringLike",
      stack: () => withInput(validStack(), "deploy-audit-role", "assumeRolePolicy", trust({ StringEquals: aud, StringLike: { "token.actions.githubusercontent.com:sub": "repo:flightpro/*" } })),
      policy: "audit-oidc-role-trust-pinned",
      message: /StringLike on token.actions.githubusercontent.com:sub/,
    },
    {
      title: "branch subject instead of environment",
      stack: () => withInput(validStack(), "deploy-audit-role", "assumeRolePolicy", trust({ StringEquals: { ...aud, "token.actions.githubusercontent.com:sub": "repo:flightpro/flightpro:ref:refs/heads/main" } })),
      policy: "audit-oidc-role-trust-pinned",
      message: /not an exact repo:<owner>\/<repo>:environment:<environment>/,
    },
    { title: "no subject condition", stack: () => withInput(validStack(), "deploy-audit-role", "assumeRolePolicy", trust({ StringEquals: aud })), policy: "audit-oidc-role-trust-pinned", message: /any GitHub workflow can assume/ },
    {
      title: "wrong audience",
      stack: () => withInput(validStack(), "deploy-audit-role", "assumeRolePolicy", trust({ StringEquals: { "token.actions.githubusercontent.com:aud": "*", "token.actions.githubusercontent.com:sub": "repo:flightpro/flightpro:environment:production" } })),
      policy: "audit-oidc-role-trust-pinned",
      message: /aud must be exactly sts.amazonaws.com/,
    },
  ]);
});
