import { resourcePolicy, stackPolicy, UnknownInputError } from "../lib/define";
import { findCredentialsIn, secretLikeName } from "../lib/credentials";
import { anyGlobMatch } from "../lib/glob";
import { asArray, asRecord, knownString, Plain, PlainRecord, stringsIn } from "../lib/values";
import { daysSince, isoDay, now } from "../lib/clock";

export const VERCEL_ENV_VAR = "vercel:index/projectEnvironmentVariable:ProjectEnvironmentVariable";
export const VERCEL_ENV_VARS = "vercel:index/projectEnvironmentVariables:ProjectEnvironmentVariables";
export const ACTIONS_VARIABLE = "github:index/actionsVariable:ActionsVariable";
export const ACTIONS_ENVIRONMENT_VARIABLE = "github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable";
export const ACTIONS_ORGANIZATION_VARIABLE = "github:index/actionsOrganizationVariable:ActionsOrganizationVariable";
export const REPOSITORY_FILE = "github:index/repositoryFile:RepositoryFile";
export const SSM_PARAMETER = "aws:ssm/parameter:Parameter";

// Stryker disable next-line all: documentation: the policies' topics.
const TOPICS = ["secrets"];

interface VercelVariable {
  key: string;
  sensitive: Plain | undefined;
  targets: string[];
}

function vercelVariablesOf(type: string, props: PlainRecord): VercelVariable[] {
  const one = (record: PlainRecord | undefined): VercelVariable => ({
    key: knownString(record?.["key"]) ?? "(unknown key)",
    sensitive: record?.["sensitive"],
    targets: asArray(record?.["targets"]).map((target) => String(target)),
  });
  if (type === VERCEL_ENV_VARS) return asArray(props["variables"]).map((variable) => one(asRecord(variable)));
  return [one(props)];
}

export const vercelEnvVarSensitive = resourcePolicy<{ plainKeys: string[] }>(
  {
    name: "vercel-env-var-sensitive",
    description:
      'Every Vercel variable but NEXT_PUBLIC_* and the named plain runtime settings is sensitive, unreadable once set. Spec, Secrets Management: "Secrets stored in platform (encrypted at rest)"; only "NEXT_PUBLIC_* - Public env vars (not secret, but configured)" are public. ' +
      "A Vercel variable that is not sensitive can be read back from the dashboard and API.",
    severity: "high",
    remediation: [
      "Set sensitive: true on the variable.",
      "If the value is public by design, name it NEXT_PUBLIC_* or add its key to this policy's plainKeys in policies/config/<stack>.json.",
    ],
    topics: TOPICS,
  },
  {
    types: [VERCEL_ENV_VAR, VERCEL_ENV_VARS],
    config: {
      // NEXT_PUBLIC_* values, and the runtime settings the program sets in plain (infra/vercel/runtimeSettings.ts).
      defaults: { plainKeys: ["NEXT_PUBLIC_*", "FEATURE_FLAGS_UNRELEASED", "RATE_LIMIT_PER_MINUTE", "STRIPE_MODE", "LOG_LEVEL"] },
      schema: { plainKeys: { type: "array", items: { type: "string" }, description: "Keys (globs) that may be plain: public values and non-secret runtime settings." } },
    },
    validate({ type, props }, settings, report) {
      for (const variable of vercelVariablesOf(type, props)) {
        if (variable.sensitive === true) continue;
        if (anyGlobMatch(settings.plainKeys, variable.key)) continue;
        // Vercel refuses sensitive variables that target only development.
        if (variable.targets.length > 0 && variable.targets.every((target) => target === "development")) continue;
        report(`${variable.key} is not sensitive; only ${settings.plainKeys.join(", ")} may be plain`);
      }
    },
  },
);

