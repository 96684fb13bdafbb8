import type { ResourceValidationArgs, StackValidationArgs } from "@pulumi/policy";
import { Caller, declaredKeys, mayPerform, refusedByResourcePolicy } from "../lib/access";
import {
  alarmGap,
  declaresLoggingTrail,
  githubTrust,
  humanTrustProblems,
  onlyGithubTrusted,
  roleArnOf,
  soleSubject,
  subjectPrefix,
  trustsPeople,
} from "../lib/bootstrapRoles";
import { UnknownInputError, resourcePolicy, stackPolicy } from "../lib/define";
import { GITHUB_OIDC_AUDIENCE, GITHUB_OIDC_HOST } from "../lib/githubOidc";
import { isReadOnly } from "../lib/iamActions";
import { stackAccounts } from "../lib/keys";
import { ParsedDocument, grantedActions, isAllow, parsePolicyDocument, statementLabel } from "../lib/policyDocument";
import { isBootstrapProject } from "../lib/project";
import { REPOSITORY_RULESET, RULESET_TYPES, approvalsOf, mayApplyTo, refOf, rulesOf, whyNotEnforcedOn } from "../lib/rulesets";
import { IAM_ROLE, RoleGrants, roleGrants } from "../lib/roles";
import { asArray, asRecord, at, knownString } from "../lib/values";
import { BUCKET, BUCKET_ENCRYPTION, BUCKET_PUBLIC_ACCESS_BLOCK, BUCKET_VERSIONING, bucketPolicyDocuments, companionsOf, deniesInsecureTransport } from "./audit";
import { GITHUB_ACTIONS_APP_ID } from "./repository";

/**
 * The bootstrap's policies (bootstrap/, Pulumi project flightdeck-bootstrap): the roles that can change
 * production, and this repository's own gate. They judge only the bootstrap project (lib/project.ts);
 * there every policy is mandatory and held to the floors (lib/floors.ts).
 */

const TOPICS = ["bootstrap", "identity", "change-management"];
const SPEC_ACCESS = 'Spec, Compliance & Audit: "PCI: Production access restricted, deployment approvals required"';
const SPEC_APPROVAL = 'Spec, Deploying to Production: "GitHub Actions: Manual approval gate"; "Merge PR with approval"';

function bootstrapOnly(args: ResourceValidationArgs | StackValidationArgs): void {
  if (!isBootstrapProject()) args.notApplicable("judges the bootstrap project only");
}

interface RepositorySettings {
  /** This repository, owner/name. */
  repository: string;
  /** "<owner id>/<repository id>" when its OIDC subjects carry immutable ids; empty for the name-only form. */
  repositoryIds: string;
}

const repositorySchema = {
  repository: { type: "string", pattern: "^[A-Za-z0-9-]+/[A-Za-z0-9._-]+$", description: "This (the infra) repository, owner/name, whose jobs the pipeline roles trust." },
  repositoryIds: {
    type: "string",
    pattern: "^(\\d+/\\d+)?$",
    description: "Its owner's and its own numeric ids (owner-id/repo-id) when its OIDC subjects use immutable ids (repo:OWNER@ID/REPO@ID:…); empty for repo:OWNER/REPO:….",
  },
} as const;
const repositoryDefaults: RepositorySettings = { repository: "flightpro/flightdeck", repositoryIds: "" };

/** The subjects the pipeline's roles may trust: pull requests (read-only) and each stack's environment. */
function allowedSubjects(settings: RepositorySettings & { environments: string[] }): { pullRequest: string; environments: Map<string, string> } {
  const prefix = subjectPrefix(settings.repository, settings.repositoryIds);
  return { pullRequest: `${prefix}:pull_request`, environments: new Map(settings.environments.map((environment) => [`${prefix}:environment:${environment}`, environment])) };
}

