import { StackSettings, stacksOfModel } from "../config/schema";
import { deployVariables } from "../pipeline/deployContract";
import { DEPLOYMENT_TASK } from "./deployStaging";
import { expr, Workflow } from "./model";
import { recordDeployedCredentialsStep, recordsDeployedCredentials } from "./deployedCredentials";
import { rollbackTargetScript } from "./preflight";
import {
  alembicStep,
  apiImage,
  assumeAuditRole,
  auditRecordStep,
  checkout,
  deployConcurrency,
  headed,
  installCli,
  nodeSetup,
  notifyStep,
  pythonSetup,
  railwayDeployStep,
  RUNNER,
  smokeTestStep,
  vars,
} from "./steps";
import { vercelEnv, vercelRestoreScript } from "./vercel";

/**
 * rollback.yml: the spec's quick and full rollback, started by hand. It returns an environment to
 * a release it ran before, as that release's deploy recorded it (the GitHub deployment payload: API
 * image by digest, web deployment URL), never to a reference typed in: by default the newest
 * successful release that differs from the running one, or a chosen earlier deployment id.
 *
 * - `preflight` (no environment): validates the inputs and resolves the target release.
 * - `rollback`: ONE job in the environment (one approval, however urgent): the API image by digest
 *   (waits until live), the web (production: Instant Rollback, which takes only former production
 *   deployments; staging: the staging domain aliased back), optionally `alembic downgrade`, smoke
 *   tests, a GitHub deployment recording the restored release (so the next rollback and deploy see
 *   what runs), the audit record, and the credentials the restored release carries (its deploy's record,
 *   deployedCredentials.ts). It shares its environment's deploy concurrency group, so a
 *   rollback and a deploy never run at once.
 */
