/**
 * Each stack's identity as its stack files declare it, and where the isolation policy's copy of it
 * (policies/config/<stack>.json, isolation-stack-resources-own.stacks) disagrees.
 *
 * The judge keeps its own copy on purpose: it runs from the base branch, so a pull request cannot move
 * production's identifiers out of its sight by editing Pulumi.production.yaml. The copy must still say
 * what the stack files say; every disagreement is one line naming both files. The copy may list more
 * than the files (a second host while a database moves: add it to the copy first, then move the stack);
 * every identifier a stack file uses must be in its stack's copy, and none in another stack's.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { StackIdentities, StackIdentity } from "../../policies/lib/stackIdentity";
import { ISOLATION_POLICY } from "../../policies/rules/isolation";
import { readNamespace } from "../../infra/config/load";
import { StackSettings } from "../../infra/config/schema";
import { requiredSecretKeys, validateStackConfig } from "../../infra/config/validate";
import { deployBranch, stackPrefix } from "../../infra/naming";
import { readStackConfig } from "../offline/stackConfig";

/** The identity a stack's settings give it (the program's own naming: infra/naming.ts, the bridge's and jobs' parameter paths). */
export function identityOf(settings: StackSettings, reads: StackIdentity["reads"]): StackIdentity {
  const environment = settings.environment;
  const host = (url: string | undefined) => (url === undefined ? [] : [new URL(url).hostname]);
  const domains = [...new Set([...(settings.web?.domain ? [settings.web.domain] : []), ...host(settings.web?.url), ...host(settings.api?.url)])];
  const backups = settings.disasterRecovery?.backups;
  return {
    branch: deployBranch(settings),
    vercelTarget: environment === "production" ? "production" : "preview",
    domains,
    // The database's own host, and the public proxy the backup jobs reach it through.
    databaseHosts: [...new Set([...(settings.database ? [settings.database.host] : []), ...(backups?.connection.via === "public" && backups.connection.host !== undefined ? [backups.connection.host] : [])])],
    databases: settings.database ? [settings.database.name] : [],
    buckets: [...(settings.audit ? [settings.audit.bucketName] : []), ...(backups ? [backups.bucketName, ...(backups.replica ? [backups.replica.bucketName] : [])] : [])],
    namespace: settings.alerts?.namespace ?? `${settings.product.name}/${environment}`,
    parameterPath: `/flightdeck/${settings.product.slug}/${environment}/`,
    namePrefix: stackPrefix(settings),
    railwayEnvironment: settings.api?.railway.environment ?? environment,
    ...(settings.metricsBridge ? { railwayEnvironmentId: settings.metricsBridge.railway.environmentId, posthogProject: settings.metricsBridge.posthog.projectId } : {}),
    ...(reads && Object.keys(reads).length > 0 ? { reads } : {}),
  };
}

/**
 * The settings of a stack, read and validated as the program reads them. Identity is plain config: the
 * secrets it needs are stood in for (their values name nothing the identity holds).
 */
export function stackSettings(stack: string, projectDir: string): StackSettings {
  const { config } = readStackConfig(stack, projectDir);
  const raw = readNamespace(config);
  const standIns = Object.fromEntries(requiredSecretKeys(raw).map((key) => [key, "stand-in"]));
  const result = validateStackConfig({ ...raw, ...standIns }, { isSecret: (key) => key in standIns });
  if (!result.ok) throw new Error(`Pulumi.${stack}.yaml: ${result.problems.join("; ")}`);
  return result.settings;
}

/** Every stack's identity from the stack files; a stack reads the buckets of another stack its staging data comes from. */
export function identitiesFromStackFiles(stacks: readonly string[], projectDir: string): StackIdentities {
  const settings = new Map(stacks.map((stack) => [stack, stackSettings(stack, projectDir)]));
  const bucketsOf = (other: StackSettings) => identityOf(other, undefined).buckets;
  const identities: StackIdentities = {};
  for (const [stack, own] of settings) {
    const reads: Record<string, { buckets: string[] }> = {};
    const source = own.stagingData?.mode === "anonymized" ? own.stagingData.source.bucketName : undefined;
    for (const [other, theirs] of settings) {
      if (other !== stack && source !== undefined && bucketsOf(theirs).includes(source)) reads[other] = { buckets: [source] };
    }
    identities[stack] = identityOf(own, reads);
  }
  return identities;
}

