import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { toJson } from "../../infra/aws/policyDocument";
import { SecretsKeyUsers, secretsKeyPolicy } from "./keyPolicies";

export interface SecretsKeyArgs {
  /** The flightdeck stack whose `awskms://` secrets provider this is. */
  stack: string;
  alias: string;
  account: string;
  users: SecretsKeyUsers;
  /** The roles the key policy names (AWS refuses a key policy naming a principal that does not exist). */
  dependsOn: pulumi.Input<pulumi.Resource>[];
}

/**
 * One stack's secrets key (`pulumi stack init <stack> --secrets-provider awskms://<alias>?region=…`):
 * only the roles that run that stack decrypt with it, only break-glass encrypts, nobody gets a grant.
 * Protected: losing it loses every secret of the stack.
 */
export class SecretsKey extends pulumi.ComponentResource {
  readonly key: aws.kms.Key;
  readonly keyArn: pulumi.Output<string>;
  readonly alias: string;

  constructor(name: string, args: SecretsKeyArgs, opts?: pulumi.ComponentResourceOptions) {
    super("flightdeck:bootstrap:SecretsKey", name, {}, opts);
    this.key = new aws.kms.Key(
      `${name}-key`,
      {
        description: `Encrypts the Pulumi secrets of the ${args.stack} stack`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        policy: toJson(secretsKeyPolicy(args.account, args.users)),
      },
      { parent: this, protect: true, retainOnDelete: true, dependsOn: args.dependsOn },
    );
    new aws.kms.Alias(`${name}-alias`, { name: args.alias, targetKeyId: this.key.keyId }, { parent: this });
    this.keyArn = this.key.arn;
    this.alias = args.alias;
    this.registerOutputs({ keyArn: this.keyArn, alias: this.alias });
  }
}
