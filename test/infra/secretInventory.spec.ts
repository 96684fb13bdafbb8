import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { HARNESS_NOW, RecordedResource, canarySecrets, inputAt, requiredSecretKeys, runSampleStack, sampleConfig, stringLeaves as leaves } from "../harness";
import { SecretEntry, secret as secretSchema } from "../../infra/config/schema";
import { rotationRegister } from "../../infra/pipeline/deployContract";
import { renderEnvExample } from "../../infra/secrets/envExample";
import { inventoryProblems } from "../../infra/secrets/secretInventory";

const VERCEL_VAR = "vercel:index/projectEnvironmentVariable:ProjectEnvironmentVariable";
const ENV_SECRET = "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret";
const PARAMETER = "aws:ssm/parameter:Parameter";
const FILE = "github:index/repositoryFile:RepositoryFile";
const INVENTORY = "flightdeck:secrets:SecretInventory";

/** The sample stack's inventory as the program sees it (parsed, defaults applied). */
function inventoryOf(stack: "staging" | "production"): SecretEntry[] {
  const raw = sampleConfig(stack)["secrets"];
  assert.ok(Array.isArray(raw), "the sample declares secrets");
  return raw.map((entry) => secretSchema.parse(entry));
}

/** Entries whose values come from the stack config, so the harness's canary is their value. */
const fromConfig = (entry: SecretEntry) => entry.source === "config";

function byKey(resources: RecordedResource[], key: string, value: string): RecordedResource {
  const matches = resources.filter((resource) => inputAt(resource, key) === value);
  assert.equal(matches.length, 1, `expected one resource with ${key} = ${value}, found ${matches.length}`);
  return matches[0]!;
}