export const actionsVariableNotSecret = resourcePolicy<{ allowedNames: string[] }>(
  {
    name: "github-actions-variable-not-secret",
    description:
      'GitHub Actions variables are stored and printed in plain; secrets belong in Actions secrets. Spec, Never Commit: "API keys in code"; ' +
      '"Env vars injected at runtime (not in code)".',
    severity: "high",
    remediation: [
      "Move the value to a github.ActionsEnvironmentSecret (from a Pulumi secret) and reference it as ${{ secrets.NAME }}.",
      "If the name only looks secret-like, rename it or list it in allowedNames.",
    ],
    topics: TOPICS,
  },
  {
    types: [ACTIONS_VARIABLE, ACTIONS_ENVIRONMENT_VARIABLE, ACTIONS_ORGANIZATION_VARIABLE],
    config: {
      // Stryker disable next-line ArrayDeclaration: equivalent: a default glob "Stryker was here" allows only that name, which is not secret-like anyway.
      defaults: { allowedNames: [] },
      schema: { allowedNames: { type: "array", items: { type: "string" }, description: "Variable names (globs) allowed despite a secret-like name." } },
    },
    validate({ props }, settings, report) {
      const name = knownString(props["variableName"]);
      // Stryker disable next-line ConditionalExpression: equivalent: without the undefined check, RegExp#test reads undefined as the text "undefined", which is not secret-like.
      if (name !== undefined && secretLikeName.test(name) && !anyGlobMatch(settings.allowedNames, name)) {
        report(`variable ${name} has a secret-like name: store it as an Actions secret`);
      }
    },
  },
);

const ACTIONS_SECRET_VALUES = ["encryptedValue", "plaintextValue", "value", "valueEncrypted"];

/**
 * Inputs that hold secrets by design, by type: the inputs each provider's SDK always makes secret
 * (its generated resource class lists them in `additionalSecretOutputs` and wraps them in
 * `pulumi.secret`; test/policies/secretInputs.spec.ts checks this table against the installed SDKs),
 * provider credentials, and the one input the program fills from a Pulumi secret although its
 * provider does not make it secret (the PagerDuty endpoint of the paging topic's subscription).
 * The engine decrypts secret inputs before a policy sees them and @pulumi/policy hands them over as
 * plain values (deserialize.js: deserializeProperties(…, false) for analyze and analyzeStack), so these
 * inputs are skipped by type, not by a secret marker. Every other string input is scanned.
 */
export const SECRET_INPUTS: Readonly<Record<string, readonly string[]>> = {
  "aws:ssm/parameter:Parameter": ["value", "valueWo"],
  "aws:secretsmanager/secretVersion:SecretVersion": ["secretBinary", "secretString", "secretStringWo"],
  "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration": ["token"],
  "aws:sns/topicSubscription:TopicSubscription": ["endpoint"],
  "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret": ACTIONS_SECRET_VALUES,
  "github:index/actionsSecret:ActionsSecret": ACTIONS_SECRET_VALUES,
  "github:index/actionsOrganizationSecret:ActionsOrganizationSecret": ACTIONS_SECRET_VALUES,
  "github:index/dependabotSecret:DependabotSecret": ACTIONS_SECRET_VALUES,
  "postgresql:index/role:Role": ["password", "passwordWo"],
  "vercel:index/projectEnvironmentVariable:ProjectEnvironmentVariable": ["value", "valueWo"],
  "vercel:index/sharedEnvironmentVariable:SharedEnvironmentVariable": ["value", "valueWo"],
  "pulumi:providers:aws": ["accessKey", "secretKey", "token"],
  "pulumi:providers:github": ["token", "appAuth"],
  "pulumi:providers:postgresql": ["password"],
  "pulumi:providers:vercel": ["apiToken"],
};

/** Whether a Vercel variable is readable by anyone with access to the project: not sensitive, or public by name. */
function readableVercelValue(record: PlainRecord): boolean {
  // Stryker disable next-line StringLiteral: equivalent: the fallback for a key not known is some text that does not start with NEXT_PUBLIC_, whatever it says.
  return record["sensitive"] !== true || (knownString(record["key"]) ?? "").startsWith("NEXT_PUBLIC_");
}

