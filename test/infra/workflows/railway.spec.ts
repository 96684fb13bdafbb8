import { strict as assert } from "node:assert";
import { deployProductionWorkflow, deployStepIds } from "../../../infra/workflows/deployProduction";
import { isStepsJob } from "../../../infra/workflows/model";
import { RAILWAY_API, railwayDeployScript, railwayVariableNameProblem } from "../../../infra/workflows/railway";
import { settingsFor } from "./fixtures";
import { baseScenario, deploy, DIGEST, TOKEN } from "./railwayStandIn";

describe("Railway deploy script (against a stand-in of the public GraphQL API)", () => {
  it("targets Railway's public API endpoint by default", () => {
    assert.equal(RAILWAY_API, "https://backboard.railway.com/graphql/v2");
    assert.ok(railwayDeployScript.includes(`process.env.RAILWAY_API_URL || "${RAILWAY_API}"`));
  });

  it("points the named service at the digest, deploys it, waits until SUCCESS and proves it is what runs", async () => {
    const result = await deploy(baseScenario);
    assert.equal(result.status, 0, result.out);
    assert.deepEqual(result.calls.map((call) => call.operation), ["projectToken", "serviceInstanceUpdate", "serviceInstanceDeployV2", "deployment", "deployment", "deployment", "deployment", "serviceInstance"]);
    assert.ok(result.calls.every((call) => call.token === TOKEN), "the project token goes in the Project-Access-Token header");
    assert.deepEqual(result.calls[1]!.variables, { serviceId: "svc-api", environmentId: "env-1", input: { source: { image: DIGEST } } });
    assert.deepEqual(result.calls[2]!.variables, { serviceId: "svc-api", environmentId: "env-1" });
    assert.equal(result.output, `deployment-id=dep-42\nimage=${DIGEST}\n`);
    assert.ok(!result.out.includes(TOKEN), "the token is never printed");
  });

  it("refuses an image that is not pinned by digest, before calling the API", async () => {
    for (const image of ["ghcr.io/flightpro/api:latest", "ghcr.io/flightpro/api:3f2a1c9", "docker.io/evil/api@sha256:" + "0".repeat(64)]) {
      const result = await deploy(baseScenario, image);
      assert.equal(result.status, 1, image);
      assert.match(result.out, /::error::not an image pinned by digest/);
      assert.deepEqual(result.calls, []);
    }
  });

  it("refuses a token of another environment, and an unknown service, before changing anything", async () => {
    const staging = await deploy({ ...baseScenario, tokenEnvironment: "staging" });
    assert.equal(staging.status, 1);
    assert.match(staging.out, /the Railway token is for environment staging, not production/);
    assert.deepEqual(staging.calls.map((call) => call.operation), ["projectToken"]);
    const missing = await deploy({ ...baseScenario, services: [{ serviceId: "svc-web", serviceName: "worker" }] });
    assert.match(missing.out, /no service api in Railway environment production/);
    assert.deepEqual(missing.calls.map((call) => call.operation), ["projectToken"]);
  });

  it("fails when the deployment ends FAILED or CRASHED, and when another deployment replaced it", async () => {
    for (const status of ["FAILED", "CRASHED", "REMOVED"]) {
      const result = await deploy({ ...baseScenario, statuses: ["BUILDING", status] });
      assert.equal(result.status, 1, status);
      assert.match(result.out, new RegExp(`Railway deployment dep-42 ended ${status}`));
      assert.equal(result.output, "");
    }
    const replaced = await deploy({ ...baseScenario, readBack: { latestDeploymentId: "dep-43" } });
    assert.equal(replaced.status, 1);
    assert.match(replaced.out, /another deployment \(dep-43\) replaced dep-42/);
    const repointed = await deploy({ ...baseScenario, readBack: { image: "ghcr.io/flightpro/api:latest" } });
    assert.match(repointed.out, /the service now points at ghcr\.io\/flightpro\/api:latest/);
  });

  it("fails on an API error without printing the token", async () => {
    const result = await deploy({ ...baseScenario, httpStatus: 401 });
    assert.equal(result.status, 1);
    assert.match(result.out, /Railway API answered HTTP 401/);
    assert.ok(!result.out.includes(TOKEN));
  });

  describe("the service's variables (destinations.railway), as the generated deploy step sets them", () => {
    const APP_URL = "postgresql://flightpro_alt_app:Rotated0Password0Value@db.internal:5432/flightpro?sslmode=require";
    /** The production deploy job's API step, as generated from the sample stack, with GitHub's expressions resolved as the runner would. */
    function generatedStepEnv(secrets: Record<string, string>): { env: Record<string, string>; run: string } {
      const deploy = deployProductionWorkflow(settingsFor("staging-prod")).jobs["deploy"];
      assert.ok(deploy && isStepsJob(deploy));
      const step = deploy.steps.find((candidate) => candidate.id === deployStepIds.deployApi);
      assert.ok(step?.env && step.run, "the deploy job has the API step");
      const values: Record<string, string> = { "vars.RAILWAY_ENVIRONMENT": "production", "vars.RAILWAY_SERVICE": "api", "steps.promote.outputs.image": DIGEST };
      const env = Object.fromEntries(
        Object.entries(step.env).map(([key, value]) => [
          key,
          String(value).replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_, name: string) => (name.startsWith("secrets.") ? (secrets[name.slice(8)] ?? "") : (values[name] ?? `<${name}>`))),
        ]),
      );
      return { env, run: step.run };
    }

    it("the generated step names the sample's Railway variables and reads each from the environment secret of its name", () => {
      const { env, run } = generatedStepEnv({ RAILWAY_TOKEN: TOKEN, DATABASE_URL: APP_URL });
      assert.equal(run, railwayDeployScript);
      assert.equal(env["RAILWAY_VARIABLES"], "DATABASE_URL");
      assert.equal(env["DATABASE_URL"], APP_URL);
    });

    it("upserts them into the service with skipDeploys, keeps the other variables, reads them back, then deploys; never prints a value", async () => {
      const { env } = generatedStepEnv({ RAILWAY_TOKEN: TOKEN, DATABASE_URL: APP_URL });
      const before = { DATABASE_URL: "postgresql://flightpro_app:Previous0Password@db.internal:5432/flightpro?sslmode=require", SENTRY_DSN: "https://sentry.example/1" };
      const result = await deploy({ ...baseScenario, variables: before }, DIGEST, env);
      assert.equal(result.status, 0, result.out);
      assert.deepEqual(result.calls.map((call) => call.operation).slice(0, 5), ["projectToken", "variableCollectionUpsert", "variables", "serviceInstanceUpdate", "serviceInstanceDeployV2"]);
      assert.deepEqual(result.calls[1]!.variables, { input: { projectId: "prj-1", serviceId: "svc-api", environmentId: "env-1", variables: { DATABASE_URL: APP_URL }, skipDeploys: true } });
      assert.deepEqual(result.variables, { DATABASE_URL: APP_URL, SENTRY_DSN: before.SENTRY_DSN }, "set, and nothing else removed");
      assert.deepEqual(result.triggered, [], "no deployment of the old image with the new variables");
      assert.match(result.out, /Railway variables of api set for the next deployment \(no deploy triggered by them\): DATABASE_URL/);
      for (const secret of [APP_URL, "Rotated0Password0Value", TOKEN]) assert.ok(!result.out.includes(secret), "no value printed");
    });

    it("fails before the image changes when the service does not hold what was set, or a named value is missing", async () => {
      const { env } = generatedStepEnv({ RAILWAY_TOKEN: TOKEN, DATABASE_URL: APP_URL });
      const dropped = await deploy({ ...baseScenario, dropUpserts: true }, DIGEST, env);
      assert.equal(dropped.status, 1);
      assert.match(dropped.out, /::error::the service's variables do not hold the values just set: DATABASE_URL/);
      assert.ok(!dropped.calls.some((call) => call.operation === "serviceInstanceUpdate" || call.operation === "serviceInstanceDeployV2"));
      assert.ok(!dropped.out.includes(APP_URL));

      const unset = generatedStepEnv({ RAILWAY_TOKEN: TOKEN }).env;
      const missing = await deploy(baseScenario, DIGEST, unset);
      assert.equal(missing.status, 1);
      assert.match(missing.out, /::error::RAILWAY_VARIABLES names DATABASE_URL, but the step has no value for it \(is the environment secret DATABASE_URL set\?\)/);
      assert.deepEqual(missing.calls, [], "nothing is called");
    });

    it("refuses names the step reads itself", () => {
      assert.equal(railwayVariableNameProblem("DATABASE_URL"), undefined);
      for (const name of ["RAILWAY_TOKEN", "IMAGE", "PATH", "GITHUB_OUTPUT", "NODE_OPTIONS"]) assert.match(railwayVariableNameProblem(name) ?? "", new RegExp(`reads ${name} itself`));
    });
  });
});
