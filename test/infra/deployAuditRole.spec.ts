import { strict as assert } from "node:assert";
import { RecordedResource, StackRun, inputAt, runSampleStack } from "../harness";
import { deployRolePermissions, deployRoleTrustPolicy, deploySubject } from "../../infra/aws/auditPolicies";
import { deployVariables } from "../../infra/pipeline/deployContract";
import { grantedActions, isAllow, parsePolicyDocument } from "../../policies/lib/policyDocument";
import { deployRoleLeastPrivilege } from "../../policies/rules/iam";

const ROLE = "aws:iam/role:Role";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const OIDC = "aws:iam/openIdConnectProvider:OpenIdConnectProvider";
const TOPIC = "aws:sns/topic:Topic";
const ENV_VARIABLE = "github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable";

type Statement = Record<string, unknown>;

function statementsOf(resource: RecordedResource, path: string): Statement[] {
  const text = inputAt(resource, path);
  assert.equal(typeof text, "string");
  const statements = (JSON.parse(text as string) as { Statement?: unknown }).Statement;
  assert.ok(Array.isArray(statements));
  return statements as Statement[];
}

function asList(value: unknown): string[] {
  return (Array.isArray(value) ? value : [value]).map(String);
}

function topicArn(run: StackRun, severity: string): string {
  return `arn:aws:sns:us-east-1:123456789012:${String(inputAt(run.one(TOPIC, `-alerts-${severity}`), "name"))}`;
}

