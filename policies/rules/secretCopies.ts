import { stackPolicy } from "../lib/define";
import { asArray, asRecord, knownString, PlainRecord, stringsIn } from "../lib/values";
import { SECRET_INPUTS, SSM_PARAMETER, VERCEL_ENV_VAR, VERCEL_ENV_VARS, scannedInputs } from "./secrets";

/**
 * A secret's value copied into an input its platform shows in plain: an SSM `String` parameter, a
 * Vercel variable that is not sensitive, a tag, a description, an Actions variable. The credential
 * detector finds only values that look like a known credential; this finds any value the stack itself
 * keeps secret elsewhere, whatever it looks like. The engine hands a policy secret inputs decrypted
 * (@pulumi/policy deserialize.js: deserializeProperties(…, false)), so equal values compare equal.
 */

/** Shorter values (a port, a region, "true") would match by chance. */
const MIN_SECRET_LENGTH = 12;

/** The values held in inputs that stay secret on their platform (the inputs the credential scan skips). */
export function secretValuesOf(type: string, props: PlainRecord): string[] {
  const secretInputs = SECRET_INPUTS[type];
  if (!secretInputs) return [];
  const readable = new Set(scannedInputs(type, props).map((input) => input.path));
  const values: string[] = [];
  if (type === VERCEL_ENV_VARS) {
    asArray(props["variables"]).forEach((variable, index) => {
      const value = knownString(asRecord(variable)?.["value"]);
      if (value !== undefined && !readable.has(`variables[${index}].value`)) values.push(value);
    });
    return values;
  }
  for (const input of secretInputs) {
    for (const { path, value } of stringsIn(props[input], input)) if (!readable.has(path)) values.push(value);
  }
  return values;
}

/**
 * The secrets, found in a value in time linear in its length: each secret is indexed by its first
 * MIN_SECRET_LENGTH characters, so a value is looked up once per position, not once per secret.
 */
class SecretFinder {
  private readonly byPrefix = new Map<string, string[]>();

  constructor(secrets: Iterable<string>) {
    for (const secret of secrets) {
      const prefix = secret.slice(0, MIN_SECRET_LENGTH);
      const list = this.byPrefix.get(prefix) ?? [];
      list.push(secret);
      this.byPrefix.set(prefix, list);
    }
  }

  get empty(): boolean {
    return this.byPrefix.size === 0;
  }

  foundIn(value: string): boolean {
    for (let at = 0; at + MIN_SECRET_LENGTH <= value.length; at++) {
      const candidates = this.byPrefix.get(value.slice(at, at + MIN_SECRET_LENGTH));
      if (candidates?.some((secret) => value.startsWith(secret, at))) return true;
    }
    return false;
  }
}

export const secretValuesNotInPlainInputs = stackPolicy(
  {
    name: "secrets-value-not-in-plain-input",
    description:
      "No secret's value in a plain input: a value the stack keeps secret (a sensitive Vercel variable, an Actions or Dependabot secret, a SecureString, a Secrets Manager version, a password, a provider credential) appears in no input its platform shows in plain (an SSM String parameter, a Vercel variable that is not sensitive, an Actions variable, a tag, a description, a file). " +
      'Spec, Secrets Management: "Secrets stored in platform (encrypted at rest)"; Never Commit: "❌ API keys in code". ' +
      "Judged by value, whatever the value looks like (the credential scan finds only known credential formats).",
    severity: "critical",
    remediation: [
      "Pass the secret only to a secret input: a sensitive Vercel variable, an Actions environment secret, an SSM SecureString (`type: \"SecureString\"`), a Secrets Manager version.",
      "Rotate the secret: its value is already in the plain input's platform and in state.",
    ],
    topics: ["secrets"],
  },
  {
    validate(resources, _settings, report) {
      const secrets = new SecretFinder(resources.flatMap((resource) => secretValuesOf(resource.type, resource.props)).filter((value) => value.length >= MIN_SECRET_LENGTH));
      if (secrets.empty) return;
      for (const resource of resources) {
        const reported = new Set<string>();
        for (const { path, value } of scannedInputs(resource.type, resource.props)) {
          if (reported.has(path) || !secrets.foundIn(value)) continue;
          reported.add(path);
          const where = resource.type === SSM_PARAMETER ? ` (an SSM ${knownString(resource.props["type"]) ?? "String"} parameter, readable by anyone who can read the parameter)` : resource.type === VERCEL_ENV_VAR ? " (a Vercel variable that is not sensitive)" : "";
          report(`${path} holds the value of a secret the stack keeps secret elsewhere${where}`, resource.urn);
        }
      }
    },
  },
);

export const secretCopyPolicies = [secretValuesNotInPlainInputs];
