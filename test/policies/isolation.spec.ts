import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { StackIdentities } from "../../policies/lib/stackIdentity";
import { ISOLATION_POLICY, stackResourcesOwn } from "../../policies/rules/isolation";
import { levelFloorProblems } from "../../tools/policy/levelFloors";
import { identitiesFromStackFiles, identitiesInPolicyConfig, identityDisagreements, projectIdentityDisagreements } from "../../tools/policy/stackIdentity";
import { PROJECT_DIR } from "../harness";
import { Fixture, judge } from "./judge";

const CONFIG_FILES = ["staging", "production"].map((stack) => path.join(PROJECT_DIR, "policies", "config", `${stack}.json`));
const COPY = identitiesInPolicyConfig(CONFIG_FILES[0]!);

const POSTGRES_PROVIDER = "pulumi:providers:postgresql";
const SSM_PARAMETER = "aws:ssm/parameter:Parameter";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const VERCEL_ENV_VAR = "vercel:index/projectEnvironmentVariable:ProjectEnvironmentVariable";
const GITHUB_ENVIRONMENT = "github:index/repositoryEnvironment:RepositoryEnvironment";

/** The isolation policy alone over `fixtures` in `stack`, with the identities the committed config gives it: one line per finding. */
function findings(stack: string, fixtures: Fixture[], stacks: StackIdentities = COPY): string[] {
  return judge(fixtures, { stack, policies: [stackResourcesOwn], config: { [ISOLATION_POLICY]: { stacks } } }).map((verdict) => verdict.message);
}

function policyDocument(statements: object[]): string {
  return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}

/** What a compliant staging stack declares, in the shapes the isolation policy reads. */
function stagingStack(): Fixture[] {
  return [
    { type: POSTGRES_PROVIDER, name: "db", props: { host: "db-staging.flightpro.internal", port: 5432, database: "flightpro_staging", username: "flightdeck_admin" } },
    { type: "postgresql:index/database:Database", name: "flightpro-staging-db", props: { name: "flightpro_staging", owner: "flightpro_owner" } },
    { type: GITHUB_ENVIRONMENT, name: "flightpro-staging-env", props: { repository: "flightpro", environment: "staging" } },
    { type: VERCEL_ENV_VAR, name: "runtime-LOG_LEVEL", props: { projectId: "prj_1", key: "LOG_LEVEL", value: "debug", targets: ["preview"], gitBranch: "staging", sensitive: false } },
    { type: SSM_PARAMETER, name: "flightpro-staging-dr-jobs-database-url", props: { name: "/flightdeck/flightpro/staging/dr/database-url", type: "SecureString", value: "postgresql://backup@trestle.proxy.rlwy.net:41822/flightpro_staging" } },
    {
      type: ROLE_POLICY,
      name: "flightpro-staging-refresh",
      props: {
        role: "flightpro-staging-refresh",
        // Staging's data refresh reads production's backups (flightdeck:stagingData.source): a read the identities allow.
        policy: policyDocument([
          { Effect: "Allow", Action: ["s3:GetObject", "s3:ListBucket"], Resource: ["arn:aws:s3:::flightpro-db-backups-production", "arn:aws:s3:::flightpro-db-backups-production/*"] },
          { Effect: "Allow", Action: "s3:PutObject", Resource: "arn:aws:s3:::flightpro-deploy-audit-staging/*" },
        ]),
        description: "Unlike production, staging is refreshed from production's backups",
      },
    },
  ];
}

function withProps(fixtures: Fixture[], name: string, props: Record<string, unknown>): Fixture[] {
  return fixtures.map((fixture) => (fixture.name === name ? { ...fixture, props: { ...fixture.props, ...props } } : fixture));
}

