import { strict as assert } from "node:assert";
import { secretValuesNotInPlainInputs } from "../../policies/rules/secretCopies";
import { validStack } from "./fixtures";
import { Fixture, itRejects, judge } from "./judge";

/**
 * secrets-value-not-in-plain-input: a value the stack keeps secret appears in no input its platform
 * shows in plain. An SSM parameter's value is encrypted only as a SecureString: "A SecureString
 * parameter is any sensitive data that needs to be stored and referenced in a secure manner"; String
 * and StringList values are plain text (https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-paramstore-about.html#what-is-a-parameter).
 * A Vercel variable's value is hidden only when it is sensitive
 * (https://vercel.com/docs/environment-variables/sensitive-environment-variables).
 */

const POLICY = secretValuesNotInPlainInputs.name;
/** The fixture stack's sensitive Vercel STRIPE_SECRET_KEY and production environment VERCEL_TOKEN. */
const STRIPE = "sk_live_51Habcdefghijklmnop";
const TOKEN = "vercel_live_token_value";

const ssm = (name: string, props: Record<string, unknown>): Fixture => ({ type: "aws:ssm/parameter:Parameter", name, props });
const vercel = (name: string, props: Record<string, unknown>): Fixture => ({ type: "vercel:index/projectEnvironmentVariable:ProjectEnvironmentVariable", name, props: { projectId: "prj_1", targets: ["production"], ...props } });

describe("policies: no secret's value in a plain input", () => {
  it("accepts the stack's secrets in secret inputs, a SecureString copy, and plain values that are not secrets", () => {
    const others = [
      ssm("stripe-key-secure", { name: "/flightpro/production/stripe", type: "SecureString", value: STRIPE }),
      ssm("api-url", { name: "/flightpro/production/api-url", type: "String", value: "https://api.flightpro.com" }),
      vercel("stripe-key-preview", { key: "STRIPE_SECRET_KEY", value: STRIPE, sensitive: true, targets: ["preview"] }),
    ];
    assert.deepEqual(judge([...validStack(), ...others]).filter((verdict) => verdict.policy === POLICY), []);
  });

  itRejects([
    {
      title: "the Stripe key copied to an SSM String parameter for a reconciliation job",
      stack: () => [...validStack(), ssm("stripe-key-param", { name: "/flightpro/production/stripe", type: "String", value: STRIPE })],
      policy: POLICY,
      message: /^value holds the value of a secret the stack keeps secret elsewhere \(an SSM String parameter/,
    },
    {
      title: "a StringList whose items include the deploy token",
      stack: () => [...validStack(), ssm("tokens", { name: "/flightpro/production/tokens", type: "StringList", value: `first,${TOKEN}` })],
      policy: POLICY,
      message: /^value holds the value of a secret/,
    },
    {
      title: "the key again as a Vercel variable that is not sensitive, under another name",
      stack: () => [...validStack(), vercel("stripe-copy", { key: "PAYMENTS_KEY", value: STRIPE, sensitive: false })],
      policy: POLICY,
      message: /\(a Vercel variable that is not sensitive\)/,
      alsoBy: ["vercel-env-var-sensitive"],
    },
    {
      title: "the token inside a tag of a parameter that is itself a SecureString",
      stack: () => [...validStack(), ssm("tagged", { name: "/flightpro/production/x", type: "SecureString", value: "another-secret-value", tags: { note: `token=${TOKEN}` } })],
      policy: POLICY,
      message: /^tags\.note holds the value of a secret/,
    },
    // Issue 19, class 3: a secret copied in another form escapes a search by value; these forms give it back.
    {
      title: "the Stripe key base64-encoded inside a JSON document in an SSM String parameter",
      stack: () => [...validStack(), ssm("stripe-b64", { name: "/flightpro/production/payments", type: "String", value: Buffer.from(JSON.stringify({ provider: "stripe", key: STRIPE })).toString("base64") })],
      policy: POLICY,
      message: /^value holds the base64 form of the value of a secret the stack keeps secret elsewhere \(an SSM String parameter/,
    },
    {
      title: "the deploy token hex-encoded, upper case, in a tag",
      stack: () => [...validStack(), ssm("tagged-hex", { name: "/flightpro/production/y", type: "String", value: "x", tags: { build: Buffer.from(TOKEN).toString("hex").toUpperCase() } })],
      policy: POLICY,
      message: /^tags\.build holds the hex form of the value of a secret/,
    },
    {
      title: "the Stripe key reversed in a Vercel variable that is not sensitive",
      stack: () => [...validStack(), vercel("stripe-reversed", { key: "PAYMENTS_KEY_R", value: [...STRIPE].reverse().join(""), sensitive: false })],
      policy: POLICY,
      message: /^value holds the reversed form of the value of a secret/,
      alsoBy: ["vercel-env-var-sensitive"],
    },
    {
      // Secrets are looked up by their first 12 characters: two that share them must both be found.
      title: "a second Stripe key, sharing the first's first 12 characters, kept secret and also copied into a plain parameter",
      stack: () => [
        ...validStack(),
        ssm("refund-key", { name: "/flightpro/production/refund-key", type: "SecureString", value: `${STRIPE.slice(0, 12)}ZZrefundOnlyKey` }),
        ssm("refund-note", { name: "/flightpro/production/refund-note", type: "String", value: `key: ${STRIPE.slice(0, 12)}ZZrefundOnlyKey` }),
      ],
      policy: POLICY,
      message: /^value holds the value of a secret/,
    },
  ]);
});
