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

/** A form a secret's value may be copied in: the value itself, or a spelling that gives it back. */
export interface SecretForm {
  /** How the value was transformed ("" for as is). */
  form: string;
  text: string;
}

/** Base64 of `bytes` after `offset` filler bytes, without the characters the filler or the end touch: found inside any encoding of a text holding `bytes`. */
function base64Core(bytes: Buffer, offset: number, encoding: "base64" | "base64url"): string {
  const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString(encoding).replace(/=+$/, "");
  return encoded.slice(offset === 0 ? 0 : 4, encoded.length - 4);
}

/**
 * The forms a secret can be copied in without its value appearing as is: reversed, hex (either case),
 * base64 and base64url (at each of the three alignments a longer encoded text may give it). Each form holds
 * the whole secret, so structure secrets share (a URL's scheme and user, a key's prefix) never matches;
 * a secret split into parts is not found by value (issue 19, class 3: taint, which the pack cannot see).
 */
export function secretForms(secret: string): SecretForm[] {
  const bytes = Buffer.from(secret, "utf8");
  const hex = bytes.toString("hex");
  const forms: SecretForm[] = [
    { form: "", text: secret },
    { form: "reversed", text: [...secret].reverse().join("") },
    { form: "hex", text: hex },
    { form: "hex", text: hex.toUpperCase() },
  ];
  for (const encoding of ["base64", "base64url"] as const) for (const offset of [0, 1, 2]) forms.push({ form: encoding, text: base64Core(bytes, offset, encoding) });
  const seen = new Set<string>();
  return forms.filter(({ text }) => text.length >= MIN_SECRET_LENGTH && !seen.has(text) && seen.add(text) !== undefined);
}

/**
 * The secrets, in every form, found in a value in time linear in its length: each form is indexed by its
 * first MIN_SECRET_LENGTH characters, so a value is looked up once per position, not once per form.
 */
class SecretFinder {
  private readonly byPrefix = new Map<string, SecretForm[]>();

  constructor(secrets: Iterable<string>) {
    for (const secret of secrets) {
      for (const form of secretForms(secret)) {
        const prefix = form.text.slice(0, MIN_SECRET_LENGTH);
        const list = this.byPrefix.get(prefix) ?? [];
        list.push(form);
        this.byPrefix.set(prefix, list);
      }
    }
  }

  get empty(): boolean {
    return this.byPrefix.size === 0;
  }

  /** The form of a secret found in `value`: as is first, else the first transformed one. */
  foundIn(value: string): SecretForm | undefined {
    let transformed: SecretForm | undefined;
    for (let at = 0; at + MIN_SECRET_LENGTH <= value.length; at++) {
      for (const candidate of this.byPrefix.get(value.slice(at, at + MIN_SECRET_LENGTH)) ?? []) {
        if (!value.startsWith(candidate.text, at)) continue;
        if (candidate.form === "") return candidate;
        transformed ??= candidate;
      }
    }
    return transformed;
  }
}

export const secretValuesNotInPlainInputs = stackPolicy(
  {
    name: "secrets-value-not-in-plain-input",
    description:
      "No secret's value in a plain input: a value the stack keeps secret (a sensitive Vercel variable, an Actions or Dependabot secret, a SecureString, a Secrets Manager version, a password, a provider credential) appears in no input its platform shows in plain (an SSM String parameter, a Vercel variable that is not sensitive, an Actions variable, a tag, a description, a file). " +
      'Spec, Secrets Management: "Secrets stored in platform (encrypted at rest)"; Never Commit: "❌ API keys in code". ' +
      "Judged by value, whatever the value looks like (the credential scan finds only known credential formats), and in the forms that give it back whole: reversed, hex, base64.",
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
          if (reported.has(path)) continue;
          const found = secrets.foundIn(value);
          if (found === undefined) continue;
          reported.add(path);
          const where = resource.type === SSM_PARAMETER ? ` (an SSM ${knownString(resource.props["type"]) ?? "String"} parameter, readable by anyone who can read the parameter)` : resource.type === VERCEL_ENV_VAR ? " (a Vercel variable that is not sensitive)" : "";
          const how = found.form === "" ? "the value" : `the ${found.form} form of the value`;
          report(`${path} holds ${how} of a secret the stack keeps secret elsewhere${where}`, resource.urn);
        }
      }
    },
  },
);

export const secretCopyPolicies = [secretValuesNotInPlainInputs];
