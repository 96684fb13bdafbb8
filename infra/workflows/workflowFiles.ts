import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";
import { StackSettings } from "../config/schema";
import { renderWorkflowFiles } from "./files";

export interface WorkflowFilesArgs {
  settings: StackSettings;
  /** The branch the files are committed to: this stack's deploy branch. */
  branch: string;
  /** The stack's name, for the commit message. */
  stack: string;
}

/**
 * Commits the stack's workflow files (`.github/workflows/<name>.yml`) to the product repository,
 * rendered from the validated settings. The workflow rules are the policy pack's
 * (policies/rules/workflows.ts): a file that breaks one is reported as a violation of that policy,
 * naming the file and the YAML path, like any other resource (the program does not stop with a trace).
 */
export class WorkflowFiles extends pulumi.ComponentResource {
  readonly files: Record<string, github.RepositoryFile> = {};

  constructor(name: string, args: WorkflowFilesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("flightdeck:pipelines:WorkflowFiles", name, {}, opts);
    const rendered = renderWorkflowFiles(args.settings);

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
