import { stackPolicy, StackResource } from "../lib/define";
import { currentStack } from "../lib/stack";
import { asArray, asRecord, knownString, PlainRecord, stringsIn } from "../lib/values";

/**
 * Environment differences (spec, Environments, Staging, "Differences from Production": "Feature flags
 * enabled for unreleased features; Less stringent rate limits (easier testing); Mock payment gateway
 * (Stripe test mode); Verbose logging enabled"). The settings are the Vercel variables the stack
 * sets (infra/vercel/runtimeSettings.ts): STRIPE_MODE, FEATURE_FLAGS_UNRELEASED, LOG_LEVEL, RATE_LIMIT_PER_MINUTE.
 */

const TOPICS = ["environments", "runtime"];
const VERCEL_ENV_VAR = "vercel:index/projectEnvironmentVariable:ProjectEnvironmentVariable";
const VERCEL_ENV_VARS = "vercel:index/projectEnvironmentVariables:ProjectEnvironmentVariables";
const VERCEL_SHARED_ENV_VAR = "vercel:index/sharedEnvironmentVariable:SharedEnvironmentVariable";
const REPOSITORY_FILE = "github:index/repositoryFile:RepositoryFile";

interface Setting {
  key: string;
  value: string | undefined;
  targets: string[];
  gitBranch: string | undefined;
  urn: string;
}

/** Every Vercel variable the stack sets, however it is declared (one resource, the bulk resource, a shared variable). */
function vercelSettings(resources: StackResource[]): Setting[] {
  const settings: Setting[] = [];
  const one = (record: PlainRecord, urn: string) => {
    const key = knownString(record["key"]);
    if (key === undefined) return;
    settings.push({
      key,
      value: knownString(record["value"]),
      targets: asArray(record["targets"] ?? record["target"]).map((target) => String(target)),
      gitBranch: knownString(record["gitBranch"]),
      urn,
    });
  };
  for (const resource of resources) {
    if (resource.type === VERCEL_ENV_VAR || resource.type === VERCEL_SHARED_ENV_VAR) one(resource.props, resource.urn);
    if (resource.type === VERCEL_ENV_VARS) {
      const shared = resource.props;
      for (const variable of asArray(shared["variables"])) {
        const record = asRecord(variable);
        if (record) one({ targets: shared["targets"] ?? null, gitBranch: shared["gitBranch"] ?? null, ...record }, resource.urn);
      }
    }
  }
  return settings;
}

/** The canonical form of a setting's key and value: case and surrounding space do not change what the app reads. */
function normalKey(key: string): string {
  return key.trim().toUpperCase();
}

function flagValue(value: string | undefined): boolean | undefined {
  const text = (value ?? "").trim().toLowerCase();
  if (["true", "1", "yes", "on", "enabled"].includes(text)) return true;
  if (["false", "0", "no", "off", "disabled", ""].includes(text)) return false;
  return undefined;
}

const VERBOSE_LEVELS = ["debug", "trace", "verbose", "silly", "all"];

interface RuntimeExpectations {
  stripeMode: string;
  unreleasedFeatures: boolean;
  verboseLogging: boolean;
  /** Staging's rate limit must be above this (production's), so testing is not throttled as production is. */
  rateLimitAbove?: number;
}

