import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import * as path from "node:path";
import { constants, userInfo } from "node:os";
import { PROJECT_ROOT } from "../projectRoot";
import { parseWrapperArgs, PulumiCommand, usage, WrapperUsageError } from "./args";
import { assertLevelFloors, projectNameIn } from "../policy/levelFloors";
import { PolicyConfigError, readPolicyConfigFile } from "../policy/policyConfig";
import { POLICY_PACK_DIR, knownStacks, policyConfigFile, pulumiInvocation, shellLine } from "./invocation";

/** Exit code when the `pulumi` executable is not on PATH (the shell's "command not found"). */
export const EXIT_NO_PULUMI = 127;

export interface WrapperIO {
  projectDir?: string;
  env?: NodeJS.ProcessEnv;
  stderr?: (line: string) => void;
}

/**
 * `npm run preview|up -- --stack S …`: runs the Pulumi CLI in the project directory with this
 * stack's policy pack and config, after printing the exact command (on stderr: stdout stays the
 * CLI's, e.g. `--json`). Exit codes: the CLI's own; 2 for a bad invocation of the wrapper (unknown
 * stack or flag, a missing or short reason, production outside CI) or a policy config below the pack's
 * level floors; 127 when `pulumi` is not on PATH.
 */
export async function runWrapper(command: PulumiCommand, argv: readonly string[], io: WrapperIO = {}): Promise<number> {
  const root = io.projectDir ?? PROJECT_ROOT;
  const env = io.env ?? process.env;
  const say = io.stderr ?? ((line: string) => process.stderr.write(`${line}\n`));
  let invocation;
  let projectDir = root;
  try {
    const args = parseWrapperArgs(command, argv);
    projectDir = args.project === undefined ? root : projectOf(args.project, root);
    // The pack is the checkout's policies/, named from where the CLI runs (`../policies` for bootstrap/).
    const packDir = path.relative(projectDir, path.join(root, POLICY_PACK_DIR)).split(path.sep).join("/");
    invocation = pulumiInvocation(args, { stacks: knownStacks(projectDir, packDir), env, user: userName(env), packDir });
    // The engine gives each policy whatever level the config sets: the config is held to the pack's level floors here.
    const configFile = path.join(projectDir, policyConfigFile(args.stack, packDir));
    assertLevelFloors(readPolicyConfigFile(configFile), { stack: args.stack, project: projectNameIn(projectDir) }, path.relative(root, configFile));
  } catch (error) {
    if (error instanceof PolicyConfigError) {
      say(`npm run ${command}: ${error.message}`);
      return 2;
    }
    if (!(error instanceof WrapperUsageError)) throw error;
    say(`npm run ${command}: ${error.message}`);
    say(usage(command));
    return 2;
  }
  for (const notice of invocation.notices) say(`npm run ${command}: ${notice}`);
  say(`$ ${shellLine("pulumi", invocation.argv)}`);
  return runPulumi(invocation.argv, projectDir, env, (line) => say(`npm run ${command}: ${line}`));
}

/** A project directory of this checkout (a Pulumi.yaml in it, inside `root`), named relative to `root`. */
function projectOf(project: string, root: string): string {
  const dir = path.resolve(root, project);
  const relative = path.relative(root, dir);
  if (relative.startsWith("..") || path.isAbsolute(relative) || !existsSync(path.join(dir, "Pulumi.yaml"))) {
    throw new WrapperUsageError(`--project ${project}: not a Pulumi project of this checkout (a directory under ${root} with a Pulumi.yaml, such as bootstrap)`);
  }
  return dir;
}

function userName(env: NodeJS.ProcessEnv): string {
  try {
    return userInfo().username;
  } catch {
    return env["USER"] ?? "unknown user";
  }
}

/** Runs the CLI with the terminal attached, passing on a termination request, and returns its exit code. */
function runPulumi(argv: string[], cwd: string, env: NodeJS.ProcessEnv, say: (line: string) => void): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn("pulumi", argv, { cwd, env, stdio: "inherit" });
    // Ctrl-C reaches the CLI from the terminal (same process group), and the CLI cancels gracefully
    // on the first one; the wrapper only waits for it to finish. A SIGTERM (a cancelled CI job) is passed on.
    const ignoreInterrupt = () => undefined;
    const passTerminate = () => child.kill("SIGTERM");
    process.on("SIGINT", ignoreInterrupt);
    process.on("SIGTERM", passTerminate);
    let finished = false;
    const done = (code: number) => {
      if (finished) return;
      finished = true;
      process.off("SIGINT", ignoreInterrupt);
      process.off("SIGTERM", passTerminate);
      resolve(code);
    };
    child.once("error", (error: NodeJS.ErrnoException) => {
      say(error.code === "ENOENT" ? "pulumi: command not found; install the Pulumi CLI 3.x and put it on PATH (https://www.pulumi.com/docs/install/)" : `pulumi: ${error.message}`);
      done(error.code === "ENOENT" ? EXIT_NO_PULUMI : 1);
    });
    child.once("exit", (code, signal) => done(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0)));
  });
}

if (require.main === module) {
  const [command, ...argv] = process.argv.slice(2);
  if (command !== "preview" && command !== "up") {
    process.stderr.write(`tools/pulumi/main.ts: expected preview or up (got ${JSON.stringify(command)})\n`);
    process.exitCode = 2;
  } else {
    runWrapper(command, argv).then(
      (code) => (process.exitCode = code),
      (error: unknown) => {
        process.stderr.write(`npm run ${command}: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exitCode = 1;
      },
    );
  }
}
