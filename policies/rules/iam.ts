import { resourcePolicy, stackPolicy, StackResource, UnknownInputError } from "../lib/define";
import { GITHUB_OIDC_HOST, WEB_IDENTITY_ACTION, isGithubProviderArn, namesGithub, trustsGithub } from "../lib/githubOidc";
import { ActionInfo, coversWholeService, expandAction, isReadOnly } from "../lib/iamActions";
import { expectedMetricsNamespace } from "../lib/alarms";
import {
  Statement,
  accountOf,
  conditionsOn,
  coversAction,
  grantedActions,
  isAllow,
  parsePolicyDocument,
  pinsExactly,
  statementLabel,
} from "../lib/policyDocument";
import { IAM_ROLE, RoleGrants, managedPolicyName, roleGrants } from "../lib/roles";
import { knownNumber, knownString } from "../lib/values";

const TOPICS = ["identity", "least-privilege"];
const SPEC_ACCESS = 'Spec, Compliance & Audit: "PCI: Production access restricted, deployment approvals required"; "SOC 2: … change management"';

/** At most this many action names in one message. */
function listed(actions: string[], limit = 6): string {
  const unique = [...new Set(actions)].sort();
  return unique.length <= limit ? unique.join(", ") : `${unique.slice(0, limit).join(", ")} and ${unique.length - limit} more`;
}

const WILDCARD = /[*?]/;

/** Whether a role trusts GitHub's OIDC tokens (a deploy role: the pipeline's identity in AWS). */
export function isDeployRole(grants: RoleGrants): boolean {
  return grants.trust.kind === "document" && grants.trust.statements.some(trustsGithub);
}

export const roleTrustRestricted = resourcePolicy<{ trustedAccounts: string[] }>(
  {
    name: "iam-role-trust-restricted",
    description:
      "Every statement of every role's trust policy names who may assume the role, and nobody else can: no Principal \"*\" or {AWS: \"*\"}, " +
      "no NotPrincipal or NotAction, no other AWS account, web identities only from GitHub's OIDC provider, and a role the deploy jobs assume trusts nothing else. " +
      `${SPEC_ACCESS}.`,
    severity: "critical",
    remediation: [
      "Trust only the principals the role exists for: the GitHub OIDC provider ARN (deploy roles) or an AWS service principal (service roles).",
      "Remove Principal \"*\" / {\"AWS\": \"*\"}, NotPrincipal and NotAction from Allow statements.",
      "Trust another account only if it is listed in the pack config (trustedAccounts), and never on a deploy role.",
    ],
    topics: TOPICS,
  },
  {
    types: [IAM_ROLE],
    config: {
      defaults: { trustedAccounts: [] },
      schema: { trustedAccounts: { type: "array", items: { type: "string", pattern: "^\\d{12}$" }, description: "AWS accounts whose principals a trust policy may name (none by default)." } },
    },
    validate({ props }, settings, report) {
      const trust = parsePolicyDocument(props["assumeRolePolicy"]);
      if (trust.kind === "unknown") throw new UnknownInputError("assumeRolePolicy");
      if (trust.kind === "invalid") {
        report(`the trust policy ${trust.reason}: it cannot be judged`);
        return;
      }
      const allows = trust.statements.filter(isAllow);
      const deployRole = allows.some(trustsGithub);
      for (const statement of allows) {
        const label = statementLabel(statement);
        if (statement.effect !== "Allow") report(`${label} has Effect ${JSON.stringify(statement.effect)}; only "Allow" and "Deny" exist (judged as Allow)`);
        if (statement.notPrincipal) report(`${label} allows everyone but its NotPrincipal to assume the role`);
        if (statement.notActions) report(`${label} uses NotAction: it allows every other STS action`);
        const principal = statement.principal;
        if (!principal && !statement.notPrincipal) report(`${label} names no Principal`);
        if (!principal) continue;
        if (principal.everyone) report(`${label} lets any principal ("*") assume the role`);
        if (principal.canonicalUser.length > 0) report(`${label} names a CanonicalUser principal`);
        for (const aws of principal.aws) {
          const account = accountOf(aws);
          if (deployRole) report(`${label} lets AWS principal ${aws} assume a role GitHub's deploy jobs assume: only the OIDC provider may`);
          else if (account === undefined || !settings.trustedAccounts.includes(account)) report(`${label} trusts AWS principal ${aws}, outside the trusted accounts (${settings.trustedAccounts.join(", ") || "none configured"})`);
        }
        for (const federated of principal.federated) {
          if (!isGithubProviderArn(federated)) report(`${label} trusts federated identity ${federated}; only the IAM OIDC provider of ${GITHUB_OIDC_HOST} may federate`);
        }
        for (const service of principal.service) {
          if (deployRole) report(`${label} lets service ${service} assume a role GitHub's deploy jobs assume`);
          else if (!/^[a-z0-9.-]+\.amazonaws\.com(\.cn)?$/.test(service.trim())) report(`${label} trusts ${service}, which is not an AWS service principal`);
        }
        if (coversAction(statement, WEB_IDENTITY_ACTION) && (principal.federated.length === 0 || !principal.federated.every(namesGithub))) {
          report(`${label} allows ${WEB_IDENTITY_ACTION} from a principal other than GitHub's OIDC provider`);
        }
      }
    },
  },
);

