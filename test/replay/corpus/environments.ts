import { ReplayCase, caught, badInput, passes } from "../cases";
import { replace } from "../edits";
import { PRODUCTION_FILE, addResources, secretEntry, setProduction, setProject } from "./helpers";
import { yamlSet } from "../edits";

const FIT = "runtime-settings-fit-environment";
const ISOLATED = "runtime-production-isolated-from-staging";
const KEEPS = "runtime-production-keeps-staging";

/** Class 9: production runs as production, never watches staging, keeps staging. */
export const environmentCases: ReplayCase[] = [
  {
    id: "env-stripe-test-mode",
    class: "environments",
    title: "production: Stripe test mode while we debug the checkout",
    edits: [setProduction("runtimeSettings", ["STRIPE_MODE"], "test")],
    expect: caught(FIT),
  },
  {
    id: "env-stripe-mode-sandbox",
    class: "environments",
    title: "production: STRIPE_MODE sandbox (Stripe's new name for test mode)",
    edits: [setProduction("runtimeSettings", ["STRIPE_MODE"], "sandbox")],
    expect: caught(FIT),
  },
  {
    id: "env-log-level-debug-upper",
    class: "environments",
    title: "production: LOG_LEVEL DEBUG for one week",
    edits: [setProduction("runtimeSettings", ["LOG_LEVEL"], "DEBUG")],
    expect: caught(FIT),
  },
  {
    id: "env-log-level-trace",
    class: "environments",
    title: "production: LOG_LEVEL trace",
    edits: [setProduction("runtimeSettings", ["LOG_LEVEL"], "trace")],
    expect: caught(FIT),
  },
  {
    id: "env-unreleased-flags-yes",
    class: "environments",
    title: "production: FEATURE_FLAGS_UNRELEASED yes (the beta customers want it)",
    edits: [setProduction("runtimeSettings", ["FEATURE_FLAGS_UNRELEASED"], "yes")],
    expect: caught(FIT),
  },
  {
    id: "env-unreleased-flags-removed",
    class: "environments",
    title: "production: drop FEATURE_FLAGS_UNRELEASED (the app defaults to on)",
    edits: [yamlSet(PRODUCTION_FILE, ["config", "flightdeck:runtimeSettings"], { RATE_LIMIT_PER_MINUTE: "120", STRIPE_MODE: "live", LOG_LEVEL: "info" })],
    expect: caught(FIT),
  },
  {
    id: "env-stripe-mode-lowercase-key-duplicate",
    class: "environments",
    title: "production: a second setting stripe_mode=test next to STRIPE_MODE=live",
    edits: [
      addResources(
        `  if (webProject && settings.web) new vercel.ProjectEnvironmentVariable("flightpro-production-stripe-mode-override", {
    projectId: webProject.projectId, teamId: settings.web.vercel.teamId, key: "Stripe_Mode", value: "test", targets: ["production"], sensitive: false,
  });`,
        ["vercel"],
      ),
    ],
    expect: caught(FIT),
  },
  {
    id: "env-api-url-staging",
    class: "environments",
    title: "production: point NEXT_PUBLIC_API_URL at the staging API during the migration",
    edits: [setProduction("secrets", secretEntry("NEXT_PUBLIC_API_URL", "value"), "https://api-staging.flightpro.com")],
    expect: caught(ISOLATED),
  },
  {
    id: "env-railway-environment-staging",
    class: "environments",
    title: "production: deploy the API to Railway's staging environment",
    edits: [setProduction("api", ["railway", "environment"], "staging")],
    expect: caught(ISOLATED),
  },
  {
    id: "env-alerts-namespace-staging",
    class: "environments",
    title: "production: alarms read FlightPro/Staging (the bridge only publishes there for now)",
    edits: [setProduction("alerts", ["namespace"], "FlightPro/Staging", true)],
    expect: caught(ISOLATED),
  },
  {
    id: "env-database-host-staging",
    class: "environments",
    title: "production: database host db-staging (shared server for now)",
    edits: [setProduction("database", ["host"], "db-staging.flightpro.internal")],
    expect: caught(ISOLATED),
  },
  {
    id: "env-audit-bucket-staging",
    class: "environments",
    title: "production: write audit records to the staging bucket",
    edits: [setProduction("audit", ["bucketName"], "flightpro-deploy-audit-staging")],
    expect: caught(ISOLATED),
  },
  {
    id: "env-secret-targets-preview",
    class: "environments",
    title: "secrets: production secrets also on Vercel preview deployments, so previews can call Stripe",
    edits: [replace("infra/vercel/runtimeSettings.ts", '{ targets: ["production"] }', '{ targets: ["production", "preview"] }')],
    expect: caught(ISOLATED),
  },
  {
    id: "env-model-direct-prod-project",
    class: "environments",
    title: "Pulumi.yaml: model direct-prod (staging is never used)",
    edits: [setProject("model", [], "direct-prod"), yamlSet("Pulumi.yaml", ["config", "github", "value", "branches"], { production: "main" })],
    expect: caught(KEEPS),
  },
  {
    id: "env-model-direct-prod-stack-only",
    class: "environments",
    title: "Pulumi.production.yaml: model direct-prod for production only",
    edits: [
      setProduction("model", [], "direct-prod", true),
      setProduction(
        "github",
        [],
        {
          owner: "flightpro",
          repository: "flightpro",
          branches: { production: "main" },
          deployIdentity: { type: "Integration", id: 918273, name: "flightdeck-deployer", installationId: 51234567 },
          requiredApprovals: 1,
        },
        true,
      ),
    ],
    expect: caught(KEEPS),
  },
  {
    id: "env-environment-staging-in-production-file",
    class: "environments",
    title: "Pulumi.production.yaml: environment staging (reuse staging's settings for a dry run)",
    edits: [setProduction("environment", [], "staging")],
    // The production file's post-deployment watch is production's alone: a config error before any policy runs.
    expect: badInput(/flightdeck:metricsBridge\.watch: only production deploys are watched \(this stack is staging\)/),
  },
  {
    id: "env-flag-production-ahead",
    class: "environments",
    title: "flags: start offline-briefings in production a week before staging",
    edits: [setProduction("featureFlags", ["flags", 1, "rollout", "start"], "2026-11-10")],
    expect: caught("flags-production-not-ahead-of-staging"),
  },
  {
    id: "env-flag-owner-tbd",
    class: "environments",
    title: "flags: new-dashboard owner TBD (Maria left the team)",
    edits: [setProduction("featureFlags", ["flags", 0, "owner"], "TBD")],
    expect: caught("flags-production-owner-required"),
  },
  {
    id: "env-flag-skip-five-percent",
    class: "environments",
    title: "flags: new-dashboard goes team → 25% (5% is not statistically useful)",
    edits: [
      setProduction("featureFlags", ["flags", 0, "rollout", "stages"], [
        { day: 0, rollout: 0 },
        { day: 1, rollout: "team" },
        { day: 3, rollout: 25 },
        { day: 14, rollout: 50 },
        { day: 21, rollout: 100 },
      ], true),
    ],
    expect: caught("flags-rollout-plan-follows-spec"),
  },
  {
    id: "env-compliant-log-level-warn",
    class: "compliant",
    title: "production: LOG_LEVEL warning (quieter than info)",
    edits: [setProduction("runtimeSettings", ["LOG_LEVEL"], "warning")],
    expect: passes,
  },
  {
    id: "env-compliant-stripe-live-upper",
    class: "compliant",
    title: "production: STRIPE_MODE written LIVE",
    edits: [setProduction("runtimeSettings", ["STRIPE_MODE"], "LIVE")],
    expect: passes,
  },
  {
    id: "env-compliant-flags-off-zero",
    class: "compliant",
    title: "production: FEATURE_FLAGS_UNRELEASED written 0",
    edits: [setProduction("runtimeSettings", ["FEATURE_FLAGS_UNRELEASED"], "0")],
    expect: passes,
  },
  {
    id: "env-bad-runtime-key",
    class: "input",
    title: "production: runtime setting key written in kebab-case",
    edits: [setProduction("runtimeSettings", ["stripe-mode"], "live", true)],
    expect: badInput(/runtimeSettings/),
  },
];
