import { FlightdeckPolicy } from "../lib/define";
import { alertPolicies } from "./alerts";
import { auditPolicies } from "./audit";
import { databasePolicies } from "./database";
import { environmentPolicies } from "./environments";
import { repositoryPolicies } from "./repository";
import { runtimePolicies } from "./runtime";
import { schedulePolicies } from "./schedule";
import { secretPolicies } from "./secrets";
import { workflowPolicies } from "./workflows";

/** Every policy of the pack, unwrapped (no waivers). Stack policies run in this order. */
export const allPolicies: FlightdeckPolicy[] = [
  ...repositoryPolicies,
  ...environmentPolicies,
  ...secretPolicies,
  ...auditPolicies,
  ...alertPolicies,
  ...databasePolicies,
  ...workflowPolicies,
  ...schedulePolicies,
  ...runtimePolicies,
];
