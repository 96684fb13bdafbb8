import { PolicyStatement } from "../../infra/aws/policyDocument";
import {
  META_KEY,
  StackLocation,
  bucketArn,
  checkpointKeys,
  checkpointListPrefix,
  historyPrefix,
  locksPrefix,
  objectArn,
  stackWriteArns,
} from "./stateLayout";

/**
 * What each role may do in the state bucket, from the DIY backend's layout (./stateLayout.ts cites
 * where pulumi/pulumi reads and writes each object). Object reads and writes are scoped to one stack's
 * keys; listing is scoped by `s3:prefix` to the prefixes the CLI lists (ListObjects is authorised as
 * s3:ListBucket on the bucket, with the request's prefix as `s3:prefix`:
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/amazon-s3-policy-keys.html#condition-key-bucket-ops-2).
 * Objects are encrypted with the state key through S3, which calls KMS as the requester:
 * GenerateDataKey to write and Decrypt to read, bound to S3 by `kms:ViaService`
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html#require-sse-kms;
 * https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service).
 */

export interface StateBucket {
  bucket: string;
  keyArn: string;
  region: string;
}

const viaS3 = (region: string) => ({ StringEquals: { "kms:ViaService": `s3.${region}.amazonaws.com` } });

/** Reads the checkpoints of `stacks` (a preview, `pulumi stack output`), nothing else. */
export function stateReadStatements(state: StateBucket, stacks: readonly StackLocation[], options: { history?: boolean } = {}): PolicyStatement[] {
  const prefixes = stacks.map(checkpointListPrefix);
  const objects = [objectArn(state.bucket, META_KEY), ...stacks.flatMap((stack) => checkpointKeys(stack).map((key) => objectArn(state.bucket, key)))];
  if (options.history) {
    prefixes.push(...stacks.map(historyPrefix));
    objects.push(...stacks.map((stack) => objectArn(state.bucket, `${historyPrefix(stack)}*`)));
  }
  return [
    { Sid: "ListStackCheckpoints", Effect: "Allow", Action: "s3:ListBucket", Resource: bucketArn(state.bucket), Condition: { StringEquals: { "s3:prefix": prefixes } } },
    { Sid: "ReadStackCheckpoints", Effect: "Allow", Action: "s3:GetObject", Resource: objects },
    { Sid: "DecryptStateThroughS3", Effect: "Allow", Action: "kms:Decrypt", Resource: state.keyArn, Condition: viaS3(state.region) },
  ];
}

/** Everything a `pulumi up` of one stack does in the bucket: its checkpoint, history, backups and locks. */
export function stateWriteStatements(state: StateBucket, stack: StackLocation): PolicyStatement[] {
  const checkpoints = checkpointKeys(stack).map((key) => objectArn(state.bucket, key));
  const locks = objectArn(state.bucket, `${locksPrefix(stack)}*`);
  return [
    {
      Sid: "ListStackState",
      Effect: "Allow",
      Action: "s3:ListBucket",
      Resource: bucketArn(state.bucket),
      Condition: { StringEquals: { "s3:prefix": [checkpointListPrefix(stack), locksPrefix(stack), historyPrefix(stack)] } },
    },
    { Sid: "ReadStackState", Effect: "Allow", Action: "s3:GetObject", Resource: [objectArn(state.bucket, META_KEY), ...checkpoints, locks] },
    { Sid: "WriteStackState", Effect: "Allow", Action: "s3:PutObject", Resource: stackWriteArns(state.bucket, stack) },
    // Unlock deletes the lock; a checkpoint written with another compression replaces (deletes) the old variant.
    { Sid: "DeleteStackLocksAndOldCheckpoints", Effect: "Allow", Action: "s3:DeleteObject", Resource: [...checkpoints, locks] },
    { Sid: "EncryptStateThroughS3", Effect: "Allow", Action: ["kms:GenerateDataKey", "kms:Decrypt"], Resource: state.keyArn, Condition: viaS3(state.region) },
  ];
}
