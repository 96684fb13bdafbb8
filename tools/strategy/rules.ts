/**
 * The deployment strategy flightdeck implements, one rule a row, in the project's own words: each
 * with the strategy's figure, where the program declares it, which policies of the pack enforce it
 * and which specs prove it. `npm run docs` renders it into docs/strategy.md (tools/strategy/reference.ts);
 * test/tools/strategy.spec.ts fails when a policy, file or spec named here does not exist, when a
 * spec does not mention what its rule names, or when the pack serves a policy no rule traces.
 *
 * A rule the program does not declare, or the pack does not enforce, says so and why
 * (`notDeclared`, `notEnforced`); what is missing from a rule that is otherwise in place is its `gap`.
 */

export const SECTIONS = [
  "Deployment model",
  "Environments",
  "CI/CD pipeline",
  "Deployment process",
  "Artifacts",
  "Database migrations",
  "Rollback",
  "Monitoring & alerts",
  "Feature flags",
  "Secrets",
  "Deployment schedule",
  "Disaster recovery",
  "Compliance & audit",
  "Performance",
] as const;

export type Section = (typeof SECTIONS)[number];

export interface StrategyRule {
  /** Stable, kebab-case: what a review or an audit note cites. */
  id: string;
  section: Section;
  /** What the strategy requires, restated for this project. */
  rule: string;
  /** The strategy's numbers and names for it. */
  figure: string;
  /** Repository files that declare it: the program, its stack files, the generated workflows' builders. */
  declaredIn: readonly string[];
  /** Names of the pack's policies that enforce it. */
  policies: readonly string[];
  /** Spec files that prove it (each mentions one of the policies, or names or imports a declaring file). */
  specs: readonly string[];
  /** Why no file declares it; required when `declaredIn` is empty. */
  notDeclared?: string;
  /** Why no policy enforces it; required when `policies` is empty. */
  notEnforced?: string;
  /** What is not (yet) done of a rule that is otherwise declared and enforced. */
  gap?: string;
}

