import type { Evaluation } from "../../tools/offline/evaluate";
import type { RecordedResource } from "../../tools/offline/monitor";
import type { PlanDocument, PlannedResource, PolicyDescription, PolicySection, PolicyViolation, WaivedViolation } from "../../tools/plan/document";
import { planDocument } from "../../tools/plan/document";

/** Synthetic plans for the plan tool's specs: independent of what the program declares. */
export const PROJECT = "flightdeck";

export function urn(stack: string, type: string, name: string, parentType = "flightdeck:test:Group"): string {
  return `urn:pulumi:${stack}::${PROJECT}::${parentType}$${type}::${name}`;
}

export function recorded(stack: string, type: string, name: string, inputs: Record<string, unknown>, secretPaths: string[] = []): RecordedResource {
  return {
    urn: urn(stack, type, name),
    type,
    name,
    parent: `urn:pulumi:${stack}::${PROJECT}::flightdeck:test:Group::group`,
    custom: true,
    inputs,
    secretPaths,
    options: { protect: false, retainOnDelete: false, deleteBeforeReplace: false, dependsOn: [], provider: null, replaceOnChanges: [] },
  };
}

export function component(stack: string, name = "group"): RecordedResource {
  return {
    urn: `urn:pulumi:${stack}::${PROJECT}::flightdeck:test:Group::${name}`,
    type: "flightdeck:test:Group",
    name,
    parent: null,
    custom: false,
    inputs: {},
    secretPaths: [],
    options: { protect: false, retainOnDelete: false, deleteBeforeReplace: false, dependsOn: [], provider: null, replaceOnChanges: [] },
  };
}

/** A plan as `planDocument` makes it (secrets masked and fingerprinted) from recorded resources. */
export function plan(stack: string, resources: RecordedResource[], policy?: PolicySection): PlanDocument {
  const evaluation: Evaluation = { project: PROJECT, stack, resources, outputs: {}, placeholders: [], encryptedPlaceholders: [] };
  const document = planDocument(evaluation);
  return policy ? { ...document, policy } : document;
}

export function resource(document: PlanDocument, name: string): PlannedResource {
  const found = document.resources.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`no resource ${name}`);
  return found;
}

export const RULESET = "github:index/repositoryRuleset:RepositoryRuleset";
export const ENV_VAR = "vercel:index/projectEnvironmentVariable:ProjectEnvironmentVariable";
export const BUCKET = "aws:s3/bucket:Bucket";
export const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";

export function policyDescription(name: string, severity: PolicyDescription["severity"], enforcementLevel: PolicyDescription["enforcementLevel"] = "mandatory"): PolicyDescription {
  return {
    name,
    description: `The spec requires ${name.replace(/-/g, " ")}. It keeps production safe.`,
    severity,
    enforcementLevel,
    remediation: `Set the value ${name} asks for in Pulumi.<stack>.yaml, or waive it with a reason.`,
  };
}

export function violation(policy: string, stack: string, type: string, name: string, options: Partial<PolicyViolation> = {}): PolicyViolation {
  return { policy, enforcementLevel: "mandatory", severity: "high", urn: urn(stack, type, name), message: `${name} breaks ${policy}`, ...options };
}

export function waived(base: PolicyViolation, expires = "2026-09-30"): WaivedViolation {
  return { ...base, approvedBy: "maria-chen", reason: "Migration in progress; see INC-42", expires };
}

export function policySection(violations: PolicyViolation[], waivedViolations: WaivedViolation[] = [], waiverProblems: string[] = []): PolicySection {
  const names = [...new Set([...violations, ...waivedViolations].map((v) => v.policy))];
  return {
    pack: "flightdeck-policies",
    version: "0.1.0",
    violations,
    waived: waivedViolations,
    waiverProblems,
    policies: names.map((name, index) => policyDescription(name, (["critical", "high", "medium", "low"] as const)[index % 4]!)),
  };
}
