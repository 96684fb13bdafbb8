import { z } from "zod";
import { oidcSubjectIds } from "../github/oidcSubject";
import { featureFlags } from "../flags/settings";
import { disasterRecovery } from "../backup/settings";
import { metricsBridge } from "../metrics/settings";
import { stagingData } from "../stagingData/settings";

/**
 * The shape of a flightdeck stack's configuration (every `flightdeck:*` key).
 * This file says what is well-formed; what is allowed (at least one approval,
 * 7-year retention, thresholds no looser than the spec) is the policy pack's job.
 */

export const deploymentModels = ["staging-prod", "direct-prod", "local-only"] as const;
export type DeploymentModel = (typeof deploymentModels)[number];

export const environmentNames = ["staging", "production"] as const;
export type EnvironmentName = (typeof environmentNames)[number];

/** Which stacks (deploy environments) each deployment model of the spec has. */
export const stacksOfModel: Record<DeploymentModel, readonly EnvironmentName[]> = {
  "staging-prod": ["staging", "production"],
  "direct-prod": ["production"],
  "local-only": ["production"],
};

const envVarName = z
  .string()
  .regex(/^[A-Z][A-Z0-9_]*$/, "must be an environment variable name in UPPER_SNAKE_CASE");
const kebab = z.string().regex(/^[a-z][a-z0-9-]*$/, "must be lower-case kebab-case");
const hostname = z
  .string()
  .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$/, "must be a DNS host name");
const httpsUrl = z.string().regex(/^https:\/\/[^\s]+$/, "must be an https:// URL");
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date as YYYY-MM-DD");
const positiveInt = z.number().int().positive();
const branchName = z.string().regex(/^[A-Za-z0-9._/-]+$/, "must be a git branch name");

export const product = z.strictObject({
  name: z.string().min(1),
  slug: kebab,
});

export const github = z.strictObject({
  owner: z.string().min(1),
  repository: z.string().min(1),
  branches: z
    .strictObject({
      production: branchName.default("main"),
      staging: branchName.optional(),
    })
    .default({ production: "main" }),
  /**
   * The GitHub App the stack's GitHub provider authenticates as (infra/github/provider.ts): it commits the
   * workflow files, and it is the rulesets' only bypass actor. One key for both, so they cannot differ.
   */
  deployIdentity: z.strictObject({
    /** A ruleset bypass actor of type Integration is a GitHub App; only an App can authenticate the provider. */
    type: z.literal("Integration"),
    /** The App's id (its settings page: "App ID"), also the ruleset bypass actor id. */
    id: positiveInt,
    /** The App's slug, for people reading the config. */
    name: z.string().min(1),
    /** The App's installation on the owner (organisation settings, GitHub Apps, Configure: the number in the URL). */
    installationId: positiveInt,
  }),
  requiredApprovals: z.number().int().min(0).max(10).default(1),
  /** The repository's OIDC subject form: its deploy jobs assume the stack's audit role (infra/aws/auditRole.ts; the bootstrap reads the same setting for its own repository). */
  oidcSubjectIds,
});

export const deployEnvironment = z
  .strictObject({
    reviewers: z
      .strictObject({
        users: z.array(z.string().min(1)).default([]),
        teams: z.array(z.string().min(1)).default([]),
      })
      .default({ users: [], teams: [] }),
    waitTimerMinutes: z.number().int().min(0).max(43200).default(0),
    /** Default: true when there are reviewers; GitHub refuses it without any (infra/config/githubRules.ts). */
    preventSelfReview: z.boolean().optional(),
    canAdminsBypass: z.boolean().default(false),
  })
  .default({
    reviewers: { users: [], teams: [] },
    waitTimerMinutes: 0,
    canAdminsBypass: false,
  });

export const web = z.strictObject({
  url: httpsUrl,
  domain: hostname,
  vercel: z.strictObject({
    teamId: z.string().min(1),
    projectName: kebab,
    framework: z.enum(["nextjs"]).default("nextjs"),
    rootDirectory: z.string().default("apps/web"),
  }),
});

export const api = z.strictObject({
  url: httpsUrl,
  railway: z.strictObject({
    project: z.string().min(1),
    service: z.string().min(1),
    environment: z.string().min(1),
  }),
});

export const database = z.strictObject({
  host: hostname,
  port: z.number().int().min(1).max(65535).default(5432),
  sslMode: z.enum(["require", "verify-ca", "verify-full"]).default("require"),
  adminUser: z.string().min(1),
  name: z.string().regex(/^[a-z_][a-z0-9_]*$/, "must be a lower-case PostgreSQL identifier"),
  connectionLimits: z
    .strictObject({
      migrator: z.number().int().min(1).default(5),
      app: z.number().int().min(1).default(20),
      readonly: z.number().int().min(1).default(5),
    })
    .default({ migrator: 5, app: 20, readonly: 5 }),
});

