import { ReplayCase, badInput, caught, passes } from "../cases";
import { jsonEdit, removeFile, replace, writeFile } from "../edits";
import { POLICY_CONFIG, WAIVERS, deployRolePolicy, setProduction, setProject } from "./helpers";

/** What `npm run plan` answers (exit 2) to a production.json below a level floor (tools/policy/levelFloors.ts). */
const LEVEL_REFUSED = badInput(/production\.json: sets policies below their enforcement level floor/);
/** … and to a setting the governed configSchema refuses (the engine validates it before the pack runs). */
const SCHEMA_REFUSED = badInput(/production\.json: invalid policy settings/);
const WAIVERS_VALID = "policy-waivers-valid";
const PULL_REQUEST = "github-ruleset-pull-request-required";

type PolicyConfig = Record<string, unknown>;
const setting = (policy: string, key: string, value: unknown) => (config: PolicyConfig) => {
  const entry = (config[policy] ?? { enforcementLevel: "mandatory" }) as Record<string, unknown>;
  entry[key] = value;
  config[policy] = entry;
};

/** A waivers file with one entry (fields as given, the rest valid defaults). */
export function waiverFile(entry: Record<string, string>): string {
  const waiver = {
    policy: PULL_REQUEST,
    resource: "flightpro-production-rules-ruleset",
    stack: "production",
    reason: "Two-person team until the January hires",
    approvedBy: "maria-chen",
    expires: "2026-12-15",
    ...entry,
  };
  return `waivers:\n  - ${Object.entries(waiver)
    .map(([key, value]) => `${key}: ${JSON.stringify(value)}`)
    .join("\n    ")}\n`;
}

/** The violation the waivers below try to cover: no approval required on main. */
const zeroApprovals = setProject("github", ["requiredApprovals"], 0);

