import { strict as assert } from "node:assert";
import { validateStackConfig } from "../../../infra/config/validate";
import { canarySecrets, requiredSecretKeys, sampleConfig } from "../../harness";

type Raw = Record<string, unknown>;

/** A sample stack's raw config with every secret it needs, after `mutate`. */
function problemsWith(stack: "staging" | "production", mutate: (raw: Raw) => void): string[] {
  const raw = sampleConfig(stack);
  const secrets = canarySecrets(requiredSecretKeys(raw));
  mutate(raw);
  const result = validateStackConfig({ ...raw, ...secrets });
  return result.ok ? [] : result.problems;
}

const github = (raw: Raw) => raw["github"] as Raw;
const identity = (raw: Raw) => github(raw)["deployIdentity"] as Raw;
const environment = (raw: Raw) => raw["deployEnvironment"] as Raw;

describe("stack config: GitHub App and deployment environment rules", () => {
  it("accepts the samples: the App's id and installation, and staging without prevent_self_review", () => {
    assert.deepEqual(problemsWith("staging", () => undefined), []);
    assert.deepEqual(problemsWith("production", () => undefined), []);
  });

  it("deploy identity is a GitHub App: the provider authenticates as it and the rulesets let it bypass", () => {
    // A ruleset bypass actor of type Integration is a GitHub App, its actor_id the App ID
    // (integrations/terraform-provider-github@v6.13.0 docs/resources/repository_ruleset.md, bypass_actors.actor_id);
    // a Team cannot authenticate the provider (provider.go app_auth), so it could not commit as the bypass actor.
    assert.deepEqual(
      problemsWith("production", (raw) => {
        identity(raw)["type"] = "Team";
      }),
      ['flightdeck:github.deployIdentity.type: expected one of "Integration" (got "Team")'],
    );
  });

  it("needs the App's installation id (app_auth.installation_id)", () => {
    assert.deepEqual(
      problemsWith("production", (raw) => {
        delete identity(raw)["installationId"];
      }),
      ["flightdeck:github.deployIdentity.installationId: is required"],
    );
  });

  it("refuses prevent_self_review without reviewers, which GitHub answers with a 422", () => {
    // GitHub: 422 "Required reviewers must have at least one reviewer to set prevent_self_review"; the provider
    // sends the flag on every create and update (terraform-provider-github v6.13.0
    // github/resource_github_repository_environment.go createUpdateEnvironmentData).
    assert.deepEqual(
      problemsWith("staging", (raw) => {
        environment(raw)["preventSelfReview"] = true;
      }),
      [
        'flightdeck:deployEnvironment.preventSelfReview: GitHub refuses prevent_self_review without required reviewers (422 "Required reviewers must have at least one reviewer to set prevent_self_review"): add reviewers, or leave preventSelfReview out (got true with no reviewers)',
      ],
    );
    assert.deepEqual(
      problemsWith("staging", (raw) => {
        environment(raw)["preventSelfReview"] = false;
      }),
      [],
    );
  });

  it("refuses more than six reviewers (GitHub's limit, users and teams together)", () => {
    // https://docs.github.com/en/rest/deployments/environments?apiVersion=2022-11-28#create-or-update-an-environment:
    // "You can list up to six users or teams as reviewers."
    assert.deepEqual(
      problemsWith("production", (raw) => {
        environment(raw)["reviewers"] = { users: ["a", "b", "c", "d", "e"], teams: ["t1", "t2"] };
      }),
      ["flightdeck:deployEnvironment.reviewers: GitHub accepts at most 6 required reviewers per environment, users and teams together (got 7)"],
    );
  });
});
