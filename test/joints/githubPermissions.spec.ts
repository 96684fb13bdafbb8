import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { AppPermission, BOOTSTRAP_APP_PERMISSIONS, DEPLOY_APP_PERMISSIONS } from "../../infra/github/appPermissions";
import { Evaluation } from "../../tools/offline/evaluate";
import { runSampleStack } from "../harness";
import { runBootstrap } from "../bootstrap/harness";
import { BRIDGE_CALLS, PROVIDER_CALLS, RestCall } from "./github/providerCalls";

/**
 * Every GitHub REST call the stacks, the bootstrap, the metrics bridge and the generated workflows make,
 * against the permission its identity has (issue 18, the GitHub joint):
 * - the deploy App (the stacks' GitHub provider and the bridge's dispatch) and the bootstrap's App, against
 *   the permission tables infra/github/appPermissions.ts keeps (and docs/ shows);
 * - each workflow job's `gh api` calls, with GITHUB_TOKEN, against the job's `permissions:`.
 * The permission each call needs comes from GitHub's own table (github/docs
 * src/github-apps/data/fpt-2022-11-28/server-to-server-permissions.json, the entries needed vendored in
 * ./github/server-to-server-permissions.json with their commit): an endpoint listed under several
 * permissions ("additional-permissions": true) needs each of them.
 */

type Access = "read" | "write";
interface Entry {
  verb: string;
  requestPath: string;
  access: Access;
  "additional-permissions": boolean;
}
const TABLE = JSON.parse(readFileSync(path.join(__dirname, "github", "server-to-server-permissions.json"), "utf8")) as Record<string, { permissions?: Entry[] }>;

/** The permissions (key → access) GitHub's table lists a call under; empty when it lists it nowhere. */
function permissionsFor(call: RestCall): Map<string, Access> {
  const needed = new Map<string, Access>();
  for (const [key, section] of Object.entries(TABLE)) {
    if (key.startsWith("$")) continue;
    // Workflows lists the contents endpoints for files under .github/workflows/ only (GitHub refuses a
    // workflow file from an App without it: DESIGN.md, verified at turn 2).
    if (key === "workflows" && !call.workflowFile) continue;
    for (const entry of section.permissions ?? []) {
      if (entry.verb !== call.verb || entry.requestPath !== call.path) continue;
      const previous = needed.get(key);
      needed.set(key, previous === "write" || entry.access === "write" ? "write" : "read");
    }
  }
  return needed;
}

/** What a call lacks from a set of granted permissions, one line each. */
function missing(call: RestCall, granted: ReadonlyMap<string, Access>, who: string): string[] {
  const needed = permissionsFor(call);
  if (needed.size === 0) return [`${who}: ${call.verb.toUpperCase()} ${call.path} is in no permission of GitHub's table (vendor its entry)`];
  return [...needed]
    .filter(([key, access]) => granted.get(key) !== "write" && granted.get(key) !== access)
    .map(([key, access]) => `${who}: ${call.verb.toUpperCase()} ${call.path} needs ${key}: ${access}`);
}

const grants = (permissions: readonly AppPermission[]) => new Map(permissions.map((permission) => [permission.key, permission.access]));

/** The GitHub calls a planned program makes through its provider: its GitHub resources' and data sources'. */
function providerCalls(plan: Evaluation): { calls: RestCall[]; unknown: string[] } {
  const calls: RestCall[] = [];
  const unknown: string[] = [];
  const add = (token: string, workflowFile = false) => {
    const known = PROVIDER_CALLS[token];
    if (!known) unknown.push(token);
    else calls.push(...known.map((call) => (call.path.endsWith("/contents/{path}") ? { ...call, workflowFile } : call)));
  };
  for (const resource of plan.resources) {
    if (!resource.custom || !resource.type.startsWith("github:") || resource.type.startsWith("pulumi:providers:")) continue;
    add(resource.type, resource.type.endsWith("RepositoryFile") && String(resource.inputs["file"]).startsWith(".github/workflows/"));
  }
  for (const invoke of plan.invokes ?? []) if (invoke.token.startsWith("github:")) add(invoke.token);
  return { calls, unknown };
}

/** `gh api` calls in a shell script: the method (-X, else POST with fields or --input, else GET) and the path. */
function ghApiCalls(script: string): { verb: RestCall["verb"]; path: string }[] {
  const calls: { verb: RestCall["verb"]; path: string }[] = [];
  for (const match of script.matchAll(/gh api\b([^\n]*)/g)) {
    const args = match[1]!;
    const target = /"(repos\/[^"]+)"/.exec(args)?.[1] ?? /\s(repos\/\S+)/.exec(args)?.[1];
    if (!target) continue;
    const explicit = /(?:-X|--method)\s+(\w+)/.exec(args)?.[1]?.toLowerCase();
    // gh api: "The default HTTP request method is GET normally and POST if any parameters were added" (cli/cli pkg/cmd/api/api.go).
    const hasFields = /(^|\s)(-f|-F|--field|--raw-field|--input)\s/.test(args);
    calls.push({ verb: (explicit ?? (hasFields ? "post" : "get")) as RestCall["verb"], path: target.split("?")[0]! });
  }
  return calls;
}

