import { StackSettings } from "../config/schema";
import { deployBranch } from "../naming";
import { VerifyCheckId } from "../pipeline/verifyChecks";
import { expr, Job, StepsJob, Workflow } from "./model";
import { action, cliPins } from "./pins";
import { alembicBookkeepingEnv, apiImage, checkout, nodeSetup, pythonSetup, RUNNER } from "./steps";

const READ: StepsJob["permissions"] = { contents: "read" };

/**
 * One verify job. Its name is its check run's name, so it is the id the rulesets require, by
 * construction; every job starts from a checkout with read-only permissions.
 */
function checkJob(id: VerifyCheckId, minutes: number, steps: StepsJob["steps"], extra: Partial<StepsJob> = {}): StepsJob {
  return { name: id, "runs-on": RUNNER, permissions: READ, "timeout-minutes": minutes, ...extra, steps: [checkout(), ...steps] };
}

/** The branches whose pushes and pull requests are verified: the deploy branches of the model. */
export function verifiedBranches(settings: StackSettings): string[] {
  const branches = [deployBranch(settings, "production")];
  if (settings.model === "staging-prod") branches.push(deployBranch(settings, "staging"));
  return [...new Set(branches)];
}

/**
 * verify.yml: the spec's Stage 1, one job per required status check (ids from verifyChecks),
 * run in parallel with dependency caches so the run stays near three minutes. Reusable
 * (`workflow_call`) so the deploy workflows run the very same checks.
 */
