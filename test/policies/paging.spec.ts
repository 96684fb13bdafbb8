import { strict as assert } from "node:assert";
import type { ReportViolation, StackValidationPolicy } from "@pulumi/policy";
import { pagingPathDelivers } from "../../policies/rules/paging";
import { bridgeKeyDecryptBridgeOnly } from "../../policies/rules/bridgeKeys";
import { BootstrapRun, fixturesOf, runBootstrap } from "../bootstrap/harness";
import { alertsKeyPolicy, topicArn, validStack } from "./fixtures";
import { Fixture, mutate, stackArgs, without } from "./judge";

/**
 * Issue 19 item 4: a paging path is judged end to end, as a graph: the source (an alarm's action, an EventBridge
 * rule's target, the bridge's pages) → the topic → its access policy → its key's policy → a subscription. Each
 * mutation leaves every part in place (rule, topic, key, subscription) and breaks one joint between them; the
 * documents are evaluated by the pack's own evaluator (certainAccess.ts: the path must certainly deliver; access.ts: who else
 * may decrypt); paging.crosscheck.spec.ts checks its decisions against @cloud-copilot/iam-simulate. The AWS rules each case relies on are cited in
 * policies/rules/paging.ts and policies/lib/paging.ts.
 */

const ACCOUNT = "123456789012";
const ROOT = `arn:aws:iam::${ACCOUNT}:root`;

/** The policy's verdicts, awaited (the pack's stack policies may be async; judge() runs them synchronously). */
async function verdictsOf(policy: StackValidationPolicy, fixtures: Fixture[]): Promise<{ message: string; urn?: string }[]> {
  const verdicts: { message: string; urn?: string }[] = [];
  const report = ((message: string | { message: string; urn?: string }, urn?: string) => {
    verdicts.push(typeof message === "string" ? { message, urn } : { message: message.message, urn: message.urn });
  }) as ReportViolation;
  await policy.validateStack(stackArgs(fixtures), report);
  return verdicts;
}

const paging = (fixtures: Fixture[]) => verdictsOf(pagingPathDelivers, fixtures);

async function expectBreak(fixtures: Fixture[], pattern: RegExp, urnEnds?: string): Promise<void> {
  const verdicts = await paging(fixtures);
  assert.equal(verdicts.length, 1, JSON.stringify(verdicts, null, 1));
  assert.match(verdicts[0]!.message, pattern);
  if (urnEnds !== undefined) assert.ok(verdicts[0]!.urn?.endsWith(`::${urnEnds}`), `reported on ${verdicts[0]!.urn}, not ${urnEnds}`);
}

const keyPolicyWith = (fixtures: Fixture[], change: (policy: typeof alertsKeyPolicy) => void) =>
  mutate(fixtures, "alerts-key", (props) => {
    const policy = structuredClone(alertsKeyPolicy);
    change(policy);
    props["policy"] = JSON.stringify(policy);
  });

const topicPolicy = (topic: string, statements: unknown[]): Fixture => ({
  type: "aws:sns/topicPolicy:TopicPolicy",
  name: `${topic}-policy`,
  props: { arn: topicArn(topic), policy: JSON.stringify({ Version: "2012-10-17", Statement: statements }) },
  dependsOn: [topic],
});

const cloudWatchPublishes = (sourceArn: string) => ({
  Sid: "AlarmsPublish",
  Effect: "Allow",
  Principal: { Service: "cloudwatch.amazonaws.com" },
  Action: "sns:Publish",
  Resource: topicArn("alerts-critical"),
  Condition: { ArnLike: { "aws:SourceArn": sourceArn }, StringEquals: { "aws:SourceAccount": ACCOUNT } },
});

