/**
 * The GitHub REST calls the GitHub provider makes for each resource type and data source the stacks and
 * the bootstrap declare, to create, read, update and delete it: integrations/terraform-provider-github
 * (v6.x, the upstream of @pulumi/github 6.15) through google/go-github, whose methods name their
 * operation (`//meta:operation GET /repos/{owner}/{repo}/environments/{environment_name}`). Files read:
 * github/resource_github_repository_ruleset.go (Repositories.CreateRuleset, GetRuleset, UpdateRuleset,
 * DeleteRuleset), resource_github_repository_environment.go (CreateUpdateEnvironment, GetEnvironment,
 * DeleteEnvironment), resource_github_repository_environment_deployment_policy.go (CreateDeploymentBranchPolicy,
 * GetDeploymentBranchPolicy, UpdateDeploymentBranchPolicy, DeleteDeploymentBranchPolicy),
 * resource_github_actions_environment_secret.go (Repositories.Get for the repository's id, then
 * Actions.GetEnvPublicKey, CreateOrUpdateEnvSecret, GetEnvSecret, DeleteEnvSecret: go-github addresses them
 * as /repositories/{repository_id}/…, the same endpoints as /repos/{owner}/{repo}/…),
 * resource_github_actions_environment_variable.go, resource_github_actions_variable.go,
 * resource_github_repository_file.go (GetContents, CreateFile, UpdateFile, DeleteFile), data_source_github_team.go
 * (Teams.GetTeamBySlug), data_source_github_user.go (Users.Get: a public endpoint, no permission).
 * Not listed: the branch check of repository_file (GET …/branches/{branch}), whose permission entry is not
 * vendored; and the installation token the provider and the bridge fetch with the App's JWT
 * (POST /app/installations/{installation_id}/access_tokens), which takes no installation permission.
 */

export interface RestCall {
  verb: "get" | "post" | "put" | "patch" | "delete";
  /** As GitHub's permission table writes it. */
  path: string;
  /** For a file: whether the path is under `.github/workflows/` (the Workflows permission is needed too). */
  workflowFile?: boolean;
}

const REPO = "/repos/{owner}/{repo}";
const crud = (path: string, item: string, create: "post" | "put" = "post", update: "put" | "patch" = "put"): RestCall[] => [
  { verb: create, path: create === "post" ? path : `${path}/${item}` },
  { verb: "get", path: `${path}/${item}` },
  { verb: update, path: `${path}/${item}` },
  { verb: "delete", path: `${path}/${item}` },
];

const ENVIRONMENT = `${REPO}/environments/{environment_name}`;

/** REST calls by Pulumi type token (a resource's, or a data source's). */
export const PROVIDER_CALLS: Readonly<Record<string, readonly RestCall[]>> = {
  "github:index/repositoryRuleset:RepositoryRuleset": crud(`${REPO}/rulesets`, "{ruleset_id}"),
  "github:index/repositoryEnvironment:RepositoryEnvironment": [
    { verb: "put", path: ENVIRONMENT },
    { verb: "get", path: ENVIRONMENT },
    { verb: "delete", path: ENVIRONMENT },
  ],
  "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy": crud(`${ENVIRONMENT}/deployment-branch-policies`, "{branch_policy_id}"),
  "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret": [
    { verb: "get", path: REPO },
    { verb: "get", path: `${ENVIRONMENT}/secrets/public-key` },
    { verb: "put", path: `${ENVIRONMENT}/secrets/{secret_name}` },
    { verb: "get", path: `${ENVIRONMENT}/secrets/{secret_name}` },
    { verb: "delete", path: `${ENVIRONMENT}/secrets/{secret_name}` },
  ],
  "github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable": crud(`${ENVIRONMENT}/variables`, "{name}", "post", "patch"),
  "github:index/actionsVariable:ActionsVariable": crud(`${REPO}/actions/variables`, "{name}", "post", "patch"),
  "github:index/repositoryFile:RepositoryFile": [
    { verb: "get", path: `${REPO}/contents/{path}` },
    { verb: "put", path: `${REPO}/contents/{path}` },
    { verb: "delete", path: `${REPO}/contents/{path}` },
  ],
  "github:index/getTeam:getTeam": [{ verb: "get", path: "/orgs/{org}/teams/{team_slug}" }],
  "github:index/getUser:getUser": [],
};

/**
 * The metrics bridge's own call, with the deploy App's installation token (infra/metrics/lambda/github.ts):
 * the post-deployment watch dispatches rollback.yml.
 */
export const BRIDGE_CALLS: readonly RestCall[] = [{ verb: "post", path: `${REPO}/actions/workflows/{workflow_id}/dispatches` }];
