import { ReplayCase, badInput, caught, passes } from "../cases";
import { Edit, jsonEdit, stackFile, yamlDelete, yamlSet } from "../edits";
import { setProduction } from "./helpers";

const OWN = "isolation-stack-resources-own";
const STAGING = stackFile("staging");

/** `flightdeck:<key>` (then a path inside it) of Pulumi.staging.yaml set to `value`. */
const setStaging = (key: string, path: (string | number)[], value: unknown): Edit => yamlSet(STAGING, ["config", `flightdeck:${key}`, ...path], value);

/**
 * Class 14 (issue 19, 2): every stack's resources are its own, and staging's advisory gate does not let
 * staging reach production. Planned for staging unless a case says otherwise.
 */
export const isolationCases: ReplayCase[] = [
  { id: "iso-staging-unchanged", class: "compliant", stack: "staging", title: "staging, no change at all (its own quality notes are advisory)", edits: [], expect: passes },
  {
    id: "iso-staging-production-database",
    class: "isolation",
    stack: "staging",
    title: "staging: run the load test against the real database for a day",
    edits: [setStaging("database", ["host"], "db.flightpro.internal"), setStaging("database", ["name"], "flightpro")],
    expect: caught(OWN),
  },
  {
    id: "iso-staging-production-host-only",
    class: "isolation",
    stack: "staging",
    title: "staging: the staging database now lives on the production cluster (same host, own database name)",
    edits: [setStaging("database", ["host"], "db.flightpro.internal")],
    expect: caught(OWN),
  },
  {
    id: "iso-staging-backups-through-production-proxy",
    class: "isolation",
    stack: "staging",
    title: "staging: the backup job reaches the database through the other TCP proxy (the staging one is flaky)",
    edits: [setStaging("disasterRecovery", ["backups", "connection", "host"], "ballast.proxy.rlwy.net")],
    expect: caught(OWN),
  },
  {
    id: "iso-staging-production-audit-bucket",
    class: "isolation",
    stack: "staging",
    title: "staging: write audit records into the one audit bucket (one place for the auditors)",
    edits: [setStaging("audit", ["bucketName"], "flightpro-deploy-audit-production")],
    expect: caught(OWN),
  },
  {
    id: "iso-staging-names-itself-production",
    class: "isolation",
    stack: "staging",
    title: "staging: environment production, so staging runs exactly production's configuration",
    edits: [setStaging("environment", [], "production"), yamlDelete(STAGING, ["config", "flightdeck:stagingData"])],
    expect: caught(OWN),
  },
  {
    id: "iso-staging-production-domain",
    class: "isolation",
    stack: "staging",
    title: "staging: serve the release candidate on app.flightpro.com for the launch demo",
    edits: [setStaging("web", ["domain"], "app.flightpro.com")],
    expect: caught(OWN),
  },
  {
    id: "iso-staging-backups-into-production-bucket",
    class: "isolation",
    stack: "staging",
    title: "staging: keep staging's backups next to production's (the bucket staging already reads)",
    edits: [setStaging("disasterRecovery", ["backups", "bucketName"], "flightpro-db-backups-production")],
    expect: caught(OWN),
  },
  {
    id: "iso-staging-deploys-to-production-railway",
    class: "isolation",
    stack: "staging",
    title: "staging: deploy the API to Railway's production environment (staging's is being rebuilt)",
    edits: [setStaging("api", ["railway", "environment"], "production")],
    expect: caught(OWN),
  },
  {
    id: "iso-production-staging-audit-bucket",
    class: "isolation",
    title: "production: send audit records to the staging bucket while the production one is migrated",
    edits: [setProduction("audit", ["bucketName"], "flightpro-deploy-audit-staging")],
    expect: caught(OWN),
  },
  {
    // infra.yml judges the pull request with the base's config: the identity copy it edits is not its judge.
    id: "iso-pr-moves-identity-and-database",
    class: "isolation",
    stack: "staging",
    title: "staging: share production's database host, and list it as staging's in the isolation config",
    edits: [
      jsonEdit("policies/config/staging.json", "staging's identity lists production's database host", (config) => {
        const stacks = (config[OWN] as { stacks: Record<string, { databaseHosts: string[] }> }).stacks;
        stacks["staging"]!.databaseHosts.push("db.flightpro.internal");
      }),
      setStaging("database", ["host"], "db.flightpro.internal"),
    ],
    expect: caught(OWN),
  },
  {
    id: "iso-staging-config-isolation-advisory",
    class: "isolation",
    stack: "staging",
    title: "staging.json: isolation advisory like everything else in staging",
    judge: "local",
    edits: [
      jsonEdit("policies/config/staging.json", "isolation advisory", (config) => {
        (config[OWN] as Record<string, unknown>)["enforcementLevel"] = "advisory";
      }),
    ],
    expect: badInput(/staging\.json: sets policies below their enforcement level floor/),
  },
  {
    id: "iso-compliant-staging-description-names-production",
    class: "compliant",
    stack: "staging",
    title: "staging: a secret's description mentions production (free text names nothing)",
    edits: [setStaging("secrets", [4, "description"], "Stripe API key (test mode; production's key is the live one)")],
    expect: passes,
  },
];