interface LeastPrivilegeSettings {
  allowedManagedPolicies: string[];
  unscopableActions: string[];
}

/** The Allow statements of a role's permission documents; unknown documents are remembered, invalid ones reported. */
function allowStatements(grants: RoleGrants, report: (message: string, urn?: string) => void, unknown: string[]): { statement: Statement; label: string; urn: string }[] {
  const statements: { statement: Statement; label: string; urn: string }[] = [];
  for (const source of grants.permissions) {
    if (source.document.kind === "unknown") unknown.push(source.label);
    else if (source.document.kind === "invalid") report(`${source.label} ${source.document.reason}: it cannot be judged`, source.urn);
    else for (const statement of source.document.statements.filter(isAllow)) statements.push({ statement, label: `${source.label}, ${statementLabel(statement)}`, urn: source.urn });
  }
  return statements;
}

/** Writes an action may do on `Resource: "*"` although the reference lets them name a resource. */
function unscopedWrites(statement: Statement, unscopable: string[]): ActionInfo[] {
  if (!(statement.resources ?? []).some((resource) => resource.trim() === "*")) return [];
  const exempt = new Set(unscopable.map((action) => action.toLowerCase()));
  return grantedActions(statement).filter((action) => !isReadOnly(action) && action.hasResourceTypes && !exempt.has(action.name.toLowerCase()));
}

export const rolePermissionsLeastPrivilege = stackPolicy<LeastPrivilegeSettings>(
  {
    name: "iam-role-permissions-least-privilege",
    description:
      "Every role's permissions, from every document that grants them (inline, RolePolicy, attached policies, AWS managed policies), are named and scoped: " +
      'no Action "*" or a whole service ("s3:*"), no Allow with NotAction or NotResource, no wildcard that reaches permission-management actions (s3:Put* includes s3:PutBucketPolicy), ' +
      'no write on Resource "*" where AWS lets the resource be named, no AWS managed policy but the allowed ones, nothing granted by a document this stack does not declare. ' +
      `${SPEC_ACCESS}.`,
    severity: "high",
    remediation: [
      "List the exact actions the role needs (the Service Authorization Reference names them) instead of * or service wildcards.",
      "Name the resources (bucket/prefix, key ARN, topic ARN) instead of \"*\"; use a condition key where AWS offers no resource (cloudwatch:namespace for PutMetricData).",
      "Replace AWS managed policies such as AdministratorAccess or PowerUserAccess with a policy of this stack.",
    ],
    topics: TOPICS,
  },
  {
    config: {
      defaults: { allowedManagedPolicies: [], unscopableActions: ["cloudwatch:PutMetricData"] },
      schema: {
        allowedManagedPolicies: { type: "array", items: { type: "string" }, description: "AWS managed policy names a role may have attached (none by default)." },
        unscopableActions: {
          type: "array",
          items: { type: "string" },
          description: 'Write actions that may use Resource "*" because their resource types do not cover the usual use (PutMetricData to a namespace: scoped by cloudwatch:namespace instead).',
        },
      },
    },
    requires: IAM_ROLE,
    validate(resources, settings, report) {
      const unknown: string[] = [];
      for (const grants of roleGrants(resources)) {
        for (const { what, urn } of grants.unresolved) report(`role ${grants.roleName} is granted ${what}`, urn);
        for (const { arn, urn } of grants.managedPolicies) {
          if (!settings.allowedManagedPolicies.includes(managedPolicyName(arn))) report(`role ${grants.roleName} has the AWS managed policy ${managedPolicyName(arn)} attached`, urn);
        }
        for (const { statement, label, urn } of allowStatements(grants, report, unknown)) {
          if (statement.notActions) report(`${label} allows every action except ${listed(statement.notActions)} (NotAction)`, urn);
          if (statement.notResources) report(`${label} allows every resource except ${listed(statement.notResources)} (NotResource)`, urn);
          for (const pattern of statement.actions ?? []) {
            if (coversWholeService(pattern)) {
              report(`${label} allows ${JSON.stringify(pattern)}: every action of ${pattern.trim() === "*" ? "every service" : "the service"}`, urn);
              continue;
            }
            if (!WILDCARD.test(pattern)) continue;
            const managing = expandAction(pattern).actions.filter((action) => action.accessLevels.includes("Permissions management"));
            if (managing.length > 0) report(`${label} allows ${JSON.stringify(pattern)}, which includes permission management: ${listed(managing.map((a) => a.name))}`, urn);
          }
          const unscoped = unscopedWrites(statement, settings.unscopableActions);
          if (unscoped.length > 0) report(`${label} allows ${listed(unscoped.map((a) => a.name))} on Resource "*"; AWS lets these name their resource`, urn);
        }
      }
      if (unknown.length > 0) throw new UnknownInputError(unknown.join("; "));
    },
  },
);

