import { strict as assert } from "node:assert";
import { toStackResource } from "../../policies/lib/define";
import { READ_ONLY_EVENTS_STATE, alarmGap } from "../../policies/lib/bootstrapRoles";
import { stackArgs } from "../policies/judge";
import { BootstrapRun, fixturesOf, runBootstrap, sampleBootstrapConfig } from "./harness";

/**
 * Finding 18.5: the break-glass alarm fires. AssumeRole is a read-only management event, which a rule in state
 * ENABLED skips ("Receiving read-only management events from AWS services":
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-cloudtrail.html#eb-service-event-cloudtrail-management),
 * and CloudTrail delivers calls to the STS global endpoint in us-east-1
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/cloudtrail-integration.html#stscloudtrail_region), whatever the bootstrap's region.
 */
const BREAK_GLASS = "arn:aws:iam::123456789012:role/flightpro-infra-break-glass";
const RULE = "aws:cloudwatch/eventRule:EventRule";
const TARGET = "aws:cloudwatch/eventTarget:EventTarget";

const gapOf = (run: BootstrapRun, mutate: (fixtures: ReturnType<typeof fixturesOf>) => void = () => undefined) => {
  const fixtures = fixturesOf(run);
  mutate(fixtures);
  return alarmGap(BREAK_GLASS, stackArgs(fixtures).resources.map(toStackResource));
};

describe("bootstrap: the break-glass alarm receives every AssumeRole (issue 18 finding 5)", () => {
  let home: BootstrapRun;
  let frankfurt: BootstrapRun;
  before(async () => {
    home = await runBootstrap();
    frankfurt = await runBootstrap(sampleBootstrapConfig(), { region: "eu-central-1" });
  });

  it("its rules receive read-only management events, in the bootstrap's region and in us-east-1", () => {
    for (const run of [home, frankfurt]) {
      const rules = run.ofType(RULE);
      assert.ok(rules.length > 0);
      for (const rule of rules) assert.equal(rule.inputs["state"], READ_ONLY_EVENTS_STATE, rule.name);
    }
    assert.equal(home.ofType(RULE).length, 1, "in us-east-1 one rule sees both endpoints' events");
    const global = frankfurt.one(RULE, "-global-rule");
    const provider = frankfurt.resources.find((resource) => resource.urn === global.options.provider?.slice(0, global.options.provider.lastIndexOf("::")));
    assert.equal(provider?.inputs["region"], "us-east-1");
    const forward = frankfurt.one(TARGET, "-global-target");
    assert.equal(forward.inputs["arn"], "arn:aws:events:eu-central-1:123456789012:event-bus/default");
    assert.ok(typeof forward.inputs["roleArn"] === "string");
  });

  it("the pack finds no gap in either, and refuses the old state and a region without us-east-1 coverage", () => {
    assert.equal(gapOf(home), undefined);
    assert.equal(gapOf(frankfurt), undefined);
    const enabled = (fixtures: ReturnType<typeof fixturesOf>) => fixtures.filter((fixture) => fixture.type === RULE).forEach((rule) => (rule.props["state"] = "ENABLED"));
    assert.match(gapOf(home, enabled) ?? "", /state ENABLED, which skips read-only management events/);
    const noGlobal = (fixtures: ReturnType<typeof fixturesOf>) => {
      for (let index = fixtures.length - 1; index >= 0; index--) if (/-global-(rule|target)$/.test(fixtures[index]!.name)) fixtures.splice(index, 1);
    };
    assert.match(gapOf(frankfurt, noGlobal) ?? "", /through the STS global endpoint, which CloudTrail delivers in us-east-1, reaches nobody/);
  });
});
