import { StackSettings } from "../config/schema";
import { deployBranch } from "../naming";
import { deployVariables } from "../pipeline/deployContract";
import { verifyCheckIds } from "../pipeline/verifyChecks";
import { DEPLOYMENT_TASK } from "./deployStaging";
import { deployWatchStep } from "./deployWatch";
import { LIGHTHOUSE_STEP_ID, lighthouseStep } from "./lighthouse";
import { watchRecordParameter } from "../metrics/metricsBridge";
import { expr, Job, Step, Workflow } from "./model";
import { action } from "./pins";
import { previousProductionScript, requiredSettingsEnv, requiredSettingsScript, scheduleCheckStep, stagingArtifactScript } from "./preflight";
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
import { vercelEnv, vercelProductionBuildStep, vercelPromoteStep, vercelRestoreScript, vercelStageProductionStep } from "./vercel";

/** Step ids of the deploy job that its conditions and the policies refer to. */
export const deployStepIds = {
  promote: "promote",
  stageWeb: "stage-web",
  migrate: "migrate",
  deployApi: "deploy-api",
  deployWeb: "deploy-web",
  smoke: "smoke",
  rollbackApi: "rollback-api",
  rollbackWeb: "rollback-web",
} as const;

/**
 * When the automatic rollback runs: the smoke tests failed (the spec's "Rollback if: Smoke tests
 * fail"), or the API or web deploy itself failed after production may already have changed.
 */
export const AUTOMATIC_ROLLBACK = `failure() && (steps.${deployStepIds.smoke}.outcome == 'failure' || steps.${deployStepIds.deployApi}.outcome == 'failure' || steps.${deployStepIds.deployWeb}.outcome == 'failure')`;

/**
 * deploy-production.yml: the spec's Stage 3, started by hand (workflow_dispatch).
 *
 * - `preflight` (no environment, so no approval and no environment values): the branch, the deploy
 *   window and freezes (the pack's fixed schedule check with the stack's schedule as data), the API
 *   image that passed staging (or verify, in direct-prod), and what production runs now. It reads
 *   only the GitHub API with the workflow token.
 * - `deploy`: the ONE job in the `production` environment, so its required reviewers approve each
 *   deploy once (GitHub pauses every job that names a protected environment). In order: the
 *   environment's variables and secrets are set; the tested API image is promoted by digest (built
 *   once); the web is built for production and staged as a production deployment (NEXT_PUBLIC_*
 *   values are inlined at build time, so staging's build cannot serve production); migrate; deploy
 *   the API image by digest and wait until it is live; promote the staged web deployment and prove
 *   the domain serves it; smoke tests; the automatic rollback to the recorded previous release when
 *   they fail; the GitHub deployment (its payload is the release: image digest, web deployment);
 *   the Lighthouse audit of the live URL (lighthouse.ts: warns under the floor, never rolls back); the
 *   audit record with its score (and DeploymentFailed on failure); the page on failure.
 * - `release-notes` after a successful deploy.
 */
