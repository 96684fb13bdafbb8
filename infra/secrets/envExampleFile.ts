import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";
import { SecretEntry } from "../config/schema";
import { ENV_EXAMPLE_PATH, renderEnvExample } from "./envExample";

export interface EnvExampleFileArgs {
  repository: string;
  /** This stack's deploy branch. */
  branch: string;
  /** The Pulumi stack name, named in the header and the commit message. */
  stack: string;
  entries: readonly SecretEntry[];
}

/** Commits `.env.example` (names and descriptions, never values) to the app repository. */
export class EnvExampleFile extends pulumi.ComponentResource {
  readonly file: github.RepositoryFile;

  constructor(name: string, args: EnvExampleFileArgs, opts?: pulumi.ComponentResourceOptions) {
    super("flightdeck:secrets:EnvExampleFile", name, {}, opts);
    this.file = new github.RepositoryFile(
      `${name}-file`,
      {
        repository: args.repository,
        branch: args.branch,
        file: ENV_EXAMPLE_PATH,
        content: renderEnvExample(args.entries, args.stack),
        commitMessage: `chore: update ${ENV_EXAMPLE_PATH} from the secrets inventory (flightdeck stack ${args.stack})`,
        overwriteOnCreate: true,
      },
      { parent: this },
    );
    this.registerOutputs({ path: this.file.file, commitSha: this.file.commitSha });
  }
}
