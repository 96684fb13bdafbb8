import { ReplayCase, caught, passes } from "../cases";
import { replace } from "../edits";
import { addResources, deployRolePolicy, setProduction } from "./helpers";

const AUDIT_BUCKET = "arn:aws:s3:::flightpro-deploy-audit-production";
const OIDC = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";
const DEPLOY_ROLE = "iam-deploy-role-least-privilege";
const LEAST = "iam-role-permissions-least-privilege";
const TRUST = "iam-role-trust-restricted";
const PINNED = "audit-oidc-role-trust-pinned";
const BUCKET_POLICY = "storage-bucket-policy-restricted";
const KEY_POLICY = "kms-key-policy-restricted";
const POLICIES_FILE = "infra/aws/auditPolicies.ts";

const githubTrust = (condition: Record<string, unknown>) =>
  JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Federated: OIDC }, Action: "sts:AssumeRoleWithWebIdentity", Condition: condition }],
  });

/** A new role trusted by GitHub's OIDC provider with `trust`, and an inline policy. */
function newGithubRole(name: string, trust: string, policy?: unknown) {
  return addResources(
    `  {
    const role = new aws.iam.Role(${JSON.stringify(`flightpro-production-${name}`)}, { name: ${JSON.stringify(`flightpro-production-${name}`)}, maxSessionDuration: 3600, assumeRolePolicy: ${JSON.stringify(trust)} });
    ${policy === undefined ? "" : `new aws.iam.RolePolicy(${JSON.stringify(`flightpro-production-${name}-policy`)}, { role: role.name, policy: ${JSON.stringify(JSON.stringify(policy))} });`}
  }`,
    ["aws"],
  );
}

const readLogs = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["logs:GetLogEvents", "logs:FilterLogEvents"], Resource: "arn:aws:logs:us-east-1:123456789012:log-group:/flightpro/*" }] };