export const pipelineRoleTrustPinned = resourcePolicy<RepositorySettings & { environments: string[] }>(
  {
    name: "bootstrap-pipeline-role-trust-pinned",
    description:
      "A role that trusts GitHub's OIDC tokens trusts exactly one job kind of this repository: its pull-request jobs (repo:<owner>/<repo>:pull_request) or the jobs of one stack's " +
      `GitHub environment (repo:<owner>/<repo>:environment:<stack>), with ${GITHUB_OIDC_HOST}:sub and :aud (${GITHUB_OIDC_AUDIENCE}) pinned by exact operators: no wildcard, branch, tag, ` +
      "other repository or second subject lets another workflow act as the pipeline. " +
      `${SPEC_ACCESS}; ${SPEC_APPROVAL}.`,
    severity: "critical",
    remediation: [
      "Trust GitHub with one statement: Condition StringEquals token.actions.githubusercontent.com:sub = the one subject, and :aud = sts.amazonaws.com.",
      "Use repo:<owner>/<repo>:environment:<stack> for a stack's deploy role and repo:<owner>/<repo>:pull_request for the preview role; one role per subject.",
      "With immutable subject claims, write the ids too (repo:<owner>@<owner id>/<repo>@<repo id>:…) and set the policy's repositoryIds.",
    ],
    topics: TOPICS,
  },
  {
    types: [IAM_ROLE],
    config: {
      defaults: { ...repositoryDefaults, environments: ["staging", "production"] },
      schema: { ...repositorySchema, environments: { type: "array", items: { type: "string" }, description: "The GitHub environments (one per stack) whose jobs may apply a stack." } },
    },
    validate({ props }, settings, report, args) {
      bootstrapOnly(args);
      const trust = parsePolicyDocument(props["assumeRolePolicy"]);
      if (trust.kind === "unknown") throw new UnknownInputError("assumeRolePolicy");
      const { statements } = githubTrust(trust);
      if (statements.length === 0) args.notApplicable("the role does not trust GitHub's OIDC provider");
      const allowed = allowedSubjects(settings);
      const valid = [allowed.pullRequest, ...allowed.environments.keys()];
      for (const { statement, subject, audiencePinned } of statements) {
        const label = statementLabel(statement);
        if (subject === undefined) report(`${label} does not pin ${GITHUB_OIDC_HOST}:sub to one exact subject: other workflows, branches or repositories could assume the role`);
        else if (!valid.includes(subject)) report(`${label} trusts ${subject}; a pipeline role trusts one of ${valid.join(", ")}`);
        if (!audiencePinned) report(`${label} does not pin ${GITHUB_OIDC_HOST}:aud to exactly ${GITHUB_OIDC_AUDIENCE}`);
      }
      const subjects = new Set(statements.map((entry) => entry.subject).filter((subject): subject is string => subject !== undefined));
      if (subjects.size > 1) report(`the role trusts several subjects (${[...subjects].join(", ")}): a job of one kind could act as the other`);
    },
  },
);

/** Roles that GitHub jobs other than a stack environment's may assume (pull requests, or an unpinned subject). */
function pullRequestRoles(grants: RoleGrants[], settings: RepositorySettings & { environments: string[] }): RoleGrants[] {
  const environments = allowedSubjects(settings).environments;
  return grants.filter((role) => {
    const { statements } = githubTrust(role.trust);
    return statements.length > 0 && statements.some((entry) => entry.subject === undefined || !environments.has(entry.subject));
  });
}

export const pullRequestRoleReadOnly = stackPolicy<RepositorySettings & { environments: string[] }>(
  {
    name: "bootstrap-pull-request-role-read-only",
    description:
      "A role that pull-request jobs (or any GitHub job outside a stack's environment) may assume only reads: every action it is granted is a Read or List action of AWS's Service Authorization Reference, or kms:Decrypt " +
      "(pulumi preview decrypts the stack's config). Anyone who can push a branch can change the workflow a pull request runs, so this role must not be able to change anything. " +
      `${SPEC_ACCESS}.`,
    severity: "critical",
    remediation: [
      "Grant the preview role only s3:GetObject and s3:ListBucket on the state, kms:Decrypt on the state and secrets keys.",
      "Give writes to the deploy roles, which only a stack environment's jobs (after approval in production) can assume.",
    ],
    topics: TOPICS,
  },
  {
    config: { defaults: { ...repositoryDefaults, environments: ["staging", "production"] }, schema: { ...repositorySchema, environments: { type: "array", items: { type: "string" }, description: "The stacks' GitHub environments." } } },
    requires: IAM_ROLE,
    validate(resources, settings, report, args) {
      bootstrapOnly(args);
      for (const role of pullRequestRoles(roleGrants(resources), settings)) {
        for (const { arn, urn } of role.managedPolicies) report(`role ${role.roleName}, which pull requests may assume, has the AWS managed policy ${arn} attached`, urn);
        for (const { what, urn } of role.unresolved) report(`role ${role.roleName}, which pull requests may assume, is granted ${what}`, urn);
        for (const source of role.permissions) {
          if (source.document.kind === "unknown") throw new UnknownInputError(source.label);
          if (source.document.kind !== "document") continue;
          for (const statement of source.document.statements.filter(isAllow)) {
            const writes = grantedActions(statement).filter((action) => !isReadOnly(action) && action.name.toLowerCase() !== "kms:decrypt");
            if (statement.notActions) report(`role ${role.roleName} (${source.label}, ${statementLabel(statement)}) uses NotAction: it allows writes`, source.urn);
            else if (writes.length > 0) {
              const names = [...new Set(writes.map((action) => action.name))].sort();
              report(`role ${role.roleName}, which pull requests may assume, may ${names.slice(0, 6).join(", ")}${names.length > 6 ? ` and ${names.length - 6} more` : ""} (${source.label}, ${statementLabel(statement)})`, source.urn);
            }
          }
        }
      }
    },
  },
);

