import { now } from "../lib/clock";
import { resourcePolicy, stackPolicy, StackResource, UnknownInputError } from "../lib/define";
import { floorProblems, inDeployWindow, inFreeze, localTime, Schedule, SPEC_SCHEDULE, WEEKDAYS } from "../lib/schedule";
import { currentStack } from "../lib/stack";
import { MAY_CHECK_SCHEDULE, MAY_DEPLOY } from "../lib/workflow/files";
import { WorkflowParseError } from "../lib/workflow/model";
import { isUnknown } from "../lib/values";
import { productionDeploysAndTheirChecks, scheduleChecks } from "../lib/workflow/preflight";
import { REPOSITORY_FILE } from "./secrets";
import { workflowOf } from "./workflows";

export { inDeployWindow, inFreeze, localTime };
export type { Schedule };

/**
 * One source of truth for the schedule: the stack's `schedule`, as the program writes it into the
 * production pre-flight it commits (the pack's fixed schedule check, policies/lib/scheduleCheck.ts,
 * with the schedule as env data). The pack config holds only the floor, the spec's windows and
 * freezes, which that committed schedule must include.
 */

const monthDay = "^(\\d{4}-)?\\d{2}-\\d{2}$";
const clock = "^([01]\\d|2[0-3]):[0-5]\\d$";

/** The schedules the committed pre-flights enforce (every effective schedule check of every workflow file). */
export function committedSchedules(resources: StackResource[]): Schedule[] {
  const schedules: Schedule[] = [];
  for (const resource of resources) {
    if (resource.type !== REPOSITORY_FILE) continue;
    // Stryker disable next-line all: equivalent: a fast path; a file it lets through is parsed, and one without a schedule check adds no schedule.
    const content = resource.props["content"];
    // Stryker disable next-line all: equivalent (the same fast path).
    if (typeof content === "string" && !isUnknown(content) && !MAY_CHECK_SCHEDULE.test(content)) continue;
    let workflow: ReturnType<typeof workflowOf>;
    try {
      workflow = workflowOf(resource);
    } catch (error) {
      if (error instanceof UnknownInputError) continue; // judged on update; the spec's schedule still applies now
      throw error;
    }
    if (workflow === undefined || workflow instanceof WorkflowParseError) continue;
    for (const check of scheduleChecks(workflow)) if (check.schedule) schedules.push(check.schedule);
  }
  return schedules;
}

export const deploySchedule = stackPolicy<{ stacks: string[] }>(
  {
    name: "schedule-production-deploy-window",
    description:
      'Production changes only inside the deploy window and outside every freeze, judged at the time of the run, so people are there to watch them. Spec, Deployment Schedule: "Regular Deployments: Tuesdays and Thursdays, 10am-2pm EST … ' +
      'Deployment Freeze: Week before major product launch; During Black Friday/major events; December 20 - January 2 (holidays)". ' +
      '"Emergency Hotfixes: Anytime" — with an emergency waiver in policies/waivers.yaml. The window is the stack\'s own schedule as its pre-flight enforces it (at least the floor of schedule-production-preflight-enforces-floor), and the spec\'s.',
    severity: "medium",
    remediation: [
      "Wait for the next deploy window (the stack's flightdeck:schedule; the spec's Tue/Thu 10:00–14:00 America/New_York) outside any freeze.",
      "For an emergency hotfix, add a waiver for this policy (stack production) to policies/waivers.yaml with the approver, the reason and an expiry of hours, not days.",
    ],
    topics: ["schedule", "change-management"],
  },
  {
    config: {
      defaults: { stacks: ["production"] },
      schema: { stacks: { type: "array", items: { type: "string" }, description: "Stacks the schedule applies to." } },
    },
    validate(resources, settings, report, args) {
      const stack = currentStack();
      if (stack !== "" && !settings.stacks.includes(stack)) args.notApplicable(`no deploy schedule for stack ${stack}`);
      const at = now();
      const schedules = [SPEC_SCHEDULE, ...committedSchedules(resources)];
      const reported = new Set<string>();
      const once = (message: string) => {
        if (!reported.has(message)) report(message);
        reported.add(message);
      };
      for (const schedule of schedules) {
        const local = localTime(at, schedule.timezone);
        const stamp = `${local.weekday} ${local.date} ${local.time} ${schedule.timezone}`;
        for (const freeze of schedule.freezes) {
          if (inFreeze(local, freeze)) once(`deploys are frozen (${freeze.name}, ${freeze.from} – ${freeze.to}); it is ${stamp}`);
        }
        if (!inDeployWindow(local, schedule)) {
          once(`outside the deploy window (${schedule.deployDays.join("/")} ${schedule.deployHours.from}–${schedule.deployHours.to}); it is ${stamp}`);
        }
      }
    },
  },
);

