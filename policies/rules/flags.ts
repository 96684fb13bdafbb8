import type { ReportViolation } from "@pulumi/policy";
import { now } from "../lib/clock";
import { reportWith, resourcePolicy, UnknownInputError } from "../lib/define";
import {
  addDays,
  dayZeroOf,
  describe,
  dueAt,
  Exposure,
  isCalendarDate,
  OFF,
  Plan,
  planOf,
  rank,
  registerReading,
  servedExposure,
  Stage,
  stageExposure,
  stageOnDay,
} from "../lib/rollout";
import { currentStack } from "../lib/stack";
import { asArray, asRecord, isUnknown, knownString, PlainRecord, stringsIn } from "../lib/values";

/** A PostHog flag managed by flightdeck (infra/flags/featureFlag.ts). */
export const FEATURE_FLAG = "pulumi-nodejs:dynamic/posthog:FeatureFlag";

const TOPICS = ["feature-flags", "release"];
const SPEC_ROLLOUT =
  'Spec, Feature Flags → Rollout Strategy: "Day 0: Deploy code, flag = 0% (off for all users); Day 1: Enable for team only (hardcoded user IDs); ' +
  'Day 3: 5% of users (random); Day 7: 25% of users; Day 14: 50% of users; Day 21: 100% (remove flag in next release)"';

/** The spec's stages: the floor every plan is judged against (not configurable: config may not loosen it). */
export const SPEC_STAGES: readonly Stage[] = [
  { day: 0, rollout: 0 },
  { day: 1, rollout: "team" },
  { day: 3, rollout: 5 },
  { day: 7, rollout: 25 },
  { day: 14, rollout: 50 },
  { day: 21, rollout: 100 },
].map(({ day, rollout }) => ({ day, exposure: stageExposure(rollout)!, label: rollout === "team" ? "team" : `${rollout}%` }));

function flagKey(props: PlainRecord): string {
  return knownString(props["key"]) ?? "(unknown key)";
}

function teamIds(props: PlainRecord): string[] {
  return asArray(props["earlyAccess"]).flatMap((id) => (typeof id === "string" ? [id] : []));
}

/** The plan, or a violation saying why it cannot be judged (a flag without a readable plan is not compliant). */
function readPlan(props: PlainRecord, report: (message: string) => void): Plan | undefined {
  const plan = planOf(props);
  if (typeof plan === "string") {
    report(`flag ${flagKey(props)}: ${plan}`);
    return undefined;
  }
  return plan;
}

export const rolloutPlanFollowsSpec = resourcePolicy(
  {
    name: "flags-rollout-plan-follows-spec",
    description:
      `A rollout goes through every stage the spec names, never sooner than the spec says. ${SPEC_ROLLOUT}. ` +
      "A custom plan may add stages or wait longer; it may not skip a stage or reach one before the spec's day.",
    severity: "high",
    remediation: [
      "Remove rollout.stages from the flag in flightdeck:featureFlags to use the spec's plan.",
      "Or make the custom plan contain 0% on day 0, team on day 1 or later, 5% on day 3 or later, 25% on day 7 or later, 50% on day 14 or later and 100% on day 21 or later, in that order, with nothing in between above the spec's stage for that day.",
    ],
    topics: TOPICS,
  },
  {
    types: [FEATURE_FLAG],
    validate({ props }, _settings, report) {
      const plan = readPlan(props, report);
      if (!plan) return;
      const key = flagKey(props);
      plan.stages.forEach((stage, index) => {
        const previous = plan.stages[index - 1];
        if (previous && stage.day <= previous.day) report(`flag ${key}: stage ${index} (day ${stage.day}) does not come after day ${previous.day}`);
        if (previous && rank(stage.exposure) < rank(previous.exposure)) {
          report(`flag ${key}: stage ${index} goes back from ${describe(previous.exposure)} to ${describe(stage.exposure)}; use the kill switch to stop a rollout`);
        }
        const allowed = stageOnDay(SPEC_STAGES, stage.day)?.exposure ?? OFF;
        if (rank(stage.exposure) > rank(allowed)) {
          report(`flag ${key}: the plan serves ${describe(stage.exposure)} on day ${stage.day}, ahead of the spec (${describe(allowed)} until day ${nextSpecDay(stage.day)})`);
        }
      });
      for (const required of SPEC_STAGES) {
        if (!plan.stages.some((stage) => rank(stage.exposure) === rank(required.exposure))) {
          report(`flag ${key}: the plan skips the spec's ${required.label} stage (day ${required.day})`);
        }
      }
    },
  },
);

function nextSpecDay(day: number): string {
  const next = SPEC_STAGES.find((stage) => stage.day > day);
  return next ? String(next.day) : "the end";
}

