import { strict as assert } from "node:assert";
import { deployRolePermissions } from "../../infra/aws/auditPolicies";
import { trustPolicy, validStack } from "./fixtures";
import { Fixture, judge, policiesOf, withInput } from "./judge";
import { packSettings } from "./packConfig";

const ROLE = "deploy-audit-role";
const ROLE_NAME = "flightpro-production-deploy-audit";
const AUDIT_KEY = "arn:aws:kms:us-east-1:123456789012:key/audit";
const TOPIC_KEY = "arn:aws:kms:us-east-1:123456789012:key/alerts";

/** The deploy role's permissions exactly as the program builds them (infra/aws/auditPolicies.ts). */
const permissions = deployRolePermissions({
  bucketName: "flightpro-deploy-audit-production",
  prefix: "deployments/",
  auditKeyArn: AUDIT_KEY,
  topicArns: ["arn:aws:sns:us-east-1:123456789012:flightpro-production-alerts-info", "arn:aws:sns:us-east-1:123456789012:flightpro-production-alerts-critical"],
  topicKeyArn: TOPIC_KEY,
  region: "us-east-1",
  metricsNamespace: "FlightPro/production",
});

function rolePolicy(name: string, policy: unknown): Fixture {
  return { type: "aws:iam/rolePolicy:RolePolicy", name, props: { role: ROLE_NAME, name, policy: typeof policy === "string" ? policy : JSON.stringify(policy) }, dependsOn: [ROLE] };
}

/** The valid production stack with the deploy role's permissions. */
function stack(policy: unknown = permissions, ...extra: Fixture[]): Fixture[] {
  return [...validStack(), rolePolicy("deploy-audit-permissions", policy), ...extra];
}

const statement = (fields: Record<string, unknown>) => ({ Version: "2012-10-17", Statement: [...permissions.Statement, fields] });
const trust = (...extra: Record<string, unknown>[]) => JSON.stringify({ ...trustPolicy, Statement: [...trustPolicy.Statement, ...extra] });
const withTrust = (document: unknown) => withInput(stack(), ROLE, "assumeRolePolicy", typeof document === "string" ? document : JSON.stringify(document));

const productionSettings = () => packSettings("production");

function expectOnly(fixtures: Fixture[], policies: string[], pattern?: RegExp): void {
  const verdicts = judge(fixtures, { config: productionSettings() });
  assert.deepEqual(policiesOf(verdicts), [...policies].sort(), JSON.stringify(verdicts, null, 1));
  if (pattern) assert.ok(verdicts.some((verdict) => pattern.test(verdict.message)), `no message matches ${pattern}: ${JSON.stringify(verdicts.map((v) => v.message), null, 1)}`);
}

