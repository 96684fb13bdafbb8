import { StackSettings } from "../config/schema";
import { deployBranch } from "../naming";
import { deployVariables } from "../pipeline/deployContract";
import { RUNTIME_ROTATIONS, recordDeployedCredentialsStep, recordsDeployedCredentials } from "./deployedCredentials";
import { expr, Job, Workflow } from "./model";
import { action } from "./pins";
import {
  alembicStep,
  apiImage,
  assumeAuditRole,
  auditRecordStep,
  checkout,
  deployConcurrency,
  installCli,
  NEEDS_OUTCOME,
  nodeRuntime,
  notifyStep,
  pythonSetup,
  railwayDeployStep,
  RUNNER,
  smokeTestSteps,
  vars,
} from "./steps";
import { vercelEnv } from "./vercel";

/** Every job before `record` succeeded: staging runs the new release. */
const DEPLOYED = expr("!contains(needs.*.result, 'failure') && !contains(needs.*.result, 'cancelled')");

/** The `task` of the GitHub deployments flightdeck records; deploy-production looks them up by it. */
export const DEPLOYMENT_TASK = "deploy:flightdeck";

/**
 * deploy-staging.yml (model staging-prod only): the spec's Stage 2 on every push to the staging
 * branch, and when infra.yml dispatches it on that branch after a rotation. Verify (the same reusable workflow), build the API image once (tagged with the commit
 * SHA, pushed to GHCR), migrate, deploy API and web, smoke-test, then record the deployment:
 * a GitHub deployment whose payload names the exact artifacts, and an audit record.
 */
