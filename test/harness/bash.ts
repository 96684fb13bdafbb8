/**
 * bash's arguments for a generated step's script, as GitHub's runner runs `shell: bash`:
 * `bash --noprofile --norc -eo pipefail {0}`
 * (https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax#defaultsrunshell),
 * the script given with -c instead of as a file.
 *
 * --norc matters twice here: a `bash -c` whose stdin is a socket (libuv's child pipes are socketpairs)
 * and whose SHLVL is unset reads ~/.bashrc as if rshd had started it (bminor/bash@bash-5.2 shell.c,
 * run_startup_files: "get the rshd/sshd case out of the way first", unless no_rc). The machine's rc
 * file is not the step's environment, and on a developer's machine it can cost seconds per run.
 */
export function stepBash(script: string): string[] {
  return ["--noprofile", "--norc", "-eo", "pipefail", "-c", script];
}
