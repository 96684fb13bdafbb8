import { PolicyDocument, policyDocument } from "../../infra/aws/policyDocument";
import { InfraRepository } from "../config/schema";

/**
 * Who may assume the bootstrap's roles, as plain documents.
 *
 * GitHub's OIDC subject (https://docs.github.com/en/actions/reference/security/oidc, "Filtering for a
 * specific environment" / "Filtering for pull_request events"): a job that references an environment
 * gets `repo:ORG-NAME/REPO-NAME:environment:ENVIRONMENT-NAME`; a job of a workflow triggered by
 * `pull_request` that references none gets `repo:ORG-NAME/REPO-NAME:pull_request`. A repository with
 * immutable subject claims (created or renamed on github.com after mid-2026, or opted in) puts each
 * name's numeric id after an `@`: `repo:OWNER@OWNER-ID/REPO@REPO-ID:…`
 * (https://github.blog/changelog/2026-04-23-immutable-subject-claims-for-github-actions-oidc-tokens,
 * github/docs#45221). The trust names exactly one subject, with StringEquals: no wildcard reaches a
 * branch, another environment or another repository.
 */

/** `repo:OWNER/REPO` or, with immutable subject claims, `repo:OWNER@ID/REPO@ID`. */
export function subjectRepository(repository: InfraRepository): string {
  const ids = repository.oidcSubjectIds;
  return ids ? `repo:${repository.owner}@${ids.owner}/${repository.name}@${ids.repository}` : `repo:${repository.owner}/${repository.name}`;
}

/** The subject of this repository's jobs in one GitHub deployment environment. */
export function environmentSubject(repository: InfraRepository, environment: string): string {
  return `${subjectRepository(repository)}:environment:${environment}`;
}

/** The subject of this repository's pull-request jobs that reference no environment. */
export function pullRequestSubject(repository: InfraRepository): string {
  return `${subjectRepository(repository)}:pull_request`;
}


/**
 * Named people only, and only with MFA: `aws:MultiFactorAuthPresent` is true on an AssumeRole made
 * with an MFA code (or from MFA-authenticated temporary credentials), and `aws:MultiFactorAuthAge` is
 * the seconds since that authentication; long-term access keys alone carry neither, so the Bool test
 * fails (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_configure-api-require.html;
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-multifactorauthpresent).
 */
export function humanTrustPolicy(principals: readonly string[], sid: string, maxMfaAgeSeconds: number): PolicyDocument {
  if (principals.length === 0) throw new Error(`${sid}: at least one principal`);
  return policyDocument({
    Sid: sid,
    Effect: "Allow",
    Principal: { AWS: [...principals] },
    Action: "sts:AssumeRole",
    Condition: {
      Bool: { "aws:MultiFactorAuthPresent": "true" },
      NumericLessThan: { "aws:MultiFactorAuthAge": String(maxMfaAgeSeconds) },
    },
  });
}
