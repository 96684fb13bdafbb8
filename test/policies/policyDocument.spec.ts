import { strict as assert } from "node:assert";
import { actionInfo, coversWholeService, expandAction, isReadOnly } from "../../policies/lib/iamActions";
import { coversAction, coversResource, grantedActions, parsePolicyDocument, pinsExactly, Statement } from "../../policies/lib/policyDocument";

function statements(document: unknown): Statement[] {
  const parsed = parsePolicyDocument(document as never);
  assert.equal(parsed.kind, "document", JSON.stringify(parsed));
  return parsed.kind === "document" ? parsed.statements : [];
}

const names = (statement: Statement) => grantedActions(statement).map((action) => action.name).sort();

describe("policy documents: one model for every spelling", () => {
  // AWS IAM User Guide, grammar (reference_policies_grammar.html): Statement is a statement or a list;
  // Action/Resource/principal entries take a string or a list.
  it("reads a document given as a string or as an object, one statement or a list, strings or lists", () => {
    const asString = statements(JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["s3:PutObject"], Resource: ["arn:aws:s3:::b/*"] }] }));
    const asObject = statements({ Version: "2012-10-17", Statement: { Effect: "Allow", Action: "s3:PutObject", Resource: "arn:aws:s3:::b/*" } });
    assert.deepEqual(asObject, asString);
    assert.deepEqual(asString[0]!.actions, ["s3:PutObject"]);
  });

  // Principal (reference_policies_elements_principal.html): "Principal": "*" and {"AWS": "*"} are equivalent.
  it('treats Principal "*" and {"AWS": "*"} as everyone; keeps services, federated providers and accounts apart', () => {
    const [star, awsStar, mixed] = statements({
      Statement: [
        { Effect: "Allow", Principal: "*", Action: "s3:GetObject" },
        { Effect: "Allow", Principal: { AWS: ["*"] }, Action: "s3:GetObject" },
        { Effect: "Allow", Principal: { AWS: "123456789012", Service: "cloudwatch.amazonaws.com", Federated: "arn:aws:iam::123456789012:oidc-provider/x" }, Action: "kms:Decrypt" },
      ],
    });
    assert.equal(star!.principal?.everyone, true);
    assert.equal(awsStar!.principal?.everyone, true);
    assert.equal(mixed!.principal?.everyone, false);
    assert.deepEqual([mixed!.principal?.aws, mixed!.principal?.service, mixed!.principal?.federated], [["123456789012"], ["cloudwatch.amazonaws.com"], ["arn:aws:iam::123456789012:oidc-provider/x"]]);
  });

  // Condition (reference_policies_elements_condition.html): "Context key names are not case-sensitive";
  // operators take ForAllValues:/ForAnyValue: qualifiers and an IfExists suffix (…_condition_operators.html).
  it("normalises condition keys to lower case and splits qualifiers and IfExists off the operator", () => {
    const [statement] = statements({ Statement: [{ Effect: "Allow", Action: "sts:AssumeRoleWithWebIdentity", Condition: { "ForAnyValue:StringEqualsIfExists": { "Token.Actions.GithubUserContent.com:Sub": ["a", "b"] } } }] });
    assert.deepEqual(statement!.conditions, [{ operator: "ForAnyValue:StringEqualsIfExists", test: "stringequals", qualifier: "foranyvalue", ifExists: true, key: "token.actions.githubusercontent.com:sub", values: ["a", "b"] }]);
    assert.equal(pinsExactly(statement!.conditions[0]!), false);
  });

  it("counts StringEquals and wildcard-free StringLike as pinning, never StringLike with * or ?, a set qualifier or IfExists", () => {
    const pins = (operator: string, value: string) => pinsExactly(statements({ Statement: [{ Effect: "Allow", Action: "x:y", Condition: { [operator]: { k: value } } }] })[0]!.conditions[0]!);
    assert.deepEqual(
      [pins("StringEquals", "repo:o/r:environment:production"), pins("stringlike", "repo:o/r:environment:production"), pins("StringLike", "repo:o/r:*"), pins("StringLike", "repo:o/r:environment:prod?ction"), pins("StringEqualsIfExists", "x"), pins("ForAllValues:StringEquals", "x")],
      [true, true, false, false, false, false],
    );
  });

  it("reads element names in any case (pessimistically: a misspelt element never hides a grant) and judges an Effect other than Allow/Deny as an allow", () => {
    const [statement] = statements({ statement: [{ effect: "allow", action: "s3:DeleteObject", resource: "*" }] });
    assert.deepEqual(statement!.actions, ["s3:DeleteObject"]);
    assert.equal(statement!.effect, "allow");
  });

  it("says a document it cannot read is invalid, and one holding a value unknown until apply is unknown", () => {
    assert.deepEqual(parsePolicyDocument("{not json"), { kind: "invalid", reason: "is not valid JSON" });
    assert.deepEqual(parsePolicyDocument({ Statement: [{ Effect: "Allow", Resource: "04da6b54-80e4-46f7-96ec-b56ff0331ba9" }] }), { kind: "unknown" });
  });
});

