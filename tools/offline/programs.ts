import { PROGRAM_ENVIRONMENT, planEnvironment } from "../../infra/config/environment";
import { BOOTSTRAP_ENVIRONMENT } from "../../bootstrap/config/environment";
import { SsmParameters, drillRegisterFromConfig } from "./drillRegister";
import { buildCheckoutModules } from "./entry";

/**
 * The Pulumi programs the offline engine knows, by project name (the `name:` of their Pulumi.yaml): what
 * the engine needs besides the program itself (which it runs from Pulumi.yaml's `main`, ./entry.ts).
 *
 * Two sources, on purpose:
 * - the program's own model, from the checkout being evaluated (in CI, the pull request's): its config
 *   namespace, which secrets its config needs, the checks it makes before registering anything, and what
 *   the drill register's stand-in computes from its config. These are the program's code: the same
 *   checkout's program runs them under `pulumi up`, so a pull request that changes its config schema is
 *   evaluated with it. They are compiled from that checkout's sources by
 *   this engine (buildCheckoutModules) and run on its node_modules, like the program.
 * - the declared environment, from this engine's checkout (in CI, the base branch's): the variables a
 *   program may read are part of the gate (./ambient.ts). A pull request that declares a new one is
 *   judged without it; the declaration applies once it is merged.
 */
export interface OfflineProgram {
  /** The config namespace its keys are read under (the project name). */
  namespace: string;
  /** The secret keys (unqualified) a raw config of this program needs. */
  requiredSecretKeys(config: Record<string, string>): string[];
  /**
   * The problems the program would stop on before registering anything, in its own words: invalid
   * settings and secrets held in plain text (`fileOf` names where a fully-qualified key is set).
   */
  problems(config: Record<string, string>, isSecret: (qualifiedKey: string) => boolean, fileOf: (qualifiedKey: string) => string, now: Date): string[];
  /** What SSM path reads answer offline (the drill register, ./drillRegister.ts), for a stack's config. */
  ssmParameters(config: Record<string, string>, now: Date): SsmParameters;
  /**
   * The environment the program is evaluated in: each variable it declares (the file that declares
   * them: `environmentFile`), with the value the plan gives it at `now` (undefined: unset).
   */
  environment(now: Date): Record<string, string | undefined>;
  environmentFile: string;
}

export class UnknownProjectError extends Error {}

/** The modules of the flightdeck program the engine calls, by the names the generated entry exports them under. */
export interface FlightdeckModules {
  load: typeof import("../../infra/config/load");
  validate: typeof import("../../infra/config/validate");
  secretKeys: typeof import("../../infra/config/secretKeys");
  schema: typeof import("../../infra/config/schema");
  backupContract: typeof import("../../infra/backup/contract");
  recoveryJobs: typeof import("../../infra/backup/recoveryJobs");
  backupSettings: typeof import("../../infra/backup/settings");
}

interface BootstrapModules {
  load: typeof import("../../bootstrap/config/load");
  validate: typeof import("../../bootstrap/config/validate");
  secretKeys: typeof import("../../infra/config/secretKeys");
}

const FLIGHTDECK_MODULES: Record<keyof FlightdeckModules, string> = {
  load: "infra/config/load",
  validate: "infra/config/validate",
  secretKeys: "infra/config/secretKeys",
  schema: "infra/config/schema",
  backupContract: "infra/backup/contract",
  recoveryJobs: "infra/backup/recoveryJobs",
  backupSettings: "infra/backup/settings",
};

const BOOTSTRAP_MODULES: Record<keyof BootstrapModules, string> = {
  load: "bootstrap/config/load",
  validate: "bootstrap/config/validate",
  secretKeys: "infra/config/secretKeys",
};

/**
 * The named modules of the checkout that holds `projectDir` (paths relative to its root, where its
 * package.json is), compiled into one file and loaded. A pull request that moves one of them cannot be
 * evaluated by an engine that does not know the move: the engine's side changes first (exit 2 says so).
 */
