import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { Caller, declaredKeys, mayPerform, refusedByResourcePolicy } from "../../policies/lib/access";
import { toStackResource, StackResource } from "../../policies/lib/define";
import { forProject } from "../../policies/lib/project";
import { PROJECT_ENV } from "../../policies/lib/stack";
import { RoleGrants, roleGrants } from "../../policies/lib/roles";
import { allPolicies } from "../../policies/rules";
import { bucketPolicyDocuments } from "../../policies/rules/audit";
import { Fixture, Verdict, judge, mutate, stackArgs, withEnvironment, without } from "../policies/judge";
import { PROJECT_DIR } from "../harness";
import { fixturesOf, runBootstrap } from "./harness";

/**
 * Issue 12 item 2: with the bootstrap's documents, the only principals that can apply production are the
 * deploy job of this repository's production environment and the alarmed break-glass role. Judged over
 * the planned bootstrap as a whole (trust, identity, bucket and key policies), and by the pack's policies
 * on changes that would open another way in.
 */

const ACCOUNT = "123456789012";
const BUCKET = "flightpro-pulumi-state";
const arn = (role: string) => `arn:aws:iam::${ACCOUNT}:role/${role}`;

/**
 * Objects a `pulumi up` of a stack writes, as pulumi/pulumi@v3.259.0 names them (pkg/backend/diy):
 * the checkpoint and its `.bak` (state.go saveCheckpoint, backupTarget), a gzip checkpoint
 * (PULUMI_DIY_BACKEND_GZIP, encoding.GZIPExt), history and its checkpoint copy (state.go addToHistory:
 * `<stack>-<ns>.history.json`, `.checkpoint.json`), a backup (state.go backupStack: `<stack>.<ns>.json`)
 * and the update's lock (lock.go lockPath: `.pulumi/locks/organization/<project>/<stack>/<id>.json`).
 */
function stateObjects(stack: string): string[] {
  const base = `arn:aws:s3:::${BUCKET}/.pulumi`;
  return [
    `${base}/stacks/flightdeck/${stack}.json`,
    `${base}/stacks/flightdeck/${stack}.json.bak`,
    `${base}/stacks/flightdeck/${stack}.json.gz`,
    `${base}/history/flightdeck/${stack}/${stack}-1764590400000000000.history.json`,
    `${base}/history/flightdeck/${stack}/${stack}-1764590400000000000.checkpoint.json`,
    `${base}/backups/flightdeck/${stack}/${stack}.1764590400000000000.json`,
    `${base}/locks/organization/flightdeck/${stack}/0f6c6f4d-8a4e-4a39-9b3c-2b1f0e9f3c11.json`,
  ];
}

function resourcesOf(fixtures: Fixture[]): StackResource[] {
  return stackArgs(fixtures).resources.map(toStackResource);
}

function callerOf(role: RoleGrants): Caller {
  return { arn: arn(role.roleName), account: ACCOUNT, grants: role };
}

/** The roles that may do any of `actions` on any of `objects` in the state bucket. */
function stateWriters(resources: StackResource[], objects: string[], actions = ["s3:PutObject", "s3:DeleteObject"]): string[] {
  const bucket = resources.find((resource) => resource.type === "aws:s3/bucket:Bucket" && resource.props["bucket"] === BUCKET)!;
  const policies = bucketPolicyDocuments(bucket, resources).map((entry) => entry.document);
  return roleGrants(resources)
    .filter((role) => objects.some((resourceArn) => actions.some((action) => mayPerform(callerOf(role), { action, resourceArn, resourcePolicies: policies }))))
    .map((role) => role.roleName)
    .sort();
}

/** The roles that may do `action` with the key named `keyName` (by its logical name's end). */
function keyUsers(resources: StackResource[], keyName: string, action: string): string[] {
  const key = declaredKeys(resources).find((candidate) => candidate.key.name.endsWith(keyName))!;
  assert.ok(key.arn, `${keyName}'s ARN is read from the documents that name it`);
  return roleGrants(resources)
    .filter((role) => mayPerform(callerOf(role), { action, resourceArn: key.arn, resourcePolicies: key.policies, kmsKey: true }))
    .map((role) => role.roleName)
    .sort();
}

