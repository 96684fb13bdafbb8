import type { ResourceValidation, StackValidation } from "@pulumi/policy";
import { FlightdeckPolicy } from "./define";
import { currentProject } from "./stack";

/**
 * The Pulumi projects this pack judges. The engine starts the pack with the project's name in
 * PULUMI_NODEJS_PROJECT (./stack.ts); the bootstrap (bootstrap/Pulumi.yaml) declares the pipeline's
 * roles, the state backend and this repository's protections, the flightdeck program everything else.
 */
export const BOOTSTRAP_PROJECT = "flightdeck-bootstrap";

export function isBootstrapProject(project: string = currentProject()): boolean {
  return project === BOOTSTRAP_PROJECT;
}

/**
 * Policies that judge what only the flightdeck program declares (the app repository's rulesets and
 * verify checks, the audit log, the app's deploy roles, the spec's alarms). In the bootstrap they would
 * judge the wrong repository and the wrong roles; the bootstrap's own policies (rules/bootstrap.ts) judge
 * its repository and roles instead. Any other project name, a renamed bootstrap included, gets them.
 */
export const PROGRAM_ONLY_POLICIES: ReadonlySet<string> = new Set([
  "github-deploy-branch-ruleset-active",
  "github-ruleset-pull-request-required",
  "github-ruleset-verify-checks-required",
  "github-ruleset-history-protected",
  "github-ruleset-bypass-deploy-app-only",
  "github-branch-protection-no-bypass",
  "github-workflow-files-committed-by-bypass-app",
  "workflow-verify-required-checks-exist",
  "audit-log-bucket-declared",
  "audit-bucket-versioning-enabled",
  "audit-bucket-object-lock-retained",
  "audit-bucket-kms-encrypted",
  "audit-bucket-public-access-blocked",
  "audit-bucket-tls-only",
  "audit-bucket-lifecycle-keeps-retention",
  "audit-resources-protected",
  "audit-bucket-force-destroy-disabled",
  "audit-oidc-role-trust-pinned",
  "iam-deploy-role-least-privilege",
  "alerts-alarm-thresholds-within-spec",
]);

/** A program-only policy that does nothing in the bootstrap project; every other policy as it is. */
export function forProject(policy: FlightdeckPolicy): FlightdeckPolicy {
  if (!PROGRAM_ONLY_POLICIES.has(policy.name)) return policy;
  if ("validateStack" in policy) {
    const validateStack = policy.validateStack;
    const scoped: StackValidation = (args, report) => (isBootstrapProject() ? undefined : validateStack(args, report));
    return { ...policy, validateStack: scoped };
  }
  const validations = policy.validateResource === undefined ? [] : Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource];
  const scoped = validations.map((validate): ResourceValidation => (args, report) => (isBootstrapProject() ? undefined : validate(args, report)));
  return { ...policy, validateResource: scoped.length === 1 ? scoped[0] : scoped };
}
