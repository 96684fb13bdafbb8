import { existsSync } from "node:fs";
import * as path from "node:path";
import { stacksIn } from "../offline/stackConfig";
import { WrapperArgs, WrapperUsageError } from "./args";

/** Stacks that only the pipeline applies; `npm run up` refuses them elsewhere unless --break-glass. */
export const PIPELINE_ONLY_STACKS = ["production"];

/** The pack and its per-stack config, relative to the project directory (the wrappers run the CLI there). */
export const POLICY_PACK_DIR = "policies";
export const policyConfigFile = (stack: string, packDir: string = POLICY_PACK_DIR) => `${packDir}/config/${stack}.json`;

/**
 * The stacks the wrappers know: a `Pulumi.<stack>.yaml` in the project with a policy config
 * `<pack>/config/<stack>.json` beside the pack (`packDir` relative to the project directory).
 */
export function knownStacks(projectDir: string, packDir: string = POLICY_PACK_DIR): string[] {
  return stacksIn(projectDir).filter((stack) => existsSync(path.join(projectDir, policyConfigFile(stack, packDir))));
}

/**
 * Whether this runs in a GitHub Actions job: GitHub sets GITHUB_ACTIONS=true on every step and a
 * workflow cannot overwrite it (https://docs.github.com/en/actions/reference/variables-reference,
 * "Default environment variables"). Anyone can set it on a laptop: this is advisory; what keeps
 * production to the pipeline is that only the pipeline's role can write its state and decrypt its
 * secrets.
 */
export function inGitHubActions(env: NodeJS.ProcessEnv): boolean {
  return env["GITHUB_ACTIONS"] === "true";
}

export interface Invocation {
  /** The Pulumi CLI's arguments. */
  argv: string[];
  /** What the wrapper tells the user before running it (stderr). */
  notices: string[];
}

/**
 * The Pulumi CLI command for the wrapper's arguments: always this stack's pack and policy config
 * (`--policy-pack policies --policy-pack-config policies/config/<stack>.json`, paired by position:
 * pulumi/pulumi@v3.259.0 pkg/cmd/pulumi/operations/{preview,up}.go, flags "policy-pack" and
 * "policy-pack-config") and an explicit `--stack`.
 */
export function pulumiInvocation(
  args: WrapperArgs,
  context: { stacks: readonly string[]; env: NodeJS.ProcessEnv; user: string; packDir?: string },
): Invocation {
  const { stack } = args;
  const packDir = context.packDir ?? POLICY_PACK_DIR;
  if (!context.stacks.includes(stack)) {
    throw new WrapperUsageError(
      `unknown stack ${JSON.stringify(stack)}: a stack needs Pulumi.<stack>.yaml and ${policyConfigFile("<stack>", packDir)} (known: ${context.stacks.join(", ") || "none"})`,
    );
  }
  const notices: string[] = [];
  const messages: string[] = [];
  if (args.message !== undefined) messages.push(args.message);

  if (args.command === "up") {
    const pipelineOnly = PIPELINE_ONLY_STACKS.includes(stack);
    if (args.breakGlass !== undefined && !pipelineOnly) {
      throw new WrapperUsageError(`--break-glass is only for ${PIPELINE_ONLY_STACKS.join(", ")}: ${stack} may be applied from anywhere`);
    }
    if (pipelineOnly && args.skipPreview) {
      // Without the preview, the stack policies (the deploy window among them) run only after every
      // resource was changed (pulumi/pulumi@v3.259.0: pkg/backend/apply.go PreviewThenPromptThenExecute;
      // pkg/resource/deploy/deployment_executor.go calls AnalyzeResources after the steps).
      throw new WrapperUsageError(`--skip-preview is refused for ${stack}: without the preview, stack policies such as the deploy window are judged only after the changes are applied`);
    }
    const inCI = inGitHubActions(context.env);
    if (pipelineOnly && !inCI && args.breakGlass === undefined) {
      throw new WrapperUsageError(
        `refusing to apply ${stack} outside CI: ${stack} is applied by the infra pipeline (.github/workflows/infra.yml). ` +
          `In an emergency: npm run up -- --stack ${stack} --break-glass "<why, with the incident id>"`,
      );
    }
    if (pipelineOnly && inCI) {
      const run = ["GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID"].every((key) => context.env[key])
        ? `${context.env["GITHUB_SERVER_URL"]}/${context.env["GITHUB_REPOSITORY"]}/actions/runs/${context.env["GITHUB_RUN_ID"]}`
        : "an unidentified GitHub Actions run";
      messages.push(`pipeline: ${run}${context.env["GITHUB_SHA"] ? ` at ${context.env["GITHUB_SHA"]}` : ""}${context.env["GITHUB_ACTOR"] ? `, started by ${context.env["GITHUB_ACTOR"]}` : ""}`);
      notices.push(`applying ${stack} from ${run}`);
    }
    if (args.breakGlass !== undefined) {
      messages.push(`BREAK-GLASS by ${context.user}: ${args.breakGlass}`);
      notices.push(`BREAK-GLASS: applying ${stack}${inCI ? "" : " outside CI"} as ${context.user}. Reason: ${args.breakGlass}`);
      notices.push("the reason is recorded as the update's message (pulumi stack history); the policy pack still runs and its mandatory violations still block");
    }
  }

  const argv = [args.command, "--stack", stack, "--policy-pack", packDir, "--policy-pack-config", policyConfigFile(stack, packDir)];
  // Without --message the CLI records the git commit's title (pulumi/pulumi@v3.259.0: pkg/cmd/pulumi/metadata/metadata.go).
  if (messages.length > 0) argv.push("--message", messages.join(" | "));
  if (args.diff) argv.push("--diff");
  if (args.refresh) argv.push("--refresh");
  if (args.expectNoChanges) argv.push("--expect-no-changes");
  if (args.json) argv.push("--json");
  if (args.yes) argv.push("--yes");
  if (args.skipPreview) argv.push("--skip-preview");
  return { argv, notices };
}

/** A command line as a POSIX shell would read it back. */
export function shellLine(command: string, argv: readonly string[]): string {
  return [command, ...argv].map((arg) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`)).join(" ");
}
