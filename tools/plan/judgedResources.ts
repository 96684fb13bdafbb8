import type { RecordedProvider, RecordedResource } from "../offline/monitor";
import { maskSecrets } from "../offline/values";
import { PlanFileError } from "./base";
import type { PlanDocument } from "./document";

/**
 * The judged plan's resources as the offline engine records them: inputs as planned, every secret
 * the string `[secret #N]` (N shared by equal secret values, see PlannedResource.secretValueIds).
 */
export function recordedResources(plan: PlanDocument): RecordedResource[] {
  const providers = new Map<string, RecordedProvider>();
  for (const provider of plan.providers ?? []) {
    providers.set(provider.urn, { urn: provider.urn, type: provider.type, name: provider.name, ...judgedInputs(provider) });
  }
  return plan.resources.map((resource) => {
    const { inputs, secretPaths } = judgedInputs(resource);
    const provider = resource.providerUrn === undefined ? undefined : providers.get(resource.providerUrn);
    if (resource.providerUrn !== undefined && provider === undefined) throw new PlanFileError(`--judge: resource ${resource.urn} names provider ${resource.providerUrn}, which the plan does not list`);
    const options = resource.options;
    if (!options) throw new PlanFileError(`--judge: resource ${resource.urn} has no options`);
    return {
      urn: resource.urn,
      type: resource.type,
      name: resource.name,
      parent: resource.parent,
      custom: resource.custom,
      inputs,
      secretPaths,
      options: {
        protect: options.protect === true,
        retainOnDelete: options.retainOnDelete === true,
        deleteBeforeReplace: options.deleteBeforeReplace === true,
        dependsOn: Array.isArray(options.dependsOn) ? options.dependsOn.filter((urn): urn is string => typeof urn === "string") : [],
        provider: typeof options.provider === "string" ? options.provider : null,
        replaceOnChanges: Array.isArray(options.replaceOnChanges) ? options.replaceOnChanges.filter((path): path is string => typeof path === "string") : [],
      },
      ...(provider ? { provider } : {}),
    };
  });
}

/**
 * The inputs the pack gets: as evaluated when the plan was saved with `--format evaluation` (it lists
 * `secretPaths`), else with each secret the string `[secret #N]`.
 */
function judgedInputs(item: { inputs: Record<string, unknown>; secretPaths?: string[]; secretValueIds?: Record<string, number> }): { inputs: Record<string, unknown>; secretPaths: string[] } {
  if (item.secretPaths !== undefined) return { inputs: item.inputs, secretPaths: item.secretPaths };
  const ids = item.secretValueIds ?? {};
  let masked = item.inputs;
  for (const [path, id] of Object.entries(ids)) masked = maskSecrets(masked, [path], `[secret #${id}]`);
  return { inputs: masked, secretPaths: Object.keys(ids) };
}
