import { ReplayCase, caught, passes } from "../cases";
import { replace } from "../edits";
import { PINS, addWorkflowFile, setProject } from "./helpers";

const VERIFY = "infra/workflows/verify.ts";
const PRODUCTION = "infra/workflows/deployProduction.ts";
const STEPS = "infra/workflows/steps.ts";
const GATES = "workflow-gate-steps-fail-closed";
const TOOLS = "workflow-tools-installed-pinned";
const SECRETS = "workflow-secrets-not-exposed";
const USES_ENVIRONMENT = "workflow-production-deploy-uses-environment";
const NEEDS_PREFLIGHT = "workflow-production-deploy-needs-preflight";
const TRIGGERS = "workflow-triggers-trusted";
const CHECKS_EXIST = "workflow-verify-required-checks-exist";

/** A hand-written workflow with one job; `job` is the job's YAML body, indented four spaces. */
function workflow(name: string, on: string, jobId: string, job: string): string {
  return `name: ${name}\non:\n${on}\npermissions: {}\njobs:\n  ${jobId}:\n${job}`;
}

const checkoutStep = `      - uses: ${PINS.checkout}
        with:
          persist-credentials: false
`;

/** Class 7: workflows judged by structure, not text. */
export const workflowCases: ReplayCase[] = [
  {
    id: "wf-pytest-continue-on-error",
    class: "workflows",
    title: "verify: pytest may fail while the flaky suite is fixed",
    edits: [replace(VERIFY, '{ name: "pytest", "working-directory": api, run: "python -m pytest -q" },', '{ name: "pytest", "working-directory": api, run: "python -m pytest -q", "continue-on-error": true },')],
    expect: caught(GATES),
  },
  {
    id: "wf-audit-or-true",
    class: "workflows",
    title: "verify: pnpm audit never blocks (transitive advisories we cannot fix)",
    edits: [replace(VERIFY, 'run: "pnpm audit --audit-level high" }', 'run: "pnpm audit --audit-level high || true" }')],
    expect: caught(GATES),
  },
  {
    id: "wf-eslint-exit-zero",
    class: "workflows",
    title: "verify: ESLint reports but exits 0",
    edits: [replace(VERIFY, 'run: "pnpm exec eslint . --max-warnings 0" }', 'run: "pnpm exec eslint . --max-warnings 0; exit 0" }')],
    expect: caught(GATES),
  },
  {
    id: "wf-pytest-or-echo",
    class: "workflows",
    title: "verify: pytest failures become a warning",
    edits: [replace(VERIFY, 'run: "python -m pytest -q" }', 'run: "python -m pytest -q || echo \\"::warning::tests failed\\"" }')],
    expect: caught(GATES),
  },
  {
    id: "wf-pytest-in-if-condition",
    class: "workflows",
    title: "verify: report pytest failures as annotations (if ! pytest; then …; fi)",
    edits: [replace(VERIFY, 'run: "python -m pytest -q" }', 'run: "if ! python -m pytest -q; then echo \\"::warning::unit tests failed\\"; fi" }')],
    expect: caught(GATES),
  },
  {
    id: "wf-ruff-set-plus-e",
    class: "workflows",
    title: "verify: run both ruff commands even if the first fails (set +e)",
    edits: [replace(VERIFY, 'run: "ruff check .\\nruff format --check ." }', 'run: "set +e\\nruff check .\\nruff format --check ." }')],
    expect: caught(GATES),
  },
  {
    id: "wf-pytest-piped-sh",
    class: "workflows",
    title: "verify: keep a pytest log (pytest | tee), in sh",
    edits: [replace(VERIFY, '{ name: "pytest", "working-directory": api, run: "python -m pytest -q" },', '{ name: "pytest", "working-directory": api, shell: "sh", run: "python -m pytest -q | tee pytest.log" },')],
    expect: caught(GATES),
  },
  {
    id: "wf-unit-tests-skipped-for-bots",
    class: "workflows",
    title: "verify: skip unit tests for Dependabot pull requests",
    edits: [replace(VERIFY, '      { name: "pytest", "working-directory": api, run: "python -m pytest -q" },\n    ]),', '      { name: "pytest", "working-directory": api, run: "python -m pytest -q" },\n    ], { if: "${{ github.actor != \'dependabot[bot]\' }}" }),')],
    expect: caught(GATES),
  },
  {
    id: "wf-pytest-push-only",
    class: "workflows",
    title: "verify: pytest only on push (pull requests get a fast lane)",
    edits: [replace(VERIFY, '{ name: "pytest", "working-directory": api, run: "python -m pytest -q" },', '{ name: "pytest", if: "${{ github.event_name == \'push\' }}", "working-directory": api, run: "python -m pytest -q" },')],
    expect: caught(GATES),
  },
  {
    id: "wf-security-scan-job-continue-on-error",
    class: "workflows",
    title: "verify: the security-scan job may fail (continue-on-error on the job)",
    edits: [replace(VERIFY, '      { name: "pip-audit", "working-directory": api, run: "python -m pip_audit --strict -r requirements.txt" },\n    ]),', '      { name: "pip-audit", "working-directory": api, run: "python -m pip_audit --strict -r requirements.txt" },\n    ], { "continue-on-error": true } as Partial<StepsJob>),')],
    expect: caught(GATES),
  },
  {
    id: "wf-curl-pipe-bash",
    class: "workflows",
    title: "deploy: install the Vercel CLI with its install script",
    edits: [replace(STEPS, "return { name: `Install ${tools.join(\", \")} CLI`, run: `npm install --global ${tools.map((tool) => cliPins[tool]).join(\" \")}` };", 'return { name: `Install ${tools.join(", ")} CLI`, run: "curl -fsSL https://vercel.com/install.sh | bash" };')],
    expect: caught(TOOLS),
  },
  {
    id: "wf-npm-latest",
    class: "workflows",
    title: "deploy: always the latest Vercel CLI",
    edits: [replace(STEPS, 'run: `npm install --global ${tools.map((tool) => cliPins[tool]).join(" ")}` };', 'run: `npm install --global ${tools.map((tool) => `${tool}@latest`).join(" ")}` };')],
    expect: caught(TOOLS),
  },
  {
    id: "wf-npx-unpinned-lhci",
    class: "workflows",
    title: "verify: npx @lhci/cli without a version",
    edits: [replace(VERIFY, "`npx --yes ${cliPins.lhci} autorun \\\\`", '"npx --yes @lhci/cli autorun \\\\"')],
    expect: caught(TOOLS),
  },
  {
    id: "wf-pip-install-unpinned",
    class: "workflows",
    title: "verify: install pip-audit on the fly",
    edits: [replace(VERIFY, 'run: "python -m pip_audit --strict -r requirements.txt" }', 'run: "python -m pip install pip-audit\\npython -m pip_audit --strict -r requirements.txt" }')],
    expect: caught(TOOLS),
  },
  {
    id: "wf-action-by-tag",
    class: "workflows",
    title: "pins: use major tags (v7) so Dependabot is not needed",
    edits: [replace("infra/workflows/pins.ts", "return `${name}@${actionPins[name].sha}` as ActionRef;", "return `${name}@${actionPins[name].version.split(\".\")[0]}` as ActionRef;")],
    expect: caught("workflow-actions-pinned-to-sha"),
  },
  {
    id: "wf-docker-image-latest",
    class: "workflows",
    title: "a lint workflow running a docker:// action at latest",
    edits: [
      addWorkflowFile(
        "markdown-lint.yml",
        workflow(
          "markdown-lint",
          "  pull_request:\n    branches: [main]",
          "markdown",
          `    runs-on: ubuntu-latest
    permissions:
      contents: read
    timeout-minutes: 5
    steps:
${checkoutStep}      - uses: docker://davidanson/markdownlint-cli2:latest
        with:
          args: "**/*.md"
`,
        ),
      ),
    ],
    expect: caught("workflow-actions-pinned-to-sha"),
  },
  {
    id: "wf-verify-contents-write",
    class: "workflows",
    title: "verify: contents write (the formatter pushes fixes)",
    edits: [replace(VERIFY, 'const READ: StepsJob["permissions"] = { contents: "read" };', 'const READ: StepsJob["permissions"] = { contents: "write" };')],
    expect: caught("workflow-permissions-least-privilege"),
  },
  {
    id: "wf-write-all",
    class: "workflows",
    title: "a labeler workflow with write-all",
    edits: [
      addWorkflowFile(
        "labeler.yml",
        `name: labeler
on:
  pull_request:
    branches: [main]
permissions: write-all
jobs:
  label:
    runs-on: ubuntu-latest
    timeout-minutes: 5
    steps:
      - run: echo labeling
`,
      ),
    ],
    expect: caught("workflow-permissions-least-privilege"),
  },
  {
    id: "wf-pull-request-target",
    class: "workflows",
    title: "preview comments for forks (pull_request_target, checks out the head)",
    edits: [
      addWorkflowFile(
        "fork-preview.yml",
        workflow(
          "fork-preview",
          "  pull_request_target:\n    branches: [main]",
          "preview",
          `    runs-on: ubuntu-latest
    permissions:
      contents: read
      pull-requests: write
    timeout-minutes: 10
    steps:
      - uses: ${PINS.checkout}
        with:
          persist-credentials: false
          ref: \${{ github.event.pull_request.head.sha }}
      - run: pnpm install --frozen-lockfile && pnpm run build
`,
        ),
      ),
    ],
    expect: caught(TRIGGERS),
  },
  {
    id: "wf-chatops-deploy",
    class: "workflows",
    title: "ChatOps: /deploy in a pull request comment promotes to production",
    edits: [
      addWorkflowFile(
        "chatops.yml",
        workflow(
          "chatops",
          "  issue_comment:\n    types: [created]",
          "deploy",
          `    if: \${{ github.event.comment.body == '/deploy' }}
    runs-on: ubuntu-latest
    environment: production
    permissions:
      contents: read
    timeout-minutes: 15
    steps:
${checkoutStep}      - name: Promote
        env:
          VERCEL_TOKEN: \${{ secrets.VERCEL_TOKEN }}
        run: npx --yes vercel@39.1.1 promote "$STAGED_URL" --yes --token="$VERCEL_TOKEN"
`,
        ),
      ),
    ],
    expect: caught(TRIGGERS),
  },
  {
    id: "wf-secret-base64",
    class: "workflows",
    title: "debug step: print the token base64-encoded to compare with the dashboard",
    edits: [
      addWorkflowFile(
        "debug-token.yml",
        workflow(
          "debug-token",
          "  workflow_dispatch: {}",
          "debug",
          `    runs-on: ubuntu-latest
    environment: production
    permissions:
      contents: read
    timeout-minutes: 5
    steps:
      - name: Which token?
        env:
          RAILWAY_TOKEN: \${{ secrets.RAILWAY_TOKEN }}
        run: printf '%s' "$RAILWAY_TOKEN" | base64
`,
        ),
      ),
    ],
    expect: caught(SECRETS),
  },
  {
    id: "wf-secret-to-output",
    class: "workflows",
    title: "pass the Vercel token to the next job as an output",
    edits: [
      addWorkflowFile(
        "token-handoff.yml",
        workflow(
          "token-handoff",
          "  workflow_dispatch: {}",
          "token",
          `    runs-on: ubuntu-latest
    environment: production
    permissions:
      contents: read
    timeout-minutes: 5
    outputs:
      token: \${{ steps.t.outputs.token }}
    steps:
      - id: t
        env:
          VERCEL_TOKEN: \${{ secrets.VERCEL_TOKEN }}
        run: echo "token=$VERCEL_TOKEN" >> "$GITHUB_OUTPUT"
`,
        ),
      ),
    ],
    expect: caught(SECRETS),
  },
  {
    id: "wf-secret-to-artifact",
    class: "workflows",
    title: "save the migration URL to a file for the DR drill artifact",
    edits: [
      addWorkflowFile(
        "dr-export.yml",
        workflow(
          "dr-export",
          "  workflow_dispatch: {}",
          "export",
          `    runs-on: ubuntu-latest
    environment: production
    permissions:
      contents: read
    timeout-minutes: 5
    steps:
      - env:
          MIGRATION_DATABASE_URL: \${{ secrets.MIGRATION_DATABASE_URL }}
        run: printf '%s\\n' "$MIGRATION_DATABASE_URL" > dr.env
      - uses: actions/upload-artifact@bbbca2ddaa5d8feaa63e36b76fdaad77386f024f
        with:
          name: dr
          path: dr.env
`,
        ),
      ),
    ],
    expect: caught(SECRETS),
  },
  {
    id: "wf-script-injection",
    class: "workflows",
    title: "greet pull requests by title",
    edits: [
      addWorkflowFile(
        "greet.yml",
        workflow(
          "greet",
          "  pull_request:\n    branches: [main]",
          "greet",
          `    runs-on: ubuntu-latest
    permissions:
      contents: read
    timeout-minutes: 5
    steps:
      - run: echo "Thanks for \${{ github.event.pull_request.title }}"
`,
        ),
      ),
    ],
    expect: caught("workflow-jobs-hardened"),
  },
  {
    id: "wf-rollback-web-noop",
    class: "workflows",
    title: "rollback: the web rollback is manual in Vercel's dashboard for now (echo a reminder)",
    edits: [replace("infra/workflows/rollback.ts", '            run: vercelRestoreScript("ENVIRONMENT"),', '            run: \'echo "::notice::roll the web back in the Vercel dashboard: $PREVIOUS_WEB_URL"\',')],
    expect: caught("workflow-rollback-redeploys-recorded-release"),
  },
  {
    id: "wf-audit-success-only",
    class: "workflows",
    title: "deploy-production: write the audit record only for successful deploys",
    edits: [replace(PRODUCTION, '            ROLLED_BACK: expr(`steps.${ids.rollbackApi}.outcome`),\n            LIGHTHOUSE_SCORE: expr(`steps.${LIGHTHOUSE_STEP_ID}.outputs.score`),\n          },\n          expr("always()"),', '            ROLLED_BACK: expr(`steps.${ids.rollbackApi}.outcome`),\n            LIGHTHOUSE_SCORE: expr(`steps.${LIGHTHOUSE_STEP_ID}.outputs.score`),\n          },\n          expr("success()"),')],
    expect: caught("workflow-deploy-audit-record-always"),
  },
  {
    id: "wf-deploy-no-environment",
    class: "workflows",
    title: "deploy-production: no environment on the deploy job (approval happens in Slack)",
    edits: [replace(PRODUCTION, '      needs: ["preflight"],\n      environment,', '      needs: ["preflight"],')],
    expect: caught(USES_ENVIRONMENT),
  },
  {
    id: "wf-deploy-if-always",
    class: "workflows",
    title: "deploy-production: deploy even when the pre-flight's optional checks fail (if: always())",
    edits: [replace(PRODUCTION, '      needs: ["preflight"],\n      environment,', '      needs: ["preflight"],\n      if: expr("always()"),\n      environment,')],
    expect: caught(NEEDS_PREFLIGHT),
  },
  {
    id: "wf-smoke-continue-on-error",
    class: "workflows",
    title: "deploy-production: smoke tests are informational",
    edits: [replace(PRODUCTION, "        smokeTestStep(settings, { id: ids.smoke }),", '        { ...smokeTestStep(settings, { id: ids.smoke }), "continue-on-error": true },')],
    expect: caught(GATES),
  },
  {
    id: "wf-smoke-removed",
    class: "workflows",
    title: "deploy-production: drop the smoke tests (the synthetic monitor covers it)",
    edits: [replace(PRODUCTION, "        smokeTestStep(settings, { id: ids.smoke }),\n", "")],
    expect: caught("workflow-production-smoke-tests-roll-back"),
  },
  {
    id: "wf-migrate-after-deploy",
    class: "workflows",
    title: "deploy-production: migrate after the API is live (zero-downtime columns)",
    edits: [
      replace(PRODUCTION, '        headed(alembicStep(app, "Database migrations (alembic upgrade head)", "alembic upgrade head"), { id: ids.migrate }),\n', ""),
      replace(PRODUCTION, "        vercelPromoteStep(ids.deployWeb, ids.stageWeb),\n", '        vercelPromoteStep(ids.deployWeb, ids.stageWeb),\n        headed(alembicStep(app, "Database migrations (alembic upgrade head)", "alembic upgrade head"), { id: ids.migrate }),\n'),
    ],
    expect: caught("workflow-production-migrations-before-deploy"),
  },
  {
    id: "wf-production-rebuilds-image",
    class: "workflows",
    title: "deploy-production: rebuild the API image for production (base image patches)",
    edits: [
      replace(
        PRODUCTION,
        "          run: [\n            \"set -euo pipefail\",\n            'case \"$SOURCE\" in",
        "          run: [\n            \"set -euo pipefail\",\n            'docker build -t \"$REPO:$COMMIT\" api && docker push \"$REPO:$COMMIT\" && SOURCE=\"$REPO:$COMMIT\"',\n            'case \"$SOURCE\" in",
      ),
    ],
    expect: caught("workflow-production-promotes-without-build"),
  },
  {
    id: "wf-node-18",
    class: "workflows",
    title: "Pulumi.yaml: Node 18 (the app's native module needs it)",
    edits: [setProject("app", ["nodeVersion"], "18")],
    expect: caught("workflow-node-version-supported"),
  },
  {
    id: "wf-budget-lighthouse-60",
    class: "workflows",
    title: "Pulumi.yaml: Lighthouse score 60 until the images are optimised",
    edits: [setProject("budgets", ["lighthouseMinScore"], 60)],
    expect: caught("workflow-verify-performance-budgets"),
  },
  {
    id: "wf-budget-js-400",
    class: "workflows",
    title: "Pulumi.yaml: initial JS budget 400 KB (the maps SDK)",
    edits: [setProject("budgets", ["initialJsMaxKb"], 400)],
    expect: caught("workflow-verify-performance-budgets"),
  },
  {
    id: "wf-budget-lighthouse-step-removed",
    class: "workflows",
    title: "verify: drop the Lighthouse step (too slow), keep the budget config",
    edits: [replace(VERIFY, 'name: "Lighthouse CI",\n          "working-directory": web,\n          run: [', 'name: "Lighthouse CI",\n          "working-directory": web,\n          run: ["echo \\"::notice::Lighthouse runs nightly\\""] || [')],
    // The performance-budgets job no longer runs Lighthouse: the check does not run its tool.
    expect: caught("workflow-verify-checks-run-their-tools"),
  },
  {
    id: "wf-fake-lint-check",
    class: "workflows",
    title: "a fast lint workflow for docs-only pull requests (job named lint)",
    edits: [
      addWorkflowFile(
        "docs.yml",
        workflow(
          "docs",
          "  pull_request:\n    branches: [main]",
          "lint",
          `    name: lint
    runs-on: ubuntu-latest
    permissions:
      contents: read
    timeout-minutes: 5
    steps:
      - run: echo "docs only"
`,
        ),
      ),
    ],
    expect: caught(CHECKS_EXIST),
  },
  {
    id: "wf-fake-check-expression-name",
    class: "workflows",
    title: "a docs workflow whose job name is an expression that evaluates to unit-tests",
    edits: [
      addWorkflowFile(
        "docs-checks.yml",
        workflow(
          "docs-checks",
          "  pull_request:\n    branches: [main]",
          "docs",
          `    name: \${{ format('{0}-{1}', 'unit', 'tests') }}
    runs-on: ubuntu-latest
    permissions:
      contents: read
    timeout-minutes: 5
    steps:
      - run: echo "docs only"
`,
        ),
      ),
    ],
    expect: caught(CHECKS_EXIST),
  },
  {
    id: "wf-fake-check-matrix-name",
    class: "workflows",
    title: "a matrix of quick checks named after the verify jobs",
    edits: [
      addWorkflowFile(
        "quick.yml",
        workflow(
          "quick",
          "  pull_request:\n    branches: [main]",
          "quick",
          `    name: \${{ matrix.check }}
    strategy:
      matrix:
        check: [typecheck, security-scan]
    runs-on: ubuntu-latest
    permissions:
      contents: read
    timeout-minutes: 5
    steps:
      - run: echo "skipped for docs"
`,
        ),
      ),
    ],
    expect: caught(CHECKS_EXIST),
  },
  {
    id: "wf-pnpm-vercel-deploy-prod",
    class: "workflows",
    title: "a hotfix workflow: pnpm vercel deploy --prebuilt --prod in the production environment",
    edits: [
      addWorkflowFile(
        "web-hotfix.yml",
        workflow(
          "web-hotfix",
          "  workflow_dispatch: {}",
          "hotfix",
          `    runs-on: ubuntu-latest
    environment: production
    concurrency:
      group: deploy-production
      cancel-in-progress: false
    permissions:
      contents: read
    timeout-minutes: 15
    steps:
${checkoutStep}      - name: Build and ship
        working-directory: apps/web
        env:
          VERCEL_TOKEN: \${{ secrets.VERCEL_TOKEN }}
        run: |
          set -euo pipefail
          pnpm install --frozen-lockfile
          pnpm vercel build --prod --token="$VERCEL_TOKEN"
          pnpm vercel deploy --prebuilt --prod --token="$VERCEL_TOKEN"
`,
        ),
      ),
    ],
    expect: caught(NEEDS_PREFLIGHT),
  },
  {
    id: "wf-opaque-release-script",
    class: "workflows",
    title: "a release workflow that runs the app repository's own release script in production",
    edits: [
      addWorkflowFile(
        "release-script.yml",
        workflow(
          "release-script",
          "  workflow_dispatch: {}",
          "release",
          `    runs-on: ubuntu-latest
    environment: production
    concurrency:
      group: deploy-production
      cancel-in-progress: false
    permissions:
      contents: read
    timeout-minutes: 30
    steps:
${checkoutStep}      - name: Release
        env:
          VERCEL_TOKEN: \${{ secrets.VERCEL_TOKEN }}
          RAILWAY_TOKEN: \${{ secrets.RAILWAY_TOKEN }}
        run: ./scripts/release.sh production
`,
        ),
      ),
    ],
    expect: caught(NEEDS_PREFLIGHT),
  },
  {
    id: "wf-railway-api-url-in-env",
    class: "workflows",
    title: "a hotfix workflow calling Railway's API through curl (URL in env)",
    edits: [
      addWorkflowFile(
        "api-hotfix.yml",
        workflow(
          "api-hotfix",
          "  workflow_dispatch:\n    inputs:\n      image:\n        type: string\n        required: true",
          "hotfix",
          `    runs-on: ubuntu-latest
    environment: production
    concurrency:
      group: deploy-production
      cancel-in-progress: false
    permissions:
      contents: read
    timeout-minutes: 15
    steps:
      - name: Redeploy
        env:
          RAILWAY_TOKEN: \${{ secrets.RAILWAY_TOKEN }}
          ENDPOINT: https://backboard.railway.com/graphql/v2
          IMAGE: \${{ inputs.image }}
        run: |
          set -euo pipefail
          body="$(jq -n --arg image "$IMAGE" '{query: "mutation($i: String!) { serviceInstanceUpdate(serviceId: \\"api\\", input: {source: {image: $i}}) }", variables: {i: $image}}')"
          curl --fail -sS -X POST "$ENDPOINT" -H "Project-Access-Token: $RAILWAY_TOKEN" -H 'Content-Type: application/json' -d "$body"
`,
        ),
      ),
    ],
    expect: caught(NEEDS_PREFLIGHT),
  },
  {
    id: "wf-local-composite-deploy-action",
    class: "workflows",
    title: "a release workflow using the app repository's composite deploy action",
    edits: [
      addWorkflowFile(
        "release-action.yml",
        workflow(
          "release-action",
          "  workflow_dispatch: {}",
          "release",
          `    runs-on: ubuntu-latest
    environment: production
    concurrency:
      group: deploy-production
      cancel-in-progress: false
    permissions:
      contents: read
    timeout-minutes: 30
    steps:
${checkoutStep}      - uses: ./.github/actions/deploy
        with:
          vercel-token: \${{ secrets.VERCEL_TOKEN }}
          railway-token: \${{ secrets.RAILWAY_TOKEN }}
`,
        ),
      ),
    ],
    expect: caught(NEEDS_PREFLIGHT),
  },
  {
    id: "wf-staging-job-aliases-production-domain",
    class: "workflows",
    title: "staging job that points app.flightpro.com at the staging build during the launch demo",
    edits: [
      addWorkflowFile(
        "demo.yml",
        workflow(
          "demo",
          "  workflow_dispatch:\n    inputs:\n      url:\n        type: string\n        required: true",
          "demo",
          `    runs-on: ubuntu-latest
    environment: staging
    concurrency:
      group: deploy-staging
      cancel-in-progress: false
    permissions:
      contents: read
    timeout-minutes: 10
    steps:
      - env:
          VERCEL_TOKEN: \${{ secrets.VERCEL_TOKEN }}
          URL: \${{ inputs.url }}
        run: npx --yes vercel@39.1.1 alias set "$URL" app.flightpro.com --token="$VERCEL_TOKEN"
`,
        ),
      ),
    ],
    expect: caught(USES_ENVIRONMENT),
  },
  {
    id: "wf-workflow-file-default-provider",
    class: "workflows",
    title: "commit the docs workflow with the default provider (the App lacks Workflows: write in staging)",
    edits: [
      addWorkflowFile(
        "docs-build.yml",
        workflow(
          "docs-build",
          "  pull_request:\n    branches: [main]",
          "docs",
          `    runs-on: ubuntu-latest
    permissions:
      contents: read
    timeout-minutes: 5
    steps:
      - run: echo docs
`,
        ),
        { provider: false },
      ),
    ],
    expect: caught("github-provider-governed-app"),
  },
  {
    id: "wf-compliant-extra-check-workflow",
    class: "compliant",
    title: "a codeowners-lint workflow with its own check name, pinned and read-only",
    edits: [
      addWorkflowFile(
        "codeowners.yml",
        workflow(
          "codeowners",
          "  pull_request:\n    branches: [main]",
          "codeowners",
          `    name: codeowners-lint
    runs-on: ubuntu-latest
    permissions:
      contents: read
    timeout-minutes: 5
    steps:
${checkoutStep}      - run: test -f .github/CODEOWNERS
`,
        ),
      ),
    ],
    expect: passes,
  },
];
