import { ProviderInput, UnknownInputError, resourcePolicy } from "../lib/define";
import { Plain, PlainRecord, isRecord, isUnknown, knownString, plain } from "../lib/values";

export const GITHUB_PROVIDER = "pulumi:providers:github";

const TOPICS = ["repository-rules", "credentials"];

export interface GithubProviderSettings {
  owner: string;
  appId: number;
  apiUrl: string;
}

/** The deploy App a GitHub provider authenticates as, from its `appAuth` input, or why it cannot be told. */
export function appAuthOf(provider: ProviderInput): { id?: string; complete: boolean } | undefined {
  const value = provider.props["appAuth"];
  if (value === undefined || value === null) return undefined;
  if (isUnknown(value)) throw new UnknownInputError(`${provider.urn} appAuth`);
  // @pulumi/github 6.15 provider.js sends app_auth JSON-encoded (pulumi.output(args.appAuth).apply(JSON.stringify)).
  let record: Plain | undefined = value;
  if (typeof value === "string") {
    try {
      record = plain(JSON.parse(value));
    } catch {
      return { complete: false };
    }
  }
  if (!isRecord(record)) return { complete: false };
  const filled = (key: string) => isUnknown(record[key]) || (typeof record[key] === "string" && record[key] !== "") || typeof record[key] === "number";
  const id = record["id"];
  return {
    id: typeof id === "number" ? String(id) : knownString(id),
    complete: filled("id") && filled("installationId") && filled("pemFile"),
  };
}

/** What is wrong with a GitHub resource's provider, one line each; empty when it is the governed one. */
export function providerProblems(provider: ProviderInput | undefined, settings: GithubProviderSettings): string[] {
  if (!provider) return ["it has no provider: the engine sends every custom resource's provider, so this one was not planned by the engine"];
  if (provider.type !== GITHUB_PROVIDER) return [`its provider ${provider.name} is a ${provider.type}, not a GitHub provider`];
  if (/^default(_|$)/.test(provider.name)) {
    return [
      `it uses the default GitHub provider (${provider.name}), whose owner and credentials come from github:* stack config or the environment (GITHUB_OWNER, GITHUB_TOKEN), not from this program`,
    ];
  }
  const problems: string[] = [];
  const props: PlainRecord = provider.props;
  const text = (key: string): string | undefined => {
    if (isUnknown(props[key])) throw new UnknownInputError(`${provider.urn} ${key}`);
    return knownString(props[key]);
  };
  const owner = text("owner");
  const organization = text("organization");
  const governed = settings.owner.toLowerCase();
  if (owner?.toLowerCase() !== governed) problems.push(`provider ${provider.name} manages owner ${JSON.stringify(owner ?? null)}, not ${settings.owner}`);
  // terraform-provider-github v6.13.0 github/provider.go configureProvider: organization, then GITHUB_OWNER, then owner.
  if (organization === undefined) {
    problems.push(`provider ${provider.name} does not set organization: the GITHUB_OWNER environment variable of whoever runs it would override owner`);
  } else if (organization.toLowerCase() !== governed) {
    problems.push(`provider ${provider.name} sets organization ${JSON.stringify(organization)}, which wins over owner: it manages ${organization}, not ${settings.owner}`);
  }
  const app = appAuthOf(provider);
  if (!app) {
    problems.push(`provider ${provider.name} does not authenticate as the deploy App (no appAuth): a token's commits are not the ruleset's bypass actor`);
  } else {
    if (!app.complete) problems.push(`provider ${provider.name}: appAuth needs id, installationId and pemFile, or GITHUB_APP_* variables of the environment fill the gaps`);
    if (app.id !== undefined && app.id !== String(settings.appId)) problems.push(`provider ${provider.name} authenticates as App ${app.id}, not the deploy App ${settings.appId}`);
  }
  const baseUrl = text("baseUrl");
  if (baseUrl !== undefined && baseUrl.replace(/\/+$/, "") !== settings.apiUrl.replace(/\/+$/, "")) {
    problems.push(`provider ${provider.name} talks to ${baseUrl}, not ${settings.apiUrl}`);
  }
  return problems;
}

export const githubResourcesGovernedProvider = resourcePolicy<GithubProviderSettings>(
  {
    name: "github-provider-governed-app",
    description:
      "Every GitHub resource is managed in the governed organisation by the deploy App. Spec, Compliance & Audit: \"Who deployed: GitHub user\"; " +
      '"PCI: Production access restricted". A resource on the default provider, another owner or another identity escapes the repository rules ' +
      "this pack checks (its commits do not bypass as the deploy App; its owner is whatever the environment says).",
    severity: "critical",
    remediation: [
      "Create the resource with the stack's github.Provider (infra/github/provider.ts): pass it to the component as providers, or as provider.",
      "That provider sets owner and organization to the governed organisation (policy setting owner) and appAuth { id, installationId, pemFile } of the deploy App (setting appId).",
      "Leave baseUrl at the GitHub API (setting apiUrl).",
    ],
    topics: TOPICS,
  },
  {
    types: { prefix: "github:" },
    config: {
      defaults: { owner: "flightpro", appId: 918273, apiUrl: "https://api.github.com/" },
      schema: {
        owner: { type: "string", minLength: 1, description: "The governed organisation (github.owner)." },
        appId: { type: "integer", minimum: 1, description: "The deploy GitHub App's id (github.deployIdentity.id)." },
        apiUrl: { type: "string", minLength: 1, description: "The GitHub API the provider must talk to." },
      },
    },
    validate(resource, settings, report) {
      for (const problem of providerProblems(resource.provider, settings)) report(problem);
    },
  },
);

export const githubProviderPolicies = [githubResourcesGovernedProvider];
