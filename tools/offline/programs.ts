/**
 * The Pulumi programs of this checkout, by project name (the `name:` of their Pulumi.yaml): what the
 * offline engine needs besides the program itself (which it runs from Pulumi.yaml's `main`, ./entry.ts):
 * its config namespace, which secrets its config needs, the same up-front checks the program itself
 * makes, and its declared environment. Each is loaded only when its project is evaluated.
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
  /**
   * The environment the program is evaluated in: each variable it declares (the file that declares
   * them: `environmentFile`), with the value the plan gives it at `now` (undefined: unset).
   */
  environment(now: Date): Record<string, string | undefined>;
  environmentFile: string;
}

export class UnknownProjectError extends Error {}

const flightdeck = (): OfflineProgram => {
  const { readNamespace } = require("../../infra/config/load") as typeof import("../../infra/config/load");
  const { requiredSecretKeys, validateStackConfig, CONFIG_NAMESPACE } = require("../../infra/config/validate") as typeof import("../../infra/config/validate");
  const { plainSecretProblems } = require("../../infra/config/secretKeys") as typeof import("../../infra/config/secretKeys");
  const { PROGRAM_ENVIRONMENT, planEnvironment } = require("../../infra/config/environment") as typeof import("../../infra/config/environment");
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
    environment: (now) => planEnvironment(PROGRAM_ENVIRONMENT, now),
    environmentFile: "infra/config/environment.ts",
  };
};

const bootstrap = (): OfflineProgram => {
  const { readBootstrapNamespace, regionProblems } = require("../../bootstrap/config/load") as typeof import("../../bootstrap/config/load");
  const { BOOTSTRAP_NAMESPACE, requiredBootstrapSecretKeys, validateBootstrapConfig } = require("../../bootstrap/config/validate") as typeof import("../../bootstrap/config/validate");
  const { plainSecretProblems } = require("../../infra/config/secretKeys") as typeof import("../../infra/config/secretKeys");
  const { planEnvironment } = require("../../infra/config/environment") as typeof import("../../infra/config/environment");
  const { BOOTSTRAP_ENVIRONMENT } = require("../../bootstrap/config/environment") as typeof import("../../bootstrap/config/environment");
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
    environment: (now) => planEnvironment(BOOTSTRAP_ENVIRONMENT, now),
    environmentFile: "bootstrap/config/environment.ts",
  };
};

const PROGRAMS: Readonly<Record<string, () => OfflineProgram>> = {
  flightdeck,
  "flightdeck-bootstrap": bootstrap,
};

/** The names of the projects this checkout has a program for. */
export const offlineProjects = Object.keys(PROGRAMS);

/** The program of a project of this checkout, or an UnknownProjectError. */
export function offlineProgram(project: string): OfflineProgram {
  const load = PROGRAMS[project];
  if (!load) throw new UnknownProjectError(`no program for Pulumi project ${JSON.stringify(project)} in this checkout (known: ${offlineProjects.join(", ")})`);
  return load();
}
