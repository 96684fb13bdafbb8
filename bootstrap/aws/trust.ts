import { PolicyDocument, policyDocument } from "../../infra/aws/policyDocument";
import * as oidc from "../../infra/github/oidcSubject";
import { InfraRepository } from "../config/schema";

/**
 * Who may assume the bootstrap's roles, as plain documents. GitHub's OIDC subjects of this repository's
 * jobs come from the one rendering both projects use (infra/github/oidcSubject.ts, which cites GitHub's
 * rules): a job that references an environment gets `…:environment:ENVIRONMENT-NAME`, a pull-request job
 * that references none `…:pull_request`. The trust names exactly one subject, with StringEquals: no
 * wildcard reaches a branch, another environment or another repository.
 */

/** The subject of this repository's jobs in one GitHub deployment environment. */
export function environmentSubject(repository: InfraRepository, environment: string): string {
  return oidc.environmentSubject(repository.owner, repository.name, repository.oidcSubjectIds, environment);
}

/** The subject of this repository's pull-request jobs that reference no environment. */
export function pullRequestSubject(repository: InfraRepository): string {
  return oidc.pullRequestSubject(repository.owner, repository.name, repository.oidcSubjectIds);
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