export const secretKinds = ["api-key", "database-password", "token", "public"] as const;
export type SecretKind = (typeof secretKinds)[number];

/** Where a secret's value comes from. */
export const secretSources = ["config", "database-app-url", "database-migrator-url", "plain"] as const;
export type SecretSource = (typeof secretSources)[number];

export const vercelTargets = ["production", "preview", "development"] as const;

export const secret = z.strictObject({
  name: envVarName,
  description: z.string().min(1),
  kind: z.enum(secretKinds),
  source: z.enum(secretSources),
  /** Only for `source: plain` (public values such as NEXT_PUBLIC_*). Never a secret. */
  value: z.string().optional(),
  destinations: z
    .strictObject({
      vercel: z.boolean().default(false),
      githubEnvironment: z.boolean().default(false),
    })
    .default({ vercel: false, githubEnvironment: false }),
  rotation: z
    .strictObject({
      periodDays: positiveInt,
      /** When people last rotated it; not for the connection strings the program generates and rotates itself. */
      lastRotated: isoDate.optional(),
    })
    .optional(),
});

export const metricNames = [
  "error-rate",
  "api-latency-p95",
  "deployment-failed",
  "database-cpu",
  "disk-used",
] as const;
export type MetricName = (typeof metricNames)[number];

export const severities = ["critical", "warning", "info"] as const;
export type Severity = (typeof severities)[number];

export const alertRule = z.strictObject({
  id: kebab,
  metric: z.enum(metricNames),
  /** threshold: metric compared with `threshold`; anomaly: metric above `threshold` standard deviations of its own baseline band. */
  kind: z.enum(["threshold", "anomaly"]).default("threshold"),
  statistic: z.enum(["Average", "Maximum", "Minimum", "Sum", "SampleCount", "p95", "p99"]).default("Average"),
  comparison: z
    .enum(["GreaterThanThreshold", "GreaterThanOrEqualToThreshold", "GreaterThanUpperThreshold"])
    .default("GreaterThanThreshold"),
  threshold: z.number(),
  periodSeconds: z
    .number()
    .int()
    .refine((n) => n === 10 || n === 30 || (n >= 60 && n % 60 === 0), { message: "must be 10, 30 or a multiple of 60" })
    .describe("10, 30 or a multiple of 60"),
  evaluationPeriods: positiveInt,
  datapointsToAlarm: positiveInt.optional(),
  severity: z.enum(severities),
  action: z.string().min(1),
});
export type AlertRule = z.infer<typeof alertRule>;

const slackChannel = z.strictObject({
  workspaceId: z.string().min(1),
  channelId: z.string().min(1),
  channelName: z.string().regex(/^#[a-z0-9-_]+$/, "must be a Slack channel name like #alerts"),
});

export const alerts = z.strictObject({
  /** CloudWatch namespace of the product's metrics; defaults to `<product.name>/<environment>`. */
  namespace: z.string().min(1).optional(),
  channels: z.strictObject({
    /** Paging: the PagerDuty HTTPS endpoint comes from the `flightdeck:pagerDutyEndpoint` secret. */
    critical: z.strictObject({ pagerDuty: z.literal(true) }),
    warning: z.strictObject({ slack: slackChannel }),
    info: z.strictObject({ slack: slackChannel }),
  }),
  rules: z.array(alertRule).min(1),
});

export const audit = z.strictObject({
  bucketName: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "must be a valid S3 bucket name"),
  prefix: z.string().regex(/^[a-z0-9-]+\/$/, "must be a key prefix ending in /").default("deployments/"),
  retention: z.strictObject({
    mode: z.enum(["COMPLIANCE", "GOVERNANCE"]),
    days: positiveInt,
  }),
  glacierAfterDays: positiveInt.default(90),
  /** An existing GitHub OIDC provider in the account; when absent the stack creates one. */
  githubOidcProviderArn: z.string().regex(/^arn:aws:iam::\d{12}:oidc-provider\/token\.actions\.githubusercontent\.com$/, "must be the ARN of the GitHub OIDC provider").optional(),
  /** protect and retainOnDelete on the bucket and its key. */
  protect: z.boolean().default(false),
});

export const budgets = z
  .strictObject({
    lighthouseMinScore: z.number().int().min(0).max(100).default(85),
    initialJsMaxKb: positiveInt.default(200),
    dockerImageMaxMb: positiveInt.default(500),
  })
  .default({ lighthouseMinScore: 85, initialJsMaxKb: 200, dockerImageMaxMb: 500 });

const weekdays = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"] as const;
const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "must be a time as HH:MM");
const monthDay = z.string().regex(/^(\d{4}-)?\d{2}-\d{2}$/, "must be MM-DD (every year) or YYYY-MM-DD");

