import { AppSettings, EnvironmentName, StackSettings } from "../config/schema";
import { deploySecrets, deployVariables } from "../pipeline/deployContract";
import { migrationBookkeeping } from "../pipeline/migrations";
import { Concurrency, expr, Step } from "./model";
import { action, cliPins } from "./pins";
import { railwayDeployScript } from "./railway";

/** Building blocks shared by the workflow builders. Pure: settings in, model out. */

export const RUNNER = "ubuntu-latest";

export const vars = (name: (typeof deployVariables)[keyof typeof deployVariables]) => expr(`vars.${name}`);
export const secret = (name: (typeof deploySecrets)[keyof typeof deploySecrets]) => expr(`secrets.${name}`);

/** One group per environment, shared by deploy and rollback: two changes to an environment never overlap. */
export function deployConcurrency(environment: EnvironmentName | ReturnType<typeof expr>): Concurrency {
  return { group: `deploy-${environment}`, "cancel-in-progress": false };
}

/** The API image in GHCR (the spec's `ghcr.io/[org]/api:[commit-sha]`). */
export function apiImage(settings: StackSettings): string {
  return `ghcr.io/${settings.github.owner.toLowerCase()}/api`;
}

export function checkout(fetchDepth?: number): Step {
  return {
    name: "Check out",
    uses: action("actions/checkout"),
    with: fetchDepth === undefined ? { "persist-credentials": false } : { "persist-credentials": false, "fetch-depth": fetchDepth },
  };
}

/**
 * pnpm, Node with the pnpm store cached by the lockfile, and a frozen install. Needs the checkout
 * first: pnpm/action-setup reads the pnpm version from the app's package.json `packageManager`
 * field, and fails when a `version` input names another (pnpm/action-setup@v4.0.0
 * src/install-pnpm/run.ts, readTarget: "Multiple versions of pnpm specified"), so `version` is
 * passed only when the settings name one (an app without `packageManager`).
 */
export function nodeSetup(app: AppSettings): Step[] {
  return [
    { name: "Set up pnpm", uses: action("pnpm/action-setup"), ...(app.pnpmVersion === undefined ? {} : { with: { version: app.pnpmVersion } }) },
    {
      name: "Set up Node.js (pnpm cache)",
      uses: action("actions/setup-node"),
      with: { "node-version": app.nodeVersion, cache: "pnpm", "cache-dependency-path": "pnpm-lock.yaml" },
    },
    { name: "Install web dependencies", run: "pnpm install --frozen-lockfile" },
  ];
}

/** Python with the pip cache keyed by the API's requirement files, and the install. */
export function pythonSetup(app: AppSettings): Step[] {
  return [
    {
      name: "Set up Python (pip cache)",
      uses: action("actions/setup-python"),
      with: { "python-version": app.pythonVersion, cache: "pip", "cache-dependency-path": `${app.apiDirectory}/requirements*.txt` },
    },
    {
      name: "Install API dependencies",
      "working-directory": app.apiDirectory,
      run: "python -m pip install -r requirements.txt -r requirements-dev.txt",
    },
  ];
}

export function installCli(...tools: (keyof typeof cliPins)[]): Step {
  return { name: `Install ${tools.join(", ")} CLI`, run: `npm install --global ${tools.map((tool) => cliPins[tool]).join(" ")}` };
}

/** Alembic against the environment's database, as the migrator role. */
/** Where the app's alembic/env.py puts its version table: the schema only the migrator may use (infra/pipeline/migrations.ts). */
export const alembicBookkeepingEnv = { [migrationBookkeeping.versionTableSchemaEnv]: migrationBookkeeping.versionTableSchema };

export function alembicStep(app: AppSettings, name: string, command: string, extraEnv: Record<string, string> = {}): Step {
  return {
    name,
    "working-directory": app.apiDirectory,
    env: { DATABASE_URL: secret(deploySecrets.migrationDatabaseUrl), ...alembicBookkeepingEnv, ...extraEnv },
    run: command,
  };
}

/**
 * Deploys the API image pinned by digest to the environment's Railway service and waits until that
 * deployment is live (see railway.ts for why this is not the Railway CLI). Needs Node on the runner.
 */
