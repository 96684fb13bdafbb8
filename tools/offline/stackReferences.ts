import { featureFlags as featureFlagsSchema } from "../../infra/flags/settings";
import { exportedFlags } from "../../infra/flags/flagPlans";
import { readNamespace } from "../../infra/config/load";
import { schedule as scheduleSchema } from "../../infra/config/schema";
import { readStackConfig } from "./stackConfig";

/** The outputs a stack reference (`<organization>/<project>/<stack>`) answers with, or undefined for an unknown stack. */
export type StackReferenceOutputs = (fullName: string) => Record<string, unknown> | undefined;

/**
 * Offline, a referenced stack has no state to read: its outputs are computed from its stack file,
 * as that stack's program would export them at `at`. Only the outputs the program reads are
 * answered (`featureFlags`, which production reads from staging). A stack file that is missing
 * or whose flags do not parse answers nothing, and what reads it sees "not deployed".
 */
export function stackReferencesFromFiles(projectDir: string, at: Date): StackReferenceOutputs {
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
