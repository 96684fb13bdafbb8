import { StackResource, dependsOn, stackPolicy } from "../lib/define";
import { isUnknown, knownString } from "../lib/values";
import { ENVIRONMENT } from "./environments";

/**
 * Where the production deploy credentials may live: only in the production environment's secrets.
 * "Secrets stored in an environment are only available to workflow jobs that reference the
 * environment. If the environment requires approval, a job cannot access environment secrets until
 * one of the required reviewers approves it" (https://docs.github.com/en/actions/reference/workflows-and-actions/deployments-and-environments,
 * "Environment secrets"); a repository or organisation secret is available to every workflow of the
 * repository, unapproved, and Dependabot secrets to the runs Dependabot starts.
 */

const ENVIRONMENT_SECRET = "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret";
/** Secrets a workflow run can read without passing an environment's approval (@pulumi/github 6.15 resource types). */
const UNGATED_SECRETS = [
  "github:index/actionsSecret:ActionsSecret",
  "github:index/actionsOrganizationSecret:ActionsOrganizationSecret",
  "github:index/dependabotSecret:DependabotSecret",
  "github:index/dependabotOrganizationSecret:DependabotOrganizationSecret",
];
const VALUE_INPUTS = ["value", "plaintextValue", "encryptedValue", "valueEncrypted"];

interface PlacedSecret {
  resource: StackResource;
  name: string | undefined;
  /** Known values (the engine hands a policy secret inputs decrypted; unknown during preview when generated). */
  values: string[];
}

function placed(resource: StackResource): PlacedSecret {
  return {
    resource,
    name: knownString(resource.props["secretName"]),
    values: VALUE_INPUTS.map((input) => knownString(resource.props[input])).filter((value): value is string => value !== undefined && value !== ""),
  };
}

/** Whether an environment secret belongs to the governed environment (by name, any case, or through a dependency on its resource). */
function inEnvironment(secret: StackResource, environment: string, environments: StackResource[]): boolean {
  const name = secret.props["environment"];
  if (isUnknown(name)) {
    return environments.some((resource) => (knownString(resource.props["environment"]) ?? "").trim().toLowerCase() === environment.toLowerCase() && dependsOn(secret, resource.urn, "environment"));
  }
  return (knownString(name) ?? "").trim().toLowerCase() === environment.toLowerCase();
}

export const deployCredentialsInEnvironment = stackPolicy<{ environment: string }>(
  {
    name: "secrets-deploy-credentials-in-environment",
    description:
      "Production's credentials are reachable only through the production environment's approval: a secret the production environment holds is not also a repository, organisation or Dependabot secret, nor a secret of another environment, by name or by value. " +
      'Spec, Compliance & Audit: "PCI: Production access restricted, deployment approvals required"; Secrets Management: "Secrets stored in platform (encrypted at rest)". ' +
      "Environment secrets reach only jobs that reference the environment, after its reviewers approve; a repository secret reaches every workflow of the repository.",
    severity: "high",
    remediation: [
      "Remove the repository, organisation, Dependabot or other-environment secret that repeats a production environment secret.",
      "A job that needs the credential runs in the production environment (and waits for its approval), or gets its own, narrower credential.",
    ],
    topics: ["secrets", "deployment-environments"],
  },
  {
    requires: ENVIRONMENT_SECRET,
    config: {
      defaults: { environment: "production" },
      schema: { environment: { type: "string", minLength: 1, description: "The GitHub environment whose secrets are the production deploy credentials." } },
    },
    validate(resources, settings, report) {
      const environments = resources.filter((resource) => resource.type === ENVIRONMENT);
      const environmentSecrets = resources.filter((resource) => resource.type === ENVIRONMENT_SECRET);
      const production = environmentSecrets.filter((secret) => inEnvironment(secret, settings.environment, environments)).map(placed);
      if (production.length === 0) return;
      const names = new Set(production.map((secret) => secret.name).filter((name): name is string => name !== undefined));
      const values = new Set(production.flatMap((secret) => secret.values));
      const elsewhere = [
        ...resources.filter((resource) => UNGATED_SECRETS.includes(resource.type)).map((resource) => ({ secret: placed(resource), where: resource.type.split(":").pop()! })),
        ...environmentSecrets
          .filter((secret) => !inEnvironment(secret, settings.environment, environments))
          .map((resource) => ({ secret: placed(resource), where: `environment ${knownString(resource.props["environment"]) ?? "(unknown)"}` })),
      ];
      for (const { secret, where } of elsewhere) {
        const sameName = secret.name !== undefined && names.has(secret.name);
        const sameValue = secret.values.some((value) => values.has(value));
        if (!sameName && !sameValue) continue;
        const how = sameName && sameValue ? "the same name and value" : sameName ? "the same name" : "the same value";
        report(`${where} secret ${secret.name ?? secret.resource.name} has ${how} as a secret of the ${settings.environment} environment: workflows reach it without that environment's approval`, secret.resource.urn);
      }
    },
  },
);

export const secretScopePolicies = [deployCredentialsInEnvironment];