export function deployProductionWorkflow(settings: StackSettings): Workflow {
  if (settings.model === "local-only") throw new Error("the local-only model has no deploy-production.yml");
  const { app } = settings;
  const environment = { name: "production", url: vars(deployVariables.webUrl) };
  const image = apiImage(settings);
  const hasStaging = settings.model === "staging-prod";
  const branch = deployBranch(settings, "production");
  const tokenEnv = { GH_TOKEN: expr("github.token"), REPOSITORY: expr("github.repository"), COMMIT: expr("github.sha") };
  const ids = deployStepIds;

  const artifactCheck: Step = hasStaging
    ? {
        name: "Same code deployed to staging with passing smoke tests",
        id: "artifacts",
        env: { ...tokenEnv, TASK: DEPLOYMENT_TASK },
        run: stagingArtifactScript(),
      }
    : {
        name: "Verify passed for this commit",
        id: "artifacts",
        env: { ...tokenEnv, IMAGE_TAG: `${image}:${expr("github.sha")}` },
        run: [
          "set -euo pipefail",
          `for check in ${verifyCheckIds.join(" ")}; do`,
          '  conclusion="$(gh api "repos/$REPOSITORY/commits/$COMMIT/check-runs?check_name=$check" --jq \'[.check_runs[].conclusion] | first // ""\')"',
          '  if [ "$conclusion" != success ]; then echo "::error::verify check $check is not green on $COMMIT (${conclusion:-missing})"; exit 1; fi',
          "done",
          'echo "image=$IMAGE_TAG" >> "$GITHUB_OUTPUT"',
        ].join("\n"),
      };

  const rollbackWhen = (extra: string) => expr(`${AUTOMATIC_ROLLBACK} && ${extra}`);
  const previous = {
    image: expr("needs.preflight.outputs.previous-image"),
    web: expr("needs.preflight.outputs.previous-web-url"),
  };

  const jobs: Record<string, Job> = {
    preflight: {
      name: "pre-flight validation",
      "runs-on": RUNNER,
      permissions: { contents: "read", deployments: "read", checks: "read" },
      "timeout-minutes": 5,
      outputs: {
        image: expr("steps.artifacts.outputs.image"),
        "previous-image": expr("steps.previous.outputs.image"),
        "previous-web-url": expr("steps.previous.outputs.web-url"),
        "previous-sha": expr("steps.previous.outputs.sha"),
        "previous-deployment-id": expr("steps.previous.outputs.deployment-id"),
        "started-at": expr("steps.previous.outputs.started-at"),
      },
      steps: [
        {
          name: `Deploying from ${branch}`,
          env: { REF: expr("github.ref") },
          run: `if [ "$REF" != "refs/heads/${branch}" ]; then echo "::error::production deploys only from ${branch}, not $REF"; exit 1; fi`,
        },
        scheduleCheckStep(settings.schedule),
        ...(hasStaging ? [checkout(0)] : []),
        artifactCheck,
        { name: "What production runs now (the rollback target)", id: "previous", env: { ...tokenEnv, TASK: DEPLOYMENT_TASK }, run: previousProductionScript() },
      ],
    },
    deploy: {
      name: "deploy to production (approval gate)",
      "runs-on": RUNNER,
      needs: ["preflight"],
      environment,
      permissions: { contents: "read", packages: "write", deployments: "write", "id-token": "write" },
      "timeout-minutes": 45,
      steps: [
        // The environment's values exist only inside the environment: checked here, before any change.
        { name: "Required variables and secrets are set", env: requiredSettingsEnv(), run: requiredSettingsScript },
        checkout(),
        { name: "Log in to GHCR", uses: action("docker/login-action"), with: { registry: "ghcr.io", username: expr("github.actor"), password: expr("secrets.GITHUB_TOKEN") } },
        {
          name: "Promote the tested API image by digest (no rebuild)",
          id: ids.promote,
          env: { SOURCE: expr("needs.preflight.outputs.image"), REPO: image, COMMIT: expr("github.sha") },
          run: [
            "set -euo pipefail",
            'case "$SOURCE" in "$REPO"@sha256:*|"$REPO":*) ;; *) echo "::error::unexpected image $SOURCE"; exit 1 ;; esac',
            "digest=\"$(docker buildx imagetools inspect \"$SOURCE\" --format '{{json .Manifest}}' | jq -r .digest)\"",
            'docker buildx imagetools create --tag "$REPO:production" --tag "$REPO:production-$COMMIT" "$REPO@$digest"',
            'echo "image=$REPO@$digest" >> "$GITHUB_OUTPUT"',
          ].join("\n"),
        },
        ...nodeSetup(app),
        installCli("vercel"),
        vercelProductionBuildStep(),
        vercelStageProductionStep(ids.stageWeb),
        ...pythonSetup(app),
        headed(alembicStep(app, "Database migrations (alembic upgrade head)", "alembic upgrade head"), { id: ids.migrate }),
        headed(railwayDeployStep(expr(`steps.${ids.promote}.outputs.image`)), { id: ids.deployApi }),
        vercelPromoteStep(ids.deployWeb, ids.stageWeb),
        smokeTestStep(settings, { id: ids.smoke }),
        {
          name: "Automatic rollback: no earlier production release",
          if: rollbackWhen("needs.preflight.outputs.previous-image == ''"),
          run: 'echo "::error::no earlier production release recorded to roll back to; roll forward"\nexit 1',
        },
        headed(railwayDeployStep(previous.image), {
          name: "Automatic rollback: redeploy the previous API image",
          id: ids.rollbackApi,
          if: rollbackWhen(`needs.preflight.outputs.previous-image != '' && steps.${ids.deployApi}.outcome != 'skipped'`),
        }),
        {
          name: "Automatic rollback: Instant Rollback of the web to the previous production deployment",
          id: ids.rollbackWeb,
          if: rollbackWhen(`needs.preflight.outputs.previous-web-url != '' && steps.${ids.deployWeb}.outcome != 'skipped'`),
          env: { ...vercelEnv(), ENVIRONMENT: "production", WEB_URL: vars(deployVariables.webUrl), PREVIOUS_WEB_URL: previous.web },
          run: vercelRestoreScript("ENVIRONMENT"),
        },
        smokeTestStep(settings, {
          name: "Smoke tests after the automatic rollback",
          if: rollbackWhen(`(steps.${ids.rollbackApi}.outcome == 'success' || steps.${ids.rollbackWeb}.outcome == 'success')`),
        }),
        {
          name: "Record the GitHub deployment (the release: image digest, web deployment)",
          if: expr(`always() && steps.${ids.promote}.outcome == 'success'`),
          env: {
            ...tokenEnv,
            TASK: DEPLOYMENT_TASK,
            OUTCOME: expr(`steps.${ids.smoke}.outcome`),
            IMAGE: expr(`steps.${ids.promote}.outputs.image`),
            WEB_DEPLOYMENT_URL: expr(`steps.${ids.stageWeb}.outputs.url`),
            WEB_URL: vars(deployVariables.webUrl),
          },
          run: [
            "set -euo pipefail",
            'id="$(jq -n --arg ref "$COMMIT" --arg task "$TASK" --arg image "$IMAGE" --arg web "$WEB_DEPLOYMENT_URL" \\',
            "  '{ref: $ref, task: $task, environment: \"production\", auto_merge: false, required_contexts: [],",
            "    production_environment: true, payload: {image: $image, webDeploymentUrl: $web}}' \\",
            '  | gh api "repos/$REPOSITORY/deployments" --input - --jq .id)"',
            'if [ "$OUTCOME" = success ]; then state=success; else state=failure; fi',
            'gh api "repos/$REPOSITORY/deployments/$id/statuses" -f state="$state" -f environment_url="$WEB_URL" > /dev/null',
          ].join("\n"),
        },
        lighthouseStep(
          settings.budgets.lighthouseMinScore,
          settings.metricsBridge?.watch !== undefined && settings.audit !== undefined
            ? { parameter: watchRecordParameter(settings.product.slug, "production"), windowMinutes: settings.metricsBridge.watch.windowMinutes }
            : undefined,
        ),
        assumeAuditRole(expr("always()")),
        auditRecordStep(
          "production",
          expr("job.status"),
          {
            DIFF_FROM: expr("needs.preflight.outputs.previous-sha"),
            IMAGE: expr(`steps.${ids.promote}.outputs.image`),
            WEB_DEPLOYMENT_URL: expr(`steps.${ids.stageWeb}.outputs.url`),
            EMERGENCY: expr("inputs.emergency"),
            REASON: expr("inputs.reason"),
            ROLLED_BACK: expr(`steps.${ids.rollbackApi}.outcome`),
            LIGHTHOUSE_SCORE: expr(`steps.${LIGHTHOUSE_STEP_ID}.outputs.score`),
          },
          expr("always()"),
        ),
        ...(settings.metricsBridge?.watch !== undefined && settings.audit !== undefined
          ? [deployWatchStep(watchRecordParameter(settings.product.slug, "production"), { startedAt: expr("needs.preflight.outputs.started-at"), previousDeployment: expr("needs.preflight.outputs.previous-deployment-id") })]
          : []),
        notifyStep("Page on failure (critical)", expr("failure()"), vars(deployVariables.criticalTopicArn), "Production deployment failed"),
        notifyStep("Notify #deploys (info)", expr("success()"), vars(deployVariables.infoTopicArn), "Deployed to production"),
      ],
    },
    "release-notes": {
      name: "release notes",
      "runs-on": RUNNER,
      needs: ["deploy"],
      permissions: { contents: "write" },
      "timeout-minutes": 5,
      steps: [
        {
          name: "gh release create",
          env: { ...tokenEnv, REASON: expr("inputs.reason") },
          run: [
            "set -euo pipefail",
            'tag="production-$(date -u +%Y%m%d-%H%M%S)"',
            'gh release create "$tag" --repo "$REPOSITORY" --target "$COMMIT" --title "Production $tag" --generate-notes \\',
            '  --notes "Deployed to production from $COMMIT.${REASON:+ Reason: $REASON}"',
          ].join("\n"),
        },
      ],
    },
  };
  return {
    name: "deploy-production",
    on: {
      workflow_dispatch: {
        inputs: {
          emergency: { description: "Emergency hotfix: allowed inside a deployment freeze (needs a reason)", type: "boolean", required: false, default: false },
          reason: { description: "Why this deploy (required for an emergency; recorded in the audit log)", type: "string", required: false, default: "" },
        },
      },
    },
    permissions: {},
    concurrency: deployConcurrency("production"),
    defaults: { run: { shell: "bash" } },
    jobs,
  };
}
