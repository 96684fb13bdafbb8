import { describeIssue } from "../../infra/config/validate";
import { MAX_ENVIRONMENT_REVIEWERS } from "../../infra/config/githubRules";
import { BootstrapSettings, bootstrapConfigSchema } from "./schema";

/** The bootstrap project's config namespace: its Pulumi project name (bootstrap/Pulumi.yaml). */
export const BOOTSTRAP_NAMESPACE = "flightdeck-bootstrap";

/** The bootstrap App's private key (PEM): `pulumi config set --secret githubAppPrivateKey < key.pem`. */
export const BOOTSTRAP_APP_PRIVATE_KEY = "githubAppPrivateKey";
/** PagerDuty's Events HTTPS endpoint for the break-glass alert, when `breakGlass.pagerDuty` is true. */
export const BREAK_GLASS_PAGER_DUTY = "pagerDutyEndpoint";

export type RawBootstrapConfig = Record<string, unknown>;

export type BootstrapValidation = { ok: true; settings: BootstrapSettings; secretKeys: string[] } | { ok: false; problems: string[] };

/** The secret keys the settings read: never in the stack file in plain. */
export function bootstrapSecretKeys(settings: Pick<BootstrapSettings, "breakGlass">): string[] {
  return settings.breakGlass.pagerDuty ? [BOOTSTRAP_APP_PRIVATE_KEY, BREAK_GLASS_PAGER_DUTY] : [BOOTSTRAP_APP_PRIVATE_KEY];
}

/** The secret keys a raw config needs, judged from its settings alone (the App key when they do not parse). */
export function requiredBootstrapSecretKeys(raw: RawBootstrapConfig): string[] {
  const parsed = bootstrapConfigSchema.safeParse(settingsOf(raw));
  if (parsed.success) return bootstrapSecretKeys(parsed.data);
  const pagerDuty = (raw["breakGlass"] as { pagerDuty?: unknown } | undefined)?.pagerDuty === true;
  return pagerDuty ? [BOOTSTRAP_APP_PRIVATE_KEY, BREAK_GLASS_PAGER_DUTY] : [BOOTSTRAP_APP_PRIVATE_KEY];
}

function settingsOf(raw: RawBootstrapConfig): RawBootstrapConfig {
  const schemaKeys = new Set(Object.keys(bootstrapConfigSchema.shape));
  return Object.fromEntries(Object.entries(raw).filter(([key]) => schemaKeys.has(key)));
}

/**
 * Validates the bootstrap's raw config (keys without namespace); every problem is one line
 * `flightdeck-bootstrap:key.path: what is wrong (got …)`, never a secret's value.
 */
export function validateBootstrapConfig(raw: RawBootstrapConfig, options: { isSecret?: (key: string) => boolean } = {}): BootstrapValidation {
  const settingsRaw = settingsOf(raw);
  const otherKeys = Object.keys(raw).filter((key) => !(key in settingsRaw));
  const parsed = bootstrapConfigSchema.safeParse(settingsRaw);
  const secretKeys = parsed.success ? bootstrapSecretKeys(parsed.data) : requiredBootstrapSecretKeys(raw);
  const problems = parsed.success ? structuralProblems(parsed.data) : parsed.error.issues.flatMap((issue) => describeIssue(issue, settingsRaw, BOOTSTRAP_NAMESPACE));
  for (const key of otherKeys) {
    if (!secretKeys.includes(key) && !(options.isSecret?.(key) ?? false)) problems.push(`${BOOTSTRAP_NAMESPACE}:${key}: unknown key`);
  }
  if (parsed.success) {
    for (const key of secretKeys) {
      if (typeof raw[key] !== "string" || raw[key] === "") problems.push(`${BOOTSTRAP_NAMESPACE}:${key}: secret is not set (pulumi config set --secret ${key} <value>)`);
    }
  }
  if (!parsed.success || problems.length > 0) return { ok: false, problems };
  return { ok: true, settings: parsed.data, secretKeys };
}

/** Rules across fields: references between keys, and what GitHub's and AWS's APIs refuse. Compliance is the pack's. */
function structuralProblems(settings: BootstrapSettings): string[] {
  const problems: string[] = [];
  const at = (path: string, message: string) => problems.push(`${BOOTSTRAP_NAMESPACE}:${path}: ${message}`);
  const stacks = settings.program.stacks.map((stack) => stack.name);
  settings.program.stacks.forEach((stack, index) => {
    if (stacks.indexOf(stack.name) !== index) at(`program.stacks[${index}].name`, `duplicate stack (got ${JSON.stringify(stack.name)})`);
  });
  for (const name of Object.keys(settings.protection.environments)) {
    if (!stacks.includes(name as (typeof stacks)[number])) at(`protection.environments.${name}`, `names no stack of program.stacks (${stacks.join(", ")})`);
  }
  for (const [name, environment] of Object.entries(settings.protection.environments)) {
    const count = environment.reviewers.users.length + environment.reviewers.teams.length;
    // https://docs.github.com/en/rest/deployments/environments#create-or-update-an-environment: "up to six users or teams".
    if (count > MAX_ENVIRONMENT_REVIEWERS) at(`protection.environments.${name}.reviewers`, `GitHub accepts at most ${MAX_ENVIRONMENT_REVIEWERS} required reviewers (got ${count})`);
    if (count === 0 && environment.preventSelfReview === true) at(`protection.environments.${name}.preventSelfReview`, "GitHub refuses prevent_self_review without required reviewers (got true with no reviewers)");
  }
  settings.humans.readOnlyDecrypts.forEach((name, index) => {
    if (!stacks.includes(name)) at(`humans.readOnlyDecrypts[${index}]`, `names no stack of program.stacks (got ${JSON.stringify(name)})`);
  });
  if (settings.stateBackend.kind === "pulumi-cloud" && settings.humans.readOnlyDecrypts.length > 0) {
    at("humans.readOnlyDecrypts", "Pulumi Cloud encrypts the stacks' secrets itself: there is no key here to decrypt with (got a list)");
  }
  for (const [path, principals] of [["humans.readOnly", settings.humans.readOnly], ["humans.breakGlass", settings.humans.breakGlass]] as const) {
    principals.forEach((arn, index) => {
      const account = /^arn:aws:iam::(\d{12}):/.exec(arn)?.[1];
      if (account !== settings.account) at(`${path}[${index}]`, `is not of account ${settings.account} (got ${JSON.stringify(arn)}); trust only the account's own users and roles`);
    });
  }
  if (!settings.breakGlass.pagerDuty && settings.breakGlass.emails.length === 0) {
    at("breakGlass", "must page someone when the break-glass role is assumed: set pagerDuty: true or list emails");
  }
  if (settings.cloudTrail.create && settings.cloudTrail.bucketName === undefined) at("cloudTrail.bucketName", "is required when cloudTrail.create is true");
  if (!settings.cloudTrail.create && settings.cloudTrail.bucketName !== undefined) at("cloudTrail.bucketName", "only goes with cloudTrail.create: true");
  if ("arn" in settings.githubOidcProvider && !settings.githubOidcProvider.arn.includes(`::${settings.account}:`)) {
    at("githubOidcProvider.arn", `is not of account ${settings.account} (got ${JSON.stringify(settings.githubOidcProvider.arn)})`);
  }
  return problems;
}
