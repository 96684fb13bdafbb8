import { z } from "zod";

/**
 * GitHub's OIDC subject (`sub`) for one repository's jobs: one setting and one rendering, read by both
 * Pulumi projects (the bootstrap's pipeline roles trust this repository's jobs, `infraRepository.oidcSubjectIds`;
 * the stacks' audit role trusts the app repository's deploy jobs, `flightdeck:github.oidcSubjectIds`).
 *
 * github/docs@051718f2 content/actions/reference/security/oidc.md, "Immutable subject claims": repositories
 * created after July 15, 2026 (and those renamed or transferred after it, and those whose organisation or
 * repository opted in) use `repo:OWNER@OWNER-ID/REPO@REPO-ID:…`; the others keep `repo:OWNER/REPO:…`.
 * "Filtering for a specific environment": `repo:ORG-NAME/REPO-NAME:environment:ENVIRONMENT-NAME`;
 * "Filtering for pull_request events": `repo:ORG-NAME/REPO-NAME:pull_request`. A trust policy names exactly
 * one of the two forms, so it must be the one GitHub sends.
 */
export const oidcSubjectIds = z
  .strictObject({
    owner: z.number().int().positive().describe("the owner's numeric id: gh api orgs/<owner> --jq .id"),
    repository: z.number().int().positive().describe("the repository's numeric id: gh api repos/<owner>/<repo> --jq .id"),
  })
  .optional()
  .describe("the numeric ids GitHub puts in the OIDC subject of a repository with immutable subject claims (repo:OWNER@ID/REPO@ID:…); leave out for repo:OWNER/REPO:…");

export type OidcSubjectIds = z.output<typeof oidcSubjectIds>;

/** `repo:OWNER/REPO`, or with immutable subject claims `repo:OWNER@OWNER-ID/REPO@REPO-ID`. */
export function subjectRepository(owner: string, repository: string, ids: OidcSubjectIds): string {
  return ids ? `repo:${owner}@${ids.owner}/${repository}@${ids.repository}` : `repo:${owner}/${repository}`;
}

/** The subject of a repository's jobs in one GitHub deployment environment. */
export function environmentSubject(owner: string, repository: string, ids: OidcSubjectIds, environment: string): string {
  return `${subjectRepository(owner, repository, ids)}:environment:${environment}`;
}

/** The subject of a repository's pull-request jobs that reference no environment. */
export function pullRequestSubject(owner: string, repository: string, ids: OidcSubjectIds): string {
  return `${subjectRepository(owner, repository, ids)}:pull_request`;
}
