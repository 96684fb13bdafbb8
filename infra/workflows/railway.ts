/**
 * Deploying an exact API image to Railway, and waiting for it, through Railway's public GraphQL API.
 *
 * Why not the CLI: in CI, `railway environment edit --service-config <svc> source.image <ref>` reads
 * its changes from stdin whenever stdin is not a terminal, ignoring the flags; with empty stdin it
 * applies nothing and exits 0 (railwayapp/cli@v5.43.1 src/commands/environment/edit.rs,
 * get_edit_config "Priority 1: Piped stdin JSON" and read_config_from_stdin). `railway redeploy`
 * then redeploys the service's latest deployment, i.e. the image that already runs
 * (src/commands/redeploy.rs: "Redeploy the latest deployment of a service"). Neither waits.
 *
 * The script instead (docs: railwayapp/docs src/docs/guides/public-api.md, manage-services.md,
 * manage-deployments.md; types: railwayapp/cli@v5.43.1 src/gql/schema.json):
 * 1. `projectToken { projectId environmentId project { name } environment { name serviceInstances … } }`
 *    with the project token in the `Project-Access-Token` header: the token's own environment, which
 *    must be the one named in RAILWAY_ENVIRONMENT (a project token is scoped to one environment);
 * 1a. when RAILWAY_VARIABLES names variables (the inventory's `destinations.railway` entries, each
 *    value in the step's env under its own name, from the GitHub environment secret of that name):
 *    `variableCollectionUpsert(input: { projectId, environmentId, serviceId, variables, skipDeploys: true })`,
 *    which sets those and leaves the service's other variables alone (`replace` "will delete all
 *    variables not included"; "By default, changing a variable triggers a redeploy", which
 *    `skipDeploys` prevents, so the old image is never redeployed with them: railwayapp/docs
 *    src/docs/guides/manage-variables.md, "Skip Automatic Redeploy", "Replace All Variables", and its
 *    "Rotate Secrets": "Use variableUpsert with skipDeploys: true …, then trigger deployments manually";
 *    input fields from railwayapp/cli@v5.43.1 src/gql/schema.json VariableCollectionUpsertInput, as the
 *    CLI sends them: src/gql/mutations/strings/VariableCollectionUpsert.graphql); then reads them back
 *    (`variables(projectId, environmentId, serviceId, unrendered: true)`, an EnvironmentVariables map)
 *    and compares in memory: only names are printed, never a value. The deployment of step 3 runs with them;
 * 2. `serviceInstanceUpdate(serviceId, environmentId, input: { source: { image } })`: the digest;
 * 3. `serviceInstanceDeployV2(serviceId, environmentId)`: returns the new deployment's id;
 * 4. polls `deployment(id) { status }` until SUCCESS (fails on FAILED, CRASHED, REMOVED, SKIPPED or
 *    a timeout);
 * 5. reads `serviceInstance { source { image } latestDeployment { id } }` back: the service must still
 *    point at the digest and its latest deployment must be the one it waited for.
 * Only an image pinned by digest (`ghcr.io/...@sha256:<64 hex>`) is accepted. The token is sent in a
 * header and never printed. Node (global fetch) runs it: every job that deploys sets Node up first.
 */
export const RAILWAY_API = "https://backboard.railway.com/graphql/v2";

