import { createHash } from "node:crypto";
import type { Location, Log, ReportingDescriptor, Result } from "sarif";
import type { PlanDocument, PolicyDescription, PolicyViolation, WaivedViolation } from "../document";

export const SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json";

/** A config file's path (as the repository names it) and its text. */
export interface ConfigFile {
  path: string;
  text: string;
}

export interface SarifOptions {
  /** `Pulumi.<stack>.yaml`: where a violation is reported. */
  stackFile?: ConfigFile;
  /** `Pulumi.yaml`: where a key set once for every stack lives. */
  projectFile?: ConfigFile;
}

type Level = "error" | "warning" | "note";

const SEVERITY_LEVEL: Record<PolicyDescription["severity"], Level> = { critical: "error", high: "error", medium: "warning", low: "note" };

/** GitHub code scanning's `security-severity` scale (0–10) for each severity. */
const SECURITY_SEVERITY: Record<PolicyDescription["severity"], string> = { critical: "9.5", high: "8.0", medium: "5.5", low: "2.0" };

/**
 * The policy verdict as SARIF 2.1.0: one rule per policy of the pack, one result per violation
 * (waived ones carry an external suppression), each located at the stack config key that
 * configures the resource (the place a fix is made) and naming the resource's URN.
 */
export function renderSarif(plan: PlanDocument, options: SarifOptions = {}): Log {
  const section = plan.policy;
  const stackFile = options.stackFile ?? { path: `Pulumi.${plan.stack}.yaml`, text: "" };
  const policies = section?.policies ?? [];
  const ruleIndex = new Map(policies.map((policy, index) => [policy.name, index]));
  const rules: ReportingDescriptor[] = policies.map((policy) => ({
    id: policy.name,
    name: ruleName(policy.name),
    shortDescription: { text: firstSentence(policy.description) || policy.name },
    fullDescription: { text: policy.description || policy.name },
    help: { text: policy.remediation || "No remediation documented.", markdown: policy.remediation || "No remediation documented." },
    defaultConfiguration: { level: SEVERITY_LEVEL[policy.severity], enabled: policy.enforcementLevel !== "disabled" },
    properties: {
      tags: ["flightdeck", "pulumi-policy", policy.severity, policy.enforcementLevel],
      "security-severity": SECURITY_SEVERITY[policy.severity],
    },
  }));

  const result = (violation: PolicyViolation, waived?: WaivedViolation): Result => {
    const index = ruleIndex.get(violation.policy);
    return {
      ruleId: violation.policy,
      ...(index === undefined ? {} : { ruleIndex: index }),
      level: violation.enforcementLevel === "mandatory" ? "error" : advisoryLevel(violation.severity),
      message: { text: `${violation.message} (${violation.enforcementLevel}; ${violation.urn === null ? `stack ${plan.stack}` : violation.urn})` },
      locations: [location(plan, violation, stackFile, options.projectFile)],
      partialFingerprints: { "flightdeckViolation/v1": fingerprint(plan.stack, violation) },
      ...(waived
        ? {
            suppressions: [
              {
                kind: "external" as const,
                status: "accepted" as const,
                justification: `${waived.reason} (approved by ${waived.approvedBy}, expires ${waived.expires})`,
              },
            ],
          }
        : {}),
    };
  };

  return {
    $schema: SARIF_SCHEMA_URI,
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "flightdeck-policy",
            ...(section ? { version: section.version, fullName: `flightdeck policy pack ${section.pack} ${section.version}` } : {}),
            rules,
          },
        },
        automationDetails: { id: `flightdeck/${plan.stack}/` },
        results: [...(section?.violations ?? []).map((violation) => result(violation)), ...(section?.waived ?? []).map((waived) => result(waived, waived))],
      },
    ],
  };
}

/** Advisory violations never fail the check: at most a warning. */
function advisoryLevel(severity: PolicyDescription["severity"]): Level {
  return severity === "low" ? "note" : "warning";
}

function location(plan: PlanDocument, violation: PolicyViolation, stackFile: ConfigFile, projectFile: ConfigFile | undefined): Location {
  const key = violation.urn === null ? undefined : configKeyOf(violation.urn);
  const found = key === undefined ? undefined : findConfigKey(key, stackFile, projectFile);
  const where = found ?? { path: stackFile.path, line: 1 };
  const name = violation.urn === null ? plan.stack : violation.urn.split("::").pop() ?? violation.urn;
  return {
    physicalLocation: { artifactLocation: { uri: where.path }, region: { startLine: where.line } },
    logicalLocations: [
      violation.urn === null
        ? { name, fullyQualifiedName: `stack ${plan.stack}`, kind: "module" }
        : { name, fullyQualifiedName: violation.urn, kind: "resource" },
    ],
  };
}