/** policies/config/bootstrap.json's settings per policy, as the engine hands them over. */
const CONFIG: Record<string, Record<string, unknown>> = Object.fromEntries(
  Object.entries(JSON.parse(readFileSync(path.join(PROJECT_DIR, "policies", "config", "bootstrap.json"), "utf8")) as Record<string, unknown>)
    .filter(([, value]) => typeof value === "object")
    .map(([name, value]) => {
      const { enforcementLevel: _level, ...settings } = value as Record<string, unknown>;
      return [name, settings];
    }),
);

/** Every policy of the pack, as served in the bootstrap project, over the fixtures. */
function judgeBootstrap(fixtures: Fixture[]): Verdict[] {
  return withEnvironment({ [PROJECT_ENV]: "flightdeck-bootstrap" }, () => judge(fixtures, { policies: allPolicies.map(forProject), config: CONFIG, stack: "bootstrap" }));
}

const policyJson = (fixture: Fixture, key = "policy") => JSON.parse(String(fixture.props[key])) as { Statement: Record<string, unknown>[] };

describe("bootstrap: production is applied only through the pipeline (issue 12 item 2)", () => {
  let fixtures: Fixture[];
  let resources: StackResource[];

  before(async () => {
    fixtures = fixturesOf(await runBootstrap());
    resources = resourcesOf(fixtures);
  });

  it("only the production deploy role and break-glass can write or delete production's state objects", () => {
    assert.deepEqual(stateWriters(resources, stateObjects("production")), ["flightpro-infra-break-glass", "flightpro-infra-deploy-production"]);
    assert.deepEqual(stateWriters(resources, stateObjects("staging")), ["flightpro-infra-break-glass", "flightpro-infra-deploy-staging"]);
  });

  it("the production deploy role can write every object a pulumi up of production writes, and read the backend's meta.yaml", () => {
    const bucket = resources.find((resource) => resource.type === "aws:s3/bucket:Bucket" && resource.props["bucket"] === BUCKET)!;
    const policies = bucketPolicyDocuments(bucket, resources).map((entry) => entry.document);
    const deploy = callerOf(roleGrants(resources).find((role) => role.roleName === "flightpro-infra-deploy-production")!);
    for (const object of stateObjects("production")) assert.ok(mayPerform(deploy, { action: "s3:PutObject", resourceArn: object, resourcePolicies: policies }), object);
    // pkg/backend/diy/meta.go ensurePulumiMeta reads .pulumi/meta.yaml on every login.
    assert.ok(mayPerform(deploy, { action: "s3:GetObject", resourceArn: `arn:aws:s3:::${BUCKET}/.pulumi/meta.yaml`, resourcePolicies: policies }));
    assert.ok(!mayPerform(deploy, { action: "s3:PutObject", resourceArn: `arn:aws:s3:::${BUCKET}/.pulumi/meta.yaml`, resourcePolicies: policies }));
  });

  it("the state bucket's own policy refuses production's state writes to every other principal of the account (an administrator with s3:*)", () => {
    const bucket = resources.find((resource) => resource.type === "aws:s3/bucket:Bucket" && resource.props["bucket"] === BUCKET)!;
    const policies = bucketPolicyDocuments(bucket, resources).map((entry) => entry.document);
    const administrator: Caller = { arn: arn("Administrator"), account: ACCOUNT };
    for (const object of stateObjects("production")) {
      assert.ok(refusedByResourcePolicy(administrator, { action: "s3:PutObject", resourceArn: object, resourcePolicies: policies }), object);
      assert.ok(refusedByResourcePolicy(administrator, { action: "s3:DeleteObject", resourceArn: object, resourcePolicies: policies }), object);
    }
    assert.ok(!refusedByResourcePolicy({ arn: arn("flightpro-infra-deploy-production"), account: ACCOUNT }, { action: "s3:PutObject", resourceArn: stateObjects("production")[0], resourcePolicies: policies }));
  });

  it("only break-glass may encrypt with (or re-key, or grant) production's secrets key; the pipeline's roles only decrypt", () => {
    // Encrypt: the key policy names break-glass; PutKeyPolicy: the root administers, and of the roles only break-glass's own policy is not denied it.
    for (const action of ["kms:Encrypt", "kms:PutKeyPolicy"]) assert.deepEqual(keyUsers(resources, "secrets-production-key", action), ["flightpro-infra-break-glass"], action);
    // Nobody re-encrypts into it or creates a grant on it (a grant hands out use without the key policy).
    for (const action of ["kms:ReEncryptTo", "kms:CreateGrant"]) assert.deepEqual(keyUsers(resources, "secrets-production-key", action), [], action);
    assert.deepEqual(keyUsers(resources, "secrets-production-key", "kms:Decrypt"), ["flightpro-infra-break-glass", "flightpro-infra-deploy-production", "flightpro-infra-preview"]);
    // Read-only people decrypt staging's secrets (humans.readOnlyDecrypts), not production's.
    assert.deepEqual(keyUsers(resources, "secrets-staging-key", "kms:Decrypt"), ["flightpro-infra-break-glass", "flightpro-infra-deploy-staging", "flightpro-infra-preview", "flightpro-infra-readonly"]);
  });

  it("the pack finds nothing in the bootstrap as planned", () => {
    assert.deepEqual(judgeBootstrap(fixtures), []);
  });

  it("defence in depth: an identity grant alone does not reach production's state, nor a root kms:* alone its secrets key", () => {
    const widened = mutate(
      mutate(fixtures, "flightpro-infra-deploy-staging-write-staging-state", (props, fixture) => {
        const document = policyJson(fixture);
        document.Statement.push({ Sid: "Everything", Effect: "Allow", Action: ["s3:PutObject", "s3:DeleteObject"], Resource: `arn:aws:s3:::${BUCKET}/*` });
        props["policy"] = JSON.stringify(document);
      }),
      "flightpro-infra-secrets-production-key",
      (props, fixture) => {
        const document = policyJson(fixture);
        document.Statement[0]!["Action"] = "kms:*";
        props["policy"] = JSON.stringify(document);
      },
    );
    // The bucket policy refuses the staging role; the deploy roles' own Deny keeps kms:Encrypt off the bootstrap's keys.
    assert.deepEqual(stateWriters(resourcesOf(widened), stateObjects("production")), ["flightpro-infra-break-glass", "flightpro-infra-deploy-production"]);
    assert.deepEqual(keyUsers(resourcesOf(widened), "secrets-production-key", "kms:Encrypt"), ["flightpro-infra-break-glass"]);
    assert.deepEqual(judgeBootstrap(widened), []);
  });

  const cases: { title: string; change: (fixtures: Fixture[]) => Fixture[]; policy: string; message: RegExp; alsoBy?: string[] }[] = [
    {
      title: "the staging deploy role may write every object of the bucket, and the bucket policy lets it",
      change: (all) =>
        mutate(
          mutate(all, "flightpro-infra-deploy-staging-write-staging-state", (props, fixture) => {
            const document = policyJson(fixture);
            document.Statement.push({ Sid: "Everything", Effect: "Allow", Action: "s3:PutObject", Resource: `arn:aws:s3:::${BUCKET}/*` });
            props["policy"] = JSON.stringify(document);
          }),
          "flightpro-infra-state-policy",
          (props, fixture) => {
            const document = policyJson(fixture);
            const deny = document.Statement.find((statement) => statement["Sid"] === "OnlyPipelineWritesproductionState")!;
            (deny["Condition"] as { ArnNotEquals: { "aws:PrincipalArn": string[] } }).ArnNotEquals["aws:PrincipalArn"].push(arn("flightpro-infra-deploy-staging"));
            props["policy"] = JSON.stringify(document);
          },
        ),
      policy: "bootstrap-production-apply-pipeline-only",
      message: /role flightpro-infra-deploy-staging can write production's state in flightpro-pulumi-state/,
    },
    {
      title: "the state bucket policy no longer refuses other writers of production's state",
      change: (all) =>
        mutate(all, "flightpro-infra-state-policy", (props, fixture) => {
          const document = policyJson(fixture);
          document.Statement = document.Statement.filter((statement) => statement["Sid"] !== "OnlyPipelineWritesproductionState");
          props["policy"] = JSON.stringify(document);
        }),
      policy: "bootstrap-production-apply-pipeline-only",
      message: /the policy of bucket flightpro-pulumi-state does not refuse production's state writes to other principals/,
    },
    {
      title: "the preview role may encrypt with production's secrets key (its key policy names it)",
      change: (all) =>
        mutate(all, "flightpro-infra-secrets-production-key", (props, fixture) => {
          const document = policyJson(fixture);
          document.Statement.push({ Sid: "PreviewEncrypts", Effect: "Allow", Principal: { AWS: arn("flightpro-infra-preview") }, Action: "kms:Encrypt", Resource: "*" });
          props["policy"] = JSON.stringify(document);
        }),
      policy: "bootstrap-production-apply-pipeline-only",
      message: /role flightpro-infra-preview may kms:Encrypt with key flightpro-infra-secrets-production-key \(its key policy names the role\)/,
    },
    {
      title: "the account root is given kms:* on production's secrets key, and the read-only role kms:Encrypt on every key",
      change: (all) =>
        mutate(
          mutate(all, "flightpro-infra-secrets-production-key", (props, fixture) => {
            const document = policyJson(fixture);
            document.Statement[0]!["Action"] = "kms:*";
            props["policy"] = JSON.stringify(document);
          }),
          "flightpro-infra-readonly-read-state",
          (props, fixture) => {
            const document = policyJson(fixture);
            document.Statement.push({ Sid: "EncryptAnything", Effect: "Allow", Action: "kms:Encrypt", Resource: `arn:aws:kms:us-east-1:${ACCOUNT}:key/*` });
            props["policy"] = JSON.stringify(document);
          },
        ),
      policy: "bootstrap-production-apply-pipeline-only",
      message: /role flightpro-infra-readonly may kms:Encrypt with key flightpro-infra-secrets-production-key/,
      // Able to change something now, the read-only role is a break-glass role that pages nobody.
      alsoBy: ["bootstrap-break-glass-role-alarmed"],
    },
    {
      title: "the deploy roles lose their Deny on the bootstrap's keys (key/* administration reaches the secrets keys)",
      change: (all) =>
        mutate(all, "flightpro-infra-deploy-staging-apply-staging", (props, fixture) => {
          const document = policyJson(fixture);
          document.Statement = document.Statement.filter((statement) => statement["Effect"] !== "Deny");
          props["policy"] = JSON.stringify(document);
        }),
      policy: "bootstrap-production-apply-pipeline-only",
      message: /role flightpro-infra-deploy-staging may kms:PutKeyPolicy with key flightpro-infra-secrets-production-key/,
    },
    {
      title: "the production deploy role trusts any workflow of the repository (StringLike repo:…:*)",
      change: (all) =>
        mutate(all, "flightpro-infra-deploy-production-role", (props, fixture) => {
          const document = policyJson(fixture, "assumeRolePolicy");
          const condition = document.Statement[0]!["Condition"] as Record<string, Record<string, string>>;
          delete condition["StringEquals"]!["token.actions.githubusercontent.com:sub"];
          condition["StringLike"] = { "token.actions.githubusercontent.com:sub": "repo:flightpro/flightdeck:*" };
          props["assumeRolePolicy"] = JSON.stringify(document);
        }),
      policy: "bootstrap-pipeline-role-trust-pinned",
      message: /does not pin token\.actions\.githubusercontent\.com:sub to one exact subject/,
      // Trusted from no environment now, it is no longer the pipeline's production role, and pull requests may assume it.
      alsoBy: ["bootstrap-production-apply-pipeline-only", "bootstrap-pull-request-role-read-only"],
    },
    {
      title: "the production deploy role trusts the staging environment's jobs",
      change: (all) =>
        mutate(all, "flightpro-infra-deploy-production-role", (props, fixture) => {
          const document = policyJson(fixture, "assumeRolePolicy");
          (document.Statement[0]!["Condition"] as Record<string, Record<string, string>>)["StringEquals"]!["token.actions.githubusercontent.com:sub"] = "repo:flightpro/flightdeck:environment:staging";
          props["assumeRolePolicy"] = JSON.stringify(document);
        }),
      policy: "bootstrap-production-apply-pipeline-only",
      message: /role flightpro-infra-deploy-production can write production's state/,
      alsoBy: ["bootstrap-production-apply-pipeline-only"],
    },
    {
      title: "the production deploy role also trusts pull requests (a second subject)",
      change: (all) =>
        mutate(all, "flightpro-infra-deploy-production-role", (props, fixture) => {
          const document = policyJson(fixture, "assumeRolePolicy");
          const second = structuredClone(document.Statement[0]!);
          (second["Condition"] as Record<string, Record<string, string>>)["StringEquals"]!["token.actions.githubusercontent.com:sub"] = "repo:flightpro/flightdeck:pull_request";
          document.Statement.push(second);
          props["assumeRolePolicy"] = JSON.stringify(document);
        }),
      policy: "bootstrap-pipeline-role-trust-pinned",
      message: /trusts several subjects/,
      alsoBy: ["bootstrap-production-apply-pipeline-only", "bootstrap-pull-request-role-read-only"],
    },
    {
      title: "the preview role may write objects",
      change: (all) =>
        mutate(all, "flightpro-infra-preview-read-state", (props, fixture) => {
          const document = policyJson(fixture);
          document.Statement.push({ Sid: "Oops", Effect: "Allow", Action: "s3:PutObject", Resource: `arn:aws:s3:::${BUCKET}/.pulumi/stacks/flightdeck/staging.json` });
          props["policy"] = JSON.stringify(document);
        }),
      policy: "bootstrap-pull-request-role-read-only",
      message: /role flightpro-infra-preview, which pull requests may assume, may s3:PutObject/,
    },
    {
      title: "break-glass no longer requires MFA",
      change: (all) =>
        mutate(all, "flightpro-infra-break-glass-role", (props, fixture) => {
          const document = policyJson(fixture, "assumeRolePolicy");
          delete document.Statement[0]!["Condition"];
          props["assumeRolePolicy"] = JSON.stringify(document);
        }),
      policy: "bootstrap-human-role-mfa-required",
      message: /lets people assume flightpro-infra-break-glass without MFA/,
      // Without MFA it is no longer a break-glass role the pack accepts as a writer of production.
      alsoBy: ["bootstrap-production-apply-pipeline-only"],
    },
    {
      title: "break-glass sessions last 12 hours",
      change: (all) => mutate(all, "flightpro-infra-break-glass-role", (props) => void (props["maxSessionDuration"] = 43200)),
      policy: "bootstrap-human-role-mfa-required",
      message: /flightpro-infra-break-glass's sessions last up to 43200 s; at most 3600 s/,
      alsoBy: ["bootstrap-production-apply-pipeline-only"],
    },
    {
      title: "the break-glass alarm's rule is removed",
      change: (all) => without(all, "flightpro-infra-break-glass-alarm-rule", "flightpro-infra-break-glass-alarm-target"),
      policy: "bootstrap-break-glass-role-alarmed",
      message: /role flightpro-infra-break-glass can change the stacks and people may assume it, but no EventBridge rule of this stack matches its AssumeRole events/,
      alsoBy: ["bootstrap-production-apply-pipeline-only"],
    },
    {
      title: "the break-glass rule matches another role",
      change: (all) =>
        mutate(all, "flightpro-infra-break-glass-alarm-rule", (props) => {
          props["eventPattern"] = String(props["eventPattern"]).replace("flightpro-infra-break-glass", "flightpro-infra-readonly");
        }),
      policy: "bootstrap-break-glass-role-alarmed",
      message: /no EventBridge rule of this stack matches its AssumeRole events/,
      alsoBy: ["bootstrap-production-apply-pipeline-only"],
    },
    {
      title: "the alert topic has no subscriber",
      change: (all) => without(all, "flightpro-infra-break-glass-alarm-email-0", "flightpro-infra-break-glass-alarm-pagerduty"),
      policy: "bootstrap-break-glass-role-alarmed",
      message: /has no target topic of this stack with a subscription/,
      // The break-glass rule's paging path ends at a topic that delivers to nobody.
      alsoBy: ["alerts-paging-path-delivers", "bootstrap-production-apply-pipeline-only"],
    },
    {
      title: "the CloudTrail trail is removed (EventBridge would receive no AssumeRole event)",
      change: (all) => without(all, "flightpro-infra-trail-trail"),
      policy: "bootstrap-break-glass-role-alarmed",
      message: /no logging, multi-region CloudTrail trail is declared/,
    },
    {
      title: "the default branch's ruleset no longer requires code-owner review",
      change: (all) => mutate(all, "flightpro-infra-repository-ruleset", (props) => void ((props["rules"] as { pullRequest: Record<string, unknown> }).pullRequest["requireCodeOwnerReview"] = false)),
      policy: "bootstrap-repository-ruleset-protected",
      message: /requireCodeOwnerReview is not true/,
    },
    {
      title: "the default branch's ruleset lets an administrator bypass it",
      change: (all) => mutate(all, "flightpro-infra-repository-ruleset", (props) => void (props["bypassActors"] = [{ actorType: "RepositoryRole", actorId: 5, bypassMode: "always" }])),
      policy: "bootstrap-repository-ruleset-protected",
      message: /lets 1 actor\(s\) bypass it/,
    },
    {
      title: "the plan check is no longer required",
      change: (all) =>
        mutate(all, "flightpro-infra-repository-ruleset", (props) => {
          const checks = (props["rules"] as { requiredStatusChecks: { requiredChecks: { context: string }[] } }).requiredStatusChecks;
          checks.requiredChecks = checks.requiredChecks.filter((check) => check.context === "test");
        }),
      policy: "bootstrap-repository-ruleset-protected",
      message: /the checks offline plan and policy verdict are not required/,
    },
    {
      title: "the state bucket is not versioned",
      change: (all) => without(all, "flightpro-infra-state-versioning"),
      policy: "bootstrap-state-bucket-protected",
      message: /bucket flightpro-pulumi-state is not versioned/,
    },
    {
      title: "the state bucket is not protected",
      change: (all) => mutate(all, "flightpro-infra-state-bucket", (_props, fixture) => void (fixture.protect = false)),
      policy: "bootstrap-state-bucket-protected",
      message: /bucket flightpro-pulumi-state is not protected/,
    },
    {
      title: "the production environment needs no approval",
      change: (all) => mutate(all, "flightpro-infra-repository-production-environment", (props) => void (props["reviewers"] = [])),
      policy: "github-environment-production-approval-required",
      message: /0 required reviewer\(s\)/,
    },
  ];

  for (const testCase of cases) {
    it(`${testCase.policy}: ${testCase.title}`, () => {
      const verdicts = judgeBootstrap(testCase.change(fixtures));
      const also = new Set(testCase.alsoBy ?? []);
      const main = verdicts.filter((verdict) => verdict.policy === testCase.policy && testCase.message.test(verdict.message));
      assert.ok(main.length > 0, `expected ${testCase.policy} ${testCase.message}, got ${JSON.stringify(verdicts, null, 1)}`);
      const others = verdicts.filter((verdict) => !main.includes(verdict) && !(also.has(verdict.policy)) && verdict.policy !== testCase.policy);
      assert.deepEqual(others, [], "no other policy");
    });
  }
});
