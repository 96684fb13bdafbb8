import type { EnforcementLevel } from "@pulumi/policy";
import type { ConfigureAnalyzerRequest } from "@pulumi/pulumi/proto/analyzer_pb";
import { now } from "./lib/clock";
import { CONFIG_POLICY, configWithinSpec } from "./lib/configWithinSpec";
import { FlightdeckPolicy, policyRegistry } from "./lib/define";
import { configureFromRequest, DeclaredPolicy, isGoverned, PackConfiguration } from "./lib/packConfig";
import { DEFAULT_LIMITS, loadWaivers, settleWaivers, WaiverBook, waiverHousekeeping, WaiverLimits, WAIVERS_POLICY, withWaivers } from "./lib/waivers";
import { forProject } from "./lib/project";
import { allPolicies } from "./rules";

export { CONFIG_POLICY, WAIVERS_POLICY };

/** The pack as served for one stack: its policies, their default level, and what to do with the engine's config. */
export interface ServedPack {
  policies: FlightdeckPolicy[];
  /** The level of every policy until the config says otherwise: mandatory in a governed stack, else advisory. */
  enforcementLevel: EnforcementLevel;
  book: WaiverBook;
  /** Reads (and in a governed stack, raises and clamps) the engine's Configure request, then settles the waivers against it. */
  configure(request: ConfigureAnalyzerRequest): PackConfiguration;
}

/** A policy's settings as it declares them (its configSchema defaults). */
function declared(policy: FlightdeckPolicy): DeclaredPolicy {
  const defaults: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(policy.configSchema?.properties ?? {})) defaults[key] = schema.default;
  return { name: policy.name, defaults };
}

/** policy-waivers-valid's settings, over the defaults. */
export function waiverLimits(settings: Record<string, unknown> | undefined): WaiverLimits {
  const given = settings ?? {};
  const approvers = Array.isArray(given["approvers"]) ? given["approvers"].filter((a): a is string => typeof a === "string") : DEFAULT_LIMITS.approvers;
  const maxDays = typeof given["maxDays"] === "number" ? given["maxDays"] : DEFAULT_LIMITS.maxDays;
  const byPolicy = given["maxDaysByPolicy"];
  const maxDaysByPolicy: Record<string, number> = { ...DEFAULT_LIMITS.maxDaysByPolicy };
  if (byPolicy !== null && typeof byPolicy === "object" && !Array.isArray(byPolicy)) {
    for (const [policy, days] of Object.entries(byPolicy)) if (typeof days === "number") maxDaysByPolicy[policy] = days;
  }
  return { approvers, maxDays, maxDaysByPolicy };
}

/**
 * The pack's policies as served for `stack`: each policy of rules/ wrapped with the waivers, then
 * the gate's own checks (the config within the spec's floors; the waivers file, last). In a governed
 * stack every policy declares itself mandatory, so a run with no config at all is mandatory too.
 */
export function buildPack(options: { waiversFile: string; stack: string }): ServedPack {
  const withinSpec = configWithinSpec();
  const book = loadWaivers(options.waiversFile, (name) => policyRegistry.get(name)?.severity);
  // Policies of the flightdeck program do nothing in the bootstrap project (lib/project.ts).
  const served = [...allPolicies.map((policy) => withWaivers(forProject(policy), book)), withinSpec, waiverHousekeeping(book)];
  const governed = isGoverned(options.stack);
  const policies = governed ? served.map((policy) => ({ ...policy, enforcementLevel: "mandatory" as const })) : served;
  const declarations = policies.map(declared);
  return {
    policies,
    enforcementLevel: governed ? "mandatory" : "advisory",
    book,
    configure(request) {
      const configuration = configureFromRequest(request, declarations, options.stack);
      settleWaivers(book, waiverLimits(configuration.effective.get(WAIVERS_POLICY)?.settings), options.stack, now());
      return configuration;
    },
  };
}