export const schedule = z
  .strictObject({
    timezone: z.string().default("America/New_York"),
    deployDays: z.array(z.enum(weekdays)).min(1).default(["Tue", "Thu"]),
    deployHours: z.strictObject({ from: clockTime, to: clockTime }).default({ from: "10:00", to: "14:00" }),
    freezes: z
      .array(z.strictObject({ name: z.string().regex(/^\S[^\r\n]*$/, "must be one line, not starting with a space"), from: monthDay, to: monthDay }))
      .default([{ name: "holidays", from: "12-20", to: "01-02" }]),
  })
  .default({
    timezone: "America/New_York",
    deployDays: ["Tue", "Thu"],
    deployHours: { from: "10:00", to: "14:00" },
    freezes: [{ name: "holidays", from: "12-20", to: "01-02" }],
  });

export const app = z
  .strictObject({
    webDirectory: z.string().default("apps/web"),
    apiDirectory: z.string().default("api"),
    nodeVersion: z.string().default("22"),
    pythonVersion: z.string().default("3.12"),
    /**
     * Only for an app whose package.json has no `packageManager` field: pnpm/action-setup fails when
     * its `version` input and `packageManager` name different versions, so by default it reads `packageManager`.
     */
    pnpmVersion: z.string().optional(),
  })
  .default({ webDirectory: "apps/web", apiDirectory: "api", nodeVersion: "22", pythonVersion: "3.12" });

/** Every non-secret `flightdeck:*` key. Secret values live in their own keys (see `secretConfigKeys`). */
export const stackConfigSchema = z.strictObject({
  model: z.enum(deploymentModels).describe("the spec's deployment model; decides which stacks and resources exist"),
  environment: z.enum(environmentNames).describe("the environment this stack deploys; must be one the model has"),
  product: product.describe("the product's display name and its slug, the prefix of every resource name"),
  github: github.describe("the app repository, its deploy branches, the ruleset bypass identity and the approvals required"),
  deployEnvironment: deployEnvironment.describe("the GitHub deployment environment: reviewers (user and team names), wait timer"),
  web: web.optional().describe("the Next.js app on Vercel: URL, domain, team and project"),
  api: api.optional().describe("the FastAPI service on Railway"),
  runtimeSettings: z
    .record(envVarName, z.string())
    .default({})
    .describe("plain env vars per environment: the spec's staging differences (feature flags, rate limits, Stripe mode, log level)"),
  database: database.optional().describe("the PostgreSQL server and the database this stack owns; admin password: secret `databaseAdminPassword`"),
  secrets: z.array(secret).default([]).describe("the secrets inventory: source, destinations, rotation; `source: config` values are secrets named after the entry"),
  alerts: alerts.optional().describe("the monitoring table as data, and the three channels; PagerDuty endpoint: secret `pagerDutyEndpoint`"),
  audit: audit.optional().describe("the deployment audit-log bucket and its retention"),
  budgets: budgets.describe("performance budgets enforced by verify.yml"),
  schedule: schedule.describe("deploy windows and freezes (read by the production preflight)"),
  app: app.describe("where the app's code lives and its toolchain versions, for the workflow files"),
  featureFlags: featureFlags.optional().describe("PostHog feature flags with rollout plans, managed in the PostHog project named here; personal API key: secret `posthogPersonalApiKey`"),
  disasterRecovery: disasterRecovery.optional().describe("the spec's disaster recovery: RPO and RTO, database backups with their alarms, the weekly restore drill, the backup platforms and the runbook"),
  stagingData: stagingData
    .optional()
    .describe("staging's data: `synthetic`, or `anonymized` (a weekly masked copy of production's newest backup, every column classified in `masking`)"),
  metricsBridge: metricsBridge
    .optional()
    .describe("the metrics bridge: PostHog and Railway into the alarms' namespace every minute, and the post-deployment watch; secrets `metricsPosthogApiKey`, `metricsRailwayToken`"),
});

export type StackConfigInput = z.input<typeof stackConfigSchema>;
export type StackSettings = z.output<typeof stackConfigSchema>;
export type SecretEntry = z.output<typeof secret>;
export type WebSettings = z.output<typeof web>;
export type ApiSettings = z.output<typeof api>;
export type DatabaseSettings = z.output<typeof database>;
export type AlertSettings = z.output<typeof alerts>;
export type AuditSettings = z.output<typeof audit>;
export type GithubSettings = z.output<typeof github>;
export type DeployEnvironmentSettings = z.output<typeof deployEnvironment>;
export type BudgetSettings = z.output<typeof budgets>;
export type ScheduleSettings = z.output<typeof schedule>;
export type AppSettings = z.output<typeof app>;
export type { FeatureFlagSettings } from "../flags/settings";
export type { DisasterRecoverySettings } from "../backup/settings";
export type { MetricsBridgeSettings } from "../metrics/settings";
export type { StagingDataSettings } from "../stagingData/settings";
