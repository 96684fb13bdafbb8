import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { stackPolicy, StackResource } from "../lib/define";
import { METRIC_ALARM } from "../lib/alarms";
import { bridgesOf, isDocument, LAMBDA_FUNCTION } from "../lib/bridges";
import { isReadOnly } from "../lib/iamActions";
import { grantedActions, isAllow, parsePolicyDocument, Statement } from "../lib/policyDocument";
import { CODEBUILD_PROJECT } from "../lib/recovery";
import { matchRefPattern } from "../lib/refPattern";
import { REPOSITORY_RULESET } from "../lib/rulesets";
import { currentStack } from "../lib/stack";
import { foundIn, Identifier, identifiersOf, normalHost, StackIdentities, StackIdentity, wildcardReaches } from "../lib/stackIdentity";
import { asArray, asRecord, at, isRecord, knownNumber, knownString, Plain, PlainRecord, stringsIn } from "../lib/values";

/**
 * Every stack is its own: staging's advisory gate never reaches production's resources, nor production
 * staging's. Mandatory in every stack (lib/floors.ts LEVEL_FLOORS): "advisory" is for staging's own
 * quality, never for what touches production.
 */

const REPOSITORY_FILE = "github:index/repositoryFile:RepositoryFile";
const BRANCH_PROTECTION = "github:index/branchProtection:BranchProtection";
const DEPLOYMENT_POLICY = "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy";
const DEPLOYMENT_BRANCH_POLICY = "github:index/repositoryDeploymentBranchPolicy:RepositoryDeploymentBranchPolicy";
const VERCEL_ENV_VAR = "vercel:index/projectEnvironmentVariable:ProjectEnvironmentVariable";
const VERCEL_ENV_VARS = "vercel:index/projectEnvironmentVariables:ProjectEnvironmentVariables";
const VERCEL_SHARED_ENV_VAR = "vercel:index/sharedEnvironmentVariable:SharedEnvironmentVariable";
const VERCEL_DOMAIN = "vercel:index/projectDomain:ProjectDomain";
const POSTGRES_PROVIDER = "pulumi:providers:postgresql";
const POSTGRES_DATABASE = "postgresql:index/database:Database";
const FEATURE_FLAG = "pulumi-nodejs:dynamic/posthog:FeatureFlag";

/** Inputs that describe rather than point somewhere: free text may name another stack. */
const DESCRIPTIVE_INPUTS = new Set(["description", "comment", "commitMessage", "alarmDescription", "displayName", "tags", "tagsAll", "__provider"]);

/** Where a job reads what it works on: a readable identifier of another stack may be handed to it there (its role decides what it may do). */
function isJobVariable(type: string, path: string): boolean {
  return (type === CODEBUILD_PROJECT && /^environment\.environmentVariables\[\d+\]\.value$/.test(path)) || (type === LAMBDA_FUNCTION && path.startsWith("environment.variables."));
}

/**
 * Where a value is a variable a job or an app runs with (a GitHub Actions variable, a Vercel variable, a
 * function's or a job's environment, a parameter): one that is another stack's environment (its name, its
 * Railway environment) sends what reads it there, as staging's deploy job deploying to production's Railway
 * environment through RAILWAY_ENVIRONMENT would.
 */
function isVariableValue(type: string, path: string): boolean {
  return type !== FEATURE_FLAG && (/(^|\.|\])value$/.test(path) || path.startsWith("environment.variables."));
}

/** Actions that take nothing from another stack but a read: the reference's Read and List levels, and decryption. */
function onlyReads(statement: Statement): boolean {
  if (statement.actions === undefined) return false;
  const granted = grantedActions(statement);
  return granted.length > 0 && granted.every((action) => isReadOnly(action) || action.name === "kms:Decrypt");
}

interface Findings {
  add(resource: StackResource, path: string, text: string): void;
  has(resource: StackResource, path: string): boolean;
}

function findings(): Findings & { byResource: Map<string, string[]> } {
  const byResource = new Map<string, string[]>();
  const paths = new Set<string>();
  return {
    byResource,
    add(resource, path, text) {
      paths.add(`${resource.urn}\0${path}`);
      const list = byResource.get(resource.urn) ?? [];
      if (!list.includes(text)) list.push(text);
      byResource.set(resource.urn, list);
    },
    has: (resource, path) => paths.has(`${resource.urn}\0${path}`),
  };
}

