/**
 * The floors of the policy config: what a stack's `--policy-pack-config` (policies/config/<stack>.json)
 * may tighten but never loosen. The config file is data a pull request can edit; these are what it is
 * held to, in two kinds.
 *
 * Setting floors (FLOORS), in a governed stack: the pack builds each into the policy's configSchema
 * (`governedSchema`: minimum, maximum, const, contains, items.enum, required), and the engine validates
 * the reconciled config against it before it configures the pack, failing the preview with every
 * problem (pulumi/pulumi@v3.259.0:pkg/engine/update.go loadPolicyPlugins: "validating policy config";
 * pkg/resource/analyzer/config.go ReconcilePolicyPackConfig → validatePolicyPackConfig, gojsonschema).
 * The few a JSON schema cannot express (a time window, freezes covering a range of days, a list that
 * must keep several entries) each policy judges itself from args.getConfig() (`loosenedInPolicy`), as a
 * violation naming the setting. A setting with no rule here may not differ from the policy's default
 * in a governed stack: the pack cannot tell whether another value tightens or loosens it. Give a
 * setting a rule (or `free`, saying why) when production needs another value;
 * test/policies/floors.spec.ts fails when a rule names a policy or setting the pack does not have, or
 * a default that breaks its own floor.
 *
 * Level floors (LEVEL_FLOORS): see there.
 */
import type { PolicyConfigJSONSchema, PolicyConfigJSONSchemaDefinition } from "@pulumi/policy/schema";
import type { Plain } from "./values";

/** The stack a pack runs for: its name and its project's (PULUMI_NODEJS_STACK, PULUMI_NODEJS_PROJECT: lib/stack.ts). */
export interface Target {
  stack: string;
  project: string;
}

/** Stacks whose policy config is held to the floors (the spec's "Quality Gates (must pass before production)"). */
export const GOVERNED_STACKS: readonly string[] = ["production"];

/**
 * Projects every stack of which is governed: the bootstrap decides who can apply production (its roles,
 * state bucket and keys, this repository's ruleset), so its gate is production's (lib/project.ts).
 */
export const GOVERNED_PROJECTS: readonly string[] = ["flightdeck-bootstrap"];

export function isGoverned({ stack, project }: Target): boolean {
  return GOVERNED_STACKS.includes(stack) || GOVERNED_PROJECTS.includes(project);
}

export type Level = "advisory" | "mandatory" | "remediate" | "disabled";

/**
 * The lowest enforcement level a policy may run at, per stack. Each entry names its policies (or
 * "every" policy), where it holds (stacks by name or "every" stack, and/or every stack of the named
 * projects), the level and why. A policy's floor is the highest level of the entries that hold for it.
 *
 * Nothing inside a pack can hold a level: the engine gives each policy the config's level, `all`'s or
 * its own (pulumi/pulumi@v3.259.0:pkg/resource/analyzer/config.go applyConfig), @pulumi/policy runs it
 * at that level (server.js: `policyPackConfig[p.name].enforcementLevel || p.enforcementLevel`) and
 * refuses `enforcementLevel` in a configSchema, and a disabled policy is never called. So the pack
 * declares each policy at its floor (a run with no config is at least that strict), and whoever hands
 * the pack a config refuses one that sets a policy, or `all`, below a floor, naming the file and the
 * policy (tools/policy/levelFloors.ts: the offline plan, `npm run preview|up`, and infra.yml before
 * each `pulumi preview` and `pulumi up`). To make a policy mandatory in every stack, staging included:
 * `{ policies: ["<name>"], stacks: "every", level: "mandatory", why: "…" }`.
 */
export interface LevelFloor {
  policies: readonly string[] | "every";
  stacks?: readonly string[] | "every";
  projects?: readonly string[];
  level: "advisory" | "mandatory";
  why: string;
}

export const LEVEL_FLOORS: readonly LevelFloor[] = [
  { policies: "every", stacks: GOVERNED_STACKS, level: "mandatory", why: 'Spec, Deploying to Production: "Quality Gates (must pass before production)"' },
  { policies: "every", projects: GOVERNED_PROJECTS, level: "mandatory", why: "the bootstrap decides who can apply production: its gate is production's" },
];