export const runtimeSettingsFitEnvironment = stackPolicy<{ expectations: Record<string, RuntimeExpectations> }>(
  {
    name: "runtime-settings-fit-environment",
    description:
      'Production runs Stripe live, unreleased flags off and quiet logs; staging runs the spec\'s differences (Stripe test mode, unreleased flags on, verbose logs, looser rate limits). Spec, Staging, Differences from Production: "Feature flags enabled for unreleased features; ' +
      'Less stringent rate limits (easier testing); Mock payment gateway (Stripe test mode); Verbose logging enabled". ' +
      "So production: STRIPE_MODE live, FEATURE_FLAGS_UNRELEASED off, LOG_LEVEL not verbose; staging: Stripe test mode, unreleased flags on, verbose logging, a rate limit above production's. " +
      "Every setting that reaches the stack's deployments counts, whatever resource declares it and however its key and value are spelled.",
    severity: "critical",
    remediation: [
      "Set flightdeck:runtimeSettings in Pulumi.<stack>.yaml to the environment's values (production: STRIPE_MODE live, FEATURE_FLAGS_UNRELEASED \"false\", LOG_LEVEL info or quieter).",
      "Remove any other Vercel variable that sets the same key for this environment.",
    ],
    topics: TOPICS,
  },
  {
    config: {
      defaults: {
        expectations: {
          production: { stripeMode: "live", unreleasedFeatures: false, verboseLogging: false },
          staging: { stripeMode: "test", unreleasedFeatures: true, verboseLogging: true, rateLimitAbove: 120 },
        },
      },
      schema: {
        expectations: {
          type: "object",
          description: "Per stack name: stripeMode, unreleasedFeatures, verboseLogging, and optionally rateLimitAbove (production's per-minute limit).",
          additionalProperties: {
            type: "object",
            properties: {
              stripeMode: { type: "string", enum: ["live", "test"] },
              unreleasedFeatures: { type: "boolean" },
              verboseLogging: { type: "boolean" },
              rateLimitAbove: { type: "integer", minimum: 0 },
            },
            required: ["stripeMode", "unreleasedFeatures", "verboseLogging"],
          },
        },
      },
    },
    validate(resources, settings, report) {
      const expected = settings.expectations[currentStack()];
      if (expected === undefined) return;
      // The settings this environment's deployments read: production targets production; staging, the staging branch's previews.
      const all = vercelSettings(resources);
      const byKey = new Map<string, Setting[]>();
      for (const setting of all) byKey.set(normalKey(setting.key), [...(byKey.get(normalKey(setting.key)) ?? []), setting]);
      const judgeKey = (key: string, judge: (setting: Setting) => string | undefined, absent: string) => {
        const found = byKey.get(key) ?? [];
        if (found.length === 0) report(`${key} is not set: ${absent}`);
        for (const setting of found) {
          const problem = judge(setting);
          if (problem !== undefined) report(`${setting.key} ${problem}`, setting.urn);
        }
      };
      judgeKey(
        "STRIPE_MODE",
        (setting) => ((setting.value ?? "").trim().toLowerCase() === expected.stripeMode ? undefined : `is ${JSON.stringify(setting.value ?? "")}; this environment uses Stripe ${expected.stripeMode} mode`),
        `this environment uses Stripe ${expected.stripeMode} mode`,
      );
      judgeKey(
        "FEATURE_FLAGS_UNRELEASED",
        (setting) => {
          const on = flagValue(setting.value);
          if (on === undefined) return `is ${JSON.stringify(setting.value ?? "")}, which is neither on nor off`;
          return on === expected.unreleasedFeatures ? undefined : `is ${on ? "on" : "off"}; unreleased features must be ${expected.unreleasedFeatures ? "on" : "off"} here`;
        },
        `unreleased features must be ${expected.unreleasedFeatures ? "on" : "off"} here`,
      );
      judgeKey(
        "LOG_LEVEL",
        (setting) => {
          const verbose = VERBOSE_LEVELS.includes((setting.value ?? "").trim().toLowerCase());
          return verbose === expected.verboseLogging ? undefined : `is ${JSON.stringify(setting.value ?? "")}; logging must ${expected.verboseLogging ? "be verbose (debug)" : "not be verbose (info or quieter)"} here`;
        },
        `logging must ${expected.verboseLogging ? "be verbose" : "not be verbose"} here`,
      );
      if (expected.rateLimitAbove !== undefined) {
        const floor = expected.rateLimitAbove;
        judgeKey(
          "RATE_LIMIT_PER_MINUTE",
          (setting) => {
            const limit = Number((setting.value ?? "").trim());
            return Number.isFinite(limit) && limit > floor ? undefined : `is ${JSON.stringify(setting.value ?? "")}; staging's rate limit must be looser than production's ${floor} per minute`;
          },
          `staging's rate limit must be looser than production's ${floor} per minute`,
        );
      }
    },
  },
);

/**
 * The resources whose inputs point somewhere (metrics, buckets, roles, parameters, databases, Vercel
 * targets and domains, Actions variables, secrets and environments). Not workflow files (production's
 * branch carries deploy-staging.yml by design) nor branch rules (github-environment-production-main-only
 * and the ruleset policies judge which branches deploy).
 */
const POINTING_TYPES = /^(aws:|postgresql:|vercel:|pulumi:providers:|github:index\/(actions\w*|repositoryEnvironment|dependabotSecret):)/;

/** Inputs that describe rather than point somewhere: free text may mention staging. */
const DESCRIPTIVE_INPUTS = new Set(["description", "comment", "commitMessage", "alarmDescription", "displayName", "content", "tags", "tagsAll"]);

/** A token of an identifier (`FlightPro/staging`, `db-staging.x`, `flightpro_staging`), any case. */
function tokenPattern(marker: string): RegExp {
  const escaped = marker.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`(^|[^A-Za-z0-9])${escaped}($|[^A-Za-z0-9])`, "i");
}

/**
 * The deployment targets of each Vercel variable a resource declares, with the path of its targets.
 * "production", "preview" (every branch's previews unless gitBranch narrows them) or "development"
 * (pulumiverse/pulumi-vercel@v5.4.1:sdk/nodejs/projectEnvironmentVariable.ts, targets).
 */
function vercelTargetsOf(resource: StackResource): { path: string; targets: string[] }[] {
  const targetsOf = (record: PlainRecord | undefined) => asArray(record?.["targets"]).map((target) => String(target));
  if (resource.type === VERCEL_ENV_VAR || resource.type === VERCEL_SHARED_ENV_VAR) return [{ path: "", targets: targetsOf(resource.props) }];
  if (resource.type === VERCEL_ENV_VARS) return asArray(resource.props["variables"]).map((variable, index) => ({ path: `variables[${index}].`, targets: targetsOf(asRecord(variable)) }));
  return [];
}

