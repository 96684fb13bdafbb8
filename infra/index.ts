import { loadStackConfig } from "./config/load";
import { buildStack } from "./stack";

const outputs = buildStack(loadStackConfig());

export const environment = outputs.environment;
export const protectedBranch = outputs.protectedBranch;
export const webUrl = outputs.webUrl;
export const deployEnvironment = outputs.deployEnvironment;
export const deployVariables = outputs.deployVariables;
export const runtimeSettings = outputs.runtimeSettings;
export const secrets = outputs.secrets;
export const rotationRegisterPrefix = outputs.rotationRegisterPrefix;
export const auditBucket = outputs.auditBucket;
export const auditRoleArn = outputs.auditRoleArn;
export const alertTopicArns = outputs.alertTopicArns;
export const featureFlags = outputs.featureFlags;
export const backupBucket = outputs.backupBucket;
export const drillRegister = outputs.drillRegister;
export const appRedeploy = outputs.appRedeploy;
