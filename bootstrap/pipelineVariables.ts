/**
 * The Actions variables .github/workflows/infra.yml reads (`${{ vars.X }}`), as the bootstrap writes
 * them to this repository: the repository-level ones every job sees, and the per-environment ones only
 * a job in that environment sees (test/bootstrap/pipelineVariables.spec.ts parses infra.yml and holds
 * the two to each other).
 */
export const repositoryVariables = {
  previewRoleArn: "INFRA_PREVIEW_ROLE_ARN",
  awsRegion: "AWS_REGION",
  /** `s3://<bucket>?region=<region>`, or Pulumi Cloud's URL: the CLI's PULUMI_BACKEND_URL. */
  backendUrl: "PULUMI_BACKEND_URL",
} as const;

export const environmentVariables = {
  deployRoleArn: "INFRA_DEPLOY_ROLE_ARN",
} as const;
