import { strict as assert } from "node:assert";
import { actionsPinned } from "../../policies/rules/workflows";
import { deployProductionYaml, SHA, validStack, verifyYaml } from "./fixtures";
import { Fixture, itRejects, judge, runResourcePolicy, withInput } from "./judge";

const DEPLOY = "workflow-deploy-production";
const VERIFY = "workflow-verify";
const deploy = (edit: (yaml: string) => string) => () => withInput(validStack(), DEPLOY, "content", edit(deployProductionYaml));
const verify = (edit: (yaml: string) => string) => () => withInput(validStack(), VERIFY, "content", edit(verifyYaml));

describe("policies: workflow files", () => {
  it("accept a pinned, read-only production workflow that promotes, migrates first, smoke-tests and rolls back", () => {
    assert.deepEqual(judge(validStack()), []);
  });

  it("judge only files under .github/workflows/", () => {
    const file: Fixture = { type: "github:index/repositoryFile:RepositoryFile", name: "env-example", props: { file: ".env.example", content: "uses: foo/bar@v1" } };
    assert.equal(runResourcePolicy(actionsPinned, file), "not applicable");
  });

  it("accept local actions and the migrations in a job the deploy jobs need", () => {
    const split = deployProductionYaml
      .replace("      - name: Run database migrations\n        run: alembic upgrade head\n        env:\n          DATABASE_URL: ${{ secrets.MIGRATION_DATABASE_URL }}\n", "      - uses: ./.github/actions/setup\n")
      .replace("jobs:\n", `jobs:\n  migrate:\n    runs-on: ubuntu-latest\n    environment: production\n    steps:\n      - run: alembic upgrade head\n`)
      .replace("    environment: production\n    permissions:", "    needs: [migrate]\n    environment: production\n    permissions:");
    assert.deepEqual(judge(withInput(validStack(), DEPLOY, "content", split)), []);
  });

  itRejects([
    { title: "action on a tag", stack: deploy((y) => y.replace(`actions/checkout@${SHA}`, "actions/checkout@v4")), policy: "workflow-actions-pinned-to-sha", message: /actions\/checkout@v4 is not pinned/ },
    { title: "short SHA", stack: verify((y) => y.replace(`actions/checkout@${SHA}`, "actions/checkout@8e5e7e5")), policy: "workflow-actions-pinned-to-sha", message: /not pinned/ },
    { title: "write-all token", stack: deploy((y) => y.replace("permissions:\n  contents: read\njobs:", "permissions: write-all\njobs:")), policy: "workflow-permissions-read-only", message: /top-level permissions write-all/ },
    { title: "contents: write at the top", stack: verify((y) => y.replace("permissions: {}", "permissions:\n  contents: write")), policy: "workflow-permissions-read-only", message: /grant contents: write/ },
    { title: "no top-level permissions", stack: verify((y) => y.replace("permissions: {}\n", "")), policy: "workflow-permissions-read-only", message: /no top-level permissions/ },
    { title: "pull_request_target", stack: verify((y) => y.replace("  pull_request:", "  pull_request_target:")), policy: "workflow-trigger-no-pull-request-target", message: /pull_request_target/ },
    { title: "no production environment", stack: deploy((y) => y.replace("    environment: production\n", "")), policy: "workflow-production-deploy-uses-environment", message: /no job runs in environment production/ },
    { title: "rebuilds the image", stack: deploy((y) => y.replace("docker buildx imagetools create --tag", "docker build --tag")), policy: "workflow-production-promotes-without-build", message: /builds \(docker build\)/ },
    { title: "rebuilds the web app", stack: deploy((y) => y.replace('vercel promote "$STAGING_URL"', "vercel build --prod && vercel deploy --prebuilt")), policy: "workflow-production-promotes-without-build", message: /vercel build/ },
    { title: "no smoke tests", stack: deploy((y) => y.replace("      - name: Smoke tests\n        run: ./scripts/smoke.sh https://app.flightpro.com\n", "")), policy: "workflow-production-smoke-tests-roll-back", message: /no smoke test step/ },
    { title: "rollback not on failure", stack: deploy((y) => y.replace("        if: failure()\n", "")), policy: "workflow-production-smoke-tests-roll-back", message: /no rollback step with if: failure\(\)/ },
    {
      title: "migrations after the deploy",
      stack: deploy((y) =>
        y
          .replace("      - name: Run database migrations\n        run: alembic upgrade head\n        env:\n          DATABASE_URL: ${{ secrets.MIGRATION_DATABASE_URL }}\n", "")
          .replace("      - name: Smoke tests", "      - name: Run database migrations\n        run: alembic upgrade head\n      - name: Smoke tests"),
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
