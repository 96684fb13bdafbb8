import { strict as assert } from "node:assert";
import { apiLimits } from "../../../infra/config/limits";
import { rotationComment } from "../../../infra/secrets/rotation";
import { SecretEntry } from "../../../infra/config/schema";
import { validateStackConfig } from "../../../infra/config/validate";
import { canarySecrets, requiredSecretKeys, sampleConfig } from "../../harness";

type Raw = Record<string, unknown>;

function problemsWith(mutate: (raw: Raw, secrets: Raw[]) => void, stack: "production" | "staging" = "production"): string[] {
  const raw = sampleConfig(stack);
  mutate(raw, raw["secrets"] as Raw[]);
  const result = validateStackConfig({ ...raw, ...canarySecrets(requiredSecretKeys(raw)) });
  return result.ok ? [] : result.problems;
}

const index = (secrets: Raw[], name: string) => secrets.findIndex((entry) => entry["name"] === name);

describe("secrets inventory entries: what the config cannot say", () => {
  it("a rotation date in the future, or not a calendar date", () => {
    assert.deepEqual(problemsWith((_, secrets) => { (secrets[index(secrets, "STRIPE_SECRET_KEY")]!["rotation"] as Raw)["lastRotated"] = "2099-01-01"; }), [
      `flightdeck:secrets[4].rotation.lastRotated: is in the future (got "2099-01-01", today is ${new Date().toISOString().slice(0, 10)}): record a rotation once it has happened`,
    ]);
    assert.deepEqual(problemsWith((_, secrets) => { (secrets[2]!["rotation"] as Raw)["lastRotated"] = "2026-02-30"; }), [
      'flightdeck:secrets[2].rotation.lastRotated: is not a calendar date (got "2026-02-30")',
    ]);
  });

  it("a rotation date where the program rotates, none where people do", () => {
    assert.deepEqual(problemsWith((_, secrets) => { (secrets[0]!["rotation"] as Raw)["lastRotated"] = "2026-09-01"; }), [
      "flightdeck:secrets[0].rotation.lastRotated: database-app-url is rotated by pulumi up every periodDays, and its register dated by that rotation: remove lastRotated",
    ]);
    assert.deepEqual(problemsWith((_, secrets) => { delete (secrets[index(secrets, "STRIPE_SECRET_KEY")]!["rotation"] as Raw)["lastRotated"]; }), [
      "flightdeck:secrets[4].rotation.lastRotated: is required for source config: record when the secret was last rotated (YYYY-MM-DD)",
    ]);
  });

  it("a NEXT_PUBLIC_* entry named as a secret, or declared as one", () => {
    assert.deepEqual(problemsWith((_, secrets) => { secrets[index(secrets, "NEXT_PUBLIC_POSTHOG_KEY")]!["name"] = "NEXT_PUBLIC_STRIPE_SECRET_KEY"; }), [
      'flightdeck:secrets[8].name: NEXT_PUBLIC_* values are shipped to browsers, and this name says it is a secret (got "NEXT_PUBLIC_STRIPE_SECRET_KEY")',
    ]);
    const declaredSecret = problemsWith((_, secrets) => {
      const entry = secrets[index(secrets, "NEXT_PUBLIC_POSTHOG_KEY")]!;
      entry["kind"] = "api-key";
      entry["source"] = "config";
      delete entry["value"];
      entry["rotation"] = { periodDays: 90, lastRotated: "2026-10-05" };
    });
    assert.deepEqual(declaredSecret, ['flightdeck:secrets[8].kind: NEXT_PUBLIC_* values are shipped to browsers and must be kind public (got "api-key")']);
  });

  // vercel/terraform-provider-vercel vercel/resource_project.go: environment comment stringvalidator.LengthBetween(0, 1000).
  it("a description that makes the Vercel comment longer than Vercel accepts, at the limit and one past it", () => {
    const entry = sampleConfig("production")["secrets"] as SecretEntry[];
    const stripe = entry.find((candidate) => candidate.name === "STRIPE_SECRET_KEY")!;
    const overhead = rotationComment({ ...stripe, description: "" }).length;
    const fits = "d".repeat(apiLimits.vercelCommentChars - overhead);
    assert.deepEqual(problemsWith((_, secrets) => { secrets[index(secrets, "STRIPE_SECRET_KEY")]!["description"] = fits; }), []);
    assert.deepEqual(problemsWith((_, secrets) => { secrets[index(secrets, "STRIPE_SECRET_KEY")]!["description"] = `${fits}d`; }), [
      "flightdeck:secrets[4].description: makes the Vercel variable's comment 1001 characters; Vercel accepts at most 1000 (shorten the description by 1)",
    ]);
  });

  // docs.github.com/en/actions/reference/secrets-reference, Naming your secrets: "Must not start with the GITHUB_ prefix."
  it("a GitHub environment secret named with GitHub's reserved prefix, in any case", () => {
    const problems = problemsWith((_, secrets) => {
      secrets.push({ name: "GITHUB_DEPLOY_KEY", description: "x", kind: "api-key", source: "config", destinations: { githubEnvironment: true }, rotation: { periodDays: 90, lastRotated: "2026-10-05" } });
    });
    assert.deepEqual(problems, ["flightdeck:secrets[9].name: GitHub reserves the GITHUB_ prefix: a secret cannot be named GITHUB_DEPLOY_KEY"]);
  });

  it("an alert action that makes the alarm description longer than CloudWatch accepts", () => {
    const problems = problemsWith((raw) => { ((raw["alerts"] as Raw)["rules"] as Raw[])[0]!["action"] = "a".repeat(1100); });
    assert.equal(problems.length, 1);
    assert.match(problems[0]!, /^flightdeck:alerts\.rules\[0\]\.action: makes the alarm description \d+ characters; CloudWatch accepts at most 1024/);
  });

  it("a runtime setting larger than a Vercel variable holds", () => {
    assert.deepEqual(problemsWith((raw) => { (raw["runtimeSettings"] as Raw)["BANNER"] = "x".repeat(apiLimits.vercelValueBytes + 1); }), [
      `flightdeck:runtimeSettings.BANNER: is ${apiLimits.vercelValueBytes + 1} bytes; a Vercel environment variable holds at most ${apiLimits.vercelValueBytes}`,
    ]);
  });
});
