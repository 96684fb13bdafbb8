import { strict as assert } from "node:assert";
import { createVerify, generateKeyPairSync } from "node:crypto";
import { createServer, IncomingMessage, ServerResponse } from "node:http";
import { AddressInfo } from "node:net";
import { parse } from "yaml";
import { StackSettings } from "../../infra/config/schema";
import { deployProductionWorkflow, deployStepIds } from "../../infra/workflows/deployProduction";
import { renderWorkflow } from "../../infra/workflows/render";
import { isStepsJob } from "../../infra/workflows/model";
import { AppRedeploy, parseAppRedeploy, redeployAfterRotation } from "../../tools/redeploy/redeploy";
import { HARNESS_NOW, inputAt, runSampleStack, StackRun } from "../harness";
import { settingsFor } from "../infra/workflows/fixtures";
import { baseScenario, deploy, DIGEST, TOKEN } from "../infra/workflows/railwayStandIn";

/**
 * The rotation joint, end to end (issue 21.1): a `pulumi up` after a slot's period elapsed rotates the
 * app's password; the new DATABASE_URL is what Vercel's variable and the deploy environment's secret hold;
 * infra.yml's redeploy step (tools/redeploy) sees the changed rotation instant and dispatches the deploy
 * workflow as the deploy App; that workflow's API step upserts the new URL into the Railway service with
 * skipDeploys and deploys (the Railway stand-in, shaped as https://docs.railway.com/integrations/api/manage-variables
 * documents: "Rotate secrets: use variableUpsert with skipDeploys: true …, then trigger deployments manually";
 * `replace: true` "will delete all variables not included"). No value reaches any output.
 *
 * GitHub stand-in, as docs.github.com documents: "Create an installation access token for an app"
 * (POST /app/installations/{installation_id}/access_tokens, a JWT signed RS256 with the App's key, 201 with
 * `token`), "Create a workflow dispatch event" (POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches,
 * 204 No Content; an input the workflow does not declare is refused with 422 "Unexpected inputs provided").
 */