const MAX_SESSION = { type: "integer", minimum: 900, maximum: 3600, description: "Longest session a person's role may grant, in seconds." } as const;

export const humanRoleMfaRequired = stackPolicy<{ maxSessionSeconds: number }>(
  {
    name: "bootstrap-human-role-mfa-required",
    description:
      "People assume the bootstrap's roles (read-only, break-glass) only as named IAM users or roles, only with MFA (Bool aws:MultiFactorAuthPresent \"true\" in every trust statement), " +
      "for at most an hour, so a leaked access key alone opens nothing and a session ends soon. " +
      `${SPEC_ACCESS}.`,
    severity: "high",
    remediation: [
      'Add Condition {"Bool": {"aws:MultiFactorAuthPresent": "true"}} to every trust statement that names people (no BoolIfExists).',
      "Name each person's IAM user or role ARN; not the account root, not a wildcard.",
      "Set maxSessionDuration to 3600 or less.",
    ],
    topics: TOPICS,
  },
  {
    config: { defaults: { maxSessionSeconds: 3600 }, schema: { maxSessionSeconds: MAX_SESSION } },
    requires: IAM_ROLE,
    validate(resources, settings, report, args) {
      bootstrapOnly(args);
      for (const role of roleGrants(resources)) {
        if (!trustsPeople(role)) continue;
        for (const problem of humanTrustProblems(role, settings.maxSessionSeconds)) report(problem, role.role.urn);
      }
    },
  },
);

/** Whether a role's grants include anything beyond reading (and decrypting): a role that can change something. */
function canChange(role: RoleGrants): boolean {
  if (role.managedPolicies.length > 0 || role.unresolved.length > 0) return true;
  return role.permissions.some(
    (source) =>
      source.document.kind !== "document" ||
      source.document.statements.filter(isAllow).some((statement) => statement.notActions !== undefined || grantedActions(statement).some((action) => !isReadOnly(action) && action.name.toLowerCase() !== "kms:decrypt")),
  );
}

/** A key's resource-policy use: the statements of its key policies that could give a role an action. */
function keyPolicyGrants(policies: ParsedDocument[], roleArn: string, action: string): boolean {
  return policies.some((policy) => policy.kind === "document" && policy.statements.some((statement) => isAllow(statement) && statement.principal?.aws.includes(roleArn) && grantedActions(statement).some((granted) => granted.name.toLowerCase() === action.toLowerCase())));
}

