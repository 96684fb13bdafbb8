import { strict as assert } from "node:assert";
import { deployCredentialsInEnvironment } from "../../policies/rules/secretScope";
import { validStack } from "./fixtures";
import { Fixture, itRejects, judge } from "./judge";

/**
 * secrets-deploy-credentials-in-environment: a production environment secret is not also reachable
 * without the environment's approval. GitHub: "Secrets stored in an environment are only available to
 * workflow jobs that reference the environment. If the environment requires approval, a job cannot
 * access environment secrets until one of the required reviewers approves it"
 * (https://docs.github.com/en/actions/reference/workflows-and-actions/deployments-and-environments, "Environment secrets").
 */

const POLICY = deployCredentialsInEnvironment.name;
/** The value of the production environment's VERCEL_TOKEN in the fixture stack. */
const TOKEN = "vercel_live_token_value";

const secret = (type: string, name: string, props: Record<string, unknown>): Fixture => ({ type: `github:index/${type}`, name, props });

describe("policies: production deploy credentials stay in the production environment", () => {
  it("accepts the stack's environment secrets, and other secrets with other names and values", () => {
    const others = [
      secret("actionsSecret:ActionsSecret", "repo-CODECOV_TOKEN", { repository: "flightpro", secretName: "CODECOV_TOKEN", plaintextValue: "codecov-upload-token" }),
      secret("actionsEnvironmentSecret:ActionsEnvironmentSecret", "staging-SENTRY_DSN", { repository: "flightpro", environment: "staging", secretName: "SENTRY_DSN", value: "https://sentry.example/1" }),
    ];
    assert.deepEqual(judge([...validStack(), ...others]).filter((verdict) => verdict.policy === POLICY), []);
  });

  itRejects([
    {
      title: "the same token as a repository secret (every workflow reads it, unapproved)",
      stack: () => [...validStack(), secret("actionsSecret:ActionsSecret", "repo-VERCEL_TOKEN", { repository: "flightpro", secretName: "VERCEL_TOKEN", plaintextValue: TOKEN })],
      policy: POLICY,
      message: /ActionsSecret secret VERCEL_TOKEN has the same name and value as a secret of the production environment/,
    },
    {
      title: "the same value under another name, as an organisation secret visible to all repositories",
      stack: () => [...validStack(), secret("actionsOrganizationSecret:ActionsOrganizationSecret", "org-DEPLOY", { secretName: "DEPLOY_TOKEN", visibility: "all", plaintextValue: TOKEN })],
      policy: POLICY,
      message: /ActionsOrganizationSecret secret DEPLOY_TOKEN has the same value/,
    },
    {
      title: "the token for Dependabot's runs",
      stack: () => [...validStack(), secret("dependabotSecret:DependabotSecret", "dependabot-VERCEL_TOKEN", { repository: "flightpro", secretName: "VERCEL_TOKEN", plaintextValue: "another-value" })],
      policy: POLICY,
      message: /DependabotSecret secret VERCEL_TOKEN has the same name/,
    },
    {
      title: "the token in another environment without reviewers (production-hotfix)",
      stack: () => [...validStack(), secret("actionsEnvironmentSecret:ActionsEnvironmentSecret", "hotfix-VERCEL_TOKEN", { repository: "flightpro", environment: "production-hotfix", secretName: "VERCEL_TOKEN", value: TOKEN })],
      policy: POLICY,
      message: /environment production-hotfix secret VERCEL_TOKEN has the same name and value/,
    },
  ]);
});