export const rolloutNotAheadOfPlan = resourcePolicy(
  {
    name: "flags-rollout-not-ahead-of-plan",
    description:
      `A flag serves no more users than its plan is due for today, and nothing while its kill switch is on. ${SPEC_ROLLOUT}; ` +
      '"Kill Switch: If issues found, set flag to 0% immediately". Judged on what the flag sends to PostHog (active, filters), at the pack\'s clock, ' +
      "counting plan days from the real day 0: the later of rollout.start and the day 0 the stack's flag register recorded (today for a flag the register has not seen), so a change cannot backdate day 0.",
    severity: "critical",
    remediation: [
      "Let the program compute the stage: remove any change that sets the flag's filters or rollout percentage by hand.",
      "To go faster, change the plan (it must still follow the spec) rather than the flag; day 0 cannot move earlier than the register recorded.",
      "With the kill switch on, the flag must serve 0%: run `pulumi up` after setting killSwitch: true.",
    ],
    topics: TOPICS,
  },
  {
    types: [FEATURE_FLAG],
    validate({ props }, _settings, report) {
      // A plan that cannot be read is reported once, by flags-rollout-plan-follows-spec.
      const plan = planOf(props);
      if (typeof plan === "string") return;
      const key = flagKey(props);
      const served = servedExposure(props, teamIds(props));
      if (isUnknown(props["killSwitch"])) throw new UnknownInputError("killSwitch");
      if (props["killSwitch"] === true) {
        if (rank(served) > 0) report(`flag ${key}: the kill switch is on but the flag serves ${describe(served)}`);
        return;
      }
      const reading = registerReading(props);
      if (typeof reading === "string") {
        report(`flag ${key}: ${reading}`);
        return;
      }
      const at = now();
      const start = dayZeroOf(plan, reading.recordedStart, at);
      const { stage, planDay } = dueAt({ ...plan, start }, at);
      const due = stage?.exposure ?? OFF;
      if (rank(served) > rank(due)) {
        const origin = start === plan.start ? "" : ` (day 0 is ${start}, ${reading.recordedStart === null ? "today: the register has no record of the flag" : `as the register ${reading.parameter} recorded`}, not rollout.start ${plan.start})`;
        const when = planDay < 0 ? `the plan starts on ${start}` : `day ${planDay} of the plan since ${start} is due ${describe(due)}`;
        report(`flag ${key}: serves ${describe(served)}, ahead of its plan (${when})${origin}`);
      }
    },
  },
);

export const fullRolloutFlagRemoved = resourcePolicy<{ maxDaysAtFull: number }>(
  {
    name: "flags-full-rollout-flag-removed",
    description:
      `A flag at 100% for longer than maxDaysAtFull days (14) is reported: it has done its job, the code path it guards is the only one. ${SPEC_ROLLOUT}. ` +
      "Reported (always advisory) once a flag has served 100% for longer than maxDaysAtFull days.",
    severity: "low",
    remediation: [
      "Remove the flag's checks from the app in the next release.",
      "Then remove the flag from flightdeck:featureFlags; `pulumi up` deletes it in PostHog.",
    ],
    topics: TOPICS,
  },
  {
    types: [FEATURE_FLAG],
    config: {
      defaults: { maxDaysAtFull: 14 },
      schema: { maxDaysAtFull: { type: "integer", minimum: 0, description: "Days a flag may serve 100% before it is reported." } },
    },
    validate({ props }, settings, report) {
      const plan = planOf(props);
      if (typeof plan === "string" || rank(servedExposure(props, teamIds(props))) < rank({ percent: 100, team: false })) return;
      const full = plan.stages.find((stage) => stage.exposure.percent >= 100);
      if (!full) return;
      const reading = registerReading(props);
      const start = dayZeroOf(plan, typeof reading === "string" ? null : reading.recordedStart, now());
      const { planDay } = dueAt({ ...plan, start }, now());
      const daysAtFull = planDay - full.day;
      if (daysAtFull > settings.maxDaysAtFull) {
        const message = `flag ${flagKey(props)} has served 100% since ${addDays(start, full.day)} (${daysAtFull} days): remove the flag in the next release`;
        reportWith(report as unknown as ReportViolation, { message, enforcementLevel: "advisory" });
      }
    },
  },
);

const PLACEHOLDER_OWNERS = new Set(["tbd", "todo", "unknown", "none", "n/a", "na", "nobody", "-", "?"]);

export const productionOwnerRequired = resourcePolicy<{ stacks: string[] }>(
  {
    name: "flags-production-owner-required",
    description:
      "Every production flag has an owner who decides its rollout, answers when it misbehaves and removes it when done. " +
      'Spec, Feature Flags: "Kill Switch: If issues found, set flag to 0% immediately" — someone must be the one to do it.',
    severity: "medium",
    remediation: ["Set owner on the flag in flightdeck:featureFlags (a person or team handle, not a placeholder)."],
    topics: TOPICS,
  },
  {
    types: [FEATURE_FLAG],
    config: {
      defaults: { stacks: ["production"] },
      schema: { stacks: { type: "array", items: { type: "string" }, description: "More stacks whose flags need owners (production's always do)." } },
    },
    validate({ props }, settings, report, args) {
      const stack = currentStack();
      const production = props["environment"] === "production" || stack === "production";
      if (!production && !settings.stacks.includes(stack)) args.notApplicable("not a production flag");
      if (isUnknown(props["owner"])) throw new UnknownInputError("owner");
      const owner = (knownString(props["owner"]) ?? "").trim();
      if (owner === "" || PLACEHOLDER_OWNERS.has(owner.toLowerCase())) {
        report(`flag ${flagKey(props)} has no owner${owner === "" ? "" : ` (got ${JSON.stringify(owner)})`}`);
      }
    },
  },
);