export const breakGlassRoleAlarmed = stackPolicy<{ externalTrail: boolean }>(
  {
    name: "bootstrap-break-glass-role-alarmed",
    description:
      "Every role people may assume that can change anything (a break-glass role) pages when it is assumed: an EventBridge rule of this stack matches its AssumeRole events from CloudTrail " +
      "(source aws.sts, eventName AssumeRole, its ARN in requestParameters.roleArn) and targets an SNS topic with a subscription, and a logging CloudTrail trail records every call " +
      "(EventBridge receives CloudTrail's API-call events only while a trail logs). An emergency change is possible, never unnoticed. " +
      `${SPEC_ACCESS}; Compliance & Audit: "Who deployed … When … Where".`,
    severity: "critical",
    remediation: [
      "Declare an aws.cloudwatch.EventRule with pattern {source: [aws.sts], detail-type: [AWS API Call via CloudTrail], detail: {eventSource: [sts.amazonaws.com], eventName: [AssumeRole], requestParameters: {roleArn: [<role ARN>]}}}.",
      "Target it at an aws.sns.Topic of this stack with at least one aws.sns.TopicSubscription (PagerDuty, email).",
      "Declare an aws.cloudtrail.Trail (multi-region, logging), or set externalTrail when the account's trail is managed elsewhere.",
    ],
    topics: [...TOPICS, "audit-log"],
  },
  {
    config: { defaults: { externalTrail: false }, schema: { externalTrail: { type: "boolean", description: "The account's CloudTrail trail is managed outside this stack (an organisation trail)." } } },
    requires: IAM_ROLE,
    validate(resources, settings, report, args) {
      bootstrapOnly(args);
      const accounts = stackAccounts(resources, []);
      const breakGlass = roleGrants(resources).filter((role) => trustsPeople(role) && canChange(role));
      for (const role of breakGlass) {
        const gap = alarmGap(roleArnOf(role, accounts), resources);
        if (gap !== undefined) report(`role ${role.roleName} can change the stacks and people may assume it, but ${gap}`, role.role.urn);
      }
      if (breakGlass.length > 0 && !settings.externalTrail && !declaresLoggingTrail(resources)) {
        report("no logging, multi-region CloudTrail trail is declared: EventBridge receives no AssumeRole events and nothing records what a break-glass session does");
      }
    },
  },
);

interface ProductionSettings {
  project: string;
  stack: string;
  maxSessionSeconds: number;
}

/** Object ARNs standing for every kind of object a `pulumi up` of the stack writes (./stateLayout.ts in bootstrap/aws). */
function stateObjectArns(bucket: string, project: string, stack: string): string[] {
  return [
    `arn:aws:s3:::${bucket}/.pulumi/stacks/${project}/${stack}.json`,
    `arn:aws:s3:::${bucket}/.pulumi/stacks/${project}/${stack}.json.gz`,
    `arn:aws:s3:::${bucket}/.pulumi/history/${project}/${stack}/${stack}-1.history.json`,
    `arn:aws:s3:::${bucket}/.pulumi/backups/${project}/${stack}/${stack}.1.json`,
    `arn:aws:s3:::${bucket}/.pulumi/locks/organization/${project}/${stack}/lock.json`,
  ];
}

const STATE_WRITES = ["s3:PutObject", "s3:DeleteObject"];
/** What lets a principal make secrets a stack will decrypt, or hand the key to someone who could. */
const KEY_CONTROL = ["kms:Encrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:PutKeyPolicy", "kms:CreateGrant"];