/** How strict a level is: `remediate` judges as `mandatory` (@pulumi/policy server.js reports a remaining violation as mandatory). */
export const LEVEL_RANK: Readonly<Record<Level, number>> = { disabled: 0, advisory: 1, mandatory: 2, remediate: 2 };

/** The level floors that hold in `target`'s stack, for any policy. */
export function levelFloorsIn({ stack, project }: Target): LevelFloor[] {
  return LEVEL_FLOORS.filter((floor) => floor.stacks === "every" || (floor.stacks?.includes(stack) ?? false) || (floor.projects?.includes(project) ?? false));
}

/** The level floors that hold for `policy` in `target`'s stack (for `undefined`: those that hold for every policy). */
export function levelFloorsFor(policy: string | undefined, target: Target): LevelFloor[] {
  return levelFloorsIn(target).filter((floor) => floor.policies === "every" || (policy !== undefined && floor.policies.includes(policy)));
}

/** The strictest level floor of `policy` in `target`'s stack, if any holds. */
export function minimumLevel(policy: string, target: Target): LevelFloor | undefined {
  return levelFloorsFor(policy, target).reduce<LevelFloor | undefined>((strictest, floor) => (strictest === undefined || LEVEL_RANK[floor.level] > LEVEL_RANK[strictest.level] ? floor : strictest), undefined);
}

export interface AnnualFreeze {
  name: string;
  /** MM-DD, inclusive; a freeze may wrap the new year. */
  from: string;
  to: string;
}

export type Floor = { why: string } & (
  | { kind: "atLeast"; value: number }
  | { kind: "atMost"; value: number }
  | { kind: "equals"; value: Plain }
  /** A list that must keep every one of these entries (adding entries only tightens: selectors, required checks). */
  | { kind: "includesAll"; value: Plain[] }
  /** A list whose entries must all be among these (removing entries only tightens: allow-lists, deploy days). */
  | { kind: "within"; value: Plain[] }
  /** `{ from, to }` local times (HH:MM) that must lie inside this window. */
  | { kind: "window"; from: string; to: string }
  /** A map of numbers: each of these keys present and at most its value. */
  | { kind: "eachAtMost"; value: Record<string, number> }
  /** A list of freezes that must cover every day of each of these every-year freezes. */
  | { kind: "coversFreezes"; value: AnnualFreeze[] }
  /** Not a compliance setting (who approves, which organisation): any value; a change is a reviewed gate change. */
  | { kind: "free" }
);

const SPEC_FREEZE = "Spec, Deployment Freeze: \"December 20 - January 2 (holidays)\"";
const SPEC_WINDOW = "Spec, Deployment Schedule: \"Tuesdays and Thursdays, 10am-2pm EST\"";
const SPEC_REVIEW = "Spec, Protections: \"Required PR reviews (min 1 approval)\"";
const SPEC_AUDIT = "Spec, Compliance & Audit: \"exported to S3 (7 years)\"";
const SPEC_BRANCH = "Spec, Production: \"Branch: main\"";
const SPEC_WATCH = "Spec, Post-Deployment Monitoring: \"Watch error rate for 1 hour after production deploy … If errors spike > 2x baseline → investigate immediately\"";
const GOVERNED_IDENTITY = "which repository or namespace is governed is the organisation's data, not a threshold; it changes only in a reviewed gate change, and the stack's own resources are judged against it";
const SELECTS_MORE = "a list of what the policy judges: adding entries judges more, removing one judges less";

const SPEC_DR = 'Spec, Disaster Recovery: "RTO (Recovery Time Objective): 4 hours; RPO (Recovery Point Objective): 1 hour (latest backup)"';

