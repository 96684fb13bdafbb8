import { ReplayCase, caught, passes } from "../cases";
import { replace, yamlPush } from "../edits";
import { STAGING_FILE, setProduction } from "./helpers";

/**
 * Issue 19.7, history the pack cannot see: a rollout's day 0 moved earlier. The replay plans with
 * `--deployed <base copy>`, so each stack's flag register holds what the base's `pulumi up` recorded
 * (new-dashboard's day 0 in production: 2026-11-24), as the engine would read it from SSM. Editing the
 * stack file alone cannot move a flag ahead (the program counts from the recorded day 0); a change that
 * makes the program ignore its register is judged against the register all the same. (A program that
 * hands the pack a false reading as well is a code change the pack cannot tell from a true one: see
 * docs/operations.md, "What the pack cannot see".)
 */

const FLAG_PLANS = "infra/flags/flagPlans.ts";
const FEATURE_FLAGS = "infra/flags/featureFlags.ts";

export const flagHistoryCases: readonly ReplayCase[] = [
  {
    id: "flag-backdate-and-ignore-register",
    class: "environments",
    title: "flags: new-dashboard's day 0 back to 2026-11-01 (it was ready then) and the plan counted from rollout.start",
    edits: [
      setProduction("featureFlags", ["flags", 0, "rollout", "start"], "2026-11-01"),
      replace(FLAG_PLANS, "const start = dayZero(configured.start, recorded?.start, at, configured.timezone);", "const start = configured.start;"),
    ],
    expect: caught("flags-rollout-not-ahead-of-plan"),
  },
  {
    id: "flag-register-reading-dropped",
    class: "environments",
    title: "flags: stop passing the register reading to the flag (an extra SSM read per flag is slow)",
    edits: [replace(FEATURE_FLAGS, "          register: run.apply((state) => state.reading),\n", "")],
    expect: caught("flags-rollout-not-ahead-of-plan"),
  },
  {
    id: "flag-backdate-stack-file-only",
    class: "environments",
    title: "flags: new-dashboard's day 0 back to 2026-11-20 in the production file, still after staging's (neutralised: the register's day 0 holds)",
    edits: [setProduction("featureFlags", ["flags", 0, "rollout", "start"], "2026-11-20")],
    // The flag stays at the stage its recorded day 0 (2026-11-24) implies, 25%: nothing is served ahead, the stage label says why.
    // (Earlier than staging's 2026-11-16 it is caught by flags-production-not-ahead-of-staging, as env-flag-production-ahead is.)
    expect: passes,
  },
  {
    id: "flag-new-with-past-start",
    class: "environments",
    title: "flags: add route-planner to both stacks, started three weeks ago (neutralised: day 0 is its first run)",
    edits: [
      ...(["Pulumi.production.yaml", STAGING_FILE] as const).map((file) =>
        yamlPush(file, ["config", "flightdeck:featureFlags", "flags"], {
          key: "route-planner",
          description: "Route planning with live weather",
          owner: "dev-okafor",
          earlyAccess: ["user_maria_chen", "user_dev_okafor"],
          rollout: { start: "2026-11-10" },
        }),
      ),
    ],
    // Production's first run serves 0% (neither register has the flag): compliant.
    expect: passes,
  },
];