export const productionApplyPipelineOnly = stackPolicy<ProductionSettings>(
  {
    name: "bootstrap-production-apply-pipeline-only",
    description:
      "Only the production environment's deploy job of this repository (after its required reviewers approve) and the alarmed, MFA-guarded break-glass role can apply production: judged over every trust, " +
      "identity, bucket and key policy together, no other role can write or delete production's state objects (checkpoint, history, backups, locks) in any bucket, and no role but break-glass can encrypt " +
      "with, re-encrypt to, re-key or grant any key of the bootstrap; the state bucket's policy also refuses those writes to every other principal of the account. " +
      `${SPEC_ACCESS}; ${SPEC_APPROVAL}.`,
    severity: "critical",
    remediation: [
      "Grant production's state objects only to the role trusted from repo:<owner>/<repo>:environment:production and to the break-glass role.",
      "Keep kms:Encrypt (and ReEncrypt, PutKeyPolicy, CreateGrant) out of every key policy statement and role but break-glass; deploy roles only decrypt.",
      "Keep the state bucket policy's Deny of s3:PutObject/s3:DeleteObject on production's objects for every principal except those two (ArnNotEquals aws:PrincipalArn).",
    ],
    topics: TOPICS,
  },
  {
    config: {
      defaults: { project: "flightdeck", stack: "production", maxSessionSeconds: 3600 },
      schema: {
        project: { type: "string", minLength: 1, description: "The flightdeck program's Pulumi project (its state paths)." },
        stack: { type: "string", minLength: 1, description: "The stack only the pipeline applies." },
        maxSessionSeconds: MAX_SESSION,
      },
    },
    requires: IAM_ROLE,
    validate(resources, settings, report, args) {
      bootstrapOnly(args);
      const accounts = stackAccounts(resources, []);
      const account = accounts.size === 1 ? [...accounts][0] : undefined;
      const roles = roleGrants(resources);
      const callers = new Map<RoleGrants, Caller>(roles.map((role) => [role, { arn: roleArnOf(role, accounts), account, grants: role }]));
      const isPipeline = (role: RoleGrants) => onlyGithubTrusted(role) && (soleSubject(role) ?? "").endsWith(`:environment:${settings.stack}`);
      const isBreakGlass = (role: RoleGrants) =>
        trustsPeople(role) && humanTrustProblems(role, settings.maxSessionSeconds).length === 0 && alarmGap(roleArnOf(role, accounts), resources) === undefined;
      const buckets = resources.filter((resource) => resource.type === BUCKET);
      let pipelineWrites = false;
      for (const bucket of buckets) {
        const name = knownString(bucket.props["bucket"]);
        if (name === undefined) throw new UnknownInputError(`${bucket.urn} bucket`);
        const policies = bucketPolicyDocuments(bucket, resources).map((entry) => entry.document);
        if (policies.some((policy) => policy.kind === "unknown")) throw new UnknownInputError(`${bucket.urn} bucket policy`);
        const objects = stateObjectArns(name, settings.project, settings.stack);
        const writes = (caller: Caller) => objects.some((resourceArn) => STATE_WRITES.some((action) => mayPerform(caller, { action, resourceArn, resourcePolicies: policies })));
        let bucketHoldsProduction = false;
        for (const role of roles) {
          if (!writes(callers.get(role)!)) continue;
          bucketHoldsProduction = true;
          if (isPipeline(role)) pipelineWrites = true;
          else if (!isBreakGlass(role)) {
            report(`role ${role.roleName} can write ${settings.stack}'s state in ${name}; only the ${settings.stack} environment's deploy role and an alarmed break-glass role may`, role.role.urn);
          }
        }
        // Whoever else the account has (an administrator with s3:*): the bucket policy must refuse them.
        const outsider: Caller = { arn: `arn:aws:iam::${account ?? "000000000000"}:role/any-other-principal`, account };
        const refused = objects.every((resourceArn) => STATE_WRITES.every((action) => refusedByResourcePolicy(outsider, { action, resourceArn, resourcePolicies: policies })));
        if (bucketHoldsProduction && !refused) {
          report(`the policy of bucket ${name} does not refuse ${settings.stack}'s state writes to other principals of the account (a Deny of s3:PutObject and s3:DeleteObject unless aws:PrincipalArn is a permitted writer)`, bucket.urn);
        }
      }
      if (buckets.length > 0 && !pipelineWrites) report(`no role trusted only from the ${settings.stack} environment's jobs can write ${settings.stack}'s state: the pipeline cannot apply it`);
      for (const { key, arn, policies } of declaredKeys(resources)) {
        if (policies.some((policy) => policy.kind === "unknown")) throw new UnknownInputError(`${key.urn} policy`);
        for (const role of roles) {
          const caller = callers.get(role)!;
          const actions = KEY_CONTROL.filter((action) => mayPerform(caller, { action, resourceArn: arn, resourcePolicies: policies, kmsKey: true }));
          if (actions.length > 0 && !isBreakGlass(role)) {
            const direct = actions.some((action) => keyPolicyGrants(policies, caller.arn, action));
            report(`role ${role.roleName} may ${actions.join(", ")} with key ${key.name}${direct ? " (its key policy names the role)" : ""}; only an alarmed break-glass role may`, key.urn);
          }
        }
      }
    },
  },
);

interface RulesetSettings {
  repository: string;
  defaultBranch: string;
  minApprovals: number;
  requiredChecks: string[];
}