/** The recovery policies' floors: every one scopes the same way (which stacks must have backups, which buckets are backup buckets). */
function recoveryFloors(): Record<string, Record<string, Floor>> {
  const scope: Record<string, Floor> = {
    stacks: { kind: "includesAll", value: ["production"], why: 'Spec, Production: "Database: Production database (managed, backups enabled)"' },
    bucketNames: { kind: "includesAll", value: ["*backup*"], why: SELECTS_MORE },
  };
  const rpo: Floor = { kind: "atMost", value: 60, why: SPEC_DR };
  const rto: Floor = { kind: "atMost", value: 240, why: SPEC_DR };
  return {
    "recovery-backups-scheduled": { ...scope, maxRpoMinutes: rpo },
    "recovery-backup-alarm-pages": {
      ...scope,
      maxRpoMinutes: rpo,
      maxMarginMinutes: { kind: "atMost", value: 30, why: `${SPEC_DR}: the margin delays the page for a missed RPO` },
    },
    "recovery-objectives-within-spec": { ...scope, maxRpoMinutes: rpo, maxRtoMinutes: rto },
    "recovery-backup-bucket-retained": {
      ...scope,
      requireProtect: { kind: "equals", value: true, why: `${SPEC_DR}: a backup deleted with the stack restores nothing` },
      minRetentionDays: { kind: "atLeast", value: 7, why: `${SPEC_DR}: the weekly restore drill needs the week's backups` },
    },
    "recovery-backup-bucket-private": scope,
    "recovery-backup-bucket-own-key": scope,
    "recovery-backup-writer-write-only": {
      ...scope,
      allowedActions: {
        kind: "within",
        value: ["s3:PutObject", "kms:GenerateDataKey", "kms:Encrypt", "kms:Decrypt", "ssm:GetParameters", "ssm:GetParameter", "cloudwatch:PutMetricData", "cloudwatch:GetMetricStatistics", "logs:CreateLogStream", "logs:PutLogEvents"],
        why: "Compliance: \"PCI: Production access restricted\" (the backup writer only writes backups)",
      },
    },
    "recovery-restore-drill-recent": { ...scope, maxDaysSinceDrill: { kind: "atMost", value: 8, why: `${SPEC_DR}: the drill runs weekly` }, maxRtoMinutes: rto },
  };
}

