import { StackSettings } from "../config/schema";
import { deployBranch } from "../naming";
import { deployVariables } from "../pipeline/deployContract";
import { verifyCheckIds } from "../pipeline/verifyChecks";
import { DEPLOYMENT_TASK } from "./deployStaging";
import { expr, Job, Step, Workflow } from "./model";
import { action } from "./pins";
import { requiredSettingsEnv, requiredSettingsScript, scheduleCheckScript } from "./preflight";
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
 * deploy-production.yml: the spec's Stage 3, started by hand (workflow_dispatch), every job that
 * touches production in the `production` environment (its required reviewers are the manual
 * approval gate). Pre-flight, promote the artifacts that passed staging (no rebuild), migrate,
 * deploy API, promote web, smoke-test, roll back automatically if that fails, release notes,
 * the GitHub deployment and audit record, and the critical alert on failure.
 */
export function deployProductionWorkflow(settings: StackSettings): Workflow {
  if (settings.model === "local-only") throw new Error("the local-only model has no deploy-production.yml");
  const { app } = settings;
  const environment = { name: "production", url: vars(deployVariables.webUrl) };
  const image = apiImage(settings);
  const hasStaging = settings.model === "staging-prod";
  const branch = deployBranch(settings, "production");
  const tokenEnv = { GH_TOKEN: expr("github.token"), REPOSITORY: expr("github.repository"), COMMIT: expr("github.sha") };

  const artifactCheck: Step = hasStaging
    ? {
        name: "Same commit deployed to staging with passing smoke tests",
        id: "artifacts",
        env: { ...tokenEnv, TASK: DEPLOYMENT_TASK },
        run: [
          "set -euo pipefail",
          "# The staging deployment whose tree equals this commit's (a merge of staging into main keeps the tree).",
          'tree="$(gh api "repos/$REPOSITORY/commits/$COMMIT" --jq .commit.tree.sha)"',
          'found=""',
          'while read -r id sha; do',
          '  [ -n "$id" ] || continue',
          '  [ "$(gh api "repos/$REPOSITORY/commits/$sha" --jq .commit.tree.sha)" = "$tree" ] || continue',
          '  state="$(gh api "repos/$REPOSITORY/deployments/$id/statuses?per_page=1" --jq \'.[0].state // ""\')"',
          '  if [ "$state" = success ]; then found="$id"; break; fi',
          'done < <(gh api "repos/$REPOSITORY/deployments?environment=staging&task=$TASK&per_page=30" --jq \'.[] | "\\(.id) \\(.sha)"\')',
          'if [ -z "$found" ]; then echo "::error::commit $COMMIT has no staging deployment with passing smoke tests"; exit 1; fi',
          'gh api "repos/$REPOSITORY/deployments/$found" --jq \'"image=\\(.payload.image)\\nweb-url=\\(.payload.webDeploymentUrl)"\' >> "$GITHUB_OUTPUT"',
        ].join("\n"),
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
          'printf \'image=%s\\nweb-url=\\n\' "$IMAGE_TAG" >> "$GITHUB_OUTPUT"',
        ].join("\n"),
      };

  const jobs: Record<string, Job> = {
    preflight: {
      name: "pre-flight validation",
      "runs-on": RUNNER,
      environment,
      permissions: { contents: "read", deployments: "read", checks: "read" },
      "timeout-minutes": 5,
      outputs: {
        image: expr("steps.artifacts.outputs.image"),
        "web-url": expr("steps.artifacts.outputs.web-url"),
        "previous-image": expr("steps.previous.outputs.image"),
        "previous-web-url": expr("steps.previous.outputs.web-url"),
        "previous-sha": expr("steps.previous.outputs.sha"),
      },
      steps: [
        {
          name: `Deploying from ${branch}`,
          env: { REF: expr("github.ref") },
          run: `if [ "$REF" != "refs/heads/${branch}" ]; then echo "::error::production deploys only from ${branch}, not $REF"; exit 1; fi`,
        },
        { name: "Required variables and secrets are set", env: requiredSettingsEnv(), run: requiredSettingsScript },
        {
          name: "Not inside a deployment freeze (unless an emergency with a reason)",
          env: { EMERGENCY: expr("inputs.emergency"), REASON: expr("inputs.reason") },
          run: scheduleCheckScript(settings.schedule),
        },
        artifactCheck,
        {
          name: "What production runs now (the rollback target)",
          id: "previous",
          env: { ...tokenEnv, TASK: DEPLOYMENT_TASK },
          run: [
            "set -euo pipefail",
            'while read -r id; do',
            '  [ -n "$id" ] || continue',
            '  state="$(gh api "repos/$REPOSITORY/deployments/$id/statuses?per_page=1" --jq \'.[0].state // ""\')"',
            '  if [ "$state" = success ]; then',
            '    gh api "repos/$REPOSITORY/deployments/$id" --jq \'"image=\\(.payload.image)\\nweb-url=\\(.payload.webDeploymentUrl)\\nsha=\\(.sha)"\' >> "$GITHUB_OUTPUT"',
            "    exit 0",
            "  fi",
            'done < <(gh api "repos/$REPOSITORY/deployments?environment=production&task=$TASK&per_page=30" --jq \'.[].id\')',
            'echo "::warning::no earlier successful production deployment: nothing to roll back to"',
          ].join("\n"),
        },
      ],
    },
    "promote-image": {
      name: "promote the API image by digest (no rebuild)",
      "runs-on": RUNNER,
      needs: ["preflight"],
      permissions: { packages: "write" },
      "timeout-minutes": 5,
      outputs: { image: expr("steps.promote.outputs.image") },
      steps: [
        { name: "Log in to GHCR", uses: action("docker/login-action"), with: { registry: "ghcr.io", username: expr("github.actor"), password: expr("secrets.GITHUB_TOKEN") } },
        {
          name: "Tag the tested image for production",
          id: "promote",
          env: { SOURCE: expr("needs.preflight.outputs.image"), REPO: image, COMMIT: expr("github.sha") },
          run: [
            "set -euo pipefail",
            'case "$SOURCE" in "$REPO"@sha256:*|"$REPO":*) ;; *) echo "::error::unexpected image $SOURCE"; exit 1 ;; esac',
            "digest=\"$(docker buildx imagetools inspect \"$SOURCE\" --format '{{json .Manifest}}' | jq -r .digest)\"",
            'docker buildx imagetools create --tag "$REPO:production" --tag "$REPO:production-$COMMIT" "$REPO@$digest"',
            'echo "image=$REPO@$digest" >> "$GITHUB_OUTPUT"',
          ].join("\n"),
        },
      ],
    },
    migrate: {
      name: "database migrations (before deploy)",
      "runs-on": RUNNER,
      needs: ["preflight", "promote-image"],
      environment,
      permissions: { contents: "read" },
      "timeout-minutes": 10,
      steps: [checkout(), ...pythonSetup(app), alembicStep(app, "alembic upgrade head", "alembic upgrade head")],
    },
    "deploy-api": {
      name: "deploy API (Railway, promoted image)",
      "runs-on": RUNNER,
      needs: ["promote-image", "migrate"],
      environment,
      permissions: {},
      "timeout-minutes": 15,
      steps: [installCli("railway"), railwayDeployStep(expr("needs.promote-image.outputs.image"))],
    },
    "deploy-web": hasStaging
      ? {
          name: "promote the staging web deployment (Vercel)",
          "runs-on": RUNNER,
          needs: ["preflight", "migrate"],
          environment,
          permissions: {},
          "timeout-minutes": 10,
          outputs: { url: expr("steps.promote.outputs.url") },
          steps: [
            installCli("vercel"),
            {
              name: "vercel promote",
              id: "promote",
              env: { ...vercelEnv(), WEB_DEPLOYMENT_URL: expr("needs.preflight.outputs.web-url") },
              run: [
                "set -euo pipefail",
                'vercel promote "$WEB_DEPLOYMENT_URL" --yes --token="$VERCEL_TOKEN"',
                'echo "url=$WEB_DEPLOYMENT_URL" >> "$GITHUB_OUTPUT"',
              ].join("\n"),
            },
          ],
        }
      : {
          name: "deploy web (Vercel production)",
          "runs-on": RUNNER,
          needs: ["preflight", "migrate"],
          environment,
          permissions: { contents: "read" },
          "timeout-minutes": 15,
          outputs: { url: expr("steps.deploy.outputs.url") },
          steps: [
            checkout(),
            installCli("vercel"),
            {
              name: "vercel deploy --prod",
              id: "deploy",
              env: vercelEnv(),
              run: ["set -euo pipefail", 'url="$(vercel deploy --prod --yes --token="$VERCEL_TOKEN")"', 'echo "url=$url" >> "$GITHUB_OUTPUT"'].join("\n"),
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
    rollback: {
      name: "automatic rollback (smoke tests or deploy failed)",
      "runs-on": RUNNER,
      needs: ["preflight", "deploy-api", "deploy-web", "smoke-tests"],
      if: expr(
        "failure() && needs.preflight.result == 'success' && (needs.smoke-tests.result == 'failure' || needs.deploy-api.result == 'failure' || needs.deploy-web.result == 'failure')",
      ),
      environment,
      permissions: { contents: "read" },
      "timeout-minutes": 15,
      steps: [
        installCli("railway", "vercel"),
        {
          name: "A rollback target exists",
          env: { PREVIOUS_IMAGE: expr("needs.preflight.outputs.previous-image") },
          run: 'if [ -z "$PREVIOUS_IMAGE" ]; then echo "::error::no earlier production deployment to roll back to; roll forward"; exit 1; fi',
        },
        railwayDeployStep(expr("needs.preflight.outputs.previous-image")),
        {
          name: "Roll the web app back",
          env: { ...vercelEnv(), PREVIOUS_WEB_URL: expr("needs.preflight.outputs.previous-web-url") },
          run: ["set -euo pipefail", 'vercel rollback "$PREVIOUS_WEB_URL" --token="$VERCEL_TOKEN"'].join("\n"),
        },
        checkout(),
        ...smokeTestSteps(settings),
      ],
    },
    "release-notes": {
      name: "release notes",
      "runs-on": RUNNER,
      needs: ["smoke-tests"],
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
    record: {
      name: "deployment metadata, audit record, alerts",
      "runs-on": RUNNER,
      needs: ["preflight", "promote-image", "migrate", "deploy-api", "deploy-web", "smoke-tests", "rollback", "release-notes"],
      if: expr("always()"),
      environment,
      permissions: { contents: "read", deployments: "write", "id-token": "write" },
      "timeout-minutes": 5,
      steps: [
        {
          name: "Record the GitHub deployment",
          if: expr("needs.deploy-api.result != 'skipped'"),
          env: {
            ...tokenEnv,
            TASK: DEPLOYMENT_TASK,
            OUTCOME: expr("needs.smoke-tests.result"),
            IMAGE: expr("needs.promote-image.outputs.image"),
            WEB_DEPLOYMENT_URL: expr("needs.deploy-web.outputs.url"),
            WEB_URL: vars(deployVariables.webUrl),
          },
          run: [
            "set -euo pipefail",
            'id="$(jq -n --arg ref "$COMMIT" --arg task "$TASK" --arg image "$IMAGE" --arg web "$WEB_DEPLOYMENT_URL" \\',
            "  '{ref: $ref, task: $task, environment: \"production\", auto_merge: false, required_contexts: [],",
            "    production_environment: true, payload: {image: $image, webDeploymentUrl: $web}}' \\",
            '  | gh api "repos/$REPOSITORY/deployments" --input - --jq .id)"',
            'state="$([ "$OUTCOME" = success ] && echo success || echo failure)"',
            'gh api "repos/$REPOSITORY/deployments/$id/statuses" -f state="$state" -f environment_url="$WEB_URL" > /dev/null',
          ].join("\n"),
        },
        assumeAuditRole(),
        auditRecordStep("production", {
          DIFF_FROM: expr("needs.preflight.outputs.previous-sha"),
          IMAGE: expr("needs.promote-image.outputs.image"),
          WEB_DEPLOYMENT_URL: expr("needs.deploy-web.outputs.url"),
          EMERGENCY: expr("inputs.emergency"),
          REASON: expr("inputs.reason"),
          ROLLED_BACK: expr("needs.rollback.result"),
        }),
        notifyStep("Page on failure (critical)", expr("contains(needs.*.result, 'failure')"), vars(deployVariables.criticalTopicArn), "Production deployment failed"),
        notifyStep("Notify #deploys (info)", expr("!contains(needs.*.result, 'failure') && !contains(needs.*.result, 'cancelled')"), vars(deployVariables.infoTopicArn), "Deployed to production"),
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
