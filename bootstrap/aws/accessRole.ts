import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PolicyDocument, PolicyStatement, policyDocument, toJson } from "../../infra/aws/policyDocument";

export interface AccessRoleArgs {
  /** The role's name (fixed: other documents name its ARN). */
  roleName: string;
  description: string;
  trust: PolicyDocument;
  /** Sessions last at most this long (AWS applies one hour when unset). */
  maxSessionSeconds: number;
}

/**
 * One role: who may assume it and for how long; its permissions are granted after the keys and buckets
 * they name exist (those resources' policies name the role, so the role comes first). Every document is
 * declared here, so the pack judges the role whole.
 */
export class AccessRole extends pulumi.ComponentResource {
  readonly role: aws.iam.Role;
  readonly arn: pulumi.Output<string>;
  private readonly name: string;

  constructor(name: string, args: AccessRoleArgs, opts?: pulumi.ComponentResourceOptions) {
    super("flightdeck:bootstrap:AccessRole", name, {}, opts);
    this.name = name;
    this.role = new aws.iam.Role(
      `${name}-role`,
      { name: args.roleName, description: args.description, maxSessionDuration: args.maxSessionSeconds, assumeRolePolicy: toJson(args.trust) },
      { parent: this },
    );
    this.arn = this.role.arn;
    this.registerOutputs({ arn: this.arn });
  }

  /** An inline policy of the role (a role's inline policies total at most 10,240 characters). */
  grant(policyName: string, statements: pulumi.Input<PolicyStatement[]>): aws.iam.RolePolicy {
    return new aws.iam.RolePolicy(
      `${this.name}-${policyName}`,
      { role: this.role.name, name: policyName, policy: pulumi.output(statements).apply((list) => toJson(policyDocument(...list))) },
      { parent: this },
    );
  }
}
