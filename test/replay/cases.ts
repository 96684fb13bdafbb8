import { Edit } from "./edits";

/** The classes of issue 10 (and the spec's quality gates) a case belongs to. */
export const replayClasses = [
  "judge", // 1. who judges the judge: the pack, its config, the waivers
  "documents", // 2. IAM, trust, bucket, key and topic policies as documents
  "rulesets", // 3. repository rules as a whole, environments' approvals
  "secrets", // 4. secrets in plain sight, rotation
  "schedule", // 5. deploy windows and freezes
  "alerts", // 6. alarms that can be silenced
  "workflows", // 7. workflows judged by structure
  "database", // 8. database attributes and privileges
  "environments", // 9. environment differences
  "waivers", // 10. waivers with limits
  "input", // 11. bad input is one clear error
  "compliant", // 12. compliant changes written another valid way (no false positives)
  "program", // 13. (issue 19, 1) what is judged is what runs: the entry, its transforms, no ambient input
  "scripts", // 14. (issue 19, 5) scripts judged by their effects: pg_dump's options, checks that cannot fail, rollbacks, deploys, environments
  "isolation", // 15. (issue 19, 2) each stack's resources are its own, staging's gate included
  "paging", // 16. (issue 19, 4) paging paths end to end: source → topic policy → key policy → subscription; the bridge's key's own grants
  "behaviour", // 17. (issue 19, 6) the planned code (the bridge bundle, the flags' provider) behaves as the judged config says
] as const;
export type ReplayClass = (typeof replayClasses)[number];

/**
 * Who judges the change:
 * - "pr": as infra.yml judges a pull request: the base copy's tooling evaluates the pull request's
 *   program (`plan --project <pull request> --no-policy --format evaluation`), and judges that
 *   evaluation with the base's pack, config and waivers (`plan --judge … --project <pull request>`).
 * - "local": `npm run plan` in the changed copy, with the copy's own pack, config and waivers (a
 *   platform engineer's laptop, or the floors under an edited config).
 */
export type Judge = "pr" | "local";

export type Expectation =
  /** Exit 1, with a mandatory violation of each of these policies (others may be there too). */
  | { exit: 1; policies: readonly string[] }
  /** Exit 2 (bad input), with an error line matching `error`. */
  | { exit: 2; error: RegExp }
  /** Exit 0: a compliant change. */
  | { exit: 0 };

export interface ReplayCase {
  /** Unique, kebab-case. */
  id: string;
  class: ReplayClass;
  /** What the pull request does, in its author's words. */
  title: string;
  edits: readonly Edit[];
  /** The stack the change is planned for (default: production, run.ts REPLAY_STACK). */
  stack?: "production" | "staging";
  /** Default: "pr" when an edit touches policies/ or tools/ (the pack or the evaluator), else "local" (the same pack and tooling as the base's). */
  judge?: Judge;
  expect: Expectation;
}

export const caught = (...policies: string[]): Expectation => ({ exit: 1, policies });
export const badInput = (error: RegExp): Expectation => ({ exit: 2, error });
export const passes: Expectation = { exit: 0 };
/** Exit 1, with these scenarios of the artifact check failed (tools/artifacts; `artifact:<scenario>` among the blockers). */
export const misbehaves = (...scenarios: string[]): Expectation => ({ exit: 1, policies: scenarios.map((scenario) => `artifact:${scenario}`) });

/** How a case is judged (see Judge). */
export function judgeOf(replayCase: ReplayCase): Judge {
  if (replayCase.judge) return replayCase.judge;
  return replayCase.edits.some((edit) => edit.files.some((file) => file.startsWith("policies/") || file.startsWith("tools/"))) ? "pr" : "local";
}
