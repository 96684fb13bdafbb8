/**
 * Where Pulumi's DIY backend keeps one stack in a bucket (the project-scoped layout, `.pulumi/meta.yaml`
 * version 1, which a new bucket gets), as pulumi/pulumi@v3.259.0 writes it:
 *
 * - pkg/backend/diy/store.go (projectReferenceStore): the checkpoint is
 *   `.pulumi/stacks/<project>/<stack>` + `.json`, `.json.gz` or `.json.zst`; history under
 *   `.pulumi/history/<project>/<stack>/`; backups under `.pulumi/backups/<project>/<stack>/`.
 * - pkg/backend/diy/state.go: saveCheckpoint copies the checkpoint to `<file>.bak` first (backupTarget)
 *   and deletes the old variant when the compression changes; stackPath lists the prefix
 *   `.pulumi/stacks/<project>/<stack>.json` (ListObjects) to find the variant; addToHistory writes
 *   `<stack>-<ns>.history.json` and copies the checkpoint to `<stack>-<ns>.checkpoint.json`;
 *   backupStack writes `<stack>.<ns>.json` under the backups directory.
 * - pkg/backend/diy/lock.go: `pulumi up` writes `.pulumi/locks/organization/<project>/<stack>/<id>.json`
 *   (the stack's fully qualified name `organization/<project>/<stack>`, backend.go FullyQualifiedName),
 *   lists that directory for other locks first (checkForLock) and deletes its own lock at the end.
 * - pkg/backend/diy/meta.go: every login reads `.pulumi/meta.yaml` (ensurePulumiMeta).
 * - pkg/backend/diy/backend.go: Preview takes no lock and writes nothing (backend.Preview; only Update,
 *   Refresh, Destroy and Import call b.Lock, and apply persists, records history and backs up only when
 *   not a dry run).
 */

export const META_KEY = ".pulumi/meta.yaml";

/** The checkpoint's possible names and their backups (plain, gzip, zstd). */
const CHECKPOINT_SUFFIXES = [".json", ".json.gz", ".json.zst", ".json.bak", ".json.gz.bak", ".json.zst.bak"];

export interface StackLocation {
  project: string;
  stack: string;
}

/** Object keys of a stack's checkpoint, every variant and backup. */
export function checkpointKeys({ project, stack }: StackLocation): string[] {
  return CHECKPOINT_SUFFIXES.map((suffix) => `.pulumi/stacks/${project}/${stack}${suffix}`);
}

/** The prefix `stackPath` lists to find which checkpoint variant exists. */
export function checkpointListPrefix({ project, stack }: StackLocation): string {
  return `.pulumi/stacks/${project}/${stack}.json`;
}

export function historyPrefix({ project, stack }: StackLocation): string {
  return `.pulumi/history/${project}/${stack}/`;
}

export function backupsPrefix({ project, stack }: StackLocation): string {
  return `.pulumi/backups/${project}/${stack}/`;
}

export function locksPrefix({ project, stack }: StackLocation): string {
  return `.pulumi/locks/organization/${project}/${stack}/`;
}

export const objectArn = (bucket: string, key: string): string => `arn:aws:s3:::${bucket}/${key}`;
export const bucketArn = (bucket: string): string => `arn:aws:s3:::${bucket}`;

/** Every object ARN a `pulumi up` of the stack writes or deletes (checkpoints, history, backups, locks). */
export function stackWriteArns(bucket: string, location: StackLocation): string[] {
  return [
    ...checkpointKeys(location).map((key) => objectArn(bucket, key)),
    objectArn(bucket, `${historyPrefix(location)}*`),
    objectArn(bucket, `${backupsPrefix(location)}*`),
    objectArn(bucket, `${locksPrefix(location)}*`),
  ];
}

/** The backend URL the CLI logs in to (`pulumi login s3://<bucket>?region=<region>`; gocloud.dev s3blob URL). */
export function s3BackendUrl(bucket: string, region: string): string {
  return `s3://${bucket}?region=${region}`;
}
