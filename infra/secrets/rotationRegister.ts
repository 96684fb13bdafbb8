import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { EnvironmentName, SecretEntry } from "../config/schema";
import { rotationRegister } from "../pipeline/deployContract";
import { ProgramRotation, isRotated, isRotatedByProgram, rotationRecord } from "./rotation";
import { GeneratedSource } from "./values";

/** The program's rotation of a generated connection string: the Rotating's base timestamp (an output) and the password's VALID UNTIL. */
export interface GeneratedRotation {
  rotatedAt: pulumi.Input<string>;
  validUntil: string;
}

export interface RotationRegisterArgs {
  productSlug: string;
  environment: EnvironmentName;
  entries: readonly SecretEntry[];
  /** Per generated source, its rotation (PostgresDatabase.rotations). */
  generated?: Partial<Record<GeneratedSource, GeneratedRotation>>;
}

/**
 * The rotation register: one SSM parameter per secret (public values excluded) holding its
 * rotation period and last rotation date, tagged so the policy pack can find them and flag
 * secrets overdue for rotation (the spec: API keys every 90 days, database passwords every 180).
 * The parameters hold dates and names only, never a secret value. A connection string the
 * database component generates is dated by its time.Rotating (the base timestamp of the password
 * it names), so its date is what `pulumi up` did, not what someone typed; every other secret by
 * the `rotation.lastRotated` people record after rotating it.
 */
export class RotationRegister extends pulumi.ComponentResource {
  readonly parameters: aws.ssm.Parameter[];
  readonly prefix: string;

  constructor(name: string, args: RotationRegisterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("flightdeck:secrets:RotationRegister", name, {}, opts);
    this.prefix = rotationRegister.parameterPrefix(args.productSlug, args.environment);

    this.parameters = args.entries.filter(isRotated).map((entry) => {
      const generated = isRotatedByProgram(entry) ? args.generated?.[entry.source as GeneratedSource] : undefined;
      if (isRotatedByProgram(entry) && generated === undefined) throw new Error(`${name}: ${entry.name} comes from ${entry.source}, whose rotation the stack did not hand over`);
      const record = pulumi
        .output(generated?.rotatedAt ?? "")
        .apply((rotatedAt) => JSON.stringify(rotationRecord(entry, generated && ({ rotatedAt, validUntil: generated.validUntil } satisfies ProgramRotation))));
      const periodDays = entry.rotation?.periodDays;
      return new aws.ssm.Parameter(
        `${name}-${entry.name}`,
        {
          name: `${this.prefix}${entry.name}`,
          type: "String",
          description: `Rotation register of ${entry.name} (${args.environment}): every ${periodDays} days. Managed by flightdeck.`,
          // insecureValue: the record holds names and dates, never a secret, so previews and the
          // offline plan show it (the provider marks `value` secret).
          insecureValue: record,
          tags: { [rotationRegister.tagKey]: "true" },
        },
        { parent: this },
      );
    });

    this.registerOutputs({ prefix: this.prefix, parameterNames: this.parameters.map((parameter) => parameter.name) });
  }
}
