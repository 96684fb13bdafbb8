import { strict as assert } from "node:assert";
import * as path from "node:path";
import { analyzeWithPack, PACK_DIR } from "../../tools/policy/client";
import type { RecordedProvider, RecordedResource } from "../../tools/offline/monitor";
import { runSampleStack } from "../harness";
import { validStack } from "./fixtures";
import { FixtureProvider, GITHUB_PROVIDER, itRejects, judge, mutate } from "./judge";

const POLICY = "github-provider-governed-app";
const PEM = "-----BEGIN RSA PRIVATE KEY-----\\nfixture\\n-----END RSA PRIVATE KEY-----";

/** The fixtures with every GitHub resource on `provider`. */
function allOn(provider: FixtureProvider | null) {
  let stack = validStack();
  for (const fixture of stack.filter((f) => f.type.startsWith("github:"))) {
    stack = mutate(stack, fixture.name, (_props, target) => {
      target.provider = provider;
    });
  }
  return stack;
}

/** Only the environment on `provider`, so exactly one resource violates. */
function environmentOn(provider: FixtureProvider | null) {
  return mutate(validStack(), "production-environment", (_props, fixture) => {
    fixture.provider = provider;
  });
}

const withProps = (props: Record<string, unknown>): FixtureProvider => ({ ...GITHUB_PROVIDER, props: { ...GITHUB_PROVIDER.props, ...props } });
const appAuth = (auth: Record<string, unknown>) => JSON.stringify({ id: "918273", installationId: "51234567", pemFile: PEM, ...auth });

describe("policies: every GitHub resource on the governed provider", () => {
  it("accepts the stack's provider, written with another case of the owner or appAuth as an object", () => {
    assert.deepEqual(judge(validStack()), []);
    assert.deepEqual(judge(allOn(withProps({ owner: "FlightPro", organization: "FLIGHTPRO" }))), []);
    assert.deepEqual(judge(allOn(withProps({ appAuth: { id: "918273", installationId: "51234567", pemFile: PEM } }))), []);
    assert.deepEqual(judge(allOn(withProps({ baseUrl: "https://api.github.com" }))), []);
  });

  itRejects([
    {
      // pulumi/pulumi@v3.259.0 pkg/resource/deploy/providers/provider.go DefaultName: the engine's default provider is "default" or "default_<version>".
      title: "the default provider",
      stack: () => environmentOn({ type: "pulumi:providers:github", name: "default_6_15_0", props: { version: "6.15.0" } }),
      policy: POLICY,
      message: /uses the default GitHub provider \(default_6_15_0\)/,
    },
    { title: "no provider at all", stack: () => environmentOn(null), policy: POLICY, message: /has no provider/ },
    { title: "another owner", stack: () => environmentOn(withProps({ owner: "someone-else" })), policy: POLICY, message: /manages owner "someone-else"/ },
    {
      // terraform-provider-github v6.13.0 github/provider.go configureProvider: organization, then GITHUB_OWNER, then owner.
      title: "owner alone, which GITHUB_OWNER overrides",
      stack: () => environmentOn(withProps({ organization: undefined })),
      policy: POLICY,
      message: /does not set organization: the GITHUB_OWNER environment variable/,
    },
    { title: "organization naming another owner (it wins over owner)", stack: () => environmentOn(withProps({ organization: "evil-org" })), policy: POLICY, message: /sets organization "evil-org", which wins over owner/ },
    { title: "a token instead of the App", stack: () => environmentOn(withProps({ appAuth: undefined, token: "ghp_fixture_token" })), policy: POLICY, message: /does not authenticate as the deploy App/ },
    { title: "another App", stack: () => environmentOn(withProps({ appAuth: appAuth({ id: "111" }) })), policy: POLICY, message: /authenticates as App 111, not the deploy App 918273/ },
    {
      // getAppAuth (provider.go): an empty attribute falls back to GITHUB_APP_INSTALLATION_ID of the environment.
      title: "an incomplete appAuth",
      stack: () => environmentOn(withProps({ appAuth: appAuth({ installationId: "" }) })),
      policy: POLICY,
      message: /appAuth needs id, installationId and pemFile/,
    },
    { title: "another API", stack: () => environmentOn(withProps({ baseUrl: "https://ghe.example.com/api/v3/" })), policy: POLICY, message: /talks to https:\/\/ghe\.example\.com/ },
    { title: "another package's provider", stack: () => environmentOn({ type: "pulumi:providers:aws", name: "aws", props: {} }), policy: POLICY, message: /is a pulumi:providers:aws/ },
  ]);

  it("never prints the private key or a token", () => {
    const verdicts = [
      ...judge(allOn(withProps({ appAuth: appAuth({ id: "111" }) }))),
      ...judge(allOn(withProps({ appAuth: undefined, token: "ghp_fixture_token" }))),
    ];
    assert.ok(verdicts.length > 0);
    for (const verdict of verdicts) {
      assert.ok(!verdict.message.includes("PRIVATE KEY") && !verdict.message.includes("ghp_fixture_token"), verdict.message);
    }
  });

  describe("over the analyzer protocol, with the providers the engine sends", function () {
    this.timeout(120_000);
    const NOW = new Date("2026-11-10T16:00:00Z");
    const config = path.join(PACK_DIR, "config", "production.json");

    it("passes the production stack, whose GitHub resources go through the stack's provider", async () => {
      const run = await runSampleStack("production");
      const report = await analyzeWithPack({ stack: "production", resources: run.resources, policyConfigPath: config, now: NOW });
      assert.deepEqual(report.violations.filter((violation) => violation.policy === POLICY), []);
    });

    it("blocks a GitHub resource left on the engine's default provider", async () => {
      const run = await runSampleStack("production");
      const resources: RecordedResource[] = structuredClone(run.resources);
      const ruleset = resources.find((resource) => resource.type === "github:index/repositoryRuleset:RepositoryRuleset")!;
      // What the offline monitor records for a resource registered without a provider (tools/offline/monitor.ts providerOf).
      const defaultProvider: RecordedProvider = {
        urn: "urn:pulumi:production::flightdeck::pulumi:providers:github::default_6_15_0",
        type: "pulumi:providers:github",
        name: "default_6_15_0",
        inputs: { version: "6.15.0" },
        secretPaths: [],
      };
      ruleset.provider = defaultProvider;
      ruleset.options.provider = null;
      const report = await analyzeWithPack({ stack: "production", resources, policyConfigPath: config, now: NOW });
      const violations = report.violations.filter((violation) => violation.policy === POLICY);
      assert.deepEqual(
        violations.map((violation) => [violation.enforcementLevel, violation.urn]),
        [["mandatory", ruleset.urn]],
      );
      assert.match(violations[0]!.message, /default GitHub provider \(default_6_15_0\)/);
      // The committer policy reads the provider of each workflow file from analyzeStack: still the stack's App.
      assert.deepEqual(report.violations.filter((violation) => violation.policy === "github-workflow-files-committed-by-bypass-app"), []);
    });
  });
});