/**
 * The string inputs of a resource the credential scan reads, with their paths: every string but the
 * secret-by-design inputs, which are read anyway when their platform shows them in plain (a Vercel
 * variable that is not sensitive or is NEXT_PUBLIC_*, an SSM parameter that is not a SecureString).
 */
export function scannedInputs(type: string, props: PlainRecord): readonly ScannedInput[] {
  const known = scannedInputsByProps.get(props);
  // Stryker disable next-line ConditionalExpression: equivalent: never using the cache only recomputes the same inputs (speed).
  if (known?.type === type) return known.inputs;
  const inputs = Object.freeze(findScannedInputs(type, props));
  // Stryker disable next-line ObjectLiteral,CallExpression: equivalent: an entry with no type, or none, is never used (speed).
  scannedInputsByProps.set(props, { type, inputs });
  return inputs;
}

interface ScannedInput {
  path: string;
  value: string;
}

/** Several policies scan the same resource (the credential scan, the secret-copy check): once per properties object. */
const scannedInputsByProps = new WeakMap<PlainRecord, { type: string; inputs: readonly ScannedInput[] }>();

function findScannedInputs(type: string, props: PlainRecord): ScannedInput[] {
  // Stryker disable next-line ArrayDeclaration: equivalent: a default of ["Stryker was here"] skips an input of that name, which no resource has.
  const skipped = new Set(SECRET_INPUTS[type] ?? []);
  if (type === VERCEL_ENV_VAR && readableVercelValue(props)) skipped.delete("value");
  if (type === SSM_PARAMETER && props["type"] !== "SecureString") skipped.delete("value");
  const found: ScannedInput[] = [];
  for (const [key, value] of Object.entries(props)) {
    if (skipped.has(key)) continue;
    if (type === VERCEL_ENV_VARS && key === "variables") {
      asArray(value).forEach((variable, index) => {
        const record = asRecord(variable) ?? {};
        for (const [field, child] of Object.entries(record)) {
          if (field === "value" && !readableVercelValue(record)) continue;
          found.push(...stringsIn(child, `variables[${index}].${field}`));
        }
      });
      continue;
    }
    found.push(...stringsIn(value, key));
  }
  return found;
}

export const noPlaintextCredentials = stackPolicy(
  {
    name: "secrets-plain-input-no-credentials",
    description:
      'No credential in a plain input. Spec, Never Commit: "❌ API keys in code ❌ Passwords in comments"; Secrets enter as Pulumi secrets and stay secret. ' +
      "Every string input of every resource is scanned (secretlint's recommended rules plus flightdeck's own for Stripe webhook secrets, AWS access key ids, JWTs, PostHog personal API keys, PagerDuty keys and URLs with passwords), " +
      "except inputs that are secret by design (Actions secrets, sensitive Vercel values, SecureString parameters, passwords, provider credentials).",
    severity: "critical",
    remediation: [
      "Revoke and rotate the exposed credential: it is already in state and in the provider.",
      "Set it with `pulumi config set --secret` and pass it to a secret input (Actions secret, sensitive Vercel variable, SecureString).",
      "In workflow files, reference it as ${{ secrets.NAME }}.",
    ],
    topics: TOPICS,
  },
  {
    async validate(resources, _settings, report) {
      const texts: string[] = [];
      const origins: { urn: string; path: string }[] = [];
      for (const resource of resources) {
        for (const { path, value } of scannedInputs(resource.type, resource.props)) {
          texts.push(value);
          origins.push({ urn: resource.urn, path });
        }
      }
      const reported = new Set<string>();
      for (const { index, rule } of await findCredentialsIn(texts)) {
        const origin = origins[index]!;
        const message = `${origin.path} contains a credential in plain text (detected by ${rule})`;
        if (reported.has(`${origin.urn} ${message}`)) continue;
        reported.add(`${origin.urn} ${message}`);
        report(message, origin.urn);
      }
    },
  },
);

