/**
 * The policy config this pack was given, and how a governed stack's config is held to the floors.
 *
 * The engine reconciles `--policy-pack-config` with the policies' defaults and sends the result in
 * one Configure call before it analyzes anything (pulumi/pulumi@v3.259.0:pkg/engine/update.go,
 * ReconcilePolicyPackConfig then analyzer.Configure; pkg/resource/analyzer/config.go applyConfig:
 * `all`, then per policy). @pulumi/policy's server stores it and never calls a policy whose level
 * is `disabled` (@pulumi/policy@1.21.0 server.js, makeAnalyzeRpcFun / makeAnalyzeStackRpcFun:
 * `if (enforcementLevel === "disabled" ...) continue`), so no policy can report that it was
 * disabled. The pack therefore reads the Configure request itself, before the SDK does: in a
 * governed stack it raises every policy to mandatory and brings every loosened setting back to its
 * floor, and keeps what it found for policy-config-within-spec to report.
 */
import type { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { ConfigureAnalyzerRequest, EnforcementLevel as WireLevel } from "@pulumi/pulumi/proto/analyzer_pb";
import { applyFloors, GOVERNED_PROJECTS, GOVERNED_STACKS } from "./floors";
import { currentProject } from "./stack";

export type Level = "advisory" | "mandatory" | "remediate" | "disabled";

export interface ConfiguredPolicy {
  level: Level;
  settings: Record<string, unknown>;
}

/** What a policy's defaults are (its configSchema defaults), as the pack declares them. */
export interface DeclaredPolicy {
  name: string;
  defaults: Record<string, unknown>;
}

export interface PackConfiguration {
  /** Per policy, what the engine sent. */
  received: Map<string, ConfiguredPolicy>;
  /** Per policy, what it runs with: in a governed stack, mandatory and clamped to the floors. */
  effective: Map<string, ConfiguredPolicy>;
  /** Each loosened level or setting, one line each; empty outside governed stacks. */
  findings: string[];
}

const LEVELS: Record<Level, WireLevel> = {
  advisory: WireLevel.ADVISORY,
  mandatory: WireLevel.MANDATORY,
  disabled: WireLevel.DISABLED,
  remediate: WireLevel.REMEDIATE,
};

function levelOf(wire: WireLevel): Level {
  return (Object.keys(LEVELS) as Level[]).find((level) => LEVELS[level] === wire) ?? "advisory";
}

/** A governed stack: production, or any stack of a governed project (the bootstrap, which decides who can change production). */
export function isGoverned(stack: string, project: string = currentProject()): boolean {
  return GOVERNED_STACKS.includes(stack) || GOVERNED_PROJECTS.includes(project);
}

/**
 * The config a pack runs with. Outside a governed stack, what was received. In one, every policy
 * of the pack mandatory and every setting at least as strict as its floor, with a finding for each
 * level or setting that was not.
 */
export function reconcile(received: Map<string, ConfiguredPolicy>, policies: readonly DeclaredPolicy[], stack: string): PackConfiguration {
  if (!isGoverned(stack)) return { received, effective: received, findings: [] };
  const effective = new Map(received);
  const findings: string[] = [];
  for (const policy of policies) {
    const given = received.get(policy.name);
    const level = given?.level ?? "mandatory";
    if (level !== "mandatory") findings.push(`${policy.name} is ${level} in ${stack}: every policy is mandatory there (spec: "Quality Gates (must pass before production)")`);
    const floors = applyFloors(policy.name, given?.settings ?? {}, policy.defaults);
    findings.push(...floors.findings);
    effective.set(policy.name, { level: "mandatory", settings: { ...policy.defaults, ...floors.clamped } });
  }
  return { received, effective, findings };
}

let current: PackConfiguration | undefined;
const listeners: ((configuration: PackConfiguration) => void)[] = [];

/** The config of the last Configure call; undefined until one came (the policies' own defaults apply). */
export function packConfiguration(): PackConfiguration | undefined {
  return current;
}

/** Calls `listener` with each configuration the pack receives. */
export function onPackConfiguration(listener: (configuration: PackConfiguration) => void): void {
  listeners.push(listener);
}

/** Takes a configuration as the pack's own (the Configure handler, and tests). */
export function adoptConfiguration(configuration: PackConfiguration | undefined): void {
  current = configuration;
  if (configuration) for (const listener of listeners) listener(configuration);
}

/**
 * Reads a Configure request, reconciles it for the stack, adopts the result, and rewrites the
 * request to it so that the SDK's server stores what the policies must run with.
 */
export function configureFromRequest(request: ConfigureAnalyzerRequest, policies: readonly DeclaredPolicy[], stack: string): PackConfiguration {
  const map = request.getPolicyconfigMap();
  const received = new Map<string, ConfiguredPolicy>();
  map.forEach((entry, name) => {
    received.set(name, { level: levelOf(entry.getEnforcementlevel()), settings: (entry.getProperties()?.toJavaScript() ?? {}) as Record<string, unknown> });
  });
  const configuration = reconcile(received, policies, stack);
  if (configuration.effective !== received) {
    for (const [name, { level, settings }] of configuration.effective) {
      const entry = map.get(name);
      if (!entry) continue; // not sent: the SDK falls back to the level the pack declared
      entry.setEnforcementlevel(LEVELS[level]);
      // The Struct class of the message itself, so the SDK reads back an instance of its own protobuf copy.
      const StructOfEntry = (entry.getProperties()?.constructor ?? undefined) as typeof Struct | undefined;
      if (StructOfEntry) entry.setProperties(StructOfEntry.fromJavaScript(settings as Parameters<typeof Struct.fromJavaScript>[0]));
    }
  }
  adoptConfiguration(configuration);
  return configuration;
}
