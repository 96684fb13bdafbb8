import type { ReportViolation, StackValidation, StackValidationPolicy } from "@pulumi/policy";
import { PolicyMetadata, reportWith, stackPolicy } from "./define";
import { GOVERNED_PROJECTS, GOVERNED_STACKS } from "./floors";
import { packConfiguration } from "./packConfig";
import { runWhen } from "./runWhen";

export const CONFIG_POLICY = "policy-config-within-spec";

const META: PolicyMetadata = {
  name: CONFIG_POLICY,
  description:
    "The gate in production is never weaker than the spec: the policy config may tighten the floors the pack holds in code (policies/lib/floors.ts) but never loosen them, " +
    "and every policy is mandatory there. Spec, Deploying to Production: \"Quality Gates (must pass before production)\"; Protections: \"Required PR reviews (min 1 approval)\". " +
    `Applies to the stacks ${GOVERNED_STACKS.join(", ")} and every stack of the project ${GOVERNED_PROJECTS.join(", ")}; the pack runs every loosened setting at its floor either way.`,
  severity: "critical",
  remediation: [
    "Restore each named setting of policies/config/<stack>.json to its floor (the message names the floor and the spec line it comes from).",
    "Keep every policy mandatory in production: `\"all\": \"mandatory\"` and no per-policy `advisory` or `disabled`.",
    "To change a floor, change the spec first, then policies/lib/floors.ts, in a pull request of its own reviewed by the code owners of policies/.",
  ],
  topics: ["gate", "change-management"],
};

/**
 * Reports, as mandatory, every level or setting of the received policy config that is looser than
 * the floors (see ./packConfig.ts). It cannot be waived, and in a governed stack the pack runs it
 * (and every other policy) mandatory whatever the config says.
 */
export function configWithinSpec(): StackValidationPolicy {
  // Built from stackPolicy for its metadata; its validation reports with an explicit level.
  const declared = stackPolicy(META, { validate: () => undefined });
  const validateStack: StackValidation = (_args, report: ReportViolation) => {
    for (const finding of packConfiguration()?.findings ?? []) reportWith(report, { message: finding, enforcementLevel: "mandatory" });
  };
  return { ...declared, validateStack: runWhen(validateStack, () => (packConfiguration()?.findings.length ?? 0) > 0) };
}
