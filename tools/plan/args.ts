import { parseFlags } from "../cli/flags";

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
  /** Text format: every input of every resource, instead of the collapsed tree. */
  verbose: boolean;
  /**
   * The checkout whose stack files stand for what is deployed: offline, the registers the program reads
   * (each stack's flag register) are answered from them (tools/offline/flagRegister.ts). A pull request's
   * evaluation passes the base branch's checkout. Default: the project's own directory.
   */
  deployed?: string;
}

export const planFormats = ["text", "json", "markdown", "sarif", "evaluation"] as const;
export type PlanFormat = (typeof planFormats)[number];

export class UsageError extends Error {}

export const USAGE =
  `usage: npm run plan -- --stack <name> [--format ${planFormats.join("|")}] [--out FILE] [--against BASE.json] [--at ISO-TIME]\n` +
  "                      [--policy-pack DIR | --no-policy] [--project DIR] [--judge PLAN.json] [--deployed DIR] [--verbose]";

const FLAGS = {
  stack: { type: "string" },
  format: { type: "string" },
  out: { type: "string" },
  against: { type: "string" },
  at: { type: "string" },
  "policy-pack": { type: "string" },
  "no-policy": { type: "boolean" },
  judge: { type: "string" },
  project: { type: "string" },
  verbose: { type: "boolean" },
  deployed: { type: "string" },
} as const;

export function parsePlanArgs(argv: readonly string[]): PlanArgs {
  const flags = parseFlags(argv, FLAGS, (message) => new UsageError(message));
  const stack = flags.stack;
  if (!stack) throw new UsageError("--stack is required");
  const format = flags.format ?? "text";
  if (!(planFormats as readonly string[]).includes(format)) {
    throw new UsageError(`--format must be one of ${planFormats.join(", ")} (got ${JSON.stringify(format)})`);
  }
  let at: Date | undefined;
  const atText = flags.at;
  if (atText !== undefined) {
    at = new Date(atText);
    if (!/^\d{4}-\d{2}-\d{2}T/.test(atText) || Number.isNaN(at.getTime())) {
      throw new UsageError(`--at must be an ISO 8601 time such as 2026-12-01T15:00:00Z (got ${JSON.stringify(atText)})`);
    }
  }
  const policies = !flags["no-policy"];
  const policyPack = flags["policy-pack"];
  const judge = flags.judge;
  if (!policies && policyPack !== undefined) throw new UsageError("--policy-pack and --no-policy contradict each other");
  if (!policies && judge !== undefined) throw new UsageError("--judge needs the policy pack: drop --no-policy");
  if (judge !== undefined && flags.deployed !== undefined) throw new UsageError("--deployed is for evaluating a program; --judge judges a plan already evaluated");
  return { stack, format: format as PlanFormat, out: flags.out, against: flags.against, at, policies, policyPack, judge, project: flags.project, verbose: flags.verbose === true, deployed: flags.deployed };
}
