import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { loadStackConfig } from "../../../infra/config/load";
import { providerCredentialKeys } from "../../../infra/config/secretKeys";
import { runPlan } from "../../../tools/plan/main";
import { PROJECT_DIR, canarySecrets, requiredSecretKeys, sampleConfig } from "../../harness";
import { ProjectCopies, appendConfig } from "../../tools/projectCopy";

/** The program's config as the CLI would hand it over: fully-qualified keys, string values, some marked secret. */
function handOver(raw: Record<string, unknown>, plain: Record<string, string>, secret: Record<string, string>): void {
  const config: Record<string, string> = { "aws:region": "us-east-1", ...plain };
  for (const [key, value] of Object.entries(raw)) config[`flightdeck:${key}`] = typeof value === "string" ? value : JSON.stringify(value);
  for (const [key, value] of Object.entries(secret)) config[key] = value;
  pulumi.runtime.setAllConfig(config, Object.keys(secret));
}

function qualifiedCanaries(): Record<string, string> {
  const canaries = canarySecrets(requiredSecretKeys(sampleConfig("production")));
  return Object.fromEntries(Object.entries(canaries).map(([key, value]) => [`flightdeck:${key}`, value]));
}

function loadError(): string {
  try {
    loadStackConfig();
  } catch (error) {
    assert.ok(error instanceof pulumi.RunError, `expected a RunError (no stack trace), got ${String(error)}`);
    return error.message;
  }
  return "";
}

describe("secrets the stack reads must be stored encrypted", () => {
  const copies = new ProjectCopies();
  after(() => copies.cleanup());
  afterEach(() => pulumi.runtime.setAllConfig({}, []));

  it("lists as provider credentials exactly the config keys the provider SDKs wrap in pulumi.secret", () => {
    // @pulumi/<provider>/provider.js, generated from each provider's schema (secret: true).
    const wrapped: string[] = [];
    for (const [namespace, pkg] of [["aws", "@pulumi/aws"], ["github", "@pulumi/github"], ["postgresql", "@pulumi/postgresql"], ["vercel", "@pulumiverse/vercel"], ["random", "@pulumi/random"]]) {
      const source = readFileSync(path.join(PROJECT_DIR, "node_modules", pkg!, "provider.js"), "utf8");
      for (const match of source.matchAll(/resourceInputs\["(\w+)"\] = \(?args\?\.\w+ \? pulumi\.secret/g)) wrapped.push(`${namespace}:${match[1]}`);
    }
    assert.ok(wrapped.length >= 5, `found only ${wrapped.join(", ")}`);
    // github:appAuth is an object: its pemFile is Sensitive in integrations/terraform-provider-github github/provider.go.
    assert.deepEqual(Object.keys(providerCredentialKeys).sort(), [...wrapped, "github:appAuth"].sort());
  });

  it("the program accepts the sample stack with every secret handed over as a secret", () => {
    handOver(sampleConfig("production"), {}, qualifiedCanaries());
    assert.equal(loadError(), "");
  });

  it("the program stops on a secret key held in plain text, naming key and file, never the value", () => {
    const secrets = qualifiedCanaries();
    const plainValue = secrets["flightdeck:STRIPE_SECRET_KEY"]!;
    delete secrets["flightdeck:STRIPE_SECRET_KEY"];
    handOver(sampleConfig("production"), { "flightdeck:STRIPE_SECRET_KEY": plainValue, "vercel:apiToken": "plain-vercel-token-value" }, secrets);
    const message = loadError();
    assert.match(message, /flightdeck:STRIPE_SECRET_KEY: is a secret but Pulumi\.\w+\.yaml holds it in plain text: .*pulumi config set --secret STRIPE_SECRET_KEY/);
    assert.match(message, /vercel:apiToken: is a secret but .* holds it in plain text: .*pulumi config set --secret vercel:apiToken/);
    assert.ok(!message.includes(plainValue) && !message.includes("plain-vercel-token-value"), "a secret value was printed");
  });

  it("the program ignores an encrypted key no setting reads, and still rejects a plain unknown key", () => {
    handOver(sampleConfig("production"), {}, { ...qualifiedCanaries(), "flightdeck:RETIRED_TOKEN": "old" });
    assert.equal(loadError(), "");
    handOver(sampleConfig("production"), { "flightdeck:RETIRED_TOKEN": "old" }, qualifiedCanaries());
    assert.match(loadError(), /flightdeck:RETIRED_TOKEN: unknown key/);
  });

  it("npm run plan gives the program's message for a plain secret in the stack file (exit 2), and accepts it encrypted", async () => {
    const plain = copies.make({ stack: { production: (text) => appendConfig(text, "  flightdeck:databaseAdminPassword: correct-horse-battery\n  github:appAuth:\n    id: \"1\"\n    installationId: \"2\"\n    pemFile: not-a-key\n") } });
    const result = await runPlan(["--stack", "production", "--no-policy"], { projectDir: plain });
    assert.equal(result.exitCode, 2);
    // Where the appended keys are in the copy's stack file (the sample file's length moves them).
    const lines = readFileSync(path.join(plain, "Pulumi.production.yaml"), "utf8").split("\n");
    const lineOf = (start: string) => lines.indexOf(lines.find((line) => line.startsWith(start))!) + 1;
    assert.deepEqual(result.errors, [
      `Pulumi.production.yaml:${lineOf("  flightdeck:databaseAdminPassword:")}:3: flightdeck:databaseAdminPassword: is a secret but Pulumi.production.yaml holds it in plain text: remove it there and store it encrypted with \`pulumi config set --secret databaseAdminPassword\` (then rotate it: it was exposed)`,
      `Pulumi.production.yaml:${lineOf("  github:appAuth:")}:3: github:appAuth: is a secret but Pulumi.production.yaml holds it in plain text: remove it there and store it encrypted with \`pulumi config set --secret --path github:appAuth.pemFile\` (then rotate it: it was exposed)`,
    ]);
    assert.ok(!result.errors.join("\n").includes("correct-horse-battery"));

    // As `pulumi config set --secret [--path]` writes them: a `secure:` value, at the top or nested.
    const encrypted = copies.make({ stack: { production: (text) => appendConfig(text, "  flightdeck:databaseAdminPassword:\n    secure: v1:AAAA\n  github:appAuth:\n    id: \"1\"\n    installationId: \"2\"\n    pemFile:\n      secure: v1:BBBB\n") } });
    const ok = await runPlan(["--stack", "production", "--no-policy"], { projectDir: encrypted });
    assert.equal(ok.exitCode, 0, ok.errors.join("\n"));
  });
});