describe("joints: a password rotation reaches the app through a redeploy (GitHub and Railway stand-ins)", function () {
  this.timeout(120_000);
  // The production sample rotates DATABASE_URL every 180 days; slots from 1970-01-01, the alternate shifted 90 days
  // (infra/database/passwordRotation.ts): at HARNESS_NOW the primary (due 2026-09-04) is newest; the alternate is next
  // due 2026-06-06 + 180 days = 2026-12-03, so an up on 2026-12-04 rotates it and hands it out.
  const AFTER_ROTATION = new Date("2026-12-04T09:00:00Z");
  let current: StackRun;
  let after: StackRun;
  before(async () => {
    current = await runSampleStack("production");
    after = await runSampleStack("production", undefined, { now: AFTER_ROTATION });
  });

  const appUrl = (run: StackRun, type: string, key: string, name: string) => {
    const resource = run.ofType(type).find((candidate) => inputAt(candidate, key) === name);
    assert.ok(resource, `${type} ${name}`);
    return String(inputAt(resource, "value"));
  };
  const redeployOutput = (run: StackRun): AppRedeploy | null => parseAppRedeploy(JSON.stringify(run.outputs["appRedeploy"] ?? null), "appRedeploy");
  const VERCEL_VAR = "vercel:index/projectEnvironmentVariable:ProjectEnvironmentVariable";
  const ENV_SECRET = "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret";

  it("the up after the period places a new DATABASE_URL, the same in Vercel and in the secret the Railway step reads", () => {
    const old = appUrl(current, ENV_SECRET, "secretName", "DATABASE_URL");
    const rotated = appUrl(after, ENV_SECRET, "secretName", "DATABASE_URL");
    assert.notEqual(rotated, old);
    assert.match(rotated, /^postgres(ql)?:\/\/flightpro_alt_app:/, "the alternate slot, rotated last");
    assert.match(old, /^postgres(ql)?:\/\/flightpro_app:/);
    assert.equal(appUrl(after, VERCEL_VAR, "key", "DATABASE_URL"), rotated, "Vercel's next deployment reads the same URL");
    assert.deepEqual(redeployOutput(after)?.credentials, { DATABASE_URL: { rotatedAt: "2026-12-03T00:00:00Z", validUntil: "2027-06-01T00:00:00Z" } });
    assert.equal(HARNESS_NOW < AFTER_ROTATION, true);
  });

  describe("the redeploy", () => {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs1", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });

    /** A GitHub stand-in that checks the JWT and the workflow's declared inputs (the rendered deploy-production.yml). */
    async function github(declaredInputs: readonly string[], run: (apiUrl: string) => Promise<unknown>) {
      const requests: { url: string; authorization: string; body: string }[] = [];
      const server = createServer((request: IncomingMessage, response: ServerResponse) => {
        let body = "";
        request.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
        request.on("end", () => {
          const url = request.url ?? "";
          const authorization = String(request.headers["authorization"] ?? "");
          requests.push({ url, authorization, body });
          const json = (status: number, payload: unknown) => {
            response.writeHead(status, { "content-type": "application/json" });
            response.end(JSON.stringify(payload));
          };
          if (request.method === "POST" && url === "/app/installations/51234567/access_tokens") {
            const [header, payload, signature] = authorization.replace(/^Bearer /, "").split(".");
            const verified = signature !== undefined && createVerify("RSA-SHA256").update(`${header}.${payload}`).verify(publicKey, Buffer.from(signature, "base64url"));
            if (!verified) return json(401, { message: "A JSON web token could not be decoded" });
            return json(201, { token: "ghs_installation", expires_at: "2026-12-04T10:00:00Z", permissions: { actions: "write" }, repository_selection: "selected" });
          }
          if (request.method === "POST" && url === "/repos/flightpro/flightpro/actions/workflows/deploy-production.yml/dispatches") {
            const sent = JSON.parse(body) as { ref?: string; inputs?: Record<string, string> };
            const unexpected = Object.keys(sent.inputs ?? {}).filter((name) => !declaredInputs.includes(name));
            if (authorization !== "Bearer ghs_installation") return json(401, { message: "Bad credentials" });
            if (unexpected.length > 0) return json(422, { message: `Unexpected inputs provided: ${JSON.stringify(unexpected)}` });
            response.writeHead(204);
            return response.end();
          }
          json(404, { message: "Not Found" });
        });
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      try {
        await run(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
      } finally {
        server.close();
      }
      return requests;
    }

    const settings: StackSettings = settingsFor("staging-prod");
    const rendered = parse(renderWorkflow(deployProductionWorkflow(settings), "deploy-production.yml")) as { on: { workflow_dispatch: { inputs: Record<string, unknown> } } };
    const declared = Object.keys(rendered.on.workflow_dispatch.inputs);

    it("dispatches deploy-production.yml on main as the deploy App, naming the rotated credential, and prints no value", async () => {
      const lines: string[] = [];
      const calls = await github(declared, async (apiUrl) => {
        const rotated = await redeployAfterRotation(redeployOutput(current), redeployOutput(after), { apiUrl, privateKey, now: AFTER_ROTATION, log: (line) => lines.push(line) });
        assert.deepEqual(rotated, ["DATABASE_URL"]);
      });
      assert.deepEqual(calls.map((call) => call.url), ["/app/installations/51234567/access_tokens", "/repos/flightpro/flightpro/actions/workflows/deploy-production.yml/dispatches"]);
      assert.deepEqual(JSON.parse(calls[0]!.body), { repositories: ["flightpro"], permissions: { actions: "write" } });
      assert.deepEqual(JSON.parse(calls[1]!.body), { ref: "main", inputs: { reason: "Credential rotation by pulumi up: DATABASE_URL (rotated 2026-12-03T00:00:00Z)" } });
      const printed = lines.join("\n");
      assert.match(printed, /dispatched deploy-production\.yml on main in flightpro\/flightpro/);
      for (const secret of [appUrl(after, ENV_SECRET, "secretName", "DATABASE_URL"), privateKey.split("\n")[1]!]) assert.ok(!printed.includes(secret), "no value printed");
    });

    it("dispatches nothing when the up rotated nothing the app reads", async () => {
      const lines: string[] = [];
      const calls = await github(declared, async (apiUrl) => {
        assert.deepEqual(await redeployAfterRotation(redeployOutput(after), redeployOutput(after), { apiUrl, privateKey, now: AFTER_ROTATION, log: (line) => lines.push(line) }), []);
      });
      assert.deepEqual(calls, []);
      assert.deepEqual(lines, ["No credential the app reads was rotated: no redeploy."]);
    });

    it("the dispatched deploy's API step sets the new DATABASE_URL on the Railway service (skipDeploys), keeps the rest, deploys, prints no value", async () => {
      const job = deployProductionWorkflow(settings).jobs["deploy"];
      assert.ok(job && isStepsJob(job));
      const step = job.steps.find((candidate) => candidate.id === deployStepIds.deployApi);
      assert.ok(step?.env);
      // GitHub's expressions resolved as the runner would: the environment secrets are what the rotated stack placed.
      const secrets: Record<string, string> = { RAILWAY_TOKEN: TOKEN, DATABASE_URL: appUrl(after, ENV_SECRET, "secretName", "DATABASE_URL") };
      const values: Record<string, string> = { "vars.RAILWAY_ENVIRONMENT": "production", "vars.RAILWAY_SERVICE": "api", [`steps.${deployStepIds.promote}.outputs.image`]: DIGEST };
      const env = Object.fromEntries(
        Object.entries(step.env).map(([key, value]) => [key, String(value).replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_, name: string) => (name.startsWith("secrets.") ? (secrets[name.slice(8)] ?? "") : (values[name] ?? `<${name}>`)))]),
      );
      const old = appUrl(current, ENV_SECRET, "secretName", "DATABASE_URL");
      const result = await deploy({ ...baseScenario, variables: { DATABASE_URL: old, SENTRY_DSN: "https://sentry.example/1" } }, DIGEST, env);
      assert.equal(result.status, 0, result.out);
      assert.deepEqual(result.variables, { DATABASE_URL: secrets["DATABASE_URL"], SENTRY_DSN: "https://sentry.example/1" });
      assert.deepEqual(result.triggered, [], "the variable change started no deployment of the old image");
      const operations = result.calls.map((call) => call.operation);
      assert.ok(operations.indexOf("variableCollectionUpsert") < operations.indexOf("serviceInstanceDeployV2"), "the new deployment runs with the new URL");
      assert.match(result.output, /deployment-id=dep-42/);
      for (const secret of [secrets["DATABASE_URL"]!, old, TOKEN]) assert.ok(!result.out.includes(secret), "no value printed");
    });
  });
});
