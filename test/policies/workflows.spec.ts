import { strict as assert } from "node:assert";
import { parse, stringify } from "yaml";
import { actionsPinned } from "../../policies/rules/workflows";
import { validStack } from "./fixtures";
import { Fixture, judge, JudgeOptions, runResourcePolicy, Verdict, withInput } from "./judge";
import { deployProductionYaml, deployStagingYaml, directProductionYaml, rollbackYaml, verifyYaml } from "./workflowFixtures";

/**
 * The workflow policies against the files the program generates (test/policies/workflowFixtures.ts),
 * each case one change a pull request could make, written the way such a change would be written:
 * valid variants pass, and each violating variant gets the named policy. GitHub's rules the cases
 * rely on are cited where they are used.
 */

type Doc = Record<string, unknown> & { on?: unknown; jobs: Record<string, Record<string, unknown> & { steps: Record<string, unknown>[] }> };
type Edit = (doc: Doc) => void;

const FILE = "github:index/repositoryFile:RepositoryFile";
const NAMES = { "deploy-production": "workflow-deploy-production", verify: "workflow-verify" } as const;

function edited(yaml: string, edit: Edit): string {
  const doc = parse(yaml) as Doc;
  edit(doc);
  return stringify(doc, { lineWidth: 0 });
}

/** The sample stack with one of its workflow files changed. */
function withWorkflow(name: keyof typeof NAMES, edit: Edit): Fixture[] {
  return withInput(validStack(), NAMES[name], "content", edited(name === "verify" ? verifyYaml : deployProductionYaml, edit));
}

/** The sample stack with a workflow file added (a file a pull request adds). */
function withExtraFile(file: string, content: string, branch = "main"): Fixture[] {
  return [...validStack(), { type: FILE, name: `workflow-extra-${file.replace(/\W/g, "-")}`, props: { repository: "flightpro", branch, file, content, commitMessage: "ci: add a workflow" } }];
}

function step(doc: Doc, job: string, predicate: (s: Record<string, unknown>) => boolean): Record<string, unknown> {
  const found = doc.jobs[job]?.steps.find(predicate);
  assert.ok(found, `no such step in ${job}`);
  return found;
}
const byId = (id: string) => (s: Record<string, unknown>) => s["id"] === id;
const byName = (pattern: RegExp) => (s: Record<string, unknown>) => pattern.test(String(s["name"]));
const appendRun = (target: Record<string, unknown>, text: string) => {
  target["run"] = `${String(target["run"])}${text}`;
};

/** The verdicts of the workflow and schedule policies only (other areas are judged by their own specs). */
function workflowVerdicts(stack: Fixture[], options?: JudgeOptions): Verdict[] {
  return judge(stack, options).filter((verdict) => verdict.policy.startsWith("workflow-") || verdict.policy.startsWith("schedule-"));
}

interface Case {
  title: string;
  stack: () => Fixture[];
  policy: string;
  message: RegExp;
}

function itBlocks(cases: Case[]): void {
  for (const testCase of cases) {
    it(`${testCase.policy}: ${testCase.title}`, () => {
      const verdicts = workflowVerdicts(testCase.stack());
      assert.ok(
        verdicts.some((verdict) => verdict.policy === testCase.policy && testCase.message.test(verdict.message)),
        `expected a violation of ${testCase.policy} matching ${testCase.message}, got ${JSON.stringify(verdicts, null, 1)}`,
      );
    });
  }
}

const DEPLOY_STEP = (doc: Doc, id: string) => step(doc, "deploy", byId(id));

/** A small, compliant extra workflow: lint on pull requests. */
const docsWorkflow = `name: docs
on:
  pull_request:
    branches: [main]
permissions: {}
jobs:
  docs:
    runs-on: ubuntu-latest
    permissions:
      contents: read
    timeout-minutes: 5
    steps:
      - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1
        with:
          persist-credentials: false
      - run: npx --yes markdownlint-cli2@0.17.2 "**/*.md"
`;

/** A hotfix workflow a pull request might add: deploys to production by hand. */
const hotfix = (job: string) => `name: hotfix
on: workflow_dispatch
permissions: {}
jobs:
${job}`;