interface DeployRoleSettings {
  allowedActions: string[];
  scopingConditions: { action: string; conditionKey: string }[];
  metricsNamespace: string;
  bucketNames: string[];
}

/** `arn:aws:s3:::bucket/key…` → bucket and key; undefined for other ARNs. */
function s3Target(resource: string): { bucket: string; key?: string } | undefined {
  const match = /^arn:aws[a-z-]*:s3:::([^/]*)(?:\/(.*))?$/.exec(resource.trim());
  return match ? { bucket: match[1]!, key: match[2] } : undefined;
}

export const deployRoleLeastPrivilege = stackPolicy<DeployRoleSettings>(
  {
    name: "iam-deploy-role-least-privilege",
    description:
      "A role GitHub's deploy jobs assume may only write audit records, announce deployments, publish the DeploymentFailed metric and start the post-deployment watch (one named SSM parameter): every action it is granted " +
      "(wildcards expanded against AWS's Service Authorization Reference) is on the allowed list, S3 objects are in this stack's buckets, other resources are named exactly, " +
      "and cloudwatch:PutMetricData is bound to the stack's namespace by cloudwatch:namespace (StringEquals). " +
      'Spec, Compliance & Audit: "Deployment Audit Log … Stored: … exported to S3 (7 years)"; "PCI: Production access restricted".',
    severity: "critical",
    remediation: [
      "Grant the deploy role only s3:PutObject on <audit bucket>/<prefix>*, kms:GenerateDataKey/kms:Encrypt on the audit key, sns:Publish on the stack's topics, kms:GenerateDataKey/kms:Decrypt on the topic key, cloudwatch:PutMetricData, and ssm:PutParameter on the watch record's parameter ARN.",
      'Give cloudwatch:PutMetricData a Condition {"StringEquals": {"cloudwatch:namespace": "<the stack\'s alert namespace>"}}.',
      "Name resources exactly (no * in bucket names, key or topic ARNs).",
    ],
    topics: [...TOPICS, "audit-log"],
  },
  {
    config: {
      defaults: {
        allowedActions: ["s3:PutObject", "kms:GenerateDataKey", "kms:Encrypt", "kms:Decrypt", "sns:Publish", "cloudwatch:PutMetricData", "ssm:PutParameter"],
        scopingConditions: [{ action: "cloudwatch:PutMetricData", conditionKey: "cloudwatch:namespace" }],
        metricsNamespace: "",
        bucketNames: [],
      },
      schema: {
        allowedActions: { type: "array", items: { type: "string" }, description: "Every action a deploy role may be granted (exact names)." },
        scopingConditions: {
          type: "array",
          items: { type: "object", required: ["action", "conditionKey"], properties: { action: { type: "string" }, conditionKey: { type: "string" } } },
          description: "Actions that must carry a StringEquals condition on the key, pinned to the stack's metrics namespace.",
        },
        metricsNamespace: { type: "string", description: "The stack's CloudWatch namespace; empty: the namespace the stack's alarms on the spec metrics watch." },
        bucketNames: { type: "array", items: { type: "string" }, description: "Buckets a deploy role may write to; empty: the S3 buckets this stack declares." },
      },
    },
    requires: IAM_ROLE,
    validate(resources, settings, report) {
      const deployRoles = roleGrants(resources).filter(isDeployRole);
      const allowed = new Set(settings.allowedActions.map((action) => action.toLowerCase()));
      const buckets = new Set(settings.bucketNames.length > 0 ? settings.bucketNames : stackBucketNames(resources));
      const namespace = settings.metricsNamespace || expectedMetricsNamespace(resources);
      const unknown: string[] = [];
      for (const grants of deployRoles) {
        for (const { arn, urn } of grants.managedPolicies) report(`deploy role ${grants.roleName} has the AWS managed policy ${managedPolicyName(arn)} attached`, urn);
        for (const { statement, label, urn } of allowStatements(grants, () => undefined, unknown)) {
          const extra = grantedActions(statement).filter((action) => !allowed.has(action.name.toLowerCase()));
          if (extra.length > 0) report(`${label} grants the deploy role ${listed(extra.map((a) => a.name))}, beyond what deploy jobs need`, urn);
          for (const resource of statement.resources ?? []) {
            if (resource.trim() === "*") continue; // judged with the actions and conditions below
            const s3 = s3Target(resource);
            if (s3) {
              if (WILDCARD.test(s3.bucket) || !buckets.has(s3.bucket)) report(`${label} reaches bucket ${JSON.stringify(s3.bucket)}, not a bucket of this stack`, urn);
              else if (s3.key === undefined) report(`${label} names bucket ${s3.bucket} itself; deploy jobs only write objects`, urn);
            } else if (WILDCARD.test(resource)) report(`${label} names resources by wildcard (${resource}); name them exactly`, urn);
          }
          for (const { action, conditionKey } of settings.scopingConditions) {
            if (!coversAction(statement, action)) continue;
            const pins = conditionsOn(statement, conditionKey).filter(pinsExactly);
            const pinnedToStack = pins.some((condition) => namespace !== undefined && condition.values.every((value) => value === namespace));
            if (!pinnedToStack) {
              report(`${label} allows ${action} without a StringEquals ${conditionKey} condition equal to ${namespace === undefined ? "the stack's namespace" : JSON.stringify(namespace)}`, urn);
            }
          }
          if ((statement.resources ?? []).some((resource) => resource.trim() === "*")) {
            const exempt = new Set(settings.scopingConditions.map((scoping) => scoping.action.toLowerCase()));
            const unscoped = grantedActions(statement).filter((action) => !exempt.has(action.name.toLowerCase()));
            if (unscoped.length > 0) report(`${label} grants ${listed(unscoped.map((a) => a.name))} on Resource "*"`, urn);
          }
        }
        for (const { what, urn } of grants.unresolved) report(`deploy role ${grants.roleName} is granted ${what}`, urn);
      }
      if (unknown.length > 0) throw new UnknownInputError(unknown.join("; "));
    },
  },
);

