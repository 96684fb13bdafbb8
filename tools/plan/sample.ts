import type { Evaluation } from "../offline/evaluate";
import type { RecordedResource } from "../offline/monitor";
import { diffPlans } from "./diff";
import { PlanDocument, PolicyDescription, PolicySection, planDocument } from "./document";

/**
 * A small, realistic pair of plans (production and staging, each against its base) for the
 * sample pull-request comment in docs/plan.md; a spec checks it shows what the renderer makes.
 */
export function samplePlans(): PlanDocument[] {
  return [production(), staging()];
}

const RULESET = "github:index/repositoryRuleset:RepositoryRuleset";
const ENV_VAR = "vercel:index/projectEnvironmentVariable:ProjectEnvironmentVariable";
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";

function resource(stack: string, parentType: string, type: string, name: string, inputs: Record<string, unknown>, secretPaths: string[] = []): RecordedResource {
  return {
    urn: `urn:pulumi:${stack}::flightdeck::${parentType}$${type}::${name}`,
    type,
    name,
    parent: null,
    custom: true,
    inputs,
    secretPaths,
    options: { protect: false, retainOnDelete: false, deleteBeforeReplace: false, dependsOn: [], provider: null, replaceOnChanges: [] },
  };
}

function document(stack: string, resources: RecordedResource[]): PlanDocument {
  const evaluation: Evaluation = { project: "flightdeck", stack, resources, outputs: {}, placeholders: [], encryptedPlaceholders: [] };
  return planDocument(evaluation);
}

function ruleset(stack: string, approvals: number): RecordedResource {
  return resource(stack, "flightdeck:github:BranchRuleset", RULESET, `flightpro-${stack}-rules-ruleset`, {
    name: "main",
    target: "branch",
    enforcement: "active",
    rules: { deletion: true, nonFastForward: true, pullRequest: { requiredApprovingReviewCount: approvals, dismissStaleReviewsOnPush: true } },
  });
}

function stripeKey(stack: string, value: string): RecordedResource {
  return resource(stack, "flightdeck:secrets:SecretInventory", ENV_VAR, `flightpro-${stack}-secrets-STRIPE_SECRET_KEY`, {
    key: "STRIPE_SECRET_KEY",
    value,
    projectId: "prj_flightpro_web",
    sensitive: true,
    targets: ["production"],
  }, ["value"]);
}

function alarm(stack: string, id: string, threshold: number, minutes: number): RecordedResource {
  return resource(stack, "flightdeck:aws:AlertRules", ALARM, `flightpro-${stack}-alerts-${id}`, {
    name: `flightpro-${stack}-${id}`,
    metricName: "ErrorRate",
    threshold,
    evaluationPeriods: minutes,
    period: 60,
  });
}

function describe(name: string, severity: PolicyDescription["severity"], description: string, remediation: string): PolicyDescription {
  return { name, severity, enforcementLevel: "mandatory", description, remediation };
}

function production(): PlanDocument {
  const base = document("production", [ruleset("production", 1), stripeKey("production", "sk_live_old"), alarm("production", "error-rate", 2, 5)]);
  const current = document("production", [
    ruleset("production", 0),
    stripeKey("production", "sk_live_rotated"),
    alarm("production", "error-rate", 2, 5),
    alarm("production", "api-latency-p95", 1, 10),
  ]);
  const rulesetUrn = current.resources[0]!.urn;
  const policy: PolicySection = {
    pack: "flightdeck",
    version: "0.1.0",
    policies: [
      describe("github-ruleset-pull-request-required", "high", "Changes reach main only through a reviewed pull request (spec: at least one approval).", "Set flightdeck:github.requiredApprovals to 1 or more."),
      describe("schedule-production-deploy-window", "medium", "Production deploys happen Tue/Thu 10:00–14:00 outside freezes.", "Merge inside the deploy window, or waive with a reason."),
    ],
    violations: [
      { policy: "github-ruleset-pull-request-required", enforcementLevel: "mandatory", severity: "high", urn: rulesetUrn, message: "requiredApprovingReviewCount is 0; at least 1 approval(s) required" },
    ],
    waived: [
      {
        policy: "schedule-production-deploy-window",
        enforcementLevel: "mandatory",
        severity: "medium",
        urn: null,
        message: "deploys are frozen (holidays, 12-20 – 01-02); it is Tue 2026-12-22 11:00 America/New_York",
        approvedBy: "maria-chen",
        reason: "Hotfix for the checkout outage, INC-311",
        expires: "2026-12-23",
      },
    ],
    waiverProblems: ["waivers[1] (audit-bucket-lifecycle-keeps-retention on flightpro-production-audit-*, approved by dev-okafor) expired on 2026-11-30: the violation it covered stands"],
  };
  return { ...current, policy, diff: diffPlans(base, current) };
}

function staging(): PlanDocument {
  const base = document("staging", [alarm("staging", "error-rate", 2, 5)]);
  const current = document("staging", [alarm("staging", "error-rate", 2, 10)]);
  const policy: PolicySection = { pack: "flightdeck", version: "0.1.0", policies: [], violations: [], waived: [], waiverProblems: [] };
  return { ...current, policy, diff: diffPlans(base, current) };
}