/**
 * The top-level `flightdeck:*` config key that configures a resource: by the component it belongs
 * to (from its URN's type chain), else by its own type. Undefined when nothing matches.
 */
export function configKeyOf(urn: string): string | undefined {
  const chain = (urn.split("::")[2] ?? "").split("$").reverse();
  for (const type of chain) {
    for (const [pattern, key] of COMPONENT_KEYS) if (pattern.test(type)) return key;
  }
  const own = chain[0] ?? "";
  for (const [pattern, key] of TYPE_KEYS) if (pattern.test(own)) return key;
  return undefined;
}

const COMPONENT_KEYS: readonly (readonly [RegExp, string])[] = [
  [/^flightdeck:github:BranchRuleset$/, "github"],
  [/^flightdeck:github:DeploymentEnvironment$/, "deployEnvironment"],
  [/^flightdeck:vercel:RuntimeSettings$/, "runtimeSettings"],
  [/^flightdeck:vercel:/, "web"],
  [/^flightdeck:database:/, "database"],
  [/^flightdeck:secrets:/, "secrets"],
  [/^flightdeck:aws:AlertRules$/, "alerts"],
  [/^flightdeck:aws:(AuditLog|DeployAuditRole)$/, "audit"],
  [/^flightdeck:workflows:/, "app"],
];

const TYPE_KEYS: readonly (readonly [RegExp, string])[] = [
  [/^aws:(cloudwatch|sns|chatbot)\//, "alerts"],
  [/^aws:(s3|kms|iam)\//, "audit"],
  [/^github:index\/repositoryRuleset:/, "github"],
  [/^github:index\/(repositoryEnvironment|repositoryEnvironmentDeploymentPolicy|actionsEnvironmentVariable):/, "deployEnvironment"],
  [/^github:index\/actionsEnvironmentSecret:/, "secrets"],
  [/^github:index\/repositoryFile:/, "app"],
  [/^vercel:/, "web"],
  [/^(postgresql|random):/, "database"],
];

/** The line of `flightdeck:<key>:` in the stack file, else of `<key>:` in the project file's config. */
export function findConfigKey(key: string, stackFile: ConfigFile, projectFile?: ConfigFile): { path: string; line: number } | undefined {
  const escaped = key.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const inStack = lineOf(stackFile.text, new RegExp(`^\\s+flightdeck:${escaped}\\s*:`));
  if (inStack !== undefined) return { path: stackFile.path, line: inStack };
  if (projectFile) {
    // Only the config block's own keys, at the indent of its first entry (not keys nested in values).
    const lines = projectFile.text.split(/\r?\n/);
    const configStart = lineOf(projectFile.text, /^config\s*:/);
    const first = configStart === undefined ? undefined : lines.slice(configStart).find((line) => /^\s+[^\s#]/.test(line));
    const indent = first === undefined ? undefined : /^\s+/.exec(first)![0];
    if (configStart !== undefined && indent !== undefined) {
      const inProject = lineOf(projectFile.text, new RegExp(`^${indent}(flightdeck:)?${escaped}\\s*:`), configStart + 1);
      if (inProject !== undefined) return { path: projectFile.path, line: inProject };
    }
  }
  return undefined;
}

function lineOf(text: string, pattern: RegExp, from = 1): number | undefined {
  const lines = text.split(/\r?\n/);
  for (let index = from - 1; index < lines.length; index++) if (pattern.test(lines[index]!)) return index + 1;
  return undefined;
}

function fingerprint(stack: string, violation: PolicyViolation): string {
  return createHash("sha256").update(`${stack}\0${violation.policy}\0${violation.urn ?? ""}`).digest("hex").slice(0, 32);
}

function firstSentence(description: string): string {
  const line = description.replace(/\s+/g, " ").trim();
  const match = /^(.+?[.!?])(\s|$)/.exec(line);
  return match ? match[1]! : line;
}

/** `audit-bucket-requires-object-lock` → `AuditBucketRequiresObjectLock`, SARIF's style for rule names. */
function ruleName(policy: string): string {
  return policy.split(/[^A-Za-z0-9]+/).filter(Boolean).map((word) => word[0]!.toUpperCase() + word.slice(1)).join("");
}
