import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";
import { StackSettings } from "../config/schema";
import { renderWorkflowFiles } from "./files";
import { assertHardened } from "./hardening";

export interface WorkflowFilesArgs {
  settings: StackSettings;
  /** The branch the files are committed to: this stack's deploy branch. */
  branch: string;
  /** The stack's name, for the commit message. */
  stack: string;
}

/**
 * Commits the stack's workflow files (`.github/workflows/<name>.yml`) to the product repository.
 * The files are rendered from the validated settings and checked against the hardening rules
 * first: a file that breaks one stops the program before anything is committed.
 */
export class WorkflowFiles extends pulumi.ComponentResource {
  readonly files: Record<string, github.RepositoryFile> = {};

  constructor(name: string, args: WorkflowFilesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("flightdeck:pipelines:WorkflowFiles", name, {}, opts);
    const rendered = renderWorkflowFiles(args.settings);
    for (const file of rendered) assertHardened(file.path, file.content);

    for (const file of rendered) {
      this.files[file.path] = new github.RepositoryFile(
        `${name}-${file.name}`,
        {
          repository: args.settings.github.repository,
          branch: args.branch,
          file: file.path,
          content: file.content,
          overwriteOnCreate: true,
          commitMessage: `flightdeck (stack ${args.stack}): update ${file.path}`,
        },
        { parent: this },
      );
    }
    this.registerOutputs({ paths: rendered.map((file) => file.path) });
  }
}
