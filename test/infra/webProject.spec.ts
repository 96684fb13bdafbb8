import { strict as assert } from "node:assert";
import { inputAt, runConfig, runSampleStack, sampleConfig } from "../harness";

const PROJECT = "vercel:index/project:Project";
const DOMAIN = "vercel:index/projectDomain:ProjectDomain";

describe("WebProject", () => {
  it("staging-prod: the staging stack creates the Next.js project linked to the repository, production branch main", async () => {
    const run = await runSampleStack("staging");
    const project = run.one(PROJECT);
    assert.equal(inputAt(project, "name"), "flightpro-web");
    assert.equal(inputAt(project, "framework"), "nextjs");
    assert.deepEqual(inputAt(project, "gitRepository"), { type: "github", repo: "flightpro/flightpro", productionBranch: "main" });
    assert.equal(inputAt(project, "gitProviderOptions.createDeployments"), false, "pushes must not deploy around the approval gate");
  });

  it("staging's domain follows the staging branch; production's domain is the production deployment", async () => {
    const staging = await runSampleStack("staging");
    assert.equal(inputAt(staging.one(DOMAIN), "domain"), "app-staging.flightpro.com");
    assert.equal(inputAt(staging.one(DOMAIN), "gitBranch"), "staging");
    const production = await runSampleStack("production");
    assert.equal(inputAt(production.one(DOMAIN), "domain"), "app.flightpro.com");
    assert.equal(inputAt(production.one(DOMAIN), "gitBranch"), undefined);
  });

  it("the production stack of staging-prod looks the project up instead of creating a second one", async () => {
    const production = await runSampleStack("production");
    assert.equal(production.ofType(PROJECT).length, 0);
    assert.match(String(inputAt(production.one(DOMAIN), "projectId")), /^prj_\d+$/);
  });

  it("direct-prod: the production stack owns the project", async () => {
    const raw = sampleConfig("production");
    raw["model"] = "direct-prod";
    (raw["github"] as Record<string, unknown>)["branches"] = { production: "main" };
    const run = await runConfig(raw, { stack: "production" });
    assert.equal(run.ofType(PROJECT).length, 1);
  });
});