describe("policies: isolation-stack-resources-own", () => {
  describe("the judge's copy of every stack's identity", () => {
    // The judge runs from the base branch's policies/config (docs/plan.md, infra.yml's judge job): a pull
    // request that edits Pulumi.staging.yaml cannot move production's identity out of the copy that judges it.
    it("agrees with the stack files, in every stack's config", () => {
      assert.deepEqual(projectIdentityDisagreements(PROJECT_DIR, ["staging", "production"], CONFIG_FILES), []);
      assert.deepEqual(identitiesInPolicyConfig(CONFIG_FILES[1]!), COPY);
    });

    it("reports a copy that gives staging production's database host, or forgets production, one line each naming both files", () => {
      const fromFiles = identitiesFromStackFiles(["staging", "production"], PROJECT_DIR);
      const widened = structuredClone(COPY);
      widened["staging"]!.databaseHosts.push("DB.flightpro.internal");
      assert.deepEqual(identityDisagreements(fromFiles, widened, "policies/config/staging.json"), [
        "policies/config/staging.json: isolation-stack-resources-own.stacks.staging.databaseHosts lists db.flightpro.internal, which Pulumi.production.yaml uses: a resource belongs to one stack",
      ]);
      const { production: _, ...stagingOnly } = structuredClone(COPY);
      assert.deepEqual(identityDisagreements(fromFiles, stagingOnly, "policies/config/staging.json"), [
        "policies/config/staging.json: isolation-stack-resources-own.stacks has no production, but Pulumi.production.yaml exists: its identity must be listed for every stack's judge",
      ]);
    });

    it("is mandatory in staging: the config says so, and a config that lowers it is refused", () => {
      const staging = JSON.parse(readFileSync(CONFIG_FILES[0]!, "utf8")) as Record<string, unknown>;
      assert.equal(staging["all"], "advisory");
      assert.deepEqual(levelFloorProblems(staging, { stack: "staging", project: "flightdeck" }, "staging.json"), []);
      const lowered = { ...staging, [ISOLATION_POLICY]: { ...(staging[ISOLATION_POLICY] as object), enforcementLevel: "advisory" } };
      assert.deepEqual(
        levelFloorProblems(lowered, { stack: "staging", project: "flightdeck" }, "staging.json").map((problem) => problem.split(" (")[0]),
        [`${ISOLATION_POLICY} is advisory: it is at least mandatory in stack staging`],
      );
      const { [ISOLATION_POLICY]: _, ...unnamed } = staging;
      assert.deepEqual(
        levelFloorProblems(unnamed, { stack: "staging", project: "flightdeck" }, "staging.json").map((problem) => problem.split(" (")[0]),
        [`${ISOLATION_POLICY} is advisory`],
      );
    });
  });

  it("accepts a staging stack that uses its own resources and only reads production's backups", () => {
    assert.deepEqual(findings("staging", stagingStack()), []);
  });

  const cases: [string, string, () => Fixture[], RegExp][] = [
    ["staging's provider on production's database host, spelled with a root dot and upper case", "staging", () => withProps(stagingStack(), "db", { host: "DB.FlightPro.Internal." }), /host DB\.FlightPro\.Internal\. is not stack staging's database host/],
    [
      "a staging parameter holding production's database URL (the right host, the wrong database)",
      "staging",
      () => withProps(stagingStack(), "flightpro-staging-dr-jobs-database-url", { value: "postgresql://backup@trestle.proxy.rlwy.net:41822/flightpro" }),
      /value connects to database flightpro, not stack staging's/,
    ],
    ["staging's GitHub environment named Production", "staging", () => withProps(stagingStack(), "flightpro-staging-env", { environment: "Production" }), /environment is "Production": stack staging deploys only to its own environment/],
    ["a staging variable on Vercel's production target", "staging", () => withProps(stagingStack(), "runtime-LOG_LEVEL", { targets: ["preview", "production"] }), /production deployments are production's/],
    [
      "a wildcard that reaches production's audit bucket",
      "staging",
      () => withProps(stagingStack(), "flightpro-staging-refresh", { policy: policyDocument([{ Effect: "Allow", Action: "s3:PutObject", Resource: "arn:aws:s3:::flightpro-deploy-audit-*/*" }]) }),
      /matches production's bucket flightpro-deploy-audit-production/,
    ],
    [
      "a write to the production backups staging may only read",
      "staging",
      () => withProps(stagingStack(), "flightpro-staging-refresh", { policy: policyDocument([{ Effect: "Allow", Action: ["s3:GetObject", "s3:DeleteObject"], Resource: "arn:aws:s3:::flightpro-db-backups-production/*" }]) }),
      /names production's bucket flightpro-db-backups-production beyond reading it/,
    ],
    [
      "staging's deploy variable sending the deploy to production's Railway environment",
      "staging",
      () => [...stagingStack(), { type: "github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable", name: "flightpro-staging-var-railway", props: { repository: "flightpro", environment: "staging", variableName: "RAILWAY_ENVIRONMENT", value: " Production" } }],
      /value is " Production", production's environment: stack staging runs only in its own \(staging\)/,
    ],
    [
      "production's stack writing staging's audit bucket (a collision whichever stack makes it)",
      "production",
      () => [{ type: SSM_PARAMETER, name: "flightpro-production-audit-bucket", props: { name: "/flightdeck/flightpro/production/audit-bucket", type: "String", value: "s3://flightpro-deploy-audit-staging/records" } }],
      /names staging's bucket flightpro-deploy-audit-staging/,
    ],
  ];
  for (const [title, stack, fixtures, message] of cases) {
    it(`rejects ${title}`, () => {
      const found = findings(stack, fixtures());
      assert.equal(found.length, 1, found.join("\n"));
      assert.match(found[0]!, message);
    });
  }

  it("reads a ruleset's ~DEFAULT_BRANCH as the repository's default branch: production's own main, staging reaching it", () => {
    // GitHub's ruleset conditions: ~DEFAULT_BRANCH is the repository's default branch, ~ALL every branch
    // (https://docs.github.com/en/rest/repos/rules#create-a-repository-ruleset, conditions.ref_name.include).
    const ruleset = (includes: string[]): Fixture[] => [{ type: "github:index/repositoryRuleset:RepositoryRuleset", name: "rules", props: { name: "deploy-branch", target: "branch", conditions: { refName: { includes, excludes: [] } } } }];
    assert.deepEqual(findings("production", ruleset(["~DEFAULT_BRANCH"])), []);
    assert.match(findings("staging", ruleset(["~DEFAULT_BRANCH"])).join("\n"), /includes\[0\] "~DEFAULT_BRANCH" applies to production's branch main/);
    assert.match(findings("production", ruleset(["~ALL"])).join("\n"), /applies to staging's branch staging/);
  });

  it("judges a stack the config lists no identity for as a violation, not as a pass", () => {
    const { staging: _, ...productionOnly } = COPY;
    assert.deepEqual(findings("staging", stagingStack(), productionOnly), [
      'the policy config lists no identity for stack "staging" (isolation-stack-resources-own.stacks has production): a stack is judged against its own resources; add it to policies/config/*.json',
    ]);
  });
});
