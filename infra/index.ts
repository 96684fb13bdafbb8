import { loadStackConfig } from "./config/load";
import { buildStack } from "./stack";

const outputs = buildStack(loadStackConfig());

// A part the stack's configuration leaves out is exported as null, not undefined: the SDK warns about every
// top-level undefined export (@pulumi/pulumi v3.276.0 sdk/nodejs/runtime/stack.ts, massage:
// "Undefined value (...) will not show as a stack output").

export const environment = outputs.environment;
export const protectedBranch = outputs.protectedBranch;
export const webUrl = outputs.webUrl ?? null;
export const deployEnvironment = outputs.deployEnvironment ?? null;
export const deployVariables = outputs.deployVariables ?? null;
export const runtimeSettings = outputs.runtimeSettings ?? null;
export const secrets = outputs.secrets ?? null;
export const rotationRegisterPrefix = outputs.rotationRegisterPrefix ?? null;
export const auditBucket = outputs.auditBucket ?? null;
export const auditRoleArn = outputs.auditRoleArn ?? null;
export const alertTopicArns = outputs.alertTopicArns ?? null;
export const featureFlags = outputs.featureFlags ?? null;
export const backupBucket = outputs.backupBucket ?? null;
export const drillRegister = outputs.drillRegister ?? null;
export const appRedeploy = outputs.appRedeploy ?? null;