export const STRATEGY_RULES: readonly StrategyRule[] = [
  // Deployment model
  {
    id: "model-staging-prod",
    section: "Deployment model",
    rule:
      "The product uses one of three models: staging-prod, direct-prod or local-only. FlightPro uses staging-prod, so every change passes a staging environment before production, and a production stack keeps the staging pipeline unless a reviewed waiver drops it.",
    figure: "staging-prod: two stacks, `staging` and `production`",
    declaredIn: ["Pulumi.yaml", "infra/config/schema.ts"],
    policies: ["runtime-production-keeps-staging"],
    specs: ["test/policies/runtime.spec.ts", "test/infra/config/validate.spec.ts"],
  },

  // Environments
  {
    id: "env-local",
    section: "Environments",
    rule:
      "Developers run the web app and the API on their own machines against a local database with sample data; their secrets stay in an uncommitted `.env.local`, for which the stack commits a `.env.example` template with names and no values.",
    figure: "web on :3000, API on :8000; `.env.local` never committed",
    declaredIn: ["infra/secrets/envExample.ts", "infra/secrets/envExampleFile.ts"],
    policies: [],
    specs: ["test/infra/secretInventory.spec.ts"],
    notEnforced: "developers' machines (their ports, their local database) are not infrastructure the stack manages; the pack only sees the template the stack commits, which has no values by construction",
  },
  {
    id: "env-staging",
    section: "Environments",
    rule:
      "Staging is the pre-production environment: its own stack, URL, database and GitHub environment, deployed automatically by every merge into the `staging` branch.",
    figure: "https://app-staging.flightpro.com; branch `staging`; deploys on merge",
    declaredIn: ["Pulumi.staging.yaml", "infra/workflows/deployStaging.ts", "infra/github/branchRuleset.ts"],
    policies: ["runtime-production-keeps-staging"],
    specs: ["test/infra/workflows/workflows.spec.ts", "test/policies/runtime.spec.ts"],
  },
  {
    id: "env-staging-differences",
    section: "Environments",
    rule:
      "Staging runs unreleased features behind flags, looser rate limits, Stripe in test mode and verbose logging; production runs Stripe live, unreleased flags off and quiet logs.",
    figure: "4 settings: unreleased flags, rate limit, Stripe mode, log level",
    declaredIn: ["infra/vercel/runtimeSettings.ts", "Pulumi.staging.yaml", "Pulumi.production.yaml"],
    policies: ["runtime-settings-fit-environment"],
    specs: ["test/policies/runtime.spec.ts", "test/infra/runtimeSettings.spec.ts"],
  },
  {
    id: "env-staging-data",
    section: "Environments",
    rule:
      "Staging's data is either an anonymized copy of production, refreshed every week, or synthetic test data; never production's data as it is.",
    figure: "refreshed weekly",
    declaredIn: ["infra/stagingData/settings.ts", "infra/stagingData/stagingRefresh.ts", "infra/stagingData/refreshScript.ts", "Pulumi.staging.yaml"],
    policies: ["staging-data-production-backups-refresh-only"],
    specs: ["test/integration/stagingData/refresh.spec.ts", "test/policies/stagingData.spec.ts"],
    gap: "that every column is classified is checked by the job when it runs (it stops), not by the pack: the pack cannot see production's schema",
  },
  {
    id: "env-production",
    section: "Environments",
    rule:
      "Production is the live environment, deployed only from `main` and only after a person approves the deploy; its database is managed and backed up (Disaster recovery).",
    figure: "https://app.flightpro.com; branch `main`; manual approval after staging",
    declaredIn: ["Pulumi.production.yaml", "infra/github/deploymentEnvironment.ts", "infra/workflows/deployProduction.ts"],
    policies: ["github-environment-production-main-only", "github-environment-production-approval-required", "github-deploy-branch-ruleset-active"],
    specs: ["test/policies/environments.spec.ts", "test/infra/deploymentEnvironment.spec.ts", "test/policies/repository.spec.ts"],
  },
  {
    id: "env-production-isolated",
    section: "Environments",
    rule:
      "Production and staging share nothing that could let one change the other: each stack's hosts, databases, buckets, environment, branch, domains, namespace and Vercel target are its own, the environment a stack file names is its stack, and a stack naming or matching another stack's resource is blocked whichever stack it is (staging only reads production's backups). Isolation is mandatory in staging too: advisory is for staging's own quality, never for what touches production.",
    figure: "separate databases and stacks; staging has a \"Separate staging database\"",
    declaredIn: ["Pulumi.production.yaml", "Pulumi.staging.yaml", "infra/naming.ts", "policies/config/staging.json", "policies/lib/floors.ts"],
    policies: ["isolation-stack-resources-own", "runtime-production-isolated-from-staging"],
    specs: ["test/policies/isolation.spec.ts", "test/policies/isolation.plan.spec.ts", "test/policies/runtime.spec.ts", "test/tools/planVariants.spec.ts"],
  },

  // CI/CD pipeline
  {
    id: "pipeline-verify",
    section: "CI/CD pipeline",
    rule:
      "Stage 1 runs on every pull request: lint, type check, unit tests, build and security scan (plus the migration round trip and the performance budgets). Each is a required status check, so any failing step blocks the merge, and each check runs the tools the strategy names for it.",
    figure: "ESLint + Ruff, TypeScript + Pyright, Jest + pytest, build, npm audit + a Python audit; about 3 min; any failure blocks merge",
    declaredIn: ["infra/workflows/verify.ts", "infra/pipeline/verifyChecks.ts", "infra/github/branchRuleset.ts"],
    policies: ["github-ruleset-verify-checks-required", "workflow-verify-required-checks-exist", "workflow-verify-checks-run-their-tools", "workflow-gate-steps-fail-closed"],
    specs: ["test/policies/workflows.spec.ts", "test/policies/repository.spec.ts", "test/infra/branchRuleset.spec.ts"],
    gap: "the durations (about 3, 5 and 7 minutes for the three stages) are estimates: every job has a timeout, nothing measures them",
  },
  {
    id: "pipeline-staging",
    section: "CI/CD pipeline",
    rule:
      "Stage 2 runs on every merge into `staging`: the verify steps, the API image build, the web build, the deploys to Railway and Vercel, smoke tests and the deployment record. A failed build or smoke test stops it.",
    figure: "about 5 min; blocked by a failed build or smoke test",
    declaredIn: ["infra/workflows/deployStaging.ts", "infra/workflows/steps.ts"],
    policies: ["workflow-gate-steps-fail-closed", "runtime-production-keeps-staging"],
    specs: ["test/infra/workflows/workflows.spec.ts", "test/policies/workflows.spec.ts"],
  },
  {
    id: "pipeline-production",
    section: "CI/CD pipeline",
    rule:
      "Stage 3 starts only by hand: approval, pre-flight, promotion of staging's artifacts, migrations, API and web deploys, smoke tests and release notes; a failed smoke test rolls back. The deploy runs in one job of the production environment, so its reviewers approve it once.",
    figure: "manual trigger (workflow_dispatch); about 7 min; rollback if smoke tests fail",
    declaredIn: ["infra/workflows/deployProduction.ts", "infra/workflows/preflight.ts"],
    policies: ["workflow-triggers-trusted", "workflow-production-deploy-uses-environment", "workflow-production-deploy-needs-preflight"],
    specs: ["test/policies/workflows.spec.ts", "test/infra/workflows/preflight.spec.ts"],
  },
  {
    id: "pipeline-hardened",
    section: "CI/CD pipeline",
    rule:
      "A gate is only as strong as the workflow that runs it, so the generated workflows are parsed as GitHub parses them, run third-party actions pinned to a commit, install tools at exact versions, hold least-privilege tokens, never expose a secret, run on a supported Node.js, and every job has a timeout.",
    figure: "actions pinned to full commit SHAs; `permissions: {}` by default; Node.js 22",
    declaredIn: ["infra/workflows/hardening.ts", "infra/workflows/pins.ts", "infra/workflows/render.ts"],
    policies: [
      "workflow-file-parses",
      "workflow-actions-pinned-to-sha",
      "workflow-permissions-least-privilege",
      "workflow-tools-installed-pinned",
      "workflow-secrets-not-exposed",
      "workflow-jobs-hardened",
      "workflow-node-version-supported",
    ],
    specs: ["test/policies/workflows.spec.ts", "test/infra/workflows/hardening.spec.ts"],
  },

  // Deployment process
  {
    id: "process-staging-validation",
    section: "Deployment process",
    rule:
      "A feature reaches staging by a merge into `staging`; the pipeline applies the migrations, deploys and smoke-tests it, and the team then walks the validation checklist (the app loads, the feature works, nothing else broke, no console errors).",
    figure: "checklist incl. Lighthouse ≥ 85 and migrations applied; 10–15 min",
    declaredIn: ["infra/workflows/deployStaging.ts", "infra/workflows/steps.ts"],
    policies: ["workflow-gate-steps-fail-closed"],
    specs: ["test/infra/workflows/workflows.spec.ts", "test/policies/workflows.spec.ts"],
    gap: "the manual checklist items (the feature works, no console errors) are people's judgement; Lighthouse runs on every pull request (Performance), not against staging",
  },
  {
    id: "gate-staging-validated",
    section: "Deployment process",
    rule: "Quality gate: production takes only a commit that staging deployed with passing smoke tests (in the direct-prod model, one whose verify checks are green); the production pre-flight looks it up before anyone is asked to approve.",
    figure: "staging validation complete before production",
    declaredIn: ["infra/workflows/deployProduction.ts", "infra/workflows/preflight.ts"],
    policies: ["workflow-production-deploy-needs-preflight", "runtime-production-keeps-staging"],
    specs: ["test/infra/workflows/preflight.spec.ts", "test/policies/workflows.spec.ts"],
  },
  {
    id: "gate-code-review",
    section: "Deployment process",
    rule:
      "Quality gate: a change reaches a deploy branch only through a pull request that someone approved; the branch's history cannot be rewritten or deleted, and nobody skips review but the deploy App that commits the generated workflows.",
    figure: "at least 1 approval",
    declaredIn: ["infra/github/branchRuleset.ts", "infra/config/githubRules.ts", "Pulumi.yaml"],
    policies: [
      "github-ruleset-pull-request-required",
      "github-ruleset-history-protected",
      "github-ruleset-bypass-deploy-app-only",
      "github-branch-protection-no-bypass",
      "github-workflow-files-committed-by-bypass-app",
      "github-provider-governed-app",
    ],
    specs: ["test/policies/repository.spec.ts", "test/policies/githubProvider.spec.ts", "test/infra/branchRuleset.spec.ts"],
  },
  {
    id: "gate-preflight-approval",
    section: "Deployment process",
    rule:
      "Quality gate: before it changes anything, the production deploy checks that it runs from `main`, inside the schedule, with the image staging built, and with every required variable and secret set; and it waits for a reviewer other than the person who started it.",
    figure: "1 reviewer, not the one who triggered",
    declaredIn: ["infra/workflows/preflight.ts", "infra/github/deploymentEnvironment.ts", "Pulumi.production.yaml"],
    policies: ["workflow-production-deploy-needs-preflight", "workflow-production-deploy-uses-environment", "github-environment-production-approval-required"],
    specs: ["test/infra/workflows/preflight.spec.ts", "test/policies/environments.spec.ts", "test/policies/workflows.spec.ts"],
  },
  {
    id: "gate-smoke-tests",
    section: "Deployment process",
    rule: "Quality gate: smoke tests run after every deploy; in production a failure rolls the release back automatically.",
    figure: "smoke tests pass",
    declaredIn: ["infra/workflows/deployProduction.ts", "infra/workflows/steps.ts"],
    policies: ["workflow-production-smoke-tests-roll-back", "workflow-gate-steps-fail-closed"],
    specs: ["test/policies/workflows.spec.ts", "test/policies/workflowScripts.spec.ts", "test/infra/workflows/workflows.spec.ts"],
  },
  {
    id: "gate-rollback-plan",
    section: "Deployment process",
    rule:
      "Quality gate: the rollback plan is documented before production, as code: each deploy records its release (API image digest, web deployment), the rollback workflow returns to a recorded release, and the disaster-recovery runbook is committed with the stack.",
    figure: "rollback plan documented",
    declaredIn: ["infra/workflows/rollback.ts", "infra/backup/runbook.ts"],
    policies: ["workflow-rollback-redeploys-recorded-release"],
    specs: ["test/policies/workflows.spec.ts", "test/infra/backup/disasterRecovery.spec.ts"],
  },
  {
    id: "process-release-records",
    section: "Deployment process",
    rule: "A production release is written up: release notes generated from the commits since the last release.",
    figure: "release notes per production deploy",
    declaredIn: ["infra/workflows/deployProduction.ts"],
    policies: [],
    specs: ["test/infra/workflows/workflows.spec.ts"],
    notEnforced: "release notes are a record, not a gate: a deploy whose notes failed still happened and is in the audit log",
    gap: "the version bump in the app's package.json and marking the feature shipped on the roadmap belong to the app repository and the product's roadmap; nothing in the stack does them",
  },

  // Artifacts
  {
    id: "artifact-build-once",
    section: "Artifacts",
    rule:
      "The API image is built once, tagged with the commit, deployed to staging by digest, and production promotes that same digest without rebuilding, so production runs exactly what staging tested.",
    figure: "build once, promote; image in GHCR tagged with the commit SHA",
    declaredIn: ["infra/workflows/deployStaging.ts", "infra/workflows/deployProduction.ts", "infra/workflows/railway.ts"],
    policies: ["workflow-production-promotes-without-build"],
    specs: ["test/policies/workflows.spec.ts", "test/infra/workflows/railway.spec.ts"],
  },
  {
    id: "artifact-web-per-environment",
    section: "Artifacts",
    rule:
      "The web app is the one artifact built per environment: Next.js inlines the public variables at build time, so a staging build cannot serve production. Production builds with production's values and deploys that build as a production deployment.",
    figure: "`vercel build --prod`, `vercel deploy --prebuilt --prod`",
    declaredIn: ["infra/workflows/vercel.ts", "infra/workflows/deployProduction.ts"],
    policies: ["workflow-production-web-built-for-production"],
    specs: ["test/policies/workflows.spec.ts", "test/infra/workflows/vercel.spec.ts"],
  },

  // Database migrations
  {
    id: "migration-reversible",
    section: "Database migrations",
    rule: "Every migration can be undone: each pull request upgrades to head, downgrades one step and upgrades again, as a required check.",
    figure: "`alembic upgrade head`, `downgrade -1`, `upgrade head` on every pull request",
    declaredIn: ["infra/workflows/verify.ts", "infra/pipeline/migrations.ts", "infra/pipeline/verifyChecks.ts"],
    policies: ["workflow-verify-checks-run-their-tools", "github-ruleset-verify-checks-required"],
    specs: ["test/policies/workflows.spec.ts", "test/policies/repository.spec.ts", "test/integration/postgres/postgresDatabase.spec.ts"],
  },
  {
    id: "migration-staging-first",
    section: "Database migrations",
    rule: "Quality gate: migrations are tested in staging first. The pipeline applies them before the new code serves traffic, in staging, then in production for a commit staging already ran.",
    figure: "staging before production; migrate before deploy",
    declaredIn: ["infra/workflows/deployStaging.ts", "infra/workflows/deployProduction.ts", "infra/workflows/steps.ts"],
    policies: ["workflow-production-migrations-before-deploy", "workflow-production-deploy-needs-preflight"],
    specs: ["test/policies/workflows.spec.ts", "test/infra/workflows/workflows.spec.ts"],
  },
  {
    id: "migration-zero-downtime",
    section: "Database migrations",
    rule:
      "A breaking schema change ships in expand-contract steps (add the new column, backfill and dual-write, then drop the old one) so that no deploy or rollback loses data or needs downtime.",
    figure: "3 steps: add, backfill, drop",
    declaredIn: [],
    policies: [],
    specs: [],
    notDeclared: "how a change is split is the content of the app's migrations, which live in the app repository",
    notEnforced: "no check can tell an expand step from a contract step; the round trip of every migration (migration-reversible) is what the pipeline holds, the split is for review",
  },

  // Rollback
  {
    id: "rollback-error-rate",
    section: "Rollback",
    rule:
      "Roll back when the error rate stays above 5% for 5 minutes: in the hour after a production deploy the watch dispatches the rollback itself; at any time an alarm pages with the instruction to roll back.",
    figure: "error rate > 5% for 5 min",
    declaredIn: ["infra/metrics/lambda/watch.ts", "infra/workflows/deployWatch.ts", "Pulumi.production.yaml"],
    policies: ["metrics-watch-thresholds-within-spec"],
    specs: ["test/policies/metrics.spec.ts", "test/infra/metrics/watch.spec.ts"],
    gap: "the other triggers, a broken critical feature and corrupted data, are a person's call: they start `rollback.yml` by hand",
  },
  {
    id: "rollback-latency",
    section: "Rollback",
    rule: "Roll back when performance degrades: API p95 latency above twice its baseline.",
    figure: "p95 > 2× baseline",
    declaredIn: [],
    policies: [],
    specs: [],
    notDeclared: "the watch compares the error rate with its pre-deploy baseline, not latency; latency alarms at the table's absolute 1 s (alert-api-latency), and the rollback is a person's decision",
    notEnforced: "nothing declares it to judge",
  },
  {
    id: "rollback-quick",
    section: "Rollback",
    rule:
      "A quick rollback puts the previous release back without a build: the web through Vercel's Instant Rollback to the former production deployment, the API by redeploying the previous image digest; a full rollback also downgrades the database to a chosen revision.",
    figure: "quick < 5 min; full 5–10 min",
    declaredIn: ["infra/workflows/rollback.ts", "infra/workflows/railway.ts", "infra/workflows/vercel.ts"],
    policies: ["workflow-rollback-redeploys-recorded-release"],
    specs: ["test/policies/workflows.spec.ts", "test/infra/workflows/railway.spec.ts", "test/infra/workflows/vercel.spec.ts"],
    gap: "the durations are targets: nothing measures how long a rollback takes",
  },
  {
    id: "rollback-drills",
    section: "Rollback",
    rule: "The rollback procedure is rehearsed on a schedule, so it is known to work when it is needed.",
    figure: "quarterly drills",
    declaredIn: ["infra/backup/recoveryJobs.ts", "infra/backup/drillRegister.ts"],
    policies: ["recovery-restore-drill-recent"],
    specs: ["test/policies/recovery.spec.ts", "test/integration/backup/backupScripts.spec.ts"],
    gap: "what is drilled is the database restore (weekly, more often than quarterly); no drill of `rollback.yml` itself is scheduled",
  },

  // Monitoring & alerts
  {
    id: "alert-error-rate",
    section: "Monitoring & alerts",
    rule: "An error rate above 2% for 5 minutes pages: investigate, and roll back past 5%.",
    figure: "> 2% for 5 min → critical (PagerDuty); source PostHog",
    declaredIn: ["Pulumi.production.yaml", "infra/aws/alertMetrics.ts", "infra/aws/alerts.ts", "infra/metrics/lambda/posthog.ts"],
    policies: ["alerts-alarm-thresholds-within-spec", "alerts-alarm-severity-routed", "metrics-alarm-metric-published"],
    specs: ["test/policies/alerts.spec.ts", "test/infra/alertMetrics.spec.ts", "test/infra/metrics/bridgeHandler.spec.ts"],
  },
  {
    id: "alert-api-latency",
    section: "Monitoring & alerts",
    rule: "API p95 response time above 1 second for 10 minutes warns: investigate performance.",
    figure: "p95 > 1 s for 10 min → warning (Slack #alerts); source Railway",
    declaredIn: ["Pulumi.production.yaml", "infra/aws/alertMetrics.ts", "infra/aws/alerts.ts", "infra/metrics/lambda/railway.ts"],
    policies: ["alerts-alarm-thresholds-within-spec", "alerts-alarm-severity-routed", "metrics-alarm-metric-published"],
    specs: ["test/policies/alerts.spec.ts", "test/infra/alertMetrics.spec.ts", "test/infra/metrics/bridgeHandler.spec.ts"],
  },
  {
    id: "alert-deployment-failed",
    section: "Monitoring & alerts",
    rule: "A failed deployment pages the team, and no further deploy goes out until it is fixed.",
    figure: "deployment failed → critical; source GitHub Actions",
    declaredIn: ["Pulumi.production.yaml", "infra/aws/alertMetrics.ts", "infra/workflows/steps.ts"],
    policies: ["alerts-alarm-thresholds-within-spec", "alerts-alarm-severity-routed", "metrics-alarm-metric-published"],
    specs: ["test/policies/alerts.spec.ts", "test/policies/metrics.spec.ts", "test/infra/alertMetrics.spec.ts"],
    gap: "holding the next deploy is the team's decision after the page: nothing stops a new deploy while the last one failed",
  },
  {
    id: "alert-database-cpu",
    section: "Monitoring & alerts",
    rule: "Database CPU above 85% for 30 minutes warns: scale up.",
    figure: "> 85% for 30 min → warning; source Railway",
    declaredIn: ["Pulumi.production.yaml", "infra/aws/alertMetrics.ts", "infra/metrics/lambda/railway.ts"],
    policies: ["alerts-alarm-thresholds-within-spec", "alerts-alarm-severity-routed", "metrics-alarm-metric-published"],
    specs: ["test/policies/alerts.spec.ts", "test/infra/alertMetrics.spec.ts", "test/infra/metrics/bridgeHandler.spec.ts"],
  },
  {
    id: "alert-disk-space",
    section: "Monitoring & alerts",
    rule: "Disk use above 80% warns: add storage.",
    figure: "> 80% → warning; source Railway",
    declaredIn: ["Pulumi.production.yaml", "infra/aws/alertMetrics.ts", "infra/metrics/lambda/railway.ts"],
    policies: ["alerts-alarm-thresholds-within-spec", "alerts-alarm-severity-routed", "metrics-alarm-metric-published"],
    specs: ["test/policies/alerts.spec.ts", "test/infra/alertMetrics.spec.ts", "test/infra/metrics/bridgeHandler.spec.ts"],
  },
  {
    id: "alert-channels",
    section: "Monitoring & alerts",
    rule:
      "Alerts go to three channels by severity: critical ones (error rate, failed deployments) phone through PagerDuty, warnings (performance, capacity) post to Slack #alerts, and information (a successful deploy) to Slack #deploys. Every alarm acts when it fires and reaches a person, judged as one path from the alarm, rule or bridge through the topic's access policy and its key's policy to a subscription; nobody outside the account can publish to, subscribe to or reconfigure the channels.",
    figure: "critical → PagerDuty; warning → #alerts; info → #deploys",
    declaredIn: ["infra/aws/alerts.ts", "infra/aws/alertsPolicies.ts", "bootstrap/aws/breakGlassAlarm.ts", "Pulumi.production.yaml"],
    policies: [
      "alerts-alarm-actions-enabled",
      "alerts-alarm-severity-routed",
      "alerts-subscription-unfiltered",
      "alerts-topic-kms-encrypted",
      "alerts-topic-policy-restricted",
      "alerts-chatbot-guardrails-read-only",
      "alerts-paging-path-delivers",
    ],
    specs: ["test/policies/alerts.spec.ts", "test/infra/alertRules.spec.ts", "test/policies/paging.spec.ts"],
  },
  {
    id: "alert-metrics-delivered",
    section: "Monitoring & alerts",
    rule:
      "The monitored metrics reach the alarms: a bridge copies PostHog's and Railway's figures into the alarms' namespace at least once per alarm period, with a least-privilege role and protected keys, and its own silence or failure raises an alarm.",
    figure: "every minute; no heartbeat for 5 min → warning",
    declaredIn: ["infra/metrics/metricsBridge.ts", "infra/metrics/bridgePolicies.ts", "infra/metrics/lambda/handler.ts"],
    policies: [
      "metrics-alarm-metric-published",
      "metrics-bridge-schedule-within-alarm-period",
      "metrics-bridge-failure-alarmed",
      "metrics-bridge-role-least-privilege",
      "metrics-bridge-secrets-protected",
      "metrics-bridge-calls-within-rate-limits",
    ],
    specs: ["test/policies/metrics.spec.ts", "test/policies/rateLimits.spec.ts", "test/infra/metrics/metricsBridge.spec.ts", "test/infra/metrics/bridgeHandler.spec.ts", "test/joints/saasLimits.spec.ts"],
  },
  {
    id: "alert-post-deploy-watch",
    section: "Monitoring & alerts",
    rule:
      "For the first hour after a production deploy the error rate is compared with the hour before it; a spike above twice that baseline pages for immediate investigation.",
    figure: "1 hour; > 2× baseline",
    declaredIn: ["infra/metrics/lambda/watch.ts", "infra/workflows/deployWatch.ts", "Pulumi.production.yaml"],
    policies: ["metrics-watch-thresholds-within-spec"],
    specs: ["test/policies/metrics.spec.ts", "test/infra/metrics/watch.spec.ts"],
  },

  // Feature flags
  {
    id: "flags-rollout-plan",
    section: "Feature flags",
    rule:
      "A flagged feature is rolled out in stages, never faster than the plan: off when the code ships, the team the next day, then a growing share of users, and everyone after three weeks. Production never serves more than staging, every production flag has an owner, and flags change only through the flag resource the pack judges.",
    figure: "0% (day 0) → team (1) → 5% (3) → 25% (7) → 50% (14) → 100% (21)",
    declaredIn: ["infra/flags/rollout.ts", "infra/flags/featureFlag.ts", "Pulumi.production.yaml"],
    policies: [
      "flags-rollout-plan-follows-spec",
      "flags-rollout-not-ahead-of-plan",
      "flags-production-not-ahead-of-staging",
      "flags-production-owner-required",
      "flags-posthog-managed-by-flag-resource",
    ],
    specs: ["test/policies/flags.spec.ts", "test/policies/flags.plan.spec.ts", "test/infra/flags/rollout.spec.ts"],
  },
  {
    id: "flags-kill-switch",
    section: "Feature flags",
    rule: "A misbehaving feature is switched off by its flag, without redeploying the app.",
    figure: "kill switch: 0% at once",
    declaredIn: ["infra/flags/rollout.ts", "infra/config/schema.ts"],
    policies: ["flags-rollout-not-ahead-of-plan"],
    specs: ["test/policies/flags.spec.ts", "test/infra/flags/rollout.spec.ts"],
    gap: "`killSwitch: true` takes effect at the next `pulumi up`; for seconds, switch the flag off in PostHog first (docs/operations.md)",
  },
  {
    id: "flags-removed-after-rollout",
    section: "Feature flags",
    rule: "A flag that reached everyone is removed in the next release.",
    figure: "remove after 100%; reported after 14 days at 100%",
    declaredIn: ["infra/flags/featureFlag.ts", "infra/flags/rollout.ts"],
    policies: ["flags-full-rollout-flag-removed"],
    specs: ["test/policies/flags.spec.ts"],
  },

  // Secrets
  {
    id: "secrets-inventory",
    section: "Secrets",
    rule:
      "The inventory of secrets is declared once per stack and placed by the stack: Vercel variables are sensitive, deploy credentials live in the GitHub environment whose approval guards them, and NEXT_PUBLIC_* values, which every browser sees, are never secrets.",
    figure: "DATABASE_URL, REDIS_URL, CLERK_SECRET_KEY, STRIPE_SECRET_KEY, NEXT_PUBLIC_*",
    declaredIn: ["Pulumi.production.yaml", "infra/secrets/secretInventory.ts", "infra/config/secretKeys.ts"],
    policies: ["vercel-env-var-sensitive", "secrets-public-env-var-not-secret", "secrets-deploy-credentials-in-environment", "github-actions-variable-not-secret"],
    specs: ["test/policies/secrets.spec.ts", "test/policies/secretScope.spec.ts", "test/infra/secretInventory.spec.ts"],
  },
  {
    id: "secrets-never-in-plain",
    section: "Secrets",
    rule:
      "No secret is ever written down in plain: not in a committed file, an input a platform shows, or a comment. Database passwords are generated, and the stack commits only a `.env.example` with names.",
    figure: "no `.env` files, keys in code or passwords in comments",
    declaredIn: ["infra/secrets/envExample.ts", "infra/secrets/values.ts", "infra/database/roles.ts"],
    policies: ["secrets-plain-input-no-credentials", "secrets-value-not-in-plain-input", "database-role-password-generated"],
    specs: ["test/policies/secrets.spec.ts", "test/policies/secretCopies.spec.ts", "test/policies/database.spec.ts"],
    gap: "the pack judges what the stack declares; a key committed to the app repository's code is for that repository's secret scanning",
  },
  {
    id: "secrets-encrypted-at-rest",
    section: "Secrets",
    rule:
      "Secrets are stored encrypted by whatever holds them: Pulumi state under the stack's KMS key, SSM parameters as SecureStrings under keys of the stack that rotate yearly, that nobody outside the account can use, and whose own policies and grants let no role but the reader decrypt.",
    figure: "encrypted at rest",
    declaredIn: ["bootstrap/aws/secretsKey.ts", "bootstrap/aws/keyPolicies.ts", "infra/metrics/metricsBridge.ts"],
    policies: ["kms-key-rotation-enabled", "kms-key-policy-restricted", "metrics-bridge-secrets-protected", "metrics-bridge-key-decrypt-bridge-only"],
    specs: ["test/policies/keys.spec.ts", "test/policies/metrics.spec.ts", "test/policies/paging.spec.ts"],
  },
  {
    id: "secrets-rotation-api-keys",
    section: "Secrets",
    rule: "API keys and deploy tokens are rotated every 90 days, with reminders before they are due; the pack blocks a deploy once one is overdue.",
    figure: "every 90 days, with automated reminders",
    declaredIn: ["infra/secrets/rotationRegister.ts", "infra/secrets/rotation.ts", "infra/secrets/rotationReminder.ts", "infra/secrets/reminderScript.ts", "Pulumi.production.yaml"],
    policies: ["secrets-rotation-register-current", "secrets-rotation-register-complete", "secrets-rotation-reminder-scheduled"],
    specs: ["test/policies/secrets.spec.ts", "test/tools/planVariants.spec.ts", "test/policies/reminders.spec.ts", "test/integration/reminders/rotationReminder.spec.ts"],
    gap: "people rotate these keys in their platforms and record the date in the stack file; the reminders (14 days before, on the day, a page once overdue) say when",
  },
  {
    id: "secrets-rotation-database",
    section: "Secrets",
    rule: "Database passwords are rotated every 180 days, without downtime: the new value is set on the platform, then the app is redeployed.",
    figure: "every 180 days; zero downtime",
    declaredIn: ["infra/database/passwordRotation.ts", "infra/database/roles.ts", "infra/database/postgresDatabase.ts", "infra/backup/backupRole.ts", "infra/secrets/rotationRegister.ts", "Pulumi.production.yaml"],
    policies: ["secrets-rotation-register-current", "secrets-rotation-register-complete", "database-role-membership-least-privilege"],
    specs: ["test/policies/secrets.spec.ts", "test/infra/postgresDatabase.spec.ts", "test/integration/postgres/rotation.spec.ts"],
    gap: "Vercel applies the new DATABASE_URL at the next deployment: the deploy workflow is run after the `pulumi up` that rotated (the previous slot stays valid for half a period); Railway's variables are not managed by the stack",
  },

  // Deployment schedule
  {
    id: "schedule-window",
    section: "Deployment schedule",
    rule:
      "Production deploys happen on Tuesdays and Thursdays between 10:00 and 14:00 New York time, never on a Friday, so people are there to watch them. The pre-flight of every production deploy checks it, and the pack judges each `pulumi up` of production against it.",
    figure: "Tue and Thu, 10am–2pm EST (America/New_York)",
    declaredIn: ["Pulumi.yaml", "infra/workflows/preflight.ts"],
    policies: ["schedule-production-deploy-window", "schedule-production-preflight-enforces-floor"],
    specs: ["test/policies/schedule.spec.ts", "test/infra/workflows/preflight.spec.ts"],
  },
  {
    id: "schedule-hotfix",
    section: "Deployment schedule",
    rule:
      "Emergency hotfixes for critical bugs and security issues may deploy at any time: the deploy is started as an emergency with a reason, recorded in the audit log; a `pulumi up` outside the window needs a waiver of at most one day.",
    figure: "anytime",
    declaredIn: ["infra/workflows/deployProduction.ts", "infra/workflows/preflight.ts"],
    policies: ["schedule-production-deploy-window", "policy-waivers-valid"],
    specs: ["test/infra/workflows/preflight.spec.ts", "test/policies/waivers.spec.ts"],
  },
  {
    id: "schedule-freezes",
    section: "Deployment schedule",
    rule: "Nothing deploys during a freeze: the holidays every year, the week before a major launch, and major events such as Black Friday.",
    figure: "December 20 – January 2; launch week; Black Friday",
    declaredIn: ["Pulumi.yaml", "infra/workflows/preflight.ts"],
    policies: ["schedule-production-preflight-enforces-floor", "schedule-production-deploy-window"],
    specs: ["test/policies/schedule.spec.ts", "test/policies/schedule.stack.spec.ts", "test/policies/floors.spec.ts"],
    gap: "only the December 20 – January 2 freeze is a floor the pack holds; launch weeks and events are dates the team adds to `flightdeck:schedule.freezes` (Black Friday 2026 is there)",
  },

  // Disaster recovery
  {
    id: "dr-phases",
    section: "Disaster recovery",
    rule:
      "When a platform fails entirely: in the first 15 minutes post on the status page and tell users; within the hour switch to the backup platform or wait for the provider; if it does not recover, deploy by hand to the alternative within a day. The runbook with the roles, commands and budgets is generated from the stack and committed with it.",
    figure: "0–15 min, 15–60 min, 1–24 h",
    declaredIn: ["infra/backup/runbook.ts", "Pulumi.production.yaml"],
    policies: [],
    specs: ["test/infra/backup/disasterRecovery.spec.ts"],
    notEnforced: "a runbook is a procedure for people; the specs check that it carries the stack's budgets, roles and commands",
  },
  {
    id: "dr-backup-platforms",
    section: "Disaster recovery",
    rule: "Backup platforms are prepared but not deployed: the web app's Netlify configuration and the API's Fly.io configuration (Fly.io of the strategy's two choices) are committed, and the database is restored from its backups.",
    figure: "web → Netlify; API → Render or Fly.io; database → backup restore",
    declaredIn: ["infra/backup/platforms.ts", "Pulumi.production.yaml"],
    policies: [],
    specs: ["test/infra/backup/disasterRecovery.spec.ts"],
    notEnforced: "the prepared files are checked by the specs with Netlify's own config parser and Fly.io's schema; no policy judges them",
  },
  {
    id: "dr-rpo",
    section: "Disaster recovery",
    rule:
      "At most an hour of data can be lost: the production database is backed up on a schedule at least that often (every 15 minutes in the sample stacks), and an alarm pages when no backup completed within the hour plus a small margin, or when a backup shrinks suddenly.",
    figure: "RPO 1 hour",
    declaredIn: ["infra/backup/recoveryJobs.ts", "infra/backup/recoveryAlarms.ts", "infra/backup/contract.ts", "Pulumi.production.yaml"],
    policies: ["recovery-backups-scheduled", "recovery-backup-alarm-pages", "recovery-objectives-within-spec"],
    specs: ["test/policies/recovery.spec.ts", "test/infra/backup/disasterRecovery.spec.ts", "test/integration/backup/backupScripts.spec.ts"],
  },
  {
    id: "dr-backup-whole",
    section: "Disaster recovery",
    rule:
      "A backup holds the whole database: every schema, every table's rows, large objects, the schema itself. The backup job's pg_dump takes no option that selects or leaves out objects or data, read as pg_dump reads its command line for the release the job installs.",
    figure: "Database: Backup restoration to local or alternative cloud",
    declaredIn: ["infra/backup/scripts.ts", "infra/backup/buildspec.ts"],
    policies: ["recovery-backup-dumps-all-data"],
    specs: ["test/policies/recoveryScripts.spec.ts", "test/integration/backup/backupScripts.spec.ts"],
  },
  {
    id: "dr-jobs-fail-loudly",
    section: "Disaster recovery",
    rule:
      "A backup or restore drill that went wrong fails its build: each database command and each check of the job's scripts ends the build when it fails, so the alarms on missing backups and failed drills see it.",
    figure: "Testing: Quarterly rollback drills to ensure procedure works",
    declaredIn: ["infra/backup/scripts.ts", "infra/backup/buildspec.ts"],
    policies: ["recovery-job-checks-fail-the-build"],
    specs: ["test/policies/recoveryScripts.spec.ts"],
  },
  {
    id: "dr-rto",
    section: "Disaster recovery",
    rule: "Service is back within 4 hours: a weekly drill restores the newest backup into a throwaway database and measures the time, which must fit the objective.",
    figure: "RTO 4 hours",
    declaredIn: ["infra/backup/recoveryJobs.ts", "infra/backup/drillRegister.ts", "Pulumi.production.yaml"],
    policies: ["recovery-objectives-within-spec", "recovery-restore-drill-recent"],
    specs: ["test/policies/recovery.spec.ts", "test/integration/backup/backupScripts.spec.ts"],
  },
  {
    id: "dr-backups-kept",
    section: "Disaster recovery",
    rule:
      "Backups survive what they protect against: nobody can delete or expose them, they are encrypted with a key of their own, the job that writes them can only write, and the role that dumps the database can only read.",
    figure: "the latest backup is the restore point",
    declaredIn: ["infra/backup/backupBucket.ts", "infra/backup/backupRole.ts", "infra/backup/replication.ts"],
    policies: [
      "recovery-backup-bucket-retained",
      "recovery-backup-bucket-private",
      "recovery-backup-bucket-own-key",
      "recovery-backup-writer-write-only",
      "recovery-backup-role-read-only",
    ],
    specs: ["test/policies/recovery.spec.ts", "test/infra/backup/disasterRecovery.spec.ts"],
  },

  // Compliance & audit
  {
    id: "audit-record",
    section: "Compliance & audit",
    rule:
      "Every deploy, whatever its outcome, leaves a record of who deployed, what changed, when and where, written by a role that only the deploy jobs of that environment can assume and that can do little else.",
    figure: "who (GitHub user), what (commit diff), when (timestamp), where (environment)",
    declaredIn: ["infra/workflows/steps.ts", "infra/aws/auditRole.ts", "infra/aws/auditPolicies.ts"],
    policies: ["workflow-deploy-audit-record-always", "audit-oidc-role-trust-pinned", "iam-deploy-role-least-privilege", "iam-deploy-role-session-bounded"],
    specs: ["test/policies/workflows.spec.ts", "test/policies/iam.spec.ts", "test/infra/deployAuditRole.spec.ts"],
  },
  {
    id: "audit-retention",
    section: "Compliance & audit",
    rule:
      "Deployment records are kept: in GitHub Actions' logs for 90 days and in an S3 audit log for 7 years, which nobody can alter or delete before then, which is encrypted, private and reachable only over TLS.",
    figure: "Actions logs 90 days; S3 7 years (2557 days, object lock COMPLIANCE)",
    declaredIn: ["infra/aws/auditLog.ts", "infra/aws/auditPolicies.ts", "Pulumi.production.yaml"],
    policies: [
      "audit-log-bucket-declared",
      "audit-bucket-versioning-enabled",
      "audit-bucket-object-lock-retained",
      "audit-bucket-kms-encrypted",
      "audit-bucket-public-access-blocked",
      "audit-bucket-tls-only",
      "audit-bucket-lifecycle-keeps-retention",
      "audit-resources-protected",
      "audit-bucket-force-destroy-disabled",
      "storage-bucket-policy-restricted",
    ],
    specs: ["test/policies/audit.spec.ts", "test/infra/auditLog.spec.ts"],
    gap: "the 90 days of Actions logs are GitHub's default retention (https://docs.github.com/actions/managing-workflow-runs/removing-workflow-artifacts), a repository setting the stack does not declare",
  },
  {
    id: "compliance-soc2-change-management",
    section: "Compliance & audit",
    rule:
      "SOC 2: the deployment process is documented (this document, generated and checked) and every change is managed: infrastructure changes land through reviewed pull requests judged by the base branch's pack, the gate's configuration cannot loosen the strategy in production, and every exception is a waiver with an owner, an approver and an expiry (at most 30 days, one day for the schedule; none for a critical policy).",
    figure: "deployment process documented; change management",
    declaredIn: ["docs/strategy.md", "bootstrap/github/infraRepository.ts", "policies/config/production.json", "policies/lib/floors.ts", "tools/policy/levelFloors.ts", "policies/waivers.yaml"],
    policies: ["policy-waivers-valid", "bootstrap-repository-ruleset-protected"],
    specs: ["test/policies/floors.spec.ts", "test/policies/waivers.spec.ts", "test/bootstrap/plan.spec.ts", "test/tools/strategy/traceability.spec.ts"],
  },
  {
    id: "compliance-hipaa-access",
    section: "Compliance & audit",
    rule:
      "HIPAA: access is controlled. Every AWS role trusts only whom it names and may do only what its job needs, and no bucket is open to the public or another account.",
    figure: "deployment logs retained; access controls",
    declaredIn: ["infra/aws/policyDocument.ts", "infra/aws/auditRole.ts", "bootstrap/aws/trust.ts"],
    policies: ["iam-role-trust-restricted", "iam-role-permissions-least-privilege", "storage-bucket-policy-restricted"],
    specs: ["test/policies/iam.spec.ts", "test/infra/deployAuditRole.spec.ts"],
  },
  {
    id: "compliance-database-access",
    section: "Compliance & audit",
    rule:
      "Database access is least privilege: an owner that cannot log in, a migrator that alone changes the schema, an app role that reads and writes rows, a read-only role; no role can administer the server or hand its rights on, every login role has a connection limit, and the admin connection is encrypted.",
    figure: "4 roles (owner, migrator, app, read-only) and the backup job's reader",
    declaredIn: ["infra/database/privileges.ts", "infra/database/roles.ts", "infra/database/grants.ts", "infra/database/provider.ts", "Pulumi.production.yaml"],
    policies: [
      "database-login-role-least-privilege",
      "database-nologin-role-least-privilege",
      "database-login-role-connection-limited",
      "database-role-kind-declared",
      "database-role-membership-least-privilege",
      "database-public-no-privileges",
      "database-role-connect-only",
      "database-app-role-no-ddl",
      "database-readonly-role-select-only",
      "database-grant-no-grant-option",
      "database-privileges-only-to-stack-roles",
      "database-migration-schema-private",
      "database-ownership-separated",
      "database-provider-tls-required",
    ],
    specs: ["test/policies/database.spec.ts", "test/integration/postgres/postgresDatabase.spec.ts", "test/infra/postgresDatabase.spec.ts"],
  },
  {
    id: "compliance-pci-production-access",
    section: "Compliance & audit",
    rule:
      "PCI: production access is restricted and deploys need approval. Only the production environment's approved deploy job, and an MFA-guarded break-glass role that pages when used, can change production; pull-request jobs can only read, and the state and its keys are protected.",
    figure: "production access restricted; deployment approvals required",
    declaredIn: ["bootstrap/aws/trust.ts", "bootstrap/aws/accessRole.ts", "bootstrap/aws/breakGlassAlarm.ts", "bootstrap/aws/statePermissions.ts", "bootstrap/aws/stateBackend.ts"],
    policies: [
      "bootstrap-pipeline-role-trust-pinned",
      "bootstrap-pull-request-role-read-only",
      "bootstrap-human-role-mfa-required",
      "bootstrap-break-glass-role-alarmed",
      "bootstrap-production-apply-pipeline-only",
      "bootstrap-state-bucket-protected",
      "github-environment-production-approval-required",
    ],
    specs: ["test/bootstrap/productionAccess.spec.ts", "test/bootstrap/plan.spec.ts", "test/policies/environments.spec.ts"],
  },

  // Performance
  {
    id: "perf-budgets",
    section: "Performance",
    rule: "Every pull request is held to the performance budgets, as a required check: the Lighthouse performance score, the initial JavaScript bundle and the API image size.",
    figure: "Lighthouse ≥ 85; initial bundle < 200 KB; Docker image < 500 MB",
    declaredIn: ["Pulumi.yaml", "infra/workflows/verify.ts"],
    policies: ["workflow-verify-performance-budgets", "github-ruleset-verify-checks-required"],
    specs: ["test/policies/workflows.spec.ts", "test/policies/floors.spec.ts"],
  },
  {
    id: "perf-post-deploy",
    section: "Performance",
    rule: "After a production deploy: smoke tests on the critical paths, a Lighthouse audit of the production URL, and the metrics compared with their pre-deploy baseline.",
    figure: "smoke tests; Lighthouse on production; baseline comparison",
    declaredIn: ["infra/workflows/deployProduction.ts", "infra/workflows/lighthouse.ts", "infra/metrics/lambda/watch.ts"],
    policies: ["workflow-production-smoke-tests-roll-back", "metrics-watch-thresholds-within-spec"],
    specs: ["test/policies/workflows.spec.ts", "test/infra/metrics/watch.spec.ts", "test/infra/workflows/lighthouse.spec.ts"],
    gap: "the Lighthouse score after release warns (annotation, summary, audit record) and is not judged by the pack: the spec has it warn, not block; the baseline comparison is the watch's, for the error rate",
  },
];