function hitText(path: string, hit: Identifier): string {
  return `${path} names ${hit.stack}'s ${hit.kind} ${hit.value}`;
}

/**
 * Whether a branch pattern (ruleset ref, protection pattern, deployment policy) may match another stack's branch.
 * `~DEFAULT_BRANCH` is the repository's default branch (GitHub's ruleset conditions,
 * https://docs.github.com/en/rest/repos/rules#create-a-repository-ruleset `ref_name.include`).
 */
function branchesReached(pattern: string, others: [string, StackIdentity][], asRef: boolean, defaultBranch: string): string[] {
  if (pattern === "~ALL") return others.map(([stack, identity]) => `${stack}'s branch ${identity.branch}`);
  if (pattern === "~DEFAULT_BRANCH") return others.filter(([, identity]) => identity.branch === defaultBranch).map(([stack, identity]) => `${stack}'s branch ${identity.branch}`);
  return others.filter(([, identity]) => matchRefPattern(pattern, asRef ? `refs/heads/${identity.branch}` : identity.branch) !== "no-match").map(([stack, identity]) => `${stack}'s branch ${identity.branch}`);
}

/** The Vercel targets of each variable a resource declares, with the path of its targets and its branch. */
function vercelVariables(resource: StackResource): { path: string; targets: string[]; gitBranch?: string }[] {
  const one = (record: PlainRecord | undefined, path: string, shared?: PlainRecord) => ({
    path,
    targets: asArray(record?.["targets"] ?? shared?.["targets"]).map((target) => String(target)),
    gitBranch: knownString(record?.["gitBranch"] ?? shared?.["gitBranch"]),
  });
  if (resource.type === VERCEL_ENV_VAR || resource.type === VERCEL_SHARED_ENV_VAR) return [one(resource.props, "")];
  if (resource.type === VERCEL_ENV_VARS) return asArray(resource.props["variables"]).map((variable, index) => one(asRecord(variable), `variables[${index}].`, resource.props));
  return [];
}

