import { z } from "zod";
import { DeploymentModel, StackSettings, stackConfigSchema, stacksOfModel } from "./schema";
import { deploySecrets } from "../pipeline/deployContract";
import { GITHUB_APP_PRIVATE_KEY, deployEnvironmentProblems } from "./githubRules";
import { POSTHOG_API_KEY } from "../flags/settings";
import { featureFlagProblems } from "../flags/validateFlags";
import { disasterRecoveryProblems } from "../backup/settings";
import { stagingDataProblems } from "../stagingData/settings";
import { METRICS_POSTHOG_API_KEY, METRICS_RAILWAY_TOKEN } from "../metrics/settings";
import { apiLimitProblems } from "./limits";
import { metricDefinitions } from "../aws/alertMetrics";
import { isRotatedByProgram } from "../secrets/rotation";

export const CONFIG_NAMESPACE = "flightdeck";

/** Raw `flightdeck:*` values keyed without the namespace, as the stack files give them. */
export type RawStackConfig = Record<string, unknown>;

export type ValidationResult =
  | { ok: true; settings: StackSettings; secretKeys: string[] }
  | { ok: false; problems: string[] };

/**
 * The config keys whose values are secrets: set with `pulumi config set --secret`,
 * never in the stack files. Which ones a stack needs follows from its settings.
 */
export function secretConfigKeys(settings: StackSettings): string[] {
  const keys: string[] = [GITHUB_APP_PRIVATE_KEY];
  if (settings.database) keys.push("databaseAdminPassword");
  if (settings.alerts) keys.push("pagerDutyEndpoint");
  if (settings.featureFlags) keys.push(POSTHOG_API_KEY);
  if (settings.metricsBridge) keys.push(METRICS_POSTHOG_API_KEY, METRICS_RAILWAY_TOKEN);
  for (const entry of settings.secrets) {
    if (entry.source === "config") keys.push(entry.name);
  }
  return keys;
}

/**
 * Validates a stack's raw config; every problem is one line `flightdeck:key.path: what is wrong (got …)`.
 * Keys outside the schema are secret values only if the settings declare them; their values are never printed.
 */
export function validateStackConfig(raw: RawStackConfig, options: { isSecret?: (key: string) => boolean; today?: string } = {}): ValidationResult {
  const { settingsRaw, otherKeys: allOtherKeys } = splitSettings(raw);
  // An encrypted key the settings do not read (a secret kept for a stack that no longer uses it) is harmless.
  const otherKeys = allOtherKeys.filter((key) => !(options.isSecret?.(key) ?? false));
  const parsed = stackConfigSchema.safeParse(settingsRaw);
  if (!parsed.success) {
    const problems = parsed.error.issues.flatMap((issue) => describeIssue(issue, settingsRaw));
    const declared = new Set(looselyDeclaredSecretKeys(settingsRaw));
    return { ok: false, problems: [...problems, ...otherKeys.filter((key) => !declared.has(key)).map(unknownTopLevelKey)] };
  }
  const settings = parsed.data;
  const problems = structuralProblems(settings, options.today);

  const expectedSecrets = secretConfigKeys(settings);
  for (const key of expectedSecrets) {
    if (typeof raw[key] !== "string" || raw[key] === "") {
      problems.push(`${CONFIG_NAMESPACE}:${key}: secret is not set (pulumi config set --secret ${key} <value>)`);
    }
  }
  for (const key of otherKeys) {
    if (!expectedSecrets.includes(key)) problems.push(unknownTopLevelKey(key));
  }
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, settings, secretKeys: expectedSecrets };
}

/** The schema's keys of a raw config, and the other keys (secret values, or typos). */
function splitSettings(raw: RawStackConfig): { settingsRaw: RawStackConfig; otherKeys: string[] } {
  const schemaKeys = new Set(Object.keys(stackConfigSchema.shape));
  const settingsRaw: RawStackConfig = {};
  const otherKeys: string[] = [];
  for (const [key, value] of Object.entries(raw)) {
    if (schemaKeys.has(key)) settingsRaw[key] = value;
    else otherKeys.push(key);
  }
  return { settingsRaw, otherKeys };
}