/** Setting floors by policy and setting. Settings not listed must keep the policy's default in a governed stack. */
export const FLOORS: Readonly<Record<string, Readonly<Record<string, Floor>>>> = {
  "github-ruleset-pull-request-required": {
    minApprovals: { kind: "atLeast", value: 1, why: SPEC_REVIEW },
    deployBranch: { kind: "equals", value: "main", why: SPEC_BRANCH },
  },
  "github-ruleset-verify-checks-required": {
    deployBranch: { kind: "equals", value: "main", why: SPEC_BRANCH },
    requiredChecks: {
      kind: "includesAll",
      value: ["lint", "typecheck", "unit-tests", "build", "security-scan", "migration-reversibility", "performance-budgets"],
      why: "Spec, Stage 1: \"Blocks merge if: Any step fails\" (every verify check is required)",
    },
  },
  "github-ruleset-history-protected": { deployBranch: { kind: "equals", value: "main", why: SPEC_BRANCH } },
  "github-ruleset-bypass-deploy-app-only": { branches: { kind: "includesAll", value: ["main"], why: SELECTS_MORE } },
  "github-branch-protection-no-bypass": { branches: { kind: "includesAll", value: ["main"], why: SELECTS_MORE } },
  "github-deploy-branch-ruleset-active": { deployBranch: { kind: "equals", value: "main", why: SPEC_BRANCH } },
  "github-environment-production-approval-required": {
    environment: { kind: "equals", value: "production", why: "Spec, Stage 3: \"Require manual approval\"" },
    minReviewers: { kind: "atLeast", value: 1, why: "Spec, Deploying to Production: \"GitHub Actions: Manual approval gate\"" },
  },
  "github-environment-production-main-only": {
    environment: { kind: "equals", value: "production", why: SPEC_BRANCH },
    branch: { kind: "equals", value: "main", why: SPEC_BRANCH },
  },
  "vercel-env-var-sensitive": {
    plainKeys: {
      kind: "within",
      value: ["NEXT_PUBLIC_*", "FEATURE_FLAGS_UNRELEASED", "RATE_LIMIT_PER_MINUTE", "STRIPE_MODE", "LOG_LEVEL"],
      why: "Spec, Secrets Inventory: only \"NEXT_PUBLIC_* - Public env vars\" and the plain runtime settings of Staging's \"Differences from Production\" are not secret",
    },
  },
  "secrets-rotation-register-current": {
    maxPeriodDays: {
      kind: "eachAtMost",
      value: { "api-key": 90, token: 90, "database-password": 180 },
      why: "Spec, Rotation: \"API keys: Every 90 days; Database passwords: Every 180 days\"",
    },
  },
  "audit-bucket-object-lock-retained": {
    mode: { kind: "equals", value: "COMPLIANCE", why: SPEC_AUDIT },
    minDays: { kind: "atLeast", value: 2557, why: SPEC_AUDIT },
  },
  "audit-bucket-lifecycle-keeps-retention": { minDays: { kind: "atLeast", value: 2557, why: SPEC_AUDIT } },
  "audit-resources-protected": { requireProtect: { kind: "equals", value: true, why: SPEC_AUDIT } },
  "audit-oidc-role-trust-pinned": {
    repository: { kind: "free", why: GOVERNED_IDENTITY },
    repositoryIds: { kind: "free", why: GOVERNED_IDENTITY },
    environments: { kind: "within", value: ["production"], why: "Spec, Compliance: \"PCI: Production access restricted\" (only production's environment may assume production's roles)" },
  },
  "iam-deploy-role-least-privilege": { metricsNamespace: { kind: "free", why: GOVERNED_IDENTITY } },
  "iam-role-trust-restricted": { trustedAccounts: { kind: "free", why: "which AWS account is the organisation's own is its data; the bootstrap trusts named people of that account only, and a change is a reviewed gate change" } },
  "github-provider-governed-app": {
    owner: { kind: "free", why: GOVERNED_IDENTITY },
    appId: { kind: "free", why: "which GitHub App manages a project's repository is the organisation's data (the bootstrap's App is not the stacks' deploy App); a change is a reviewed gate change" },
  },
  "bootstrap-pipeline-role-trust-pinned": {
    repository: { kind: "free", why: GOVERNED_IDENTITY },
    repositoryIds: { kind: "free", why: GOVERNED_IDENTITY },
    environments: { kind: "within", value: ["staging", "production"], why: "Spec, Environments: Staging and Production are the only deploy environments" },
  },
  "bootstrap-pull-request-role-read-only": {
    repository: { kind: "free", why: GOVERNED_IDENTITY },
    repositoryIds: { kind: "free", why: GOVERNED_IDENTITY },
    environments: { kind: "within", value: ["staging", "production"], why: "Spec, Environments: Staging and Production are the only deploy environments" },
  },
  "bootstrap-human-role-mfa-required": { maxSessionSeconds: { kind: "atMost", value: 3600, why: "an emergency session lasts at most an hour (issue 12: break-glass session ≤ 1 h)" } },
  "bootstrap-production-apply-pipeline-only": {
    project: { kind: "free", why: GOVERNED_IDENTITY },
    stack: { kind: "equals", value: "production", why: "Spec, Production: \"Deploy Trigger: Manual approval after staging validation\"" },
    maxSessionSeconds: { kind: "atMost", value: 3600, why: "an emergency session lasts at most an hour (issue 12: break-glass session ≤ 1 h)" },
  },
  "bootstrap-repository-ruleset-protected": {
    repository: { kind: "free", why: GOVERNED_IDENTITY },
    defaultBranch: { kind: "free", why: GOVERNED_IDENTITY },
    minApprovals: { kind: "atLeast", value: 1, why: SPEC_REVIEW },
    requiredChecks: { kind: "includesAll", value: ["test", "offline plan and policy verdict"], why: "Spec, Protections: \"Automated tests must pass\" (and the plan's verdict is infra.yml's gate)" },
  },
  "alerts-alarm-thresholds-within-spec": { namespace: { kind: "free", why: GOVERNED_IDENTITY } },
  "alerts-alarm-actions-enabled": { namespace: { kind: "free", why: GOVERNED_IDENTITY } },
  "runtime-production-keeps-staging": { stacks: { kind: "includesAll", value: ["production"], why: "Spec, Deployment Model: \"direct-prod: Too risky (no staging validation)\"" } },
  "workflow-verify-performance-budgets": {
    lighthouseMinScore: { kind: "atLeast", value: 85, why: "Spec, Performance Validation: \"Lighthouse CI score ≥ 85\"" },
    initialJsMaxKb: { kind: "atMost", value: 200, why: "Spec, Performance Validation: \"Bundle size < 200KB initial load\"" },
    dockerImageMaxMb: { kind: "atMost", value: 500, why: "Spec, Performance Validation: \"Docker image size < 500MB\"" },
  },
  "schedule-production-deploy-window": { stacks: { kind: "includesAll", value: ["production"], why: SPEC_WINDOW } },
  "schedule-production-preflight-enforces-floor": {
    timezone: { kind: "equals", value: "America/New_York", why: SPEC_WINDOW },
    deployDays: { kind: "within", value: ["Tue", "Thu"], why: SPEC_WINDOW },
    deployHours: { kind: "window", from: "10:00", to: "14:00", why: SPEC_WINDOW },
    freezes: { kind: "coversFreezes", value: [{ name: "holidays", from: "12-20", to: "01-02" }], why: SPEC_FREEZE },
  },
  ...recoveryFloors(),
  "metrics-watch-thresholds-within-spec": {
    stacks: { kind: "includesAll", value: ["production"], why: SPEC_WATCH },
    minWindowMinutes: { kind: "atLeast", value: 60, why: SPEC_WATCH },
    minBaselineMinutes: { kind: "atLeast", value: 60, why: SPEC_WATCH },
    maxEvaluationMinutes: { kind: "atMost", value: 5, why: "Spec, When to Rollback: \"Error rate > 5% for 5 minutes\"" },
    maxPageFactor: { kind: "atMost", value: 2, why: SPEC_WATCH },
    maxRollbackErrorRatePercent: { kind: "atMost", value: 5, why: "Spec, Change Log: \"automated rollback on error rate > 5%\"" },
    maxMinRequests: { kind: "atMost", value: 100, why: "evidence floors may not grow until the watch never judges" },
    maxMinErrors: { kind: "atMost", value: 5, why: "evidence floors may not grow until the watch never judges" },
    maxBaselineFloorPercent: { kind: "atMost", value: 1, why: "a baseline floor above 1% would let 2× of it pass the 2% alarm unnoticed" },
  },
  "metrics-bridge-failure-alarmed": {
    maxHeartbeatGapSeconds: { kind: "atMost", value: 300, why: "a heartbeat missing for 5 minutes pages (warning)" },
    maxFailedRuns: { kind: "atMost", value: 3, why: "a source failing 3 runs in a row pages (warning)" },
  },
  "metrics-bridge-calls-within-rate-limits": {
    posthogQueriesPerHour: { kind: "atMost", value: 120, why: "PostHog's HogQLQueryThrottle: 120/hour per personal API key (PostHog/posthog posthog/rate_limit.py)" },
    bridgesPerPosthogKey: { kind: "atLeast", value: 1, why: "more bridges on one key only tightens the budget" },
    railwayRequestsPerHour: { kind: "atMost", value: 10000, why: "Railway's highest published plan limit short of Enterprise: 10,000 requests per hour on Pro (docs.railway.com/integrations/api#rate-limits)" },
    bridgesPerRailwayLimit: { kind: "atLeast", value: 2, why: "staging's and production's bridges: with one Railway account both draw on the same hourly limit" },
  },
  "metrics-bridge-role-least-privilege": {
    allowedActions: {
      kind: "within",
      value: ["cloudwatch:PutMetricData", "ssm:GetParameters", "ssm:GetParameter", "kms:Decrypt", "kms:GenerateDataKey", "logs:CreateLogStream", "logs:PutLogEvents", "s3:PutObject", "sns:Publish"],
      why: "removing an action only tightens the bridge's role",
    },
  },
  "policy-waivers-valid": {
    approvers: { kind: "free", why: "who may approve an exception is the organisation's call; the list changes only in a reviewed gate change" },
    maxDays: { kind: "atMost", value: 30, why: "a waiver is temporary: at most 30 days, renewed only with a new approval" },
    maxDaysByPolicy: {
      kind: "eachAtMost",
      value: { "schedule-production-deploy-window": 1 },
      why: "Spec, Deployment Schedule: \"Emergency Hotfixes: Anytime\" — an emergency waiver of the schedule lasts a day",
    },
  },
};

