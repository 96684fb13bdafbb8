import { loadStackConfig } from "./config/load";
import { buildStack } from "./stack";

const outputs = buildStack(loadStackConfig());

export const environment = outputs.environment;
export const protectedBranch = outputs.protectedBranch;
export const webUrl = outputs.webUrl;
