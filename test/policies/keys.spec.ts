import { strict as assert } from "node:assert";
import { alertsKeyPolicy, validStack } from "./fixtures";
import { Fixture, judge, policiesOf, runResourcePolicy, withInput } from "./judge";
import { packSettings } from "./packConfig";
import { keyRotationEnabled } from "../../policies/rules/keys";

const KEY = "alerts-key";
const ROOT = alertsKeyPolicy.Statement[0]!;
const keyPolicy = (...extra: Record<string, unknown>[]) => JSON.stringify({ ...alertsKeyPolicy, Statement: [...alertsKeyPolicy.Statement, ...extra] });

function expectOnly(fixtures: Fixture[], policies: string[], pattern: RegExp): void {
  const verdicts = judge(fixtures, { config: packSettings("production") });
  assert.deepEqual(policiesOf(verdicts), [...policies].sort(), JSON.stringify(verdicts, null, 1));
  assert.ok(verdicts.some((verdict) => pattern.test(verdict.message)), `no message matches ${pattern}: ${JSON.stringify(verdicts.map((v) => v.message), null, 1)}`);
}

describe("policies: KMS keys, their policies and grants", () => {
  it("accept a key policy written as an object, with the account in short form and the services' actions in another case", () => {
    const rewritten = {
      Statement: [
        { ...ROOT, Principal: { AWS: "123456789012" } },
        { Effect: "Allow", Principal: { Service: ["cloudwatch.amazonaws.com"] }, Action: ["KMS:Decrypt", "kms:generateDataKey*"], Resource: "*" },
        alertsKeyPolicy.Statement[2],
      ],
    };
    assert.deepEqual(judge(withInput(validStack(), KEY, "policy", rewritten), { config: packSettings("production") }), []);
  });

  it("accept a rotation period shorter than a year, and skip asymmetric keys AWS cannot rotate", () => {
    assert.deepEqual(judge(withInput(validStack(), KEY, "rotationPeriodInDays", 180)), []);
    // terraform-provider-aws kms_key: automatic rotation exists only for symmetric encryption keys.
    const signing: Fixture = { type: "aws:kms/key:Key", name: "signing", props: { customerMasterKeySpec: "ECC_NIST_P256", keyUsage: "SIGN_VERIFY" } };
    assert.equal(runResourcePolicy(keyRotationEnabled, signing), "not applicable");
  });

  const cases: [string, () => Fixture[], string[], RegExp][] = [
    // terraform-provider-aws kms_key.html.markdown: enable_key_rotation "Defaults to false".
    ["rotation left unset", () => withInput(validStack(), KEY, "enableKeyRotation", undefined), ["kms-key-rotation-enabled"], /not set \(AWS default: no rotation\)/],
    ["rotation disabled", () => withInput(validStack(), KEY, "enableKeyRotation", false), ["kms-key-rotation-enabled"], /enableKeyRotation is false/],
    ["rotation every two years", () => withInput(validStack(), KEY, "rotationPeriodInDays", 730), ["kms-key-rotation-enabled"], /730; at most 365/],
    ['kms:* to Principal "*"', () => withInput(validStack(), KEY, "policy", keyPolicy({ Effect: "Allow", Principal: "*", Action: "kms:*", Resource: "*" })), ["kms-key-policy-restricted"], /any principal/],
    ['decrypt for {"AWS": ["*"]} with a condition', () => withInput(validStack(), KEY, "policy", keyPolicy({ Effect: "Allow", Principal: { AWS: ["*"] }, Action: "kms:Decrypt", Resource: "*", Condition: { StringEquals: { "kms:CallerAccount": "123456789012" } } })), ["kms-key-policy-restricted"], /any principal/],
    ["another account's root", () => withInput(validStack(), KEY, "policy", keyPolicy({ Effect: "Allow", Principal: { AWS: "arn:aws:iam::999999999999:root" }, Action: "kms:Decrypt", Resource: "*" })), ["kms-key-policy-restricted"], /more than one account|999999999999/],
    ["a user of the account as administrator", () => withInput(validStack(), KEY, "policy", keyPolicy({ Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:user/alice" }, Action: "kms:PutKeyPolicy", Resource: "*" })), ["kms-key-policy-restricted"], /user\/alice; only the account root or named roles/],
    ["every role of the account by wildcard", () => withInput(validStack(), KEY, "policy", keyPolicy({ Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:role/*" }, Action: "kms:Decrypt", Resource: "*" })), ["isolation-stack-resources-own", "kms-key-policy-restricted"], /role\/\*/],
    ["a service allowed to schedule the key's deletion", () => withInput(validStack(), KEY, "policy", keyPolicy({ Effect: "Allow", Principal: { Service: "sns.amazonaws.com" }, Action: "kms:*", Resource: "*" })), ["kms-key-policy-restricted"], /sns.amazonaws.com administer the key/],
    [
      "a KeyPolicy resource that opens the key",
      () => [...validStack(), { type: "aws:kms/keyPolicy:KeyPolicy", name: "opened", props: { keyId: "alerts", policy: keyPolicy({ Effect: "Allow", NotPrincipal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "kms:Decrypt", Resource: "*" }) }, dependsOn: [KEY] }],
      ["kms-key-policy-restricted"],
      /NotPrincipal/,
    ],
    ["a grant to another account", () => [...validStack(), { type: "aws:kms/grant:Grant", name: "grant", props: { keyId: "alerts", granteePrincipal: "arn:aws:iam::999999999999:role/reader", operations: ["Decrypt"] }, dependsOn: [KEY] }], ["kms-key-policy-restricted"], /not a named role of the stack's account/],
    ["a grant that may create grants", () => [...validStack(), { type: "aws:kms/grant:Grant", name: "grant", props: { keyId: "alerts", granteePrincipal: "arn:aws:iam::123456789012:role/reader", operations: ["Decrypt", "CreateGrant"] }, dependsOn: [KEY] }], ["kms-key-policy-restricted"], /create further grants/],
  ];
  for (const [title, fixtures, policies, pattern] of cases) it(`block ${title}`, () => expectOnly(fixtures(), policies, pattern));
});
