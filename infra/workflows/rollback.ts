import { StackSettings, stacksOfModel } from "../config/schema";
import { deployVariables } from "../pipeline/deployContract";
import { expr, Workflow } from "./model";
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
  vercelEnv,
} from "./steps";

/**
 * rollback.yml: the spec's quick and full rollback, started by hand with the deployment to
 * return to (API image by digest or tag, Vercel deployment URL, optionally an Alembic revision
 * to downgrade to). Shares the deploy concurrency group of its environment, so a rollback and a
 * deploy never run at once. One job in the environment: one approval, however urgent.
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
          image: {
            description: `API image to return to: ${image}@sha256:<digest> or ${image}:<tag>`,
            type: "string",
            required: true,
          },
          "web-deployment-url": {
            description: "Vercel deployment URL to return to (https://<deployment>.vercel.app)",
            type: "string",
            required: true,
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
      rollback: {
        name: "roll back (approval gate)",
        "runs-on": RUNNER,
        environment,
        permissions: { contents: "read", "id-token": "write" },
        "timeout-minutes": 30,
        steps: [
          {
            name: "Validate the inputs",
            env: { IMAGE: expr("inputs.image"), REPO: image, WEB_DEPLOYMENT_URL: expr("inputs.web-deployment-url"), REVISION: downgrade },
            run: [
              "set -euo pipefail",
              'case "$IMAGE" in "$REPO"@sha256:*|"$REPO":*) ;; *) echo "::error::the image must be in $REPO"; exit 1 ;; esac',
              'case "$WEB_DEPLOYMENT_URL" in https://*) ;; *) echo "::error::not an https URL: $WEB_DEPLOYMENT_URL"; exit 1 ;; esac',
              'if [ -n "$REVISION" ] && ! [[ "$REVISION" =~ ^[A-Za-z0-9_+-]+$ ]]; then echo "::error::not an Alembic revision: $REVISION"; exit 1; fi',
            ].join("\n"),
          },
          checkout(),
          installCli("railway", "vercel"),
          headed(railwayDeployStep(expr("inputs.image")), { name: "Redeploy the earlier API image", id: "rollback-api" }),
          {
            name: "vercel rollback",
            id: "rollback-web",
            env: { ...vercelEnv(), WEB_DEPLOYMENT_URL: expr("inputs.web-deployment-url") },
            run: ["set -euo pipefail", 'vercel rollback "$WEB_DEPLOYMENT_URL" --token="$VERCEL_TOKEN"'].join("\n"),
          },
          ...pythonSetup(app).map((step) => headed(step, { if: fullRollback })),
          headed(alembicStep(app, "alembic downgrade <revision> (full rollback)", ["set -euo pipefail", 'alembic downgrade "$REVISION"'].join("\n"), { REVISION: downgrade }), {
            id: "downgrade",
            if: fullRollback,
          }),
          ...nodeSetup(app),
          smokeTestStep(settings, { id: "smoke" }),
          assumeAuditRole(expr("always()")),
          auditRecordStep(
            target,
            expr("job.status"),
            {
              IMAGE: expr("inputs.image"),
              WEB_DEPLOYMENT_URL: expr("inputs.web-deployment-url"),
              REASON: expr("inputs.reason"),
              ROLLED_BACK: "manual",
            },
            expr("always()"),
          ),
          notifyStep("Page on failure (critical)", expr("failure()"), vars(deployVariables.criticalTopicArn), "Rollback failed"),
          notifyStep("Notify #deploys (info)", expr("success()"), vars(deployVariables.infoTopicArn), "Rolled back"),
        ],
      },
    },
  };
}