/** Postgres connection URLs in a text (a DATABASE_URL, a job's variable). */
function postgresUrls(text: string): URL[] {
  const urls: URL[] = [];
  for (const match of text.matchAll(/postgres(?:ql)?:\/\/[^\s"'<>]+/gi)) {
    try {
      urls.push(new URL(match[0]));
    } catch {
      // not a URL: nothing it points at can be read
    }
  }
  return urls;
}

interface Context {
  stack: string;
  own: StackIdentity;
  others: [string, StackIdentity][];
  foreign: Identifier[];
  found: Findings;
  /** The repository's default branch (~DEFAULT_BRANCH). */
  defaultBranch: string;
}

/** What the stack's resources must take from its own identity (environment, branch, targets, database, namespace). */
function judgeTyped(resource: StackResource, { stack, own, others, found, defaultBranch }: Context): void {
  const props = resource.props;
  const otherNames = new Set(others.map(([name]) => name.toLowerCase()));
  const environment = knownString(props["environment"]);
  if (environment !== undefined) {
    const mustBeOwn = resource.type.startsWith("github:") || resource.type === FEATURE_FLAG;
    if ((mustBeOwn && environment.trim().toLowerCase() !== stack.toLowerCase()) || otherNames.has(environment.trim().toLowerCase())) {
      found.add(resource, "environment", `environment is ${JSON.stringify(environment)}: stack ${stack} deploys only to its own environment, ${stack}`);
    }
  }
  if (resource.type === REPOSITORY_FILE) {
    const branch = knownString(props["branch"]);
    if (branch !== own.branch) found.add(resource, "branch", `commits ${knownString(props["file"]) ?? "a file"} to ${branch === undefined ? "the repository's default branch" : `branch ${branch}`}: stack ${stack} commits only to its branch ${own.branch}`);
  }
  if (resource.type === REPOSITORY_RULESET) {
    asArray(at(props, "conditions.refName.includes")).forEach((pattern, index) => {
      const text = knownString(pattern);
      if (text === undefined) return;
      const reached = branchesReached(text, others, true, defaultBranch);
      if (reached.length > 0) found.add(resource, `conditions.refName.includes[${index}]`, `conditions.refName.includes[${index}] ${JSON.stringify(text)} applies to ${reached.join(", ")}`);
    });
  }
  const branchPattern =
    resource.type === BRANCH_PROTECTION ? ["pattern", knownString(props["pattern"])] : resource.type === DEPLOYMENT_POLICY ? ["branchPattern", knownString(props["branchPattern"])] : resource.type === DEPLOYMENT_BRANCH_POLICY ? ["name", knownString(props["name"])] : undefined;
  if (branchPattern?.[1] !== undefined) {
    const reached = branchesReached(branchPattern[1], others, false, defaultBranch);
    if (reached.length > 0) found.add(resource, branchPattern[0]!, `${branchPattern[0]} ${JSON.stringify(branchPattern[1])} matches ${reached.join(", ")}`);
  }
  const otherTargets = new Map(others.filter(([, identity]) => identity.vercelTarget !== own.vercelTarget).map(([name, identity]) => [identity.vercelTarget, name]));
  for (const variable of vercelVariables(resource)) {
    for (const target of variable.targets) {
      const owner = otherTargets.get(target as StackIdentity["vercelTarget"]);
      if (owner !== undefined) found.add(resource, `${variable.path}targets`, `${variable.path}targets ${JSON.stringify(variable.targets)}: ${target} deployments are ${owner}'s`);
    }
    if (variable.gitBranch !== undefined && variable.gitBranch !== own.branch) found.add(resource, `${variable.path}gitBranch`, `${variable.path}gitBranch is ${variable.gitBranch}: stack ${stack}'s deployments build its branch ${own.branch}`);
  }
  if (resource.type === VERCEL_DOMAIN) {
    const domain = knownString(props["domain"]);
    if (domain !== undefined && !own.domains.some((mine) => normalHost(mine) === normalHost(domain))) {
      found.add(resource, "domain", `domain ${domain} is not one of stack ${stack}'s domains (${own.domains.join(", ")})`);
    }
    const gitBranch = knownString(props["gitBranch"]);
    if (gitBranch !== undefined && gitBranch !== own.branch) found.add(resource, "gitBranch", `gitBranch is ${gitBranch}: stack ${stack}'s domains serve its branch ${own.branch}`);
    if (gitBranch === undefined && own.vercelTarget !== "production") {
      // pulumiverse/pulumi-vercel@v5.4.1 sdk/nodejs/projectDomain.ts, gitBranch: "Deployments from this git branch will be assigned the domain name"; without it, production's.
      found.add(resource, "gitBranch", `domain ${domain ?? ""} has no gitBranch: it serves the project's production deployments, not stack ${stack}'s branch ${own.branch}`);
    }
  }
  if (resource.type === POSTGRES_PROVIDER) {
    const host = knownString(props["host"]);
    if (host !== undefined && !own.databaseHosts.some((mine) => normalHost(mine) === normalHost(host))) {
      found.add(resource, "host", `host ${host} is not stack ${stack}'s database host (${own.databaseHosts.join(", ")})`);
    }
  } else if (resource.type.startsWith("postgresql:")) {
    const database = resource.type === POSTGRES_DATABASE ? knownString(props["name"]) : knownString(props["database"]);
    const path = resource.type === POSTGRES_DATABASE ? "name" : "database";
    if (database !== undefined && !own.databases.includes(database)) found.add(resource, path, `${path} ${database} is not stack ${stack}'s database (${own.databases.join(", ")})`);
  }
  if (resource.type === METRIC_ALARM) {
    const namespaces: [string, string | undefined][] = [["namespace", knownString(props["namespace"])]];
    asArray(props["metricQueries"]).forEach((query, index) => namespaces.push([`metricQueries[${index}].metric.namespace`, knownString(asRecord(asRecord(query)?.["metric"])?.["namespace"])]));
    for (const [path, namespace] of namespaces) {
      if (namespace === undefined || namespace.startsWith("AWS/") || namespace.toLowerCase() === own.namespace.toLowerCase()) continue;
      found.add(resource, path, `${path} ${namespace} is not stack ${stack}'s namespace ${own.namespace}`);
    }
  }
  if (resource.type === FEATURE_FLAG && own.posthogProject !== undefined) {
    const project = knownNumber(props["projectId"]);
    if (project !== undefined && project !== own.posthogProject) found.add(resource, "projectId", `projectId ${project} is not stack ${stack}'s PostHog project ${own.posthogProject}`);
  }
}

/** The database every Postgres URL of an input names: stack's own hosts and databases only. */
function judgeUrls(resource: StackResource, path: string, text: string, { stack, own, found }: Context): void {
  for (const url of postgresUrls(text)) {
    const host = normalHost(url.hostname);
    const database = decodeURIComponent(url.pathname.replace(/^\//, ""));
    if (!own.databaseHosts.some((mine) => normalHost(mine) === host)) found.add(resource, path, `${path} connects to host ${url.hostname}, not stack ${stack}'s database host (${own.databaseHosts.join(", ")})`);
    else if (database !== "" && !own.databases.includes(database)) found.add(resource, path, `${path} connects to database ${database}, not stack ${stack}'s (${own.databases.join(", ")})`);
  }
}

/** An IAM-style document: each Allow names only the stack's own resources, or reads what another stack lets it read. */
function judgeDocument(resource: StackResource, path: string, statements: Statement[], { stack, foreign, found }: Context): void {
  for (const statement of statements.filter(isAllow)) {
    const named = [
      ...(statement.resources ?? []),
      ...(statement.notResources ?? []),
      ...(statement.principal?.aws ?? []),
      ...(statement.principal?.federated ?? []),
      ...statement.conditions.flatMap((condition) => condition.values),
    ];
    for (const text of named) {
      for (const hit of [...foundIn(text, foreign), ...wildcardReaches(text, foreign)]) {
        if (hit.readableBy.includes(stack) && onlyReads(statement)) continue;
        const how = foundIn(text, [hit]).length > 0 ? "names" : `${JSON.stringify(text)} matches`;
        found.add(resource, path, `${path} statement ${statement.index + 1}${statement.sid ? ` (${statement.sid})` : ""} ${how} ${hit.stack}'s ${hit.kind} ${hit.value}${hit.readableBy.includes(stack) ? " beyond reading it" : ""}`);
      }
    }
  }
}

/** A JSON value of an input (a job's configuration): an `environment` field naming another stack. */
function judgeJson(resource: StackResource, path: string, value: Plain, { stack, others, found }: Context): void {
  const otherNames = new Set(others.map(([name]) => name.toLowerCase()));
  for (const { path: inner, value: text } of stringsIn(value, path)) {
    if (/(^|\.)environment$/.test(inner) && otherNames.has(text.trim().toLowerCase())) found.add(resource, inner, `${inner} is ${JSON.stringify(text)}: stack ${stack} runs only as itself`);
  }
}

/** Every string of every input (descriptions aside), secret inputs too (never printed): another stack's identifiers. */
function judgeStrings(resource: StackResource, context: Context): void {
  const { stack, foreign, found } = context;
  if (resource.type === REPOSITORY_FILE) return; // file contents (workflows, runbooks) name every environment by design; the workflow policies judge them
  for (const [key, value] of Object.entries(resource.props)) {
    if (DESCRIPTIVE_INPUTS.has(key)) continue;
    for (const { path, value: text } of stringsIn(value, key)) {
      if (found.has(resource, path)) continue;
      judgeUrls(resource, path, text, context);
      const trimmed = text.trim();
      const environmentOf = context.others.find(([name, identity]) => [name, identity.railwayEnvironment].some((environment) => environment.toLowerCase() === trimmed.toLowerCase()));
      if (environmentOf !== undefined && isVariableValue(resource.type, path)) {
        found.add(resource, path, `${path} is ${JSON.stringify(text)}, ${environmentOf[0]}'s environment: stack ${stack} runs only in its own (${context.own.railwayEnvironment})`);
        continue;
      }
      if (trimmed.startsWith("{")) {
        const document = parsePolicyDocument(trimmed);
        if (document.kind === "document" && /"statement"/i.test(trimmed)) {
          judgeDocument(resource, path, document.statements, context);
          continue;
        }
        try {
          const parsed = JSON.parse(trimmed) as Plain;
          if (isRecord(parsed)) judgeJson(resource, path, parsed, context);
        } catch {
          // free text that starts with a brace
        }
      }
      for (const hit of foundIn(text, foreign)) {
        if (hit.readableBy.includes(stack) && isJobVariable(resource.type, path)) continue;
        found.add(resource, path, hitText(path, hit));
      }
    }
  }
}

const identitySchema: PolicyConfigJSONSchema = {
  type: "object",
  required: ["branch", "vercelTarget", "domains", "databaseHosts", "databases", "buckets", "namespace", "parameterPath", "namePrefix", "railwayEnvironment"],
  additionalProperties: false,
  properties: {
    branch: { type: "string", minLength: 1 },
    vercelTarget: { type: "string", enum: ["production", "preview"] },
    domains: { type: "array", items: { type: "string", minLength: 1 } },
    databaseHosts: { type: "array", items: { type: "string", minLength: 1 } },
    databases: { type: "array", items: { type: "string", minLength: 1 } },
    buckets: { type: "array", items: { type: "string", minLength: 1 } },
    namespace: { type: "string", minLength: 1 },
    parameterPath: { type: "string", minLength: 1 },
    namePrefix: { type: "string", minLength: 1 },
    railwayEnvironment: { type: "string", minLength: 1 },
    railwayEnvironmentId: { type: "string", minLength: 1 },
    posthogProject: { type: "integer" },
    reads: {
      type: "object",
      additionalProperties: { type: "object", required: ["buckets"], additionalProperties: false, properties: { buckets: { type: "array", items: { type: "string", minLength: 1 } } } },
    },
  },
};

export const ISOLATION_POLICY = "isolation-stack-resources-own";

export const stackResourcesOwn = stackPolicy<{ stacks: StackIdentities; defaultBranch: string }>(
  {
    name: ISOLATION_POLICY,
    description:
      "Every stack uses only its own resources: its hosts, databases, buckets, GitHub environment and branch, domains, Vercel target, namespace, parameter paths, Railway environment and PostHog project are its own, " +
      "the environment it names is its stack, and no input of it names or matches (by wildcard) another stack's, whichever stack it is; another stack's resource it may read (staging's refresh reads production's backups) it only reads. " +
      'Spec, Environments: Staging has a "Separate staging database" and its own URL and branch; Production: "Deploy Trigger: Manual approval after staging validation". ' +
      "Staging's gate is advisory for its own quality, never for what touches production: mandatory in every stack.",
    severity: "critical",
    remediation: [
      "Point the stack file's keys at the stack's own resources (flightdeck:environment, database.host and name, audit.bucketName, web.url and domain, api.railway.environment).",
      "Name another stack's resource only to read it, and only where that stack's identity lets this one (isolation-stack-resources-own.stacks.<stack>.reads in policies/config/*.json).",
      "A changed identity (a new host, a renamed bucket) is a gate change: update isolation-stack-resources-own.stacks in every policies/config/*.json in its own pull request first.",
    ],
    topics: ["environments", "isolation"],
  },
  {
    config: {
      defaults: { stacks: {}, defaultBranch: "main" },
      schema: {
        defaultBranch: { type: "string", minLength: 1, description: "The repository's default branch, what a ruleset's ~DEFAULT_BRANCH means." },
        stacks: {
          type: "object",
          additionalProperties: identitySchema,
          description: "Every stack's identity, in every stack's config (the judge of one stack must know the others'); checked against the stack files by test/policies/isolation.",
        },
      },
    },
    validate(resources, settings, report) {
      const stack = currentStack();
      const own = settings.stacks[stack];
      if (own === undefined) {
        report(`the policy config lists no identity for stack ${JSON.stringify(stack)} (${ISOLATION_POLICY}.stacks has ${Object.keys(settings.stacks).join(", ") || "none"}): a stack is judged against its own resources; add it to policies/config/*.json`);
        return;
      }
      const others = Object.entries(settings.stacks).filter(([name]) => name !== stack);
      const found = findings();
      const context: Context = { stack, own, others, foreign: identifiersOf(settings.stacks, stack), found, defaultBranch: settings.defaultBranch };
      for (const resource of resources) {
        judgeTyped(resource, context);
        judgeStrings(resource, context);
      }
      for (const bridge of bridgesOf(resources)) {
        const project = isDocument(bridge.document) ? bridge.document.posthog?.projectId : undefined;
        if (project !== undefined && own.posthogProject !== undefined && project !== own.posthogProject) {
          found.add(bridge.function, "environment.variables.FLIGHTDECK_BRIDGE", `the metrics bridge queries PostHog project ${project}, not stack ${stack}'s ${own.posthogProject}`);
        }
      }
      for (const [urn, list] of found.byResource) report(`stack ${stack} reaches beyond its own resources: ${list.join("; ")}`, urn);
    },
  },
);

export const isolationPolicies = [stackResourcesOwn];