export function railwayDeployStep(imageRef: string): Step {
  return {
    name: "Deploy API image to Railway (by digest, waits until live)",
    env: {
      RAILWAY_TOKEN: secret(deploySecrets.railwayToken),
      RAILWAY_ENVIRONMENT: vars(deployVariables.railwayEnvironment),
      RAILWAY_SERVICE: vars(deployVariables.railwayService),
      IMAGE: imageRef,
    },
    run: railwayDeployScript,
  };
}

/** Node only (no package manager): for jobs that run node scripts, such as the Railway deploy. */
export function nodeRuntime(app: AppSettings): Step {
  return { name: "Set up Node.js", uses: action("actions/setup-node"), with: { "node-version": app.nodeVersion } };
}

/**
 * The product's smoke suite: a `test:smoke` script in the web workspace, run against the
 * deployed URLs (WEB_URL, API_URL). A convention, not config, until a product needs another.
 */
export const SMOKE_TEST_COMMAND = "pnpm run test:smoke";

/** A step renamed, given an id or a condition, with those keys first (as a reader looks for them). */
export function headed(step: Step, head: Partial<Pick<Step, "name" | "id" | "if">>): Step {
  const { name, id, if: condition, ...rest } = { ...step, ...head };
  return { name, ...(id === undefined ? {} : { id }), ...(condition === undefined ? {} : { if: condition }), ...rest };
}

/** The spec's smoke tests: the API health endpoint, the web app, then the product's own smoke suite (needs nodeSetup first). */
export function smokeTestStep(settings: StackSettings, head: Partial<Pick<Step, "name" | "id" | "if">> = {}): Step {
  return headed({
    name: "Smoke tests",
    "working-directory": settings.app.webDirectory,
    env: { WEB_URL: vars(deployVariables.webUrl), API_URL: vars(deployVariables.apiUrl) },
    run: [
      "set -euo pipefail",
      'curl --fail --silent --show-error --retry 10 --retry-delay 6 --retry-all-errors "$API_URL/health" > /dev/null',
      'curl --fail --silent --show-error --retry 10 --retry-delay 6 --retry-all-errors "$WEB_URL" > /dev/null',
      SMOKE_TEST_COMMAND,
    ].join("\n"),
  }, head);
}

/** Node setup, then the smoke tests. */
export function smokeTestSteps(settings: StackSettings): Step[] {
  return [...nodeSetup(settings.app), smokeTestStep(settings)];
}

export function assumeAuditRole(condition?: string): Step {
  return {
    name: "Assume the audit role (OIDC)",
    ...(condition === undefined ? {} : { if: condition }),
    uses: action("aws-actions/configure-aws-credentials"),
    with: {
      "role-to-assume": vars(deployVariables.auditRoleArn),
      "aws-region": vars(deployVariables.awsRegion),
      "role-session-name": "flightdeck-audit",
    },
  };
}

/** The overall result of the jobs a job needs: failure wins over cancelled, cancelled over success. */
export const NEEDS_OUTCOME = expr(
  "contains(needs.*.result, 'failure') && 'failure' || (contains(needs.*.result, 'cancelled') && 'cancelled' || 'success')",
);

/** The metric the `deployment-failed` alarm watches (infra/aws/alertMetrics.ts), in the stack's namespace. */
export const DEPLOYMENT_FAILED_METRIC = "DeploymentFailed";

/**
 * Writes the spec's audit record (who, what changed, when, where, outcome) to the audit bucket,
 * and on a failed outcome publishes DeploymentFailed = 1 (the `deployment-failed` alarm pages on it).
 * Every value enters through env; the record is built with jq, never by string concatenation.
 * `outcome` is an expression that is `success`, `failure` or `cancelled`.
 */
