import * as path from "node:path";
import { readBootstrapNamespace } from "../../bootstrap/config/load";
import { BOOTSTRAP_NAMESPACE, requiredBootstrapSecretKeys } from "../../bootstrap/config/validate";
import { Evaluation, evaluateProgram } from "../../tools/offline/evaluate";
import { RecordedResource } from "../../tools/offline/monitor";
import { readStackConfig } from "../../tools/offline/stackConfig";
import { Fixture } from "../policies/judge";
import { HARNESS_NOW, PROJECT_DIR, canarySecrets } from "../harness";

/** The bootstrap project's directory and its sample stack. */
export const BOOTSTRAP_DIR = path.join(PROJECT_DIR, "bootstrap");
export const BOOTSTRAP_STACK = "bootstrap";

/** The raw `flightdeck-bootstrap:*` config of the sample stack (keys without namespace), for tests to mutate. */
export function sampleBootstrapConfig(): Record<string, unknown> {
  return readBootstrapNamespace(readStackConfig(BOOTSTRAP_STACK, BOOTSTRAP_DIR).config);
}

export interface BootstrapRun extends Evaluation {
  ofType(type: string): RecordedResource[];
  /** The one resource of a type whose name ends with `suffix`. */
  one(type: string, suffix: string): RecordedResource;
}

/**
 * Runs the bootstrap program (under Pulumi's mock runtime, as `npm run plan -- --project bootstrap` does)
 * for a raw config, every secret it needs a canary unless `secrets` says otherwise.
 */
export async function runBootstrap(raw: Record<string, unknown> = sampleBootstrapConfig(), options: { region?: string; secrets?: Record<string, string> } = {}): Promise<BootstrapRun> {
  const config: Record<string, string> = { "aws:region": options.region ?? "us-east-1" };
  for (const [key, value] of Object.entries(raw)) config[`${BOOTSTRAP_NAMESPACE}:${key}`] = typeof value === "string" ? value : JSON.stringify(value);
  const secrets = options.secrets ?? canarySecrets(requiredBootstrapSecretKeys(raw));
  for (const [key, value] of Object.entries(secrets)) config[`${BOOTSTRAP_NAMESPACE}:${key}`] = value;
  const evaluation = await evaluateProgram({
    project: BOOTSTRAP_NAMESPACE,
    stack: BOOTSTRAP_STACK,
    config,
    secretKeys: Object.keys(secrets).map((key) => `${BOOTSTRAP_NAMESPACE}:${key}`),
    now: HARNESS_NOW,
    projectDir: BOOTSTRAP_DIR,
  });
  const ofType = (type: string) => evaluation.resources.filter((resource) => resource.type === type);
  return {
    ...evaluation,
    ofType,
    one(type, suffix) {
      const found = ofType(type).filter((resource) => resource.name.endsWith(suffix));
      if (found.length !== 1) throw new Error(`expected one ${type} named *${suffix}, found ${found.map((resource) => resource.name).join(", ") || "none"}`);
      return found[0]!;
    },
  };
}

/**
 * The custom resources of a run as the pack's stack policies see them (test/policies/judge.ts fixtures):
 * inputs, protect, dependencies by name, and the provider each is analyzed with.
 */
export function fixturesOf(run: Evaluation): Fixture[] {
  const byUrn = new Map(run.resources.map((resource) => [resource.urn, resource]));
  const providers = new Map(run.resources.filter((resource) => resource.type.startsWith("pulumi:providers:")).map((provider) => [provider.urn, provider]));
  return run.resources
    .filter((resource) => resource.custom && !resource.type.startsWith("pulumi:providers:"))
    .map((resource) => {
      // The provider the engine hands the pack: the resource's explicit provider, else its package's default one.
      const providerUrn = resource.options.provider?.slice(0, resource.options.provider.lastIndexOf("::"));
      const provider = providerUrn === undefined ? resource.provider : providers.get(providerUrn);
      return {
        type: resource.type,
        name: resource.name,
        props: structuredClone(resource.inputs),
        protect: resource.options.protect,
        dependsOn: resource.options.dependsOn.map((urn) => byUrn.get(urn)?.name).filter((name): name is string => name !== undefined),
        ...(provider ? { provider: { type: provider.type, name: provider.name, props: provider.inputs } } : {}),
      };
    });
}
