import { execFile } from "node:child_process";
import { stepBash } from "../../harness/bash";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, IncomingMessage, Server, ServerResponse } from "node:http";
import { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { railwayDeployScript } from "../../../infra/workflows/railway";

/**
 * A stand-in for Railway's public GraphQL API (https://backboard.railway.com/graphql/v2) on
 * 127.0.0.1, answering the five operations the deploy script sends with the shapes Railway
 * documents: `{ "data": … }` or `{ "errors": [{ "message" }] }` (railwayapp/docs
 * src/docs/guides/public-api.md "Using a Project Token": the `Project-Access-Token` header and
 * `projectToken { projectId environmentId }`; manage-services.md: serviceInstanceUpdate (Boolean),
 * serviceInstanceDeployV2 "returns the deployment ID"; manage-deployments.md: deployment(id) status
 * values; field types from railwayapp/cli@v5.43.1 src/gql/schema.json), and the variables
 * operations of manage-variables.md: `variableCollectionUpsert(input: VariableCollectionUpsertInput!)`
 * (Boolean!; the input's fields projectId, environmentId, serviceId, variables: EnvironmentVariables!,
 * replace, skipDeploys) and `variables(projectId, environmentId, serviceId, unrendered)` (an
 * EnvironmentVariables map of name to value). The stand-in keeps the service's variables: an upsert
 * merges, `replace: true` would drop the others, and a change without `skipDeploys: true` starts a
 * deployment of the image that runs now ("By default, changing a variable triggers a redeploy").
 */
export interface Scenario {
  tokenEnvironment: string;
  services: { serviceId: string; serviceName: string }[];
  /** Statuses deployment(id) reports, one per poll; the last repeats. */
  statuses: string[];
  /** What serviceInstance reads back after the deploy; by default what the script set and deployed. */
  readBack?: { image?: string; latestDeploymentId?: string };
  httpStatus?: number;
  /** The service's variables before the deploy. */
  variables?: Record<string, string>;
  /** The upsert answers true but stores nothing (what the read-back must catch). */
  dropUpserts?: boolean;
}

export interface Call {
  operation: string;
  variables: Record<string, unknown>;
  token: string | undefined;
}

export const DIGEST = `ghcr.io/flightpro/api@sha256:${"ab".repeat(32)}`;
export const TOKEN = "railway-project-token-3f9c";

function standIn(scenario: Scenario): { server: Server; calls: Call[]; variables: Record<string, string>; triggered: string[] } {
  const calls: Call[] = [];
  let polls = 0;
  let image: string | undefined;
  let variables: Record<string, string> = { ...(scenario.variables ?? {}) };
  /** Deployments variable changes started by themselves (none when skipDeploys). */
  const triggered: string[] = [];
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    request.on("end", () => {
      const { query, variables: args = {} } = JSON.parse(body) as { query: string; variables?: Record<string, unknown> };
      const operation = /variableCollectionUpsert|serviceInstanceUpdate|serviceInstanceDeployV2|projectToken|deployment\(|serviceInstance\(|variables\(/.exec(query)?.[0].replace("(", "") ?? "unknown";
      calls.push({ operation, variables: args, token: request.headers["project-access-token"] as string | undefined });
      const reply = (status: number, payload: unknown) => {
        response.writeHead(status, { "Content-Type": "application/json" });
        response.end(JSON.stringify(payload));
      };
      if (scenario.httpStatus !== undefined) return reply(scenario.httpStatus, { errors: [{ message: "Not Authorized" }] });
      switch (operation) {
        case "projectToken":
          return reply(200, {
            data: {
              projectToken: {
                projectId: "prj-1",
                environmentId: "env-1",
                project: { name: "flightpro" },
                environment: { name: scenario.tokenEnvironment, serviceInstances: { edges: scenario.services.map((node) => ({ node })) } },
              },
            },
          });
        case "serviceInstanceUpdate":
          image = ((args["input"] as { source?: { image?: string } }).source ?? {}).image;
          return reply(200, { data: { serviceInstanceUpdate: true } });
        case "serviceInstanceDeployV2":
          return reply(200, { data: { serviceInstanceDeployV2: "dep-42" } });
        case "deployment": {
          const status = scenario.statuses[Math.min(polls++, scenario.statuses.length - 1)];
          return reply(200, { data: { deployment: { id: args["id"], status } } });
        }
        case "variableCollectionUpsert": {
          const input = args["input"] as { projectId?: string; environmentId?: string; serviceId?: string; variables?: Record<string, string>; replace?: boolean; skipDeploys?: boolean };
          if (input.projectId !== "prj-1" || input.environmentId !== "env-1" || typeof input.variables !== "object") return reply(200, { errors: [{ message: "Problem processing request" }] });
          if (!scenario.dropUpserts) variables = input.replace === true ? { ...input.variables } : { ...variables, ...input.variables };
          if (input.skipDeploys !== true) triggered.push(`redeploy of ${input.serviceId} with its current image`);
          return reply(200, { data: { variableCollectionUpsert: true } });
        }
        case "variables":
          return reply(200, { data: { variables: args["serviceId"] === "svc-api" && args["projectId"] === "prj-1" ? variables : {} } });
        case "serviceInstance":
          return reply(200, {
            data: { serviceInstance: { source: { image: scenario.readBack?.image ?? image }, latestDeployment: { id: scenario.readBack?.latestDeploymentId ?? "dep-42", status: "SUCCESS" } } },
          });
        default:
          return reply(400, { errors: [{ message: `unexpected query ${query}` }] });
      }
    });
  });
  return {
    server,
    calls,
    get variables() {
      return variables;
    },
    triggered,
  };
}

export const baseScenario: Scenario = {
  tokenEnvironment: "production",
  services: [
    { serviceId: "svc-web", serviceName: "worker" },
    { serviceId: "svc-api", serviceName: "api" },
  ],
  statuses: ["QUEUED", "BUILDING", "DEPLOYING", "SUCCESS"],
};

/** Runs the deploy script (bash, as the step runs it) against a fresh stand-in, with the step's env plus `stepEnv`. */
export async function deploy(
  scenario: Scenario,
  image = DIGEST,
  stepEnv: Record<string, string> = {},
): Promise<{ status: number; out: string; calls: Call[]; output: string; variables: Record<string, string>; triggered: string[] }> {
  const api = standIn(scenario);
  const { server, calls } = api;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const dir = mkdtempSync(path.join(tmpdir(), "flightdeck-railway-"));
  const githubOutput = path.join(dir, "output");
  writeFileSync(githubOutput, "");
  try {
    const { port } = server.address() as AddressInfo;
    const env = {
      PATH: process.env["PATH"] ?? "",
      RAILWAY_API_URL: `http://127.0.0.1:${port}/graphql/v2`,
      RAILWAY_POLL_SECONDS: "0",
      RAILWAY_TOKEN: TOKEN,
      RAILWAY_ENVIRONMENT: "production",
      RAILWAY_SERVICE: "api",
      IMAGE: image,
      GITHUB_OUTPUT: githubOutput,
      ...stepEnv,
    };
    const result = await new Promise<{ status: number; out: string }>((resolve) => {
      execFile("bash", stepBash(railwayDeployScript), { env, encoding: "utf8" }, (error, stdout, stderr) => {
        resolve({ status: error ? Number(error.code ?? 1) : 0, out: stdout + stderr });
      });
    });
    return { ...result, calls, output: readFileSync(githubOutput, "utf8"), variables: api.variables, triggered: api.triggered };
  } finally {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
