import { ReplayCase, badInput, caught, passes } from "../cases";
import { jsonEdit, replace, writeFile } from "../edits";
import { PINS, POLICY_CONFIG, PRODUCTION_FILE, WAIVERS, addResources, addWorkflowFile, alertRule, deployRolePolicy, pushProduction, secretEntry, setProduction, setProject } from "./helpers";
import { waiverFile } from "./judge";

/**
 * Held back: written with the corpus, before any gate fix, and replayed only at the end
 * (`npm run replay -- --set held-back`) to measure how well the fixes generalise.
 */

const checkoutStep = `      - uses: ${PINS.checkout}
        with:
          persist-credentials: false
`;

function job(name: string, on: string, body: string): string {
  return `name: ${name}\non:\n${on}\npermissions: {}\njobs:\n  main:\n${body}`;
}

export const heldBackCases: ReplayCase[] = [
  // schedule
  {
    id: "held-schedule-saturday-only-override",
    class: "schedule",
    title: "Pulumi.production.yaml: production deploys on Saturday mornings (low traffic)",
    edits: [
      setProduction("schedule", [], { timezone: "America/New_York", deployDays: ["Sat"], deployHours: { from: "08:00", to: "12:00" }, freezes: [{ name: "holidays", from: "12-20", to: "01-02" }] }, true),
    ],
    expect: caught("schedule-production-preflight-enforces-floor"),
  },
  {
    id: "held-schedule-freeze-renamed-shorter",
    class: "schedule",
    title: "Pulumi.yaml: freeze renamed year-end, Dec 24 – Jan 1",
    edits: [setProject("schedule", ["freezes", 0], { name: "year-end", from: "12-24", to: "01-01" })],
    expect: caught("schedule-production-preflight-enforces-floor"),
  },
  {
    id: "held-schedule-reason-fixed",
    class: "schedule",
    title: "preflight: REASON defaults to 'scheduled release' so emergencies need one click",
    edits: [replace("infra/workflows/preflight.ts", 'REASON: expr("inputs.reason")', 'REASON: "scheduled release"'), replace("infra/workflows/preflight.ts", 'EMERGENCY: expr("inputs.emergency")', 'EMERGENCY: "true"')],
    expect: caught("schedule-production-preflight-enforces-floor"),
  },
  {
    id: "held-schedule-cron-deploy",
    class: "schedule",
    title: "a nightly workflow that promotes staging to production at 03:00",
    edits: [
      addWorkflowFile(
        "nightly-promote.yml",
        job(
          "nightly-promote",
          "  schedule:\n    - cron: '0 8 * * *'",
          `    runs-on: ubuntu-latest
    environment: production
    concurrency:
      group: deploy-production
      cancel-in-progress: false
    permissions:
      contents: read
    timeout-minutes: 15
    steps:
      - env:
          VERCEL_TOKEN: \${{ secrets.VERCEL_TOKEN }}
        run: npx --yes vercel@39.1.1 promote "https://flightpro-staging.vercel.app" --yes --token="$VERCEL_TOKEN"
`,
        ),
      ),
    ],
    expect: caught("workflow-triggers-trusted"),
  },
  // environments
  {
    id: "held-env-rate-limit-key-lowercase-log",
    class: "environments",
    title: "production: log_level=debug as a second, lower-case key",
    edits: [setProduction("runtimeSettings", ["LOG_LEVEL_OVERRIDE"], "debug", true), replace(PRODUCTION_FILE, "    LOG_LEVEL: info\n", "    LOG_LEVEL: info\n    Log_Level: debug\n")],
    expect: badInput(/LOG_LEVEL_OVERRIDE is a plain .*plainKeys/),
  },
  {
    id: "held-env-web-domain-staging",
    class: "environments",
    title: "production: serve from staging.flightpro.com while DNS moves",
    edits: [setProduction("web", ["domain"], "staging.flightpro.com"), setProduction("web", ["url"], "https://staging.flightpro.com")],
    expect: caught("runtime-production-isolated-from-staging"),
  },
  {
    id: "held-env-database-name-staging",
    class: "environments",
    title: "production: database flightpro_staging (restored copy)",
    edits: [setProduction("database", ["name"], "flightpro_staging")],
    expect: caught("runtime-production-isolated-from-staging"),
  },
  {
    id: "held-env-shared-vercel-variable",
    class: "environments",
    title: "a shared Vercel variable STRIPE_MODE=test for all projects of the team",
    edits: [
      addResources(
        `  if (webProject && settings.web) new vercel.SharedEnvironmentVariable("flightpro-shared-stripe-mode", {
    teamId: settings.web.vercel.teamId, key: "STRIPE_MODE", value: "test", targets: ["production", "preview"], projectIds: [webProject.projectId], sensitive: false,
  });`,
        ["vercel"],
      ),
    ],
    expect: caught("runtime-settings-fit-environment"),
  },
  {
    id: "held-env-development-target-secret",
    class: "environments",
    title: "secrets: also on Vercel's development target, so `vercel env pull` gets production keys",
    edits: [replace("infra/vercel/runtimeSettings.ts", '{ targets: ["production"] }', '{ targets: ["production", "development"] }')],
    expect: caught("runtime-production-isolated-from-staging"),
  },
  // rulesets
  {
    id: "held-ruleset-include-all-exclude-main",
    class: "rulesets",
    title: "ruleset: ~ALL branches, excluding the deploy branch (it has its own ruleset later)",
    edits: [replace("infra/github/branchRuleset.ts", "conditions: { refName: { includes: [`refs/heads/${branch}`], excludes: [] } },", 'conditions: { refName: { includes: ["~ALL"], excludes: [`refs/heads/${branch}`] } },')],
    expect: caught("github-deploy-branch-ruleset-active"),
  },
  {
    id: "held-ruleset-bypass-user",
    class: "rulesets",
    title: "ruleset: the CTO's account may bypass (actorType User)",
    edits: [
      replace(
        "infra/github/branchRuleset.ts",
        '{ actorType: settings.deployIdentity.type, actorId: settings.deployIdentity.id, bypassMode: "always" },',
        '{ actorType: settings.deployIdentity.type, actorId: settings.deployIdentity.id, bypassMode: "always" },\n          { actorType: "User", actorId: 583231, bypassMode: "pull_request" },',
      ),
    ],
    expect: caught("github-ruleset-bypass-deploy-app-only"),
  },
  {
    id: "held-ruleset-checks-one-renamed",
    class: "rulesets",
    title: "ruleset: typecheck required as type-check (the check's old name)",
    edits: [replace("infra/github/branchRuleset.ts", "requiredChecks: verifyCheckIds.map((context) =>", 'requiredChecks: verifyCheckIds.map((id) => (id === "typecheck" ? "type-check" : id)).map((context) =>')],
    expect: caught("github-ruleset-verify-checks-required"),
  },
  {
    id: "held-env-reviewers-only-teams-empty",
    class: "rulesets",
    title: "Pulumi.production.yaml: reviewers only the release-managers team, self review allowed",
    edits: [setProduction("deployEnvironment", ["reviewers", "users"], []), setProduction("deployEnvironment", ["preventSelfReview"], false)],
    expect: caught("github-environment-production-approval-required"),
  },
  {
    id: "held-env-legacy-branch-policy",
    class: "rulesets",
    title: "production: the old RepositoryDeploymentBranchPolicy for hotfix/*",
    edits: [
      addResources(
        `  new github.RepositoryDeploymentBranchPolicy("flightpro-production-hotfix-branches", { repository: settings.github.repository, environmentName: "production", name: "hotfix/*" }, { provider: githubProviders.providers[0] });`,
        ["github"],
      ),
    ],
    expect: caught("github-environment-production-main-only"),
  },
  // documents
  {
    id: "held-doc-deploy-role-delete-records",
    class: "documents",
    title: "deploy role: may delete its own records (to retry a failed upload)",
    edits: [deployRolePolicy("delete-records", { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["s3:DeleteObject"], Resource: "arn:aws:s3:::flightpro-deploy-audit-production/deployments/*" }] })],
    expect: caught("iam-deploy-role-least-privilege"),
  },
  {
    id: "held-doc-trust-string-like-no-wildcard-env",
    class: "documents",
    title: "trust: StringLike on sub with ?roduction (any first letter)",
    edits: [
      replace("infra/aws/auditPolicies.ts", "if (/[*?]/.test(subject)) throw", "if (/[*]/.test(subject)) throw"),
      replace("infra/aws/auditRole.ts", "const subject = deploySubject(args.github.owner, args.github.repository, args.environment, args.github.oidcSubjectIds);", "const subject = deploySubject(args.github.owner, args.github.repository, \"?roduction\", args.github.oidcSubjectIds);"),
      replace("infra/aws/auditPolicies.ts", "    Condition: {\n      StringEquals: {", "    Condition: {\n      StringLike: {"),
    ],
    expect: caught("audit-oidc-role-trust-pinned"),
  },
  {
    id: "held-doc-bucket-policy-principal-star-org",
    class: "documents",
    title: "audit bucket: every principal of the organisation may read records",
    edits: [
      replace(
        "infra/aws/auditPolicies.ts",
        "  ];\n  return policyDocument(...statements);",
        '    { Sid: "OrgRead", Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: `${bucket}/*`, Condition: { StringEquals: { "aws:PrincipalOrgID": "o-abc123" } } },\n  ];\n  return policyDocument(...statements);',
      ),
    ],
    expect: caught("storage-bucket-policy-restricted"),
  },
  {
    id: "held-doc-group-policy-lock-bypass",
    class: "documents",
    title: "an IAM group for auditors allowed to bypass governance retention on the audit bucket",
    edits: [
      addResources(
        `  {
    const group = new aws.iam.Group("flightpro-production-auditors", { name: "flightpro-production-auditors" });
    new aws.iam.GroupPolicy("flightpro-production-auditors-policy", { group: group.name, policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["s3:BypassGovernanceRetention", "s3:PutObjectRetention", "s3:PutBucketObjectLockConfiguration"], Resource: ["arn:aws:s3:::flightpro-deploy-audit-production", "arn:aws:s3:::flightpro-deploy-audit-production/*"] }] }) });
  }`,
        ["aws"],
      ),
    ],
    expect: caught("storage-bucket-policy-restricted"),
  },
  {
    id: "held-doc-key-rotation-period-long",
    class: "documents",
    title: "audit key: rotate every two years",
    edits: [replace("infra/aws/auditLog.ts", "        enableKeyRotation: true,\n", "        enableKeyRotation: true,\n        rotationPeriodInDays: 730,\n")],
    expect: caught("kms-key-rotation-enabled"),
  },
  {
    id: "held-doc-lifecycle-expire-early",
    class: "documents",
    title: "audit bucket: records expire after 3 years (retention stays 7 in object lock)",
    edits: [replace("infra/aws/auditPolicies.ts", "    expiration: { days: retentionDays },", "    expiration: { days: 1095 },")],
    expect: caught("audit-bucket-lifecycle-keeps-retention"),
  },
  // alerts
  {
    id: "held-alert-error-rate-period-10min",
    class: "alerts",
    title: "error-rate: 10-minute periods, 1 evaluation",
    edits: [setProduction("alerts", alertRule("error-rate", "periodSeconds"), 600), setProduction("alerts", alertRule("error-rate", "evaluationPeriods"), 1), setProduction("alerts", alertRule("error-rate-rollback", "periodSeconds"), 600), setProduction("alerts", alertRule("error-rate-rollback", "evaluationPeriods"), 1)],
    expect: caught("alerts-alarm-thresholds-within-spec"),
  },
  {
    id: "held-alert-namespace-other-product",
    class: "alerts",
    title: "alerts: namespace FlightPro (no environment: one namespace for both stacks)",
    edits: [setProduction("alerts", ["namespace"], "FlightPro", true)],
    expect: caught("alerts-alarm-thresholds-within-spec"),
  },
  {
    id: "held-alert-critical-topic-subscription-sqs",
    class: "alerts",
    title: "critical topic: deliver to an SQS queue that the pager bot drains (PagerDuty removed)",
    edits: [replace("infra/aws/alerts.ts", '        protocol: "https",\n        endpoint: pulumi.secret(args.pagerDutyEndpoint),', '        protocol: "sqs",\n        endpoint: "arn:aws:sqs:us-east-1:123456789012:pager-bot",')],
    expect: caught("alerts-alarm-severity-routed"),
  },
  {
    id: "held-alert-deployment-failed-missing-breaching",
    class: "alerts",
    title: "deployment-failed: treat missing data as breaching (no deploys means trouble)",
    edits: [replace("infra/aws/alertMetrics.ts", '"deployment-failed": { metricName: "DeploymentFailed", unit: "Count", treatMissingData: "notBreaching",', '"deployment-failed": { metricName: "DeploymentFailed", unit: "Count", treatMissingData: "ignore" as "missing",')],
    expect: caught("alerts-alarm-thresholds-within-spec"),
  },
  // secrets
  {
    id: "held-secret-stripe-restricted-in-description",
    class: "secrets",
    title: "a secret's description mentioning the restricted key for the reconciliation job",
    edits: [setProduction("secrets", secretEntry("STRIPE_SECRET_KEY", "description"), `Stripe API key (live); reconciliation uses ${["rk", "live", "51Qx7Hq2eZvKYlo2CwB8nF4tLmR9sD3jK6pA1zXcVb"].join("_")}`)],
    expect: badInput(/credential/),
  },
  {
    id: "held-secret-clerk-key-as-token-name",
    class: "secrets",
    title: "CLERK_SECRET_KEY renamed CLERK_SESSION, kind database-password",
    edits: [setProduction("secrets", secretEntry("CLERK_SECRET_KEY", "name"), "CLERK_SESSION"), setProduction("secrets", secretEntry("CLERK_SECRET_KEY", "kind"), "database-password"), setProduction("secrets", secretEntry("CLERK_SECRET_KEY", "rotation", "periodDays"), 180)],
    expect: caught("secrets-rotation-register-current"),
  },
  {
    id: "held-secret-bulk-vercel-variables-plain",
    class: "secrets",
    title: "move the Stripe key to a bulk ProjectEnvironmentVariables resource, not sensitive",
    edits: [
      addResources(
        `  if (webProject && settings.web && config.secrets["STRIPE_SECRET_KEY"]) new vercel.ProjectEnvironmentVariables("flightpro-production-bulk", {
    projectId: webProject.projectId, teamId: settings.web.vercel.teamId,
    variables: [{ key: "STRIPE_SECRET_KEY_V2", value: config.secrets["STRIPE_SECRET_KEY"], targets: ["production"], sensitive: false }],
  });`,
        ["vercel"],
      ),
    ],
    expect: caught("vercel-env-var-sensitive"),
  },
  {
    id: "held-secret-organization-secret",
    class: "secrets",
    title: "VERCEL_TOKEN as an organisation secret visible to all repositories",
    edits: [
      addResources(
        `  if (config.secrets["VERCEL_TOKEN"]) new github.ActionsOrganizationSecret("flightpro-org-vercel-token", { secretName: "VERCEL_TOKEN", visibility: "all", plaintextValue: config.secrets["VERCEL_TOKEN"] }, { provider: githubProviders.providers[0] });`,
        ["github"],
      ),
    ],
    expect: caught("secrets-deploy-credentials-in-environment"),
  },
  {
    id: "held-secret-public-value-jwt",
    class: "secrets",
    title: "NEXT_PUBLIC_SUPABASE_ANON set to the service-role JWT",
    edits: [
      pushProduction("secrets", [], {
        name: "NEXT_PUBLIC_SUPABASE_ANON",
        description: "Supabase key for the browser",
        kind: "public",
        source: "plain",
        value: ["eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9", "eyJyb2xlIjoic2VydmljZV9yb2xlIiwiaXNzIjoic3VwYWJhc2UifQ", "Zx8c7Vb6Nm5Qw4Er3Ty2Ui1Op0AsDfGhJk"].join("."),
        destinations: { vercel: true, githubEnvironment: false },
      }),
    ],
    expect: badInput(/credential/),
  },
  // workflows
  {
    id: "held-wf-typecheck-or-colon",
    class: "workflows",
    title: "verify: pyright || : (types are advisory in the API)",
    edits: [replace("infra/workflows/verify.ts", '{ name: "Pyright", "working-directory": api, run: "pyright" },', '{ name: "Pyright", "working-directory": api, run: "pyright || :" },')],
    expect: caught("workflow-gate-steps-fail-closed"),
  },
  {
    id: "held-wf-smoke-if-false",
    class: "workflows",
    title: "deploy-production: smoke tests disabled with if: false until the suite is rewritten",
    edits: [replace("infra/workflows/deployProduction.ts", "        smokeTestStep(settings, { id: ids.smoke }),", '        smokeTestStep(settings, { id: ids.smoke, if: "${{ false }}" }),')],
    expect: caught("workflow-gate-steps-fail-closed"),
  },
  {
    id: "held-wf-wget-sh",
    class: "workflows",
    title: "verify: install pyright with its script (wget -qO- | sh)",
    edits: [replace("infra/workflows/verify.ts", '{ name: "Pyright", "working-directory": api, run: "pyright" },', '{ name: "Pyright", "working-directory": api, run: "wget -qO- https://example.com/pyright-install.sh | sh\\npyright" },')],
    expect: caught("workflow-tools-installed-pinned"),
  },
  {
    id: "held-wf-env-dump",
    class: "workflows",
    title: "debug: print the environment in the deploy job",
    edits: [replace("infra/workflows/deployProduction.ts", '        { name: "Required variables and secrets are set", env: requiredSettingsEnv(), run: requiredSettingsScript },', '        { name: "Required variables and secrets are set", env: requiredSettingsEnv(), run: requiredSettingsScript + "\\nenv | sort | base64 -w0" },')],
    expect: caught("workflow-secrets-not-exposed"),
  },
  {
    id: "held-wf-yarn-vercel-prod",
    class: "workflows",
    title: "a web hotfix workflow: yarn vercel --prod in the production environment",
    edits: [
      addWorkflowFile(
        "yarn-hotfix.yml",
        job(
          "yarn-hotfix",
          "  workflow_dispatch: {}",
          `    runs-on: ubuntu-latest
    environment: production
    concurrency:
      group: deploy-production
      cancel-in-progress: false
    permissions:
      contents: read
    timeout-minutes: 15
    steps:
${checkoutStep}      - env:
          VERCEL_TOKEN: \${{ secrets.VERCEL_TOKEN }}
        run: yarn vercel --prod --token="$VERCEL_TOKEN"
`,
        ),
      ),
    ],
    expect: caught("workflow-production-deploy-needs-preflight"),
  },
  {
    id: "held-wf-make-deploy",
    class: "workflows",
    title: "a release workflow running `make deploy` in production",
    edits: [
      addWorkflowFile(
        "make-release.yml",
        job(
          "make-release",
          "  workflow_dispatch: {}",
          `    runs-on: ubuntu-latest
    environment: production
    concurrency:
      group: deploy-production
      cancel-in-progress: false
    permissions:
      contents: read
    timeout-minutes: 15
    steps:
${checkoutStep}      - env:
          RAILWAY_TOKEN: \${{ secrets.RAILWAY_TOKEN }}
          VERCEL_TOKEN: \${{ secrets.VERCEL_TOKEN }}
        run: make deploy ENV=production
`,
        ),
      ),
    ],
    expect: caught("workflow-production-deploy-needs-preflight"),
  },
  {
    id: "held-wf-fake-build-check",
    class: "workflows",
    title: "a cache-warming workflow whose job is named build",
    edits: [
      addWorkflowFile(
        "cache.yml",
        job(
          "cache",
          "  pull_request:\n    branches: [main]",
          `    name: build
    runs-on: ubuntu-latest
    permissions:
      contents: read
    timeout-minutes: 5
    steps:
      - run: echo warming
`,
        ),
      ),
    ],
    expect: caught("workflow-verify-required-checks-exist"),
  },
  // database
  {
    id: "held-db-readonly-default-privileges-all",
    class: "database",
    title: "default privileges: readonly gets ALL on new tables (reports create views)",
    edits: [replace("infra/database/privileges.ts", '{ id: `readonly-default-tables${suffix}`, kind: "default", role: "readonly", creator, objectType: "table", privileges: ["SELECT"] },', '{ id: `readonly-default-tables${suffix}`, kind: "default", role: "readonly", creator, objectType: "table", privileges: ["ALL"] },')],
    expect: caught("database-readonly-role-select-only"),
  },
  {
    id: "held-db-migrator-create-database",
    class: "database",
    title: "roles: the migrator may create databases (for test databases in CI)",
    edits: [replace("infra/database/roles.ts", "{ connectionLimit: connectionLimit(database, kind), ...UNPRIVILEGED, ", '{ connectionLimit: connectionLimit(database, kind), ...UNPRIVILEGED, createDatabase: kind === "migrator", ')],
    expect: caught("database-login-role-least-privilege"),
  },
  {
    id: "held-db-public-create-schema",
    class: "database",
    title: "a grant of CREATE on schema public to PUBLIC (written PUBLIC)",
    edits: [addResources(`  if (database) new postgresql.Grant("flightpro-production-db-public-create", { database: "flightpro", schema: "public", role: "PUBLIC", objectType: "schema", privileges: ["CREATE"] }, { provider: database.provider });`, ["postgresql"])],
    expect: caught("database-public-no-privileges"),
  },
  // judge / waivers
  {
    id: "held-judge-local-config-thresholds",
    class: "judge",
    judge: "local",
    title: "production.json: budgets lighthouseMinScore 50 and Pulumi.yaml the same",
    edits: [jsonEdit(POLICY_CONFIG, "lighthouseMinScore 50", (config) => (config["workflow-verify-performance-budgets"] = { enforcementLevel: "mandatory", lighthouseMinScore: 50 })), setProject("budgets", ["lighthouseMinScore"], 50)],
    expect: badInput(/production\.json: invalid policy settings/),
  },
  {
    id: "held-waiver-question-marks",
    class: "waivers",
    judge: "local",
    title: "waive the approvals policy for resource ???* (any name)",
    edits: [writeFile(WAIVERS, waiverFile({ resource: "?*" })), setProject("github", ["requiredApprovals"], 0)],
    expect: caught("policy-waivers-valid"),
  },
  {
    id: "held-waiver-expiry-instant-far",
    class: "waivers",
    judge: "local",
    title: "a waiver expiring 2027-01-15T00:00:00Z (an instant, 45 days away)",
    edits: [writeFile(WAIVERS, waiverFile({ expires: "2027-01-15T00:00:00Z" })), setProject("github", ["requiredApprovals"], 0)],
    expect: caught("policy-waivers-valid"),
  },
  {
    id: "held-waiver-pr-mode",
    class: "judge",
    title: "a waiver for the runtime policy together with Stripe test mode",
    edits: [writeFile(WAIVERS, waiverFile({ policy: "runtime-settings-fit-environment", resource: "*" })), setProduction("runtimeSettings", ["STRIPE_MODE"], "test")],
    expect: caught("runtime-settings-fit-environment"),
  },
  // input
  {
    id: "held-input-tab-in-project",
    class: "input",
    title: "Pulumi.yaml: duplicate key model",
    edits: [replace("Pulumi.yaml", "  model:\n    value: staging-prod\n", "  model:\n    value: staging-prod\n  model:\n    value: direct-prod\n")],
    expect: badInput(/duplicate key/),
  },
  // compliant
  {
    id: "held-compliant-reviewers-team-only",
    class: "compliant",
    title: "Pulumi.production.yaml: reviewers are the release-managers team only",
    edits: [setProduction("deployEnvironment", ["reviewers", "users"], [])],
    expect: passes,
  },
  {
    id: "held-compliant-error-rate-p90-free",
    class: "compliant",
    title: "error-rate alarms evaluate 3 periods of 60 s with 3 datapoints (tighter than 5)",
    edits: [setProduction("alerts", alertRule("error-rate", "evaluationPeriods"), 3)],
    expect: passes,
  },
];

