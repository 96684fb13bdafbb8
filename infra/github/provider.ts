import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";
import { GithubSettings } from "../config/schema";

export interface GithubProviderArgs {
  github: GithubSettings;
  /** The deploy App's private key (PEM), a Pulumi secret (config key githubAppPrivateKey). */
  privateKey: pulumi.Output<string>;
}

/**
 * The stack's one GitHub provider: it manages the governed owner's repository, authenticated as the deploy
 * App (github.deployIdentity), the same App the rulesets let bypass, so its workflow-file commits go through.
 * Every GitHub resource and invoke of the stack uses it: components receive it as `providers` and their
 * children inherit it (pulumi/pulumi@v3.259.0 sdk/nodejs/resource.ts: a child takes its parent's providers;
 * sdk/nodejs/runtime/invoke.ts getProvider: an invoke with `parent` asks the parent for its package's provider).
 *
 * What terraform-provider-github v6.13.0 (the upstream of @pulumi/github 6.15) does with these settings,
 * github/provider.go configureProvider:
 * - owner: `organization` (argument, else GITHUB_ORGANIZATION) wins, then the GITHUB_OWNER environment
 *   variable, and only then the `owner` argument. Setting `organization` (deprecated, warns) as well as
 *   `owner` makes the owner this stack's whatever the environment says; `owner` alone could be overridden
 *   by GITHUB_OWNER on the machine that runs `pulumi up`.
 * - app_auth: id, installation_id and pem_file (`\n` allowed for newlines) set in full mean App
 *   authentication (getAppAuth), and then no token is read at all, not even GITHUB_TOKEN; App
 *   authentication without an owner fails with "owner must be set for github app authentication".
 */
export function githubProvider(name: string, args: GithubProviderArgs, opts?: pulumi.CustomResourceOptions): github.Provider {
  const { owner, deployIdentity } = args.github;
  return new github.Provider(
    name,
    {
      owner,
      organization: owner,
      // Said here, so the provider SDK takes no default from GITHUB_BASE_URL on the machine that runs `pulumi up`
      // (@pulumi/github provider.js: `baseUrl ?? getEnv("GITHUB_BASE_URL") || "https://api.github.com/"`).
      baseUrl: "https://api.github.com/",
      appAuth: {
        id: String(deployIdentity.id),
        installationId: String(deployIdentity.installationId),
        pemFile: args.privateKey,
      },
    },
    opts,
  );
}