/** Class 1: who judges the judge (the pack's config); class 10: waivers with limits. */
export const judgeCases: ReplayCase[] = [
  // --- a pull request that relaxes the gate and breaks the rule together: judged by the base's pack (infra.yml)
  {
    id: "judge-pr-config-advisory-and-violation",
    class: "judge",
    title: "production.json all advisory, and no approvals on main (one pull request)",
    edits: [jsonEdit(POLICY_CONFIG, "all: advisory", (config) => (config["all"] = "advisory")), zeroApprovals],
    expect: caught(PULL_REQUEST),
  },
  {
    id: "judge-pr-waiver-and-violation",
    class: "judge",
    title: "a waiver for the approvals policy, in the same pull request as the change it covers",
    edits: [writeFile(WAIVERS, waiverFile({})), zeroApprovals],
    expect: caught(PULL_REQUEST),
  },
  {
    id: "judge-pr-rule-removed-from-pack",
    class: "judge",
    title: "policies/rules/index.ts drops the repository policies (they duplicate the org rulesets), and a team may bypass",
    edits: [
      replace("policies/rules/index.ts", "...repositoryPolicies,", ""),
      replace(
        "infra/github/branchRuleset.ts",
        '{ actorType: settings.deployIdentity.type, actorId: settings.deployIdentity.id, bypassMode: "always" },',
        '{ actorType: settings.deployIdentity.type, actorId: settings.deployIdentity.id, bypassMode: "always" },\n          { actorType: "Team", actorId: 7311520, bypassMode: "always" },',
      ),
    ],
    expect: caught("github-ruleset-bypass-deploy-app-only"),
  },
  {
    id: "judge-pr-floor-code-lowered",
    class: "judge",
    title: "floors.ts: minApprovals floor 0, config 0, and no approvals",
    edits: [
      replace("policies/lib/floors.ts", 'minApprovals: { kind: "atLeast", value: 1, why: SPEC_REVIEW },', 'minApprovals: { kind: "atLeast", value: 0, why: SPEC_REVIEW },', "all"),
      jsonEdit(POLICY_CONFIG, "minApprovals 0", setting(PULL_REQUEST, "minApprovals", 0)),
      zeroApprovals,
    ],
    expect: caught(PULL_REQUEST),
  },
  {
    id: "judge-pr-config-deleted",
    class: "judge",
    title: "remove production.json (the published pack is enabled through Pulumi Cloud now)",
    edits: [removeFile(POLICY_CONFIG), zeroApprovals],
    expect: caught(PULL_REQUEST),
  },
  // --- the floors: a local run with the edited config is refused, or still blocks
  {
    id: "judge-local-all-advisory",
    class: "judge",
    judge: "local",
    title: "production.json: all advisory while we tune the policies",
    edits: [jsonEdit(POLICY_CONFIG, "all: advisory", (config) => (config["all"] = "advisory"))],
    expect: LEVEL_REFUSED,
  },
  {
    id: "judge-local-all-object-disabled",
    class: "judge",
    judge: "local",
    title: "production.json: all { enforcementLevel: disabled } (object form)",
    edits: [jsonEdit(POLICY_CONFIG, "all: { enforcementLevel: disabled }", (config) => (config["all"] = { enforcementLevel: "disabled" }))],
    expect: LEVEL_REFUSED,
  },
  {
    id: "judge-local-policy-disabled",
    class: "judge",
    judge: "local",
    title: "production.json: disable the bypass policy (org rulesets handle it)",
    edits: [jsonEdit(POLICY_CONFIG, "bypass policy disabled", setting("github-ruleset-bypass-deploy-app-only", "enforcementLevel", "disabled"))],
    expect: LEVEL_REFUSED,
  },
  {
    id: "judge-local-remediate",
    class: "judge",
    judge: "local",
    title: "production.json: runtime settings policy in remediate mode, and Stripe in test mode",
    edits: [jsonEdit(POLICY_CONFIG, "remediate", (config) => (config["runtime-settings-fit-environment"] = { enforcementLevel: "remediate" })), setProduction("runtimeSettings", ["STRIPE_MODE"], "test")],
    // remediate is no lower than mandatory: a violation no remediation fixed is reported as mandatory (@pulumi/policy server.js).
    expect: caught("runtime-settings-fit-environment"),
  },

  {
    id: "judge-local-min-approvals-zero",
    class: "judge",
    judge: "local",
    title: "production.json: minApprovals 0, and no approvals",
    edits: [jsonEdit(POLICY_CONFIG, "minApprovals 0", setting(PULL_REQUEST, "minApprovals", 0)), zeroApprovals],
    // The policy's configSchema (minimum 1) rejects it before any floor is needed.
    expect: badInput(/production\.json: invalid policy settings/),
  },
  {
    id: "judge-local-lock-days",
    class: "judge",
    judge: "local",
    title: "production.json: object lock minDays 365, and the stack keeps a year",
    edits: [
      jsonEdit(POLICY_CONFIG, "minDays 365", setting("audit-bucket-object-lock-retained", "minDays", 365)),
      jsonEdit(POLICY_CONFIG, "lifecycle minDays 365", setting("audit-bucket-lifecycle-keeps-retention", "minDays", 365)),
      replace("Pulumi.production.yaml", "      days: 2557", "      days: 365"),
    ],
    expect: SCHEMA_REFUSED,
  },
  {
    id: "judge-local-lock-governance",
    class: "judge",
    judge: "local",
    title: "production.json: object lock mode GOVERNANCE",
    edits: [jsonEdit(POLICY_CONFIG, "mode GOVERNANCE", setting("audit-bucket-object-lock-retained", "mode", "GOVERNANCE"))],
    expect: SCHEMA_REFUSED,
  },
  {
    id: "judge-local-floor-friday",
    class: "judge",
    judge: "local",
    title: "production.json and Pulumi.yaml: Fridays are deploy days",
    edits: [
      jsonEdit(POLICY_CONFIG, "deployDays + Fri", setting("schedule-production-preflight-enforces-floor", "deployDays", ["Tue", "Thu", "Fri"])),
      setProject("schedule", ["deployDays"], ["Tue", "Thu", "Fri"]),
    ],
    expect: SCHEMA_REFUSED,
  },
  {
    id: "judge-local-floor-no-holidays",
    class: "judge",
    judge: "local",
    title: "production.json and Pulumi.yaml: no holiday freeze",
    edits: [
      jsonEdit(POLICY_CONFIG, "freezes: black friday only", setting("schedule-production-preflight-enforces-floor", "freezes", [{ name: "black-friday-2026", from: "2026-11-23", to: "2026-11-30" }])),
      setProject("schedule", ["freezes"], [{ name: "black-friday-2026", from: "2026-11-23", to: "2026-11-30" }]),
    ],
    expect: caught("schedule-production-preflight-enforces-floor"),
  },
  {
    id: "judge-local-plain-keys-star",
    class: "judge",
    judge: "local",
    title: "production.json: every Vercel key may be plain",
    edits: [jsonEdit(POLICY_CONFIG, "plainKeys *", setting("vercel-env-var-sensitive", "plainKeys", ["*"]))],
    expect: SCHEMA_REFUSED,
  },
  {
    id: "judge-local-waiver-days",
    class: "judge",
    judge: "local",
    title: "production.json: waivers may last a year",
    edits: [jsonEdit(POLICY_CONFIG, "maxDays 365", setting(WAIVERS_VALID, "maxDays", 365))],
    expect: SCHEMA_REFUSED,
  },
  {
    id: "judge-local-schedule-waiver-week",
    class: "judge",
    judge: "local",
    title: "production.json: emergency schedule waivers last a week",
    edits: [jsonEdit(POLICY_CONFIG, "maxDaysByPolicy 7", setting(WAIVERS_VALID, "maxDaysByPolicy", { "schedule-production-deploy-window": 7 }))],
    expect: SCHEMA_REFUSED,
  },
  {
    id: "judge-local-window-stacks-staging",
    class: "judge",
    judge: "local",
    title: "production.json: the deploy window applies to staging only",
    edits: [jsonEdit(POLICY_CONFIG, "stacks [staging]", setting("schedule-production-deploy-window", "stacks", ["staging"]))],
    expect: SCHEMA_REFUSED,
  },
  {
    id: "judge-local-required-check-dropped",
    class: "judge",
    judge: "local",
    title: "production.json: performance-budgets is not a required check",
    edits: [jsonEdit(POLICY_CONFIG, "requiredChecks without budgets", setting("github-ruleset-verify-checks-required", "requiredChecks", ["lint", "typecheck", "unit-tests", "build", "security-scan", "migration-reversibility"]))],
    expect: caught("github-ruleset-verify-checks-required"),
  },
  {
    id: "judge-local-environment-renamed",
    class: "judge",
    judge: "local",
    title: "production.json: the approval policy judges an environment named prod",
    edits: [jsonEdit(POLICY_CONFIG, "environment prod", setting("github-environment-production-approval-required", "environment", "prod"))],
    expect: SCHEMA_REFUSED,
  },
  {
    id: "judge-local-oidc-repository-wildcard",
    class: "judge",
    judge: "local",
    title: "production.json: the OIDC pin allows every repository of the organisation, and a role trusting repo:flightpro/*",
    edits: [
      jsonEdit(POLICY_CONFIG, "repository flightpro/*", setting("audit-oidc-role-trust-pinned", "repository", "flightpro/*")),
      replace("infra/aws/auditPolicies.ts", "if (/[*?]/.test(subject)) throw", "if (/[?]/.test(subject)) throw"),
      replace("infra/aws/auditRole.ts", "const subject = deploySubject(args.github.owner, args.github.repository, args.environment, args.github.oidcSubjectIds);", "const subject = deploySubject(args.github.owner, \"*\", args.environment, args.github.oidcSubjectIds);"),
      replace("infra/aws/auditPolicies.ts", "    Condition: {\n      StringEquals: {", "    Condition: {\n      StringLike: {"),
    ],
    // The repository is organisation data (a free setting); the wildcard in the trust policy is what the pin refuses.
    expect: caught("audit-oidc-role-trust-pinned"),
  },
  {
    id: "judge-local-metrics-namespace-wildcard",
    class: "judge",
    judge: "local",
    title: "production.json: the deploy role's metrics namespace is *, and the role publishes anywhere",
    edits: [
      jsonEdit(POLICY_CONFIG, "metricsNamespace *", setting("iam-deploy-role-least-privilege", "metricsNamespace", "*")),
      deployRolePolicy("any-metrics", { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "cloudwatch:PutMetricData", Resource: "*", Condition: { StringLike: { "cloudwatch:namespace": "*" } } }] }),
    ],
    expect: caught("iam-deploy-role-least-privilege"),
  },
  {
    id: "judge-local-config-not-json",
    class: "input",
    judge: "local",
    title: "production.json with a trailing comma",
    edits: [replace(POLICY_CONFIG, '"approvers": ["maria-chen", "dev-okafor"],', '"approvers": ["maria-chen", "dev-okafor",],')],
    expect: badInput(/production\.json|JSON/),
  },
  {
    id: "judge-local-compliant-tighter",
    class: "compliant",
    judge: "local",
    title: "production.json: two approvals required (the stack requires two)",
    edits: [jsonEdit(POLICY_CONFIG, "minApprovals 2", setting(PULL_REQUEST, "minApprovals", 2)), setProject("github", ["requiredApprovals"], 2)],
    expect: passes,
  },
  // --- waivers: judged by the pack that carries them (a local run), each invalid
  {
    id: "waiver-bare-star-high",
    class: "waivers",
    judge: "local",
    title: "waive the approvals policy for every resource (*)",
    edits: [writeFile(WAIVERS, waiverFile({ resource: "*" })), zeroApprovals],
    expect: caught(WAIVERS_VALID),
  },
  {
    id: "waiver-glob-matches-everything",
    class: "waivers",
    judge: "local",
    title: "waive the approvals policy for flightpro-production-* (every resource of the stack)",
    edits: [writeFile(WAIVERS, waiverFile({ resource: "flightpro-production-*" })), zeroApprovals],
    expect: caught(WAIVERS_VALID),
  },
  {
    id: "waiver-glob-star-dash-star",
    class: "waivers",
    judge: "local",
    title: "waive the approvals policy for *-* (looks specific, covers all)",
    edits: [writeFile(WAIVERS, waiverFile({ resource: "*-*" })), zeroApprovals],
    expect: caught(WAIVERS_VALID),
  },
  {
    id: "waiver-urn-prefix-star",
    class: "waivers",
    judge: "local",
    title: "waive the approvals policy for urn:pulumi:production::flightdeck::*",
    edits: [writeFile(WAIVERS, waiverFile({ resource: "urn:pulumi:production::flightdeck::*" })), zeroApprovals],
    expect: caught(WAIVERS_VALID),
  },
  {
    id: "waiver-any-stack",
    class: "waivers",
    judge: "local",
    title: "a waiver for every stack (stack: *)",
    edits: [writeFile(WAIVERS, waiverFile({ stack: "*" })), zeroApprovals],
    expect: caught(WAIVERS_VALID),
  },
  {
    id: "waiver-unlisted-approver",
    class: "waivers",
    judge: "local",
    title: "a waiver approved by the change's author (not an approver)",
    edits: [writeFile(WAIVERS, waiverFile({ approvedBy: "sam-rivera" })), zeroApprovals],
    expect: caught(WAIVERS_VALID),
  },
  {
    id: "waiver-too-long",
    class: "waivers",
    judge: "local",
    title: "a waiver until the end of next quarter",
    edits: [writeFile(WAIVERS, waiverFile({ expires: "2027-03-31" })), zeroApprovals],
    expect: caught(WAIVERS_VALID),
  },
  {
    id: "waiver-schedule-week",
    class: "waivers",
    judge: "local",
    title: "an emergency waiver of the deploy window for the whole week",
    edits: [writeFile(WAIVERS, waiverFile({ policy: "schedule-production-deploy-window", resource: "flightdeck-production", expires: "2026-12-06" }))],
    expect: caught(WAIVERS_VALID),
  },
  {
    id: "waiver-critical-policy",
    class: "waivers",
    judge: "local",
    title: "waive the critical bypass policy for the release team's bypass",
    edits: [
      writeFile(WAIVERS, waiverFile({ policy: "github-ruleset-bypass-deploy-app-only" })),
      replace(
        "infra/github/branchRuleset.ts",
        '{ actorType: settings.deployIdentity.type, actorId: settings.deployIdentity.id, bypassMode: "always" },',
        '{ actorType: settings.deployIdentity.type, actorId: settings.deployIdentity.id, bypassMode: "always" },\n          { actorType: "Team", actorId: 7311520, bypassMode: "always" },',
      ),
    ],
    expect: caught(WAIVERS_VALID),
  },
  {
    id: "waiver-gate-check",
    class: "waivers",
    judge: "local",
    title: "waive policy-waivers-valid itself, and the approvals policy with it",
    edits: [writeFile(WAIVERS, waiverFile({ policy: WAIVERS_VALID, resource: "flightdeck-production" }) + waiverFile({ approvedBy: "sam-rivera" }).replace(/^waivers:\n/, "")), zeroApprovals],
    expect: caught(WAIVERS_VALID),
  },

  {
    id: "waiver-blank-reason",
    class: "waivers",
    judge: "local",
    title: "a waiver with reason 'see ticket'",
    edits: [writeFile(WAIVERS, waiverFile({ reason: "see JIRA" })), zeroApprovals],
    expect: caught(WAIVERS_VALID),
  },
  {
    id: "waiver-policy-wildcard",
    class: "waivers",
    judge: "local",
    title: "waive every github-ruleset-* policy",
    edits: [writeFile(WAIVERS, waiverFile({ policy: "github-ruleset-*" })), zeroApprovals],
    expect: caught(WAIVERS_VALID),
  },
  {
    id: "waiver-duplicate-key",
    class: "waivers",
    judge: "local",
    title: "a waiver whose stack is written twice (production, then *)",
    edits: [writeFile(WAIVERS, waiverFile({}).replace('stack: "production"', 'stack: "production"\n    stack: "*"')), zeroApprovals],
    expect: caught(WAIVERS_VALID),
  },
  {
    id: "waiver-compliant-specific",
    class: "compliant",
    judge: "local",
    title: "a valid waiver (approver, reason, two weeks) for the ruleset's approvals",
    edits: [writeFile(WAIVERS, waiverFile({})), zeroApprovals],
    expect: passes,
  },
];