/** The secret keys a raw config needs, judged from its settings alone; none when they do not parse. */
export function requiredSecretKeys(raw: RawStackConfig): string[] {
  const parsed = stackConfigSchema.safeParse(splitSettings(raw).settingsRaw);
  return parsed.success ? secretConfigKeys(parsed.data) : [];
}

/** The secret keys a config that failed validation still evidently declares, so they are not called unknown. */
function looselyDeclaredSecretKeys(raw: RawStackConfig): string[] {
  const keys: string[] = [GITHUB_APP_PRIVATE_KEY];
  if (raw["database"] !== undefined) keys.push("databaseAdminPassword");
  if (raw["alerts"] !== undefined) keys.push("pagerDutyEndpoint");
  if (raw["featureFlags"] !== undefined) keys.push(POSTHOG_API_KEY);
  if (raw["metricsBridge"] !== undefined) keys.push(METRICS_POSTHOG_API_KEY, METRICS_RAILWAY_TOKEN);
  if (Array.isArray(raw["secrets"])) {
    for (const entry of raw["secrets"] as unknown[]) {
      if (entry !== null && typeof entry === "object" && typeof (entry as Record<string, unknown>)["name"] === "string") {
        keys.push((entry as Record<string, string>)["name"]!);
      }
    }
  }
  return keys;
}

function unknownTopLevelKey(key: string): string {
  return `${CONFIG_NAMESPACE}:${key}: unknown key (neither a setting nor a secret declared in ${CONFIG_NAMESPACE}:secrets)`;
}

/**
 * Rules across fields: references and the deployment model's shape. Compliance is the policy pack's.
 * `today` (YYYY-MM-DD) is the program's clock (flags/clock.ts rolloutNow); by default the machine's.
 */