export const ROTATION_TAG = "flightdeck:secret-rotation";

/** What the pack reads of a register entry (the program writes its destinations too; no policy reads them). */
export interface RotationRecord {
  name: string;
  kind: string;
  periodDays: number;
  lastRotated: string;
}

/** A real calendar date as YYYY-MM-DD (not 2026-02-30). */
function isCalendarDate(text: string): boolean {
  // The pattern refuses what Date reads but no one writes for a day (+010000-01: expanded years, months only).
  // Stryker disable next-line Regex: equivalent (the anchors): the round trip below holds only for a text that is exactly YYYY-MM-DD or ±YYYYYY-MM.
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const parsed = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === text;
}

function rotationRecordOf(value: string): RotationRecord | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return "value is not JSON";
  }
  const record = asRecord(parsed as Plain);
  if (!record) return "value is not a JSON object";
  const problems: string[] = [];
  if (typeof record["name"] !== "string") problems.push("name");
  if (typeof record["kind"] !== "string") problems.push("kind");
  if (typeof record["periodDays"] !== "number" || !(record["periodDays"] > 0)) problems.push("periodDays");
  // Stryker disable next-line ConditionalExpression: equivalent (the typeof check): isCalendarDate compares the text with a string, which no other type equals.
  if (typeof record["lastRotated"] !== "string" || !isCalendarDate(record["lastRotated"])) problems.push("lastRotated (YYYY-MM-DD)");
  if (problems.length > 0) return `missing or invalid: ${problems.join(", ")}`;
  return {
    name: String(record["name"]),
    kind: String(record["kind"]),
    periodDays: Number(record["periodDays"]),
    lastRotated: String(record["lastRotated"]),
  };
}

/** The path segment every rotation register parameter lives under (infra/pipeline/deployContract.ts). */
const REGISTER_SEGMENT = "/secret-rotation/";

/**
 * Whether an SSM parameter is a rotation register entry, judged by what it is rather than by a tag a
 * change can drop: a name under `/secret-rotation/`, or a value that reads as a rotation record
 * (a JSON object with `lastRotated` or `periodDays`), or the register's tag.
 */
export function isRotationRegisterEntry(props: PlainRecord): boolean {
  if (knownString(props["name"])?.includes(REGISTER_SEGMENT) === true) return true;
  if (asRecord(props["tags"])?.[ROTATION_TAG] !== undefined) return true;
  const text = knownString(props["insecureValue"] ?? props["value"]);
  // Stryker disable next-line ConditionalExpression: equivalent: JSON.parse(undefined) throws, and the catch below answers false too.
  if (text === undefined) return false;
  let record: PlainRecord | undefined;
  try {
    record = asRecord(JSON.parse(text) as Plain);
  } catch {
    // Not JSON: no record, no entry.
  }
  return record !== undefined && ("lastRotated" in record || "periodDays" in record);
}

/**
 * The kind a secret's name implies, or undefined when the name says nothing. Decides the rotation
 * period (the spec: API keys 90 days, database passwords 180), so a kind that does not fit its name
 * would stretch the period: connection strings and passwords are database-password; tokens are
 * token; keys and other secrets are api-key; NEXT_PUBLIC_* are public and not in the register.
 */
export function kindImpliedByName(name: string): string | undefined {
  const upper = name.toUpperCase();
  if (upper.startsWith("NEXT_PUBLIC_")) return "public";
  if (/(DATABASE_URL|_DB_URL$|_DSN$|PASSWORD|PASSWD|^REDIS_URL$|_REDIS_URL$)/.test(upper)) return "database-password";
  if (/TOKEN/.test(upper)) return "token";
  if (/(API_KEY|SECRET_KEY|SECRET$|_KEY$|PRIVATE_KEY|ACCESS_KEY)/.test(upper)) return "api-key";
  return undefined;
}

