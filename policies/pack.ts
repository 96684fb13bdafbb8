import type { ResourceValidation, StackValidation } from "@pulumi/policy";
import { FlightdeckPolicy, mayJudge, policyRegistry } from "./lib/define";
import { governedSchema, isGoverned, loosenedInPolicy, minimumLevel, Target } from "./lib/floors";
import { forProject } from "./lib/project";
import { loadWaivers, waiverHousekeeping, WaiverBook, WAIVERS_POLICY, withWaivers } from "./lib/waivers";
import { allPolicies } from "./rules";

export { WAIVERS_POLICY };

/** The pack as served for one stack: its policies and the waivers they apply. */
export interface ServedPack {
  policies: FlightdeckPolicy[];
  book: WaiverBook;
}

function defaultsOf(policy: FlightdeckPolicy): Record<string, unknown> {
  return Object.fromEntries(Object.entries(policy.configSchema?.properties ?? {}).map(([key, schema]) => [key, schema.default]));
}

/**
 * The policy as served in `target`'s stack: declared at its level floor (advisory where none holds), so
 * a run with no config is at least that strict; in a governed stack, its configSchema carries the setting
 * floors (lib/floors.ts), and the floors a schema cannot hold are judged before its own validation, past
 * the waivers (a loosened floor cannot be waived).
 */
function withFloors(policy: FlightdeckPolicy, target: Target): FlightdeckPolicy {
  const enforcementLevel = minimumLevel(policy.name, target)?.level ?? "advisory";
  if (!isGoverned(target)) return { ...policy, enforcementLevel };
  const configSchema = governedSchema(policy.name, policy.configSchema);
  const defaults = defaultsOf(policy);
  const loosened = (given: Record<string, unknown>) => loosenedInPolicy(policy.name, { ...defaults, ...given });
  if (loosened(defaults).length > 0) throw new Error(`${policy.name}: its defaults are looser than its floors (lib/floors.ts)`);
  if ("validateStack" in policy) {
    const validate = policy.validateStack;
    const validateStack: StackValidation = (args, report) => {
      for (const line of loosened(args.getConfig())) report(line);
      return validate(args, report);
    };
    return { ...policy, enforcementLevel, configSchema, validateStack };
  }
  const validations = policy.validateResource === undefined ? [] : Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource];
  // Once per resource the policy judges: before its first validation only.
  const validateResource = validations.map((validate, index): ResourceValidation => (args, report) => {
    if (index === 0 && mayJudge(policy.name, args.type)) for (const line of loosened(args.getConfig())) report(line);
    return validate(args, report);
  });
  return { ...policy, enforcementLevel, configSchema, validateResource };
}

/**
 * The pack's policies as served for `target`'s stack: each policy of rules/ scoped to its project and
 * wrapped with the waivers, then the waivers file's own check (last: it runs after every other has
 * reported); each at its level floor, with its setting floors in a governed stack (withFloors).
 */
export function buildPack(options: { waiversFile: string } & Target): ServedPack {
  const book = loadWaivers(options.waiversFile, (name) => policyRegistry.get(name)?.severity);
  // Policies of the flightdeck program do nothing in the bootstrap project (lib/project.ts).
  const served = [...allPolicies.map((policy) => withWaivers(forProject(policy), book)), waiverHousekeeping(book)];
  return { policies: served.map((policy) => withFloors(policy, options)), book };
}