describe("policies: alerts-paging-path-delivers (issue 19 item 4)", () => {
  describe("CloudWatch alarms → topic → key → subscription (the production stack's fixtures)", () => {
    it("the compliant stack's alarms, the backup alarms and the bridge's pages all reach someone", async () => {
      assert.deepEqual(await paging(validStack()), []);
    });

    it("a topic policy that allows the alarms by an ARN pattern covering them passes", async () => {
      const stack = [...validStack(), topicPolicy("alerts-critical", [cloudWatchPublishes(`arn:aws:cloudwatch:us-east-1:${ACCOUNT}:alarm:*`), { Sid: "Owner", Effect: "Allow", Principal: { AWS: ROOT }, Action: "sns:Publish", Resource: topicArn("alerts-critical") }])];
      assert.deepEqual(await paging(stack), []);
    });

    it("a Deny in the key policy that catches the service's call (kms:CallerAccount is absent for a service principal) stops every critical alarm", async () => {
      const stack = keyPolicyWith(validStack(), (policy) => {
        policy.Statement.push({ Sid: "OnlyThisAccount", Effect: "Deny", Principal: { AWS: "*" }, Action: ["kms:GenerateDataKey*", "kms:Decrypt"], Resource: "*", Condition: { StringNotEquals: { "kms:CallerAccount": ACCOUNT } } } as never);
      });
      const verdicts = await paging(stack);
      assert.ok(verdicts.length > 0);
      for (const verdict of verdicts) assert.match(verdict.message, /the key policy of alerts-key does not certainly let cloudwatch\.amazonaws\.com .* kms:GenerateDataKey .*a Deny statement may refuse it/);
    });

    it("the key's CloudWatch grant conditioned on another account", async () => {
      const stack = keyPolicyWith(validStack(), (policy) => {
        (policy.Statement[1] as Record<string, unknown>)["Condition"] = { StringEquals: { "aws:SourceAccount": "210987654321" } };
      });
      const verdicts = await paging(stack);
      assert.ok(verdicts.length > 0 && verdicts.every((verdict) => /does not certainly let cloudwatch\.amazonaws\.com/.test(verdict.message) && /no statement certainly allows it/.test(verdict.message)), JSON.stringify(verdicts));
    });

    it("a topic policy whose SourceArn names staging's alarms: the path stops at the topic, reported on the topic policy", async () => {
      const stack = [...validStack(), topicPolicy("alerts-critical", [cloudWatchPublishes(`arn:aws:cloudwatch:us-east-1:${ACCOUNT}:alarm:flightpro-staging-*`)])];
      const verdicts = await paging(stack);
      assert.ok(verdicts.length > 0);
      for (const verdict of verdicts) {
        assert.match(verdict.message, /access policy of topic flightpro-production-alerts-critical \(alerts-critical-policy\) does not certainly let cloudwatch\.amazonaws\.com/);
        assert.ok(verdict.urn?.endsWith("::alerts-critical-policy"));
      }
    });

    it("a topic policy that lets only EventBridge publish", async () => {
      const stack = [...validStack(), topicPolicy("alerts-critical", [{ Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, Action: "sns:Publish", Resource: topicArn("alerts-critical") }])];
      assert.ok((await paging(stack)).some((verdict) => /does not certainly let cloudwatch\.amazonaws\.com .*publish: no statement certainly allows it/.test(verdict.message)));
    });

    it("the critical topic's only subscription filtered, or sent to an http URL: nobody receives the alarms", async () => {
      await expectBreak(mutate(validStack(), "alerts-critical-pagerduty", (props) => (props["filterPolicy"] = JSON.stringify({ severity: ["sev1"] }))), /topic flightpro-production-alerts-critical delivers to nobody \(subscription alerts-critical-pagerduty filters messages/, "alerts-critical");
      await expectBreak(mutate(validStack(), "alerts-critical-pagerduty", (props) => (props["endpoint"] = "http://events.pagerduty.com/x")), /sends to http:\/\/events\.pagerduty\.com\/x, not an https URL/);
      await expectBreak(without(validStack(), "alerts-critical-pagerduty"), /delivers to nobody \(it has no subscription\)/);
    });

    it("the topic on the AWS managed key aws/sns", async () => {
      const stack = mutate(validStack(), "alerts-critical", (props) => (props["kmsMasterKeyId"] = "alias/aws/sns"));
      await expectBreak(stack, /encrypted with the AWS managed key aws\/sns, whose key policy cannot name cloudwatch\.amazonaws\.com/);
    });
  });

  describe("the metrics bridge's pages (a role publishing through SNS, its key through IAM)", () => {
    it("the bridge's KMS grant narrowed to SSM: its pages cannot be encrypted for the critical topic", async () => {
      const stack = mutate(validStack(), "metrics-permissions", (props) => {
        const policy = JSON.parse(String(props["policy"])) as { Statement: { Condition?: Record<string, Record<string, string>> }[] };
        for (const statement of policy.Statement) {
          const via = statement.Condition?.["StringEquals"]?.["kms:ViaService"];
          if (via?.startsWith("sns.")) statement.Condition!["StringEquals"]!["kms:ViaService"] = "ssm.us-east-1.amazonaws.com";
        }
        props["policy"] = JSON.stringify(policy);
      });
      await expectBreak(stack, /metrics bridge flightpro-production-metrics-bridge's pages: nobody is paged, the key policy of alerts-key does not certainly let role flightpro-production-metrics-bridge kms:GenerateDataKey/);
    });
  });

  describe("jobs handed a topic ARN (the rotation reminder, publishing as its CodeBuild service role)", () => {
    it("the reminder role's sns:Publish scoped to another topic: its critical page stops at the publish", async () => {
      const stack = mutate(validStack(), "reminder-job-permissions", (props) => {
        props["policy"] = String(props["policy"]).split(topicArn("alerts-critical")).join(topicArn("alerts-info"));
      });
      await expectBreak(stack, /job flightpro-production-rotation-reminder-job \(CRITICAL_TOPIC_ARN\): nobody is paged, role flightpro-production-rotation-reminder-job may not certainly publish to topic flightpro-production-alerts-critical/);
    });

    // The branch's one false positive, explained: its fixture gave the reminder another key's ARN than the topics'
    // kmsMasterKeyId. That is this break, not a compliant stack: the program passes alertRules.key.arn to both.
    it("the reminder role's KMS grant naming another key than the topics': neither page can be encrypted", async () => {
      const stack = mutate(validStack(), "reminder-job-permissions", (props) => {
        props["policy"] = String(props["policy"]).split(":key/alerts").join(":key/0b7e2f1c-3d4a-4b5c-8d9e-0f1a2b3c4d5e");
      });
      const verdicts = await paging(stack);
      assert.equal(verdicts.length, 2, JSON.stringify(verdicts));
      for (const verdict of verdicts) assert.match(verdict.message, /rotation-reminder-job \((WARNING|CRITICAL)_TOPIC_ARN\): nobody is paged, the key policy of alerts-key does not certainly let role flightpro-production-rotation-reminder-job kms:GenerateDataKey/);
    });
  });

  describe("EventBridge rules → topic (the break-glass alarm, the bootstrap planned once)", () => {
    let run: BootstrapRun;
    let base: Fixture[];
    const RULE = "aws:cloudwatch/eventRule:EventRule";
    const TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy";
    const KEY = "aws:kms/key:Key";
    before(async () => {
      run = await runBootstrap();
      base = fixturesOf(run);
    });
    const named = (fixtures: Fixture[], type: string, suffix = "") => fixtures.find((fixture) => fixture.type === type && fixture.name.endsWith(suffix))!;
    const editDocument = (fixtures: Fixture[], type: string, suffix: string, change: (document: { Statement: Record<string, unknown>[] }) => void) => {
      const copy = structuredClone(fixtures);
      const fixture = named(copy, type, suffix);
      const document = JSON.parse(String(fixture.props["policy"])) as { Statement: Record<string, unknown>[] };
      change(document);
      fixture.props["policy"] = JSON.stringify(document);
      return copy;
    };

    it("the break-glass rule's path is whole", async () => {
      assert.ok(base.some((fixture) => fixture.type === RULE));
      assert.deepEqual(await paging(base), []);
    });

    it("the rule renamed while the topic policy's SourceArn still names the old rule", async () => {
      const copy = structuredClone(base);
      const rule = named(copy, RULE, "break-glass-alarm-rule");
      const renamed = `${String(rule.props["name"])}-v2`;
      for (const fixture of copy) if (fixture.type === "aws:cloudwatch/eventTarget:EventTarget" && fixture.props["rule"] === rule.props["name"]) fixture.props["rule"] = renamed;
      rule.props["name"] = renamed;
      await expectBreak(copy, /EventBridge rule .*-assumed-v2: nobody is paged, the access policy of topic .* does not certainly let events\.amazonaws\.com \(as arn:aws:events:us-east-1:123456789012:rule\/.*-assumed-v2\) publish/);
    });

    it("the topic policy's principal changed to CloudWatch", async () => {
      const copy = editDocument(base, TOPIC_POLICY, "", (document) => (document.Statement[0]!["Principal"] = { Service: "cloudwatch.amazonaws.com" }));
      await expectBreak(copy, /does not certainly let events\.amazonaws\.com .* publish: no statement certainly allows it/);
    });

    it("no topic policy at all: SNS's default policy does not let EventBridge publish", async () => {
      const copy = structuredClone(base).filter((fixture) => fixture.type !== TOPIC_POLICY);
      await expectBreak(copy, /keeps SNS's default access policy, which does not let events\.amazonaws\.com publish/);
    });

    it("the key's EventBridge grant dropped, or conditioned on aws:SourceAccount (EventBridge's KMS request carries none)", async () => {
      const dropped = editDocument(base, KEY, "break-glass-alarm-key", (document) => (document.Statement = document.Statement.filter((statement) => JSON.stringify(statement["Principal"]) !== JSON.stringify({ Service: "events.amazonaws.com" }))));
      await expectBreak(dropped, /the key policy of .*break-glass-alarm-key does not certainly let events\.amazonaws\.com .* kms:GenerateDataKey for topic/);
      const conditioned = editDocument(base, KEY, "break-glass-alarm-key", (document) => {
        for (const statement of document.Statement) if (JSON.stringify(statement["Principal"]) === JSON.stringify({ Service: "events.amazonaws.com" })) statement["Condition"] = { StringEquals: { "aws:SourceAccount": ACCOUNT } };
      });
      await expectBreak(conditioned, /does not certainly let events\.amazonaws\.com .* kms:GenerateDataKey/);
    });

    it("the rule disabled", async () => {
      const copy = structuredClone(base);
      named(copy, RULE, "break-glass-alarm-rule").props["state"] = "DISABLED";
      await expectBreak(copy, /the path stops at its start: rule .*-assumed is disabled: it never fires/);
    });

    it("every subscription of the break-glass topic removed", async () => {
      const copy = structuredClone(base).filter((fixture) => fixture.type !== "aws:sns/topicSubscription:TopicSubscription");
      await expectBreak(copy, /delivers to nobody \(it has no subscription\)/);
    });
  });
});

describe("policies: metrics-bridge-key-decrypt-bridge-only (issue 19 item 4, who reads the bridge's secrets)", () => {
  const decrypt = (fixtures: Fixture[]) => verdictsOf(bridgeKeyDecryptBridgeOnly, fixtures);
  const BRIDGE_ROLE = `arn:aws:iam::${ACCOUNT}:role/flightpro-production-metrics-bridge`;
  const withKeyStatements = (statements: unknown[]) =>
    mutate(validStack(), "metrics-key", (props) => {
      const policy = JSON.parse(String(props["policy"])) as { Statement: unknown[] };
      policy.Statement.push(...statements);
      props["policy"] = JSON.stringify(policy);
    });
  const decryptFor = (principal: unknown, extra: Record<string, unknown> = {}) => ({ Sid: "Extra", Effect: "Allow", Principal: principal, Action: "kms:Decrypt", Resource: "*", ...extra });

  it("the compliant key (account root only) and a statement naming the bridge's own role pass", async () => {
    assert.deepEqual(await decrypt(validStack()), []);
    assert.deepEqual(await decrypt(withKeyStatements([decryptFor({ AWS: BRIDGE_ROLE })])), []);
  });

  it("a key policy granting kms:Decrypt directly to the deploy role (no identity policy needed)", async () => {
    const verdicts = await decrypt(withKeyStatements([decryptFor({ AWS: `arn:aws:iam::${ACCOUNT}:role/flightpro-production-deploy` })]));
    assert.equal(verdicts.length, 1, JSON.stringify(verdicts));
    assert.match(verdicts[0]!.message, /the key policy of metrics-key lets arn:aws:iam::123456789012:role\/flightpro-production-deploy decrypt flightpro-production-metrics-bridge's secrets \(statement 2 \(Sid "Extra"\)\)/);
  });

  it("kms:* to everyone, kms:Decrypt to another account, to a service, by NotPrincipal", async () => {
    for (const statement of [
      decryptFor("*", { Action: "kms:*" }),
      decryptFor({ AWS: "210987654321" }),
      decryptFor({ Service: "lambda.amazonaws.com" }),
      { Sid: "Extra", Effect: "Allow", NotPrincipal: { AWS: BRIDGE_ROLE }, Action: "kms:Decrypt", Resource: "*" },
    ]) {
      const verdicts = await decrypt(withKeyStatements([statement]));
      assert.equal(verdicts.length, 1, `${JSON.stringify(statement)}: ${JSON.stringify(verdicts)}`);
    }
  });

  it("a grant the whole document refuses does not count: a Deny for every principal but the bridge's role", async () => {
    const stack = withKeyStatements([
      decryptFor({ AWS: `arn:aws:iam::${ACCOUNT}:role/flightpro-production-deploy` }),
      { Sid: "OnlyTheBridge", Effect: "Deny", Principal: "*", Action: "kms:Decrypt", Resource: "*", Condition: { ArnNotEquals: { "aws:PrincipalArn": [BRIDGE_ROLE] } } },
    ]);
    assert.deepEqual(await decrypt(stack), []);
  });

  it("a KMS grant of Decrypt on the bridge's key to another role", async () => {
    const grant: Fixture = { type: "aws:kms/grant:Grant", name: "reader-grant", props: { keyId: "metrics-bridge", granteePrincipal: `arn:aws:iam::${ACCOUNT}:role/analytics`, operations: ["Decrypt"] }, dependsOn: ["metrics-key"] };
    const verdicts = await decrypt([...validStack(), grant]);
    assert.equal(verdicts.length, 1);
    assert.match(verdicts[0]!.message, /grant reader-grant lets arn:aws:iam::123456789012:role\/analytics decrypt with metrics-key/);
  });
});
