import { FlightdeckPolicy } from "../lib/define";
import { alertPolicies } from "./alerts";
import { auditPolicies } from "./audit";
import { bootstrapPolicies } from "./bootstrap";
import { bridgeKeyPolicies } from "./bridgeKeys";
import { bucketPolicies } from "./buckets";
import { databasePolicies } from "./database";
import { environmentPolicies } from "./environments";
import { githubProviderPolicies } from "./githubProvider";
import { iamPolicies } from "./iam";
import { isolationPolicies } from "./isolation";
import { keyPolicies } from "./keys";
import { metricsPolicies } from "./metrics";
import { pagingPolicies } from "./paging";
import { rateLimitPolicies } from "./rateLimits";
import { flagPolicies } from "./flags";
import { recoveryPolicies } from "./recovery";
import { recoveryScriptPolicies } from "./recoveryScripts";
import { reminderPolicies } from "./reminders";
import { stagingDataPolicies } from "./stagingData";
import { repositoryPolicies } from "./repository";
import { runtimePolicies } from "./runtime";
import { schedulePolicies } from "./schedule";
import { secretPolicies } from "./secrets";
import { secretScopePolicies } from "./secretScope";
import { secretCopyPolicies } from "./secretCopies";
import { workflowPolicies } from "./workflows";

/** Every policy of the pack, unwrapped (no waivers). Stack policies run in this order. */
export const allPolicies: FlightdeckPolicy[] = [
  ...repositoryPolicies,
  ...githubProviderPolicies,
  ...environmentPolicies,
  ...secretPolicies,
  ...reminderPolicies,
  ...secretScopePolicies,
  ...secretCopyPolicies,
  ...auditPolicies,
  ...bucketPolicies,
  ...iamPolicies,
  ...keyPolicies,
  ...alertPolicies,
  ...pagingPolicies,
  ...metricsPolicies,
  ...bridgeKeyPolicies,
  ...rateLimitPolicies,
  ...databasePolicies,
  ...workflowPolicies,
  ...schedulePolicies,
  ...flagPolicies,
  ...runtimePolicies,
  ...isolationPolicies,
  ...bootstrapPolicies,
  ...recoveryPolicies,
  ...recoveryScriptPolicies,
  ...stagingDataPolicies,
];
