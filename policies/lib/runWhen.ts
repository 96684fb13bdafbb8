import type { StackValidation } from "@pulumi/policy";
import { PULUMI_TYPE_KEY } from "./define";

/** A type token no resource has. */
const NOTHING_TO_REPORT = "flightdeck:gate:NothingToReport";

/**
 * Lets the SDK skip a stack validation while it has nothing to report. @pulumi/policy deserializes
 * every resource of the stack for each stack policy it runs, unless the validation carries a type
 * (`__pulumiType`) that no resource of the stack has (@pulumi/policy@1.21.0 server.js,
 * makeAnalyzeStackRpcFun; policy.js getPulumiType reads the property on every call). The gate's own
 * checks usually have nothing to say, so they declare such a type until they do.
 */
export function runWhen(validation: StackValidation, needed: () => boolean): StackValidation {
  Object.defineProperty(validation, PULUMI_TYPE_KEY, { get: () => (needed() ? undefined : NOTHING_TO_REPORT), enumerable: true });
  return validation;
}
