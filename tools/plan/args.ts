/** Command-line arguments of `npm run plan`. */
export interface PlanArgs {
  stack: string;
  format: PlanFormat;
  out?: string;
  /** A plan saved with `--format json` from the base branch, to diff against. */
  against?: string;
  /** The moment the schedule policies are evaluated at (ISO 8601); defaults to now. */
  at?: Date;
  /** Skip the policy pack. */
  policies: boolean;
  /** The policy pack directory; its config/<stack>.json and waivers.yaml go with it. Default: this checkout's policies/. */
  policyPack?: string;
  /** Judge the resources of this saved plan instead of evaluating this checkout's program. */
  judge?: string;
  /**
   * The Pulumi project directory whose stack files to read: with --judge, the checkout (or project) the judged
   * plan was made from; without it, a project of this checkout (`bootstrap`), whose program is evaluated.
   * Default: this checkout's root project.
   */
  project?: string;
}

export const planFormats = ["text", "json", "markdown", "sarif", "evaluation"] as const;
export type PlanFormat = (typeof planFormats)[number];

export class UsageError extends Error {}

export const USAGE =
  `usage: npm run plan -- --stack <name> [--format ${planFormats.join("|")}] [--out FILE] [--against BASE.json] [--at ISO-TIME]\n` +
  "                      [--policy-pack DIR | --no-policy] [--project DIR] [--judge PLAN.json]";

export function parsePlanArgs(argv: readonly string[]): PlanArgs {
  const values = new Map<string, string>();
  let policies = true;
  const valueFlags = new Set(["--stack", "--format", "--out", "--against", "--at", "--policy-pack", "--judge", "--project"]);
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index]!;
    if (arg === "--no-policy") {
      policies = false;
      continue;
    }
    const [flag, inline] = arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    if (!valueFlags.has(flag)) throw new UsageError(`unknown argument ${JSON.stringify(arg)}`);
    const value = inline ?? argv[++index];
    if (value === undefined || value.startsWith("--") || value === "") throw new UsageError(`${flag} needs a value`);
    if (values.has(flag)) throw new UsageError(`${flag} given twice`);
    values.set(flag, value);
  }
  const stack = values.get("--stack");
  if (!stack) throw new UsageError("--stack is required");
  const format = values.get("--format") ?? "text";
  if (!(planFormats as readonly string[]).includes(format)) {
    throw new UsageError(`--format must be one of ${planFormats.join(", ")} (got ${JSON.stringify(format)})`);
  }
  let at: Date | undefined;
  const atText = values.get("--at");
  if (atText !== undefined) {
    at = new Date(atText);
    if (!/^\d{4}-\d{2}-\d{2}T/.test(atText) || Number.isNaN(at.getTime())) {
      throw new UsageError(`--at must be an ISO 8601 time such as 2026-12-01T15:00:00Z (got ${JSON.stringify(atText)})`);
    }
  }
  const policyPack = values.get("--policy-pack");
  const judge = values.get("--judge");
  const project = values.get("--project");
  if (!policies && policyPack !== undefined) throw new UsageError("--policy-pack and --no-policy contradict each other");
  if (!policies && judge !== undefined) throw new UsageError("--judge needs the policy pack: drop --no-policy");
  return { stack, format: format as PlanFormat, out: values.get("--out"), against: values.get("--against"), at, policies, policyPack, judge, project };
}