/** A call's path as GitHub's table writes it: each `$VARIABLE` segment matched against the table's `{placeholders}`. */
function templatedCall(call: { verb: RestCall["verb"]; path: string }): RestCall | undefined {
  // $REPOSITORY / $GITHUB_REPOSITORY hold owner/name: two segments.
  const segments = `/${call.path.replace(/\$(GITHUB_)?REPOSITORY\b/, "$OWNER/$REPO")}`.split("/");
  for (const section of Object.values(TABLE)) {
    for (const entry of section.permissions ?? []) {
      const pattern = entry.requestPath.split("/");
      if (entry.verb !== call.verb || pattern.length !== segments.length) continue;
      if (pattern.every((part, index) => (part.startsWith("{") ? segments[index]!.startsWith("$") : part === segments[index]))) {
        return { verb: call.verb, path: entry.requestPath };
      }
    }
  }
  return undefined;
}

/** GITHUB_TOKEN's permissions in a job: its own `permissions:`, else the workflow's (names as GitHub's table keys them). */
function tokenGrants(workflow: { permissions?: unknown }, job: { permissions?: unknown }): Map<string, Access> {
  const block = (job.permissions ?? workflow.permissions ?? {}) as Record<string, string> | string;
  // Metadata is read in every GITHUB_TOKEN, whatever the block says (the token's permission table lists it as read in
  // every case: https://docs.github.com/en/actions/security-for-github-actions/security-guides/automatic-token-authentication#permissions-for-the-github_token).
  const granted = new Map<string, Access>([["metadata", "read"]]);
  if (typeof block !== "object") return granted;
  for (const [name, level] of Object.entries(block)) if (level === "read" || level === "write") granted.set(name.replace(/-/g, "_"), level);
  return granted;
}

describe("joints: every GitHub call against the permission its identity has (GitHub's table, vendored)", function () {
  this.timeout(180_000);
  let staging: Evaluation;
  let production: Evaluation;
  let bootstrap: Evaluation;
  before(async () => {
    staging = await runSampleStack("staging");
    production = await runSampleStack("production");
    bootstrap = await runBootstrap();
  });

  const deployCalls = () => [...providerCalls(staging).calls, ...providerCalls(production).calls, ...BRIDGE_CALLS];
  const bootstrapCalls = () => providerCalls(bootstrap).calls;

  it("every GitHub resource type and data source the plans declare has its calls mapped", () => {
    assert.deepEqual([...new Set([staging, production, bootstrap].flatMap((plan) => providerCalls(plan).unknown))], []);
    assert.ok(providerCalls(production).calls.some((call) => call.workflowFile), "the stacks commit workflow files");
  });

  it("the deploy App's permissions cover every call the stacks' provider and the metrics bridge make", () => {
    assert.deepEqual(deployCalls().flatMap((call) => missing(call, grants(DEPLOY_APP_PERMISSIONS), "deploy App")), []);
  });

  it("the bootstrap's App's permissions cover every call its provider makes, reading environments and branch policies back included", () => {
    assert.deepEqual(bootstrapCalls().flatMap((call) => missing(call, grants(BOOTSTRAP_APP_PERMISSIONS), "bootstrap App")), []);
    // pulumi refresh (and every update) reads the environments back: GET …/environments/{environment_name} is under Actions: read.
    assert.deepEqual([...permissionsFor({ verb: "get", path: "/repos/{owner}/{repo}/environments/{environment_name}" })], [["actions", "read"]]);
  });

  for (const [app, table, calls] of [
    ["deploy", DEPLOY_APP_PERMISSIONS, deployCalls],
    ["bootstrap", BOOTSTRAP_APP_PERMISSIONS, bootstrapCalls],
  ] as const) {
    it(`each permission of the ${app} App is needed: dropping any one fails a named call`, () => {
      for (const permission of table) {
        const without = grants(table.filter((candidate) => candidate !== permission));
        const failures = calls().flatMap((call) => missing(call, without, `${app} App`));
        assert.ok(failures.length > 0, `${permission.key} is granted but no call needs it`);
        assert.ok(failures.every((line) => line.includes(`needs ${permission.key}:`)), failures.join("\n"));
      }
    });
  }

  it("each workflow job's gh api calls are within its GITHUB_TOKEN permissions", () => {
    const problems: string[] = [];
    let checked = 0;
    for (const plan of [staging, production]) {
      for (const file of plan.resources.filter((resource) => resource.type === "github:index/repositoryFile:RepositoryFile" && String(resource.inputs["file"]).startsWith(".github/workflows/"))) {
        const workflow = parse(String(file.inputs["content"])) as { permissions?: unknown; jobs: Record<string, { permissions?: unknown; steps?: { run?: string }[] }> };
        for (const [id, job] of Object.entries(workflow.jobs)) {
          for (const step of job.steps ?? []) {
            for (const raw of ghApiCalls(step.run ?? "")) {
              const call = templatedCall(raw);
              if (!call) {
                problems.push(`${String(file.inputs["file"])} ${id}: gh api ${raw.verb.toUpperCase()} ${raw.path} matches no endpoint of GitHub's table (vendor its entry)`);
                continue;
              }
              checked++;
              problems.push(...missing(call, tokenGrants(workflow, job), `${String(file.inputs["file"])} ${id}`));
            }
          }
        }
      }
    }
    assert.deepEqual(problems, []);
    assert.ok(checked > 0, "the generated workflows call the REST API");
  });

  it("a job whose token lacks deployments: write fails with the named call (the check can fail)", () => {
    const call = templatedCall({ verb: "post", path: "repos/$REPOSITORY/deployments" })!;
    assert.deepEqual(missing(call, new Map([["deployments", "read"]]), "job"), ["job: POST /repos/{owner}/{repo}/deployments needs deployments: write"]);
  });
});
