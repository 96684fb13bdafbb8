import { StackSettings } from "../config/schema";
import { deployedCredentials, deployVariables } from "../pipeline/deployContract";
import { runtimeCredentialEntries } from "../secrets/runtimeCredentials";
import { expr, Step } from "./model";

/** Whether a stack's deploys record their credentials: it hands the app a rotated credential, and has the audit role that may write the record. */
export function recordsDeployedCredentials(settings: StackSettings): boolean {
  return settings.audit !== undefined && runtimeCredentialEntries(settings.secrets).length > 0;
}

/**
 * Records which rotated credentials the release now live carries (infra/secrets/runtimeCredentials.ts): the
 * SSM String parameter `deployedCredentials.parameter`, written with the audit role's credentials (which may
 * put that one parameter). A deploy records RUNTIME_ROTATIONS as the job read it when it started, together
 * with the values it deployed; a rollback records what the restored release's deploy recorded in its GitHub
 * deployment payload (null when that deploy recorded none: nobody knows). The runbook reads it to see whether
 * the live release still runs a credential near its VALID UNTIL (docs/operations.md).
 * `environment` may be an expression (rollback.yml's input, one of the model's environments).
 */
export function recordDeployedCredentialsStep(settings: StackSettings, environment: string, credentials: string, condition: string): Step {
  return {
    name: "Record the credentials the live release carries (rotation instants and expiry, never a value)",
    if: condition,
    env: {
      PARAMETER: deployedCredentials.parameter(settings.product.slug, environment),
      ENVIRONMENT: environment,
      CREDENTIALS: credentials,
      COMMIT: expr("github.sha"),
      WORKFLOW: expr("github.workflow"),
      RUN_URL: expr("format('{0}/{1}/actions/runs/{2}/attempts/{3}', github.server_url, github.repository, github.run_id, github.run_attempt)"),
    },
    run: [
      "set -euo pipefail",
      // Dates only: an object of {rotatedAt, validUntil} per name, or null (unknown).
      `if ! jq -e 'type == "null" or (type == "object" and all(.[]; (.rotatedAt | type) == "string" and (.validUntil | type) == "string"))' <<< "\${CREDENTIALS:-null}" > /dev/null; then`,
      '  echo "::error::the credentials record is not an object of {rotatedAt, validUntil} per name"; exit 1',
      "fi",
      'record="$(jq -cn --argjson credentials "${CREDENTIALS:-null}" --arg environment "$ENVIRONMENT" --arg commit "$COMMIT" \\',
      '  --arg workflow "$WORKFLOW" --arg runUrl "$RUN_URL" --arg recordedAt "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \\',
      "  '{version: 1, environment: $environment, credentials: $credentials, commit: $commit, workflow: $workflow, runUrl: $runUrl, recordedAt: $recordedAt}')\"",
      'aws ssm put-parameter --name "$PARAMETER" --type String --overwrite --value "$record" > /dev/null',
      'echo "Credentials of the live release recorded in $PARAMETER: $(jq -c .credentials <<< "$record")" >> "$GITHUB_STEP_SUMMARY"',
    ].join("\n"),
  };
}

/** The deploy variable a deploy job records (RUNTIME_ROTATIONS), as an expression. */
export const RUNTIME_ROTATIONS = expr(`vars.${deployVariables.runtimeRotations}`);