/** A property's schema as an object (a boolean schema or a tuple gives nothing to extend). */
function schemaObject(definition: PolicyConfigJSONSchemaDefinition | PolicyConfigJSONSchemaDefinition[] | undefined): PolicyConfigJSONSchema {
  return definition !== undefined && typeof definition === "object" && !Array.isArray(definition) ? definition : {};
}

/** `schema` with the floor added, or undefined when a JSON schema (as @pulumi/policy types it) cannot hold the floor. */
function withFloor(schema: PolicyConfigJSONSchema, floor: Floor): PolicyConfigJSONSchema | undefined {
  switch (floor.kind) {
    case "free":
      return schema;
    case "atLeast":
      return { ...schema, minimum: Math.max(schema.minimum ?? floor.value, floor.value) };
    case "atMost":
      return { ...schema, maximum: Math.min(schema.maximum ?? floor.value, floor.value) };
    case "equals":
      return { ...schema, const: floor.value };
    case "includesAll":
      // One `contains` per schema, and no allOf in the SDK's schema type: a list of several entries is judged in the policy.
      return floor.value.length === 1 ? { ...schema, contains: { const: floor.value[0] } } : undefined;
    case "within":
      return { ...schema, items: { ...schemaObject(schema.items), enum: floor.value } };
    case "eachAtMost": {
      const properties = { ...(schema.properties ?? {}) };
      for (const [key, max] of Object.entries(floor.value)) properties[key] = { ...schemaObject(properties[key]), type: "number", maximum: max };
      return { ...schema, properties, required: [...new Set([...(schema.required ?? []), ...Object.keys(floor.value)])] };
    }
    case "window":
    case "coversFreezes":
      return undefined;
  }
}

