import type { DrillRecord } from "../../infra/backup/contract";
import type { FlightdeckModules } from "./programs";

/** What an SSM GetParametersByPath read answers for a path: parameter names and their values. */
export type SsmParameters = (path: string) => { names: string[]; values: string[] } | undefined;

const WEEKDAY_INDEX = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 } as const;

/** The newest scheduled drill start (weekday and HH:MM, UTC) at or before `at`. */
export function lastScheduledDrill(weekday: keyof typeof WEEKDAY_INDEX, time: string, at: Date): Date {
  const [hours, minutes] = time.split(":").map(Number);
  const candidate = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate(), hours, minutes));
  const back = (candidate.getUTCDay() - WEEKDAY_INDEX[weekday] + 7) % 7;
  candidate.setUTCDate(candidate.getUTCDate() - back);
  if (candidate.getTime() > at.getTime()) candidate.setUTCDate(candidate.getUTCDate() - 7);
  return candidate;
}

/**
 * Offline, the drill register (an SSM parameter the drill job writes in AWS) cannot be read: the
 * plan answers the program's read as if the newest scheduled drill had run and passed, and says so
 * in the record's `note`. A stack without disasterRecovery, or whose settings do not parse, reads
 * nothing, as before the first drill. The register's names and the drill's budget are the program's own
 * (`modules`, from the evaluated checkout).
 */
export function drillRegisterFromConfig(raw: Record<string, unknown>, at: Date, modules: Pick<FlightdeckModules, "backupContract" | "recoveryJobs" | "backupSettings" | "schema">): SsmParameters {
  const { drillRegister } = modules.backupContract;
  const { drillBudgetSeconds } = modules.recoveryJobs;
  const { disasterRecovery } = modules.backupSettings;
  const productSchema = modules.schema.product;
  return (path) => {
    const recovery = disasterRecovery.safeParse(raw["disasterRecovery"]);
    const product = productSchema.safeParse(raw["product"]);
    const environment = raw["environment"];
    if (!recovery.success || !product.success || typeof environment !== "string") return undefined;
    if (path !== drillRegister.parameterPrefix(product.data.slug, environment)) return undefined;
    const settings = recovery.data;
    // The newest drill that has finished (600 s after its start) by `at`: a drill still running counts the week before,
    // so plans made seconds apart record the same value.
    const ran = lastScheduledDrill(settings.drill.weekday, settings.drill.time, new Date(at.getTime() - 600_000));
    const finished = new Date(ran.getTime() + 600_000).toISOString().replace(/\.\d{3}Z$/, "Z");
    const record: DrillRecord = {
      status: "passed",
      lastRun: finished,
      lastPassed: finished,
      recoverySeconds: 600,
      rpoMinutes: settings.rpoMinutes,
      rtoMinutes: settings.rtoMinutes,
      budgetSeconds: drillBudgetSeconds(settings),
      note: "offline plan: the register cannot be read offline; assumed the newest scheduled drill passed in 600 s",
    };
    return { names: [drillRegister.parameterName(product.data.slug, environment)], values: [JSON.stringify(record)] };
  };
}
