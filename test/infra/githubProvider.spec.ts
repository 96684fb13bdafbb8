import { strict as assert } from "node:assert";
import { RecordedResource, StackRun, canarySecrets, inputAt, requiredSecretKeys, runConfig, runSampleStack, sampleConfig } from "../harness";

const PROVIDER = "pulumi:providers:github";

/** The one explicit GitHub provider of a run. */
function githubProviderOf(run: StackRun): RecordedResource {
  return run.one(PROVIDER);
}

/** Every GitHub resource the stack manages (custom resources of the github package). */
function githubResources(run: StackRun): RecordedResource[] {
  return run.resources.filter((resource) => resource.custom && resource.type.startsWith("github:"));
}

/** The production sample reshaped into another model (as the DeploymentEnvironment spec does). */
function asModel(model: "direct-prod" | "local-only"): Record<string, unknown> {
  const raw = sampleConfig("production");
  raw["model"] = model;
  delete (raw["github"] as { branches: Record<string, unknown> }).branches["staging"];
  if (model === "local-only") for (const key of ["web", "api", "database", "alerts", "audit", "secrets", "disasterRecovery"]) delete raw[key];
  return raw;
}

describe("GitHub provider", () => {
  it("manages the configured owner as the deploy App, with the private key a secret", async () => {
    const run = await runSampleStack("production");
    const provider = githubProviderOf(run);
    // terraform-provider-github v6.13.0 github/provider.go configureProvider: `organization` wins over the
    // GITHUB_OWNER environment variable, which wins over `owner`; both set, the environment cannot move the owner.
    assert.equal(inputAt(provider, "owner"), "flightpro");
    assert.equal(inputAt(provider, "organization"), "flightpro");
    // @pulumi/github 6.15 provider.js sends app_auth as one JSON-encoded input (pulumi.output(args.appAuth).apply(JSON.stringify)).
    const appAuth = JSON.parse(String(inputAt(provider, "appAuth"))) as Record<string, unknown>;
    // getAppAuth (provider.go) needs all three, as strings; then no token is read at all.
    assert.deepEqual(appAuth, { id: "918273", installationId: "51234567", pemFile: canarySecrets(["githubAppPrivateKey"])["githubAppPrivateKey"] });
    assert.ok(provider.secretPaths.includes("appAuth"), `appAuth is not secret: ${provider.secretPaths.join(", ")}`);
  });

  it("needs the App's private key as a secret config value", async () => {
    const raw = sampleConfig("staging");
    assert.ok(requiredSecretKeys(raw).includes("githubAppPrivateKey"));
    const secrets = canarySecrets(requiredSecretKeys(raw).filter((key) => key !== "githubAppPrivateKey"));
    await assert.rejects(runConfig(raw, { stack: "staging", secrets }), (error: Error & { problems?: string[] }) => {
      assert.deepEqual(error.problems, ["flightdeck:githubAppPrivateKey: secret is not set (pulumi config set --secret githubAppPrivateKey <value>)"]);
      return true;
    });
  });

  for (const [title, run] of [
    ["production", () => runSampleStack("production")],
    ["staging", () => runSampleStack("staging")],
    ["direct-prod", () => runConfig(asModel("direct-prod"))],
    ["local-only", () => runConfig(asModel("local-only"))],
  ] as const) {
    it(`${title}: every GitHub resource goes through it, none through the default provider`, async () => {
      const stack = await run();
      const provider = githubProviderOf(stack);
      const resources = githubResources(stack);
      assert.ok(resources.length > 0, "the stack has GitHub resources");
      // Ruleset, workflow files (and, with a deploy environment: environment, branch policy, variables, secrets, .env.example).
      const types = new Set(resources.map((resource) => resource.type));
      assert.ok(types.has("github:index/repositoryRuleset:RepositoryRuleset") && types.has("github:index/repositoryFile:RepositoryFile"), [...types].join(", "));
      for (const resource of resources) {
        assert.equal(resource.provider?.urn, provider.urn, `${resource.type} ${resource.name}`);
        // The SDK sends the provider reference as `urn::id` (pulumi/pulumi@v3.259.0 sdk/nodejs/resource.ts, opts.provider from the parent's providers).
        assert.ok(resource.options.provider?.startsWith(`${provider.urn}::`), `${resource.name}: ${String(resource.options.provider)}`);
      }
    });
  }

  it("resolves environment reviewers through it: every GitHub invoke carries the provider", async () => {
    const run = await runSampleStack("production");
    const provider = githubProviderOf(run);
    const invokes = (run.invokes ?? []).filter((invoke) => invoke.token.startsWith("github:"));
    // Pulumi.production.yaml: two users, one team. pulumi/pulumi@v3.259.0 sdk/nodejs/runtime/invoke.ts getProvider:
    // an invoke with `parent` goes to the parent's provider for its package.
    assert.deepEqual(invokes.map((invoke) => invoke.token).sort(), ["github:index/getTeam:getTeam", "github:index/getUser:getUser", "github:index/getUser:getUser"]);
    for (const invoke of invokes) assert.ok(invoke.provider.startsWith(`${provider.urn}::`), `${invoke.token} went to ${JSON.stringify(invoke.provider)}`);
  });

  it("shows the engine's default provider for packages used without one (the analyzer sees it)", async () => {
    const run = await runSampleStack("production");
    const bucket = run.one("aws:s3/bucket:Bucket", "-audit-bucket");
    // pkg/resource/deploy/providers/provider.go DefaultName: "default_" and the version's parts; target.go GetPackageConfig: the package's config.
    assert.match(String(bucket.provider?.urn), /::pulumi:providers:aws::default_\d+_\d+_\d+$/);
    assert.equal(bucket.provider?.inputs["region"], "us-east-1");
  });
});
