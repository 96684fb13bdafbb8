import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { EnvironmentName, SecretEntry } from "../config/schema";
import { rotationRegister } from "../pipeline/deployContract";
import { isRotated, rotationRecord } from "./rotation";

export interface RotationRegisterArgs {
  productSlug: string;
  environment: EnvironmentName;
  entries: readonly SecretEntry[];
}

/**
 * The rotation register: one SSM parameter per secret (public values excluded) holding its
 * rotation period and last rotation date, tagged so the policy pack can find them and flag
 * secrets overdue for rotation (the spec: API keys every 90 days, database passwords every 180).
 * The parameters hold dates and names only, never a secret value.
 */
export class RotationRegister extends pulumi.ComponentResource {
  readonly parameters: aws.ssm.Parameter[];
  readonly prefix: string;

  constructor(name: string, args: RotationRegisterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("flightdeck:secrets:RotationRegister", name, {}, opts);
    this.prefix = rotationRegister.parameterPrefix(args.productSlug, args.environment);

    this.parameters = args.entries.filter(isRotated).map((entry) => {
      const record = rotationRecord(entry);
      return new aws.ssm.Parameter(
        `${name}-${entry.name}`,
        {
          name: `${this.prefix}${entry.name}`,
          type: "String",
          description: `Rotation register of ${entry.name} (${args.environment}): every ${record.periodDays} days. Managed by flightdeck.`,
          // insecureValue: the record holds names and dates, never a secret, so previews and the
          // offline plan show it (the provider marks `value` secret).
          insecureValue: JSON.stringify(record),
          tags: { [rotationRegister.tagKey]: "true" },
        },
        { parent: this },
      );
    });

    this.registerOutputs({ prefix: this.prefix, parameterNames: this.parameters.map((parameter) => parameter.name) });
  }
}
