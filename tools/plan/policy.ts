import type { RecordedResource } from "../offline/monitor";
import { PolicyPackProcess, PolicyReport, PreparedPack, analyzePrepared, preparePack } from "../policy/client";
import type { PackLocation } from "../policy/packDir";
import { SpawnedPack } from "../policy/spawn";
import { PolicyDescription, PolicySection, PolicyViolation, WaivedViolation } from "./document";

/** The policy that reports problems with the waivers file itself. */
const WAIVERS_POLICY = "policy-waivers-valid";
const WAIVER_NOTE = /^waived by (.+?) until (\S+?):\s*(.*)$/s;

/** A pack being connected to and configured while the program is evaluated. */
export interface PackSession {
  prepared: Promise<PreparedPack>;
  close(): void;
}

/**
 * Starts the pack at `location` for a stack another way than the plan's own spawn (the replay keeps one
 * started pack for every case whose pack is byte-identical to it: test/replay/worker.ts).
 */
export type PackStarter = (target: { stack: string; project: string; now?: Date }, location: PackLocation) => PackSession;

/**
 * Connects to a spawned pack and configures it for the stack (policy info, the stack's policy
 * config, the stack), in the background: by the time the program is evaluated, it is ready.
 */
export function preparePackFor(spawned: SpawnedPack, target: { stack: string; project: string }, policyConfigPath: string): PackSession {
  const connected = PolicyPackProcess.connect(spawned);
  const prepared = connected.then((pack) => preparePack(pack, { ...target, policyConfigPath }));
  prepared.catch(() => undefined); // awaited later, or the plan failed first and closes the session
  return {
    prepared,
    close() {
      if (spawned.child.exitCode === null) spawned.child.kill();
      connected.then((pack) => pack.close(), () => undefined);
    },
  };
}

/** Judges the recorded resources with the prepared pack over the analyzer protocol, then stops it. */
export async function judgeResources(session: PackSession, resources: RecordedResource[]): Promise<PolicySection> {
  try {
    return policySection(await analyzePrepared(await session.prepared, resources));
  } finally {
    session.close();
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