describe("policies: workflow files", () => {
  describe("valid variants pass", () => {
    it("the generated workflows of the sample stack (verify, deploy-production)", () => {
      assert.deepEqual(workflowVerdicts(validStack()), []);
    });

    it("the generated deploy-staging.yml and rollback.yml, committed as extra files", () => {
      assert.deepEqual(workflowVerdicts([...withExtraFile(".github/workflows/deploy-staging.yml", deployStagingYaml), ...withExtraFile(".github/workflows/rollback.yaml", rollbackYaml).slice(-1)]), []);
    });

    it("the same deploy written another valid way: bare `on`, read-all, needs as a string, an environment object name in another case, explicit fail-fast values", () => {
      const stack = withWorkflow("deploy-production", (doc) => {
        doc.on = "workflow_dispatch";
        doc["permissions"] = "read-all";
        doc.jobs["deploy"]!["needs"] = "preflight";
        doc.jobs["deploy"]!["environment"] = { name: "Production", url: "${{ vars.WEB_URL }}" };
        DEPLOY_STEP(doc, "smoke")["continue-on-error"] = false;
        DEPLOY_STEP(doc, "smoke")["if"] = "${{ success() }}";
        step(doc, "preflight", byId("schedule"))["shell"] = "bash";
      });
      assert.deepEqual(workflowVerdicts(stack), []);
    });

    it("the direct-prod model's deploy-production.yml (the image verify published, no staging)", () => {
      assert.deepEqual(workflowVerdicts(withInput(validStack(), NAMES["deploy-production"], "content", directProductionYaml)), []);
    });

    it("an extra workflow that deploys nothing, named .yaml", () => {
      assert.deepEqual(workflowVerdicts(withExtraFile(".github/workflows/docs.yaml", docsWorkflow)), []);
    });

    it("files outside .github/workflows/ are not workflows", () => {
      const file: Fixture = { type: FILE, name: "env-example", props: { file: ".env.example", content: "uses: foo/bar@v1" } };
      assert.equal(runResourcePolicy(actionsPinned, file), "not applicable");
    });
  });

  describe("gates fail closed", () => {
    itBlocks([
      { title: "smoke tests with continue-on-error", stack: () => withWorkflow("deploy-production", (d) => { DEPLOY_STEP(d, "smoke")["continue-on-error"] = true; }), policy: "workflow-gate-steps-fail-closed", message: /Smoke tests: continue-on-error true/ },
      { title: "a verify job with continue-on-error as an expression", stack: () => withWorkflow("verify", (d) => { d.jobs["unit-tests"]!["continue-on-error"] = "${{ github.actor != 'nobody' }}"; }), policy: "workflow-gate-steps-fail-closed", message: /job unit-tests has continue-on-error/ },
      // The post-release Lighthouse step only measures (`lhci collect`) and may continue on error; one that asserts
      // (`lhci autorun`: "collect, assert, upload", @lhci/cli@0.15.1 src/autorun/autorun.js) is a gate again.
      { title: "the post-release Lighthouse step made to assert, continuing on error", stack: () => withWorkflow("deploy-production", (d) => { const s = DEPLOY_STEP(d, "lighthouse"); s["run"] = String(s["run"]).replace(" collect ", " autorun "); }), policy: "workflow-gate-steps-fail-closed", message: /Lighthouse performance of the production URL after release .*: continue-on-error true/ },
      { title: "`|| true` after pytest", stack: () => withWorkflow("verify", (d) => { step(d, "unit-tests", byName(/^pytest$/))["run"] = "python -m pytest -q || true"; }), policy: "workflow-gate-steps-fail-closed", message: /`python -m pytest \|\| true` always succeeds/ },
      { title: "`set +e` before ESLint", stack: () => withWorkflow("verify", (d) => { step(d, "lint", byName(/ESLint/))["run"] = "set +e\npnpm exec eslint . --max-warnings 0"; }), policy: "workflow-gate-steps-fail-closed", message: /`set \+e` turns off fail-fast/ },
      { title: "`; exit 0` after the type check", stack: () => withWorkflow("verify", (d) => { step(d, "typecheck", byName(/TypeScript/))["run"] = "pnpm exec tsc --noEmit; exit 0"; }), policy: "workflow-gate-steps-fail-closed", message: /`exit 0` at the top level/ },
      { title: "the test runner as an if condition", stack: () => withWorkflow("verify", (d) => { step(d, "unit-tests", byName(/Jest/))["run"] = "if pnpm exec jest --ci; then echo ok; fi"; }), policy: "workflow-gate-steps-fail-closed", message: /runs as a condition/ },
      { title: "the test runner piped into tee", stack: () => withWorkflow("verify", (d) => { step(d, "unit-tests", byName(/Jest/))["run"] = "pnpm exec jest --ci | tee jest.log"; }), policy: "workflow-gate-steps-fail-closed", message: /is piped into another command/ },
      // docs.github.com …/control-jobs-with-conditions: "A job that is skipped will report its status as Success … even if it is a required check."
      { title: "a required check skipped by `if: false`", stack: () => withWorkflow("verify", (d) => { d.jobs["lint"]!["if"] = false; }), policy: "workflow-gate-steps-fail-closed", message: /job lint is skipped even when everything before it succeeds/ },
      { title: "a required check that runs only on an event the workflow never gets", stack: () => withWorkflow("verify", (d) => { d.jobs["security-scan"]!["if"] = "github.event_name == 'schedule'"; }), policy: "workflow-gate-steps-fail-closed", message: /job security-scan is skipped/ },
      { title: "a required check that needs another job (skipped, so success, when it fails)", stack: () => withWorkflow("verify", (d) => { d.jobs["build"]!["needs"] = ["lint"]; }), policy: "workflow-gate-steps-fail-closed", message: /required check build needs lint/ },
      { title: "the schedule check only on failure", stack: () => withWorkflow("deploy-production", (d) => { step(d, "preflight", byId("schedule"))["if"] = "${{ failure() }}"; }), policy: "workflow-gate-steps-fail-closed", message: /may be skipped when the run goes well/ },
      // workflow syntax, jobs.<job_id>.steps[*].shell: the built-in `bash` runs `bash --noprofile --norc -eo pipefail {0}`; a custom template does not.
      { title: "a custom shell without -e", stack: () => withWorkflow("verify", (d) => { step(d, "lint", byName(/Ruff/))["shell"] = "bash {0}"; }), policy: "workflow-gate-steps-fail-closed", message: /custom shell `bash \{0\}`/ },
    ]);
  });

  describe("installs", () => {
    itBlocks([
      { title: "curl | bash", stack: () => withWorkflow("verify", (d) => { step(d, "lint", byName(/Ruff/))["run"] = "curl -fsSL https://astral.sh/ruff/install.sh | bash\nruff check ."; }), policy: "workflow-tools-installed-pinned", message: /pipes a download into an interpreter \(curl \| bash\)/ },
      { title: "wget | sudo sh", stack: () => withWorkflow("verify", (d) => { step(d, "lint", byName(/Ruff/))["run"] = "wget -qO- https://example.com/i | sudo sh"; }), policy: "workflow-tools-installed-pinned", message: /wget \| sh/ },
      { title: "bash <(curl …)", stack: () => withWorkflow("verify", (d) => { step(d, "lint", byName(/Ruff/))["run"] = "bash <(curl -s https://example.com/i.sh)"; }), policy: "workflow-tools-installed-pinned", message: /runs a script fetched at run time/ },
      { title: "download, then run", stack: () => withWorkflow("verify", (d) => { step(d, "lint", byName(/Ruff/))["run"] = "curl -sL https://example.com/i.sh -o i.sh\nsh i.sh"; }), policy: "workflow-tools-installed-pinned", message: /executes a file it just downloaded/ },
      { title: "eval \"$(curl …)\"", stack: () => withWorkflow("verify", (d) => { step(d, "lint", byName(/Ruff/))["run"] = 'eval "$(curl -s https://example.com/env)"'; }), policy: "workflow-tools-installed-pinned", message: /runs a script fetched at run time \(eval/ },
      { title: "the Vercel CLI without a version", stack: () => withWorkflow("deploy-production", (d) => { step(d, "deploy", byName(/^Install vercel/))["run"] = "npm install --global vercel"; }), policy: "workflow-tools-installed-pinned", message: /vercel is not installed at an exact version/ },
      { title: "the Vercel CLI @latest", stack: () => withWorkflow("deploy-production", (d) => { step(d, "deploy", byName(/^Install vercel/))["run"] = "npm i -g vercel@latest"; }), policy: "workflow-tools-installed-pinned", message: /vercel@latest is not installed at an exact version/ },
      { title: "npx of an unpinned package", stack: () => withWorkflow("verify", (d) => { step(d, "lint", byName(/Ruff/))["run"] = "npx prettier --check ."; }), policy: "workflow-tools-installed-pinned", message: /prettier is not installed/ },
      { title: "pip install without ==", stack: () => withWorkflow("verify", (d) => { step(d, "lint", byName(/Ruff/))["run"] = "python -m pip install ruff\nruff check ."; }), policy: "workflow-tools-installed-pinned", message: /ruff is not installed at an exact version/ },
      { title: "go install @latest", stack: () => withWorkflow("verify", (d) => { step(d, "lint", byName(/Ruff/))["run"] = "go install github.com/rhysd/actionlint/cmd/actionlint@latest"; }), policy: "workflow-tools-installed-pinned", message: /actionlint@latest is not installed/ },
      { title: "setup-node with lts/*", stack: () => withWorkflow("verify", (d) => { step(d, "lint", byName(/Set up Node/))["with"] = { "node-version": "lts/*" }; }), policy: "workflow-tools-installed-pinned", message: /node-version: lts\/\* is an alias/ },
    ]);
  });

  describe("secrets", () => {
    const promote = (d: Doc) => DEPLOY_STEP(d, "deploy-web");
    itBlocks([
      { title: "echo a token", stack: () => withWorkflow("deploy-production", (d) => appendRun(promote(d), '\necho "token is $VERCEL_TOKEN"')), policy: "workflow-secrets-not-exposed", message: /echoes VERCEL_TOKEN/ },
      { title: "base64 a token", stack: () => withWorkflow("deploy-production", (d) => appendRun(promote(d), "\necho $VERCEL_TOKEN | base64")), policy: "workflow-secrets-not-exposed", message: /encodes VERCEL_TOKEN \(base64\)/ },
      { title: "a token to $GITHUB_OUTPUT", stack: () => withWorkflow("deploy-production", (d) => appendRun(promote(d), '\necho "token=$VERCEL_TOKEN" >> "$GITHUB_OUTPUT"')), policy: "workflow-secrets-not-exposed", message: /writes VERCEL_TOKEN to GITHUB_OUTPUT/ },
      { title: "a token copied, then written to a file", stack: () => withWorkflow("deploy-production", (d) => appendRun(promote(d), "\nT=$VERCEL_TOKEN\nprintf '%s' \"$T\" > token.txt")), policy: "workflow-secrets-not-exposed", message: /writes T to a file \(token\.txt\)/ },
      { title: "the environment dumped in a step with secrets", stack: () => withWorkflow("deploy-production", (d) => appendRun(promote(d), "\nenv | sort")), policy: "workflow-secrets-not-exposed", message: /prints the environment/ },
      { title: "a secret as a job output", stack: () => withWorkflow("deploy-production", (d) => { d.jobs["deploy"]!["outputs"] = { token: "${{ secrets.RAILWAY_TOKEN }}" }; }), policy: "workflow-secrets-not-exposed", message: /job output token is a secret/ },
      { title: "toJSON(secrets)", stack: () => withWorkflow("deploy-production", (d) => { promote(d)["env"] = { ...(promote(d)["env"] as object), ALL: "${{ toJSON(secrets) }}" }; }), policy: "workflow-secrets-not-exposed", message: /toJSON\(secrets\)/ },
    ]);
  });

  describe("permissions and triggers", () => {
    itBlocks([
      { title: "write-all at the top", stack: () => withWorkflow("deploy-production", (d) => { d["permissions"] = "write-all"; }), policy: "workflow-permissions-least-privilege", message: /top-level permissions write-all/ },
      { title: "contents: write at the top", stack: () => withWorkflow("verify", (d) => { d["permissions"] = { contents: "write" }; }), policy: "workflow-permissions-least-privilege", message: /grant contents: write/ },
      { title: "write-all on a job", stack: () => withWorkflow("verify", (d) => { d.jobs["lint"]!["permissions"] = "write-all"; }), policy: "workflow-permissions-least-privilege", message: /jobs\.lint\.permissions: write-all/ },
      { title: "contents: write on the deploy job, which pushes nothing", stack: () => withWorkflow("deploy-production", (d) => { (d.jobs["deploy"]!["permissions"] as Record<string, string>)["contents"] = "write"; }), policy: "workflow-permissions-least-privilege", message: /jobs\.deploy\.permissions\.contents: contents: write, but nothing in the job needs it/ },
      { title: "id-token: write on the pre-flight", stack: () => withWorkflow("deploy-production", (d) => { (d.jobs["preflight"]!["permissions"] as Record<string, string>)["id-token"] = "write"; }), policy: "workflow-permissions-least-privilege", message: /id-token: write, but nothing/ },
      { title: "a job with no permissions", stack: () => withWorkflow("verify", (d) => { delete d.jobs["lint"]!["permissions"]; }), policy: "workflow-permissions-least-privilege", message: /jobs\.lint\.permissions: states no permissions/ },
      { title: "pull_request_target", stack: () => withWorkflow("verify", (d) => { d.on = { pull_request_target: { branches: ["main"] } }; }), policy: "workflow-triggers-trusted", message: /pull_request_target/ },
      { title: "workflow_run from any branch", stack: () => withExtraFile(".github/workflows/after.yml", docsWorkflow.replace("  pull_request:\n    branches: [main]", "  workflow_run:\n    workflows: [verify]\n    types: [completed]")), policy: "workflow-triggers-trusted", message: /must name the branches/ },
      { title: "production deploy also on push", stack: () => withWorkflow("deploy-production", (d) => { d.on = { workflow_dispatch: (d.on as Record<string, unknown>)["workflow_dispatch"], push: { branches: ["main"] } }; }), policy: "workflow-triggers-trusted", message: /triggered by push/ },
      { title: "production deploy callable from another workflow", stack: () => withWorkflow("deploy-production", (d) => { (d.on as Record<string, unknown>)["workflow_call"] = null; }), policy: "workflow-triggers-trusted", message: /triggered by workflow_call/ },
      { title: "production deploy on a schedule", stack: () => withWorkflow("deploy-production", (d) => { d.on = ["workflow_dispatch", "schedule"]; }), policy: "workflow-triggers-trusted", message: /triggered by schedule/ },
    ]);
  });

  describe("deploy jobs: environment, pre-flight, audit", () => {
    const vercelProd = `  ship:
    runs-on: ubuntu-latest
    permissions: {}
    timeout-minutes: 10
    steps:
      - run: npx --yes vercel@64.0.2 deploy --prod --token "$VERCEL_TOKEN"
        env:
          VERCEL_TOKEN: \${{ secrets.VERCEL_TOKEN }}
`;
    /** A serialised job `ship` in the production environment running `run` (with the deploy tokens and `env` in reach). */
    const inProduction = (run: string | undefined, env: Record<string, string> = {}) => `  ship:
    runs-on: ubuntu-latest
    environment: production
    concurrency:
      group: deploy-production
      cancel-in-progress: false
    permissions:
      contents: read
    timeout-minutes: 10
    steps:
      - run: RUN
        env:
${Object.entries({ VERCEL_TOKEN: "${{ secrets.VERCEL_TOKEN }}", RAILWAY_TOKEN: "${{ secrets.RAILWAY_TOKEN }}", ...env })
  .map(([name, value]) => `          ${name}: ${JSON.stringify(value)}`)
  .join("\n")}
`.replace("RUN", run === undefined ? "RUN" : JSON.stringify(run));
    itBlocks([
      { title: "a hotfix.yml that deploys to production with no environment", stack: () => withExtraFile(".github/workflows/hotfix.yml", hotfix(vercelProd)), policy: "workflow-production-deploy-uses-environment", message: /job ship deploys \(web-production\) without an environment/ },
      { title: "a hotfix.yml in the staging environment running vercel --prod", stack: () => withExtraFile(".github/workflows/hotfix.yaml", hotfix(vercelProd.replace("    permissions: {}", "    environment: staging\n    permissions: {}"))), policy: "workflow-production-deploy-uses-environment", message: /changes production \(web-production\) from environment staging/ },
      { title: "a hotfix.yml in production without the pre-flight", stack: () => withExtraFile(".github/workflows/Hotfix.YML", hotfix(vercelProd.replace("    permissions: {}", "    environment: production\n    permissions: {}"))), policy: "workflow-production-deploy-needs-preflight", message: /job ship deploys to production without waiting for the pre-flight/ },
      { title: "a hotfix deploying through `bash -c`", stack: () => withExtraFile(".github/workflows/hotfix.yml", hotfix(vercelProd.replace('npx --yes vercel@64.0.2 deploy --prod --token "$VERCEL_TOKEN"', "bash -c 'npx --yes vercel@64.0.2 deploy --prod --token $VERCEL_TOKEN'"))), policy: "workflow-production-deploy-uses-environment", message: /job ship deploys \(web-production\) without an environment/ },
      { title: "a hotfix deploying from a node here-document", stack: () => withExtraFile(".github/workflows/hotfix.yml", hotfix(vercelProd.replace('- run: npx --yes vercel@64.0.2 deploy --prod --token "$VERCEL_TOKEN"', "- run: |\n          node - <<'JS'\n          require('child_process').execSync('vercel deploy --prod', { stdio: 'inherit' })\n          JS"))), policy: "workflow-production-deploy-uses-environment", message: /job ship deploys \(web-production\) without an environment/ },
      { title: "migrations through `python -m alembic` in the pre-flight", stack: () => withWorkflow("deploy-production", (d) => { d.jobs["preflight"]!.steps.push({ name: "Prepare", run: "python -m alembic upgrade head", env: { DATABASE_URL: "${{ secrets.MIGRATION_DATABASE_URL }}" } }); }), policy: "workflow-production-deploy-uses-environment", message: /job preflight deploys \(database\) without an environment/ },
      { title: "migrations in the pre-flight, outside the environment", stack: () => withWorkflow("deploy-production", (d) => { d.jobs["preflight"]!.steps.push({ name: "Prepare", run: "alembic upgrade head", env: { DATABASE_URL: "${{ secrets.MIGRATION_DATABASE_URL }}" } }); }), policy: "workflow-production-deploy-uses-environment", message: /job preflight deploys \(database\) without an environment/ },
      { title: "two jobs in production (two approvals)", stack: () => withWorkflow("deploy-production", (d) => { d.jobs["release-notes"]!["environment"] = "production"; }), policy: "workflow-production-deploy-uses-environment", message: /2 jobs run in environment production \(deploy, release-notes\)/ },
      { title: "no production environment at all", stack: () => withWorkflow("deploy-production", (d) => { d.jobs["deploy"]!["environment"] = "prod"; }), policy: "workflow-production-deploy-uses-environment", message: /changes production .* from environment prod/ },
      { title: "the deploy job no longer needs the pre-flight", stack: () => withWorkflow("deploy-production", (d) => { delete d.jobs["deploy"]!["needs"]; }), policy: "workflow-production-deploy-needs-preflight", message: /job deploy deploys to production without waiting for the pre-flight/ },
      { title: "the deploy job runs even when the pre-flight fails (if: always())", stack: () => withWorkflow("deploy-production", (d) => { d.jobs["deploy"]!["if"] = "${{ always() }}"; }), policy: "workflow-production-deploy-needs-preflight", message: /runs even when a job it needs failed/ },
      // A job that names the production environment passes its approval and receives its credentials, whatever
      // its steps run: judged as a production deploy (it waits for the pre-flight), however the deploy is spelled.
      { title: "a job in production that runs the app repository's release script", stack: () => withExtraFile(".github/workflows/release.yml", hotfix(inProduction("./scripts/release.sh production"))), policy: "workflow-production-deploy-needs-preflight", message: /job ship deploys to production without waiting for the pre-flight/ },
      // pnpm runs a dependency's bin when the command is neither a pnpm command nor a script (pnpm docs, "pnpm <cmd>").
      { title: "`pnpm vercel deploy --prod` in production", stack: () => withExtraFile(".github/workflows/release.yml", hotfix(inProduction('pnpm vercel deploy --prebuilt --prod --token="$VERCEL_TOKEN"'))), policy: "workflow-production-deploy-needs-preflight", message: /job ship deploys to production without waiting for the pre-flight/ },
      { title: "Railway's API called through a URL kept in env", stack: () => withExtraFile(".github/workflows/release.yml", hotfix(inProduction('curl --fail -X POST "$ENDPOINT" -H "Project-Access-Token: $RAILWAY_TOKEN" -d @deploy.json', { ENDPOINT: "https://backboard.railway.com/graphql/v2" }))), policy: "workflow-production-deploy-needs-preflight", message: /job ship deploys to production without waiting for the pre-flight/ },
      { title: "a local composite action in production", stack: () => withExtraFile(".github/workflows/release.yml", hotfix(inProduction(undefined).replace("      - run: RUN\n", "      - uses: ./.github/actions/deploy\n"))), policy: "workflow-production-deploy-needs-preflight", message: /job ship deploys to production without waiting for the pre-flight/ },
      // Vercel tokens belong to the team, not to a GitHub environment: a staging job can move production's domains.
      { title: "a staging job that aliases the production domain", stack: () => withExtraFile(".github/workflows/demo.yml", hotfix(inProduction('npx --yes vercel@64.0.2 alias set "$URL" app.flightpro.com --token="$VERCEL_TOKEN"', { URL: "${{ inputs.url }}" }).replace("environment: production", "environment: staging"))), policy: "workflow-production-deploy-uses-environment", message: /job ship changes production \(web-restore\) from environment staging/ },
      // Instant Rollback returns production's domains to a former production deployment (https://vercel.com/docs/instant-rollback).
      { title: "vercel rollback from the staging environment", stack: () => withExtraFile(".github/workflows/demo.yml", hotfix(inProduction('npx --yes vercel@64.0.2 rollback "$URL" --yes --token="$VERCEL_TOKEN"', { URL: "${{ inputs.url }}" }).replace("environment: production", "environment: staging"))), policy: "workflow-production-deploy-uses-environment", message: /job ship changes production \(web-restore\) from environment staging/ },
      { title: "the pre-flight job with continue-on-error", stack: () => withWorkflow("deploy-production", (d) => { d.jobs["preflight"]!["continue-on-error"] = true; }), policy: "workflow-production-deploy-needs-preflight", message: /without waiting for the pre-flight/ },
      { title: "a job between them that runs after a failure", stack: () => withWorkflow("deploy-production", (d) => { d.jobs["gate"] = { "runs-on": "ubuntu-latest", needs: ["preflight"], if: "${{ !cancelled() }}", permissions: {}, "timeout-minutes": 1, steps: [{ run: "echo go" }] }; d.jobs["deploy"]!["needs"] = ["gate"]; }), policy: "workflow-production-deploy-needs-preflight", message: /without waiting for the pre-flight/ },
      { title: "the audit step skipped on failure (no if)", stack: () => withWorkflow("deploy-production", (d) => { delete DEPLOY_STEP_BY_NAME(d, /^Write the audit record$/)["if"]; }), policy: "workflow-deploy-audit-record-always", message: /does not run on every outcome: its if \(success\(\)\) is not always\(\)/ },
      { title: "the audit step on success only", stack: () => withWorkflow("deploy-production", (d) => { DEPLOY_STEP_BY_NAME(d, /^Write the audit record$/)["if"] = "${{ success() }}"; }), policy: "workflow-deploy-audit-record-always", message: /is not always\(\)/ },
      { title: "the audit step conditioned on the branch", stack: () => withWorkflow("deploy-production", (d) => { DEPLOY_STEP_BY_NAME(d, /^Write the audit record$/)["if"] = "${{ always() && github.ref == 'refs/heads/main' }}"; }), policy: "workflow-deploy-audit-record-always", message: /is not always\(\)/ },
      { title: "no audit record at all", stack: () => withWorkflow("deploy-production", (d) => { d.jobs["deploy"]!.steps = d.jobs["deploy"]!.steps.filter((s) => s["name"] !== "Write the audit record"); }), policy: "workflow-deploy-audit-record-always", message: /deploys without writing an audit record/ },
      { title: "deploys not serialised", stack: () => withWorkflow("deploy-production", (d) => { delete d["concurrency"]; }), policy: "workflow-jobs-hardened", message: /jobs\.deploy\.concurrency: a job that deploys needs a concurrency group/ },
      { title: "a checkout that keeps its token", stack: () => withWorkflow("verify", (d) => { step(d, "lint", byName(/^Check out$/))["with"] = {}; }), policy: "workflow-jobs-hardened", message: /keeps the token in \.git\/config/ },
      { title: "an expression inside run:", stack: () => withWorkflow("deploy-production", (d) => { step(d, "release-notes", () => true)["run"] = 'gh release create v1 --notes "${{ inputs.reason }}"'; }), policy: "workflow-jobs-hardened", message: /an expression inside run:/ },
      { title: "a job without a timeout", stack: () => withWorkflow("verify", (d) => { delete d.jobs["build"]!["timeout-minutes"]; }), policy: "workflow-jobs-hardened", message: /jobs\.build\.timeout-minutes/ },
    ]);
  });

  describe("releases", () => {
    itBlocks([
      { title: "rollback to :latest", stack: () => withWorkflow("deploy-production", (d) => { (DEPLOY_STEP(d, "rollback-api")["env"] as Record<string, string>)["IMAGE"] = "ghcr.io/flightpro/api:latest"; }), policy: "workflow-rollback-redeploys-recorded-release", message: /IMAGE is not a release the deploys recorded/ },
      { title: "rollback by railway redeploy", stack: () => withWorkflow("deploy-production", (d) => { DEPLOY_STEP(d, "rollback-api")["run"] = "npx --yes @railway/cli@5.63.1 redeploy --yes"; }), policy: "workflow-rollback-redeploys-recorded-release", message: /railway redeploy\/up deploys the latest deployment/ },
      { title: "a rollback step that only says so", stack: () => withWorkflow("deploy-production", (d) => { DEPLOY_STEP(d, "rollback-web")["run"] = 'echo "rolled back"'; }), policy: "workflow-rollback-redeploys-recorded-release", message: /calls no deploy tool: nothing is rolled back/ },
      { title: "rollback to a URL typed in at dispatch", stack: () => withWorkflow("deploy-production", (d) => { (DEPLOY_STEP(d, "rollback-web")["env"] as Record<string, string>)["PREVIOUS_WEB_URL"] = "${{ inputs.reason }}"; }), policy: "workflow-rollback-redeploys-recorded-release", message: /PREVIOUS_WEB_URL is not a release the deploys recorded/ },
      { title: "promote the staging preview (vercel promote rebuilds a preview and returns at once)", stack: () => withWorkflow("deploy-production", (d) => { (DEPLOY_STEP(d, "deploy-web")["env"] as Record<string, string>)["WEB_DEPLOYMENT_URL"] = "${{ needs.preflight.outputs.image }}"; }), policy: "workflow-production-web-built-for-production", message: /promotes a deployment this job did not stage/ },
      { title: "a preview build in production", stack: () => withWorkflow("deploy-production", (d) => { step(d, "deploy", byName(/^Build web for production/))["run"] = 'set -euo pipefail\nvercel pull --yes --environment=production --token="$VERCEL_TOKEN"\nvercel build --token="$VERCEL_TOKEN"'; }), policy: "workflow-production-web-built-for-production", message: /`vercel build` without --prod/ },
      { title: "the staging values pulled for production", stack: () => withWorkflow("deploy-production", (d) => { step(d, "deploy", byName(/^Build web for production/))["run"] = 'vercel pull --yes --environment=preview --git-branch=staging --token="$VERCEL_TOKEN"\nvercel build --prod --token="$VERCEL_TOKEN"'; }), policy: "workflow-production-web-built-for-production", message: /`vercel pull` without --environment=production/ },
      { title: "the API image rebuilt in production", stack: () => withWorkflow("deploy-production", (d) => appendRun(DEPLOY_STEP(d, "promote"), '\ndocker build --tag "$REPO:production" api')), policy: "workflow-production-promotes-without-build", message: /builds the API image \(docker build\)/ },
      { title: "the API image rebuilt with build-push-action", stack: () => withWorkflow("deploy-production", (d) => { d.jobs["deploy"]!.steps.splice(3, 0, { name: "Build", uses: "docker/build-push-action@53b7df96c91f9c12dcc8a07bcb9ccacbed38856a", with: { context: "api", push: true } }); }), policy: "workflow-production-promotes-without-build", message: /builds the API image \(docker\/build-push-action/ },
      { title: "an image typed in at dispatch instead of the one staging tested", stack: () => withWorkflow("deploy-production", (d) => { (DEPLOY_STEP(d, "promote")["env"] as Record<string, string>)["SOURCE"] = "${{ inputs.reason }}"; }), policy: "workflow-production-promotes-without-build", message: /deploys IMAGE .* which does not come from the tested artifact/ },
      { title: "the API deployed from a literal tag", stack: () => withWorkflow("deploy-production", (d) => { (DEPLOY_STEP(d, "deploy-api")["env"] as Record<string, string>)["IMAGE"] = "ghcr.io/flightpro/api:main"; }), policy: "workflow-production-promotes-without-build", message: /deploys IMAGE "ghcr\.io\/flightpro\/api:main"/ },
      { title: "no smoke tests after the deploy", stack: () => withWorkflow("deploy-production", (d) => { d.jobs["deploy"]!.steps = d.jobs["deploy"]!.steps.filter((s) => s["id"] !== "smoke"); }), policy: "workflow-production-smoke-tests-roll-back", message: /no smoke test step .* runs after the production deploy steps/ },
      { title: "smoke tests that check nothing", stack: () => withWorkflow("deploy-production", (d) => { DEPLOY_STEP(d, "smoke")["run"] = 'echo "smoke tests passed"'; }), policy: "workflow-production-smoke-tests-roll-back", message: /no smoke test step \(one that runs a check/ },
      { title: "smoke tests only on failure", stack: () => withWorkflow("deploy-production", (d) => { DEPLOY_STEP(d, "smoke")["if"] = "${{ failure() }}"; }), policy: "workflow-production-smoke-tests-roll-back", message: /no smoke test step \(one that runs a check: curl --fail or a test runner\) runs after the production deploy steps whenever they succeed/ },
      { title: "rollbacks on any failure, not the smoke tests'", stack: () => withWorkflow("deploy-production", (d) => { for (const id of ["rollback-api", "rollback-web"]) DEPLOY_STEP(d, id)["if"] = "${{ failure() }}"; }), policy: "workflow-production-smoke-tests-roll-back", message: /condition it on steps\.smoke\.outcome == 'failure'/ },
      { title: "migrations after the API deploy", stack: () => withWorkflow("deploy-production", (d) => { const steps = d.jobs["deploy"]!.steps; const migrate = steps.findIndex((s) => s["id"] === "migrate"); const [m] = steps.splice(migrate, 1); steps.splice(steps.findIndex((s) => s["id"] === "smoke"), 0, m!); }), policy: "workflow-production-migrations-before-deploy", message: /deploys before the migrations run/ },
      { title: "no migrations", stack: () => withWorkflow("deploy-production", (d) => { d.jobs["deploy"]!.steps = d.jobs["deploy"]!.steps.filter((s) => s["id"] !== "migrate"); }), policy: "workflow-production-migrations-before-deploy", message: /no migration step/ },
    ]);
  });

  describe("verify", () => {
    itBlocks([
      { title: "a required check renamed", stack: () => withWorkflow("verify", (d) => { d.jobs["lint"]!["name"] = "Lint"; }), policy: "workflow-verify-required-checks-exist", message: /required check lint \(ruleset .*\) is reported by no job of the verify workflow/ },
      { title: "verify no longer on pull requests", stack: () => withWorkflow("verify", (d) => { d.on = { push: { branches: ["main"] } }; }), policy: "workflow-verify-required-checks-exist", message: /required checks lint, typecheck, .* are reported by no job of the verify workflow on pull_request/ },
      { title: "another workflow reports a required check's name", stack: () => withExtraFile(".github/workflows/fast.yml", docsWorkflow.replace("  docs:\n", "  unit-tests:\n")), policy: "workflow-verify-required-checks-exist", message: /fast\.yml jobs\.unit-tests reports required check unit-tests outside the verify workflow/ },
      // GitHub evaluates jobs.<job_id>.name with the github, inputs, vars, needs, strategy and matrix contexts
      // (@actions/workflow-parser@0.3.61 dist/workflow-v1.0.min.json, job-factory.name: string-strategy-context).
      { title: "another workflow's job named by an expression that evaluates to a required check", stack: () => withExtraFile(".github/workflows/fast.yml", docsWorkflow.replace("  docs:\n", "  docs:\n    name: ${{ format('{0}-{1}', 'unit', 'tests') }}\n")), policy: "workflow-verify-required-checks-exist", message: /fast\.yml jobs\.docs reports a check named by an expression/ },
      { title: "a matrix job named after the verify checks", stack: () => withExtraFile(".github/workflows/quick.yml", docsWorkflow.replace("  docs:\n", "  docs:\n    name: ${{ matrix.check }}\n    strategy:\n      matrix:\n        check: [lint, typecheck]\n")), policy: "workflow-verify-required-checks-exist", message: /quick\.yml jobs\.docs reports a check named by an expression/ },
      { title: "Lighthouse 80", stack: () => withWorkflow("verify", (d) => { (d.jobs["performance-budgets"]!["env"] as Record<string, string>)["LIGHTHOUSE_MIN_SCORE"] = "80"; }), policy: "workflow-verify-performance-budgets", message: /LIGHTHOUSE_MIN_SCORE = 80 is looser .* ≥ 85/ },
      { title: "Node 20 (end of life 2026-04-30)", stack: () => withWorkflow("verify", (d) => { step(d, "lint", byName(/Set up Node/))["with"] = { "node-version": "20", cache: "pnpm" }; }), policy: "workflow-node-version-supported", message: /Node\.js 20 reached end of life on 2026-04-30/ },
      { title: "Node 18 as a number", stack: () => withWorkflow("verify", (d) => { step(d, "build", byName(/Set up Node/))["with"] = { "node-version": 18 }; }), policy: "workflow-node-version-supported", message: /Node\.js 18 reached end of life/ },
      { title: "a node:16 container", stack: () => withWorkflow("verify", (d) => { d.jobs["lint"]!["container"] = "node:16-bullseye"; }), policy: "workflow-node-version-supported", message: /jobs\.lint image: Node\.js 16/ },
      { title: "the unit tests emptied (pytest replaced by an echo)", stack: () => withWorkflow("verify", (d) => { step(d, "unit-tests", byName(/^pytest$/))["run"] = 'echo "pytest skipped"'; }), policy: "workflow-verify-checks-run-their-tools", message: /jobs\.unit-tests: runs none of pytest/ },
      { title: "the security scan without a Python audit", stack: () => withWorkflow("verify", (d) => { d.jobs["security-scan"]!.steps = d.jobs["security-scan"]!.steps.filter((s) => !/pip-audit/.test(String(s["name"]))); }), policy: "workflow-verify-checks-run-their-tools", message: /jobs\.security-scan: runs none of pip_audit, pip-audit, safety/ },
      { title: "ESLint run through a local action nobody judges", stack: () => withWorkflow("verify", (d) => { step(d, "lint", byName(/ESLint/))["uses"] = "./.github/actions/eslint"; delete step(d, "lint", byName(/ESLint/))["run"]; }), policy: "workflow-actions-pinned-to-sha", message: /\.\/\.github\/actions\/eslint: a local action's steps are not in the workflow file/ },
      { title: "an action on a tag", stack: () => withWorkflow("verify", (d) => { step(d, "lint", byName(/^Check out$/))["uses"] = "actions/checkout@v4"; }), policy: "workflow-actions-pinned-to-sha", message: /actions\/checkout@v4 is not pinned to a full commit SHA/ },
      { title: "a docker:// action by tag", stack: () => withWorkflow("verify", (d) => { d.jobs["lint"]!.steps.push({ uses: "docker://alpine:3.20" }); }), policy: "workflow-actions-pinned-to-sha", message: /docker:\/\/alpine:3\.20 is not pinned to an image digest/ },
      { title: "a reusable workflow from another repository", stack: () => withWorkflow("verify", (d) => { d.jobs["shared"] = { uses: "someorg/ci/.github/workflows/x.yml@main", permissions: {}, steps: [] }; }), policy: "workflow-actions-pinned-to-sha", message: /only reusable workflows of this repository/ },
    ]);
  });

  describe("files", () => {
    itBlocks([
      { title: "not YAML", stack: () => withExtraFile(".github/workflows/broken.yml", "on: [push\njobs: {"), policy: "workflow-file-parses", message: /broken\.yml is not valid YAML/ },
      { title: "duplicate keys (GitHub rejects them; a reader might take either)", stack: () => withExtraFile(".github/workflows/dup.yml", "on: push\non: workflow_dispatch\njobs:\n  a:\n    runs-on: x\n    steps: []\n"), policy: "workflow-file-parses", message: /dup\.yml is not valid YAML/ },
      { title: "not a mapping", stack: () => withExtraFile(".github/workflows/list.yml", "- a\n- b\n"), policy: "workflow-file-parses", message: /list\.yml is not a YAML mapping/ },
    ]);
  });
});

function DEPLOY_STEP_BY_NAME(doc: Doc, pattern: RegExp): Record<string, unknown> {
  return step(doc, "deploy", byName(pattern));
}

describe("policies: workflow files not known until apply", () => {
  it("a RepositoryFile whose path is unknown during preview is judged on update (an advisory note now), not skipped", () => {
    const stack = withInput(validStack(), "workflow-deploy-production", "file", "04da6b54-80e4-46f7-96ec-b56ff0331ba9");
    const notes = judge(stack).filter((verdict) => verdict.policy === "workflow-secrets-not-exposed");
    assert.equal(notes.length, 1, JSON.stringify(notes));
    assert.equal(notes[0]!.enforcementLevel, "advisory");
    assert.match(notes[0]!.message, /not judged during preview: file is not known until apply/);
  });
});