describe("DeployAuditRole", () => {
  let production: StackRun;
  before(async () => {
    production = await runSampleStack("production");
  });

  it("creates GitHub's OIDC provider for the STS audience when none is configured", () => {
    const provider = production.one(OIDC);
    assert.equal(inputAt(provider, "url"), "https://token.actions.githubusercontent.com");
    assert.deepEqual(inputAt(provider, "clientIdLists"), ["sts.amazonaws.com"]);
  });

  it("trusts only the repository's production deploy jobs: exact subject and audience, no wildcard", () => {
    const role = production.one(ROLE, "-deploy-audit-role");
    const statements = statementsOf(role, "assumeRolePolicy");
    assert.equal(statements.length, 1);
    const trust = statements[0]!;
    assert.equal(trust["Effect"], "Allow");
    assert.equal(trust["Action"], "sts:AssumeRoleWithWebIdentity");
    assert.deepEqual(trust["Principal"], { Federated: "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" });
    assert.deepEqual(trust["Condition"], {
      StringEquals: {
        "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
        "token.actions.githubusercontent.com:sub": "repo:flightpro/flightpro:environment:production",
      },
    });
    assert.ok(!String(inputAt(role, "assumeRolePolicy")).includes("*"), "no wildcard anywhere in the trust policy");
  });

  it("pins the staging role to the staging environment", async () => {
    const staging = await runSampleStack("staging");
    const trust = statementsOf(staging.one(ROLE, "-deploy-audit-role"), "assumeRolePolicy")[0]!;
    assert.equal(
      (trust["Condition"] as { StringEquals: Record<string, string> }).StringEquals["token.actions.githubusercontent.com:sub"],
      "repo:flightpro/flightpro:environment:staging",
    );
  });

  it("uses a configured OIDC provider instead of creating one, and the immutable subject form flightdeck:github.oidcSubjectIds names", async () => {
    // github/docs@051718f2 content/actions/reference/security/oidc.md, "Immutable subject claims".
    const existing = "arn:aws:iam::210987654321:oidc-provider/token.actions.githubusercontent.com";
    const run = await runSampleStack("production", (raw) => {
      (raw["audit"] as Record<string, unknown>)["githubOidcProviderArn"] = existing;
      (raw["github"] as Record<string, unknown>)["oidcSubjectIds"] = { owner: 123456, repository: 456789 };
    });
    assert.equal(run.ofType(OIDC).length, 0);
    const trust = statementsOf(run.one(ROLE, "-deploy-audit-role"), "assumeRolePolicy")[0]!;
    assert.deepEqual(trust["Principal"], { Federated: existing });
    assert.equal(
      (trust["Condition"] as { StringEquals: Record<string, string> }).StringEquals["token.actions.githubusercontent.com:sub"],
      "repo:flightpro@123456/flightpro@456789:environment:production",
    );
  });

  it("may only put records under the prefix, encrypt them with the audit key, announce on info and critical, and publish metrics to the stack's namespace", () => {
    const policy = production.one(ROLE_POLICY, "-deploy-audit-permissions");
    const role = production.one(ROLE, "-deploy-audit-role");
    assert.equal(inputAt(policy, "role"), inputAt(role, "name"));
    const statements = statementsOf(policy, "policy");
    assert.ok(statements.every((s) => s["Effect"] === "Allow"));
    const actions = statements.flatMap((s) => asList(s["Action"])).sort();
    assert.deepEqual(actions, ["cloudwatch:PutMetricData", "kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:GenerateDataKey", "s3:PutObject", "sns:Publish", "ssm:PutParameter"]);

    // Production watches its deploys: the deploy job may write the watch record, that one parameter (infra/metrics).
    const watch = statements.find((s) => asList(s["Action"]).includes("ssm:PutParameter"))!;
    assert.deepEqual(asList(watch["Resource"]), ["arn:aws:ssm:us-east-1:123456789012:parameter/flightdeck/flightpro/production/deploy-watch"]);

    const put = statements.find((s) => asList(s["Action"]).includes("s3:PutObject"))!;
    assert.deepEqual(asList(put["Resource"]), ["arn:aws:s3:::flightpro-deploy-audit-production/deployments/*"]);

    const auditKeyId = String(inputAt(production.one("aws:kms/alias:Alias", "-audit-key-alias"), "targetKeyId"));
    const encrypt = statements.find((s) => asList(s["Action"]).includes("kms:Encrypt"))!;
    assert.deepEqual(asList(encrypt["Action"]).sort(), ["kms:Encrypt", "kms:GenerateDataKey"]);
    assert.match(asList(encrypt["Resource"]).join(), new RegExp(`^arn:aws:kms:us-east-1:123456789012:key/${auditKeyId}$`));

    const publish = statements.find((s) => asList(s["Action"]).includes("sns:Publish"))!;
    assert.deepEqual(asList(publish["Resource"]).sort(), [topicArn(production, "critical"), topicArn(production, "info")].sort());
    assert.ok(!asList(publish["Resource"]).includes(topicArn(production, "warning")));

    // Publishing to an encrypted topic needs its key, and only through SNS.
    const topicKeyId = String(inputAt(production.one("aws:kms/alias:Alias", "-alerts-key-alias"), "targetKeyId"));
    const topicKey = statements.find((s) => asList(s["Action"]).includes("kms:Decrypt"))!;
    assert.match(asList(topicKey["Resource"]).join(), new RegExp(`key/${topicKeyId}$`));
    assert.deepEqual(topicKey["Condition"], { StringEquals: { "kms:ViaService": "sns.us-east-1.amazonaws.com" } });

    // DeploymentFailed: PutMetricData has no resource-level permissions, so the namespace condition is its bound.
    const metrics = statements.find((s) => asList(s["Action"]).includes("cloudwatch:PutMetricData"))!;
    assert.deepEqual(asList(metrics["Action"]), ["cloudwatch:PutMetricData"]);
    assert.deepEqual(metrics["Condition"], { StringEquals: { "cloudwatch:namespace": "FlightPro/production" } });

    for (const statement of statements) {
      if (statement === metrics) continue;
      for (const resource of asList(statement["Resource"])) assert.notEqual(resource, "*", `${String(statement["Sid"])} names its resources`);
    }
  });

  it("grants, wildcards expanded against AWS's Service Authorization Reference, only the actions the pack allows a deploy role", () => {
    const document = parsePolicyDocument(inputAt(production.one(ROLE_POLICY, "-deploy-audit-permissions"), "policy") as string);
    assert.equal(document.kind, "document");
    const granted = document.kind === "document" ? document.statements.filter(isAllow).flatMap(grantedActions).map((action) => action.name) : [];
    const allowed = (deployRoleLeastPrivilege.configSchema?.properties?.["allowedActions"]?.default ?? []) as string[];
    assert.deepEqual([...new Set(granted)].sort(), [...allowed].sort());
  });

  it("hands the role, bucket, prefix, region, topics and metrics namespace to the deploy environment as plain variables", () => {
    const variables = new Map(production.ofType(ENV_VARIABLE).map((v) => [String(inputAt(v, "variableName")), v]));
    const role = production.one(ROLE, "-deploy-audit-role");
    const expected: Record<string, string> = {
      [deployVariables.auditRoleArn]: `arn:aws:iam::123456789012:role/${String(inputAt(role, "name"))}`,
      [deployVariables.auditBucket]: "flightpro-deploy-audit-production",
      [deployVariables.auditPrefix]: "deployments/",
      [deployVariables.awsRegion]: "us-east-1",
      [deployVariables.criticalTopicArn]: topicArn(production, "critical"),
      [deployVariables.infoTopicArn]: topicArn(production, "info"),
      [deployVariables.metricsNamespace]: "FlightPro/production",
    };
    for (const [name, value] of Object.entries(expected)) {
      const variable = variables.get(name);
      assert.ok(variable, `variable ${name}`);
      assert.equal(inputAt(variable, "value"), value, name);
      assert.deepEqual(variable.secretPaths, [], `${name} is plain`);
    }
  });

  it("exports the bucket, the role ARN and the topic ARNs", () => {
    assert.equal(production.outputs["auditBucket"], "flightpro-deploy-audit-production");
    assert.equal(production.outputs["auditRoleArn"], "arn:aws:iam::123456789012:role/flightpro-production-deploy-audit");
    assert.deepEqual(production.outputs["alertTopicArns"], {
      critical: topicArn(production, "critical"),
      warning: topicArn(production, "warning"),
      info: topicArn(production, "info"),
    });
  });

  describe("policies (pure)", () => {
    it("builds the subject of one repository environment", () => {
      assert.equal(deploySubject("acme", "shop", "staging"), "repo:acme/shop:environment:staging");
    });

    it("refuses a wildcard subject", () => {
      assert.throws(() => deployRoleTrustPolicy("arn:provider", "repo:acme/shop:*"), /must be exact/);
    });

    it("scopes PutObject to the prefix it is given", () => {
      const document = deployRolePermissions({
        bucketName: "b",
        prefix: "records/",
        auditKeyArn: "arn:key:audit",
        topicArns: ["arn:topic:info"],
        topicKeyArn: "arn:key:topics",
        region: "eu-west-1",
        metricsNamespace: "Shop/staging",
      });
      const put = document.Statement.find((s) => s.Action === "s3:PutObject");
      assert.equal(put?.Resource, "arn:aws:s3:::b/records/*");
      const viaSns = document.Statement.find((s) => s.Sid === "PublishToEncryptedTopics");
      assert.deepEqual(viaSns?.Condition, { StringEquals: { "kms:ViaService": "sns.eu-west-1.amazonaws.com" } });
      const metrics = document.Statement.find((s) => s.Action === "cloudwatch:PutMetricData");
      assert.deepEqual(metrics?.Condition, { StringEquals: { "cloudwatch:namespace": "Shop/staging" } });
    });
  });
});
