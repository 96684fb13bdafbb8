import type { FlightdeckModules } from "./programs";
import { readStackConfig } from "./stackConfig";

/** The outputs a stack reference (`<organization>/<project>/<stack>`) answers with, or undefined for an unknown stack. */
export type StackReferenceOutputs = (fullName: string) => Record<string, unknown> | undefined;

/**
 * Offline, a referenced stack has no state to read: its outputs are computed from its stack file,
 * as that stack's program would export them at `at`. Only the outputs the program reads are
 * answered (`featureFlags`, which production reads from staging), with the program's own model of them
 * (`modules`, from the evaluated checkout). A stack file that is missing or whose flags do not parse
 * answers nothing, and what reads it sees "not deployed".
 */
export function stackReferencesFromFiles(projectDir: string, at: Date, modules: Pick<FlightdeckModules, "load" | "flagSettings" | "flagPlans" | "schema">): StackReferenceOutputs {
  const { readNamespace } = modules.load;
  const featureFlagsSchema = modules.flagSettings.featureFlags;
  const scheduleSchema = modules.schema.schedule;
  const { exportedFlags } = modules.flagPlans;
  return (fullName) => {
    const stack = fullName.split("/").pop() ?? "";
    let raw: Record<string, unknown>;
    try {
      raw = readNamespace(readStackConfig(stack, projectDir).config);
    } catch {
      return undefined;
    }
    const flags = featureFlagsSchema.optional().safeParse(raw["featureFlags"]);
    const timezone = scheduleSchema.safeParse(raw["schedule"]);
    if (!flags.success || !timezone.success) return {};
    return { featureFlags: exportedFlags(flags.data, timezone.data.timezone, at) };
  };
}
