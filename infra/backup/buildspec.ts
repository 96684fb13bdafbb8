import { stringify } from "yaml";

/**
 * The CodeBuild buildspecs of the backup and drill jobs (https://docs.aws.amazon.com/codebuild/latest/userguide/build-spec-ref.html):
 * version 0.2, bash as the shell (`env.shell`: "For Linux operating systems, supported shell tags
 * are: bash, /bin/sh"), the PostgreSQL tools installed in the install phase, then the job's script
 * written to a file and run by its own bash process, so its `set -e`, traps and exit status are
 * its own and a failure fails the build phase.
 */

const DELIMITER = "FLIGHTDECK_SCRIPT";

/**
 * The build command: the script written from a quoted here-document (nothing in it expands), run by
 * bash, then removed; the command's status is the script's (its last command tests it).
 */
export function scriptCommand(script: string): string {
  if (script.split("\n").includes(DELIMITER)) throw new Error(`a script line equals the here-document delimiter ${DELIMITER}`);
  return [`script="$(mktemp)"`, `cat > "$script" <<'${DELIMITER}'`, script, DELIMITER, `bash "$script"; status=$?; rm -f "$script"; [ "$status" -eq 0 ]`].join("\n");
}

export interface Buildspec {
  version: 0.2;
  env: { shell: "bash" };
  phases: {
    install: { commands: string[] };
    build: { commands: string[] };
  };
}

/** The install phase: the packages (buildImage.ts postgresPackages), the system user the drill's server runs as, then any further commands (an extension built from source). */
export function buildspec(script: string, packages: string[], options: { ensureUser?: string; installCommands?: string[] } = {}): Buildspec {
  // The image's own tools (the AWS CLI, jq) need no install: a job without packages runs `true` there.
  const install = packages.length > 0 ? [`dnf install -y -q ${packages.join(" ")}`] : ["true"];
  if (options.ensureUser !== undefined) install.push(`id ${options.ensureUser} > /dev/null 2>&1 || useradd --system ${options.ensureUser}`);
  install.push(...(options.installCommands ?? []));
  return { version: 0.2, env: { shell: "bash" }, phases: { install: { commands: install }, build: { commands: [scriptCommand(script)] } } };
}

export function renderBuildspec(spec: Buildspec): string {
  return stringify(spec, { lineWidth: 0, blockQuote: "literal" });
}
