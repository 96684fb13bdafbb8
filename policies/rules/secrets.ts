import { resourcePolicy, UnknownInputError } from "../lib/define";
import { credentialIn, secretLikeName } from "../lib/credentials";
import { anyGlobMatch } from "../lib/glob";
import { asArray, asRecord, knownString, Plain, PlainRecord, stringsIn } from "../lib/values";
import { daysSince, now } from "../lib/clock";

export const VERCEL_ENV_VAR = "vercel:index/projectEnvironmentVariable:ProjectEnvironmentVariable";
export const VERCEL_ENV_VARS = "vercel:index/projectEnvironmentVariables:ProjectEnvironmentVariables";
export const ACTIONS_VARIABLE = "github:index/actionsVariable:ActionsVariable";
export const ACTIONS_ENVIRONMENT_VARIABLE = "github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable";
export const ACTIONS_ORGANIZATION_VARIABLE = "github:index/actionsOrganizationVariable:ActionsOrganizationVariable";
export const REPOSITORY_FILE = "github:index/repositoryFile:RepositoryFile";
export const SSM_PARAMETER = "aws:ssm/parameter:Parameter";

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
      'Secrets stay unreadable once set. Spec, Secrets Management: "Secrets stored in platform (encrypted at rest)"; only "NEXT_PUBLIC_* - Public env vars (not secret, but configured)" are public. ' +
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
      defaults: { plainKeys: ["NEXT_PUBLIC_*"] },
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
      defaults: { allowedNames: [] },
      schema: { allowedNames: { type: "array", items: { type: "string" }, description: "Variable names (globs) allowed despite a secret-like name." } },
    },
    validate({ props }, settings, report) {
      const name = knownString(props["variableName"]);
      if (name !== undefined && secretLikeName.test(name) && !anyGlobMatch(settings.allowedNames, name)) {
        report(`variable ${name} has a secret-like name: store it as an Actions secret`);
      }
    },
  },
);

/**
 * The inputs that are plain by design, whatever the program does: the engine decrypts secret inputs
 * before the pack sees them (and the SDK drops the secret marker), so the scan only reads inputs
 * that are never meant to hold a secret. A credential found there is in plain text in state and in the provider.
 */
export function plainByDesignInputs(type: string, props: PlainRecord): { path: string; value: string }[] {
  const found: { path: string; value: string }[] = [];
  for (const key of ["tags", "tagsAll", "description", "comment", "alarmDescription", "displayName", "commitMessage"]) {
    found.push(...stringsIn(props[key], key));
  }
  switch (type) {
    case ACTIONS_VARIABLE:
    case ACTIONS_ENVIRONMENT_VARIABLE:
    case ACTIONS_ORGANIZATION_VARIABLE:
      found.push(...stringsIn(props["value"], "value"));
      break;
    case VERCEL_ENV_VAR:
      if (props["sensitive"] !== true) found.push(...stringsIn(props["value"], "value"));
      break;
    case VERCEL_ENV_VARS:
      asArray(props["variables"]).forEach((variable, index) => {
        const record = asRecord(variable);
        if (record && record["sensitive"] !== true) found.push(...stringsIn(record["value"], `variables[${index}].value`));
      });
      break;
    case REPOSITORY_FILE:
      found.push(...stringsIn(props["content"], "content"));
      break;
    case SSM_PARAMETER:
      if (props["type"] !== "SecureString") {
        found.push(...stringsIn(props["value"], "value"));
        found.push(...stringsIn(props["insecureValue"], "insecureValue"));
      }
      break;
  }
  return found;
}

export const noPlaintextCredentials = resourcePolicy(
  {
    name: "secrets-plain-input-no-credentials",
    description:
      'No credential in a plain input. Spec, Never Commit: "❌ API keys in code ❌ Passwords in comments"; Secrets enter as Pulumi secrets and stay secret. ' +
      "Scanned: variable values, non-sensitive Vercel values, committed file content, SecureString-less SSM values, tags, descriptions and comments.",
    severity: "critical",
    remediation: [
      "Revoke and rotate the exposed credential: it is already in state and in the provider.",
      "Set it with `pulumi config set --secret` and pass it to a secret input (Actions secret, sensitive Vercel variable, SecureString).",
      "In workflow files, reference it as ${{ secrets.NAME }}.",
    ],
    topics: TOPICS,
  },
  {
    types: "*",
    validate({ type, props }, _settings, report) {
      for (const { path, value } of plainByDesignInputs(type, props)) {
        const kind = credentialIn(value);
        if (kind) report(`${path} contains a ${kind} in plain text`);
      }
    },
  },
);

export const ROTATION_TAG = "flightdeck:secret-rotation";

export interface RotationRecord {
  name: string;
  kind: string;
  periodDays: number;
  lastRotated: string;
  destinations?: Plain;
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
  if (typeof record["lastRotated"] !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(record["lastRotated"]) || Number.isNaN(Date.parse(record["lastRotated"]))) {
    problems.push("lastRotated (YYYY-MM-DD)");
  }
  if (problems.length > 0) return `missing or invalid: ${problems.join(", ")}`;
  return {
    name: String(record["name"]),
    kind: String(record["kind"]),
    periodDays: Number(record["periodDays"]),
    lastRotated: String(record["lastRotated"]),
    destinations: record["destinations"],
  };
}

export const secretRotationCurrent = resourcePolicy<{ maxPeriodDays: Record<string, number> }>(
  {
    name: "secrets-rotation-register-current",
    description:
      'Secrets are rotated on schedule. Spec, Rotation: "API keys: Every 90 days (automated reminders); Database passwords: Every 180 days". ' +
      `Judged on the rotation register: SSM parameters tagged ${ROTATION_TAG}=true holding {name, kind, periodDays, lastRotated, destinations}.`,
    severity: "high",
    remediation: [
      "Rotate the secret in its platform, redeploy, then update lastRotated in the stack config (secrets[].rotation.lastRotated).",
      "Keep periodDays within the spec: 90 for api-key and token, 180 for database-password.",
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
      if (asRecord(props["tags"])?.[ROTATION_TAG] !== "true") args.notApplicable("not a rotation register entry");
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
      const max = settings.maxPeriodDays[record.kind];
      if (max === undefined) {
        report(`${record.name}: kind ${record.kind} has no rotation period in the spec (known: ${Object.keys(settings.maxPeriodDays).join(", ")})`);
      } else if (record.periodDays > max) {
        report(`${record.name}: periodDays ${record.periodDays} exceeds the spec's ${max} days for ${record.kind}`);
      }
      const age = daysSince(record.lastRotated, now());
      if (age > record.periodDays) {
        report(`${record.name}: last rotated ${record.lastRotated}, ${age} days ago; due every ${record.periodDays} days`);
      }
    },
  },
);

export const secretPolicies = [vercelEnvVarSensitive, actionsVariableNotSecret, noPlaintextCredentials, secretRotationCurrent];