function checkoutModules<T>(projectDir: string, project: string, modules: Record<keyof T & string, string>): T {
  const contents = Object.entries(modules)
    .map(([name, file]) => `export * as ${name} from ${JSON.stringify(`./${file as string}`)};`)
    .join("\n");
  const built = buildCheckoutModules(projectDir, `${project}-modules`, contents);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(built.file) as T;
}

export function flightdeckModules(projectDir: string): FlightdeckModules {
  return checkoutModules<FlightdeckModules>(projectDir, "flightdeck", FLIGHTDECK_MODULES);
}

const flightdeck = (projectDir: string): OfflineProgram => {
  const modules = flightdeckModules(projectDir);
  const { readNamespace } = modules.load;
  const { requiredSecretKeys, validateStackConfig, CONFIG_NAMESPACE } = modules.validate;
  const { plainSecretProblems } = modules.secretKeys;
  return {
    namespace: CONFIG_NAMESPACE,
    requiredSecretKeys: (config) => requiredSecretKeys(readNamespace(config)),
    problems(config, isSecret, fileOf, now) {
      const raw = readNamespace(config);
      const validation = validateStackConfig(raw, { isSecret: (key) => isSecret(`${CONFIG_NAMESPACE}:${key}`), today: now.toISOString().slice(0, 10) });
      return [
        ...(validation.ok ? [] : validation.problems),
        ...plainSecretProblems(config, validation.ok ? validation.secretKeys : requiredSecretKeys(raw), isSecret, fileOf),
      ];
    },
    ssmParameters: (config, now) => drillRegisterFromConfig(readNamespace(config), now, modules),
    environment: (now) => planEnvironment(PROGRAM_ENVIRONMENT, now),
    environmentFile: "infra/config/environment.ts",
  };
};

const bootstrap = (projectDir: string): OfflineProgram => {
  const modules = checkoutModules<BootstrapModules>(projectDir, "bootstrap", BOOTSTRAP_MODULES);
  const { readBootstrapNamespace, regionProblems } = modules.load;
  const { BOOTSTRAP_NAMESPACE, requiredBootstrapSecretKeys, validateBootstrapConfig } = modules.validate;
  const { plainSecretProblems } = modules.secretKeys;
  return {
    namespace: BOOTSTRAP_NAMESPACE,
    requiredSecretKeys: (config) => requiredBootstrapSecretKeys(readBootstrapNamespace(config)),
    problems(config, isSecret, fileOf) {
      const raw = readBootstrapNamespace(config);
      const validation = validateBootstrapConfig(raw, { isSecret: (key) => isSecret(`${BOOTSTRAP_NAMESPACE}:${key}`) });
      return [
        ...(validation.ok ? [] : validation.problems),
        ...regionProblems(config),
        ...plainSecretProblems(config, validation.ok ? validation.secretKeys : requiredBootstrapSecretKeys(raw), isSecret, fileOf, BOOTSTRAP_NAMESPACE),
      ];
    },
    // The bootstrap reads no drill register.
    ssmParameters: () => () => undefined,
    environment: (now) => planEnvironment(BOOTSTRAP_ENVIRONMENT, now),
    environmentFile: "bootstrap/config/environment.ts",
  };
};

const PROGRAMS: Readonly<Record<string, (projectDir: string) => OfflineProgram>> = {
  flightdeck,
  "flightdeck-bootstrap": bootstrap,
};

/** The names of the projects the engine has a program model for. */
export const offlineProjects = Object.keys(PROGRAMS);

/** The program of a project in `projectDir` (its model compiled from that checkout), or an UnknownProjectError. */
export function offlineProgram(project: string, projectDir: string): OfflineProgram {
  const load = PROGRAMS[project];
  if (!load) throw new UnknownProjectError(`no program for Pulumi project ${JSON.stringify(project)} in this checkout (known: ${offlineProjects.join(", ")})`);
  return load(projectDir);
}