export function auditRecordStep(environment: string, outcome: string, extraEnv: Record<string, string>, condition?: string): Step {
  return {
    name: "Write the audit record",
    ...(condition === undefined ? {} : { if: condition }),
    env: {
      ENVIRONMENT: environment,
      OUTCOME: outcome,
      METRICS_NAMESPACE: vars(deployVariables.metricsNamespace),
      ACTOR: expr("github.actor"),
      TRIGGERED_BY: expr("github.triggering_actor"),
      COMMIT: expr("github.sha"),
      REPOSITORY: expr("github.repository"),
      WORKFLOW: expr("github.workflow"),
      RUN_ID: expr("github.run_id"),
      RUN_ATTEMPT: expr("github.run_attempt"),
      SERVER_URL: expr("github.server_url"),
      AUDIT_BUCKET: vars(deployVariables.auditBucket),
      AUDIT_PREFIX: vars(deployVariables.auditPrefix),
      ...extraEnv,
    },
    run: [
      "set -euo pipefail",
      "metric_failed=0",
      'if [ "$OUTCOME" = failure ]; then',
      `  if ! aws cloudwatch put-metric-data --namespace "$METRICS_NAMESPACE" --metric-name ${DEPLOYMENT_FAILED_METRIC} --value 1 --unit Count; then metric_failed=1; fi`,
      "fi",
      'when="$(date -u +%Y-%m-%dT%H:%M:%SZ)"',
      'record="$(jq -n \\',
      '  --arg environment "$ENVIRONMENT" --arg outcome "$OUTCOME" --arg actor "$ACTOR" \\',
      '  --arg triggeredBy "$TRIGGERED_BY" --arg commit "$COMMIT" --arg diffFrom "${DIFF_FROM:-}" \\',
      '  --arg repository "$REPOSITORY" --arg workflow "$WORKFLOW" --arg when "$when" \\',
      '  --arg run "$SERVER_URL/$REPOSITORY/actions/runs/$RUN_ID/attempts/$RUN_ATTEMPT" \\',
      '  --arg image "${IMAGE:-}" --arg web "${WEB_DEPLOYMENT_URL:-}" \\',
      '  --arg emergency "${EMERGENCY:-false}" --arg reason "${REASON:-}" --arg rollback "${ROLLED_BACK:-}" \\',
      '  --arg lighthouse "${LIGHTHOUSE_SCORE:-}" \\',
      "  '{environment: $environment, outcome: $outcome, who: $actor, triggeredBy: $triggeredBy,",
      "    what: {repository: $repository, commit: $commit, diff: (if $diffFrom == \"\" then null else \"\\($diffFrom)...\\($commit)\" end),",
      "           image: $image, webDeployment: $web},",
      "    when: $when, workflow: $workflow, run: $run, emergency: ($emergency == \"true\"), reason: $reason,",
      "    rollback: (if $rollback == \"\" or $rollback == \"skipped\" then null else $rollback end),",
      "    lighthouse: (if $lighthouse == \"\" then null else ($lighthouse | tonumber) end)}')\"",
      'key="${AUDIT_PREFIX}${ENVIRONMENT}/$(date -u +%Y/%m/%d)/${RUN_ID}-${RUN_ATTEMPT}.json"',
      'printf \'%s\\n\' "$record" | aws s3 cp - "s3://${AUDIT_BUCKET}/${key}" --content-type application/json',
      'echo "$record" | jq . >> "$GITHUB_STEP_SUMMARY"',
      `if [ "$metric_failed" = 1 ]; then echo "::error::could not publish ${DEPLOYMENT_FAILED_METRIC} to $METRICS_NAMESPACE"; exit 1; fi`,
    ].join("\n"),
  };
}

/** Publishes one line to an SNS topic (the alert channels the stack creates). */
export function notifyStep(name: string, condition: string, topicVar: string, subject: string): Step {
  return {
    name,
    if: condition,
    env: {
      TOPIC_ARN: topicVar,
      SUBJECT: subject,
      ACTOR: expr("github.actor"),
      COMMIT: expr("github.sha"),
      RUN_URL: expr("format('{0}/{1}/actions/runs/{2}', github.server_url, github.repository, github.run_id)"),
    },
    run: [
      "set -euo pipefail",
      'aws sns publish --topic-arn "$TOPIC_ARN" --subject "$SUBJECT" \\',
      '  --message "$SUBJECT: commit $COMMIT by $ACTOR. Run: $RUN_URL"',
    ].join("\n"),
  };
}
