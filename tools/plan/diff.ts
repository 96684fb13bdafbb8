import type { PlanDocument, PlannedResource } from "./document";

export type ChangeKind = "create" | "update" | "replace" | "delete";

/** One resource that a `pulumi up` of the current plan would change. Never carries a value. */
export interface ResourceChange {
  kind: ChangeKind;
  urn: string;
  type: string;
  name: string;
  custom: boolean;
  /** Changed input paths (`rules.pullRequest.requiredApprovingReviewCount`), for update and replace. */
  paths: string[];
  /** For replace: the changed paths that force a new resource. */
  replaceBecause?: string[];
  /** The changed paths that hold secrets (compared by fingerprint; the values are never shown). */
  secretPaths?: string[];
}

/** What changes between a base plan (saved from the base branch) and the current one. */
export interface PlanDiff {
  /** The stack and project of the base plan (the same as the current plan's). */
  base: { project: string; stack: string };
  counts: Record<ChangeKind, number> & { unchanged: number };
  /** Creates, replaces and updates in the current plan's order, then deletes in the base plan's. */
  changes: ResourceChange[];
}

/**
 * Input paths whose change makes the provider replace the resource rather than update it
 * (Terraform's ForceNew / RequiresReplace), by type token. A changed path at or below one of these
 * means replace. Sources: the github, vercel and postgresql providers' resource schemas (checked in
 * their source); random: every input; aws: the Terraform AWS provider's ForceNew attributes as
 * documented. Types not listed are always updated in place.
 */
export const REPLACE_ON_CHANGES: Readonly<Record<string, readonly string[]>> = {
  "vercel:index/projectEnvironmentVariable:ProjectEnvironmentVariable": ["key", "projectId", "teamId", "sensitive", "customEnvironmentIds"],
  "vercel:index/projectDomain:ProjectDomain": ["domain", "projectId", "teamId"],
  "vercel:index/project:Project": ["teamId"],
  // `repository` replaces unless it is a rename of the same repository, which a plan cannot tell.
  "github:index/repositoryFile:RepositoryFile": ["repository", "file", "branch"],
  "github:index/repositoryEnvironment:RepositoryEnvironment": ["repository", "environment"],
  "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy": ["repository", "environment", "branchPattern", "tagPattern"],
  "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret": ["repository", "environment", "secretName"],
  "github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable": ["repository", "environment", "variableName"],
  // A ruleset's target, repository and name are updated in place; a database is renamed in place.
  "postgresql:index/database:Database": ["template", "encoding", "lcCollate", "lcCtype"],
  "postgresql:index/schema:Schema": ["database"],
  "postgresql:index/grant:Grant": ["database", "role", "schema", "objectType", "objects", "columns", "withGrantOption"],
  "postgresql:index/defaultPrivileges:DefaultPrivileges": ["database", "owner", "role", "schema", "objectType", "withGrantOption"],
  "random:index/randomPassword:RandomPassword": [
    "length", "special", "upper", "lower", "numeric", "number",
    "minLower", "minUpper", "minNumeric", "minSpecial", "overrideSpecial", "keepers",
  ],
  "aws:s3/bucket:Bucket": ["bucket", "bucketPrefix", "objectLockEnabled"],
  "aws:s3/bucketVersioning:BucketVersioning": ["bucket", "expectedBucketOwner"],
  "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration": ["bucket", "expectedBucketOwner"],
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": ["bucket", "expectedBucketOwner"],
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": ["bucket", "expectedBucketOwner"],
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": ["bucket"],
  "aws:s3/bucketOwnershipControls:BucketOwnershipControls": ["bucket"],
  "aws:s3/bucketPolicy:BucketPolicy": ["bucket"],
  "aws:kms/key:Key": ["customerMasterKeySpec", "keyUsage", "multiRegion", "customKeyStoreId", "xksKeyId"],
  "aws:kms/alias:Alias": ["name", "namePrefix"],
  "aws:iam/role:Role": ["name", "namePrefix", "path"],
  "aws:iam/rolePolicy:RolePolicy": ["role", "name", "namePrefix"],
  "aws:iam/openIdConnectProvider:OpenIdConnectProvider": ["url"],
  "aws:sns/topic:Topic": ["name", "namePrefix", "fifoTopic"],
  "aws:sns/topicSubscription:TopicSubscription": ["topic", "protocol", "endpoint"],
  "aws:cloudwatch/metricAlarm:MetricAlarm": ["name"],
  "aws:ssm/parameter:Parameter": ["name"],
};