export const preflightEnforcesFloor = resourcePolicy<Schedule>(
  {
    name: "schedule-production-preflight-enforces-floor",
    description:
      "Every job that deploys to production waits for a pre-flight that really enforces the schedule: the pack's fixed schedule check (policies/lib/scheduleCheck.ts), unskippable (no continue-on-error, no `if:`), with the stack's schedule as its data, and that schedule includes every window and freeze of the floor in this policy's config (no wider days or hours, no missing freeze day, the same time zone). " +
      'Spec, Deployment Schedule: "Tuesdays and Thursdays, 10am-2pm EST … Deployment Freeze: … December 20 - January 2 (holidays)"; Quality Gates: "Pre-flight checks pass".',
    severity: "high",
    remediation: [
      "Keep flightdeck:schedule at least as strict as the floor: deploy days and hours within it, every floor freeze covered, its time zone.",
      "Keep the pre-flight job the program generates (infra/workflows/preflight.ts) and the deploy job's `needs: [preflight]`; do not edit the committed workflow by hand.",
    ],
    topics: ["schedule", "change-management"],
  },
  {
    types: [REPOSITORY_FILE],
    config: {
      defaults: SPEC_SCHEDULE,
      schema: {
        timezone: { type: "string", minLength: 1, description: "IANA time zone of the deploy window." },
        deployDays: { type: "array", minItems: 1, items: { type: "string", enum: [...WEEKDAYS] }, description: "The days deploys may happen (the stack may allow fewer)." },
        deployHours: {
          type: "object",
          required: ["from", "to"],
          properties: { from: { type: "string", pattern: clock }, to: { type: "string", pattern: clock } },
          description: "Local time window, from inclusive, to exclusive (the stack may allow less).",
        },
        freezes: {
          type: "array",
          items: {
            type: "object",
            required: ["name", "from", "to"],
            properties: { name: { type: "string", minLength: 1 }, from: { type: "string", pattern: monthDay }, to: { type: "string", pattern: monthDay } },
          },
          description: "Freezes the stack must include: MM-DD every year, or YYYY-MM-DD for named events (past ones no longer bind).",
        },
      },
    },
    validate(resource, floor, report, args) {
      // Judged per workflow file: a production deploy job and the pre-flight it waits for are in the same file.
      // Stryker disable next-line all: equivalent: a fast path; a file it lets through is parsed, and one that deploys nothing has no deploy job to judge.
      const content = resource.props["content"];
      // Stryker disable next-line all: equivalent (the same fast path).
      if (typeof content === "string" && !isUnknown(content) && !MAY_DEPLOY.test(content)) return; // deploys nothing (cheaper than notApplicable's throw)
      const workflow = workflowOf(resource);
      if (workflow === undefined) return args.notApplicable("not a workflow file");
      if (workflow instanceof WorkflowParseError) return args.notApplicable("the file does not parse (see workflow-file-parses)");
      const today = now().toISOString().slice(0, 10);
      for (const deploy of productionDeploysAndTheirChecks(workflow, "production")) {
        const effective = deploy.waitsFor.filter((check) => check.schedule !== undefined);
        if (effective.length === 0) {
          const why = deploy.waitsFor.length > 0 ? deploy.waitsFor.flatMap((check) => check.problems.map((problem) => `${check.step.at}: ${problem}`)).join("; ") : "it needs no job with a schedule check";
          report(`${workflow.file} jobs.${deploy.job.id} deploys to production without an effective schedule check (${why})`);
          continue;
        }
        if (effective.some((check) => floorProblems(check.schedule!, floor, today).length === 0)) continue;
        for (const check of effective) {
          for (const problem of floorProblems(check.schedule!, floor, today)) report(`${workflow.file} ${check.step.at}: the schedule the pre-flight enforces is weaker than the floor: ${problem}`);
        }
      }
    },
  },
);

export const schedulePolicies = [deploySchedule, preflightEnforcesFloor];