describe("SecretInventory", () => {
  for (const stack of ["staging", "production"] as const) {
    it(`${stack}: every non-public secret reaches Vercel as a sensitive variable, its value a Pulumi secret`, async () => {
      const run = await runSampleStack(stack);
      const canaries = canarySecrets(requiredSecretKeys(sampleConfig(stack)));
      const vercelVars = run.ofType(VERCEL_VAR);
      const entries = inventoryOf(stack).filter((entry) => entry.destinations.vercel && entry.kind !== "public");
      assert.ok(entries.some((entry) => entry.source === "database-app-url"), "the sample's DATABASE_URL is generated");
      assert.ok(entries.length >= 4, "the sample has secrets for Vercel");
      for (const entry of entries) {
        const variable = byKey(vercelVars, "key", entry.name);
        assert.equal(inputAt(variable, "sensitive"), true, entry.name);
        if (fromConfig(entry)) assert.equal(inputAt(variable, "value"), canaries[entry.name], entry.name);
        else assert.match(String(inputAt(variable, "value")), /^postgres(ql)?:\/\//, entry.name);
        assert.ok(variable.secretPaths.includes("value"), `${entry.name} value is not a secret`);
        assert.equal(variable.options.deleteBeforeReplace, true, entry.name);
        const rotation = fromConfig(entry)
          ? `Rotate every ${entry.rotation?.periodDays} days \\(last rotated ${entry.rotation?.lastRotated}\\)`
          : `Rotated by pulumi up every ${entry.rotation?.periodDays} days`;
        assert.match(String(inputAt(variable, "comment")), new RegExp(rotation), entry.name);
      }
    });
  }

  it("targets production deployments from the production stack", async () => {
    const run = await runSampleStack("production");
    const variable = byKey(run.ofType(VERCEL_VAR), "key", "CLERK_SECRET_KEY");
    assert.deepEqual(inputAt(variable, "targets"), ["production"]);
    assert.equal(inputAt(variable, "gitBranch"), undefined);
    assert.equal(inputAt(variable, "teamId"), "team_flightpro");
  });

  it("targets the staging branch's previews from the staging stack", async () => {
    const run = await runSampleStack("staging");
    const variable = byKey(run.ofType(VERCEL_VAR), "key", "CLERK_SECRET_KEY");
    assert.deepEqual(inputAt(variable, "targets"), ["preview"]);
    assert.equal(inputAt(variable, "gitBranch"), "staging");
  });

  it("ships NEXT_PUBLIC_* values plain (not sensitive) with their configured value", async () => {
    const run = await runSampleStack("production");
    const publicEntries = inventoryOf("production").filter((entry) => entry.name.startsWith("NEXT_PUBLIC_"));
    assert.ok(publicEntries.length >= 2);
    for (const entry of publicEntries) {
      const variable = byKey(run.ofType(VERCEL_VAR), "key", entry.name);
      assert.equal(inputAt(variable, "sensitive"), false, entry.name);
      assert.equal(inputAt(variable, "value"), entry.value, entry.name);
      assert.match(String(inputAt(variable, "comment")), /not rotated/);
    }
  });

  it("puts the deploy tokens in the GitHub environment as secrets, and nothing else", async () => {
    const run = await runSampleStack("production");
    const canaries = canarySecrets(requiredSecretKeys(sampleConfig("production")));
    const secrets = run.ofType(ENV_SECRET);
    const expected = inventoryOf("production").filter((entry) => entry.destinations.githubEnvironment);
    assert.deepEqual(secrets.map((s) => inputAt(s, "secretName")).sort(), ["MIGRATION_DATABASE_URL", "RAILWAY_TOKEN", "VERCEL_TOKEN"]);
    for (const entry of expected) {
      const secret = byKey(secrets, "secretName", entry.name);
      assert.equal(inputAt(secret, "environment"), "production");
      assert.equal(inputAt(secret, "repository"), "flightpro");
      if (fromConfig(entry)) assert.equal(inputAt(secret, "value"), canaries[entry.name]);
      else assert.match(String(inputAt(secret, "value")), /^postgres(ql)?:\/\/[^:]*migrator/, "the migrator's connection string");
      assert.ok(secret.secretPaths.includes("value"), `${entry.name} value is not a secret`);
      assert.equal(inputAt(secret, "plaintextValue"), undefined);
    }
    for (const entry of inventoryOf("production").filter((e) => !e.destinations.vercel)) {
      assert.ok(!run.ofType(VERCEL_VAR).some((v) => inputAt(v, "key") === entry.name), `${entry.name} must not reach Vercel`);
    }
  });

  for (const stack of ["staging", "production"] as const) {
    it(`${stack}: a canary secret appears in no input except at a recorded secret path, and in no output`, async () => {
      const run = await runSampleStack(stack);
      // The config secrets' canaries, and the connection strings the database generated (as placed in Vercel / GitHub).
      const generated = [...run.ofType(VERCEL_VAR), ...run.ofType(ENV_SECRET)]
        .filter((resource) => /_DATABASE_URL$|^DATABASE_URL$/.test(String(inputAt(resource, "key") ?? inputAt(resource, "secretName"))))
        .map((resource) => String(inputAt(resource, "value")));
      assert.equal(generated.length, 2, "DATABASE_URL and MIGRATION_DATABASE_URL are placed");
      const canaries = [...Object.values(canarySecrets(requiredSecretKeys(sampleConfig(stack)))), ...generated];
      const reached = new Set<string>();
      for (const resource of run.resources) {
        for (const [path, text] of leaves(resource.inputs)) {
          const found = canaries.filter((canary) => text.includes(canary));
          if (found.length === 0) continue;
          found.forEach((canary) => reached.add(canary));
          assert.ok(resource.secretPaths.includes(path), `${resource.name}: ${path} holds a secret value in plain`);
        }
      }
      const expected = inventoryOf(stack).filter((entry) => fromConfig(entry) && (entry.destinations.vercel || entry.destinations.githubEnvironment));
      assert.ok(generated.every((value) => reached.has(value)));
      assert.ok(reached.size >= expected.length + generated.length, `only ${reached.size} of ${expected.length} canaries reached a resource: the test would prove nothing`);
      const outputs = JSON.stringify(run.outputs);
      for (const canary of canaries) assert.ok(!outputs.includes(canary), `${canary} in the stack outputs`);
    });
  }

  it("commits .env.example to the deploy branch with every name and no value", async () => {
    for (const [stack, branch] of [["production", "main"], ["staging", "staging"]] as const) {
      const run = await runSampleStack(stack);
      const file = run.one(FILE, "-secrets-env-example-file");
      assert.equal(inputAt(file, "file"), ".env.example");
      assert.equal(inputAt(file, "branch"), branch);
      assert.equal(inputAt(file, "repository"), "flightpro");
      assert.equal(inputAt(file, "overwriteOnCreate"), true);
      assert.match(String(inputAt(file, "commitMessage")), new RegExp(`stack ${stack}\\b`));
      const content = String(inputAt(file, "content"));
      assert.match(content.split("\n")[0]!, /managed by flightdeck/i);
      const assignments = content.split("\n").filter((line) => !line.startsWith("#") && line.trim() !== "");
      const entries = inventoryOf(stack);
      assert.deepEqual(assignments, entries.map((entry) => `${entry.name}=`));
      for (const entry of entries) {
        assert.ok(content.includes(`# ${entry.description} (${entry.kind}, `), `${entry.name} has no comment`);
        if (entry.value !== undefined) assert.ok(!content.includes(entry.value), `${entry.name}'s value is in .env.example`);
      }
      for (const canary of Object.values(canarySecrets(requiredSecretKeys(sampleConfig(stack))))) assert.ok(!content.includes(canary));
    }
  });

  it("keeps the rotation register: one String parameter per non-public secret, tagged, with its period and date", async () => {
    const run = await runSampleStack("production");
    const parameters = run.ofType(PARAMETER).filter((p) => String(inputAt(p, "name")).startsWith(rotationRegister.parameterPrefix("flightpro", "production")));
    const rotated = inventoryOf("production").filter((entry) => entry.kind !== "public");
    assert.equal(rotated.length, 7);
    assert.deepEqual(
      parameters.map((p) => inputAt(p, "name")).sort(),
      rotated.map((entry) => `/flightdeck/flightpro/production/secret-rotation/${entry.name}`).sort(),
    );
    for (const entry of rotated) {
      const parameter = byKey(parameters, "name", `/flightdeck/flightpro/production/secret-rotation/${entry.name}`);
      assert.equal(inputAt(parameter, "type"), "String");
      assert.deepEqual(inputAt(parameter, "tags"), { [rotationRegister.tagKey]: "true" });
      // A generated connection string is dated by the program's rotation: at the harness's 2026-11-10, the slot
      // due last is 2026-09-04 (whole 180-day periods from 1970-01-01: day 20700 = 115 × 180), valid 180 days.
      const program = entry.source === "database-app-url" || entry.source === "database-migrator-url";
      assert.deepEqual(JSON.parse(String(inputAt(parameter, "insecureValue"))), {
        name: entry.name,
        kind: entry.kind,
        periodDays: entry.rotation?.periodDays,
        lastRotated: program ? "2026-09-04" : entry.rotation?.lastRotated,
        destinations: entry.destinations,
        rotatedBy: program ? "pulumi" : "people",
        ...(program ? { validUntil: "2027-03-03T00:00:00Z" } : {}),
      });
    }
    // The date is the Rotating's own base timestamp (its output), the one that keeps the password.
    const rotating = run.ofType("time:index/rotating:Rotating").find((resource) => inputAt(resource, "rfc3339") === "2026-09-04T00:00:00Z" && resource.name.endsWith("-db-app-rotation"));
    assert.ok(rotating, "the app's primary slot rotates at 2026-09-04");
    assert.equal(inputAt(rotating, "rotationDays"), 180);
    assert.equal(run.outputs["rotationRegisterPrefix"], "/flightdeck/flightpro/production/secret-rotation/");
  });

  it("follows a changed rotation date and period into the register", async () => {
    // A rotation that has happened by the program's clock (the harness's FLIGHTDECK_NOW): a later date is a config error.
    const yesterday = new Date(HARNESS_NOW.getTime() - 24 * 60 * 60 * 1000).toISOString().slice(0, 10);
    const run = await runSampleStack("production", (raw) => {
      const entries = raw["secrets"] as { name: string; rotation?: { periodDays: number; lastRotated: string } }[];
      const stripe = entries.find((entry) => entry.name === "STRIPE_SECRET_KEY")!;
      stripe.rotation = { periodDays: 30, lastRotated: yesterday };
    });
    const parameter = byKey(run.ofType(PARAMETER), "name", "/flightdeck/flightpro/production/secret-rotation/STRIPE_SECRET_KEY");
    const record = JSON.parse(String(inputAt(parameter, "insecureValue"))) as Record<string, unknown>;
    assert.equal(record["periodDays"], 30);
    assert.equal(record["lastRotated"], yesterday);
  });

  it("parents every child to the inventory and names it after it", async () => {
    const run = await runSampleStack("staging");
    const inventory = run.one(INVENTORY);
    const ancestors = new Set([inventory.urn, ...run.resources.filter((r) => r.parent === inventory.urn).map((r) => r.urn)]);
    const envExample = run.one(FILE, "-env-example-file");
    assert.ok(run.ofType(FILE).filter((file) => String(inputAt(file, "file")) === ".env.example").length === 1);
    for (const resource of [...run.ofType(ENV_SECRET), ...run.ofType(PARAMETER).filter((p) => p.name.includes("-rotation-")), envExample]) {
      assert.ok(resource.parent !== null && ancestors.has(resource.parent), resource.name);
      assert.ok(resource.name.startsWith(`${inventory.name}-`), resource.name);
    }
    for (const variable of run.ofType(VERCEL_VAR).filter((v) => v.parent === inventory.urn)) {
      assert.ok(variable.name.startsWith(`${inventory.name}-vercel-`), variable.name);
    }
  });
});

describe("secrets inventory (pure parts)", () => {
  const entry = (overrides: Partial<SecretEntry>): SecretEntry => ({
    name: "DATABASE_URL",
    description: "PostgreSQL connection string of the app role",
    kind: "database-password",
    source: "database-app-url",
    destinations: { vercel: true, githubEnvironment: false },
    rotation: { periodDays: 180, lastRotated: "2026-09-01" },
    ...overrides,
  });
  const everywhere = { vercel: true, githubEnvironment: true };

  it("fails clearly when a secret needs a generated value the stack did not hand over", () => {
    const problems = inventoryProblems([entry({})], { config: {}, generated: {} }, everywhere);
    assert.deepEqual(problems, [
      "DATABASE_URL: source database-app-url, but the stack handed over no database-app-url (is the database component wired into the stack?)",
    ]);
  });

  it("accepts a generated value once handed over; a config secret must have been loaded", () => {
    assert.deepEqual(inventoryProblems([entry({})], { config: {}, generated: { "database-app-url": pulumi.output("x") } }, everywhere), []);
    assert.deepEqual(inventoryProblems([entry({ name: "REDIS_URL", source: "config" })], { config: {}, generated: {} }, everywhere), [
      "REDIS_URL: source config, but the secret config key REDIS_URL was not loaded",
    ]);
  });

  it("refuses destinations the stack does not have", () => {
    const problems = inventoryProblems(
      [entry({ name: "VERCEL_TOKEN", source: "config", destinations: { vercel: true, githubEnvironment: true } })],
      { config: { VERCEL_TOKEN: pulumi.output("x") }, generated: {} },
      { vercel: false, githubEnvironment: false },
    );
    assert.deepEqual(problems, [
      "VERCEL_TOKEN: destination vercel, but the stack has no Vercel project",
      "VERCEL_TOKEN: destination githubEnvironment, but the stack has no deploy environment",
    ]);
  });

  it("renders .env.example with a comment per entry and never a value", () => {
    const text = renderEnvExample(
      [entry({}), entry({ name: "NEXT_PUBLIC_API_URL", description: "API base URL", kind: "public", source: "plain", value: "https://api.example.com", rotation: undefined })],
      "production",
    );
    assert.ok(text.includes("# PostgreSQL connection string of the app role (database-password, rotate every 180 days)\nDATABASE_URL=\n"));
    assert.ok(text.includes("# API base URL (public, not rotated)\nNEXT_PUBLIC_API_URL=\n"));
    assert.ok(!text.includes("https://api.example.com"));
    assert.match(text, /^# Managed by flightdeck \(stack production\)/);
  });
});
