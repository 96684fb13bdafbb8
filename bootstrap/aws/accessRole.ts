import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PolicyDocument, PolicyStatement, policyDocument, toJson } from "../../infra/aws/policyDocument";

/** IAM's quota of characters in one customer managed policy (white space not counted). */
export const MANAGED_POLICY_MAX_CHARACTERS = 6144;

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
  private readonly roleNameValue: string;

  constructor(name: string, args: AccessRoleArgs, opts?: pulumi.ComponentResourceOptions) {
    super("flightdeck:bootstrap:AccessRole", name, {}, opts);
    this.name = name;
    this.roleNameValue = args.roleName;
    this.role = new aws.iam.Role(
      `${name}-role`,
      { name: args.roleName, description: args.description, maxSessionDuration: args.maxSessionSeconds, assumeRolePolicy: toJson(args.trust) },
      { parent: this },
    );
    this.arn = this.role.arn;
    this.registerOutputs({ arn: this.arn });
  }

  /**
   * Customer managed policies attached to the role, the statements split so that each document stays within
   * IAM's 6,144 characters of managed policy: for grants that do not fit in the role's 10,240 characters of
   * inline policy (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).
   */
  attach(policyName: string, statements: PolicyStatement[]): aws.iam.Policy[] {
    const chunks: PolicyStatement[][] = [];
    for (const statement of statements) {
      const last = chunks[chunks.length - 1];
      if (last && toJson(policyDocument(...last, statement)).length <= MANAGED_POLICY_MAX_CHARACTERS) last.push(statement);
      else chunks.push([statement]);
    }
    return chunks.map((chunk, index) => {
      const suffix = chunks.length === 1 ? policyName : `${policyName}-${index + 1}`;
      const policy = new aws.iam.Policy(`${this.name}-${suffix}`, { name: `${this.roleNameValue}-${suffix}`, policy: toJson(policyDocument(...chunk)) }, { parent: this });
      new aws.iam.RolePolicyAttachment(`${this.name}-${suffix}-attachment`, { role: this.role.name, policyArn: policy.arn }, { parent: this });
      return policy;
    });
  }

  /**
   * One customer managed policy attached to the role, its document known only on apply (it names a key's ARN):
   * for statements of a fixed shape well within the 6,144 characters of one managed policy. Checked on apply.
   */
  attachDocument(policyName: string, statements: pulumi.Output<PolicyStatement[]>): aws.iam.Policy {
    const document = statements.apply((list) => {
      const json = toJson(policyDocument(...list));
      if (json.length > MANAGED_POLICY_MAX_CHARACTERS) throw new Error(`${this.roleNameValue}-${policyName}: ${json.length} characters, above IAM's ${MANAGED_POLICY_MAX_CHARACTERS} for a managed policy`);
      return json;
    });
    const policy = new aws.iam.Policy(`${this.name}-${policyName}`, { name: `${this.roleNameValue}-${policyName}`, policy: document }, { parent: this });
    new aws.iam.RolePolicyAttachment(`${this.name}-${policyName}-attachment`, { role: this.role.name, policyArn: policy.arn }, { parent: this });
    return policy;
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