describe("policies: IAM roles judged by every document that grants them", () => {
  describe("compliant roles written other valid ways pass", () => {
    it("the deploy role as the program builds it", () => {
      assert.deepEqual(judge(stack(), { config: productionSettings() }), []);
    });

    it("the same grants as one object document, actions in other case, one statement per action, a wildcard that names only PutObject", () => {
      const rewritten = {
        Version: "2012-10-17",
        Statement: [
          { Effect: "Allow", Action: "S3:putobjec?", Resource: "arn:aws:s3:::flightpro-deploy-audit-production/deployments/*" },
          { Effect: "Allow", Action: "KMS:GenerateDataKey", Resource: AUDIT_KEY },
          { Effect: "Allow", Action: "kms:encrypt", Resource: [AUDIT_KEY] },
          { Effect: "Allow", Action: ["SNS:Publish"], Resource: "arn:aws:sns:us-east-1:123456789012:flightpro-production-alerts-critical" },
          { Effect: "Allow", Action: "cloudwatch:putmetricdata", Resource: "*", Condition: { StringLike: { "CloudWatch:Namespace": "FlightPro/production" } } },
        ],
      };
      const fixtures = stack();
      fixtures[fixtures.length - 1]!.props["policy"] = rewritten;
      assert.deepEqual(judge(fixtures, { config: productionSettings() }), []);
    });

    it("a trust policy as an object, the condition keys in other case, StringEqualsIgnoreCase, maxSessionDuration of one hour", () => {
      let fixtures = withInput(stack(), ROLE, "assumeRolePolicy", {
        Statement: {
          Effect: "Allow",
          Principal: { Federated: ["arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"] },
          Action: ["sts:AssumeRoleWithWebIdentity"],
          Condition: {
            StringEqualsIgnoreCase: { "Token.Actions.GithubUserContent.com:Sub": "repo:FlightPro/FlightPro:environment:Production" },
            StringEquals: { "token.actions.githubusercontent.com:AUD": ["sts.amazonaws.com"] },
          },
        },
      });
      fixtures = withInput(fixtures, ROLE, "maxSessionDuration", 3600);
      assert.deepEqual(judge(fixtures, { config: productionSettings() }), []);
    });
  });

  describe("trust: every statement of every role", () => {
    const github = trustPolicy.Statement[0]!;
    const pinned = github.Condition.StringEquals;
    const cases: [string, unknown, string[], RegExp][] = [
      ['a second statement trusting "*"', trust({ Effect: "Allow", Principal: "*", Action: "sts:AssumeRole" }), ["iam-role-trust-restricted"], /any principal/],
      ['{"AWS": "*"} in a list', trust({ Effect: "Allow", Principal: { AWS: ["*"] }, Action: "sts:AssumeRole" }), ["iam-role-trust-restricted"], /any principal/],
      ["the account root may also assume the deploy role", trust({ Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "sts:AssumeRole" }), ["iam-role-trust-restricted"], /only the OIDC provider may/],
      ["another account by its short form", trust({ Effect: "Allow", Principal: { AWS: "999999999999" }, Action: "sts:AssumeRole" }), ["iam-role-trust-restricted"], /999999999999/],
      ["NotPrincipal with Allow", trust({ Effect: "Allow", NotPrincipal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "sts:AssumeRole" }), ["iam-role-trust-restricted"], /NotPrincipal/],
      ["a web identity from another provider", trust({ Effect: "Allow", Principal: { Federated: "cognito-identity.amazonaws.com" }, Action: "sts:AssumeRoleWithWebIdentity" }), ["iam-role-trust-restricted"], /only the IAM OIDC provider/],
      ["an EC2 service principal on the deploy role", trust({ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }), ["iam-role-trust-restricted"], /ec2.amazonaws.com/],
      ["the subject as a StringLike wildcard", { ...trustPolicy, Statement: [{ ...github, Condition: { StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" }, StringLike: { "token.actions.githubusercontent.com:sub": "repo:flightpro/flightpro:*" } } }] }, ["audit-oidc-role-trust-pinned"], /StringLike \["repo:flightpro\/flightpro:\*"\]/],
      ["the subject under ForAnyValue:StringEquals", { ...trustPolicy, Statement: [{ ...github, Condition: { StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" }, "ForAnyValue:StringEquals": { "token.actions.githubusercontent.com:sub": pinned["token.actions.githubusercontent.com:sub"] } } }] }, ["audit-oidc-role-trust-pinned"], /ForAnyValue/],
      ["the subject under StringEqualsIfExists", { ...trustPolicy, Statement: [{ ...github, Condition: { StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" }, StringEqualsIfExists: { "token.actions.githubusercontent.com:sub": pinned["token.actions.githubusercontent.com:sub"] } } }] }, ["audit-oidc-role-trust-pinned"], /IfExists/],
      ["a fork's repository", { ...trustPolicy, Statement: [{ ...github, Condition: { StringEquals: { ...pinned, "token.actions.githubusercontent.com:sub": "repo:attacker/flightpro:environment:production" } } }] }, ["audit-oidc-role-trust-pinned"], /repo:attacker/],
      ["the staging environment on the production role", { ...trustPolicy, Statement: [{ ...github, Condition: { StringEquals: { ...pinned, "token.actions.githubusercontent.com:sub": ["repo:flightpro/flightpro:environment:production", "repo:flightpro/flightpro:environment:staging"] } } }] }, ["audit-oidc-role-trust-pinned", "runtime-production-isolated-from-staging"], /environment:staging/],
      ["a second GitHub statement with a loose subject next to the pinned one", trust({ ...github, Condition: { StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" }, StringLike: { "token.actions.githubusercontent.com:sub": "repo:flightpro/*" } } }), ["audit-oidc-role-trust-pinned"], /statement 2/],
      ["no audience condition", { ...trustPolicy, Statement: [{ ...github, Condition: { StringEquals: { "token.actions.githubusercontent.com:sub": pinned["token.actions.githubusercontent.com:sub"] } } }] }, ["audit-oidc-role-trust-pinned"], /aud must be exactly sts.amazonaws.com \(got no condition\)/],
      ["NotAction with Allow on the GitHub statement", { ...trustPolicy, Statement: [{ Effect: "Allow", Principal: github.Principal, NotAction: "sts:TagSession", Condition: github.Condition }] }, ["iam-role-trust-restricted"], /NotAction/],
    ];
    for (const [title, document, policies, pattern] of cases) it(`blocks ${title}`, () => expectOnly(withTrust(document), policies, pattern));

    it("judges the trust of roles that do not trust GitHub too (the Chatbot role trusting another account)", () => {
      const fixtures = withInput(
        stack(),
        "alerts-chatbot",
        "assumeRolePolicy",
        JSON.stringify({ Statement: [{ Effect: "Allow", Principal: { Service: "chatbot.amazonaws.com", AWS: "arn:aws:iam::999999999999:root" }, Action: "sts:AssumeRole" }] }),
      );
      expectOnly(fixtures, ["iam-role-trust-restricted"], /999999999999:root, outside the trusted accounts/);
    });

    it("bounds the deploy role's sessions to an hour", () => {
      expectOnly(withInput(stack(), ROLE, "maxSessionDuration", 43200), ["iam-deploy-role-session-bounded"], /43200 s/);
    });
  });

  describe("permissions: every document, every statement, wildcards expanded", () => {
    const cases: [string, () => Fixture[], string[], RegExp][] = [
      ['Action "*"', () => stack(statement({ Effect: "Allow", Action: "*", Resource: "*" })), ["iam-deploy-role-least-privilege", "iam-role-permissions-least-privilege", "metrics-bridge-secrets-protected", "recovery-backup-bucket-retained", "recovery-backup-writer-write-only", "storage-bucket-policy-restricted"], /every action of every service/],
      ["S3:* (another case) on the audit bucket", () => stack(statement({ Effect: "Allow", Action: "S3:*", Resource: "arn:aws:s3:::flightpro-deploy-audit-production/*" })), ["iam-deploy-role-least-privilege", "iam-role-permissions-least-privilege", "storage-bucket-policy-restricted"], /every action of the service/],
      ["s3:Put* that also reaches PutBucketPolicy", () => stack(statement({ Effect: "Allow", Action: "s3:Put*", Resource: "arn:aws:s3:::flightpro-deploy-audit-production/*" })), ["iam-deploy-role-least-privilege", "iam-role-permissions-least-privilege", "storage-bucket-policy-restricted"], /"s3:Put\*", which includes permission management: .*s3:PutBucketAcl/],
      ["NotAction with Allow", () => stack(statement({ Effect: "Allow", NotAction: "iam:*", Resource: "arn:aws:s3:::flightpro-deploy-audit-production/*" })), ["iam-deploy-role-least-privilege", "iam-role-permissions-least-privilege", "storage-bucket-policy-restricted"], /NotAction/],
      ["an exact s3:DeleteObject", () => stack(statement({ Effect: "Allow", Action: "s3:DeleteObject", Resource: "arn:aws:s3:::flightpro-deploy-audit-production/deployments/*" })), ["iam-deploy-role-least-privilege"], /s3:DeleteObject, beyond what deploy jobs need/],
      ["PutObject into any bucket", () => stack(statement({ Effect: "Allow", Action: "s3:PutObject", Resource: "arn:aws:s3:::*/*" })), ["iam-deploy-role-least-privilege", "isolation-stack-resources-own", "recovery-backup-writer-write-only"], /not a bucket of this stack/],
      ["sns:Publish on every topic", () => stack(statement({ Effect: "Allow", Action: "sns:Publish", Resource: "*" })), ["iam-deploy-role-least-privilege", "iam-role-permissions-least-privilege"], /sns:Publish on Resource "\*"/],
      ["PutMetricData with no condition", () => stack(statement({ Effect: "Allow", Action: "cloudwatch:PutMetricData", Resource: "*" })), ["iam-deploy-role-least-privilege"], /without a StringEquals cloudwatch:namespace condition/],
      ["PutMetricData to FlightPro/* (StringLike)", () => stack(statement({ Effect: "Allow", Action: "cloudwatch:PutMetricData", Resource: "*", Condition: { StringLike: { "cloudwatch:namespace": "FlightPro/*" } } })), ["iam-deploy-role-least-privilege"], /cloudwatch:namespace/],
      ["PutMetricData to the staging namespace", () => stack(statement({ Effect: "Allow", Action: "cloudwatch:PutMetricData", Resource: "*", Condition: { StringEquals: { "cloudwatch:namespace": "FlightPro/staging" } } })), ["iam-deploy-role-least-privilege", "isolation-stack-resources-own", "runtime-production-isolated-from-staging"], /equal to "FlightPro\/production"/],
      [
        "AdministratorAccess attached by a RolePolicyAttachment",
        () => stack(permissions, { type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment", name: "admin", props: { role: ROLE_NAME, policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" }, dependsOn: [ROLE] }),
        ["iam-deploy-role-least-privilege", "iam-role-permissions-least-privilege"],
        /AdministratorAccess/,
      ],
      ["PowerUserAccess in the role's managedPolicyArns", () => withInput(stack(), ROLE, "managedPolicyArns", ["arn:aws:iam::aws:policy/PowerUserAccess"]), ["iam-deploy-role-least-privilege", "iam-role-permissions-least-privilege"], /PowerUserAccess/],
      [
        "a customer policy of the stack with iam:PassRole attached by a PolicyAttachment",
        () =>
          stack(
            permissions,
            { type: "aws:iam/policy:Policy", name: "extra", props: { name: "deploy-extra", policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: "iam:PassRole", Resource: "*" }] }) } },
            { type: "aws:iam/policyAttachment:PolicyAttachment", name: "extra-attach", props: { roles: [ROLE_NAME], policyArn: "arn:aws:iam::123456789012:policy/deploy-extra" }, dependsOn: ["extra", ROLE] },
          ),
        ["iam-deploy-role-least-privilege", "iam-role-permissions-least-privilege"],
        /iam:PassRole/,
      ],
      ["kms:* in an inline policy of the role itself", () => withInput(stack(), ROLE, "inlinePolicies", [{ name: "keys", policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: "kms:*", Resource: AUDIT_KEY }] }) }]), ["iam-deploy-role-least-privilege", "iam-role-permissions-least-privilege"], /inline policy keys/],
      [
        "a managed policy the stack does not declare",
        () => stack(permissions, { type: "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive", name: "exclusive", props: { roleName: ROLE_NAME, policyArns: ["arn:aws:iam::123456789012:policy/made-by-hand"] }, dependsOn: [ROLE] }),
        ["iam-deploy-role-least-privilege", "iam-role-permissions-least-privilege"],
        /made-by-hand \(not declared in this stack/,
      ],
      [
        "an inline policy kept by RolePoliciesExclusive but not declared",
        () => stack(permissions, { type: "aws:iam/rolePoliciesExclusive:RolePoliciesExclusive", name: "inline-exclusive", props: { roleName: ROLE_NAME, policyNames: ["deploy-audit-permissions", "added-in-the-console"] }, dependsOn: [ROLE] }),
        ["iam-deploy-role-least-privilege", "iam-role-permissions-least-privilege"],
        /added-in-the-console/,
      ],
      [
        "a write on Resource * for the Chatbot role (another role, same rules)",
        () => [...stack(), rolePolicy("x", {})].slice(0, -1).map((f) => (f.name === "alerts-chatbot-read" ? { ...f, props: { ...f.props, policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: "cloudwatch:PutMetricAlarm", Resource: "*" }] }) } } : f)),
        ["alerts-chatbot-guardrails-read-only", "iam-role-permissions-least-privilege"],
        /cloudwatch:PutMetricAlarm on Resource "\*"/,
      ],
    ];
    for (const [title, fixtures, policies, pattern] of cases) it(`blocks ${title}`, () => expectOnly(fixtures(), policies, pattern));
  });
});