function stackBucketNames(resources: StackResource[]): string[] {
  return resources.filter((r) => r.type === "aws:s3/bucket:Bucket").flatMap((bucket) => knownString(bucket.props["bucket"]) ?? []);
}

export const deployRoleSessionBounded = resourcePolicy<{ maxSessionSeconds: number }>(
  {
    name: "iam-deploy-role-session-bounded",
    description:
      "Credentials a deploy job gets from the deploy role expire within an hour, so a leaked token is short-lived (the spec's production deploy takes 30-40 minutes). " +
      `${SPEC_ACCESS}.`,
    severity: "medium",
    remediation: ["Set maxSessionDuration on the deploy role to 3600 seconds or less (or leave it unset: AWS applies one hour)."],
    topics: TOPICS,
  },
  {
    types: [IAM_ROLE],
    config: {
      defaults: { maxSessionSeconds: 3600 },
      schema: { maxSessionSeconds: { type: "integer", minimum: 900, description: "Longest session a deploy role may grant, in seconds." } },
    },
    validate({ props }, settings, report, args) {
      const trust = parsePolicyDocument(props["assumeRolePolicy"]);
      if (trust.kind !== "document" || !trust.statements.some(trustsGithub)) args.notApplicable("not a role GitHub's deploy jobs assume");
      // @pulumi/aws iam.Role maxSessionDuration: "If you do not specify a value for this setting, the default maximum of one hour is applied."
      const raw = props["maxSessionDuration"];
      const seconds = raw === undefined || raw === null ? 3600 : knownNumber(raw);
      if (seconds === undefined) throw new UnknownInputError("maxSessionDuration");
      if (seconds > settings.maxSessionSeconds) report(`maxSessionDuration is ${seconds} s; a deploy role's sessions may last at most ${settings.maxSessionSeconds} s`);
    },
  },
);

export const iamPolicies = [roleTrustRestricted, rolePermissionsLeastPrivilege, deployRoleLeastPrivilege, deployRoleSessionBounded];
