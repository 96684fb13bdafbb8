import { strict as assert } from "node:assert";
import { CertainRequest, certainlyAllowed, conditionCertainty } from "../../policies/lib/certainAccess";
import { Condition, parsePolicyDocument } from "../../policies/lib/policyDocument";

/**
 * The paging evaluator's reading of conditions and documents, as pure functions. The rules are AWS's
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html: ARN
 * operators compare each of the six colon-delimited components separately; StringEquals is exact and case-sensitive;
 * context key names are not case-sensitive, reference_policies_elements_condition.html), and one of the pack's
 * own: a key the request is not known to carry gives no certainty either way.
 */

const ACCOUNT = "123456789012";
const ALARM = `arn:aws:cloudwatch:us-east-1:${ACCOUNT}:alarm:error-rate`;
const context = { "aws:SourceArn": ALARM, "aws:SourceAccount": ACCOUNT };

function condition(operator: string, key: string, values: string[]): Condition {
  const document = parsePolicyDocument({ Statement: [{ Effect: "Allow", Action: "sns:Publish", Resource: "*", Condition: { [operator]: { [key]: values } } }] });
  assert.equal(document.kind, "document");
  return document.kind === "document" ? document.statements[0]!.conditions[0]! : (undefined as never);
}

describe("policies: certainAccess (the paging path's certain evaluator)", () => {
  it("ARN operators match component by component: a wildcard never spans a colon", () => {
    assert.equal(conditionCertainty(condition("ArnLike", "aws:SourceArn", [`arn:aws:cloudwatch:*:${ACCOUNT}:alarm:*`]), context), true);
    assert.equal(conditionCertainty(condition("ArnEquals", "aws:SourceArn", [`arn:aws:cloudwatch:us-east-1:${ACCOUNT}:alarm:error-*`]), context), true);
    // `*` as the service would cover "cloudwatch:us-east-1" in a whole-string match; IAM compares the region to the account.
    assert.equal(conditionCertainty(condition("ArnLike", "aws:SourceArn", [`arn:aws:*:${ACCOUNT}:alarm:*`]), context), false);
    assert.equal(conditionCertainty(condition("ArnLike", "aws:SourceArn", [`arn:aws:cloudwatch:us-east-1:${ACCOUNT}:alarm:flightpro-staging-*`]), context), false);
  });

  it("String operators: StringEquals exact and case-sensitive, StringLike with * and ?; several values ORed, negated ones NORed", () => {
    assert.equal(conditionCertainty(condition("StringEquals", "aws:SourceAccount", [ACCOUNT]), context), true);
    assert.equal(conditionCertainty(condition("StringEquals", "aws:SourceArn", [ALARM.toUpperCase()]), context), false);
    assert.equal(conditionCertainty(condition("StringLike", "aws:SourceAccount", ["1234????9012"]), context), true);
    assert.equal(conditionCertainty(condition("StringEquals", "aws:SourceAccount", ["210987654321", ACCOUNT]), context), true);
    assert.equal(conditionCertainty(condition("StringNotEquals", "aws:SourceAccount", ["210987654321", ACCOUNT]), context), false);
    assert.equal(conditionCertainty(condition("ArnNotLike", "aws:SourceArn", [`arn:aws:cloudwatch:*:${ACCOUNT}:alarm:flightpro-staging-*`]), context), true);
  });

  it("key names in any case; IfExists on a key the request carries is the plain test", () => {
    assert.equal(conditionCertainty(condition("StringEquals", "AWS:SOURCEACCOUNT", [ACCOUNT]), context), true);
    assert.equal(conditionCertainty(condition("StringEqualsIfExists", "aws:SourceAccount", ["210987654321"]), context), false);
  });

  it("no certainty: a key the request is not known to carry, another operator, a set qualifier, a policy variable", () => {
    assert.equal(conditionCertainty(condition("StringEquals", "kms:CallerAccount", [ACCOUNT]), context), undefined);
    assert.equal(conditionCertainty(condition("StringNotEquals", "kms:CallerAccount", [ACCOUNT]), context), undefined);
    assert.equal(conditionCertainty(condition("StringEqualsIgnoreCase", "aws:SourceAccount", [ACCOUNT]), context), undefined);
    assert.equal(conditionCertainty(condition("ForAnyValue:StringEquals", "aws:SourceAccount", [ACCOUNT]), context), undefined);
    assert.equal(conditionCertainty(condition("StringEquals", "aws:SourceAccount", ["${aws:PrincipalAccount}"]), context), undefined);
  });

  describe("whole documents", () => {
    const cloudWatch: CertainRequest = { principal: { kind: "service", service: "cloudwatch.amazonaws.com" }, action: "kms:GenerateDataKey", resourceArn: undefined, context };
    const role: CertainRequest = {
      principal: { kind: "role", arn: `arn:aws:iam::${ACCOUNT}:role/bridge`, account: ACCOUNT },
      action: "kms:GenerateDataKey",
      resourceArn: undefined,
      context: { "aws:PrincipalArn": `arn:aws:iam::${ACCOUNT}:role/bridge`, "kms:ViaService": "sns.us-east-1.amazonaws.com" },
    };
    const root = { Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "kms:*", Resource: "*" };
    const doc = (...statements: object[]) => parsePolicyDocument(JSON.stringify({ Version: "2012-10-17", Statement: statements }));
    const identity = (resource: string) => doc({ Effect: "Allow", Action: "kms:GenerateDataKey*", Resource: resource, Condition: { StringEquals: { "kms:ViaService": "sns.us-east-1.amazonaws.com" } } });

    it("a KMS key's policy must consent: an identity Allow alone is not enough, the account root with it is", () => {
      assert.equal(certainlyAllowed(role, { resourcePolicies: [doc({ ...root, Principal: { AWS: "arn:aws:iam::210987654321:root" } })], identityPolicies: [identity("*")], kmsKey: true }).allowed, false);
      assert.equal(certainlyAllowed(role, { resourcePolicies: [doc(root)], identityPolicies: [identity("*")], kmsKey: true }).allowed, true);
      assert.equal(certainlyAllowed(role, { resourcePolicies: [doc(root)], identityPolicies: [], kmsKey: true }).allowed, false);
    });

    it("a key whose ARN the inputs do not tell: an identity Allow naming one key ARN is not certain, `*` is", () => {
      assert.equal(certainlyAllowed(role, { resourcePolicies: [doc(root)], identityPolicies: [identity(`arn:aws:kms:us-east-1:${ACCOUNT}:key/alerts`)], kmsKey: true }).allowed, false);
      assert.equal(certainlyAllowed({ ...role, resourceArn: `arn:aws:kms:us-east-1:${ACCOUNT}:key/alerts` }, { resourcePolicies: [doc(root)], identityPolicies: [identity(`arn:aws:kms:us-east-1:${ACCOUNT}:key/alerts`)], kmsKey: true }).allowed, true);
    });

    it("a service is named by Service, \"*\" or a NotPrincipal that leaves it out; never by the account root", () => {
      const grant = { Effect: "Allow", Action: "kms:GenerateDataKey*", Resource: "*" };
      assert.equal(certainlyAllowed(cloudWatch, { resourcePolicies: [doc(root)], identityPolicies: [], kmsKey: true }).allowed, false);
      assert.equal(certainlyAllowed(cloudWatch, { resourcePolicies: [doc({ ...grant, Principal: { Service: "cloudwatch.amazonaws.com" } })], identityPolicies: [], kmsKey: true }).allowed, true);
      assert.equal(certainlyAllowed(cloudWatch, { resourcePolicies: [doc({ ...grant, Principal: "*" })], identityPolicies: [], kmsKey: true }).allowed, true);
      assert.equal(certainlyAllowed(cloudWatch, { resourcePolicies: [doc({ ...grant, NotPrincipal: { Service: "cloudwatch.amazonaws.com" } })], identityPolicies: [], kmsKey: true }).allowed, false);
    });

    it("a Deny that may apply breaks the certainty; one whose condition certainly fails does not; an unreadable document is never certain", () => {
      const grant = { Effect: "Allow", Principal: { Service: "cloudwatch.amazonaws.com" }, Action: "kms:*", Resource: "*" };
      const deny = (condition: object) => ({ Effect: "Deny", Principal: "*", Action: "kms:*", Resource: "*", Condition: condition });
      const verdict = certainlyAllowed(cloudWatch, { resourcePolicies: [doc(grant, deny({ StringNotEquals: { "kms:CallerAccount": ACCOUNT } }))], identityPolicies: [], kmsKey: true });
      assert.deepEqual(verdict, { allowed: false, reason: "a Deny statement may refuse it (statement 2)" });
      assert.equal(certainlyAllowed(cloudWatch, { resourcePolicies: [doc(grant, deny({ StringNotEquals: { "aws:SourceAccount": ACCOUNT } }))], identityPolicies: [], kmsKey: true }).allowed, true);
      assert.equal(certainlyAllowed(cloudWatch, { resourcePolicies: [parsePolicyDocument("{not json")], identityPolicies: [], kmsKey: true }).allowed, false);
    });
  });
});
