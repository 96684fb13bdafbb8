import { deployVariables } from "../pipeline/deployContract";
import { Step } from "./model";
import { secret, vars } from "./steps";
import { deploySecrets } from "../pipeline/deployContract";

/**
 * The web release on Vercel, from the Vercel CLI's own behaviour (vercel/vercel packages/cli,
 * read at vercel@58.4.4 and checked in the published vercel@64.0.2 bundle the workflows install):
 *
 * - A Next.js build inlines NEXT_PUBLIC_* values, so production needs its own build: `vercel pull
 *   --environment=production` writes the production values, `vercel build --prod` builds with them
 *   (build/index.ts reads `.env.${target}.local`), `vercel deploy --prebuilt --prod` uploads that
 *   build, and refuses a build made for another target (deploy/index.ts: "prebuilt-environment-mismatch").
 * - `--skip-domain` stages the production deployment without moving the domains; `vercel deploy`
 *   waits until it is READY and exits 1 otherwise (util/deploy/print-deployment-status.ts).
 * - `vercel promote <production deployment>` moves the domains and waits for the promotion
 *   (promote/request-promote.ts → promote/status.ts); the same command on a *preview* deployment
 *   would instead create a new production deployment and return at once ("promoteByCreation").
 * - `vercel rollback <deployment>` (Instant Rollback) accepts only deployments that were aliased to
 *   production before (https://vercel.com/docs/instant-rollback, "Eligible deployments").
 * - `vercel inspect <url or domain> --format=json` prints `{ id, url, target, readyState, … }`
 *   (inspect/index.ts printJson); for a domain it describes the deployment the domain points at.
 */

export function vercelEnv(): Record<string, string> {
  return {
    VERCEL_TOKEN: secret(deploySecrets.vercelToken),
    VERCEL_ORG_ID: vars(deployVariables.vercelTeamId),
    VERCEL_PROJECT_ID: vars(deployVariables.vercelProject),
  };
}

/** Bash: fails unless the production domain ($WEB_URL's host) serves deployment $1, retrying briefly while aliases settle. */
const DOMAIN_SERVES = [
  "domain_serves() {",
  '  local wanted="$1" current=""',
  "  for attempt in 1 2 3 4 5 6; do",
  '    current="$(vercel inspect "${WEB_URL#https://}" --format=json --token="$VERCEL_TOKEN" | jq -r .id)"',
  '    if [ "$current" = "$wanted" ]; then return 0; fi',
  "    sleep 10",
  "  done",
  '  echo "::error::${WEB_URL#https://} serves $current, not $wanted"',
  "  return 1",
  "}",
];

/** Production values pulled, then a production build (the NEXT_PUBLIC_* values of production are inlined). */
export function vercelProductionBuildStep(): Step {
  return {
    name: "Build web for production (vercel pull --environment=production, vercel build --prod)",
    env: vercelEnv(),
    run: [
      "set -euo pipefail",
      'vercel pull --yes --environment=production --token="$VERCEL_TOKEN"',
      'vercel build --prod --token="$VERCEL_TOKEN"',
    ].join("\n"),
  };
}

/** The production build uploaded as a staged production deployment (domains unchanged), READY, target production. */
export function vercelStageProductionStep(id: string): Step {
  return {
    name: "Stage the production web deployment (vercel deploy --prebuilt --prod --skip-domain)",
    id,
    env: vercelEnv(),
    run: [
      "set -euo pipefail",
      'url="$(vercel deploy --prebuilt --prod --skip-domain --token="$VERCEL_TOKEN")"',
      'deployment="$(vercel inspect "$url" --wait --timeout=10m --format=json --token="$VERCEL_TOKEN")"',
      'state="$(jq -r .readyState <<< "$deployment")"',
      'target="$(jq -r .target <<< "$deployment")"',
      'if [ "$state" != READY ] || [ "$target" != production ]; then echo "::error::$url is $state with target $target, not a READY production deployment"; exit 1; fi',
      'printf \'url=%s\\nid=%s\\n\' "$url" "$(jq -r .id <<< "$deployment")" >> "$GITHUB_OUTPUT"',
    ].join("\n"),
  };
}

/** The staged production deployment promoted (domains moved, waited for), then proven to be what the domain serves. */
export function vercelPromoteStep(id: string, stagedStepId: string): Step {
  return {
    name: "Deploy web: promote the staged production deployment (vercel promote)",
    id,
    env: {
      ...vercelEnv(),
      WEB_URL: vars(deployVariables.webUrl),
      WEB_DEPLOYMENT_URL: `\${{ steps.${stagedStepId}.outputs.url }}`,
      WEB_DEPLOYMENT_ID: `\${{ steps.${stagedStepId}.outputs.id }}`,
    },
    run: [
      "set -euo pipefail",
      ...DOMAIN_SERVES,
      'vercel promote "$WEB_DEPLOYMENT_URL" --yes --timeout=5m --token="$VERCEL_TOKEN"',
      'domain_serves "$WEB_DEPLOYMENT_ID"',
      'echo "url=$WEB_DEPLOYMENT_URL" >> "$GITHUB_OUTPUT"',
    ].join("\n"),
  };
}

/**
 * Returns the environment's web to a recorded deployment ($PREVIOUS_WEB_URL): in production an
 * Instant Rollback (the deployment was production before), then proof the domain serves it; in
 * staging (preview deployments, which Instant Rollback does not take) the staging domain is aliased back.
 */
export function vercelRestoreScript(environmentVariable: string): string {
  return [
    "set -euo pipefail",
    ...DOMAIN_SERVES,
    'previous="$(vercel inspect "$PREVIOUS_WEB_URL" --format=json --token="$VERCEL_TOKEN")"',
    'previous_id="$(jq -r .id <<< "$previous")"',
    `if [ "$${environmentVariable}" = production ]; then`,
    '  if [ "$(jq -r .target <<< "$previous")" != production ]; then echo "::error::$PREVIOUS_WEB_URL was never a production deployment"; exit 1; fi',
    '  vercel rollback "$PREVIOUS_WEB_URL" --yes --timeout=5m --token="$VERCEL_TOKEN"',
    "else",
    '  vercel alias set "$PREVIOUS_WEB_URL" "${WEB_URL#https://}" --token="$VERCEL_TOKEN"',
    "fi",
    'domain_serves "$previous_id"',
  ].join("\n");
}
