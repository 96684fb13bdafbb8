import { strict as assert } from "node:assert";
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { scratchDir } from "../../harness/scratch";
import { readStackConfig } from "../../../tools/offline/stackConfig";
import { packCopyDisagreements } from "../../../tools/policy/packCopies";

const REPOSITORY = path.resolve(__dirname, "..", "..", "..");
const CONFIG = path.join(REPOSITORY, "policies", "config", "production.json");

/** A project directory with this checkout's Pulumi.yaml and production stack file, `edit`ed. */
function project(edit: (files: { project: string; stack: string }) => { project: string; stack: string } = (files) => files): string {
  const dir = scratchDir("pack-copies");
  const files = edit({ project: readFileSync(path.join(REPOSITORY, "Pulumi.yaml"), "utf8"), stack: readFileSync(path.join(REPOSITORY, "Pulumi.production.yaml"), "utf8") });
  writeFileSync(path.join(dir, "Pulumi.yaml"), files.project);
  writeFileSync(path.join(dir, "Pulumi.production.yaml"), files.stack);
  return dir;
}

function disagreements(dir: string, config: unknown = JSON.parse(readFileSync(CONFIG, "utf8"))): string[] {
  return packCopyDisagreements(config, CONFIG, readStackConfig("production", dir), dir);
}

describe("the pack config's deliberate copies (tools/policy/packCopies.ts)", () => {
  it("this checkout's stack files and production.json agree", () => {
    assert.deepEqual(disagreements(project()), []);
  });

  it("another deploy App in Pulumi.yaml: one error naming its line and the config file, listing the three policies", () => {
    const dir = project((files) => ({ ...files, project: files.project.replace("id: 918273", "id: 424242") }));
    const problems = disagreements(dir);
    assert.equal(problems.length, 1);
    const line = readFileSync(path.join(dir, "Pulumi.yaml"), "utf8").split("\n").findIndex((text) => text.includes("id: 424242")) + 1;
    assert.match(problems[0]!, new RegExp(`^Pulumi\\.yaml:${line}:\\d+: flightdeck:github\\.deployIdentity\\.id is 424242, but ${path.relative(dir, CONFIG).replace(/[./]/g, "\\$&")} gives appId `));
    for (const policy of ["github-provider-governed-app", "github-ruleset-bypass-deploy-app-only", "github-workflow-files-committed-by-bypass-app"]) assert.match(problems[0]!, new RegExp(`${policy} 918273`));
  });

  it("a runtime setting the pack's plainKeys does not allow: named at its line in the stack file", () => {
    const dir = project((files) => ({ ...files, stack: files.stack.replace("    LOG_LEVEL: info\n", "    LOG_LEVEL: info\n    SESSION_SECRET: q9P2v7X4m1\n") }));
    const problems = disagreements(dir);
    assert.equal(problems.length, 1);
    const line = readFileSync(path.join(dir, "Pulumi.production.yaml"), "utf8").split("\n").findIndex((text) => text.includes("SESSION_SECRET")) + 1;
    assert.match(problems[0]!, new RegExp(`^Pulumi\\.production\\.yaml:${line}:5: SESSION_SECRET is a plain \\(not sensitive\\) Vercel variable, but .*production\\.json's vercel-env-var-sensitive\\.plainKeys`));
  });

  it("a public secret for Vercel outside plainKeys is named; a sensitive one, or one allowed by a glob, is not", () => {
    const config = JSON.parse(readFileSync(CONFIG, "utf8")) as Record<string, { plainKeys?: string[] }>;
    config["vercel-env-var-sensitive"]!.plainKeys = ["FEATURE_FLAGS_UNRELEASED", "RATE_LIMIT_PER_MINUTE", "STRIPE_MODE", "LOG_LEVEL", "NEXT_PUBLIC_API_*"];
    const problems = disagreements(project(), config);
    // NEXT_PUBLIC_API_URL matches the glob; NEXT_PUBLIC_POSTHOG_KEY is public and goes to Vercel; the sensitive entries never count.
    assert.deepEqual(problems.map((problem) => problem.split(" is a plain")[0]!.split(": ")[1]), ["NEXT_PUBLIC_POSTHOG_KEY"]);
  });

  it("a config that sets no appId or plainKeys has nothing to disagree with", () => {
    assert.deepEqual(disagreements(project((files) => ({ ...files, project: files.project.replace("id: 918273", "id: 1") })), { all: "mandatory" }), []);
  });
});