export function structuralProblems(settings: StackSettings, today?: string): string[] {
  const problems: string[] = [];
  const at = (path: string, message: string) => problems.push(`${CONFIG_NAMESPACE}:${path}: ${message}`);
  const { model, environment } = settings;

  if (!stacksOfModel[model].includes(environment)) {
    at("environment", `model ${model} has no ${environment} stack (got ${JSON.stringify(environment)})`);
  }
  if (model === "staging-prod" && settings.github.branches.staging === undefined) {
    at("github.branches.staging", "is required by model staging-prod");
  }
  if (model !== "staging-prod" && settings.github.branches.staging !== undefined) {
    at("github.branches.staging", `model ${model} has no staging branch (got ${JSON.stringify(settings.github.branches.staging)})`);
  }
  if (model === "local-only") {
    for (const key of ["web", "api", "database", "alerts", "audit"] as const) {
      if (settings[key] !== undefined) at(key, "model local-only deploys nowhere: remove this key");
    }
    if (settings.secrets.length > 0) at("secrets", "model local-only deploys nowhere: secrets stay in .env.local");
  } else {
    for (const key of ["web", "api", "database", "alerts", "audit"] as const) {
      if (settings[key] === undefined) at(key, `is required by model ${model}`);
    }
  }

  const seenSecrets = new Set<string>();
  settings.secrets.forEach((entry, index) => {
    const path = `secrets[${index}]`;
    if (seenSecrets.has(entry.name)) at(`${path}.name`, `duplicate secret name (got ${JSON.stringify(entry.name)})`);
    seenSecrets.add(entry.name);
    const isPublicName = entry.name.startsWith("NEXT_PUBLIC_");
    if (entry.kind === "public" && !isPublicName) at(`${path}.kind`, `public values must be named NEXT_PUBLIC_* (got ${JSON.stringify(entry.name)})`);
    if (isPublicName && entry.kind !== "public") at(`${path}.kind`, `NEXT_PUBLIC_* values are shipped to browsers and must be kind public (got ${JSON.stringify(entry.kind)})`);
    if (entry.source === "plain" && entry.kind !== "public") at(`${path}.source`, "only public values may be plain; use source config and set the value as a secret");
    if (entry.source === "plain" && entry.value === undefined) at(`${path}.value`, "is required for source plain");
    if (entry.source !== "plain" && entry.value !== undefined) at(`${path}.value`, `only plain values are written in config; this one comes from ${entry.source}`);
    if (entry.kind !== "public" && entry.rotation === undefined) at(`${path}.rotation`, `is required for kind ${entry.kind}`);
    if (entry.rotation !== undefined && isRotatedByProgram(entry) && entry.rotation.lastRotated !== undefined) {
      at(`${path}.rotation.lastRotated`, `${entry.source} is rotated by pulumi up every periodDays, and its register dated by that rotation: remove lastRotated`);
    }
    if (entry.rotation !== undefined && !isRotatedByProgram(entry) && entry.rotation.lastRotated === undefined) {
      at(`${path}.rotation.lastRotated`, `is required for source ${entry.source}: record when the secret was last rotated (YYYY-MM-DD)`);
    }
    if ((entry.source === "database-app-url" || entry.source === "database-migrator-url") && settings.database === undefined) {
      at(`${path}.source`, `${entry.source} needs the database key`);
    }
    if (entry.destinations.vercel && settings.web === undefined) at(`${path}.destinations.vercel`, "needs the web key (the Vercel project)");
    if (entry.destinations.githubEnvironment && model === "local-only") at(`${path}.destinations.githubEnvironment`, "model local-only has no deploy environment");
  });

  if (settings.alerts) {
    const seenRules = new Set<string>();
    settings.alerts.rules.forEach((rule, index) => {
      if (seenRules.has(rule.id)) at(`alerts.rules[${index}].id`, `duplicate rule id (got ${JSON.stringify(rule.id)})`);
      seenRules.add(rule.id);
      const anomalyComparison = rule.comparison === "GreaterThanUpperThreshold";
      if (rule.kind === "anomaly" && !anomalyComparison) at(`alerts.rules[${index}].comparison`, `an anomaly rule compares with GreaterThanUpperThreshold (got ${JSON.stringify(rule.comparison)})`);
      if (rule.kind === "threshold" && anomalyComparison) at(`alerts.rules[${index}].comparison`, "GreaterThanUpperThreshold is only for kind anomaly");
      const requiredStatistic = metricDefinitions[rule.metric].requiredStatistic;
      if (requiredStatistic !== undefined && rule.statistic !== requiredStatistic) {
        at(`alerts.rules[${index}].statistic`, `metric ${rule.metric} is measured as ${requiredStatistic} (got ${JSON.stringify(rule.statistic)})`);
      }
      if (rule.datapointsToAlarm !== undefined && rule.datapointsToAlarm > rule.evaluationPeriods) {
        at(`alerts.rules[${index}].datapointsToAlarm`, `cannot exceed evaluationPeriods ${rule.evaluationPeriods} (got ${rule.datapointsToAlarm})`);
      }
    });
  }

  if (hasDeployEnvironment(model)) {
    // The deploy workflows read these from the GitHub environment; without them a deploy fails at run time.
    for (const name of Object.values(deploySecrets)) {
      const index = settings.secrets.findIndex((entry) => entry.name === name);
      const entry = settings.secrets[index];
      if (entry === undefined) at("secrets", `must declare ${name}, which the deploy workflows read from the GitHub environment (got no entry named ${name})`);
      else if (!entry.destinations.githubEnvironment) {
        at(`secrets[${index}].destinations.githubEnvironment`, `must be true: the deploy workflows read ${name} from the GitHub environment (got false)`);
      }
    }
  }

  for (const problem of deployEnvironmentProblems(settings)) at(problem.path, problem.message);

  const { from, to } = settings.schedule.deployHours;
  if (from >= to) at("schedule.deployHours", `from must be before to (got ${from}–${to})`);
  // The bridge feeds the alarms: a model without them (local-only) deploys no bridge, like no other AWS resource.
  if (settings.metricsBridge?.watch !== undefined && model !== "local-only" && environment !== "production") {
    at("metricsBridge.watch", `only production deploys are watched (this stack is ${environment})`);
  }
  problems.push(...featureFlagProblems(settings.featureFlags));
  problems.push(...disasterRecoveryProblems(settings));
  problems.push(...stagingDataProblems(settings));
  problems.push(...secretEntryProblems(settings, today), ...apiLimitProblems(settings));
  return problems;
}

