import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";

export interface RecoveryFilesArgs {
  repository: string;
  /** This stack's deploy branch: each stack commits its own copy, as it does its workflow files. */
  branch: string;
  stack: string;
  /** Path in the repository → content. */
  files: Record<string, pulumi.Input<string>>;
}

/**
 * Commits the backup platforms' configuration and the DR runbook to the app repository, prepared
 * for the day they are needed (nothing is deployed to Netlify or Fly.io until the runbook says so).
 */
export class RecoveryFiles extends pulumi.ComponentResource {
  readonly files: Record<string, github.RepositoryFile> = {};

  constructor(name: string, args: RecoveryFilesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("flightdeck:dr:RecoveryFiles", name, {}, opts);
    for (const [path, content] of Object.entries(args.files)) {
      const id = path.replace(/[^A-Za-z0-9]+/g, "-").replace(/^-|-$/g, "").toLowerCase();
      this.files[path] = new github.RepositoryFile(
        `${name}-${id}`,
        {
          repository: args.repository,
          branch: args.branch,
          file: path,
          content,
          overwriteOnCreate: true,
          commitMessage: `flightdeck (stack ${args.stack}): update ${path} (disaster recovery)`,
        },
        { parent: this },
      );
    }
    this.registerOutputs({ paths: Object.keys(args.files) });
  }
}