export const productionIsolatedFromStaging = stackPolicy<{ stacks: string[]; stagingMarkers: string[]; stagingIdentifiers: string[] }>(
  {
    name: "runtime-production-isolated-from-staging",
    description:
      'No production input names a staging resource: production watches and writes only production. Spec, Environments: staging has a "Separate staging database" and its own URL and branch; production alerts, audit records, database, Vercel target, ' +
      "Railway environment and GitHub environment must not be staging's, or production incidents go unseen and staging data reaches production.",
    severity: "critical",
    remediation: [
      "Point the production stack's keys at production: flightdeck:alerts.namespace, flightdeck:audit.bucketName, flightdeck:database.host and name, flightdeck:api.railway.environment, flightdeck:web.domain.",
      "Production Vercel variables target production (no preview target, no staging gitBranch).",
    ],
    topics: TOPICS,
  },
  {
    config: {
      defaults: { stacks: ["production"], stagingMarkers: ["staging"], stagingIdentifiers: [] },
      schema: {
        stacks: { type: "array", items: { type: "string" }, description: "Stacks that must not point at staging." },
        stagingMarkers: { type: "array", items: { type: "string" }, description: "Tokens that name staging inside an identifier (any case)." },
        stagingIdentifiers: { type: "array", items: { type: "string" }, description: "Staging's own identifiers (namespace, bucket, database host and name, Railway environment), matched whole, any case." },
      },
    },
    validate(resources, settings, report) {
      if (!settings.stacks.includes(currentStack())) return;
      const markers = settings.stagingMarkers.map(tokenPattern);
      const identifiers = new Set(settings.stagingIdentifiers.map((identifier) => identifier.toLowerCase()));
      for (const resource of resources) {
        if (!POINTING_TYPES.test(resource.type)) continue;
        const sensitive = resource.props["sensitive"] === true;
        for (const [key, value] of Object.entries(resource.props)) {
          if (DESCRIPTIVE_INPUTS.has(key) || (sensitive && key === "value")) continue;
          for (const { path, value: text } of stringsIn(value, key)) {
            const marker = settings.stagingMarkers.find((_, index) => markers[index]!.test(text));
            if (marker !== undefined || identifiers.has(text.toLowerCase())) {
              report(`${path} points at staging (${marker !== undefined ? `names "${marker}"` : "is staging's identifier"}): production must not watch or write staging's resources`, resource.urn);
            }
          }
        }
        for (const { path, targets } of vercelTargetsOf(resource)) {
          if (!targets.includes("production")) {
            report(`${path}targets ${JSON.stringify(targets)}: a production variable must target production deployments`, resource.urn);
          } else if (targets.some((target) => target !== "production")) {
            // Preview and development deployments build any branch: production's values would reach them.
            report(`${path}targets ${JSON.stringify(targets)}: a production variable targets production deployments only, not preview or development ones (they build any branch)`, resource.urn);
          }
        }
      }
    },
  },
);

export const productionKeepsStaging = stackPolicy<{ stacks: string[]; stagingWorkflow: string }>(
  {
    name: "runtime-production-keeps-staging",
    description:
      'A production stack keeps the staging pipeline (deploy-staging.yml) unless a reviewed waiver records dropping staging: production is reached through staging. Spec, Deployment Model: staging-prod ("direct-prod: Too risky (no staging validation)"); Quality Gates: "Staging validation complete". ' +
      "A production stack without the staging pipeline (deploy-staging.yml, which the staging-prod model commits) has dropped staging: a model change that needs a waiver.",
    // High, not critical: dropping staging is a decision a reviewed waiver may record (critical policies cannot be waived).
    severity: "high",
    remediation: [
      "Keep flightdeck:model staging-prod (Pulumi.yaml) and the staging stack.",
      "If dropping staging is decided, land a waiver of runtime-production-keeps-staging for the production stack in its own reviewed pull request first.",
    ],
    topics: TOPICS,
  },
  {
    // A stack that commits no file at all has no pipeline to judge here (the workflow policies require one).
    requires: REPOSITORY_FILE,
    config: {
      // A product that really is direct-prod records that decision as a waiver of this policy (it is not critical).
      defaults: { stacks: ["production"], stagingWorkflow: ".github/workflows/deploy-staging.yml" },
      schema: {
        stacks: { type: "array", items: { type: "string" }, description: "Stacks that must keep the staging pipeline." },
        stagingWorkflow: { type: "string", description: "The workflow file the staging-prod model commits for its staging deploys." },
      },
    },
    validate(resources, settings, report) {
      if (!settings.stacks.includes(currentStack())) return;
      const hasStaging = resources.some((resource) => resource.type === REPOSITORY_FILE && knownString(resource.props["file"])?.replace(/^\.?\//, "") === settings.stagingWorkflow.replace(/^\.?\//, ""));
      if (!hasStaging) report(`the stack commits no ${settings.stagingWorkflow}: its model has no staging, so nothing is validated in staging before production`);
    },
  },
);

export const runtimePolicies = [runtimeSettingsFitEnvironment, productionIsolatedFromStaging, productionKeepsStaging];
