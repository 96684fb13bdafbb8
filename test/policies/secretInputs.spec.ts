import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { SECRET_INPUTS } from "../../policies/rules/secrets";
import { PROJECT_DIR, runSampleStack } from "../harness";

const PACKAGES: Record<string, string> = { aws: "@pulumi/aws", github: "@pulumi/github", postgresql: "@pulumi/postgresql", vercel: "@pulumiverse/vercel", random: "@pulumi/random" };

/**
 * The inputs a provider's SDK always makes secret: its generated resource class lists them in
 * `additionalSecretOutputs` (and wraps them in pulumi.secret); provider classes wrap their
 * credential config in pulumi.secret. Read from the installed SDKs, the upstream code the program runs.
 */
function sdkSecretFields(type: string): string[] | undefined {
  const [namespace, module, className] = type.split(":");
  if (namespace === "pulumi" && module === "providers") {
    const source = readFileSync(path.join(PROJECT_DIR, "node_modules", PACKAGES[className!]!, "provider.js"), "utf8");
    return [...source.matchAll(/resourceInputs\["(\w+)"\] = \(?args\?\.\w+ \? pulumi\.secret/g)].map((match) => match[1]!);
  }
  const pkg = PACKAGES[namespace!];
  if (!pkg) return undefined;
  const [folder, file] = module!.split("/");
  const source = readFileSync(path.join(PROJECT_DIR, "node_modules", pkg, folder === "index" ? "" : folder!, `${file}.js`), "utf8");
  const listed = /additionalSecretOutputs: \[([^\]]*)\]/.exec(source)?.[1];
  return listed === undefined ? [] : [...listed.matchAll(/"(\w+)"/g)].map((match) => match[1]!);
}

describe("the credential scan's secret-by-design inputs", () => {
  it("are exactly the inputs each provider SDK makes secret (plus the program's one secret sink, and the GitHub App key)", () => {
    for (const [type, fields] of Object.entries(SECRET_INPUTS)) {
      const sdk = sdkSecretFields(type) ?? [];
      const expected = type === "aws:sns/topicSubscription:TopicSubscription" ? ["endpoint"] : type === "pulumi:providers:github" ? [...sdk, "appAuth"] : sdk;
      assert.deepEqual([...fields].sort(), expected.sort(), type);
    }
  });

  it("cover every secret input the sample stacks declare", async function () {
    this.timeout(120000);
    for (const stack of ["staging", "production"] as const) {
      const run = await runSampleStack(stack);
      for (const resource of run.resources.filter((candidate) => candidate.custom)) {
        const sdk = sdkSecretFields(resource.type);
        if (sdk === undefined) continue;
        for (const key of Object.keys(resource.inputs)) {
          if (sdk.includes(key)) assert.ok(SECRET_INPUTS[resource.type]?.includes(key), `${resource.type} ${key} is secret in the SDK but scanned`);
        }
      }
    }
  });
});
