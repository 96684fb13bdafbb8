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

/**
 * What esbuild reads when the program loads it to bundle the metrics bridge (infra/metrics/bundle.ts):
 * esbuild@0.28.2 lib/main.js reads ESBUILD_BINARY_PATH and ESBUILD_WORKER_THREADS as it loads and
 * ESBUILD_MAX_BUFFER for each synchronous build. They choose esbuild's binary and how it is driven, not
 * what it builds: unset in the plan, and never set by the deploy jobs. (An offline plan of this
 * checkout's own program meets esbuild already loaded by the engine; one of another checkout, as in a
 * pull request's evaluation, loads that checkout's own, as `pulumi up` does.)
 */
export const ESBUILD_ENVIRONMENT: Readonly<Record<string, DeclaredVariable>> = {
  ESBUILD_BINARY_PATH: { why: "esbuild's binary, read as esbuild loads; unset in the plan and the deploy jobs" },
  ESBUILD_WORKER_THREADS: { why: "whether esbuild's synchronous API runs in a worker thread, read as esbuild loads; unset in the plan and the deploy jobs" },
  ESBUILD_MAX_BUFFER: { why: "the output buffer of esbuild's synchronous builds; unset in the plan and the deploy jobs" },
};

/**
 * The variable the program's clock reads (infra/flags/clock.ts). Named here, where the variables are
 * declared: this file is part of the gate, judged from the base branch (tools/offline/programs.ts), and
 * imports nothing of the program.
 */
export const ROLLOUT_CLOCK_ENV = "FLIGHTDECK_NOW";

export const PROGRAM_ENVIRONMENT: Readonly<Record<string, DeclaredVariable>> = {
  [ROLLOUT_CLOCK_ENV]: {
    why: "the instant feature-flag rollouts and config dates are judged at (infra/flags/clock.ts); unset, the time of the run",
    plan: "plan clock",
  },
  ...GITHUB_PROVIDER_ENVIRONMENT,
  ...ESBUILD_ENVIRONMENT,
};

/** The values a plan at `now` evaluates the declared variables with (undefined: unset). */
export function planEnvironment(declared: Readonly<Record<string, DeclaredVariable>>, now: Date): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(declared).map(([name, variable]) => [name, variable.plan === "plan clock" ? now.toISOString() : undefined]));
}
