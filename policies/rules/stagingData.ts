import { stackPolicy } from "../lib/define";
import { coversAction } from "../lib/policyDocument";
import { anyGlobMatch } from "../lib/glob";
import { Statement } from "../lib/policyDocument";
import { BUCKET, CODEBUILD_PROJECT, allowStatements, buildspecText, projectRole } from "../lib/recovery";
import { roleGrants } from "../lib/roles";
import { knownString } from "../lib/values";

/** What marks the staging refresh's buildspec (infra/stagingData/refreshScript.ts): it stops on an unclassified column, then masks. */
const REFRESH_MARKERS = [/no masking rule classifies/, /session_replication_role = replica/];
/**
 * Whether a statement reaches the objects (the backups themselves) of a production backup bucket:
 * `*` (or no Resource: a NotResource), or an object ARN whose bucket part names one, or is a
 * wildcard that could. Administering the buckets (the bootstrap's deploy roles) is the recovery and
 * bootstrap policies' concern; this one is about the data.
 */
function reachesProductionBackups(statement: Statement, globs: string[]): boolean {
  if (statement.resources === undefined) return true;
  return statement.resources.some((pattern) => {
    const trimmed = pattern.trim();
    if (trimmed === "*") return true;
    const bucket = /^arn:aws[a-z-]*:s3:::([^/]*)\//.exec(trimmed)?.[1];
    return bucket !== undefined && (/[*?]/.test(bucket) || anyGlobMatch(globs, bucket));
  });
}

/** Actions that read a backup's content. */
const READS = ["s3:GetObject", "s3:GetObjectVersion"];
/** Actions that change or remove a backup. */
const WRITES = ["s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion", "s3:PutObjectAcl", "s3:RestoreObject"];

export const productionBackupsReadByRefreshOnly = stackPolicy<{ productionBackupBuckets: string[] }>(
  {
    name: "staging-data-production-backups-refresh-only",
    description:
      'Production\'s backups leave production only masked. Spec, Environments, Staging: "Anonymized copy of production data (refreshed weekly) OR synthetic test data". ' +
      "A role of a stack that does not declare a production backup bucket (productionBackupBuckets) may read its backups only as the service role of the staging refresh job " +
      "(a CodeBuild project whose buildspec stops on an unclassified column and masks before loading), and may write none of them.",
    severity: "critical",
    remediation: [
      "Read production's backups only through flightdeck's staging refresh (flightdeck:stagingData mode anonymized): it restores, masks every column and loads staging.",
      "Remove any other statement that reaches the production backup bucket from this stack's roles; never grant a write on it.",
    ],
    topics: ["staging-data", "least-privilege"],
  },
  {
    config: {
      defaults: { productionBackupBuckets: ["*-db-backups-production", "*-db-backups-production-*"] },
      schema: { productionBackupBuckets: { type: "array", items: { type: "string" }, minItems: 1, description: "Globs of production's backup bucket names." } },
    },
    validate(resources, settings, report) {
      const declared = new Set(resources.filter((resource) => resource.type === BUCKET).map((resource) => knownString(resource.props["bucket"]) ?? ""));
      // The production stack declares these buckets and its own jobs read them (recovery policies judge those).
      if ([...declared].some((name) => anyGlobMatch(settings.productionBackupBuckets, name))) return;
      const grants = roleGrants(resources);
      const refreshRoles = new Set(
        resources
          .filter((resource) => resource.type === CODEBUILD_PROJECT && REFRESH_MARKERS.every((marker) => marker.test(buildspecText(resource))))
          .map((project) => projectRole(project, grants)?.role.urn)
          .filter((urn): urn is string => urn !== undefined),
      );
      for (const role of grants) {
        for (const { statement, source, urn } of allowStatements(role)) {
          if (!reachesProductionBackups(statement, settings.productionBackupBuckets)) continue;
          const writes = WRITES.filter((action) => coversAction(statement, action));
          if (writes.length > 0) report(`${role.roleName} may ${writes.join(", ")} on production's backups (${source})`, urn);
          else if (!refreshRoles.has(role.role.urn) && READS.some((action) => coversAction(statement, action))) {
            report(`${role.roleName} reads production's backups (${source}) but is not the staging refresh job's role: only the refresh masks them before staging sees them`, urn);
          }
        }
      }
    },
  },
);

export const stagingDataPolicies = [productionBackupsReadByRefreshOnly];