export function deployStagingWorkflow(settings: StackSettings): Workflow {
  if (settings.model !== "staging-prod") {
    throw new Error(`deploy-staging.yml exists only for the staging-prod model, not ${settings.model}`);
  }
  const { app } = settings;
  const environment = { name: "staging", url: vars(deployVariables.webUrl) };
  const image = apiImage(settings);
  const stagingBranch = deployBranch(settings, "staging");

  const jobs: Record<string, Job> = {
    verify: {
      name: "verify",
      if: expr(`github.ref == 'refs/heads/${stagingBranch}'`),
      uses: "./.github/workflows/verify.yml",
      permissions: { contents: "read" },
    },
    "build-api-image": {
      name: "build API image (once, tagged with the commit SHA)",
      "runs-on": RUNNER,
      needs: ["verify"],
      permissions: { contents: "read", packages: "write" },
      "timeout-minutes": 15,
      outputs: { digest: expr("steps.image.outputs.digest") },
      steps: [
        checkout(),
        { name: "Log in to GHCR", uses: action("docker/login-action"), with: { registry: "ghcr.io", username: expr("github.actor"), password: expr("secrets.GITHUB_TOKEN") } },
        { name: "Set up Docker Buildx", uses: action("docker/setup-buildx-action") },
        {
          name: "Build and push the API image",
          id: "image",
          uses: action("docker/build-push-action"),
          with: {
            context: app.apiDirectory,
            push: true,
            tags: `${image}:${expr("github.sha")}\n${image}:staging`,
            "cache-from": "type=gha,scope=api",
            "cache-to": "type=gha,scope=api,mode=max",
          },
        },
      ],
    },
    migrate: {
      name: "database migrations (alembic upgrade head)",
      "runs-on": RUNNER,
      // After the image is built: a failed build never leaves the database ahead of the code.
      needs: ["verify", "build-api-image"],
      environment,
      permissions: { contents: "read" },
      "timeout-minutes": 10,
      steps: [checkout(), ...pythonSetup(app), alembicStep(app, "alembic upgrade head", "alembic upgrade head")],
    },
    "deploy-api": {
      name: "deploy API (Railway)",
      "runs-on": RUNNER,
      needs: ["build-api-image", "migrate"],
      environment,
      permissions: {},
      "timeout-minutes": 15,
      steps: [nodeRuntime(app), railwayDeployStep(`${image}@${expr("needs.build-api-image.outputs.digest")}`, settings)],
    },
    "deploy-web": {
      name: "build and deploy web (Vercel)",
      "runs-on": RUNNER,
      needs: ["verify", "migrate"],
      environment,
      permissions: { contents: "read" },
      "timeout-minutes": 15,
      outputs: { url: expr("steps.deploy.outputs.url") },
      steps: [
        checkout(),
        installCli("vercel"),
        {
          name: "Build and deploy the web app",
          id: "deploy",
          // The staging values are Preview variables scoped to the staging branch: pull that branch's.
          env: { ...vercelEnv(), WEB_URL: vars(deployVariables.webUrl), STAGING_BRANCH: deployBranch(settings, "staging") },
          run: [
            "set -euo pipefail",
            'vercel pull --yes --environment=preview --git-branch="$STAGING_BRANCH" --token="$VERCEL_TOKEN"',
            'vercel build --token="$VERCEL_TOKEN"',
            'url="$(vercel deploy --prebuilt --token="$VERCEL_TOKEN")"',
            '# the staging domain follows this deployment (WEB_URL is the staging environment\'s URL)',
            'vercel alias set "$url" "${WEB_URL#https://}" --token="$VERCEL_TOKEN"',
            'echo "url=$url" >> "$GITHUB_OUTPUT"',
          ].join("\n"),
        },
      ],
    },
    "smoke-tests": {
      name: "smoke tests",
      "runs-on": RUNNER,
      needs: ["deploy-api", "deploy-web"],
      environment,
      permissions: { contents: "read" },
      "timeout-minutes": 10,
      steps: [checkout(), ...smokeTestSteps(settings)],
    },
    record: {
      name: "deployment metadata and audit record",
      "runs-on": RUNNER,
      needs: ["build-api-image", "migrate", "deploy-api", "deploy-web", "smoke-tests"],
      if: expr("always()"),
      environment,
      permissions: { contents: "read", deployments: "write", "id-token": "write" },
      "timeout-minutes": 5,
      steps: [
        {
          name: "Record the GitHub deployment",
          env: {
            GH_TOKEN: expr("github.token"),
            REPOSITORY: expr("github.repository"),
            COMMIT: expr("github.sha"),
            OUTCOME: NEEDS_OUTCOME,
            IMAGE: `${image}@${expr("needs.build-api-image.outputs.digest")}`,
            WEB_DEPLOYMENT_URL: expr("needs.deploy-web.outputs.url"),
            WEB_URL: vars(deployVariables.webUrl),
            TASK: DEPLOYMENT_TASK,
            CREDENTIALS: RUNTIME_ROTATIONS,
          },
          run: [
            "set -euo pipefail",
            'id="$(jq -n --arg ref "$COMMIT" --arg task "$TASK" --arg image "$IMAGE" --arg web "$WEB_DEPLOYMENT_URL" --arg credentials "${CREDENTIALS:-}" \\',
            "  '{ref: $ref, task: $task, environment: \"staging\", auto_merge: false, required_contexts: [],",
            "    transient_environment: false, production_environment: false, payload: {image: $image, webDeploymentUrl: $web, credentials: ($credentials | try fromjson catch null)}}' \\",
            '  | gh api "repos/$REPOSITORY/deployments" --input - --jq .id)"',
            'if [ "$OUTCOME" = success ]; then state=success; else state=failure; fi',
            'gh api "repos/$REPOSITORY/deployments/$id/statuses" -f state="$state" -f environment_url="$WEB_URL" > /dev/null',
          ].join("\n"),
        },
        assumeAuditRole(expr("always()")),
        auditRecordStep(
          "staging",
          NEEDS_OUTCOME,
          {
            DIFF_FROM: expr("github.event.before"),
            IMAGE: `${image}@${expr("needs.build-api-image.outputs.digest")}`,
            WEB_DEPLOYMENT_URL: expr("needs.deploy-web.outputs.url"),
          },
          expr("always()"),
        ),
        ...(recordsDeployedCredentials(settings) ? [recordDeployedCredentialsStep(settings, "staging", RUNTIME_ROTATIONS, DEPLOYED)] : []),
        notifyStep("Notify #deploys (info)", DEPLOYED, vars(deployVariables.infoTopicArn), "Deployed to staging"),
      ],
    },
  };

  return {
    name: "deploy-staging",
    // workflow_dispatch: infra.yml redeploys staging after a `pulumi up` that rotated a credential the app reads
    // (tools/redeploy); `verify` refuses any other branch, so nothing after it runs there.
    on: { push: { branches: [stagingBranch] }, workflow_dispatch: {} },
    permissions: {},
    concurrency: deployConcurrency("staging"),
    defaults: { run: { shell: "bash" } },
    jobs,
  };
}
