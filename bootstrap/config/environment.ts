import { DeclaredVariable, GITHUB_PROVIDER_ENVIRONMENT } from "../../infra/config/environment";

/** The environment variables the bootstrap program reads (see infra/config/environment.ts): only what the GitHub provider SDK reads. */
export const BOOTSTRAP_ENVIRONMENT: Readonly<Record<string, DeclaredVariable>> = { ...GITHUB_PROVIDER_ENVIRONMENT };