export function rollbackWorkflow(settings: StackSettings): Workflow {
  if (settings.model === "local-only") throw new Error("the local-only model has no rollback.yml");
  const environments = stacksOfModel[settings.model];
  const target = expr("inputs.environment");
  const environment = { name: target, url: vars(deployVariables.webUrl) };
  const { app } = settings;
  const image = apiImage(settings);
  const downgrade = expr("inputs.alembic-revision");
  const fullRollback = expr("inputs.alembic-revision != ''");
  const release = {
    image: expr("needs.preflight.outputs.image"),
    web: expr("needs.preflight.outputs.web-url"),
    sha: expr("needs.preflight.outputs.sha"),
  };
  const tokenEnv = { GH_TOKEN: expr("github.token"), REPOSITORY: expr("github.repository") };
  const records = recordsDeployedCredentials(settings);
  const restored = expr("steps.restored-credentials.outputs.credentials");

  return {
    name: "rollback",
    on: {
      workflow_dispatch: {
        inputs: {
          environment: {
            description: "Environment to roll back",
            type: "choice",
            required: true,
            options: environments,
            default: environments[environments.length - 1],
          },
          deployment: {
            description: "Optional: id of the earlier GitHub deployment to return to (default: the newest successful release before the running one)",
            type: "string",
            required: false,
            default: "",
          },
          "alembic-revision": {
            description: "Optional: Alembic revision to downgrade the database to (full rollback)",
            type: "string",
            required: false,
            default: "",
          },
          reason: { description: "Why (recorded in the audit log)", type: "string", required: true },
        },
      },
    },
    permissions: {},
    concurrency: deployConcurrency(target),
    defaults: { run: { shell: "bash" } },
    jobs: {
      preflight: {
        name: "pre-flight: the release to return to",
        "runs-on": RUNNER,
        permissions: { deployments: "read" },
        "timeout-minutes": 5,
        outputs: {
          image: expr("steps.target.outputs.image"),
          "web-url": expr("steps.target.outputs.web-url"),
          sha: expr("steps.target.outputs.sha"),
          "deployment-id": expr("steps.target.outputs.deployment-id"),
        },
        steps: [
          {
            name: "Validate the inputs",
            env: { REQUESTED: expr("inputs.deployment"), REVISION: downgrade, REASON: expr("inputs.reason") },
            run: [
              "set -euo pipefail",
              'if [ -n "$REQUESTED" ] && ! [[ "$REQUESTED" =~ ^[0-9]+$ ]]; then echo "::error::not a GitHub deployment id: $REQUESTED"; exit 1; fi',
              'if [ -n "$REVISION" ] && ! [[ "$REVISION" =~ ^[A-Za-z0-9_+-]+$ ]]; then echo "::error::not an Alembic revision: $REVISION"; exit 1; fi',
              'if [ -z "${REASON// /}" ]; then echo "::error::a rollback needs a reason"; exit 1; fi',
            ].join("\n"),
          },
          {
            name: "The recorded release to return to",
            id: "target",
            env: { ...tokenEnv, ENVIRONMENT: target, TASK: DEPLOYMENT_TASK, REQUESTED: expr("inputs.deployment"), REPO: image },
            run: rollbackTargetScript(),
          },
        ],
      },
      rollback: {
        name: "roll back (approval gate)",
        "runs-on": RUNNER,
        needs: ["preflight"],
        environment,
        permissions: { contents: "read", deployments: "write", "id-token": "write" },
        "timeout-minutes": 30,
        steps: [
          checkout(),
          ...nodeSetup(app),
          installCli("vercel"),
          headed(railwayDeployStep(release.image, settings), { name: "Rollback: redeploy the recorded API image", id: "rollback-api" }),
          {
            name: "Rollback: return the web to the recorded deployment",
            id: "rollback-web",
            env: { ...vercelEnv(), ENVIRONMENT: target, WEB_URL: vars(deployVariables.webUrl), PREVIOUS_WEB_URL: release.web },
            run: vercelRestoreScript("ENVIRONMENT"),
          },
          ...pythonSetup(app).map((step) => headed(step, { if: fullRollback })),
          headed(alembicStep(app, "Rollback: alembic downgrade <revision> (full rollback)", ["set -euo pipefail", 'alembic downgrade "$REVISION"'].join("\n"), { REVISION: downgrade }), {
            id: "downgrade",
            if: fullRollback,
          }),
          smokeTestStep(settings, { id: "smoke" }),
          ...(records
            ? [
                {
                  // What the restored release's deploy recorded: its web deployment runs the credentials it was built with.
                  name: "The credentials the restored release carries",
                  id: "restored-credentials",
                  if: expr("always() && steps.rollback-api.outcome == 'success'"),
                  env: { ...tokenEnv, DEPLOYMENT_ID: expr("needs.preflight.outputs.deployment-id") },
                  run: [
                    "set -euo pipefail",
                    'credentials="$(gh api "repos/$REPOSITORY/deployments/$DEPLOYMENT_ID" | jq -c \'.payload.credentials // null\')"',
                    'echo "credentials=$credentials" >> "$GITHUB_OUTPUT"',
                  ].join("\n"),
                },
              ]
            : []),
          {
            name: "Record the GitHub deployment of the restored release",
            if: expr("always() && steps.rollback-api.outcome == 'success'"),
            env: {
              ...tokenEnv,
              TASK: DEPLOYMENT_TASK,
              ENVIRONMENT: target,
              OUTCOME: expr("steps.smoke.outcome"),
              IMAGE: release.image,
              WEB_DEPLOYMENT_URL: release.web,
              COMMIT: release.sha,
              WEB_URL: vars(deployVariables.webUrl),
              ...(records ? { CREDENTIALS: restored } : {}),
            },
            run: [
              "set -euo pipefail",
              'id="$(jq -n --arg ref "$COMMIT" --arg task "$TASK" --arg environment "$ENVIRONMENT" --arg image "$IMAGE" --arg web "$WEB_DEPLOYMENT_URL" --arg credentials "${CREDENTIALS:-}" \\',
              "  '{ref: $ref, task: $task, environment: $environment, auto_merge: false, required_contexts: [],",
              "    production_environment: ($environment == \"production\"), payload: {image: $image, webDeploymentUrl: $web, credentials: ($credentials | try fromjson catch null), rollback: true}}' \\",
              '  | gh api "repos/$REPOSITORY/deployments" --input - --jq .id)"',
              'if [ "$OUTCOME" = success ]; then state=success; else state=failure; fi',
              'gh api "repos/$REPOSITORY/deployments/$id/statuses" -f state="$state" -f environment_url="$WEB_URL" > /dev/null',
            ].join("\n"),
          },
          assumeAuditRole(expr("always()")),
          auditRecordStep(
            target,
            expr("job.status"),
            {
              IMAGE: release.image,
              WEB_DEPLOYMENT_URL: release.web,
              REASON: expr("inputs.reason"),
              ROLLED_BACK: "manual",
            },
            expr("always()"),
          ),
          ...(records ? [recordDeployedCredentialsStep(settings, target, restored, expr("success()"))] : []),
          notifyStep("Page on failure (critical)", expr("failure()"), vars(deployVariables.criticalTopicArn), "Rollback failed"),
          notifyStep("Notify #deploys (info)", expr("success()"), vars(deployVariables.infoTopicArn), "Rolled back"),
        ],
      },
    },
  };
}
