import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { z } from "zod";

/**
 * The pack's release record, policies/releases.json: every version of the pack ever cut, with the
 * content hash of what it ships (tools/pack/manifest.ts contentHash) and the policies it serves.
 * Append-only: a recorded version is never edited or removed, so a version names one content.
 */
export const RELEASES_FILE = "releases.json";

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;

const releaseSchema = z.strictObject({
  version: z.string().regex(SEMVER, "must be MAJOR.MINOR.PATCH"),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, "must be a SHA-256 hex digest"),
  policies: z.array(z.string().min(1)),
});
const recordSchema = z.strictObject({
  $comment: z.string().optional(),
  releases: z.array(releaseSchema),
});

export type PackRelease = z.infer<typeof releaseSchema>;
export type ReleaseRecord = z.infer<typeof recordSchema>;
export type Bump = "major" | "minor" | "patch";

export class ReleaseRecordError extends Error {}

export function parseReleaseRecord(text: string, source: string): ReleaseRecord {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new ReleaseRecordError(`${source}: not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const parsed = recordSchema.safeParse(data);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${source}: ${issue.path.join(".") || "(root)"}: ${issue.message}`);
    throw new ReleaseRecordError(issues.join("\n"));
  }
  return parsed.data;
}

export function readReleaseRecord(packDir: string): ReleaseRecord {
  const file = path.join(packDir, RELEASES_FILE);
  if (!existsSync(file)) return { releases: [] };
  return parseReleaseRecord(readFileSync(file, "utf8"), file);
}

export function parseVersion(version: string): [number, number, number] {
  const match = SEMVER.exec(version);
  if (!match) throw new ReleaseRecordError(`version ${JSON.stringify(version)} is not MAJOR.MINOR.PATCH`);
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

export function compareVersions(a: string, b: string): number {
  const [x, y] = [parseVersion(a), parseVersion(b)];
  return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
}

export function bumpVersion(version: string, bump: Bump): string {
  const [major, minor, patch] = parseVersion(version);
  if (bump === "major") return `${major + 1}.0.0`;
  if (bump === "minor") return `${major}.${minor + 1}.0`;
  return `${major}.${minor}.${patch + 1}`;
}

/** Which part of the version moved from `from` to `to` (assumes to > from). */
export function bumpOf(from: string, to: string): Bump {
  const [a, b] = [parseVersion(from), parseVersion(to)];
  if (b[0] !== a[0]) return "major";
  if (b[1] !== a[1]) return "minor";
  return "patch";
}

const RANK: Record<Bump, number> = { patch: 0, minor: 1, major: 2 };

/**
 * The least bump a change of the served policies needs: a removed (or renamed) policy breaks every
 * policy config and policy group that names it (their entry for it silently stops applying:
 * pulumi/pulumi@v3.259.0 pkg/resource/analyzer/config.go applyConfig), so major; an added policy can block changes that
 * passed before, so minor; anything else, patch (tightening a policy's code is a minor release too,
 * which only its author can tell).
 */
export function requiredBump(before: readonly string[], after: readonly string[]): { bump: Bump; added: string[]; removed: string[] } {
  const added = after.filter((name) => !before.includes(name));
  const removed = before.filter((name) => !after.includes(name));
  return { bump: removed.length > 0 ? "major" : added.length > 0 ? "minor" : "patch", added, removed };
}

export function isAtLeast(bump: Bump, least: Bump): boolean {
  return RANK[bump] >= RANK[least];
}

/** What the pack is now: its package.json version and the content hash of what it ships. */
export interface PackState {
  version: string;
  sha256: string;
}

/**
 * Everything wrong with the record against the pack as it is, one message per problem:
 * versions unique and rising, each release's bump at least what its policy changes need, and
 * the last release being the pack as it is (same version, same content).
 */
export function releaseProblems(record: ReleaseRecord, state: PackState, files: { record: string; manifest: string }): string[] {
  const problems: string[] = [];
  const releases = record.releases;
  if (releases.length === 0) return [`${files.record} records no release: run npm run pack:release -- minor`];
  releases.forEach((release, index) => {
    const previous = releases[index - 1];
    if (!previous) return;
    if (compareVersions(release.version, previous.version) <= 0) {
      problems.push(`${files.record}: releases[${index}] ${release.version} does not come after ${previous.version}`);
      return;
    }
    const needed = requiredBump(previous.policies, release.policies);
    const made = bumpOf(previous.version, release.version);
    if (!isAtLeast(made, needed.bump)) {
      const why = needed.removed.length > 0 ? `removes ${needed.removed.join(", ")}` : `adds ${needed.added.join(", ")}`;
      problems.push(`${files.record}: releases[${index}] ${release.version} ${why}, which needs a ${needed.bump} release after ${previous.version}, not a ${made}`);
    }
  });
  const last = releases[releases.length - 1]!;
  if (state.version !== last.version) {
    problems.push(`${files.manifest} has version ${state.version} but the last release recorded in ${files.record} is ${last.version}: versions are cut with npm run pack:release`);
  } else if (state.sha256 !== last.sha256) {
    problems.push(
      `the policy pack changed since ${last.version} was released (content ${state.sha256.slice(0, 12)}…, recorded ${last.sha256.slice(0, 12)}…): ` +
        `run npm run pack:release -- patch|minor|major (minor when a policy was added or tightened) and commit the new version with the change`,
    );
  }
  return problems;
}

/**
 * The record's own history in git: each committed version of the file, oldest first, by commit.
 * Empty outside a git checkout; a shallow clone has only the commits it fetched.
 */
export function committedRecords(rootDir: string, relativeFile: string): { commit: string; record: ReleaseRecord }[] {
  let commits: string[];
  try {
    commits = execFileSync("git", ["log", "--first-parent", "--format=%H", "--reverse", "--", relativeFile], { cwd: rootDir, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] })
      .split("\n")
      .filter((line) => line !== "");
  } catch {
    return [];
  }
  const history: { commit: string; record: ReleaseRecord }[] = [];
  for (const commit of commits) {
    let text: string;
    try {
      text = execFileSync("git", ["show", `${commit}:${relativeFile}`], { cwd: rootDir, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    } catch {
      continue; // the commit deleted the file
    }
    history.push({ commit, record: parseReleaseRecord(text, `${relativeFile} at ${commit.slice(0, 12)}`) });
  }
  return history;
}

/** Releases that a committed version of the record had and the current one changed or dropped. */
export function rewrittenReleases(current: ReleaseRecord, history: { commit: string; record: ReleaseRecord }[], recordFile: string): string[] {
  const problems: string[] = [];
  const now = new Map(current.releases.map((release) => [release.version, release]));
  const reported = new Set<string>();
  for (const { commit, record } of history) {
    for (const release of record.releases) {
      const kept = now.get(release.version);
      if (reported.has(release.version)) continue;
      if (!kept) problems.push(`${recordFile} dropped release ${release.version}, recorded in commit ${commit.slice(0, 12)}: the record is append-only`);
      else if (kept.sha256 !== release.sha256 || JSON.stringify(kept.policies) !== JSON.stringify(release.policies)) {
        problems.push(`${recordFile} rewrote release ${release.version}, recorded in commit ${commit.slice(0, 12)}: a released version never changes; cut a new one`);
      } else continue;
      reported.add(release.version);
    }
  }
  return problems;
}
