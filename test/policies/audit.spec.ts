import { strict as assert } from "node:assert";
import { oidcRoleTrustPinned } from "../../policies/rules/audit";
import { trustPolicy, validStack } from "./fixtures";
import { Fixture, itRejects, judge, policiesOf, runResourcePolicy, withInput, without } from "./judge";
import { packSettings } from "./packConfig";

const BUCKET = "flightpro-production-audit-bucket";
const trust = (condition: Record<string, unknown>) => JSON.stringify({ ...trustPolicy, Statement: [{ ...trustPolicy.Statement[0], Condition: condition }] });
const aud = { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" };

const BUCKET_ARN = "arn:aws:s3:::flightpro-deploy-audit-production";
/** The fixture's TLS-only statement with some fields replaced (undefined removes one). */
function tlsDeny(fields: Record<string, unknown>): string {
  const statement: Record<string, unknown> = {
    Sid: "DenyInsecureTransport",
    Effect: "Deny",
    Principal: "*",
    Action: "s3:*",
    Resource: [BUCKET_ARN, `${BUCKET_ARN}/*`],
    Condition: { Bool: { "aws:SecureTransport": "false" } },
    ...fields,
  };
  for (const key of Object.keys(statement)) if (statement[key] === undefined) delete statement[key];
  return JSON.stringify({ Version: "2012-10-17", Statement: [statement] });
}

function allowing(statement: Record<string, unknown>): string {
  return JSON.stringify({ Version: "2012-10-17", Statement: [JSON.parse(tlsDeny({})).Statement[0], statement] });
}

describe("policies: audit log", () => {
  describe("a compliant audit log written another valid way passes", () => {
    it("retention in years (7 calendar years span the spec's 2557 days)", () => {
      assert.deepEqual(judge(withInput(validStack(), "audit-lock", "rule.defaultRetention", { mode: "COMPLIANCE", years: 7 })), []);
    });

    it("the TLS deny as an object on the bucket's own policy input, Action \"*\", Resource \"*\", a boolean false, the key in other case", () => {
      const inline = { Statement: { Effect: "Deny", Principal: { AWS: "*" }, Action: "*", Resource: "*", Condition: { Bool: { "AWS:SecureTransport": false } } } };
      const stack = withInput(without(validStack(), "audit-policy"), BUCKET, "policy", inline);
      assert.deepEqual(judge(stack), []);
    });

    it("versioning, object lock and encryption set on the bucket itself instead of companion resources", () => {
      let stack = without(validStack(), "audit-versioning", "audit-lock", "audit-encryption");
      stack = withInput(stack, BUCKET, "versioning", { enabled: true });
      stack = withInput(stack, BUCKET, "objectLockConfiguration", { objectLockEnabled: "Enabled", rule: { defaultRetention: { mode: "COMPLIANCE", days: 2557 } } });
      stack = withInput(stack, BUCKET, "serverSideEncryptionConfiguration", { rule: { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: "arn:aws:kms:us-east-1:123456789012:key/1" } } });
      stack = stack.map((fixture) => (fixture.name === BUCKET ? { ...fixture, dependsOn: ["flightpro-production-audit-key"] } : fixture));
      assert.deepEqual(judge(stack), []);
    });
  });

  describe("bucket policies and ACLs grant nothing to others, and nobody may delete records", () => {
    const cases: [string, string | Record<string, unknown>, RegExp][] = [
      ["an Allow to everyone", { Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: `${BUCKET_ARN}/*` }, /any principal/],
      ["an Allow to another account", { Effect: "Allow", Principal: { AWS: "arn:aws:iam::999999999999:root" }, Action: "s3:GetObject", Resource: `${BUCKET_ARN}/*` }, /999999999999/],
      ["an Allow with NotPrincipal", { Effect: "Allow", NotPrincipal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "s3:GetObject", Resource: `${BUCKET_ARN}/*` }, /NotPrincipal/],
      ["deletion allowed to the account itself by wildcard", { Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "s3:Delete*", Resource: `${BUCKET_ARN}/*` }, /s3:DeleteObject, s3:DeleteObjectVersion/],
      ["bypassing governance retention", { Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:role/ops" }, Action: "s3:BypassGovernanceRetention", Resource: `${BUCKET_ARN}/*` }, /BypassGovernanceRetention/],
      ["rewriting the bucket policy (lower-case action)", { Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:role/ops" }, Action: "S3:putbucketpolicy", Resource: BUCKET_ARN }, /PutBucketPolicy/],
    ];
    for (const [title, statement, pattern] of cases) {
      it(`block ${title}`, () => {
        const verdicts = judge(withInput(validStack(), "audit-policy", "policy", allowing(statement as Record<string, unknown>)), { config: packSettings("production") });
        assert.deepEqual(policiesOf(verdicts), ["storage-bucket-policy-restricted"], JSON.stringify(verdicts, null, 1));
        assert.match(verdicts.map((verdict) => verdict.message).join("\n"), pattern);
      });
    }

    it("block the same deletion granted from the role side (the Chatbot role's policy, a wildcard resource)", () => {
      const verdicts = judge(
        withInput(validStack(), "alerts-chatbot-read", "policy", JSON.stringify({ Statement: [{ Effect: "Allow", Action: "s3:DeleteObjectVersion", Resource: "arn:aws:s3:::flightpro-deploy-audit-*/*" }] })),
        { config: packSettings("production") },
      );
      assert.ok(policiesOf(verdicts).includes("storage-bucket-policy-restricted"), JSON.stringify(verdicts, null, 1));
      assert.match(verdicts.map((verdict) => verdict.message).join("\n"), /RolePolicy read-alarm-details of role flightpro-production-alerts-chatbot allows s3:DeleteObjectVersion on the audit bucket/);
    });

    // Identity-based policies of IAM users and groups, and customer managed policies, grant as a role's do
    // (IAM User Guide, "Identity-based policies and resource-based policies"); one the stack declares unattached
    // can be attached to anyone outside it.
    const grant = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["s3:PutBucketPolicy", "s3:GetObject"], Resource: ["arn:aws:s3:::flightpro-deploy-audit-production", "arn:aws:s3:::flightpro-deploy-audit-production/*"] }] });
    for (const [title, extra, pattern] of [
      ["an IAM user's inline policy", { type: "aws:iam/userPolicy:UserPolicy", name: "auditors-export", props: { user: "audit-export", policy: grant } }, /UserPolicy auditors-export of user audit-export allows s3:PutBucketPolicy on the audit bucket/],
      ["an IAM group's inline policy", { type: "aws:iam/groupPolicy:GroupPolicy", name: "auditors", props: { group: "auditors", policy: grant } }, /GroupPolicy auditors of group auditors allows s3:PutBucketPolicy/],
      ["a managed policy the stack declares but attaches to nothing", { type: "aws:iam/policy:Policy", name: "ops-audit", props: { name: "ops-audit", policy: grant } }, /managed policy ops-audit allows s3:PutBucketPolicy/],
    ] as const) {
      it(`block the same grant from ${title}`, () => {
        const verdicts = judge([...validStack(), extra as Fixture], { config: packSettings("production") });
        assert.ok(policiesOf(verdicts).includes("storage-bucket-policy-restricted"), JSON.stringify(verdicts, null, 1));
        assert.match(verdicts.map((verdict) => verdict.message).join("\n"), pattern);
      });
    }

    it("block a public canned ACL on a BucketAcl", () => {
      const acl: Fixture = { type: "aws:s3/bucketAcl:BucketAcl", name: "audit-acl", props: { bucket: "flightpro-deploy-audit-production", acl: "public-read" } };
      const verdicts = judge([...validStack(), acl]);
      assert.deepEqual(policiesOf(verdicts), ["storage-bucket-policy-restricted"]);
      assert.match(verdicts[0]!.message, /canned ACL public-read/);
    });

    it("block an ACL grant to all users on the bucket itself", () => {
      const verdicts = judge(withInput(validStack(), BUCKET, "grants", [{ type: "Group", uri: "http://acs.amazonaws.com/groups/global/AllUsers", permissions: ["READ"] }]));
      assert.deepEqual(policiesOf(verdicts), ["storage-bucket-policy-restricted"]);
      assert.match(verdicts[0]!.message, /ACL grant to Group http:\/\/acs.amazonaws.com\/groups\/global\/AllUsers/);
    });
  });

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
      "recovery-backup-bucket-retained": { requireProtect: false },
    };
    assert.deepEqual(judge(stack, { config: staging }), []);
  });

  describe("immutable OIDC subjects (github/docs@051718f2 content/actions/reference/security/oidc.md, \"Immutable subject claims\": repo:OWNER@OWNER-ID/REPO@REPO-ID:…)", () => {
    const role = (subject: string): Fixture => ({
      type: "aws:iam/role:Role",
      name: "deploy-audit-role",
      props: { assumeRolePolicy: trust({ StringEquals: { ...aud, "token.actions.githubusercontent.com:sub": subject } }) },
    });
    const immutable = { repository: "flightpro/flightpro", repositoryIds: "123456/456789", environments: ["production"] };
    const byName = { repository: "flightpro/flightpro", repositoryIds: "", environments: ["production"] };

    it("with repositoryIds set, only the immutable form with exactly those ids passes", () => {
      assert.deepEqual(runResourcePolicy(oidcRoleTrustPinned, role("repo:flightpro@123456/flightpro@456789:environment:production"), immutable), []);
      for (const subject of [
        "repo:flightpro/flightpro:environment:production", // the name form GitHub no longer sends
        "repo:flightpro@123456/flightpro@999999:environment:production", // another repository's id
        "repo:flightpro@123456/flightpro:environment:production", // one id only
        "repo:flightpro@123456/flightpro@456789:environment:staging",
      ]) {
        const verdicts = runResourcePolicy(oidcRoleTrustPinned, role(subject), immutable);
        assert.ok(Array.isArray(verdicts) && verdicts.length === 1, subject);
        assert.match(verdicts[0]!.message, /does not pin token\.actions\.githubusercontent\.com:sub to repo:flightpro@123456\/flightpro@456789:environment:production/);
      }
    });

    it("without repositoryIds, the immutable form is refused: the trust must name the form GitHub sends", () => {
      assert.deepEqual(runResourcePolicy(oidcRoleTrustPinned, role("repo:flightpro/flightpro:environment:production"), byName), []);
      const verdicts = runResourcePolicy(oidcRoleTrustPinned, role("repo:flightpro@123456/flightpro@456789:environment:production"), byName);
      assert.ok(Array.isArray(verdicts) && verdicts.length === 1);
    });
  });

  it("leave roles that GitHub cannot assume alone", () => {
    const role: Fixture = { type: "aws:iam/role:Role", name: "chatbot", props: { assumeRolePolicy: JSON.stringify({ Statement: [{ Effect: "Allow", Principal: { Service: "chatbot.amazonaws.com" }, Action: "sts:AssumeRole" }] }) } };
    assert.equal(runResourcePolicy(oidcRoleTrustPinned, role), "not applicable");
  });

  itRejects([
    {
      title: "no audit bucket",
      stack: () => without(validStack(), BUCKET),
      policy: "audit-log-bucket-declared",
      message: /no S3 bucket matching \*audit\*/,
      // The metrics bridge's watch records go to that bucket, now not one of the stack's.
      alsoBy: ["metrics-bridge-role-least-privilege"],
    },
    { title: "versioning suspended", stack: () => withInput(validStack(), "audit-versioning", "versioningConfiguration.status", "Suspended"), policy: "audit-bucket-versioning-enabled", message: /not Enabled/ },
    { title: "no versioning", stack: () => without(validStack(), "audit-versioning"), policy: "audit-bucket-versioning-enabled", message: /no versioning configuration/ },
    { title: "object lock not enabled on the bucket", stack: () => withInput(validStack(), BUCKET, "objectLockEnabled", false), policy: "audit-bucket-object-lock-retained", message: /objectLockEnabled/ },
    { title: "governance mode in production", stack: () => withInput(validStack(), "audit-lock", "rule.defaultRetention.mode", "GOVERNANCE"), policy: "audit-bucket-object-lock-retained", message: /mode is GOVERNANCE; COMPLIANCE required/ },
    { title: "six years", stack: () => withInput(validStack(), "audit-lock", "rule.defaultRetention", { mode: "COMPLIANCE", years: 6 }), policy: "audit-bucket-object-lock-retained", message: /2192 days; at least 2557/ },
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
      stack: () => withInput(validStack(), "audit-policy", "policy", JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Deny", Principal: "*", Action: "s3:DeleteObject", Resource: "*" }] })),
      policy: "audit-bucket-tls-only",
      message: /aws:SecureTransport/,
    },
    {
      title: "the TLS deny narrowed by a second condition (conditions are ANDed)",
      stack: () => withInput(validStack(), "audit-policy", "policy", tlsDeny({ Condition: { Bool: { "aws:SecureTransport": "false" }, StringEquals: { "aws:PrincipalAccount": "999999999999" } } })),
      policy: "audit-bucket-tls-only",
      message: /aws:SecureTransport/,
    },
    { title: "the TLS deny on objects only", stack: () => withInput(validStack(), "audit-policy", "policy", tlsDeny({ Resource: `${BUCKET_ARN}/*` })), policy: "audit-bucket-tls-only", message: /aws:SecureTransport/ },
    { title: "the TLS deny for reads only", stack: () => withInput(validStack(), "audit-policy", "policy", tlsDeny({ Action: "s3:GetObject" })), policy: "audit-bucket-tls-only", message: /aws:SecureTransport/ },
    {
      title: "the TLS deny exempting a principal (NotPrincipal)",
      stack: () => withInput(validStack(), "audit-policy", "policy", tlsDeny({ Principal: undefined, NotPrincipal: { AWS: "arn:aws:iam::123456789012:root" } })),
      policy: "audit-bucket-tls-only",
      message: /aws:SecureTransport/,
    },
    { title: "the TLS deny on secure requests instead", stack: () => withInput(validStack(), "audit-policy", "policy", tlsDeny({ Condition: { Bool: { "aws:SecureTransport": "true" } } })), policy: "audit-bucket-tls-only", message: /aws:SecureTransport/ },
    { title: "forceDestroy on the audit bucket", stack: () => withInput(validStack(), BUCKET, "forceDestroy", true), policy: "audit-bucket-force-destroy-disabled", message: /forceDestroy: true/ },
    {
      title: "an expiring lifecycle rule on the bucket itself (lifecycleRules)",
      stack: () => withInput(validStack(), BUCKET, "lifecycleRules", [{ enabled: true, id: "tidy", expiration: { days: 30 } }]),
      policy: "audit-bucket-lifecycle-keeps-retention",
      message: /tidy expires objects after 30 days/,
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
      message: /does not pin token.actions.githubusercontent.com:sub .*StringLike \["repo:flightpro\/\*"\]/,
    },
    {
      title: "branch subject instead of environment",
      stack: () => withInput(validStack(), "deploy-audit-role", "assumeRolePolicy", trust({ StringEquals: { ...aud, "token.actions.githubusercontent.com:sub": "repo:flightpro/flightpro:ref:refs/heads/main" } })),
      policy: "audit-oidc-role-trust-pinned",
      message: /does not pin token.actions.githubusercontent.com:sub to repo:<owner>\/<repo>:environment:production/,
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