/**
 * What a secrets inventory entry cannot be, whatever the policy: a rotation date that is not a date
 * or has not happened yet (by this run's clock), a NEXT_PUBLIC_* name that says it is a secret.
 * Whether its kind fits its name and its period the spec is compliance: the pack judges that.
 */
function secretEntryProblems(settings: StackSettings, today: string = new Date().toISOString().slice(0, 10)): string[] {
  const problems: string[] = [];
  settings.secrets.forEach((entry, index) => {
    const path = `${CONFIG_NAMESPACE}:secrets[${index}]`;
    const lastRotated = entry.rotation?.lastRotated;
    if (lastRotated !== undefined) {
      const parsed = new Date(`${lastRotated}T00:00:00Z`);
      if (Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== lastRotated) {
        problems.push(`${path}.rotation.lastRotated: is not a calendar date (got ${JSON.stringify(lastRotated)})`);
      } else if (lastRotated > today) {
        problems.push(`${path}.rotation.lastRotated: is in the future (got ${JSON.stringify(lastRotated)}, today is ${today}): record a rotation once it has happened`);
      }
    }
    if (entry.name.startsWith("NEXT_PUBLIC_") && secretLikeName.test(entry.name.slice("NEXT_PUBLIC_".length))) {
      problems.push(`${path}.name: NEXT_PUBLIC_* values are shipped to browsers, and this name says it is a secret (got ${JSON.stringify(entry.name)})`);
    }
  });
  return problems;
}

/** Names that say "this is a secret" (the policy pack's list, policies/lib/credentials.ts, which the program cannot import). */
const secretLikeName = /(SECRET|TOKEN|PASSWORD|PASSWD|PRIVATE_KEY|API_KEY|ACCESS_KEY|CREDENTIAL|DATABASE_URL|REDIS_URL|_DSN$)/i;

/** Whether a model's stacks deploy through a GitHub deployment environment (local-only deploys nowhere). */
export function hasDeployEnvironment(model: DeploymentModel): boolean {
  return model !== "local-only";
}

/** One line per zod issue: `<namespace>:key.path: what is wrong (got …)`. */
export function describeIssue(issue: z.core.$ZodIssue, raw: RawStackConfig, namespace: string = CONFIG_NAMESPACE): string[] {
  const path = formatPath(issue.path, namespace);
  const got = valueAt(raw, issue.path);
  switch (issue.code) {
    case "unrecognized_keys":
      return issue.keys.map((key) => `${formatPath([...issue.path, key], namespace)}: unknown key`);
    case "invalid_type":
      if (got === undefined) return [`${path}: is required`];
      return [`${path}: expected ${issue.expected} (got ${describeValue(got)})`];
    case "invalid_value":
      return [`${path}: expected one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")} (got ${describeValue(got)})`];
    case "too_small": {
      const bound = issue.inclusive === false ? "greater than" : "at least";
      return [`${path}: must be ${bound} ${String(issue.minimum)}${unitOf(issue.origin)} (got ${describeValue(got)})`];
    }
    case "too_big": {
      const bound = issue.inclusive === false ? "less than" : "at most";
      return [`${path}: must be ${bound} ${String(issue.maximum)}${unitOf(issue.origin)} (got ${describeValue(got)})`];
    }
    default:
      return [`${path}: ${issue.message} (got ${describeValue(got)})`];
  }
}

function formatPath(path: readonly PropertyKey[], namespace: string): string {
  let text = namespace + ":";
  path.forEach((segment, index) => {
    if (typeof segment === "number") text += `[${segment}]`;
    else text += (index === 0 ? "" : ".") + String(segment);
  });
  return text;
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = raw;
  for (const segment of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

function unitOf(origin: string): string {
  if (origin === "array" || origin === "set") return " item(s)";
  return origin === "string" ? " character(s)" : "";
}

function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  // JSON has no spelling for these (JSON.stringify gives "null"): say what the value is.
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  const text = JSON.stringify(value);
  return text.length > 60 ? text.slice(0, 57) + "..." : text;
}