export const productionNotAheadOfStaging = resourcePolicy(
  {
    name: "flags-production-not-ahead-of-staging",
    description:
      'Staging may run ahead of production, never behind. Spec, Environments: staging has "Feature flags enabled for unreleased features"; ' +
      'Deploying to Production: "Staging validation complete". Judged on the flag\'s record of what staging serves (read from staging\'s ' +
      "flag register, which staging's pulumi up writes): production serves no more than staging, starts its plan no earlier and is off when staging's kill switch is on.",
    severity: "high",
    remediation: [
      "Deploy the flag to staging first (`pulumi up --stack staging`), and start production's plan on or after staging's start date.",
      "If staging's kill switch is on, set production's kill switch too until staging is fixed.",
    ],
    topics: TOPICS,
  },
  {
    types: [FEATURE_FLAG],
    validate({ props }, _settings, report, args) {
      const stack = currentStack();
      if (props["environment"] !== "production" && stack !== "production") args.notApplicable("not a production flag");
      const key = flagKey(props);
      const staging = props["staging"];
      if (isUnknown(staging)) throw new UnknownInputError("staging");
      // null: the deployment model has no staging (direct-prod); a model change is judged elsewhere.
      if (staging === null) return;
      const record = asRecord(staging);
      if (!record) {
        report(`flag ${key}: records nothing about staging (staging), so it cannot be shown to be behind it`);
        return;
      }
      const served = servedExposure(props, teamIds(props));
      if (record["found"] !== true) {
        // A flag production does not serve yet may exist before staging has it: it is ahead of nothing.
        if (rank(served) > 0) report(`flag ${key} serves ${describe(served)} but is not deployed to ${knownString(record["stack"]) ?? "staging"}: roll it out there first`);
        return;
      }
      const stagingExposure = exposureOf(record["exposure"]);
      if (record["killSwitch"] === true && rank(served) > 0) {
        report(`flag ${key}: staging's kill switch is on but production serves ${describe(served)}`);
      } else if (stagingExposure && rank(served) > rank(stagingExposure)) {
        report(`flag ${key}: production serves ${describe(served)}, ahead of staging (${describe(stagingExposure)})`);
      }
      const productionStart = knownString(asRecord(props["rollout"])?.["start"]);
      const stagingStart = knownString(record["start"]);
      if (productionStart && stagingStart && isCalendarDate(productionStart) && isCalendarDate(stagingStart) && productionStart < stagingStart) {
        report(`flag ${key}: production's plan starts on ${productionStart}, before staging's (${stagingStart})`);
      }
    },
  },
);

function exposureOf(value: unknown): Exposure | undefined {
  const record = asRecord(value as PlainRecord);
  if (!record || typeof record["percent"] !== "number" || typeof record["team"] !== "boolean") return undefined;
  return { percent: record["percent"], team: record["team"] };
}

/** The API paths of PostHog's flags, in any input (a command, another dynamic provider's code or inputs). */
const POSTHOG_FLAG_API = /\/api\/(projects|environments)\/[^/\s"'`]+\/feature_flags\b|\/api\/feature_flag\b/;
const DYNAMIC_PREFIX = "pulumi-nodejs:dynamic";

export const flagsManagedByFlagResource = resourcePolicy(
  {
    name: "flags-posthog-managed-by-flag-resource",
    description:
      "PostHog flags change only through flightdeck's FeatureFlag resource, the one the rollout policies judge. A command or another " +
      `dynamic resource that calls PostHog's flag API goes around them. ${SPEC_ROLLOUT}.`,
    severity: "high",
    remediation: ["Declare the flag in flightdeck:featureFlags instead of calling PostHog's API from another resource."],
    topics: TOPICS,
  },
  {
    types: "*",
    validate({ type, props }, _settings, report) {
      if (type === FEATURE_FLAG) return;
      const dynamic = type.startsWith(DYNAMIC_PREFIX);
      if (!dynamic && !type.startsWith("command:")) return;
      const hit = stringsIn(props).find(({ value }) => POSTHOG_FLAG_API.test(value));
      const flagShaped = dynamic && asRecord(props["filters"])?.["groups"] !== undefined;
      if (hit) report(`${type} calls PostHog's feature flag API (${hit.path})`);
      else if (flagShaped) report(`${type} has PostHog release conditions (filters.groups) outside a FeatureFlag resource`);
    },
  },
);

export const flagPolicies = [
  rolloutPlanFollowsSpec,
  rolloutNotAheadOfPlan,
  fullRolloutFlagRemoved,
  productionOwnerRequired,
  productionNotAheadOfStaging,
  flagsManagedByFlagResource,
];