export const secretRotationCurrent = resourcePolicy<{ maxPeriodDays: Record<string, number> }>(
  {
    name: "secrets-rotation-register-current",
    description:
      'Secrets are rotated on schedule. Spec, Rotation: "API keys: Every 90 days (automated reminders); Database passwords: Every 180 days". ' +
      "Judged on the rotation register: SSM parameters under /secret-rotation/ (or holding a rotation record) with {name, kind, periodDays, lastRotated, destinations}; " +
      "the kind must fit the name (connection strings and passwords database-password, tokens token, keys api-key; only a name that says so earns database-password's 180 days), and lastRotated cannot be in the future.",
    severity: "high",
    remediation: [
      "Rotate the secret in its platform, redeploy, then update lastRotated in the stack config (secrets[].rotation.lastRotated).",
      "Keep periodDays within the spec: 90 for api-key and token, 180 for database-password.",
      "Give the secret the kind its name implies (STRIPE_SECRET_KEY api-key, *_DATABASE_URL and *PASSWORD* database-password, *TOKEN* token).",
    ],
    topics: [...TOPICS, "rotation"],
  },
  {
    types: [SSM_PARAMETER],
    config: {
      defaults: { maxPeriodDays: { "api-key": 90, token: 90, "database-password": 180 } },
      schema: {
        maxPeriodDays: {
          type: "object",
          additionalProperties: { type: "integer", minimum: 1 },
          description: "Longest rotation period allowed, in days, per secret kind.",
        },
      },
    },
    validate({ props }, settings, report, args) {
      // Stryker disable next-line StringLiteral: documentation: the reason the engine records for a policy that did not apply.
      if (!isRotationRegisterEntry(props)) args.notApplicable("not a rotation register entry");
      // The register is written as insecureValue (it holds dates, not secrets); value is read too.
      const raw = props["insecureValue"] ?? props["value"];
      const text = knownString(raw);
      if (text === undefined) {
        if (raw === null || raw === undefined) report("the register entry has no value");
        else throw new UnknownInputError("value");
        return;
      }
      const record = rotationRecordOf(text);
      if (typeof record === "string") {
        report(`the register entry is malformed: ${record}`);
        return;
      }
      const implied = kindImpliedByName(record.name);
      if (implied === "public") {
        report(`${record.name}: NEXT_PUBLIC_* values are public by definition and have no place in the rotation register (kind ${record.kind})`);
      } else if (implied !== undefined && implied !== record.kind) {
        report(`${record.name}: kind ${record.kind} does not fit the name, which is a ${implied} (its rotation period follows the kind)`);
      } else if (implied === undefined && record.kind === "database-password") {
        // The longest period must be earned by the name: otherwise renaming a key buys it 180 days.
        report(`${record.name}: kind database-password (rotated every 180 days) needs a name that says so (*DATABASE_URL, *_DSN, *PASSWORD*, *REDIS_URL); name it so, or give it kind api-key or token`);
      }
      const max = settings.maxPeriodDays[record.kind];
      if (max === undefined) {
        report(`${record.name}: kind ${record.kind} has no rotation period in the spec (known: ${Object.keys(settings.maxPeriodDays).join(", ")})`);
      } else if (record.periodDays > max) {
        report(`${record.name}: periodDays ${record.periodDays} exceeds the spec's ${max} days for ${record.kind}`);
      }
      const age = daysSince(record.lastRotated, now());
      if (age < 0) {
        report(`${record.name}: lastRotated ${record.lastRotated} is in the future (today is ${isoDay(now())}): a rotation that has not happened cannot be recorded`);
      } else if (age > record.periodDays) {
        report(`${record.name}: last rotated ${record.lastRotated}, ${age} days ago; due every ${record.periodDays} days`);
      }
    },
  },
);

