import { ReplayCase, badInput, caught, passes } from "../cases";
import { append, replace, yamlSet } from "../edits";
import { PRODUCTION_FILE, PROJECT_FILE, addResources, addWorkflowFile, deleteProduction, pushProduction, secretEntry, setProduction } from "./helpers";

/**
 * Credential-shaped test values, assembled at run time so that this file itself holds none (they are
 * fake: right prefix and length, random body).
 */
const fake = {
  stripeLive: ["sk", "live", "51Qx7Hq2eZvKYlo2CwB8nF4tLmR9sD3jK6pA1zXcVbN0"].join("_"),
  stripeRestricted: ["rk", "live", "51Qx7Hq2eZvKYlo2CwB8nF4tLmR9sD3jK6pA1zXcVb"].join("_"),
  stripeWebhook: ["whsec", "Zx8c7Vb6Nm5Qw4Er3Ty2Ui1Op0AsDfGhJkL"].join("_"),
  githubPat: ["ghp", "Q7w8E9r0T1y2U3i4O5p6A7s8D9f0G1h2J3k4"].join("_"),
  githubFineGrained: ["github", "pat", "11ABCDEFG0123456789abc", "QwErTyUiOpAsDfGhJkLzXcVbNm0123456789QwErTyUiOpAsDfGhJkLzXcV"].join("_"),
  slackBot: ["xoxb", "123456789012", "1234567890123", "QwErTyUiOpAsDfGhJkLzXcVb"].join("-"),
  awsKeyId: "AKIA" + "Q3EGRXMPLE7IXTQ2",
  jwt: ["eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9", "eyJzdWIiOiJmbGlnaHRwcm8tZGVwbG95IiwiaWF0IjoxNzAwMDAwMDAwfQ", "Qw3rTy8uIo2pAs5dFg7hJk9lZx1cVb4nM6"].join("."),
  posthogPersonal: "phx_" + "Qw3rTy8uIo2pAs5dFg7hJk9lZx1cVb4nM6QwErTyUiOpAs",
  privateKeyHeader: ["-----BEGIN", "RSA PRIVATE KEY-----"].join(" "),
};

/** A YAML double-quoted scalar that spells `text` with \x escapes for its first two characters (the text scan sees no credential; YAML reads one). */
function escapedYaml(text: string): string {
  const hex = (char: string) => `\\x${char.charCodeAt(0).toString(16).padStart(2, "0")}`;
  return `"${hex(text[0]!)}${hex(text[1]!)}${text.slice(2)}"`;
}

const NO_CREDENTIALS = "secrets-plain-input-no-credentials";
const CURRENT = "secrets-rotation-register-current";