describe("IAM actions expanded against AWS's Service Authorization Reference", () => {
  // IAM User Guide, Action (reference_policies_elements_action.html): "The prefix and the action name are
  // case insensitive"; wildcards * and ? match any part of the name.
  it("matches actions case-insensitively and expands wildcards to the actions AWS defines", () => {
    const [statement] = statements({ Statement: [{ Effect: "Allow", Action: ["S3:putobject", "s3:PutObjec?"], Resource: "*" }] });
    assert.deepEqual(names(statement!), ["s3:PutObject"]);
    assert.equal(coversAction(statement!, "s3:PutObject"), true);
    assert.equal(coversAction(statement!, "s3:PutObjectAcl"), false);
  });

  // Service Authorization Reference, Amazon S3: PutBucketPolicy and PutObjectAcl are "Permissions management".
  it("shows that s3:Put* reaches permission management (PutBucketPolicy, PutObjectAcl) and that s3:* and * cover whole services", () => {
    const put = expandAction("s3:Put*").actions.map((action) => action.name);
    assert.ok(put.includes("s3:PutBucketPolicy") && put.includes("s3:PutObjectAcl") && put.includes("s3:PutObject"));
    assert.ok(actionInfo("s3:putbucketpolicy")!.accessLevels.includes("Permissions management"));
    assert.deepEqual([coversWholeService("s3:*"), coversWholeService("S3:*"), coversWholeService("*"), coversWholeService("s3:Put*")], [true, true, true, false]);
  });

  it("expands NotAction to everything AWS defines except the listed actions", () => {
    const [statement] = statements({ Statement: [{ Effect: "Allow", NotAction: "s3:GetObject", Resource: "*" }] });
    const granted = names(statement!);
    assert.ok(granted.includes("iam:CreateUser") && granted.includes("s3:DeleteObject"));
    assert.ok(!granted.includes("s3:GetObject"));
  });

  // Service Authorization Reference, CloudWatch: Describe*/Get*/List* are Read or List; PutMetricAlarm is Write.
  it("knows which actions only read (CloudWatch Describe*/Get*/List*) and which write", () => {
    const [statement] = statements({ Statement: [{ Effect: "Allow", Action: ["cloudwatch:Describe*", "cloudwatch:Get*", "cloudwatch:List*"], Resource: "*" }] });
    assert.ok(grantedActions(statement!).length > 10);
    assert.ok(grantedActions(statement!).every(isReadOnly));
    assert.equal(isReadOnly(actionInfo("cloudwatch:PutMetricAlarm")!), false);
  });

  it("matches resources with wildcards, case-sensitively, and reads a missing Resource of a resource policy as this resource", () => {
    const [scoped, open] = statements({ Statement: [{ Effect: "Deny", Action: "s3:*", Resource: ["arn:aws:s3:::b", "arn:aws:s3:::b/*"] }, { Effect: "Deny", Action: "s3:*" }] });
    assert.deepEqual([coversResource(scoped!, "arn:aws:s3:::b/a/b"), coversResource(scoped!, "arn:aws:s3:::B/a"), coversResource(open!, "arn:aws:s3:::b")], [true, false, true]);
  });
});
