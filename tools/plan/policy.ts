import { existsSync } from "node:fs";
import * as path from "node:path";
import type { RecordedResource } from "../offline/monitor";
import { PACK_DIR, PolicyPackProcess, PolicyReport, analyzeWithStartedPack } from "../policy/client";
import { MissingPolicyConfigError } from "./errors";
import { PolicyDescription, PolicySection, PolicyViolation, WaivedViolation } from "./document";

/** The policy that reports problems with the waivers file itself. */
const WAIVERS_POLICY = "policy-waivers-valid";
const WAIVER_NOTE = /^waived by (.+?) until (\S+?):\s*(.*)$/s;

export { MissingPolicyConfigError };

/** The `--policy-pack-config` file of a stack: policies/config/<stack>.json. */
export function policyConfigPath(stack: string): string {
  const file = path.join(PACK_DIR, "config", `${stack}.json`);
  if (!existsSync(file)) throw new MissingPolicyConfigError(`no policy config for stack ${JSON.stringify(stack)}: expected ${path.relative(process.cwd(), file)}`);
  return file;
}

/**
 * The pack, spawned as the engine spawns it. Started before the program is evaluated so that the two
 * start-ups overlap. When this file runs from the build (`npm run plan`), the pack built beside it runs;
 * from the sources (the tests), the pack's sources run through tsx.
 */
export function startPack(stack: string, at?: Date): Promise<PolicyPackProcess> {
  const builtPack = path.join(__dirname, "..", "..", "policies", "index.js");
  const entry = __filename.endsWith(".js") && existsSync(builtPack) ? [builtPack] : undefined;
  return PolicyPackProcess.start({ stack, now: at, entry });
}

/** Judges the recorded resources with a started pack over the analyzer protocol, then stops it. */
export async function judgeResources(pack: PolicyPackProcess, stack: string, resources: RecordedResource[]): Promise<PolicySection> {
  try {
    return policySection(await analyzeWithStartedPack(pack, { stack, resources, policyConfigPath: policyConfigPath(stack) }));
  } finally {
    pack.close();
  }
}

/** The pack's report in the plan's terms: violations that stand, waived ones, and waiver-file problems. */
export function policySection(report: PolicyReport): PolicySection {
  const policies: PolicyDescription[] = report.policies.map((policy) => ({
    name: policy.name,
    description: policy.description,
    severity: policy.severity ?? "low",
    enforcementLevel: policy.enforcementLevel,
    remediation: policy.remediation.map((step, index) => `${index + 1}. ${step}`).join("\n"),
  }));
  const asViolation = (violation: PolicyReport["violations"][number]): PolicyViolation => ({
    policy: violation.policy,
    enforcementLevel: violation.enforcementLevel === "mandatory" || violation.enforcementLevel === "remediate" ? "mandatory" : "advisory",
    severity: violation.severity ?? "low",
    urn: violation.urn,
    message: violation.message,
  });
  const standing = report.violations.filter((violation) => violation.enforcementLevel !== "disabled").map(asViolation);
  const waiverProblems = standing.filter((v) => v.policy === WAIVERS_POLICY && v.enforcementLevel === "advisory").map((v) => v.message);
  const violations = standing.filter((v) => !(v.policy === WAIVERS_POLICY && v.enforcementLevel === "advisory"));
  const waived: WaivedViolation[] = report.waived.map((violation) => {
    const note = WAIVER_NOTE.exec(violation.waiver);
    return {
      ...asViolation(violation),
      enforcementLevel: "advisory",
      approvedBy: note?.[1] ?? "unknown",
      expires: note?.[2] ?? "unknown",
      reason: note?.[3] ?? violation.waiver,
    };
  });
  return { pack: report.pack, version: report.version, violations, waived, waiverProblems, policies };
}
