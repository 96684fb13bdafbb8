import { spawn } from "node:child_process";
import { constants, userInfo } from "node:os";
import { PROJECT_ROOT } from "../projectRoot";
import { parseWrapperArgs, PulumiCommand, usage, WrapperUsageError } from "./args";
import { knownStacks, pulumiInvocation, shellLine } from "./invocation";

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
 * stack or flag, a missing or short reason, production outside CI); 127 when `pulumi` is not on PATH.
 */
export async function runWrapper(command: PulumiCommand, argv: readonly string[], io: WrapperIO = {}): Promise<number> {
  const projectDir = io.projectDir ?? PROJECT_ROOT;
  const env = io.env ?? process.env;
  const say = io.stderr ?? ((line: string) => process.stderr.write(`${line}\n`));
  let invocation;
  try {
    const args = parseWrapperArgs(command, argv);
    invocation = pulumiInvocation(args, { stacks: knownStacks(projectDir), env, user: userName(env) });
  } catch (error) {
    if (!(error instanceof WrapperUsageError)) throw error;
    say(`npm run ${command}: ${error.message}`);
    say(usage(command));
    return 2;
  }
  for (const notice of invocation.notices) say(`npm run ${command}: ${notice}`);
  say(`$ ${shellLine("pulumi", invocation.argv)}`);
  return runPulumi(invocation.argv, projectDir, env, (line) => say(`npm run ${command}: ${line}`));
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