/**
 * Compares two plans of one stack by URN. A resource whose URN changed (renamed, re-parented, a
 * new type) is a delete and a create, as the engine sees it without aliases. Component resources
 * only count when created or deleted: their inputs are not sent to any provider.
 */
export function diffPlans(base: PlanDocument, current: PlanDocument): PlanDiff {
  const baseByUrn = new Map(base.resources.map((resource) => [resource.urn, resource]));
  const currentUrns = new Set(current.resources.map((resource) => resource.urn));
  const counts = { create: 0, update: 0, replace: 0, delete: 0, unchanged: 0 };
  const changes: ResourceChange[] = [];
  const add = (change: ResourceChange) => {
    counts[change.kind]++;
    changes.push(change);
  };
  const identity = (resource: PlannedResource) => ({ urn: resource.urn, type: resource.type, name: resource.name, custom: resource.custom });

  for (const resource of current.resources) {
    const before = baseByUrn.get(resource.urn);
    if (!before) {
      add({ kind: "create", ...identity(resource), paths: [] });
      continue;
    }
    if (!resource.custom && !before.custom) continue;
    const paths = changedInputPaths(before, resource);
    if (paths.length === 0) {
      counts.unchanged++;
      continue;
    }
    const secrets = new Set([...Object.keys(before.secretFingerprints ?? {}), ...Object.keys(resource.secretFingerprints ?? {})]);
    const secretPaths = paths.filter((path) => secrets.has(path));
    const detail = { paths, ...(secretPaths.length > 0 ? { secretPaths } : {}) };
    const forcing = replaceForcingPaths(resource.type, paths);
    if (forcing.length > 0) add({ kind: "replace", ...identity(resource), ...detail, replaceBecause: forcing });
    else add({ kind: "update", ...identity(resource), ...detail });
  }
  for (const resource of base.resources) {
    if (!currentUrns.has(resource.urn)) add({ kind: "delete", ...identity(resource), paths: [] });
  }
  return { base: { project: base.project, stack: base.stack }, counts, changes };
}

/**
 * The input paths that differ between two versions of a resource. Secret values are compared by
 * their fingerprints (both sides print as "[secret]"); a base plan saved before fingerprints
 * existed has none, and then its secrets count as unchanged.
 */
export function changedInputPaths(before: PlannedResource, after: PlannedResource): string[] {
  const paths: string[] = [];
  walk(before.inputs, after.inputs, "", paths);
  if (before.secretFingerprints !== undefined || after.secretFingerprints !== undefined) {
    const old = before.secretFingerprints ?? {};
    const now = after.secretFingerprints ?? {};
    const comparable = before.secretFingerprints !== undefined && after.secretFingerprints !== undefined;
    for (const path of [...new Set([...Object.keys(now), ...Object.keys(old)])]) {
      if (old[path] === now[path]) continue;
      // Secret on one side only: the masked values already differ, unless the old plan had no fingerprints.
      if (!comparable && (old[path] === undefined) !== (now[path] === undefined)) continue;
      if (!paths.some((reported) => covers(reported, path))) paths.push(path);
    }
  }
  return paths;
}

/** The changed paths that, for this type, force a replacement. */
export function replaceForcingPaths(type: string, changed: readonly string[]): string[] {
  const forceNew = REPLACE_ON_CHANGES[type] ?? [];
  return changed.filter((path) => forceNew.some((input) => covers(input, path) || covers(path, input)));
}

/** Whether `path` is `ancestor` or lies below it. */
function covers(ancestor: string, path: string): boolean {
  return path === ancestor || path.startsWith(`${ancestor}.`) || path.startsWith(`${ancestor}[`);
}

function walk(before: unknown, after: unknown, path: string, out: string[]): void {
  if (isRecord(before) && isRecord(after)) {
    const keys = [...new Set([...Object.keys(after), ...Object.keys(before)])];
    for (const key of keys) walk(before[key], after[key], path === "" ? key : `${path}.${key}`, out);
    return;
  }
  if (Array.isArray(before) && Array.isArray(after) && before.length === after.length) {
    before.forEach((item, index) => walk(item, after[index], `${path}[${index}]`, out));
    return;
  }
  if (!sameValue(before, after)) out.push(path === "" ? "(inputs)" : path);
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, index) => sameValue(item, b[index]));
  if (isRecord(a) && isRecord(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].every((key) => sameValue(a[key], b[key]));
  }
  return false;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
