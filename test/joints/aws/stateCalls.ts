import { AwsCall, baseContext } from "./calls";

/**
 * What the Pulumi CLI itself calls with a DIY S3 backend and an `awskms://` secrets provider, read in
 * pulumi/pulumi@v3.259.0:
 * - pkg/backend/diy/meta.go ensurePulumiMeta: every login reads `.pulumi/meta.yaml` (ReadAll: s3:GetObject);
 * - pkg/backend/diy/backend.go GetStack → state.go stackExists: stackPath lists the prefix
 *   `.pulumi/stacks/<project>/<stack>.json` (ListObjects: s3:ListBucket with that s3:prefix), then `Exists`
 *   (HeadObject, authorised as s3:GetObject) and getCheckpoint's ReadAll (s3:GetObject) of the checkpoint;
 * - pkg/backend/diy/backend.go Preview takes no lock and writes nothing; Update locks (lock.go Lock: lists
 *   `.pulumi/locks/organization/<project>/<stack>/`, writes `<id>.json`, lists again; Unlock deletes it);
 * - state.go saveCheckpoint: backupTarget copies the checkpoint to `<file>.bak` (Exists, then CopyObject:
 *   s3:GetObject on the source, s3:PutObject on the copy) and writes the checkpoint; addToHistory writes
 *   `.pulumi/history/<project>/<stack>/<stack>-<ns>.history.json` and copies the checkpoint beside it;
 *   backupStack reads the checkpoint and writes `.pulumi/backups/<project>/<stack>/<stack>.<ns>.json`;
 * - pkg/secrets/cloud/manager.go: the stack's secrets manager decrypts its data key with the awskms key
 *   (kms:Decrypt, called by the CLI itself);
 * - the bucket encrypts objects with the state key (SSE-KMS): S3 calls KMS for the requester, GenerateDataKey
 *   to write and Decrypt to read, through `s3.<region>.amazonaws.com`
 *   (https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html#aws-managed-customer-managed-keys).
 * - pkg/resource/deploy/builtins.go readStackReference → backend.go GetStackOutputs: a stack reference
 *   reads the referenced stack like GetStack above (list, exists, read); secrets it cannot decrypt are elided
 *   ("eliding undecryptable secrets"), so only the reads must be allowed.
 */

export interface StateBackend {
  bucket: string;
  region: string;
  account: string;
  stateKeyArn: string;
}

export interface StackLocation {
  project: string;
  stack: string;
}

const object = (state: StateBackend, key: string) => `arn:aws:s3:::${state.bucket}/${key}`;

interface Caller {
  by: string;
  principalArn: string;
}

function s3Call(state: StateBackend, caller: Caller, action: string, resource: string, why: string, extra: Record<string, string> = {}): AwsCall {
  return { by: caller.by, action, resource, context: { ...baseContext(caller.principalArn, state.account, state.region), ...extra }, why };
}

function viaS3(state: StateBackend, caller: Caller, action: "kms:Decrypt" | "kms:GenerateDataKey", why: string): AwsCall {
  return {
    by: caller.by,
    action,
    resource: state.stateKeyArn,
    context: { ...baseContext(caller.principalArn, state.account, state.region), "kms:ViaService": `s3.${state.region}.amazonaws.com`, "kms:CallerAccount": state.account },
    why,
  };
}

/** Reading one stack's checkpoint: what GetStack and getCheckpoint do (a preview, an up, a stack reference). */
function readStack(state: StateBackend, caller: Caller, location: StackLocation, why: string): AwsCall[] {
  const checkpoint = `.pulumi/stacks/${location.project}/${location.stack}.json`;
  return [
    s3Call(state, caller, "s3:ListBucket", `arn:aws:s3:::${state.bucket}`, `${why}: list ${checkpoint}*`, { "s3:prefix": checkpoint }),
    s3Call(state, caller, "s3:GetObject", object(state, checkpoint), `${why}: read the checkpoint`),
    viaS3(state, caller, "kms:Decrypt", `${why}: read the checkpoint (SSE-KMS)`),
  ];
}

/** `pulumi preview`: log in, read the stack, decrypt its secrets. */
export function previewStateCalls(state: StateBackend, caller: Caller, location: StackLocation, secretsKeyArn: string | undefined): AwsCall[] {
  const why = `${location.stack} preview (state backend)`;
  return [
    s3Call(state, caller, "s3:GetObject", object(state, ".pulumi/meta.yaml"), `${why}: login reads .pulumi/meta.yaml`),
    ...readStack(state, caller, location, why),
    ...(secretsKeyArn ? [{ by: caller.by, action: "kms:Decrypt", resource: secretsKeyArn, context: baseContext(caller.principalArn, state.account, state.region), why: `${why}: decrypt the stack's data key (awskms)` }] : []),
  ];
}

/** `pulumi up`: everything a preview does, then lock, checkpoint (with its .bak), history, backup, unlock. */
export function upStateCalls(state: StateBackend, caller: Caller, location: StackLocation, secretsKeyArn: string | undefined): AwsCall[] {
  const why = `${location.stack} up (state backend)`;
  const stacks = `.pulumi/stacks/${location.project}/${location.stack}`;
  const locks = `.pulumi/locks/organization/${location.project}/${location.stack}/`;
  const history = `.pulumi/history/${location.project}/${location.stack}/`;
  const backups = `.pulumi/backups/${location.project}/${location.stack}/`;
  const put = (key: string, what: string) => [s3Call(state, caller, "s3:PutObject", object(state, key), `${why}: ${what}`), viaS3(state, caller, "kms:GenerateDataKey", `${why}: ${what} (SSE-KMS)`)];
  return [
    ...previewStateCalls(state, caller, location, secretsKeyArn).map((call) => ({ ...call, why: call.why.replace("preview", "up") })),
    s3Call(state, caller, "s3:ListBucket", `arn:aws:s3:::${state.bucket}`, `${why}: checkForLock lists the locks`, { "s3:prefix": locks }),
    ...put(`${locks}1700000000000000000.json`, "take the lock"),
    ...put(`${stacks}.json.bak`, "backupTarget copies the checkpoint to .bak"),
    ...put(`${stacks}.json`, "write the checkpoint"),
    ...put(`${history}${location.stack}-1700000000000000000.history.json`, "addToHistory"),
    ...put(`${history}${location.stack}-1700000000000000000.checkpoint.json`, "addToHistory copies the checkpoint"),
    ...put(`${backups}${location.stack}.1700000000000000000.json`, "backupStack"),
    s3Call(state, caller, "s3:DeleteObject", object(state, `${locks}1700000000000000000.json`), `${why}: Unlock deletes the lock`),
  ];
}

/** A stack reference to `organization/<project>/<stack>`: the reads GetStackOutputs makes. */
export function stackReferenceCalls(state: StateBackend, caller: Caller, referenced: StackLocation, from: string): AwsCall[] {
  return readStack(state, caller, referenced, `${from} up and preview: stack reference to ${referenced.project}/${referenced.stack}`);
}