const SCRIPT = String.raw`const api = process.env.RAILWAY_API_URL || "${RAILWAY_API}";
const { RAILWAY_TOKEN: token = "", RAILWAY_ENVIRONMENT: environmentName = "", RAILWAY_SERVICE: serviceName = "", IMAGE: image = "" } = process.env;
const pollSeconds = Number(process.env.RAILWAY_POLL_SECONDS || 10);
const timeoutSeconds = Number(process.env.RAILWAY_DEPLOY_TIMEOUT_SECONDS || 900);
const fail = (message) => { console.log("::error::" + message); process.exit(1); };
if (!/^ghcr\.io\/[a-z0-9._\/-]+@sha256:[0-9a-f]{64}$/.test(image)) fail("not an image pinned by digest (ghcr.io/...@sha256:...): " + image);
if (!token || !environmentName || !serviceName) fail("RAILWAY_TOKEN, RAILWAY_ENVIRONMENT and RAILWAY_SERVICE must be set");
const variableNames = (process.env.RAILWAY_VARIABLES || "").split(/\s+/).filter((name) => name !== "");
for (const name of variableNames) if (!process.env[name]) fail("RAILWAY_VARIABLES names " + name + ", but the step has no value for it (is the environment secret " + name + " set?)");
async function gql(query, variables = {}) {
  const response = await fetch(api, { method: "POST", headers: { "Content-Type": "application/json", "Project-Access-Token": token }, body: JSON.stringify({ query, variables }) });
  if (!response.ok) fail("Railway API answered HTTP " + response.status);
  const body = await response.json();
  if (Array.isArray(body.errors) && body.errors.length > 0) fail("Railway API: " + body.errors.map((error) => error.message).join("; "));
  return body.data;
}
(async () => {
  const { projectToken } = await gql("query { projectToken { projectId environmentId project { name } environment { name serviceInstances { edges { node { serviceId serviceName } } } } } }");
  if (projectToken.environment.name !== environmentName) fail("the Railway token is for environment " + projectToken.environment.name + ", not " + environmentName);
  const service = projectToken.environment.serviceInstances.edges.map((edge) => edge.node).find((node) => node.serviceName === serviceName);
  if (!service) fail("no service " + serviceName + " in Railway environment " + environmentName);
  const ids = { serviceId: service.serviceId, environmentId: projectToken.environmentId };
  if (variableNames.length > 0) {
    const values = Object.fromEntries(variableNames.map((name) => [name, process.env[name]]));
    const upserted = await gql("mutation variableCollectionUpsert($input: VariableCollectionUpsertInput!) { variableCollectionUpsert(input: $input) }", { input: { projectId: projectToken.projectId, ...ids, variables: values, skipDeploys: true } });
    if (upserted.variableCollectionUpsert !== true) fail("variableCollectionUpsert did not set " + variableNames.join(", "));
    const { variables: stored } = await gql("query variables($projectId: String!, $environmentId: String!, $serviceId: String, $unrendered: Boolean) { variables(projectId: $projectId, environmentId: $environmentId, serviceId: $serviceId, unrendered: $unrendered) }", { projectId: projectToken.projectId, ...ids, unrendered: true });
    const differing = variableNames.filter((name) => !stored || stored[name] !== values[name]);
    if (differing.length > 0) fail("the service's variables do not hold the values just set: " + differing.join(", "));
    console.log("Railway variables of " + serviceName + " set for the next deployment (no deploy triggered by them): " + variableNames.join(", "));
  }
  const updated = await gql("mutation serviceInstanceUpdate($serviceId: String!, $environmentId: String!, $input: ServiceInstanceUpdateInput!) { serviceInstanceUpdate(serviceId: $serviceId, environmentId: $environmentId, input: $input) }", { ...ids, input: { source: { image } } });
  if (updated.serviceInstanceUpdate !== true) fail("serviceInstanceUpdate did not apply the image");
  const { serviceInstanceDeployV2: deploymentId } = await gql("mutation serviceInstanceDeployV2($serviceId: String!, $environmentId: String!) { serviceInstanceDeployV2(serviceId: $serviceId, environmentId: $environmentId) }", ids);
  if (typeof deploymentId !== "string" || deploymentId === "") fail("serviceInstanceDeployV2 returned no deployment id");
  console.log("Railway deployment " + deploymentId + ": " + serviceName + " in " + environmentName + " <- " + image);
  const pending = new Set(["INITIALIZING", "QUEUED", "WAITING", "NEEDS_APPROVAL", "BUILDING", "DEPLOYING"]);
  const deadline = Date.now() + timeoutSeconds * 1000;
  for (;;) {
    const { deployment } = await gql("query deployment($id: String!) { deployment(id: $id) { id status } }", { id: deploymentId });
    if (deployment.status === "SUCCESS") break;
    if (!pending.has(deployment.status)) fail("Railway deployment " + deploymentId + " ended " + deployment.status);
    if (Date.now() > deadline) fail("Railway deployment " + deploymentId + " still " + deployment.status + " after " + timeoutSeconds + " s");
    await new Promise((resolve) => setTimeout(resolve, pollSeconds * 1000));
  }
  const { serviceInstance } = await gql("query serviceInstance($serviceId: String!, $environmentId: String!) { serviceInstance(serviceId: $serviceId, environmentId: $environmentId) { source { image } latestDeployment { id status } } }", ids);
  if (serviceInstance.source?.image !== image) fail("the service now points at " + serviceInstance.source?.image + ", not " + image);
  if (serviceInstance.latestDeployment?.id !== deploymentId) fail("another deployment (" + serviceInstance.latestDeployment?.id + ") replaced " + deploymentId);
  if (process.env.GITHUB_OUTPUT) require("node:fs").appendFileSync(process.env.GITHUB_OUTPUT, "deployment-id=" + deploymentId + "\nimage=" + image + "\n");
  console.log("Railway deployment " + deploymentId + " is live with " + image);
})().catch((error) => fail("Railway deploy: " + (error && error.message ? error.message : String(error))));`;

/** Bash that runs the deploy script with the step's env (RAILWAY_TOKEN, RAILWAY_ENVIRONMENT, RAILWAY_SERVICE, IMAGE, RAILWAY_VARIABLES and their values). */
export const railwayDeployScript = ["set -euo pipefail", "node - <<'NODE'", SCRIPT, "NODE"].join("\n");

/** The script alone, for the spec that runs it against a stand-in of the API. */
export const railwayDeployNodeSource = SCRIPT;

/**
 * Why an inventory entry cannot be a Railway variable, or undefined: its value travels in the deploy
 * step's env under its own name, so it may not be one the step, the runner or Node read themselves.
 */
export function railwayVariableNameProblem(name: string): string | undefined {
  if (/^(RAILWAY_|GITHUB_|RUNNER_|ACTIONS_|NODE_)/.test(name) || ["IMAGE", "PATH", "HOME"].includes(name)) {
    return `the Railway deploy step reads ${name} itself; a Railway variable cannot be named so (RAILWAY_*, GITHUB_*, RUNNER_*, ACTIONS_*, NODE_*, IMAGE, PATH, HOME)`;
  }
  return undefined;
}
