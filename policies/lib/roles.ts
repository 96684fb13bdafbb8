import { StackResource, dependsOn } from "./define";
import { ParsedDocument, parsePolicyDocument } from "./policyDocument";
import { asArray, asRecord, knownString } from "./values";

/**
 * Every way a stack gives an IAM role permissions, gathered per role, so a rule judges the role's
 * whole grant rather than one resource's field (terraform-provider-aws / @pulumi/aws 7 resources):
 * - `aws:iam/role:Role`: `assumeRolePolicy` (trust), `inlinePolicies[].policy`, `managedPolicyArns`;
 * - `aws:iam/rolePolicy:RolePolicy` (`role`, `policy`);
 * - `aws:iam/rolePolicyAttachment:RolePolicyAttachment` (`role`, `policyArn`) and
 *   `aws:iam/policyAttachment:PolicyAttachment` (`roles`, `policyArn`), with the document of an
 *   `aws:iam/policy:Policy` of the stack, or an AWS managed policy ARN (`arn:aws:iam::aws:policy/…`);
 * - `aws:iam/rolePolicyAttachmentsExclusive` (`roleName`, `policyArns`);
 * - `aws:iam/rolePoliciesExclusive` (`roleName`, `policyNames`): names of inline policies, whose
 *   documents must be declared in the stack to be judged at all.
 */

export const IAM_ROLE = "aws:iam/role:Role";
export const IAM_ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
export const IAM_POLICY = "aws:iam/policy:Policy";
export const IAM_ROLE_POLICY_ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";
export const IAM_POLICY_ATTACHMENT = "aws:iam/policyAttachment:PolicyAttachment";
export const IAM_ROLE_POLICY_ATTACHMENTS_EXCLUSIVE = "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive";
export const IAM_ROLE_POLICIES_EXCLUSIVE = "aws:iam/rolePoliciesExclusive:RolePoliciesExclusive";

export const ROLE_GRANT_TYPES = [
  IAM_ROLE,
  IAM_ROLE_POLICY,
  IAM_POLICY,
  IAM_ROLE_POLICY_ATTACHMENT,
  IAM_POLICY_ATTACHMENT,
  IAM_ROLE_POLICY_ATTACHMENTS_EXCLUSIVE,
  IAM_ROLE_POLICIES_EXCLUSIVE,
];

/** One permission document that applies to a role, and where it comes from. */
export interface PermissionSource {
  /** `inline policy X of role R`, `RolePolicy R-read`, `policy P attached by A`. */
  label: string;
  urn: string;
  document: ParsedDocument;
}

export interface RoleGrants {
  role: StackResource;
  /** The role's name (its `name` input), or its logical name when autonamed. */
  roleName: string;
  trust: ParsedDocument;
  permissions: PermissionSource[];
  /** AWS managed policies attached (`arn:aws:iam::aws:policy/...`), with the attaching resource. */
  managedPolicies: { arn: string; urn: string }[];
  /** References that cannot be judged: a customer policy ARN or an inline policy name not declared in this stack. */
  unresolved: { what: string; urn: string }[];
}

export const AWS_MANAGED_POLICY = /^arn:aws[a-z-]*:iam::aws:policy\/(?:.*\/)?([^/]+)$/;

/** The role a reference (a role name, an ARN ending in `:role/…/name`, or a dependency) points to. */
function referencedRole(roles: StackResource[], reference: string | undefined, holder: StackResource, input: string): StackResource | undefined {
  if (reference !== undefined) {
    const name = reference.includes(":role/") ? reference.slice(reference.lastIndexOf("/") + 1) : reference;
    const byName = roles.find((role) => (knownString(role.props["name"]) ?? role.name) === name);
    if (byName) return byName;
  }
  return roles.find((role) => dependsOn(holder, role.urn, input));
}

function policyByArn(policies: StackResource[], arn: string, holder: StackResource, input: string): StackResource | undefined {
  const byName = policies.find((policy) => {
    const name = knownString(policy.props["name"]);
    return name !== undefined && arn.endsWith(`/${name}`) && arn.includes(":policy/");
  });
  return byName ?? policies.find((policy) => dependsOn(holder, policy.urn, input));
}

