import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { DrillRecord, drillRegister } from "./contract";

/** Tags the register carries from the stack config (the drill overwrites the value, never the tags). */
export const objectiveTags = {
  rpoMinutes: "flightdeck:rpo-minutes",
  rtoMinutes: "flightdeck:rto-minutes",
} as const;

export interface DrillRegisterArgs {
  productSlug: string;
  environment: string;
  rpoMinutes: number;
  rtoMinutes: number;
  budgetSeconds: number;
}

/** The record a register starts with, before the first drill. */
export function initialRecord(args: DrillRegisterArgs): DrillRecord {
  return { status: "never-run", rpoMinutes: args.rpoMinutes, rtoMinutes: args.rtoMinutes, budgetSeconds: args.budgetSeconds };
}

/** The register's current value among the parameters read under its path, or the initial record when the drill has never written it. */
export function currentRecord(read: { names: string[]; values: string[] }, name: string, initial: DrillRecord): string {
  const index = read.names.indexOf(name);
  const value = index < 0 ? undefined : read.values[index];
  return value === undefined || value === "" ? JSON.stringify(initial) : value;
}

/**
 * The drill register, like the rotation register: one SSM parameter holding the restore drill's
 * newest record. The drill job overwrites its value after every run (ssm:PutParameter on this one
 * name); each `pulumi preview`/`up` reads the parameter back (GetParametersByPath, which returns
 * nothing rather than failing before the first run) and declares that value, so the policy pack
 * judges what the drill last wrote, with its own clock. The objectives come from the stack config,
 * as tags the drill does not touch.
 */
export class DrillRegister extends pulumi.ComponentResource {
  readonly parameter: aws.ssm.Parameter;
  readonly parameterName: string;

  constructor(name: string, args: DrillRegisterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("flightdeck:dr:DrillRegister", name, {}, opts);
    this.parameterName = drillRegister.parameterName(args.productSlug, args.environment);
    const read = aws.ssm.getParametersByPathOutput({ path: drillRegister.parameterPrefix(args.productSlug, args.environment), withDecryption: false }, { parent: this });
    // The record holds dates, counts and names, never a secret; the provider marks `values` sensitive whatever they hold.
    const value = pulumi.unsecret(read.apply((result) => currentRecord({ names: result.names ?? [], values: result.values ?? [] }, this.parameterName, initialRecord(args))));
    this.parameter = new aws.ssm.Parameter(
      `${name}-parameter`,
      {
        name: this.parameterName,
        type: "String",
        description: `Restore drill register (${args.environment}): the newest drill's record, written by the drill job. Managed by flightdeck.`,
        insecureValue: value,
        tags: {
          [drillRegister.tagKey]: "true",
          [objectiveTags.rpoMinutes]: String(args.rpoMinutes),
          [objectiveTags.rtoMinutes]: String(args.rtoMinutes),
        },
      },
      { parent: this },
    );
    this.registerOutputs({ parameterName: this.parameterName });
  }
}
