import { readNamespace } from "../../infra/config/load";
import { product as productSchema, schedule as scheduleSchema } from "../../infra/config/schema";
import { flagRun } from "../../infra/flags/flagPlans";
import { FlagRecord, flagRegister } from "../../infra/flags/register";
import { featureFlags as featureFlagsSchema } from "../../infra/flags/settings";
import type { SsmParameters } from "./drillRegister";
import { readStackConfig, stacksIn } from "./stackConfig";

/**
 * Offline, the flag registers (SSM parameters each stack's `pulumi up` writes in AWS) cannot be read:
 * the plan answers a read of `/flightdeck/<product>/<stack>/feature-flags` as that stack's `pulumi up`
 * would have written it, from the stack file of the checkout that stands for what is deployed
 * (`npm run plan -- --deployed <dir>`: in a pull request's evaluation, the base branch; by default this
 * checkout): each flag recorded as applied since its configured start, at the stage due at `at`. Each
 * record's `note` says so. A stack file that is missing or whose flags do not parse answers nothing, and
 * what reads it sees no record (a flag not yet deployed there).
 */
export function flagRegistersFromFiles(deployedDir: string, at: Date): SsmParameters {
  const stacks = stacksIn(deployedDir);
  return (path) => {
    for (const stack of stacks) {
      let raw: Record<string, unknown>;
      try {
        raw = readNamespace(readStackConfig(stack, deployedDir).config);
      } catch {
        continue;
      }
      const product = productSchema.safeParse(raw["product"]);
      const environment = raw["environment"];
      if (!product.success || typeof environment !== "string" || path !== flagRegister.path(product.data.slug, environment)) continue;
      const flags = featureFlagsSchema.optional().safeParse(raw["featureFlags"]);
      const schedule = scheduleSchema.safeParse(raw["schedule"]);
      if (!flags.success || !schedule.success || !flags.data) return { names: [], values: [] };
      const names: string[] = [];
      const values: string[] = [];
      for (const flag of flags.data.flags) {
        const parameter = flagRegister.parameterName(product.data.slug, environment, flag.key);
        const applied = { key: flag.key, start: flag.rollout.start, stage: "", exposure: { percent: 0, team: false }, killSwitch: false };
        const record: FlagRecord = {
          ...flagRun(flag, schedule.data.timezone, at, parameter, applied).record,
          note: `offline plan: the register cannot be read offline; assumed applied since rollout.start in ${stackFileLabel(stack)} of the deployed checkout`,
        };
        names.push(parameter);
        values.push(JSON.stringify(record));
      }
      return { names, values };
    }
    return undefined;
  };
}

function stackFileLabel(stack: string): string {
  return `Pulumi.${stack}.yaml`;
}

/** Both offline registers a program reads by path: the drill's and the flags'. */
export function registers(...readers: SsmParameters[]): SsmParameters {
  return (path) => {
    for (const read of readers) {
      const found = read(path);
      if (found) return found;
    }
    return undefined;
  };
}
