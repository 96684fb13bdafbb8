import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { evaluateProgram } from "../../tools/offline/evaluate";
import { readStackConfig } from "../../tools/offline/stackConfig";
import { PlanDocument, planDocument } from "../../tools/plan/document";
import { runPlan } from "../../tools/plan/main";
import { renderText } from "../../tools/plan/render/text";
import { PROJECT_DIR, canarySecrets, requiredSecretKeys, sampleConfig } from "../harness";
import { linkProgram, scratchDir } from "../harness/scratch";

describe("npm run plan", () => {
  // One plan for the tests that read the same one (same arguments, same stack files), made when first asked for.
  let productionJson: ReturnType<typeof runPlan> | undefined;
  const planProductionJson = () => (productionJson ??= runPlan(["--stack", "production", "--format", "json", "--no-policy"]));

  it("prints the production stack as JSON of the documented shape", async () => {
    const result = await planProductionJson();
    assert.equal(result.exitCode, 0, result.errors.join("\n"));
    const plan = JSON.parse(result.output) as PlanDocument;
    assert.equal(plan.project, "flightdeck");
    assert.equal(plan.stack, "production");
    assert.ok(plan.resources.length > 2);
    const providerUrns = new Set((plan.providers ?? []).map((provider) => provider.urn));
    for (const resource of plan.resources) {
      const secrets = resource.secretFingerprints === undefined ? [] : ["secretFingerprints", "secretValueIds"];
      // The engine analyzes every custom resource but a provider with a provider (its explicit one or its package's default).
      const provider = resource.custom && !resource.type.startsWith("pulumi:providers:") ? ["providerUrn"] : [];
      assert.deepEqual(Object.keys(resource).sort(), ["custom", "inputs", "name", "options", "parent", ...provider, ...secrets, "type", "urn"].sort());
      if (resource.providerUrn !== undefined) assert.ok(providerUrns.has(resource.providerUrn), `${resource.urn}: ${resource.providerUrn} is not among the plan's providers`);
      assert.deepEqual(Object.keys(resource.secretValueIds ?? {}), Object.keys(resource.secretFingerprints ?? {}));
      assert.match(resource.urn, /^urn:pulumi:production::flightdeck::/);
    }
    assert.equal(plan.summary.resources, plan.resources.length);
    const counted = Object.values(plan.summary.byType).reduce((sum, n) => sum + n, 0);
    assert.equal(counted, plan.resources.length);
    const rulesets = plan.resources.filter((r) => r.type === "github:index/repositoryRuleset:RepositoryRuleset");
    assert.equal(plan.summary.byType["github:index/repositoryRuleset:RepositoryRuleset"], rulesets.length);
  });

  it("--format evaluation keeps secret inputs as evaluated, with their paths; json masks them", async () => {
    // One at a time: a process holds one Pulumi runtime.
    const evaluation = await runPlan(["--stack", "production", "--format", "evaluation", "--no-policy"]);
    const json = await planProductionJson();
    const github = (output: string) => (JSON.parse(output) as PlanDocument).providers?.find((provider) => provider.type === "pulumi:providers:github");
    const kept = github(evaluation.output);
    assert.deepEqual(kept?.secretPaths, ["appAuth"]);
    const appAuth = JSON.parse(String(kept?.inputs["appAuth"])) as Record<string, unknown>;
    assert.deepEqual([appAuth["id"], appAuth["installationId"]], ["918273", "51234567"], "the App's identity, as the pack needs it");
    assert.equal(github(json.output)?.inputs["appAuth"], "[secret]");
    assert.equal(github(json.output)?.secretPaths, undefined);
  });

  it("puts every resource under an existing parent", async () => {
    const plan = JSON.parse((await runPlan(["--stack", "staging", "--format", "json", "--no-policy"])).output) as PlanDocument;
    const urns = new Set(plan.resources.map((r) => r.urn));
    const orphans = plan.resources.filter((r) => r.parent !== null && !urns.has(r.parent));
    assert.deepEqual(orphans, []);
    assert.equal(plan.resources.filter((r) => r.parent === null).length, 1, "one root: the stack");
  });

  it("marks unset secrets as offline placeholders and still prints them as [secret]", async () => {
    const plan = JSON.parse((await planProductionJson()).output) as PlanDocument;
    assert.ok(plan.unsetSecrets.includes("flightdeck:STRIPE_SECRET_KEY"), plan.unsetSecrets.join(", "));
    assert.ok(!JSON.stringify(plan).includes("<unset secret"), "placeholder value leaked");
    const text = (await runPlan(["--stack", "production", "--no-policy"])).output;
    assert.match(text, /Unset secrets \(offline placeholders; `pulumi up` requires them\): .*flightdeck:STRIPE_SECRET_KEY/);
  });

  for (const stack of ["staging", "production"] as const) {
    it(`never prints a secret value of ${stack}, in text or JSON`, async () => {
      const raw = readStackConfig(stack, PROJECT_DIR);
      const secrets = canarySecrets(requiredSecretKeys(sampleConfig(stack)));
      const config = { ...raw.config };
      for (const [key, value] of Object.entries(secrets)) config[`flightdeck:${key}`] = value;
      const evaluation = await evaluateProgram({ ...raw, config, secretKeys: Object.keys(secrets).map((k) => `flightdeck:${k}`) });
      const plan = planDocument(evaluation);
      const outputs = [JSON.stringify(plan, null, 2), renderText(plan)];
      const everything = JSON.stringify(evaluation.resources);
      for (const value of Object.values(secrets)) {
        for (const output of outputs) assert.ok(!output.includes(value), `secret ${value} printed`);
      }
      const reached = Object.entries(secrets).filter(([, value]) => everything.includes(value)).map(([key]) => key);
      assert.deepEqual(reached.sort(), Object.keys(secrets).sort(), "every secret must reach a resource, or this test proves nothing");
      assert.ok(JSON.stringify(plan).includes('"[secret]"'));
    });
  }

  it("exits 2 with one line per problem for an unknown stack, a bad flag or an invalid config", async () => {
    const unknown = await runPlan(["--stack", "qa"]);
    assert.equal(unknown.exitCode, 2);
    assert.match(unknown.errors[0]!, /^unknown stack "qa": no Pulumi\.qa\.yaml/);

    const badFlag = await runPlan(["--stack", "production", "--colour"]);
    assert.equal(badFlag.exitCode, 2);
    assert.equal(badFlag.errors[0], 'unknown argument "--colour"');

    const dir = scratchDir("plan");
    linkProgram(dir);
    copyFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    const broken = readFileSync(path.join(PROJECT_DIR, "Pulumi.production.yaml"), "utf8")
      .replace("flightdeck:environment: production", "flightdeck:environment: prod")
      .replace("sslMode: require", "sslMode: disable");
    writeFileSync(path.join(dir, "Pulumi.broken.yaml"), broken);
    const invalid = await runPlan(["--stack", "broken"], { projectDir: dir });
    assert.equal(invalid.exitCode, 2);
    // Every problem at once: the stack file's, and that the pack has no config for this stack.
    assert.deepEqual(invalid.errors, [
      'Pulumi.broken.yaml:5:3: flightdeck:environment: expected one of "staging", "production" (got "prod")',
      'Pulumi.broken.yaml:33:5: flightdeck:database.sslMode: expected one of "require", "verify-ca", "verify-full" (got "disable")',
      `the policy pack ${path.join(PROJECT_DIR, "policies")} has no policy config for stack "broken": expected ${path.join(PROJECT_DIR, "policies", "config", "broken.json")}`,
    ]);
  });

  it("as a command: exit 0 on success, exit 2 without a stack trace on bad input", function () {
    this.timeout(120000);
    const tsx = path.join(PROJECT_DIR, "node_modules", ".bin", "tsx");
    const ok = spawnSync(tsx, ["tools/plan/main.ts", "--stack", "staging", "--format", "json"], { cwd: PROJECT_DIR, encoding: "utf8" });
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal((JSON.parse(ok.stdout) as PlanDocument).stack, "staging");
    const bad = spawnSync(tsx, ["tools/plan/main.ts", "--stack", "nope"], { cwd: PROJECT_DIR, encoding: "utf8" });
    assert.equal(bad.status, 2);
    assert.equal(bad.stdout, "");
    assert.equal(bad.stderr, `plan: unknown stack "nope": no Pulumi.nope.yaml in ${PROJECT_DIR} (stacks there: production, staging)\n`);
  });
});