export const repositoryRulesetProtected = stackPolicy<RulesetSettings>(
  {
    name: "bootstrap-repository-ruleset-protected",
    description:
      "This repository's default branch, which the pipeline applies to staging and production on every push, changes only through a pull request approved by a code owner (the platform team owns the gate: " +
      ".github/CODEOWNERS), after its last push, with the test and plan checks green (reported by GitHub Actions), never by force push or deletion, and nobody bypasses the ruleset. " +
      `${SPEC_APPROVAL}; Protections: "Required PR reviews (min 1 approval); Automated tests must pass".`,
    severity: "critical",
    remediation: [
      "Declare an active branch ruleset on refs/heads/<default branch> of this repository with pullRequest { requiredApprovingReviewCount ≥ 1, requireCodeOwnerReview, dismissStaleReviewsOnPush, requireLastPushApproval }.",
      "Require the checks test and offline plan and policy verdict, each with integrationId 15368 (GitHub Actions); set deletion and nonFastForward.",
      "Leave bypassActors empty on every ruleset that may apply to the branch.",
    ],
    topics: TOPICS,
  },
  {
    config: {
      defaults: { repository: "flightdeck", defaultBranch: "main", minApprovals: 1, requiredChecks: ["test", "offline plan and policy verdict"] },
      schema: {
        repository: { type: "string", minLength: 1, description: "This repository's name (without owner)." },
        defaultBranch: { type: "string", minLength: 1, description: "Its default branch, the one the pipeline applies." },
        minApprovals: { type: "integer", minimum: 1, description: "Fewest approving reviews." },
        requiredChecks: { type: "array", items: { type: "string" }, minItems: 1, description: "Check names (infra.yml's job names) that must be required." },
      },
    },
    validate(resources, settings, report, args) {
      bootstrapOnly(args);
      const rulesets = resources.filter((resource) => RULESET_TYPES.includes(resource.type));
      const scope = { repository: settings.repository, defaultBranch: settings.defaultBranch };
      const branch = settings.defaultBranch;
      const enforcing = rulesets.filter((ruleset) => ruleset.type === REPOSITORY_RULESET && whyNotEnforcedOn(ruleset, branch, scope) === undefined);
      if (enforcing.length === 0) {
        report(`no active ruleset of ${settings.repository} protects ${refOf(branch)}${rulesets.length > 0 ? `: ${rulesets.map((ruleset) => `${ruleset.name}: ${whyNotEnforcedOn(ruleset, branch, scope) ?? "an organisation ruleset"}`).join("; ")}` : ""}`);
        return;
      }
      const first = enforcing[0]!.urn;
      const anyRule = (path: string) => enforcing.some((ruleset) => at(rulesOf(ruleset), path) === true);
      const approvals = Math.max(...enforcing.map(approvalsOf));
      if (approvals < settings.minApprovals) report(`requiredApprovingReviewCount is ${approvals}; at least ${settings.minApprovals} required on ${refOf(branch)}`, first);
      if (!anyRule("pullRequest.requireCodeOwnerReview")) report("requireCodeOwnerReview is not true: a change to the gate (policies/, bootstrap/, .github/) merges without the code owners", first);
      if (!anyRule("pullRequest.dismissStaleReviewsOnPush")) report("dismissStaleReviewsOnPush is not true: an approval survives later pushes", first);
      if (!anyRule("pullRequest.requireLastPushApproval")) report("requireLastPushApproval is not true: whoever pushed last can approve their own change", first);
      if (!anyRule("deletion") || !anyRule("nonFastForward")) report(`deletion and nonFastForward must both be true: ${refOf(branch)} could be deleted or force-pushed`, first);
      const bound = new Map<string, boolean>();
      for (const ruleset of enforcing) {
        for (const check of asArray(at(rulesOf(ruleset), "requiredStatusChecks.requiredChecks"))) {
          const record = asRecord(check);
          const context = knownString(record?.["context"]);
          if (context !== undefined) bound.set(context, (bound.get(context) ?? false) || record?.["integrationId"] === GITHUB_ACTIONS_APP_ID);
        }
      }
      const missing = settings.requiredChecks.filter((check) => !bound.has(check));
      const unbound = settings.requiredChecks.filter((check) => bound.get(check) === false);
      if (missing.length > 0) report(`the checks ${missing.join(", ")} are not required on ${refOf(branch)}`, first);
      if (unbound.length > 0) report(`the required checks ${unbound.join(", ")} are not bound to GitHub Actions (integrationId ${GITHUB_ACTIONS_APP_ID}): anyone with write access could post them`, first);
      for (const ruleset of rulesets) {
        if (!mayApplyTo(ruleset, [branch], settings.repository)) continue;
        const actors = asArray(ruleset.props["bypassActors"]);
        if (actors.length > 0) report(`ruleset ${ruleset.name} may apply to ${refOf(branch)} and lets ${actors.length} actor(s) bypass it: nobody bypasses the gate of production`, ruleset.urn);
      }
    },
  },
);