/** Class 4: secrets in plain sight, rotation. */
export const secretCases: ReplayCase[] = [
  {
    id: "secret-stripe-key-plain-in-stack",
    class: "secrets",
    title: "Pulumi.production.yaml: STRIPE_SECRET_KEY set in plain (the CI runner has no passphrase)",
    edits: [setProduction("STRIPE_SECRET_KEY", [], fake.stripeLive, true)],
    expect: badInput(/STRIPE_SECRET_KEY|credential/),
  },
  {
    id: "secret-admin-password-plain",
    class: "secrets",
    title: "Pulumi.production.yaml: databaseAdminPassword in plain (a dictionary-safe passphrase)",
    edits: [setProduction("databaseAdminPassword", [], "correct-horse-battery-staple-prod", true)],
    expect: badInput(/databaseAdminPassword.*plain text/),
  },
  {
    id: "secret-pagerduty-endpoint-plain-project",
    class: "secrets",
    title: "Pulumi.yaml: pagerDutyEndpoint as a project value (it is the same for both stacks)",
    edits: [append(PROJECT_FILE, "  pagerDutyEndpoint:\n    value: https://events.pagerduty.com/integration/0123456789abcdef0123456789abcdef/enqueue\n")],
    expect: badInput(/pagerDutyEndpoint|pagerduty/i),
  },
  {
    id: "secret-github-token-provider-plain",
    class: "secrets",
    title: "Pulumi.production.yaml: github:token for the lookups the App cannot do",
    edits: [setProduction("github:token", [], "not-a-real-token-but-a-plain-one", true)],
    expect: badInput(/github:token/),
  },
  {
    id: "secret-vercel-api-token-plain",
    class: "secrets",
    title: "Pulumi.production.yaml: vercel:apiToken in plain",
    edits: [setProduction("vercel:apiToken", [], "vrcl-plain-token-value-0123456789", true)],
    expect: badInput(/vercel:apiToken/),
  },
  {
    id: "secret-aws-secret-key-plain",
    class: "secrets",
    title: "Pulumi.production.yaml: aws:accessKey/aws:secretKey for the audit account",
    edits: [setProduction("aws:accessKey", [], fake.awsKeyId, true), setProduction("aws:secretKey", [], "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY", true)],
    expect: badInput(/aws:(accessKey|secretKey)|credential/),
  },
  {
    id: "secret-public-var-holds-stripe-key",
    class: "secrets",
    title: "NEXT_PUBLIC_STRIPE_KEY for the browser checkout (pasted the wrong key)",
    edits: [
      pushProduction("secrets", [], {
        name: "NEXT_PUBLIC_STRIPE_KEY",
        description: "Stripe key for Stripe.js",
        kind: "public",
        source: "plain",
        value: fake.stripeLive,
        destinations: { vercel: true, githubEnvironment: false },
      }),
    ],
    expect: badInput(/credential/),
  },
  {
    id: "secret-escaped-stripe-key-in-public-var",
    class: "secrets",
    title: "NEXT_PUBLIC_POSTHOG_KEY written as a YAML escaped string (holds a Stripe key)",
    edits: [replace(PRODUCTION_FILE, "value: phc_flightpro_production", `value: ${escapedYaml(fake.stripeLive)}`)],
    expect: caught(NO_CREDENTIALS),
  },
  {
    id: "secret-github-pat-in-comment",
    class: "secrets",
    title: "Pulumi.production.yaml: a comment with the token used to create the App",
    edits: [replace(PRODUCTION_FILE, "# Secret values are not in this file", `# bootstrap token (revoked): ${fake.githubPat}\n# Secret values are not in this file`)],
    expect: badInput(/credential/),
  },
  {
    id: "secret-fine-grained-pat-in-description",
    class: "secrets",
    title: "a secret's description quoting the token it replaces",
    edits: [setProduction("secrets", secretEntry("VERCEL_TOKEN", "description"), `Vercel deploy token (was ${fake.githubFineGrained})`)],
    expect: badInput(/credential/),
  },
  {
    id: "secret-slack-token-in-runtime-setting",
    class: "secrets",
    title: "runtimeSettings: SLACK_NOTIFY for the release bot",
    edits: [setProduction("runtimeSettings", ["SLACK_NOTIFY"], fake.slackBot, true)],
    expect: badInput(/credential/),
  },
  {
    id: "secret-webhook-secret-in-runtime-setting",
    class: "secrets",
    title: "runtimeSettings: STRIPE_WEBHOOK_SIGNING (escaped so the linter stops complaining)",
    edits: [replace(PRODUCTION_FILE, "    LOG_LEVEL: info\n", `    LOG_LEVEL: info\n    STRIPE_WEBHOOK_SIGNING: ${escapedYaml(fake.stripeWebhook)}\n`)],
    // A runtime setting is a plain Vercel variable: its key must be in the pack's own plainKeys (tools/policy/packCopies.ts).
    expect: badInput(/STRIPE_WEBHOOK_SIGNING is a plain .*plainKeys/),
  },
  {
    id: "secret-restricted-key-in-api-url",
    class: "secrets",
    title: "api.url with the restricted key as a query parameter for the health check",
    edits: [setProduction("api", ["url"], `https://api.flightpro.com/?key=${fake.stripeRestricted}`)],
    expect: badInput(/credential/),
  },
  {
    id: "secret-url-with-password",
    class: "secrets",
    title: "api.url with basic auth while the API is behind a password",
    edits: [setProduction("api", ["url"], "https://flightpro:Hangar-Door-42@api.flightpro.com")],
    expect: badInput(/credential/),
  },
  {
    id: "secret-jwt-in-flag-description",
    class: "secrets",
    title: "flags: a description with the test user's session token",
    edits: [setProduction("featureFlags", ["flags", 0, "description"], `The redesigned dashboard (test session ${fake.jwt})`)],
    expect: badInput(/credential/),
  },
  {
    id: "secret-posthog-personal-key-public",
    class: "secrets",
    title: "NEXT_PUBLIC_POSTHOG_KEY set to the personal API key (phx_) by mistake",
    edits: [replace(PRODUCTION_FILE, "value: phc_flightpro_production", `value: ${fake.posthogPersonal}`)],
    expect: badInput(/credential/),
  },
  {
    id: "secret-private-key-in-project-comment",
    class: "secrets",
    title: "Pulumi.yaml: the App's key pasted into a comment while debugging",
    edits: [replace(PROJECT_FILE, "# Project-level values", `# ${fake.privateKeyHeader}\n# MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxKLxoS2tFczGkPLPgizskuemMghRniWaoLcyehkd3qqGElvW/VDL5AaWTg0nLVkjRo9z+40RQzuVaE8AkAFmxZzow3x+VJYKdjykkJ0iT9wCS0DRTXu269V264Vf/3jvredZiKRkgwlL9xNAwxXFg0x/XFw005UWVRIkdgcKWTjpBP2dPwVZ4WWC+9aGVd+Gyn1o0CLelf4rEjGoXbAAEgAqeGUxrcIlbjXfbcmwIDAQABAoIBAEvMd4jrShYXf0Ow\n# -----END RSA PRIVATE KEY-----\n# Project-level values`)],
    expect: badInput(/credential/),
  },
  {
    id: "secret-webhook-in-workflow-env",
    class: "secrets",
    title: "a webhook workflow with the signing secret inline",
    edits: [
      addWorkflowFile(
        "stripe-replay.yml",
        `name: stripe-replay
on:
  workflow_dispatch: {}
permissions: {}
jobs:
  replay:
    runs-on: ubuntu-latest
    permissions:
      contents: read
    timeout-minutes: 5
    env:
      STRIPE_WEBHOOK_SECRET: ${fake.stripeWebhook}
    steps:
      - run: echo replaying
`,
      ),
    ],
    expect: caught(NO_CREDENTIALS),
  },
  {
    id: "secret-runtime-setting-secret-name",
    class: "secrets",
    title: "runtimeSettings: SESSION_SECRET (a random string, not a provider key)",
    edits: [setProduction("runtimeSettings", ["SESSION_SECRET"], "q9P2v7X4m1L8k3J6h0G5f2D9s4A7", true)],
    expect: badInput(/SESSION_SECRET is a plain .*plainKeys/),
  },
  {
    id: "secret-public-named-secret",
    class: "secrets",
    title: "NEXT_PUBLIC_CLERK_SECRET_KEY so the client SDK can read it",
    edits: [
      pushProduction("secrets", [], {
        name: "NEXT_PUBLIC_CLERK_SECRET_KEY",
        description: "Clerk key for the client",
        kind: "public",
        source: "plain",
        value: "clerk-placeholder",
        destinations: { vercel: true, githubEnvironment: false },
      }),
    ],
    expect: badInput(/NEXT_PUBLIC_/),
  },
  {
    id: "secret-rotation-period-year",
    class: "secrets",
    title: "STRIPE_SECRET_KEY rotated yearly (Stripe keys are long-lived)",
    edits: [setProduction("secrets", secretEntry("STRIPE_SECRET_KEY", "rotation", "periodDays"), 365)],
    expect: caught(CURRENT),
  },
  {
    id: "secret-kind-token-as-database-password",
    class: "secrets",
    title: "VERCEL_TOKEN kind database-password (rotated with the database, every 180 days)",
    edits: [setProduction("secrets", secretEntry("VERCEL_TOKEN", "kind"), "database-password"), setProduction("secrets", secretEntry("VERCEL_TOKEN", "rotation", "periodDays"), 180)],
    expect: caught(CURRENT),
  },
  {
    id: "secret-kind-api-key-as-token-180",
    class: "secrets",
    title: "CLERK_SECRET_KEY kind token with a 180-day period",
    edits: [setProduction("secrets", secretEntry("CLERK_SECRET_KEY", "kind"), "token"), setProduction("secrets", secretEntry("CLERK_SECRET_KEY", "rotation", "periodDays"), 180)],
    expect: caught(CURRENT),
  },
  {
    id: "secret-rotation-overdue",
    class: "secrets",
    title: "CLERK_SECRET_KEY: lastRotated back to when it was created",
    edits: [setProduction("secrets", secretEntry("CLERK_SECRET_KEY", "rotation", "lastRotated"), "2026-01-15")],
    expect: caught(CURRENT),
  },
  {
    id: "secret-rotation-future",
    class: "secrets",
    title: "STRIPE_SECRET_KEY: lastRotated set to the planned rotation date",
    edits: [setProduction("secrets", secretEntry("STRIPE_SECRET_KEY", "rotation", "lastRotated"), "2027-01-05")],
    expect: badInput(/lastRotated.*future/),
  },
  {
    id: "secret-rotation-removed",
    class: "secrets",
    title: "RAILWAY_TOKEN: no rotation (project tokens do not expire)",
    edits: [deleteProduction("secrets", ...secretEntry("RAILWAY_TOKEN", "rotation"))],
    expect: badInput(/rotation/),
  },
  {
    id: "secret-not-sensitive-in-vercel",
    class: "secrets",
    title: "secrets: Vercel variables not sensitive, so on-call can read them in the dashboard",
    edits: [replace("infra/secrets/secretInventory.ts", 'sensitive: entry.kind !== "public",', "sensitive: false,")],
    expect: caught("vercel-env-var-sensitive"),
  },
  {
    id: "secret-token-as-actions-variable",
    class: "secrets",
    title: "RAILWAY_TOKEN as an environment variable (vars) so the rollback job can read it",
    edits: [
      addResources(
        `  if (deployEnvironment && config.secrets["RAILWAY_TOKEN"]) new github.ActionsEnvironmentVariable("flightpro-production-railway-token-var", {
    repository: settings.github.repository, environment: deployEnvironment.environmentName, variableName: "RAILWAY_TOKEN", value: config.secrets["RAILWAY_TOKEN"],
  }, { provider: githubProviders.providers[0] });`,
        ["github"],
      ),
    ],
    expect: caught("github-actions-variable-not-secret"),
  },
  {
    id: "secret-register-entry-dropped",
    class: "secrets",
    title: "rotation register: skip api keys (Clerk and Stripe rotate their own)",
    edits: [replace("infra/secrets/secretInventory.ts", "{ productSlug: args.productSlug, environment: args.environment, entries: args.entries, generated: args.generatedRotations }", '{ productSlug: args.productSlug, environment: args.environment, entries: args.entries.filter((entry) => entry.kind !== "api-key"), generated: args.generatedRotations }')],
    expect: caught("secrets-rotation-register-complete"),
  },
  {
    id: "secret-repository-level-deploy-token",
    class: "secrets",
    title: "RAILWAY_TOKEN also as a repository secret, so the preview workflow can read Railway logs",
    edits: [
      addResources(
        `  if (config.secrets["RAILWAY_TOKEN"]) new github.ActionsSecret("flightpro-production-railway-token-repo", {
    repository: settings.github.repository, secretName: "RAILWAY_TOKEN", plaintextValue: config.secrets["RAILWAY_TOKEN"],
  }, { provider: githubProviders.providers[0] });`,
        ["github"],
      ),
    ],
    expect: caught("secrets-deploy-credentials-in-environment"),
  },
  {
    id: "secret-in-plain-ssm-parameter",
    class: "secrets",
    title: "STRIPE_SECRET_KEY copied to an SSM String parameter for the reconciliation job",
    edits: [
      addResources(
        `  if (config.secrets["STRIPE_SECRET_KEY"]) new aws.ssm.Parameter("flightpro-production-stripe-key-param", {
    name: "/flightpro/production/stripe-secret-key", type: "String", value: config.secrets["STRIPE_SECRET_KEY"],
  });`,
        ["aws"],
      ),
    ],
    expect: caught("secrets-value-not-in-plain-input"),
  },
  {
    id: "secret-compliant-publishable-key",
    class: "compliant",
    title: "NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY (pk_live_…, public by design)",
    edits: [
      pushProduction("secrets", [], {
        name: "NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY",
        description: "Stripe publishable key for Stripe.js (public by design)",
        kind: "public",
        source: "plain",
        value: ["pk", "live", "51Qx7Hq2eZvKYlo2CwB8nF4tLmR9sD3jK6pA1zXcVbN0"].join("_"),
        destinations: { vercel: true, githubEnvironment: false },
      }),
    ],
    expect: passes,
  },
  {
    id: "secret-compliant-new-api-key",
    class: "compliant",
    title: "a new secret SENDGRID_API_KEY from config, rotated every 60 days",
    edits: [
      pushProduction("secrets", [], {
        name: "SENDGRID_API_KEY",
        description: "SendGrid API key for transactional mail",
        kind: "api-key",
        source: "config",
        destinations: { vercel: true, githubEnvironment: false },
        rotation: { periodDays: 60, lastRotated: "2026-11-02" },
      }),
      yamlSet(PRODUCTION_FILE, ["config", "flightdeck:SENDGRID_API_KEY"], { secure: "v1:c2VuZGdyaWQ=:AAABBBCCC" }, { create: true }),
    ],
    expect: passes,
  },
];