/** A setting's floor: its rule, or its default kept as it is. */
function floorOf(policy: string, key: string, fallback: unknown): Floor {
  return FLOORS[policy]?.[key] ?? { kind: "equals", value: fallback as Plain, why: "the pack cannot tell whether another value tightens this setting" };
}

/** A policy's configSchema in a governed stack: each setting's schema with its floor, where a JSON schema can hold it (the rest: `loosenedInPolicy`). */
export function governedSchema<S extends { properties?: Record<string, PolicyConfigJSONSchema> }>(policy: string, schema: S | undefined): S | undefined {
  if (schema?.properties === undefined) return schema;
  const properties: Record<string, PolicyConfigJSONSchema> = {};
  for (const [key, property] of Object.entries(schema.properties)) {
    properties[key] = (property.default === undefined && FLOORS[policy]?.[key] === undefined ? undefined : withFloor(property, floorOf(policy, key, property.default))) ?? property;
  }
  return { ...schema, properties };
}

/**
 * The governed stack's floors a policy judges itself, one line per loosened setting (`settings`: its
 * args.getConfig(), over its defaults): those `governedSchema` cannot hold.
 */
export function loosenedInPolicy(policy: string, settings: Record<string, unknown>): string[] {
  const lines: string[] = [];
  for (const [key, floor] of Object.entries(FLOORS[policy] ?? {})) {
    if (withFloor({}, floor) !== undefined) continue;
    const problem = looseness(floor, settings[key]);
    if (problem !== undefined) lines.push(`policy config ${policy}.${key} ${problem}; the policy config may tighten its floor, never loosen it (${floor.why})`);
  }
  return lines;
}

