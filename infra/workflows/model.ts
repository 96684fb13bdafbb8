import { ActionRef } from "./pins";

/**
 * A typed model of the part of GitHub Actions workflow syntax flightdeck emits.
 * Keys are spelled as in the YAML (`runs-on`, `timeout-minutes`) so rendering is a plain
 * serialisation; the types make the hardening rules hard to break by accident:
 * every job states its permissions, step jobs state a timeout, `uses:` only takes a pinned
 * action from the pin table (or a local reusable workflow), and `run:` is plain shell text
 * (untrusted values enter through `env:`).
 */

/** A GitHub expression, `${{ ... }}`. Allowed in `if:`, `env:`, `with:`, never in `run:`. */
export type Expression = `\${{ ${string} }}`;

export function expr(body: string): Expression {
  return `\${{ ${body} }}`;
}

export type PermissionScope =
  | "actions"
  | "checks"
  | "contents"
  | "deployments"
  | "id-token"
  | "issues"
  | "packages"
  | "pull-requests"
  | "statuses";
export type PermissionLevel = "read" | "write" | "none";
/** `{}` grants nothing; a job lists exactly the scopes it needs. */
export type Permissions = Partial<Record<PermissionScope, PermissionLevel>>;

export interface Concurrency {
  group: string;
  "cancel-in-progress": boolean | Expression;
}

export interface DispatchInput {
  description: string;
  type: "boolean" | "string" | "choice";
  required: boolean;
  default?: string | boolean;
  options?: readonly string[];
}

export interface Triggers {
  push?: { branches: readonly string[] };
  pull_request?: { branches?: readonly string[] };
  workflow_dispatch?: { inputs?: Record<string, DispatchInput> };
  workflow_call?: Record<string, never>;
}

export interface Service {
  image: string;
  env?: Record<string, string>;
  ports?: readonly string[];
  options?: string;
}

export interface Step {
  name: string;
  id?: string;
  if?: string;
  uses?: ActionRef;
  with?: Record<string, string | number | boolean>;
  run?: string;
  shell?: "bash";
  "working-directory"?: string;
  env?: Record<string, string>;
  "continue-on-error"?: boolean;
}

export interface EnvironmentRef {
  name: string;
  url?: string;
}

/** A job that runs steps on a runner. */
export interface StepsJob {
  name: string;
  "runs-on": string;
  needs?: readonly string[];
  if?: string;
  environment?: EnvironmentRef;
  permissions: Permissions;
  concurrency?: Concurrency;
  "timeout-minutes": number;
  strategy?: { "fail-fast": boolean; matrix: Record<string, readonly string[]> };
  services?: Record<string, Service>;
  env?: Record<string, string>;
  outputs?: Record<string, string>;
  steps: readonly Step[];
}

/** A job that calls a reusable workflow in the same repository (`./.github/workflows/x.yml`). */
export interface CallJob {
  name: string;
  uses: `./.github/workflows/${string}.yml`;
  needs?: readonly string[];
  if?: string;
  permissions: Permissions;
  secrets?: "inherit";
}

export type Job = StepsJob | CallJob;

export interface Workflow {
  name: string;
  on: Triggers;
  permissions: Permissions;
  concurrency?: Concurrency;
  env?: Record<string, string>;
  defaults?: { run: { shell: "bash" } };
  jobs: Record<string, Job>;
}

export function isStepsJob(job: Job): job is StepsJob {
  return "steps" in job;
}

/** The workflow files flightdeck manages, by file name (without `.yml`). */
export const workflowNames = ["verify", "deploy-staging", "deploy-production", "rollback"] as const;
export type WorkflowName = (typeof workflowNames)[number];

export interface WorkflowFile {
  name: WorkflowName;
  /** Path inside the repository, `.github/workflows/<name>.yml`. */
  path: string;
  workflow: Workflow;
}
