/**
 * Deploy windows and freezes as data, and the calendar arithmetic both the pack and the generated
 * pre-flight (through policies/lib/scheduleCheck.ts) agree on. Pure: no clock, no config.
 */

export const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"] as const;

export interface Freeze {
  name: string;
  /** MM-DD (every year) or YYYY-MM-DD; inclusive. A freeze is dated only when both ends are. */
  from: string;
  to: string;
}

export interface Schedule {
  /** IANA time zone of the window. */
  timezone: string;
  deployDays: string[];
  /** Local time: from inclusive, to exclusive. */
  deployHours: { from: string; to: string };
  freezes: Freeze[];
}

/** The spec's schedule: "Tuesdays and Thursdays, 10am-2pm EST … December 20 - January 2 (holidays)". */
export const SPEC_SCHEDULE: Schedule = {
  timezone: "America/New_York",
  deployDays: ["Tue", "Thu"],
  deployHours: { from: "10:00", to: "14:00" },
  freezes: [{ name: "holidays", from: "12-20", to: "01-02" }],
};

export interface LocalTime {
  date: string; // YYYY-MM-DD
  monthDay: string; // MM-DD
  weekday: string; // Mon..Sun
  time: string; // HH:MM
}

const LOCAL_TIME_PARTS: Intl.DateTimeFormatOptions = { weekday: "short", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" };

/** One formatter per time zone: constructing one (it loads the zone's ICU data) costs far more than using it. */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  // Stryker disable all: a memo. Bypassing it changes only the speed; a mutant of the formatter it makes fails
  // the specs in a fresh process, but Stryker tests each mutant in a process whose memo its first run filled.
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat("en-US", { ...LOCAL_TIME_PARTS, timeZone });
    formatters.set(timeZone, formatter);
  }
  // Stryker restore all
  return formatter;
}

export function localTime(at: Date, timeZone: string): LocalTime {
  const part = Object.fromEntries(formatterFor(timeZone).formatToParts(at).map(({ type, value }) => [type, value]));
  return {
    date: `${part["year"]}-${part["month"]}-${part["day"]}`,
    monthDay: `${part["month"]}-${part["day"]}`,
    weekday: String(part["weekday"]),
    time: `${part["hour"]}:${part["minute"]}`,
  };
}

export function isDated(freeze: Freeze): boolean {
  return freeze.from.length === 10 && freeze.to.length === 10;
}

/** Whether a local date falls inside the freeze (inclusive; an every-year freeze may wrap the new year). */
export function inFreeze(local: Pick<LocalTime, "date" | "monthDay">, freeze: Freeze): boolean {
  return isDated(freeze) ? freeze.from <= local.date && local.date <= freeze.to : onYearlyFreezeDay(local.monthDay, freeze);
}

/** Whether MM-DD is a day of a freeze read as every year (by the MM-DD of its ends, whatever year one of them names). */
function onYearlyFreezeDay(monthDay: string, freeze: Freeze): boolean {
  const from = freeze.from.slice(-5);
  const to = freeze.to.slice(-5);
  return from <= to ? from <= monthDay && monthDay <= to : monthDay >= from || monthDay <= to;
}

export function inDeployWindow(local: LocalTime, schedule: Pick<Schedule, "deployDays" | "deployHours">): boolean {
  return schedule.deployDays.includes(local.weekday) && schedule.deployHours.from <= local.time && local.time < schedule.deployHours.to;
}

/** The IANA name a time zone resolves to (`US/Eastern` is `America/New_York`), or undefined when unknown. */
export function canonicalTimeZone(zone: string): string | undefined {
  try {
    return new Intl.DateTimeFormat("en-US", { timeZone: zone }).resolvedOptions().timeZone;
    // Stryker disable next-line BlockStatement: equivalent: an empty catch returns undefined too.
  } catch {
    return undefined;
  }
}

const DAY_MS = 24 * 60 * 60 * 1000;

function* datesBetween(from: string, to: string): Generator<string> {
  for (let at = Date.parse(`${from}T00:00:00Z`), end = Date.parse(`${to}T00:00:00Z`); at <= end; at += DAY_MS) {
    yield new Date(at).toISOString().slice(0, 10);
  }
}

/** The later of two YYYY-MM-DD dates. */
function later(a: string, b: string): string {
  // Stryker disable next-line EqualityOperator: equivalent: of two equal dates, either is the later.
  return a > b ? a : b;
}

/** Every MM-DD an every-year freeze covers (a leap year's calendar, so 02-29 counts). */
function monthDaysOf(freeze: Freeze): string[] {
  const from = freeze.from.slice(-5);
  const to = freeze.to.slice(-5);
  const year = (month: string) => `2024-${month}`;
  const days = from <= to ? [...datesBetween(year(from), year(to))] : [...datesBetween(year(from), "2024-12-31"), ...datesBetween("2024-01-01", year(to))];
  return days.map((day) => day.slice(5));
}

/**
 * How `schedule` falls short of `floor`: a problem per widened day, hour, time zone or uncovered
 * freeze day, empty when every restriction of the floor holds in the schedule. A dated freeze of
 * the floor that ended before `today` (YYYY-MM-DD) no longer binds.
 */
export function floorProblems(schedule: Schedule, floor: Schedule, today: string): string[] {
  const problems: string[] = [];
  const zone = canonicalTimeZone(schedule.timezone);
  const floorZone = canonicalTimeZone(floor.timezone) ?? floor.timezone;
  if (zone !== floorZone) problems.push(`time zone ${schedule.timezone} is not the floor's ${floor.timezone}`);
  const extraDays = schedule.deployDays.filter((day) => !floor.deployDays.includes(day));
  if (extraDays.length > 0) problems.push(`deploy days ${extraDays.join(", ")} are outside the floor's ${floor.deployDays.join(", ")}`);
  if (schedule.deployHours.from < floor.deployHours.from || schedule.deployHours.to > floor.deployHours.to) {
    problems.push(`deploy hours ${schedule.deployHours.from}-${schedule.deployHours.to} are wider than the floor's ${floor.deployHours.from}-${floor.deployHours.to}`);
  }
  for (const freeze of floor.freezes) {
    const uncovered = isDated(freeze)
      ? [...datesBetween(later(freeze.from, today), freeze.to)].filter((date) => !schedule.freezes.some((own) => inFreeze({ date, monthDay: date.slice(5) }, own)))
      : monthDaysOf(freeze).filter((monthDay) => !schedule.freezes.some((own) => !isDated(own) && onYearlyFreezeDay(monthDay, own)));
    if (uncovered.length > 0) {
      const span = uncovered.length === 1 ? uncovered[0] : `${uncovered[0]} … ${uncovered[uncovered.length - 1]} (${uncovered.length} days)`;
      problems.push(`the floor's freeze ${freeze.name} (${freeze.from} to ${freeze.to}) is not frozen on ${span}${isDated(freeze) ? "" : " every year"}`);
    }
  }
  return problems;
}
