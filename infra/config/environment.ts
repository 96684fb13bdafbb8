import { ROLLOUT_CLOCK_ENV } from "../flags/clock";

/**
 * The environment variables the program reads, each with why, and what the offline plan evaluates it
 * with. Nothing else of the machine that runs `pulumi up` may reach the resources: the offline plan
 * runs the program with exactly these (docs/plan.md) and refuses a program that reads any other
 * (directly, or through a library such as a provider SDK that takes a default from the environment).
 */
export interface DeclaredVariable {
  why: string;
  /** The value the offline plan gives it: `"plan clock"` is the plan's `--at`; undefined is unset. */
  plan?: "plan clock";
}

/**
 * What @pulumi/github's Provider reads whatever the program passes: `token: args.token ? secret(args.token)
 * : undefined ?? getEnv("GITHUB_TOKEN")` (provider.js), so any provider without a token takes the variable
 * into its inputs. The program authenticates as an App (github/provider.ts), which makes the provider
 * ignore a token, but a token set on the deploy machine would still be recorded among the provider's
 * inputs: the plan evaluates it unset, and the jobs that run `pulumi up` must not set it.
 */
export const GITHUB_PROVIDER_ENVIRONMENT: Readonly<Record<string, DeclaredVariable>> = {
  GITHUB_TOKEN: {
    why: "@pulumi/github's Provider takes a token from it when the program passes none; unused with App authentication; unset in the plan, and never set by the deploy jobs",
  },
};

export const PROGRAM_ENVIRONMENT: Readonly<Record<string, DeclaredVariable>> = {
  [ROLLOUT_CLOCK_ENV]: {
    why: "the instant feature-flag rollouts and config dates are judged at (infra/flags/clock.ts); unset, the time of the run",
    plan: "plan clock",
  },
  ...GITHUB_PROVIDER_ENVIRONMENT,
};

/** The values a plan at `now` evaluates the declared variables with (undefined: unset). */
export function planEnvironment(declared: Readonly<Record<string, DeclaredVariable>>, now: Date): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(declared).map(([name, variable]) => [name, variable.plan === "plan clock" ? now.toISOString() : undefined]));
}