/** The isolation policy's copy of the identities in a policy config file. */
export function identitiesInPolicyConfig(file: string): StackIdentities {
  const config = JSON.parse(readFileSync(file, "utf8")) as Record<string, { stacks?: StackIdentities } | undefined>;
  return config[ISOLATION_POLICY]?.stacks ?? {};
}

const LIST_FIELDS = ["domains", "databaseHosts", "databases", "buckets"] as const;
const VALUE_FIELDS = ["branch", "vercelTarget", "namespace", "parameterPath", "namePrefix", "railwayEnvironment", "railwayEnvironmentId", "posthogProject"] as const;

/**
 * Where a copy (`copyFile`'s) disagrees with the stack files' identities: one line each, naming the copy's
 * file and key and the stack file. An identifier the stack file uses must be in its stack's copy; a copy
 * may list more (a move in progress), but never an identifier another stack's file uses.
 */
export function identityDisagreements(fromFiles: StackIdentities, copy: StackIdentities, copyFile: string): string[] {
  const problems: string[] = [];
  const key = (stack: string, field: string) => `${copyFile}: ${ISOLATION_POLICY}.stacks.${stack}.${field}`;
  for (const [stack, declared] of Object.entries(fromFiles)) {
    const stackFile = `Pulumi.${stack}.yaml`;
    const copied = copy[stack];
    if (copied === undefined) {
      problems.push(`${copyFile}: ${ISOLATION_POLICY}.stacks has no ${stack}, but ${stackFile} exists: its identity must be listed for every stack's judge`);
      continue;
    }
    for (const field of LIST_FIELDS) {
      for (const value of declared[field]) {
        if (!copied[field].some((entry) => entry.toLowerCase() === value.toLowerCase())) problems.push(`${key(stack, field)} lacks ${value}, which ${stackFile} uses`);
      }
    }
    for (const field of VALUE_FIELDS) {
      if (declared[field] !== undefined && copied[field] !== declared[field]) problems.push(`${key(stack, field)} is ${JSON.stringify(copied[field])}, but ${stackFile} gives ${JSON.stringify(declared[field])}`);
    }
    for (const [other, { buckets }] of Object.entries(declared.reads ?? {})) {
      for (const bucket of buckets) if (!(copied.reads?.[other]?.buckets ?? []).includes(bucket)) problems.push(`${key(stack, `reads.${other}.buckets`)} lacks ${bucket}, which ${stackFile} reads (flightdeck:stagingData.source)`);
    }
    for (const [other, { buckets }] of Object.entries(copied.reads ?? {})) {
      for (const bucket of buckets) if (!(declared.reads?.[other]?.buckets ?? []).includes(bucket)) problems.push(`${key(stack, `reads.${other}.buckets`)} lists ${bucket}, which ${stackFile} does not read: the copy may let a stack read only what its file reads`);
    }
    for (const [other, theirs] of Object.entries(fromFiles)) {
      if (other === stack) continue;
      for (const field of LIST_FIELDS) {
        for (const value of theirs[field]) {
          if (copied[field].some((entry) => entry.toLowerCase() === value.toLowerCase())) problems.push(`${key(stack, field)} lists ${value}, which Pulumi.${other}.yaml uses: a resource belongs to one stack`);
        }
      }
    }
  }
  for (const stack of Object.keys(copy)) {
    if (fromFiles[stack] === undefined) problems.push(`${key(stack, "")}: no Pulumi.${stack}.yaml declares this stack`.replace(/\.: /, ": "));
  }
  return problems;
}

/** Every disagreement between the policy config files and the stack files of a project directory. */
export function projectIdentityDisagreements(projectDir: string, stacks: readonly string[], configFiles: readonly string[]): string[] {
  const fromFiles = identitiesFromStackFiles(stacks, projectDir);
  return configFiles.flatMap((file) => identityDisagreements(fromFiles, identitiesInPolicyConfig(file), path.relative(projectDir, file)));
}
