import { Edit, addToBuildStack, production, project, yamlDelete, yamlPush, yamlSet } from "../edits";

/** Shorthands the corpus files share: each returns an Edit a pull request would make. */

export const PRODUCTION_FILE = "Pulumi.production.yaml";
export const STAGING_FILE = "Pulumi.staging.yaml";
export const PROJECT_FILE = "Pulumi.yaml";
export const POLICY_CONFIG = "policies/config/production.json";
export const WAIVERS = "policies/waivers.yaml";

/** `flightdeck:<key>` (then a path inside it) of Pulumi.production.yaml set to `value`. */
export const setProduction = (key: string, path: (string | number)[], value: unknown, create = false): Edit =>
  yamlSet(PRODUCTION_FILE, production(key, ...path), value, { create });

export const deleteProduction = (key: string, ...path: (string | number)[]): Edit => yamlDelete(PRODUCTION_FILE, production(key, ...path));

export const pushProduction = (key: string, path: (string | number)[], item: unknown): Edit => yamlPush(PRODUCTION_FILE, production(key, ...path), item);

/** A project-level value of Pulumi.yaml (`config.<key>.value`, then a path inside it). */
export const setProject = (key: string, path: (string | number)[], value: unknown): Edit => yamlSet(PROJECT_FILE, project(key, ...path), value);

/** The index of a secrets inventory entry in Pulumi.production.yaml, by its name (the file as committed). */
export const SECRET_INDEX = {
  DATABASE_URL: 0,
  MIGRATION_DATABASE_URL: 1,
  REDIS_URL: 2,
  CLERK_SECRET_KEY: 3,
  STRIPE_SECRET_KEY: 4,
  VERCEL_TOKEN: 5,
  RAILWAY_TOKEN: 6,
  NEXT_PUBLIC_API_URL: 7,
  NEXT_PUBLIC_POSTHOG_KEY: 8,
} as const;

/** The index of an alert rule in Pulumi.production.yaml, by its id. */
export const RULE_INDEX = {
  "error-rate": 0,
  "error-rate-rollback": 1,
  "error-rate-spike": 2,
  "api-latency-p95": 3,
  "deployment-failed": 4,
  "database-cpu": 5,
  "disk-used": 6,
} as const;

export const secretEntry = (name: keyof typeof SECRET_INDEX, ...path: (string | number)[]): (string | number)[] => [SECRET_INDEX[name], ...path];
export const alertRule = (id: keyof typeof RULE_INDEX, ...path: (string | number)[]): (string | number)[] => ["rules", RULE_INDEX[id], ...path];

const GITHUB_IMPORT = 'import * as github from "@pulumi/github";';
const AWS_IMPORT = 'import * as aws from "@pulumi/aws";';
const POSTGRES_IMPORT = 'import * as postgresql from "@pulumi/postgresql";';
const VERCEL_IMPORT = 'import * as vercel from "@pulumiverse/vercel";';

/** Resources added to buildStack; `uses` names the SDKs the code needs. */
export function addResources(code: string, uses: ("github" | "aws" | "postgresql" | "vercel")[]): Edit {
  const imports = { github: GITHUB_IMPORT, aws: AWS_IMPORT, postgresql: POSTGRES_IMPORT, vercel: VERCEL_IMPORT };
  return addToBuildStack(code, uses.map((sdk) => imports[sdk]));
}

/**
 * A workflow file committed by the stack to its deploy branch, through the stack's GitHub provider
 * (the deploy App), as the program commits its own: `.github/workflows/<name>`.
 */
export function addWorkflowFile(name: string, yaml: string, options: { provider?: boolean } = {}): Edit {
  const provider = options.provider === false ? "" : ", { provider: githubProviders.providers[0] }";
  return addResources(
    `  new github.RepositoryFile(${JSON.stringify(`${name}-file`)}, {
    repository: settings.github.repository,
    branch,
    file: ${JSON.stringify(`.github/workflows/${name}`)},
    content: ${JSON.stringify(yaml)},
    overwriteOnCreate: true,
    commitMessage: ${JSON.stringify(`flightdeck: add .github/workflows/${name}`)},
  }${provider});`,
    ["github"],
  );
}

/** An inline role policy (a JSON document) attached to the deploy audit role. */
export function deployRolePolicy(name: string, document: unknown): Edit {
  return addResources(
    `  if (auditRole) new aws.iam.RolePolicy(${JSON.stringify(`flightpro-production-${name}`)}, { role: auditRole.role.name, policy: ${JSON.stringify(JSON.stringify(document))} });`,
    ["aws"],
  );
}

/** SHA pins the generated workflows already use (infra/workflows/pins.ts), for hand-written files. */
export const PINS = {
  checkout: "actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1",
  setupNode: "actions/setup-node@820762786026740c76f36085b0efc47a31fe5020",
  awsCredentials: "aws-actions/configure-aws-credentials@e6de054238d6b7531b4efff3b6587d9aade6a06c",
  setupPython: "actions/setup-python@5fda3b95a4ea91299a34e894583c3862153e4b97",
} as const;
