import { PlanFileError, readPlanFile } from "./base";
import type { PlanDocument } from "./document";

/**
 * `--judge PLAN.json`: a plan saved with `--format json` (by any checkout's tooling: in CI, the pull
 * request's, in a job that never sees this checkout's pack) whose resources are judged instead of
 * evaluating this checkout's program. It must be of the stack and project being planned, and carry
 * each resource's options; its own verdict and diff are dropped, its artifact check's results kept.
 */
export function readJudgedPlan(file: string, expect: { project: string; stack: string }): PlanDocument {
  const plan = readPlanFile(file, "--judge", expect);
  const without = plan.resources.findIndex((resource) => resource.options === undefined || resource.options === null || typeof resource.options !== "object");
  if (without >= 0) {
    throw new PlanFileError(`--judge ${file}: resources[${without}] has no options (saved by a flightdeck that predates --judge? save it again with \`npm run plan -- --stack ${plan.stack} --format json\`)`);
  }
  // Its artifact check's results are kept (the code ran where the program was evaluated; none of it runs here).
  return { ...plan, policy: undefined, diff: undefined };
}
