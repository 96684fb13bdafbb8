import { RecordedResource } from "../../../tools/offline/monitor";
import { mockKeyArn } from "../../../tools/offline/mocks";
import { SSM_MANAGED_KEY_ID, ssmManagedKeyPolicy } from "./actionMap";

/**
 * Who makes the calls, and which resource policies AWS evaluates with them, read from the planned stacks:
 * each role's identity policies (its inline RolePolicy documents and the customer managed policies attached
 * to it), and the bucket, key and topic policies the stacks declare. A same-account request is allowed when
 * an identity policy or the resource policy allows it and nothing denies it; a KMS key is the exception,
 * usable only when its key policy allows the principal or (through the account root) lets IAM policies decide
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html, "Evaluating
 * policies within a single account"; https://docs.aws.amazon.com/kms/latest/developerguide/determining-access-key-policy.html).
 */

export interface PolicyDoc {
  Version?: string;
  Statement: Statement[];
}

export interface Statement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Action?: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
  Principal?: unknown;
}

export interface IdentityPolicy {
  /** Where the document is declared: `<role>/<inline policy name>` or `<role>/attached <policy name>`. */
  name: string;
  policy: PolicyDoc;
}

export interface Identity {
  /** The role's name. */
  role: string;
  roleArn: string;
  /** The principal of its calls: a session of the role (`arn:aws:sts::…:assumed-role/<role>/<session>`). */
  principal: string;
  policies: IdentityPolicy[];
}

function parse(text: unknown, where: string): PolicyDoc {
  if (typeof text !== "string") throw new Error(`${where}: the policy is not a planned JSON string`);
  return JSON.parse(text) as PolicyDoc;
}

/** The identity policies of every role a plan declares, by role name. */
export function rolePolicies(resources: readonly RecordedResource[]): Map<string, IdentityPolicy[]> {
  const byRole = new Map<string, IdentityPolicy[]>();
  const add = (role: string, entry: IdentityPolicy) => byRole.set(role, [...(byRole.get(role) ?? []), entry]);
  for (const role of resources.filter((resource) => resource.type === "aws:iam/role:Role")) byRole.set(String(role.inputs["name"]), []);
  for (const inline of resources.filter((resource) => resource.type === "aws:iam/rolePolicy:RolePolicy")) {
    add(String(inline.inputs["role"]), { name: `${String(inline.inputs["role"])}/${String(inline.inputs["name"])}`, policy: parse(inline.inputs["policy"], inline.name) });
  }
  const managed = resources.filter((resource) => resource.type === "aws:iam/policy:Policy");
  for (const attachment of resources.filter((resource) => resource.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment")) {
    const arn = String(attachment.inputs["policyArn"]);
    const policy = managed.find((candidate) => arn.endsWith(`/${String(candidate.inputs["name"])}`));
    if (!policy) throw new Error(`${attachment.name}: attaches ${arn}, which no planned aws.iam.Policy declares`);
    add(String(attachment.inputs["role"]), { name: `${String(attachment.inputs["role"])}/attached ${String(policy.inputs["name"])}`, policy: parse(policy.inputs["policy"], policy.name) });
  }
  return byRole;
}

export function identity(account: string, role: string, session: string, policies: Map<string, IdentityPolicy[]>): Identity {
  const found = policies.get(role);
  if (found === undefined) throw new Error(`no planned role ${role}`);
  return { role, roleArn: `arn:aws:iam::${account}:role/${role}`, principal: `arn:aws:sts::${account}:assumed-role/${role}/${session}`, policies: found };
}

/** The resource policy AWS evaluates for a call on an ARN: its bucket's policy, its key's policy, its topic's policy. */
export class ResourcePolicies {
  private readonly buckets = new Map<string, PolicyDoc>();
  private readonly keys = new Map<string, PolicyDoc>();
  private readonly topics = new Map<string, PolicyDoc>();

  add(resources: readonly RecordedResource[], region: string, account: string): void {
    for (const resource of resources) {
      if (resource.type === "aws:s3/bucketPolicy:BucketPolicy") this.buckets.set(String(resource.inputs["bucket"]), parse(resource.inputs["policy"], resource.name));
      if (resource.type === "aws:kms/key:Key" && resource.inputs["policy"] !== undefined) {
        const keyRegion = typeof resource.inputs["region"] === "string" ? resource.inputs["region"] : region;
        this.keys.set(mockKeyArn(resource.name, keyRegion), parse(resource.inputs["policy"], resource.name));
      }
      if (resource.type === "aws:sns/topicPolicy:TopicPolicy") this.topics.set(String(resource.inputs["arn"]), parse(resource.inputs["policy"], resource.name));
    }
    // Parameter Store's AWS managed key, in the stacks' region.
    this.keys.set(`arn:aws:kms:${region}:${account}:key/${SSM_MANAGED_KEY_ID}`, ssmManagedKeyPolicy(account, region) as PolicyDoc);
  }

  /** The policy of the bucket, key or topic an ARN names; a key with no declared policy has AWS's default (the account root: IAM decides). */
  of(arn: string, account: string): PolicyDoc | undefined {
    const s3 = /^arn:aws:s3:::([^/]+)/.exec(arn);
    if (s3) return this.buckets.get(s3[1]!);
    if (/^arn:aws:kms:[^:]+:\d{12}:key\//.test(arn)) {
      // "the default key policy ... gives the AWS account ... full access to the KMS key" and enables IAM policies
      // (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html): what a key created without a policy gets.
      return this.keys.get(arn) ?? { Version: "2012-10-17", Statement: [{ Sid: "DefaultKeyPolicy", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: "kms:*", Resource: "*" }] };
    }
    if (arn.startsWith("arn:aws:sns:")) return this.topics.get(arn);
    return undefined;
  }
}
