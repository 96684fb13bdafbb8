import * as pulumi from "@pulumi/pulumi";
import * as vercel from "@pulumiverse/vercel";
import { EnvironmentName } from "../config/schema";

/** Where a stack's Vercel environment variables apply. */
export interface VercelTarget {
  targets: ("production" | "preview")[];
  /** Preview variables are bound to the staging branch, so other previews do not get them. */
  gitBranch?: string;
}

/**
 * The Vercel target of a stack: production deployments for the production stack; the staging
 * branch's preview deployments for the staging stack (staging is a preview of the one project).
 */
export function vercelTargetOf(environment: EnvironmentName, branch: string): VercelTarget {
  return environment === "production" ? { targets: ["production"] } : { targets: ["preview"], gitBranch: branch };
}

export interface RuntimeSettingsArgs {
  /** WebProject.projectId. */
  projectId: pulumi.Input<string>;
  teamId: string;
  environment: EnvironmentName;
  target: VercelTarget;
  /** Plain settings (feature flags, rate limits, Stripe mode, log level); never secrets. */
  settings: Record<string, string>;
}

/**
 * The spec's per-environment differences (feature flags for unreleased features, looser rate
 * limits, Stripe test mode, verbose logging in staging) as plain Vercel environment variables.
 */
export class RuntimeSettings extends pulumi.ComponentResource {
  readonly variables: vercel.ProjectEnvironmentVariable[];

  constructor(name: string, args: RuntimeSettingsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("flightdeck:vercel:RuntimeSettings", name, {}, opts);

    this.variables = Object.entries(args.settings)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(
        ([key, value]) =>
          new vercel.ProjectEnvironmentVariable(
            `${name}-${key}`,
            {
              projectId: args.projectId,
              teamId: args.teamId,
              key,
              value,
              targets: args.target.targets,
              gitBranch: args.target.gitBranch,
              sensitive: false,
              comment: `${args.environment} runtime setting, managed by flightdeck (not a secret)`,
            },
            // The key is part of the variable's identity: a replacement must free it first.
            { parent: this, deleteBeforeReplace: true },
          ),
      );

    this.registerOutputs({ keys: Object.keys(args.settings).sort() });
  }
}
