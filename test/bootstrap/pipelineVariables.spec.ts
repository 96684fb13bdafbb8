import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { PROJECT_DIR } from "../harness";
import { BootstrapRun, runBootstrap, sampleBootstrapConfig } from "./harness";

/**
 * The bootstrap writes exactly what .github/workflows/infra.yml reads: every `${{ vars.X }}` of a job is a
 * repository variable, or a variable of the environment the job runs in (an environment's variable is
 * visible only to jobs that reference that environment, and wins over a repository variable of the same
 * name: https://docs.github.com/en/actions/reference/workflows-and-actions/variables#configuration-variable-precedence),
 * and every role a job assumes trusts the subject GitHub gives that job.
 */

type Job = { name?: string; environment?: string | { name: string }; steps?: { uses?: string; with?: Record<string, unknown> }[] } & Record<string, unknown>;
const workflow = parse(readFileSync(path.join(PROJECT_DIR, ".github", "workflows", "infra.yml"), "utf8")) as { on: Record<string, unknown>; jobs: Record<string, Job> };

const VARS = /\$\{\{\s*vars\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

function varsOf(value: unknown): string[] {
  return [...JSON.stringify(value).matchAll(VARS)].map((match) => match[1]!);
}

function environmentOf(job: Job): string | undefined {
  return typeof job.environment === "string" ? job.environment : job.environment?.name;
}

function trustedSubject(run: BootstrapRun, roleArn: string): string {
  const name = roleArn.slice(roleArn.lastIndexOf("/") + 1);
  const role = run.ofType("aws:iam/role:Role").find((candidate) => candidate.inputs["name"] === name);
  assert.ok(role, `the bootstrap declares role ${name}`);
  const trust = JSON.parse(String(role.inputs["assumeRolePolicy"])) as { Statement: { Condition: { StringEquals: Record<string, string> } }[] };
  return trust.Statement[0]!.Condition.StringEquals["token.actions.githubusercontent.com:sub"]!;
}

describe("bootstrap: the Actions variables infra.yml reads", () => {
  let run: BootstrapRun;
  let repository: Map<string, string>;
  let byEnvironment: Map<string, Map<string, string>>;

  before(async () => {
    run = await runBootstrap();
    repository = new Map(run.ofType("github:index/actionsVariable:ActionsVariable").map((variable) => [String(variable.inputs["variableName"]), String(variable.inputs["value"])]));
    byEnvironment = new Map();
    for (const variable of run.ofType("github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable")) {
      const environment = String(variable.inputs["environment"]);
      if (!byEnvironment.has(environment)) byEnvironment.set(environment, new Map());
      byEnvironment.get(environment)!.set(String(variable.inputs["variableName"]), String(variable.inputs["value"]));
    }
  });

  /** The value a job sees for `vars.X`: its environment's variable, else the repository's. */
  const valueFor = (job: Job, name: string) => {
    const environment = environmentOf(job);
    return (environment !== undefined ? byEnvironment.get(environment)?.get(name) : undefined) ?? repository.get(name);
  };

  it("every vars.X a job of infra.yml reads is declared for that job, and only for this repository", () => {
    const missing: string[] = [];
    const read = new Set<string>();
    for (const [id, job] of Object.entries(workflow.jobs)) {
      for (const name of varsOf(job)) {
        read.add(name);
        if (valueFor(job, name) === undefined) missing.push(`${id} reads vars.${name}${environmentOf(job) ? ` (environment ${environmentOf(job)})` : ""}`);
      }
    }
    assert.deepEqual(missing, []);
    assert.ok(read.size > 0, "infra.yml reads variables");
    for (const variable of [...run.ofType("github:index/actionsVariable:ActionsVariable"), ...run.ofType("github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable")]) {
      assert.equal(variable.inputs["repository"], (sampleBootstrapConfig()["infraRepository"] as { name: string }).name, `${variable.name} is written to this repository`);
    }
  });

  it("every variable the bootstrap writes is read by infra.yml (nothing stale to mislead)", () => {
    const read = new Set(Object.values(workflow.jobs).flatMap(varsOf));
    const written = [...repository.keys(), ...[...byEnvironment.values()].flatMap((variables) => [...variables.keys()])];
    assert.deepEqual(written.filter((name) => !read.has(name)), []);
  });

  it("each job that assumes a role gets one that trusts exactly the OIDC subject GitHub gives that job", () => {
    // https://docs.github.com/en/actions/reference/security/oidc: a job referencing an environment gets
    // repo:ORG/REPO:environment:NAME; otherwise a pull_request run gets repo:ORG/REPO:pull_request.
    const triggers = Object.keys(workflow.on);
    let assumed = 0;
    for (const [id, job] of Object.entries(workflow.jobs)) {
      for (const step of job.steps ?? []) {
        if (!step.uses?.startsWith("aws-actions/configure-aws-credentials@")) continue;
        const [name] = varsOf(step.with?.["role-to-assume"]);
        assert.ok(name, `${id} assumes a role named by a variable`);
        const roleArn = valueFor(job, name);
        assert.ok(roleArn, `${id}: vars.${name} is declared`);
        const environment = environmentOf(job);
        const pullRequestOnly = String(job["if"] ?? "").includes("github.event_name == 'pull_request'");
        const expected = environment !== undefined ? `repo:flightpro/flightdeck:environment:${environment}` : pullRequestOnly && triggers.includes("pull_request") ? "repo:flightpro/flightdeck:pull_request" : undefined;
        assert.ok(expected, `${id} runs in an environment or on pull requests only`);
        assert.equal(trustedSubject(run, roleArn), expected, `${id} assumes ${roleArn}`);
        assumed += 1;
      }
    }
    assert.equal(assumed, 3, "the preview job and the two up jobs assume roles");
  });

  it("the ruleset requires checks that infra.yml's pull-request jobs report (a check run is named after its job's name)", () => {
    // https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax#jobsjob_idname: the job's name is shown in the UI,
    // and a required status check is matched by that name.
    const required = (sampleBootstrapConfig()["protection"] as { requiredChecks: string[] }).requiredChecks;
    const pullRequestJobs = Object.entries(workflow.jobs)
      .filter(([, job]) => job["if"] === undefined || String(job["if"]).includes("pull_request"))
      .map(([id, job]) => job.name ?? id);
    for (const check of required) assert.ok(pullRequestJobs.includes(check), `${check} is the name of a job that runs on pull requests (${pullRequestJobs.join(", ")})`);
    const ruleset = run.one("github:index/repositoryRuleset:RepositoryRuleset", "-ruleset");
    const contexts = ((ruleset.inputs["rules"] as { requiredStatusChecks: { requiredChecks: { context: string }[] } }).requiredStatusChecks.requiredChecks).map((check) => check.context);
    assert.deepEqual(contexts, required);
  });

  it("the environments the up jobs run in exist, deploy only from main, and production's needs a reviewer", () => {
    const environments = new Set(Object.values(workflow.jobs).map(environmentOf).filter((environment): environment is string => environment !== undefined));
    const declared = new Map(run.ofType("github:index/repositoryEnvironment:RepositoryEnvironment").map((environment) => [String(environment.inputs["environment"]), environment]));
    for (const environment of environments) assert.ok(declared.has(environment), `environment ${environment} is declared`);
    const policies = run.ofType("github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy");
    assert.deepEqual(policies.map((policy) => [policy.inputs["environment"], policy.inputs["branchPattern"]]).sort(), [["production", "main"], ["staging", "main"]]);
    const reviewers = declared.get("production")!.inputs["reviewers"] as { users: number[]; teams: number[] }[];
    assert.ok(reviewers[0]!.users.length + reviewers[0]!.teams.length > 0);
    assert.equal(declared.get("production")!.inputs["preventSelfReview"], true);
  });

  it("PULUMI_BACKEND_URL is the state bucket as `pulumi login` takes it (s3://<bucket>?region=<region>)", () => {
    // https://www.pulumi.com/docs/iac/concepts/state-and-backends/ (AWS S3: pulumi login s3://<bucket-name>?region=<region>);
    // the CLI reads PULUMI_BACKEND_URL before any stored login (pulumi/pulumi@v3.259.0 pkg/workspace/creds.go GetCurrentCloudURLWithSource).
    assert.equal(repository.get("PULUMI_BACKEND_URL"), "s3://flightpro-pulumi-state?region=us-east-1");
    assert.equal(repository.get("AWS_REGION"), "us-east-1");
  });
});