/** Class 2: IAM, trust, bucket, key and topic policies as whole documents. */
export const documentCases: ReplayCase[] = [
  {
    id: "doc-deploy-role-s3-star",
    class: "documents",
    title: "deploy role: s3:* on the audit bucket (the CLI needs HeadObject and ListBucket)",
    edits: [deployRolePolicy("audit-s3", { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:*", Resource: [AUDIT_BUCKET, `${AUDIT_BUCKET}/*`] }] })],
    expect: caught(DEPLOY_ROLE),
  },
  {
    id: "doc-deploy-role-put-star",
    class: "documents",
    title: "deploy role: s3:Put* on the records (tagging and ACLs for the records)",
    edits: [replace(POLICIES_FILE, 'Action: "s3:PutObject", Resource: recordsArn', 'Action: "s3:Put*", Resource: recordsArn')],
    expect: caught(DEPLOY_ROLE),
  },
  {
    id: "doc-deploy-role-question-glob",
    class: "documents",
    title: "deploy role: s3:?utObject* (wildcard spelled to look narrow)",
    edits: [replace(POLICIES_FILE, 'Action: "s3:PutObject", Resource: recordsArn', 'Action: "s3:?utObject*", Resource: recordsArn')],
    expect: caught(DEPLOY_ROLE),
  },
  {
    id: "doc-deploy-role-not-action",
    class: "documents",
    title: "deploy role: everything but IAM (NotAction iam:*)",
    edits: [deployRolePolicy("not-iam", { Version: "2012-10-17", Statement: [{ Effect: "Allow", NotAction: "iam:*", Resource: "*" }] })],
    expect: caught(DEPLOY_ROLE),
  },
  {
    id: "doc-deploy-role-records-any-bucket",
    class: "documents",
    title: "deploy role: write records to any bucket (multi-region audit)",
    edits: [replace(POLICIES_FILE, 'Action: "s3:PutObject", Resource: recordsArn(input.bucketName, input.prefix)', 'Action: "s3:PutObject", Resource: "arn:aws:s3:::*/*"')],
    expect: caught(DEPLOY_ROLE),
  },
  {
    id: "doc-deploy-role-metrics-any-namespace",
    class: "documents",
    title: "deploy role: PutMetricData without the namespace condition (publish build metrics too)",
    edits: [replace(POLICIES_FILE, '      Condition: { StringEquals: { "cloudwatch:namespace": input.metricsNamespace } },\n', "")],
    expect: caught(DEPLOY_ROLE),
  },
  {
    id: "doc-deploy-role-metrics-namespace-like",
    class: "documents",
    title: "deploy role: namespace condition StringLike FlightPro/* (one policy for both stacks)",
    edits: [replace(POLICIES_FILE, 'Condition: { StringEquals: { "cloudwatch:namespace": input.metricsNamespace } }', 'Condition: { StringLike: { "cloudwatch:namespace": "FlightPro/*" } }')],
    expect: caught(DEPLOY_ROLE),
  },
  {
    id: "doc-deploy-role-pass-role",
    class: "documents",
    title: "deploy role: iam:PassRole for the ECS migration task",
    edits: [deployRolePolicy("pass-role", { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "iam:PassRole", Resource: "arn:aws:iam::123456789012:role/flightpro-*" }] })],
    expect: caught(DEPLOY_ROLE),
  },
  {
    id: "doc-deploy-role-managed-admin",
    class: "documents",
    title: "deploy role: attach AdministratorAccess while debugging the pipeline",
    edits: [addResources(`  if (auditRole) new aws.iam.RolePolicyAttachment("flightpro-production-deploy-admin", { role: auditRole.role.name, policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" });`, ["aws"])],
    expect: caught(DEPLOY_ROLE),
  },
  {
    id: "doc-deploy-role-customer-policy-attached",
    class: "documents",
    title: "deploy role: attach the existing customer policy flightpro-ops (managed outside the stack)",
    edits: [addResources(`  if (auditRole) new aws.iam.RolePolicyAttachment("flightpro-production-deploy-ops", { role: auditRole.role.name, policyArn: "arn:aws:iam::123456789012:policy/flightpro-ops" });`, ["aws"])],
    expect: caught(DEPLOY_ROLE),
  },
  {
    id: "doc-deploy-role-session-12h",
    class: "documents",
    title: "deploy role: 12-hour sessions (long migrations)",
    edits: [replace("infra/aws/auditRole.ts", "maxSessionDuration: 3600,", "maxSessionDuration: 43200,")],
    expect: caught("iam-deploy-role-session-bounded"),
  },
  {
    id: "doc-trust-subject-wildcard",
    class: "documents",
    title: "trust: any environment of the repository (StringLike repo:flightpro/flightpro:*)",
    edits: [
      replace(POLICIES_FILE, "if (/[*?]/.test(subject)) throw", "if (/[?]/.test(subject)) throw"),
      replace("infra/aws/auditRole.ts", "const subject = deploySubject(args.github.owner, args.github.repository, args.environment, args.github.oidcSubjectIds);", "const subject = `repo:${args.github.owner}/${args.github.repository}:*`;"),
      replace(POLICIES_FILE, "    Condition: {\n      StringEquals: {", "    Condition: {\n      StringLike: {"),
    ],
    expect: caught(PINNED),
  },
  {
    id: "doc-trust-subject-if-exists",
    class: "documents",
    title: "trust: StringEqualsIfExists on sub (tokens from reusable workflows lack it)",
    edits: [replace(POLICIES_FILE, "    Condition: {\n      StringEquals: {", "    Condition: {\n      StringEqualsIfExists: {")],
    expect: caught(PINNED),
  },
  {
    id: "doc-trust-for-any-value",
    class: "documents",
    title: "trust: ForAnyValue:StringEquals on sub and aud",
    edits: [replace(POLICIES_FILE, "    Condition: {\n      StringEquals: {", '    Condition: {\n      "ForAnyValue:StringEquals": {')],
    expect: caught(PINNED),
  },
  {
    id: "doc-trust-second-statement-account",
    class: "documents",
    title: "trust: the ops account may assume the deploy role too",
    edits: [
      replace(
        POLICIES_FILE,
        '  return githubOidcTrustPolicy(providerArn, subject, "GithubDeployJobsOfOneEnvironment");',
        '  return policyDocument({ Sid: "OpsAccount", Effect: "Allow", Principal: { AWS: "arn:aws:iam::210987654321:root" }, Action: "sts:AssumeRole" }, ...githubOidcTrustPolicy(providerArn, subject, "GithubDeployJobsOfOneEnvironment").Statement);',
      ),
    ],
    expect: caught(TRUST),
  },
  {
    id: "doc-new-role-org-wide-oidc",
    class: "documents",
    title: "a read-logs role for every repository of the organisation (repo:flightpro/*)",
    edits: [newGithubRole("read-logs", githubTrust({ StringLike: { "token.actions.githubusercontent.com:sub": "repo:flightpro/*" }, StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" } }), readLogs)],
    expect: caught(PINNED),
  },
  {
    id: "doc-new-role-no-audience",
    class: "documents",
    title: "a read-logs role pinned to the repository, without the audience condition",
    edits: [newGithubRole("read-logs-noaud", githubTrust({ StringEquals: { "token.actions.githubusercontent.com:sub": "repo:flightpro/flightpro:environment:production" } }), readLogs)],
    expect: caught(PINNED),
  },
  {
    id: "doc-new-role-pull-request-subject",
    class: "documents",
    title: "a read-logs role assumable from pull requests (repo:flightpro/flightpro:pull_request)",
    edits: [newGithubRole("read-logs-pr", githubTrust({ StringEquals: { "token.actions.githubusercontent.com:sub": "repo:flightpro/flightpro:pull_request", "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" } }), readLogs)],
    expect: caught(PINNED),
  },
  {
    id: "doc-new-role-principal-star",
    class: "documents",
    title: "a break-glass role assumable by anyone in the organisation (Principal * with aws:PrincipalOrgID)",
    edits: [
      newGithubRole(
        "break-glass",
        JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "sts:AssumeRole", Condition: { StringEquals: { "aws:PrincipalOrgID": "o-abc123" } } }] }),
        readLogs,
      ),
    ],
    expect: caught(TRUST),
  },
  {
    id: "doc-new-role-admin-inline",
    class: "documents",
    title: "an ops role (pinned trust) with Action * for incident response",
    edits: [
      newGithubRole(
        "ops",
        githubTrust({ StringEquals: { "token.actions.githubusercontent.com:sub": "repo:flightpro/flightpro:environment:production", "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" } }),
        { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] },
      ),
    ],
    expect: caught(LEAST),
  },
  {
    id: "doc-new-role-iam-wildcard",
    class: "documents",
    title: "a chatbot helper role allowed iam:*Policy* (to attach read-only policies)",
    edits: [
      newGithubRole(
        "chatbot-helper",
        JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "chatbot.amazonaws.com" }, Action: "sts:AssumeRole" }] }),
        { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "iam:*Policy*", Resource: "arn:aws:iam::123456789012:role/flightpro-*" }] },
      ),
    ],
    expect: caught(LEAST),
  },
  {
    id: "doc-iam-user-with-bucket-rights",
    class: "documents",
    title: "an IAM user (access key) for the auditors' export script, with write on the audit bucket",
    edits: [
      addResources(
        `  {
    const user = new aws.iam.User("flightpro-production-audit-export", { name: "flightpro-production-audit-export" });
    new aws.iam.UserPolicy("flightpro-production-audit-export-policy", { user: user.name, policy: ${JSON.stringify(
      JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject", "s3:PutBucketPolicy", "s3:PutLifecycleConfiguration"], Resource: [AUDIT_BUCKET, `${AUDIT_BUCKET}/*`] }] }),
    )} });
    new aws.iam.AccessKey("flightpro-production-audit-export-key", { user: user.name });
  }`,
        ["aws"],
      ),
    ],
    expect: caught(BUCKET_POLICY),
  },
  {
    id: "doc-bucket-policy-cross-account-read",
    class: "documents",
    title: "audit bucket: the auditors' account may read records",
    edits: [
      replace(
        POLICIES_FILE,
        "  ];\n  return policyDocument(...statements);",
        `    { Sid: "AuditorsRead", Effect: "Allow", Principal: { AWS: "arn:aws:iam::555566667777:root" }, Action: ["s3:GetObject", "s3:ListBucket"], Resource: [bucket, \`\${bucket}/*\`] },\n  ];\n  return policyDocument(...statements);`,
      ),
    ],
    expect: caught(BUCKET_POLICY),
  },
  {
    id: "doc-bucket-policy-lifecycle-for-account",
    class: "documents",
    title: "audit bucket: the account root may change lifecycle and versioning (for cost reviews)",
    edits: [
      replace(
        POLICIES_FILE,
        "  ];\n  return policyDocument(...statements);",
        `    { Sid: "CostReviews", Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: ["s3:PutLifecycleConfiguration", "s3:PutBucketVersioning"], Resource: bucket },\n  ];\n  return policyDocument(...statements);`,
      ),
    ],
    expect: caught(BUCKET_POLICY),
  },
  {
    id: "doc-bucket-tls-condition-narrowed",
    class: "documents",
    title: "audit bucket: the TLS deny only outside the VPC endpoint",
    edits: [replace(POLICIES_FILE, 'Condition: { Bool: { "aws:SecureTransport": "false" } },', 'Condition: { Bool: { "aws:SecureTransport": "false" }, StringNotEquals: { "aws:SourceVpce": "vpce-0abc123" } },')],
    expect: caught("audit-bucket-tls-only"),
  },
  {
    id: "doc-bucket-tls-objects-only",
    class: "documents",
    title: "audit bucket: the TLS deny on objects only",
    edits: [replace(POLICIES_FILE, "      Resource: [bucket, `${bucket}/*`],\n      Condition: { Bool", "      Resource: `${bucket}/*`,\n      Condition: { Bool")],
    expect: caught("audit-bucket-tls-only"),
  },
  {
    id: "doc-key-policy-other-account",
    class: "documents",
    title: "audit key: the auditors' account may decrypt",
    edits: [
      replace(
        "infra/aws/auditPolicies.ts",
        "  return policyDocument(accountRootStatement(accountId));",
        '  return policyDocument(accountRootStatement(accountId), { Sid: "Auditors", Effect: "Allow", Principal: { AWS: "arn:aws:iam::555566667777:root" }, Action: ["kms:Decrypt", "kms:DescribeKey"], Resource: "*" });',
      ),
    ],
    expect: caught(KEY_POLICY),
  },
  {
    id: "doc-key-policy-star-with-caller-account",
    class: "documents",
    title: "alerts key: any principal of the account may use it (kms:CallerAccount)",
    edits: [
      replace(
        "infra/aws/alertsPolicies.ts",
        "    accountRootStatement(accountId),\n",
        '    accountRootStatement(accountId),\n    { Sid: "AccountUse", Effect: "Allow", Principal: "*", Action: ["kms:Decrypt", "kms:GenerateDataKey*"], Resource: "*", Condition: { StringEquals: { "kms:CallerAccount": accountId } } },\n',
      ),
    ],
    expect: caught(KEY_POLICY),
  },
  {
    id: "doc-key-policy-service-admin",
    class: "documents",
    title: "alerts key: SNS may also manage grants (kms:CreateGrant)",
    edits: [replace("infra/aws/alertsPolicies.ts", '      Principal: { Service: "sns.amazonaws.com" },\n      Action: ["kms:Decrypt", "kms:GenerateDataKey*"],', '      Principal: { Service: "sns.amazonaws.com" },\n      Action: ["kms:Decrypt", "kms:GenerateDataKey*", "kms:CreateGrant"],')],
    expect: caught(KEY_POLICY),
  },
  {
    id: "doc-key-rotation-off",
    class: "documents",
    title: "alerts key: no rotation (rotating breaks the Slack integration)",
    edits: [replace("infra/aws/alerts.ts", "enableKeyRotation: true,", "enableKeyRotation: false,")],
    expect: caught("kms-key-rotation-enabled"),
  },
  {
    id: "doc-new-key-no-rotation",
    class: "documents",
    title: "a KMS key for the app's field encryption, rotation default",
    edits: [addResources(`  new aws.kms.Key("flightpro-production-fields", { description: "Field-level encryption for passenger data", deletionWindowInDays: 30 });`, ["aws"])],
    expect: caught("kms-key-rotation-enabled"),
  },
  {
    id: "doc-audit-force-destroy",
    class: "documents",
    title: "audit bucket: forceDestroy so the stack can be torn down in DR drills",
    edits: [replace("infra/aws/auditLog.ts", "objectLockEnabled: true, forceDestroy: false", "objectLockEnabled: true, forceDestroy: true")],
    expect: caught("audit-bucket-force-destroy-disabled"),
  },
  {
    id: "doc-audit-retention-governance",
    class: "documents",
    title: "Pulumi.production.yaml: GOVERNANCE retention so legal can remove records on request",
    edits: [setProduction("audit", ["retention", "mode"], "GOVERNANCE")],
    expect: caught("audit-bucket-object-lock-retained"),
  },
  {
    id: "doc-audit-retention-one-year",
    class: "documents",
    title: "Pulumi.production.yaml: keep records for 365 days (cost)",
    edits: [setProduction("audit", ["retention", "days"], 365)],
    expect: caught("audit-bucket-object-lock-retained"),
  },
  {
    id: "doc-audit-lifecycle-second-rule",
    class: "documents",
    title: "audit bucket: a second lifecycle rule expiring everything under tmp/ — with an empty prefix",
    edits: [
      replace(
        POLICIES_FILE,
        "  return [rule];",
        '  return [rule, { id: "expire-scratch", status: "Enabled", filter: { prefix: "" }, expiration: { days: 30 }, noncurrentVersionExpiration: { noncurrentDays: 1 }, abortIncompleteMultipartUpload: { daysAfterInitiation: 1 } }];',
      ),
    ],
    expect: caught("audit-bucket-lifecycle-keeps-retention"),
  },
  {
    id: "doc-audit-versioning-suspended",
    class: "documents",
    title: "audit bucket: suspend versioning (object lock keeps the records anyway)",
    edits: [replace("infra/aws/auditLog.ts", 'versioningConfiguration: { status: "Enabled" }', 'versioningConfiguration: { status: "Suspended" }')],
    expect: caught("audit-bucket-versioning-enabled"),
  },
  {
    id: "doc-audit-public-access-relaxed",
    class: "documents",
    title: "audit bucket: allow public policies (the auditors' portal reads records)",
    edits: [replace("infra/aws/auditLog.ts", "blockPublicPolicy: true", "blockPublicPolicy: false")],
    expect: caught("audit-bucket-public-access-blocked"),
  },
  {
    id: "doc-audit-sse-s3",
    class: "documents",
    title: "audit bucket: SSE-S3 instead of KMS (KMS request costs)",
    edits: [replace("infra/aws/auditLog.ts", 'rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: this.key.arn }, bucketKeyEnabled: true }],', 'rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],')],
    expect: caught("audit-bucket-kms-encrypted"),
  },
  {
    id: "doc-audit-not-protected",
    class: "documents",
    title: "Pulumi.production.yaml: audit.protect false (protect blocks the DR rehearsal)",
    edits: [setProduction("audit", ["protect"], false)],
    expect: caught("audit-resources-protected"),
  },
  {
    id: "doc-public-acl-on-audit-bucket",
    class: "documents",
    title: "audit bucket: public-read ACL for the status page",
    edits: [addResources(`  if (auditLog) new aws.s3.BucketAcl("flightpro-production-audit-acl", { bucket: auditLog.bucketName, acl: "public-read" });`, ["aws"])],
    expect: caught(BUCKET_POLICY),
  },
  {
    id: "doc-compliant-object-policy",
    class: "compliant",
    title: "deploy role: the same permissions written one statement per action, actions in other case",
    edits: [replace(POLICIES_FILE, 'Action: ["kms:GenerateDataKey", "kms:Encrypt"], Resource: input.auditKeyArn', 'Action: ["KMS:generateDataKey", "kms:ENCRYPT"], Resource: input.auditKeyArn')],
    expect: passes,
  },
  {
    id: "doc-compliant-retention-years",
    class: "compliant",
    title: "audit bucket: retention written as 7 years",
    edits: [replace("infra/aws/auditLog.ts", "rule: { defaultRetention: { mode: audit.retention.mode, days: audit.retention.days } },", "rule: { defaultRetention: { mode: audit.retention.mode, years: 7 } },")],
    expect: passes,
  },
  {
    id: "doc-compliant-trust-key-case",
    class: "compliant",
    title: "trust: condition keys written in another case (context keys are case-insensitive)",
    edits: [replace(POLICIES_FILE, "[`${GITHUB_OIDC_HOST}:aud`]: GITHUB_OIDC_AUDIENCE,", "[`Token.Actions.GithubUserContent.com:AUD`]: GITHUB_OIDC_AUDIENCE,")],
    expect: passes,
  },
];
