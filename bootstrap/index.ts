import { loadBootstrapConfig } from "./config/load";
import { buildBootstrap } from "./program";

const outputs = buildBootstrap(loadBootstrapConfig());

export const account = outputs.account;
export const region = outputs.region;
export const backendUrl = outputs.backendUrl;
export const secretsProviders = outputs.secretsProviders;
export const secretsKeyArns = outputs.secretsKeyArns;
export const stateBucket = outputs.stateBucket;
export const githubOidcProviderArn = outputs.githubOidcProviderArn;
export const roles = outputs.roles;
export const breakGlassTopicArn = outputs.breakGlassTopicArn;
export const repositoryVariables = outputs.repositoryVariables;
export const environmentVariables = outputs.environmentVariables;