/** Every role of the stack with everything that grants it permissions. */
export function roleGrants(resources: StackResource[]): RoleGrants[] {
  const roles = resources.filter((r) => r.type === IAM_ROLE);
  const policies = resources.filter((r) => r.type === IAM_POLICY);
  const byRole = new Map<string, RoleGrants>();
  for (const role of roles) {
    const grants: RoleGrants = {
      role,
      roleName: knownString(role.props["name"]) ?? role.name,
      trust: parsePolicyDocument(role.props["assumeRolePolicy"]),
      permissions: [],
      managedPolicies: [],
      unresolved: [],
    };
    asArray(role.props["inlinePolicies"]).forEach((inline, index) => {
      const record = asRecord(inline);
      if (!record || record["policy"] === undefined || record["policy"] === null) return;
      grants.permissions.push({ label: `inline policy ${knownString(record["name"]) ?? index} of role ${grants.roleName}`, urn: role.urn, document: parsePolicyDocument(record["policy"]) });
    });
    for (const arn of asArray(role.props["managedPolicyArns"])) attachArn(grants, knownString(arn), role, "managedPolicyArns");
    byRole.set(role.urn, grants);
  }

  function attachArn(grants: RoleGrants, arn: string | undefined, holder: StackResource, input: string): void {
    if (arn === undefined) return;
    if (AWS_MANAGED_POLICY.test(arn)) {
      grants.managedPolicies.push({ arn, urn: holder.urn });
      return;
    }
    const policy = policyByArn(policies, arn, holder, input);
    if (policy) grants.permissions.push({ label: `policy ${knownString(policy.props["name"]) ?? policy.name} attached by ${holder.name}`, urn: policy.urn, document: parsePolicyDocument(policy.props["policy"]) });
    else grants.unresolved.push({ what: `policy ${arn} (not declared in this stack, so it cannot be judged)`, urn: holder.urn });
  }

  for (const resource of resources) {
    const grantsFor = (reference: string | undefined, input: string) => {
      const role = referencedRole(roles, reference, resource, input);
      return role ? byRole.get(role.urn) : undefined;
    };
    switch (resource.type) {
      case IAM_ROLE_POLICY: {
        const grants = grantsFor(knownString(resource.props["role"]), "role");
        grants?.permissions.push({ label: `RolePolicy ${knownString(resource.props["name"]) ?? resource.name}`, urn: resource.urn, document: parsePolicyDocument(resource.props["policy"]) });
        break;
      }
      case IAM_ROLE_POLICY_ATTACHMENT: {
        const grants = grantsFor(knownString(resource.props["role"]), "role");
        if (grants) attachArn(grants, knownString(resource.props["policyArn"]), resource, "policyArn");
        break;
      }
      case IAM_POLICY_ATTACHMENT:
        for (const reference of asArray(resource.props["roles"])) {
          const grants = grantsFor(knownString(reference), "roles");
          if (grants) attachArn(grants, knownString(resource.props["policyArn"]), resource, "policyArn");
        }
        break;
      case IAM_ROLE_POLICY_ATTACHMENTS_EXCLUSIVE: {
        const grants = grantsFor(knownString(resource.props["roleName"]), "roleName");
        for (const arn of asArray(resource.props["policyArns"])) if (grants) attachArn(grants, knownString(arn), resource, "policyArns");
        break;
      }
      case IAM_ROLE_POLICIES_EXCLUSIVE: {
        const grants = grantsFor(knownString(resource.props["roleName"]), "roleName");
        if (!grants) break;
        const declared = new Set([
          ...resources.filter((r) => r.type === IAM_ROLE_POLICY && referencedRole(roles, knownString(r.props["role"]), r, "role") === grants.role).map((r) => knownString(r.props["name"])),
          ...asArray(grants.role.props["inlinePolicies"]).map((inline) => knownString(asRecord(inline)?.["name"])),
        ]);
        for (const name of asArray(resource.props["policyNames"])) {
          const text = knownString(name);
          if (text !== undefined && !declared.has(text)) grants.unresolved.push({ what: `inline policy ${text} (kept by ${resource.name} but not declared in this stack)`, urn: resource.urn });
        }
        break;
      }
    }
  }
  return [...byRole.values()];
}

/** The managed policy's name from its ARN (`AdministratorAccess`), or the ARN. */
export function managedPolicyName(arn: string): string {
  return AWS_MANAGED_POLICY.exec(arn)?.[1] ?? arn;
}

export const IAM_USER_POLICY = "aws:iam/userPolicy:UserPolicy";
export const IAM_GROUP_POLICY = "aws:iam/groupPolicy:GroupPolicy";

/**
 * Every identity-based permission document the stack declares, whoever holds it: roles' inline
 * policies and RolePolicy, IAM users' and groups' inline policies (UserPolicy, GroupPolicy), and every
 * customer managed policy (aws:iam/policy:Policy), attached in the stack or not (it can be attached to
 * a user, group or role outside it). For rules that hold a resource to "nobody may", whoever it is.
 */
export function identityPolicyDocuments(resources: StackResource[]): PermissionSource[] {
  const sources: PermissionSource[] = [];
  for (const resource of resources) {
    const name = knownString(resource.props["name"]) ?? resource.name;
    const holder = (input: string, what: string) => (knownString(resource.props[input]) === undefined ? "" : ` of ${what} ${knownString(resource.props[input])}`);
    switch (resource.type) {
      case IAM_ROLE:
        asArray(resource.props["inlinePolicies"]).forEach((inline, index) => {
          const record = asRecord(inline);
          if (record && record["policy"] !== undefined && record["policy"] !== null) {
            sources.push({ label: `inline policy ${knownString(record["name"]) ?? index} of role ${name}`, urn: resource.urn, document: parsePolicyDocument(record["policy"]) });
          }
        });
        break;
      case IAM_ROLE_POLICY:
        sources.push({ label: `RolePolicy ${name}${holder("role", "role")}`, urn: resource.urn, document: parsePolicyDocument(resource.props["policy"]) });
        break;
      case IAM_USER_POLICY:
        sources.push({ label: `UserPolicy ${name}${holder("user", "user")}`, urn: resource.urn, document: parsePolicyDocument(resource.props["policy"]) });
        break;
      case IAM_GROUP_POLICY:
        sources.push({ label: `GroupPolicy ${name}${holder("group", "group")}`, urn: resource.urn, document: parsePolicyDocument(resource.props["policy"]) });
        break;
      case IAM_POLICY:
        sources.push({ label: `managed policy ${name}`, urn: resource.urn, document: parsePolicyDocument(resource.props["policy"]) });
        break;
    }
  }
  return sources;
}