export function verifyWorkflow(settings: StackSettings): Workflow {
  const { app, budgets } = settings;
  const web = app.webDirectory;
  const api = app.apiDirectory;

  const jobs: Record<VerifyCheckId, StepsJob> = {
    lint: checkJob("lint", 10, [
      ...nodeSetup(app),
      ...pythonSetup(app),
      { name: "ESLint", "working-directory": web, run: "pnpm exec eslint . --max-warnings 0" },
      { name: "Ruff", "working-directory": api, run: "ruff check .\nruff format --check ." },
    ]),
    typecheck: checkJob("typecheck", 10, [
      ...nodeSetup(app),
      ...pythonSetup(app),
      { name: "TypeScript", "working-directory": web, run: "pnpm exec tsc --noEmit" },
      { name: "Pyright", "working-directory": api, run: "pyright" },
    ]),
    "unit-tests": checkJob("unit-tests", 15, [
      ...nodeSetup(app),
      ...pythonSetup(app),
      { name: "Jest", "working-directory": web, run: "pnpm exec jest --ci" },
      { name: "pytest", "working-directory": api, run: "python -m pytest -q" },
    ]),
    build: checkJob("build", 15, [
      ...nodeSetup(app),
      { name: "Next.js build", "working-directory": web, run: "pnpm run build" },
      { name: "Set up Docker Buildx", uses: action("docker/setup-buildx-action") },
      {
        name: "API Docker image",
        uses: action("docker/build-push-action"),
        with: { context: api, push: false, "cache-from": "type=gha,scope=api", "cache-to": "type=gha,scope=api,mode=max" },
      },
    ]),
    "security-scan": checkJob("security-scan", 10, [
      ...nodeSetup(app),
      ...pythonSetup(app),
      { name: "pnpm audit", run: "pnpm audit --audit-level high" },
      { name: "pip-audit", "working-directory": api, run: "python -m pip_audit --strict -r requirements.txt" },
    ]),
    "migration-reversibility": checkJob(
      "migration-reversibility",
      10,
      [
        ...pythonSetup(app),
        {
          name: "alembic upgrade head, downgrade -1, upgrade head",
          "working-directory": api,
          run: ["set -euo pipefail", "alembic upgrade head", "alembic downgrade -1", "alembic upgrade head"].join("\n"),
        },
      ],
      {
        services: {
          postgres: {
            image: "postgres:16",
            env: { POSTGRES_USER: "flightdeck", POSTGRES_PASSWORD: "flightdeck", POSTGRES_DB: "migrations" },
            ports: ["5432:5432"],
            options: "--health-cmd pg_isready --health-interval 5s --health-timeout 5s --health-retries 10",
          },
        },
        env: { DATABASE_URL: "postgresql://flightdeck:flightdeck@localhost:5432/migrations", ...alembicBookkeepingEnv },
      },
    ),
    "performance-budgets": checkJob(
      "performance-budgets",
      15,
      [
        ...nodeSetup(app),
        { name: "Next.js build", "working-directory": web, run: "pnpm run build" },
        {
          name: "Initial JS bundle budget",
          "working-directory": web,
          run: [
            "set -euo pipefail",
            "node - <<'NODE'",
            "const fs = require('node:fs');",
            "const zlib = require('node:zlib');",
            "const manifest = JSON.parse(fs.readFileSync('.next/build-manifest.json', 'utf8'));",
            "const files = new Set([...(manifest.polyfillFiles || []), ...(manifest.rootMainFiles || []), ...((manifest.pages || {})['/_app'] || [])]);",
            "let bytes = 0;",
            "for (const file of files) if (file.endsWith('.js')) bytes += zlib.gzipSync(fs.readFileSync(`.next/${file}`)).length;",
            "const kb = Math.ceil(bytes / 1024);",
            "const max = Number(process.env.INITIAL_JS_MAX_KB);",
            "console.log(`initial JS: ${kb} KB gzipped (budget ${max} KB)`);",
            "if (kb > max) { console.log(`::error::initial JS bundle ${kb} KB exceeds the ${max} KB budget`); process.exit(1); }",
            "NODE",
          ].join("\n"),
        },
        {
          name: "Lighthouse CI",
          "working-directory": web,
          run: [
            "set -euo pipefail",
            'min="$(awk -v s="$LIGHTHOUSE_MIN_SCORE" \'BEGIN { printf "%.2f", s / 100 }\')"',
            `npx --yes ${cliPins.lhci} autorun \\`,
            "  --collect.startServerCommand='pnpm start' --collect.url=http://localhost:3000 --collect.numberOfRuns=1 \\",
            '  --assert.assertions.categories:performance="[\\"error\\",{\\"minScore\\":$min}]" \\',
            "  --upload.target=temporary-public-storage",
          ].join("\n"),
        },
        { name: "Set up Docker Buildx", uses: action("docker/setup-buildx-action") },
        {
          name: "Build API image for the size budget",
          uses: action("docker/build-push-action"),
          with: { context: api, load: true, tags: "api:verify", "cache-from": "type=gha,scope=api" },
        },
        {
          name: "Docker image size budget",
          run: [
            "set -euo pipefail",
            "bytes=\"$(docker image inspect api:verify --format '{{.Size}}')\"",
            'mb=$(( (bytes + 1048575) / 1048576 ))',
            'echo "API image: ${mb} MB (budget ${DOCKER_IMAGE_MAX_MB} MB)"',
            'if [ "$mb" -gt "$DOCKER_IMAGE_MAX_MB" ]; then echo "::error::API image ${mb} MB exceeds the ${DOCKER_IMAGE_MAX_MB} MB budget"; exit 1; fi',
          ].join("\n"),
        },
      ],
      {
        env: {
          LIGHTHOUSE_MIN_SCORE: String(budgets.lighthouseMinScore),
          INITIAL_JS_MAX_KB: String(budgets.initialJsMaxKb),
          DOCKER_IMAGE_MAX_MB: String(budgets.dockerImageMaxMb),
        },
      },
    ),
  };

  const allJobs: Record<string, Job> = { ...jobs };
  if (settings.model === "direct-prod") {
    // No staging to build the image: the verified commit on the production branch publishes it
    // once, tagged with its SHA, and deploy-production promotes that image by digest.
    allJobs["publish-image"] = {
      name: "publish API image (build once)",
      "runs-on": RUNNER,
      needs: Object.keys(jobs),
      if: expr(`github.event_name == 'push' && github.ref == 'refs/heads/${deployBranch(settings, "production")}'`),
      permissions: { contents: "read", packages: "write" },
      "timeout-minutes": 15,
      steps: [
        checkout(),
        { name: "Log in to GHCR", uses: action("docker/login-action"), with: { registry: "ghcr.io", username: expr("github.actor"), password: expr("secrets.GITHUB_TOKEN") } },
        { name: "Set up Docker Buildx", uses: action("docker/setup-buildx-action") },
        {
          name: "Build and push the API image",
          uses: action("docker/build-push-action"),
          with: { context: api, push: true, tags: `${apiImage(settings)}:${expr("github.sha")}`, "cache-from": "type=gha,scope=api" },
        },
      ],
    };
  }

  const branches = verifiedBranches(settings);
  return {
    name: "verify",
    on: { pull_request: { branches }, push: { branches }, workflow_call: {} },
    permissions: {},
    concurrency: {
      group: `verify-${expr("github.workflow")}-${expr("github.event.pull_request.number || github.ref")}`,
      "cancel-in-progress": expr("github.event_name == 'pull_request'"),
    },
    defaults: { run: { shell: "bash" } },
    jobs: allJobs,
  };
}
