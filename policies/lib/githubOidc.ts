import { Statement, isAllow } from "./policyDocument";

/**
 * GitHub Actions' OIDC provider as IAM trust policies name it.
 * GitHub, "Configuring OpenID Connect in Amazon Web Services"
 * (https://docs.github.com/en/actions/deployment/security-hardening-your-deployments/configuring-openid-connect-in-amazon-web-services):
 * provider URL `https://token.actions.githubusercontent.com`, audience `sts.amazonaws.com` for the
 * official action, and "If you use a workflow with an environment, the sub field must reference the
 * environment name: repo:ORG-NAME/REPO-NAME:environment:ENVIRONMENT-NAME".
 */
export const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";
export const GITHUB_OIDC_AUDIENCE = "sts.amazonaws.com";
export const WEB_IDENTITY_ACTION = "sts:AssumeRoleWithWebIdentity";

const PROVIDER_ARN = /^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/token\.actions\.githubusercontent\.com$/;

/** Whether a Federated principal is (or claims to be) GitHub's provider. */
export function namesGithub(federated: string): boolean {
  return federated.toLowerCase().includes(GITHUB_OIDC_HOST);
}

/** Whether a Federated principal is exactly the ARN of an IAM OIDC provider for GitHub. */
export function isGithubProviderArn(federated: string): boolean {
  return PROVIDER_ARN.test(federated.trim());
}

/** Whether an Allow trust statement lets GitHub's tokens in. */
export function trustsGithub(statement: Statement): boolean {
  return isAllow(statement) && (statement.principal?.federated ?? []).some(namesGithub);
}

/** The subject of one repository's jobs in one deployment environment. */
export function environmentSubject(repository: string, environment: string): string {
  return `repo:${repository}:environment:${environment}`;
}
