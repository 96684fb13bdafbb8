import { stackPolicy } from "../lib/define";
import { now } from "../lib/clock";
import { currentStack } from "../lib/stack";

const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

export interface Freeze {
  name: string;
  /** MM-DD (every year) or YYYY-MM-DD; inclusive. */
  from: string;
  to: string;
}

export interface ScheduleSettings {
  stacks: string[];
  timezone: string;
  deployDays: string[];
  deployHours: { from: string; to: string };
  freezes: Freeze[];
}

export interface LocalTime {
  date: string; // YYYY-MM-DD
  monthDay: string; // MM-DD
  weekday: string; // Mon..Sun
  time: string; // HH:MM
}

export function localTime(at: Date, timeZone: string): LocalTime {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    weekday: "short",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).formatToParts(at);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? "";
  return {
    date: `${part("year")}-${part("month")}-${part("day")}`,
    monthDay: `${part("month")}-${part("day")}`,
    weekday: part("weekday"),
    time: `${part("hour")}:${part("minute")}`,
  };
}

/** Whether `local` falls inside the freeze (inclusive; an every-year freeze may wrap the new year). */
export function inFreeze(local: LocalTime, freeze: Freeze): boolean {
  if (freeze.from.length === 10 && freeze.to.length === 10) return freeze.from <= local.date && local.date <= freeze.to;
  const from = freeze.from.slice(-5);
  const to = freeze.to.slice(-5);
  return from <= to ? from <= local.monthDay && local.monthDay <= to : local.monthDay >= from || local.monthDay <= to;
}

export function inDeployWindow(local: LocalTime, settings: ScheduleSettings): boolean {
  return settings.deployDays.includes(local.weekday) && settings.deployHours.from <= local.time && local.time < settings.deployHours.to;
}

const monthDay = "^(\\d{4}-)?\\d{2}-\\d{2}$";
const clock = "^([01]\\d|2[0-3]):[0-5]\\d$";

export const deploySchedule = stackPolicy<ScheduleSettings>(
  {
    name: "schedule-production-deploy-window",
    description:
      'Production changes go out when people are there to watch them. Spec, Deployment Schedule: "Regular Deployments: Tuesdays and Thursdays, 10am-2pm EST … ' +
      'Deployment Freeze: Week before major product launch; During Black Friday/major events; December 20 - January 2 (holidays)". ' +
      '"Emergency Hotfixes: Anytime" — with an emergency waiver in policies/waivers.yaml.',
    severity: "medium",
    remediation: [
      "Wait for the next deploy window (Tue/Thu 10:00–14:00 America/New_York) outside any freeze.",
      "For an emergency hotfix, add a waiver for this policy (stack production) to policies/waivers.yaml with the approver, the reason and an expiry of hours, not days.",
    ],
    topics: ["schedule", "change-management"],
  },
  {
    config: {
      defaults: {
        stacks: ["production"],
        timezone: "America/New_York",
        deployDays: ["Tue", "Thu"],
        deployHours: { from: "10:00", to: "14:00" },
        freezes: [{ name: "holidays", from: "12-20", to: "01-02" }],
      },
      schema: {
        stacks: { type: "array", items: { type: "string" }, description: "Stacks the schedule applies to." },
        timezone: { type: "string", minLength: 1, description: "IANA time zone of the deploy window." },
        deployDays: { type: "array", minItems: 1, items: { type: "string", enum: WEEKDAYS }, description: "Days deploys may happen." },
        deployHours: {
          type: "object",
          required: ["from", "to"],
          properties: { from: { type: "string", pattern: clock }, to: { type: "string", pattern: clock } },
          description: "Local time window (from inclusive, to exclusive).",
        },
        freezes: {
          type: "array",
          items: {
            type: "object",
            required: ["name", "from", "to"],
            properties: { name: { type: "string", minLength: 1 }, from: { type: "string", pattern: monthDay }, to: { type: "string", pattern: monthDay } },
          },
          description: "Freeze windows: MM-DD every year, or YYYY-MM-DD for named events.",
        },
      },
    },
    validate(_resources, settings, report, args) {
      const stack = currentStack();
      if (stack !== "" && !settings.stacks.includes(stack)) args.notApplicable(`no deploy schedule for stack ${stack}`);
      const at = now();
      const local = localTime(at, settings.timezone);
      const stamp = `${local.weekday} ${local.date} ${local.time} ${settings.timezone}`;
      for (const freeze of settings.freezes) {
        if (inFreeze(local, freeze)) report(`deploys are frozen (${freeze.name}, ${freeze.from} – ${freeze.to}); it is ${stamp}`);
      }
      if (!inDeployWindow(local, settings)) {
        report(`outside the deploy window (${settings.deployDays.join("/")} ${settings.deployHours.from}–${settings.deployHours.to}); it is ${stamp}`);
      }
    },
  },
);

export const schedulePolicies = [deploySchedule];