/** Whether roles of the stack read or write `.pulumi/` objects in the bucket: then it holds Pulumi state. */
function holdsState(bucketName: string, roles: RoleGrants[]): boolean {
  return roles.some((role) =>
    role.permissions.some(
      (source) => source.document.kind === "document" && source.document.statements.some((statement) => (statement.resources ?? []).some((resource) => resource.includes(`:::${bucketName}/.pulumi/`))),
    ),
  );
}

export const stateBucketProtected = stackPolicy(
  {
    name: "bootstrap-state-bucket-protected",
    description:
      "Every bucket the bootstrap declares (the Pulumi state, the trail's logs) keeps what it holds: versioned (an overwritten or deleted checkpoint can be recovered), public access blocked, TLS only, " +
      "encrypted at rest (the state with a KMS key of this stack), protected from pulumi destroy (protect) with forceDestroy off; the state's key is protected too. " +
      'Spec, Disaster Recovery: "RPO 1 hour"; Compliance & Audit: "Deployment Audit Log".',
    severity: "high",
    remediation: [
      "Declare aws.s3.BucketVersioning (Enabled), aws.s3.BucketPublicAccessBlock (all four true), a bucket policy denying requests without TLS, and aws.s3.BucketServerSideEncryptionConfiguration.",
      "Encrypt the state bucket with aws:kms and a key of this stack; set protect on the bucket and its key; leave forceDestroy false.",
    ],
    topics: [...TOPICS, "storage"],
  },
  {
    requires: BUCKET,
    validate(resources, _settings, report, args) {
      bootstrapOnly(args);
      const roles = roleGrants(resources);
      const keys = declaredKeys(resources);
      for (const bucket of resources.filter((resource) => resource.type === BUCKET)) {
        const name = knownString(bucket.props["bucket"]);
        if (name === undefined) throw new UnknownInputError(`${bucket.urn} bucket`);
        const problems: { message: string; urn?: string }[] = [];
        const versioning = companionsOf(bucket, BUCKET_VERSIONING, resources);
        if (!versioning.some((v) => at(v.props, "versioningConfiguration.status") === "Enabled") && at(bucket.props, "versioning.enabled") !== true) problems.push({ message: "is not versioned" });
        const blocks = companionsOf(bucket, BUCKET_PUBLIC_ACCESS_BLOCK, resources);
        const flags = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];
        if (!flags.every((flag) => blocks.some((block) => block.props[flag] === true))) problems.push({ message: "does not block public access (all four flags)" });
        const documents = bucketPolicyDocuments(bucket, resources);
        if (!documents.some(({ document }) => document.kind === "document" && document.statements.some((statement) => deniesInsecureTransport(statement, name)))) problems.push({ message: "does not deny requests without TLS" });
        if (!bucket.protect) problems.push({ message: "is not protected (resource option protect)" });
        if (bucket.props["forceDestroy"] === true) problems.push({ message: "has forceDestroy: true: a delete empties it first" });
        const rules = companionsOf(bucket, BUCKET_ENCRYPTION, resources).flatMap((config) => asArray(config.props["rules"]).map((rule) => asRecord(at(rule, "applyServerSideEncryptionByDefault"))));
        if (rules.length === 0) problems.push({ message: "declares no default encryption" });
        if (holdsState(name, roles)) {
          const kmsKeys = rules.filter((rule) => (knownString(rule?.["sseAlgorithm"]) ?? "").startsWith("aws:kms")).map((rule) => knownString(rule?.["kmsMasterKeyId"]));
          const own = keys.filter(({ arn }) => arn !== undefined && kmsKeys.includes(arn));
          if (own.length === 0) problems.push({ message: "holds Pulumi state but is not encrypted with a KMS key of this stack" });
          for (const { key } of own) if (!key.protect) problems.push({ message: `holds Pulumi state, and its key ${key.name} is not protected`, urn: key.urn });
        }
        for (const problem of problems) report(`bucket ${name} ${problem.message}`, problem.urn ?? bucket.urn);
      }
    },
  },
);

export const bootstrapPolicies = [
  pipelineRoleTrustPinned,
  pullRequestRoleReadOnly,
  humanRoleMfaRequired,
  breakGlassRoleAlarmed,
  productionApplyPipelineOnly,
  repositoryRulesetProtected,
  stateBucketProtected,
];
