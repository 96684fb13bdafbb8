import { strict as assert } from "node:assert";
import { actionsPinned, productionMigratesFirst, productionSmokeRollback } from "../../policies/rules/workflows";
import { deployProductionYaml, SHA, validStack, verifyYaml } from "./fixtures";
import { Fixture, itRejects, judge, runResourcePolicy, withInput } from "./judge";

const DEPLOY = "workflow-deploy-production";
const VERIFY = "workflow-verify";
const deploy = (edit: (yaml: string) => string) => () => withInput(validStack(), DEPLOY, "content", edit(deployProductionYaml));
const verify = (edit: (yaml: string) => string) => () => withInput(validStack(), VERIFY, "content", edit(verifyYaml));
const deployFile = (yaml: string): Fixture => {
  const file = validStack().find((fixture) => fixture.name === DEPLOY);
  assert.ok(file);
  return { ...file, props: { ...file.props, content: yaml } };
};

const MIGRATION_STEP = "      - name: Run database migrations\n        run: alembic upgrade head\n        env:\n          DATABASE_URL: ${{ secrets.MIGRATION_DATABASE_URL }}\n";
const ROLLBACK_IF = "        if: failure() && steps.smoke.outcome == 'failure'\n";

describe("policies: workflow files", () => {
  it("accept a pinned, read-only production workflow that promotes, migrates first, smoke-tests and rolls back", () => {
    assert.deepEqual(judge(validStack()), []);
  });

  it("judge only files under .github/workflows/", () => {
    const file: Fixture = { type: "github:index/repositoryFile:RepositoryFile", name: "env-example", props: { file: ".env.example", content: "uses: foo/bar@v1" } };
    assert.equal(runResourcePolicy(actionsPinned, file), "not applicable");
  });

  it("accept local actions", () => {
    const local = deployProductionYaml.replace(`      - uses: actions/checkout@${SHA}\n`, "      - uses: ./.github/actions/setup\n");
    assert.deepEqual(judge(withInput(validStack(), DEPLOY, "content", local)), []);
  });

  it("migrations: accept them in a job the deploy job needs, reject them in a job it does not wait for", () => {
    const before = deployProductionYaml
      .replace(MIGRATION_STEP, "")
      .replace("  deploy:\n", "  migrate:\n    runs-on: ubuntu-latest\n    steps:\n      - run: alembic upgrade head\n  deploy:\n")
      .replace("    needs: [preflight]\n", "    needs: [preflight, migrate]\n");
    assert.deepEqual(runResourcePolicy(productionMigratesFirst, deployFile(before)), []);
    const parallel = before.replace("    needs: [preflight, migrate]\n", "    needs: [preflight]\n");
    const verdicts = runResourcePolicy(productionMigratesFirst, deployFile(parallel));
    assert.ok(verdicts !== "not applicable" && verdicts.length === 1, JSON.stringify(verdicts));
    assert.match(verdicts[0]!.message, /job deploy step 3 deploys before the migrations run \(job migrate step 1\)/);
  });

  it("smoke tests: accept a rollback job that runs when the smoke-test job fails", () => {
    const job = deployProductionYaml
      .replace("      - name: Roll back\n" + ROLLBACK_IF + '        run: vercel rollback --token "${{ secrets.VERCEL_TOKEN }}"\n', "")
      .replace(
        "  release-notes:\n",
        "  rollback:\n    runs-on: ubuntu-latest\n    needs: [deploy]\n    if: failure() && needs.deploy.result == 'failure'\n    steps:\n      - run: vercel rollback\n  release-notes:\n",
      );
    assert.deepEqual(runResourcePolicy(productionSmokeRollback, deployFile(job)), []);
  });

  itRejects([
    { title: "action on a tag", stack: deploy((y) => y.replace(`actions/checkout@${SHA}`, "actions/checkout@v4")), policy: "workflow-actions-pinned-to-sha", message: /actions\/checkout@v4 is not pinned/ },
    { title: "short SHA", stack: verify((y) => y.replace(`actions/checkout@${SHA}`, "actions/checkout@8e5e7e5")), policy: "workflow-actions-pinned-to-sha", message: /not pinned/ },
    { title: "write-all token", stack: deploy((y) => y.replace("permissions:\n  contents: read\njobs:", "permissions: write-all\njobs:")), policy: "workflow-permissions-read-only", message: /top-level permissions write-all/ },
    { title: "contents: write at the top", stack: verify((y) => y.replace("permissions: {}", "permissions:\n  contents: write")), policy: "workflow-permissions-read-only", message: /grant contents: write/ },
    { title: "no top-level permissions", stack: verify((y) => y.replace("permissions: {}\n", "")), policy: "workflow-permissions-read-only", message: /no top-level permissions/ },
    { title: "pull_request_target", stack: verify((y) => y.replace("  pull_request:", "  pull_request_target:")), policy: "workflow-trigger-no-pull-request-target", message: /pull_request_target/ },
    { title: "no production environment", stack: deploy((y) => y.replace("    environment: production\n", "")), policy: "workflow-production-deploy-uses-environment", message: /no job runs in environment production/ },
    {
      title: "two jobs in the environment (two approvals)",
      stack: deploy((y) => y.replace("  release-notes:\n    runs-on: ubuntu-latest\n", "  release-notes:\n    runs-on: ubuntu-latest\n    environment: production\n")),
      policy: "workflow-production-deploy-uses-environment",
      message: /2 jobs run in environment production \(deploy, release-notes\): each waits for its own approval/,
    },
    {
      title: "migrations outside the environment (no approval)",
      stack: deploy((y) => y.replace(MIGRATION_STEP, "").replace("        run: ./scripts/freeze-check.sh\n", "        run: ./scripts/freeze-check.sh\n" + MIGRATION_STEP)),
      policy: "workflow-production-deploy-uses-environment",
      message: /job preflight step 2 changes production outside environment production/,
    },
    { title: "rebuilds the image", stack: deploy((y) => y.replace("docker buildx imagetools create --tag", "docker build --tag")), policy: "workflow-production-promotes-without-build", message: /builds \(docker build\)/ },
    { title: "rebuilds the web app", stack: deploy((y) => y.replace('vercel promote "$STAGING_URL"', "vercel build --prod && vercel deploy --prebuilt")), policy: "workflow-production-promotes-without-build", message: /vercel build/ },
    { title: "no smoke tests", stack: deploy((y) => y.replace("      - name: Smoke tests\n        id: smoke\n        run: ./scripts/smoke.sh https://app.flightpro.com\n", "")), policy: "workflow-production-smoke-tests-roll-back", message: /no smoke test step/ },
    { title: "rollback not on failure", stack: deploy((y) => y.replace(ROLLBACK_IF, "")), policy: "workflow-production-smoke-tests-roll-back", message: /no rollback step with if: failure\(\)/ },
    {
      title: "rollback on any failure, not the smoke tests'",
      stack: deploy((y) => y.replace(ROLLBACK_IF, "        if: failure()\n")),
      policy: "workflow-production-smoke-tests-roll-back",
      message: /no rollback step runs when the smoke tests fail: condition it on steps\.smoke\.outcome == 'failure'/,
    },
    { title: "smoke tests without an id", stack: deploy((y) => y.replace("        id: smoke\n", "")), policy: "workflow-production-smoke-tests-roll-back", message: /has no id/ },
    {
      title: "rollback before the smoke tests",
      stack: deploy((y) =>
        y
          .replace("      - name: Roll back\n" + ROLLBACK_IF + '        run: vercel rollback --token "${{ secrets.VERCEL_TOKEN }}"\n', "")
          .replace("      - name: Smoke tests\n", "      - name: Roll back\n" + ROLLBACK_IF + '        run: vercel rollback --token "${{ secrets.VERCEL_TOKEN }}"\n      - name: Smoke tests\n'),
      ),
      policy: "workflow-production-smoke-tests-roll-back",
      message: /no rollback step after the smoke tests/,
    },
    {
      title: "migrations after the deploy",
      stack: deploy((y) =>
        y.replace(MIGRATION_STEP, "").replace("      - name: Smoke tests", "      - name: Run database migrations\n        run: alembic upgrade head\n      - name: Smoke tests"),
      ),
      policy: "workflow-production-migrations-before-deploy",
      message: /deploys before the migrations run/,
    },
    { title: "no migrations", stack: deploy((y) => y.replace("        run: alembic upgrade head\n", "        run: echo skipped\n").replace("Run database migrations", "Prepare")), policy: "workflow-production-migrations-before-deploy", message: /no migration step/ },
    { title: "no performance-budgets job", stack: verify((y) => y.replace("  performance-budgets:", "  budgets:")), policy: "workflow-verify-performance-budgets", message: /no performance-budgets job/ },
    { title: "Lighthouse 80", stack: verify((y) => y.replace("LIGHTHOUSE_MIN_SCORE: 85", "LIGHTHOUSE_MIN_SCORE: 80")), policy: "workflow-verify-performance-budgets", message: /LIGHTHOUSE_MIN_SCORE = 80 is looser .* ≥ 85/ },
    { title: "300 KB of JS", stack: verify((y) => y.replace("INITIAL_JS_MAX_KB: 200", "INITIAL_JS_MAX_KB: 300")), policy: "workflow-verify-performance-budgets", message: /INITIAL_JS_MAX_KB = 300 .* ≤ 200/ },
    { title: "1 GB image", stack: verify((y) => y.replace("DOCKER_IMAGE_MAX_MB: 500", 'DOCKER_IMAGE_MAX_MB: "1000"')), policy: "workflow-verify-performance-budgets", message: /DOCKER_IMAGE_MAX_MB = 1000/ },
    { title: "no image budget", stack: verify((y) => y.replace("      DOCKER_IMAGE_MAX_MB: 500\n", "")), policy: "workflow-verify-performance-budgets", message: /no Docker image size \(MB\) threshold/ },
  ]);
});