function show(value: unknown): string {
  return JSON.stringify(value) ?? "undefined";
}

function deepEqual(a: unknown, b: unknown): boolean {
  return show(canonical(a)) === show(canonical(b));
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => [k, canonical(v)]));
  }
  return value;
}

const isNumber = (value: unknown): value is number => typeof value === "number" && Number.isFinite(value);
const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === "object" && !Array.isArray(value);

/** Why `value` is looser than the floor, or undefined when it is not. */
export function looseness(floor: Floor, value: unknown): string | undefined {
  switch (floor.kind) {
    case "free":
      return undefined;
    case "atLeast":
      return isNumber(value) && value >= floor.value ? undefined : `is ${show(value)}: must be at least ${floor.value}`;
    case "atMost":
      return isNumber(value) && value <= floor.value ? undefined : `is ${show(value)}: must be at most ${floor.value}`;
    case "equals":
      return deepEqual(value, floor.value) ? undefined : `is ${show(value)}: must be ${show(floor.value)}`;
    case "includesAll": {
      const missing = floor.value.filter((entry) => !asList(value).some((item) => deepEqual(item, entry)));
      return Array.isArray(value) && missing.length === 0 ? undefined : `leaves out ${missing.map(show).join(", ") || "every entry"}: must include ${floor.value.map(show).join(", ")}`;
    }
    case "within": {
      const extra = asList(value).filter((item) => !floor.value.some((entry) => deepEqual(item, entry)));
      return Array.isArray(value) && extra.length === 0 ? undefined : `adds ${extra.map(show).join(", ") || show(value)}: may only hold ${floor.value.map(show).join(", ")}`;
    }
    case "window": {
      const from = isRecord(value) ? value["from"] : undefined;
      const to = isRecord(value) ? value["to"] : undefined;
      return typeof from === "string" && typeof to === "string" && from >= floor.from && to <= floor.to
        ? undefined
        : `is ${show(value)}: must lie within ${floor.from}–${floor.to}`;
    }
    case "eachAtMost": {
      const over = Object.entries(floor.value).filter(([key, max]) => {
        const given = isRecord(value) ? value[key] : undefined;
        return !isNumber(given) || given > max;
      });
      return over.length === 0 ? undefined : over.map(([key, max]) => `${key} is ${show(isRecord(value) ? value[key] : undefined)}: must be at most ${max}`).join("; ");
    }
    case "coversFreezes": {
      const uncovered = floor.value.filter((freeze) => !coversAnnualFreeze(asList(value), freeze));
      return uncovered.length === 0 ? undefined : `does not cover ${uncovered.map((f) => `${f.name} (${f.from} – ${f.to}, every year)`).join(", ")}`;
    }
  }
}

/** Every MM-DD of a leap year, in order. */
const CALENDAR: string[] = Array.from({ length: 366 }, (_, day) => new Date(Date.UTC(2024, 0, 1 + day)).toISOString().slice(5, 10));

/** Whether MM-DD `day` falls in the every-year range `from`–`to` (inclusive, wrapping the new year). */
function inAnnualRange(day: string, from: string, to: string): boolean {
  return from <= to ? from <= day && day <= to : day >= from || day <= to;
}

/** Whether the configured freezes keep every day of `freeze` frozen, every year (dated freezes cover one year only). */
function coversAnnualFreeze(freezes: unknown[], freeze: AnnualFreeze): boolean {
  const annual = freezes.filter(
    (f): f is { from: string; to: string } => isRecord(f) && typeof f["from"] === "string" && typeof f["to"] === "string" && /^\d{2}-\d{2}$/.test(f["from"]) && /^\d{2}-\d{2}$/.test(f["to"]),
  );
  return CALENDAR.filter((day) => inAnnualRange(day, freeze.from, freeze.to)).every((day) => annual.some((f) => inAnnualRange(day, f.from, f.to)));
}
