import type { RecordedResource } from "../offline/monitor";
import { maskSecrets } from "../offline/values";
import { PlanFileError } from "./base";
import type { PlanDocument } from "./document";

/**
 * The judged plan's resources as the offline engine records them: inputs as planned, every secret
 * the string `[secret #N]` (N shared by equal secret values, see PlannedResource.secretValueIds).
 */
export function recordedResources(plan: PlanDocument): RecordedResource[] {
  return plan.resources.map((resource) => {
    let inputs = resource.inputs;
    const ids = resource.secretValueIds ?? {};
    for (const [path, id] of Object.entries(ids)) inputs = maskSecrets(inputs, [path], `[secret #${id}]`);
    const options = resource.options;
    if (!options) throw new PlanFileError(`--judge: resource ${resource.urn} has no options`);
    return {
      urn: resource.urn,
      type: resource.type,
      name: resource.name,
      parent: resource.parent,
      custom: resource.custom,
      inputs,
      secretPaths: Object.keys(ids),
      options: {
        protect: options.protect === true,
        retainOnDelete: options.retainOnDelete === true,
        deleteBeforeReplace: options.deleteBeforeReplace === true,
        dependsOn: Array.isArray(options.dependsOn) ? options.dependsOn.filter((urn): urn is string => typeof urn === "string") : [],
        provider: typeof options.provider === "string" ? options.provider : null,
        replaceOnChanges: Array.isArray(options.replaceOnChanges) ? options.replaceOnChanges.filter((path): path is string => typeof path === "string") : [],
      },
    };
  });
}