/** Names of the secrets a stack places: sensitive Vercel variables and Actions secrets. */
function placedSecretNames(resource: { type: string; props: PlainRecord }): string[] {
  switch (resource.type) {
    case VERCEL_ENV_VAR:
      return resource.props["sensitive"] === true ? [knownString(resource.props["key"]) ?? ""].filter(Boolean) : [];
    case VERCEL_ENV_VARS:
      return asArray(resource.props["variables"])
        .map((variable) => asRecord(variable))
        .filter((record): record is PlainRecord => record?.["sensitive"] === true)
        .map((record) => knownString(record["key"]) ?? "")
        .filter(Boolean);
    case "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret":
    case "github:index/actionsSecret:ActionsSecret":
      return [knownString(resource.props["secretName"]) ?? ""].filter(Boolean);
    default:
      return [];
  }
}

export const secretRotationComplete = stackPolicy(
  {
    name: "secrets-rotation-register-complete",
    description:
      'Every secret the stack places is in the rotation register, so its rotation is judged. Spec, Rotation: "API keys: Every 90 days (automated reminders); Database passwords: Every 180 days". ' +
      "A secret placed in Vercel (sensitive) or in GitHub Actions secrets with no register entry of its name escapes secrets-rotation-register-current.",
    severity: "high",
    remediation: [
      "Declare the secret in flightdeck:secrets with its kind and rotation { periodDays, lastRotated }: the stack writes its register entry.",
      "If the variable is not a secret, make it a plain (not sensitive) variable or an Actions variable instead.",
    ],
    topics: [...TOPICS, "rotation"],
  },
  {
    validate(resources, _settings, report) {
      const registered = new Set<string>();
      for (const resource of resources) {
        if (resource.type !== SSM_PARAMETER || !isRotationRegisterEntry(resource.props)) continue;
        const text = knownString(resource.props["insecureValue"] ?? resource.props["value"]);
        // Stryker disable next-line StringLiteral: equivalent: any fallback but a JSON record is malformed alike.
        const record = rotationRecordOf(text ?? "");
        // A malformed entry still registers the secret its path names: secrets-rotation-register-current reports it.
        const name = typeof record === "string" ? knownString(resource.props["name"])?.match(/\/secret-rotation\/([^/]+)$/)?.[1] : record.name;
        // Stryker disable next-line ConditionalExpression: equivalent: registering undefined registers no secret (a placed secret has a name).
        if (name !== undefined) registered.add(name);
      }
      for (const resource of resources) {
        for (const name of placedSecretNames(resource)) {
          if (!registered.has(name)) report(`secret ${name} has no rotation register entry: its rotation is not judged`, resource.urn);
        }
      }
    },
  },
);

export const publicEnvVarNotSecret = resourcePolicy(
  {
    name: "secrets-public-env-var-not-secret",
    description:
      'No NEXT_PUBLIC_* variable is named as a secret: NEXT_PUBLIC_* values are shipped to every browser. Spec, Secrets Inventory: "NEXT_PUBLIC_* - Public env vars (not secret, but configured)". ' +
      "A NEXT_PUBLIC_* variable whose name says it is a secret (NEXT_PUBLIC_STRIPE_SECRET_KEY) publishes that secret; its value is scanned by secrets-plain-input-no-credentials.",
    severity: "critical",
    remediation: [
      "Rename the variable without NEXT_PUBLIC_ and make it sensitive (kind api-key, token or database-password), or move the value server-side.",
      "Revoke and rotate the value if it was a secret: every deployed page served it.",
    ],
    topics: TOPICS,
  },
  {
    types: [VERCEL_ENV_VAR, VERCEL_ENV_VARS],
    validate({ type, props }, _settings, report) {
      for (const variable of vercelVariablesOf(type, props)) {
        if (!variable.key.startsWith("NEXT_PUBLIC_")) continue;
        if (secretLikeName.test(variable.key.slice("NEXT_PUBLIC_".length))) {
          report(`${variable.key} is public (NEXT_PUBLIC_*) but its name says it is a secret`);
        }
      }
    },
  },
);

export const secretPolicies = [
  vercelEnvVarSensitive,
  actionsVariableNotSecret,
  noPlaintextCredentials,
  secretRotationCurrent,
  secretRotationComplete,
  publicEnvVarNotSecret,
];
