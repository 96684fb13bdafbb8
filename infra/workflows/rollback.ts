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
  installCli,
  notifyStep,
  pythonSetup,
  railwayDeployStep,
  RUNNER,
  smokeTestSteps,
  vars,
  vercelEnv,
} from "./steps";

/**
 * rollback.yml: the spec's quick and full rollback, started by hand with the deployment to
 * return to (API image by digest or tag, Vercel deployment URL, optionally an Alembic revision
 * to downgrade to). Shares the deploy concurrency group of its environment, so a rollback and a
 * deploy never run at once.
 */
export function rollbackWorkflow(settings: StackSettings): Workflow {
  if (settings.model === "local-only") throw new Error("the local-only model has no rollback.yml");
  const environments = stacksOfModel[settings.model];
  const target = expr("inputs.environment");
  const environment = { name: target, url: vars(deployVariables.webUrl) };
  const { app } = settings;
  const image = apiImage(settings);

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
      "rollback-api": {
        name: "redeploy the earlier API image",
        "runs-on": RUNNER,
        environment,
        permissions: {},
        "timeout-minutes": 15,
        steps: [
          {
            name: "Validate the image reference",
            env: { IMAGE: expr("inputs.image"), REPO: image },
            run: [
              'case "$IMAGE" in',
              '  "$REPO"@sha256:*|"$REPO":*) ;;',
              '  *) echo "::error::the image must be in $REPO"; exit 1 ;;',
              "esac",
            ].join("\n"),
          },
          installCli("railway"),
          railwayDeployStep(expr("inputs.image")),
        ],
      },
      "rollback-web": {
        name: "promote the earlier web deployment",
        "runs-on": RUNNER,
        environment,
        permissions: {},
        "timeout-minutes": 10,
        steps: [
          installCli("vercel"),
          {
            name: "vercel rollback",
            env: { ...vercelEnv(), WEB_DEPLOYMENT_URL: expr("inputs.web-deployment-url") },
            run: [
              "set -euo pipefail",
              'case "$WEB_DEPLOYMENT_URL" in https://*) ;; *) echo "::error::not an https URL"; exit 1 ;; esac',
              'vercel rollback "$WEB_DEPLOYMENT_URL" --token="$VERCEL_TOKEN"',
            ].join("\n"),
          },
        ],
      },
      "downgrade-database": {
        name: "alembic downgrade (full rollback)",
        "runs-on": RUNNER,
        needs: ["rollback-api", "rollback-web"],
        if: expr("inputs.alembic-revision != ''"),
        environment,
        permissions: { contents: "read" },
        "timeout-minutes": 10,
        steps: [
          checkout(),
          ...pythonSetup(app),
          alembicStep(
            app,
            "alembic downgrade <revision>",
            [
              "set -euo pipefail",
              'if ! [[ "$REVISION" =~ ^[A-Za-z0-9_+-]+$ ]]; then echo "::error::not an Alembic revision: $REVISION"; exit 1; fi',
              'alembic downgrade "$REVISION"',
            ].join("\n"),
            { REVISION: expr("inputs.alembic-revision") },
          ),
        ],
      },
      "smoke-tests": {
        name: "smoke tests",
        "runs-on": RUNNER,
        needs: ["rollback-api", "rollback-web", "downgrade-database"],
        if: expr("!failure() && !cancelled()"),
        environment,
        permissions: { contents: "read" },
        "timeout-minutes": 10,
        steps: [checkout(), ...smokeTestSteps(settings)],
      },
      record: {
        name: "audit record",
        "runs-on": RUNNER,
        needs: ["rollback-api", "rollback-web", "downgrade-database", "smoke-tests"],
        if: expr("always()"),
        environment,
        permissions: { contents: "read", "id-token": "write" },
        "timeout-minutes": 5,
        steps: [
          assumeAuditRole(),
          auditRecordStep(target, {
            IMAGE: expr("inputs.image"),
            WEB_DEPLOYMENT_URL: expr("inputs.web-deployment-url"),
            REASON: expr("inputs.reason"),
            ROLLED_BACK: "manual",
          }),
          notifyStep("Page on failure (critical)", expr("contains(needs.*.result, 'failure')"), vars(deployVariables.criticalTopicArn), "Rollback failed"),
          notifyStep("Notify #deploys (info)", expr("!contains(needs.*.result, 'failure')"), vars(deployVariables.infoTopicArn), "Rolled back"),
        ],
      },
    },
  };
}
