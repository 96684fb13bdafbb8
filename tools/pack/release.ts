import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { PolicyPackProcess } from "../policy/client";
import { PROJECT_ROOT } from "../projectRoot";
import { dependencyProblems } from "./dependencies";
import { contentHash, PACK_SOURCE_DIR, readPackManifest } from "./manifest";
import { setPackVersion } from "./packageFiles";
import { Bump, bumpVersion, isAtLeast, PackRelease, readReleaseRecord, RELEASES_FILE, ReleaseRecordError, requiredBump } from "./releases";

export const RELEASE_USAGE = "usage: npm run pack:release -- patch|minor|major";

const RECORD_COMMENT =
  "Append-only record of the policy pack's releases: version, SHA-256 of the content it ships (tools/pack/manifest.ts), policies it serves. Written by npm run pack:release; never edit a recorded release.";

/** The names of the policies the pack serves, asked of the pack itself over the analyzer protocol. */
export async function servedPolicies(packDir: string): Promise<string[]> {
  const pack = await PolicyPackProcess.start({ stack: "release", packDir });
  try {
    return (await pack.info()).getPoliciesList().map((policy) => policy.getName());
  } finally {
    pack.close();
  }
}

/**
 * `npm run pack:release -- patch|minor|major`: bumps policies/package.json (and its lockfile) and
 * appends the new version, its content hash and its policies to policies/releases.json. Refuses
 * when nothing changed since the last release, when the version was moved by hand, and when the
 * bump is smaller than the policy changes need (a removed policy: major; an added one: minor).
 * Exit 0: recorded; 2: refused (nothing is written).
 */
export async function runRelease(
  argv: readonly string[],
  options: { packDir?: string; rootDir?: string } = {},
): Promise<{ exitCode: number; lines: string[] }> {
  const packDir = options.packDir ?? PACK_SOURCE_DIR;
  const rootDir = options.rootDir ?? PROJECT_ROOT;
  const rel = (file: string) => path.relative(rootDir, path.join(packDir, file)).split(path.sep).join("/");
  const refuse = (...lines: string[]) => ({ exitCode: 2, lines });

  if (argv.length !== 1 || !["patch", "minor", "major"].includes(argv[0]!)) return refuse(`pack:release: expected one of patch, minor, major (got ${argv.join(" ") || "nothing"})`, RELEASE_USAGE);
  const bump = argv[0] as Bump;

  let record;
  try {
    record = readReleaseRecord(packDir);
  } catch (error) {
    if (error instanceof ReleaseRecordError) return refuse(`pack:release: ${error.message}`);
    throw error;
  }
  const manifest = readPackManifest(packDir);
  const last = record.releases[record.releases.length - 1];
  const sha256 = contentHash(packDir);
  if (last && last.sha256 === sha256) return refuse(`pack:release: nothing to release: the pack's content is the one released as ${last.version}`);
  if (last && last.version !== manifest.version) {
    return refuse(`pack:release: ${rel("package.json")} has version ${manifest.version} but the last release is ${last.version}: set it back to ${last.version}; this command moves it`);
  }

  const problems = dependencyProblems(packDir, rootDir);
  if (problems.length > 0) return refuse(...problems.map((problem) => `pack:release: ${problem}`), "pack:release: a release must be a self-contained pack: fix the above first");

  const policies = await servedPolicies(packDir);
  const change = requiredBump(last?.policies ?? policies, policies);
  if (!isAtLeast(bump, change.bump)) {
    const why = change.removed.length > 0 ? `removes ${change.removed.join(", ")}` : `adds ${change.added.join(", ")}`;
    return refuse(`pack:release: this release ${why}: it needs a ${change.bump} release, not a ${bump}`);
  }

  const version = bumpVersion(manifest.version, bump);
  const release: PackRelease = { version, sha256, policies };
  setPackVersion(packDir, version);
  writeFileSync(path.join(packDir, RELEASES_FILE), `${JSON.stringify({ $comment: RECORD_COMMENT, releases: [...record.releases, release] }, null, 2)}\n`);

  const lines = [`pack:release: ${manifest.name} ${version} (was ${manifest.version}), content sha256 ${sha256}`];
  if (change.added.length > 0) lines.push(`pack:release: policies added: ${change.added.join(", ")}`);
  if (change.removed.length > 0) lines.push(`pack:release: policies removed: ${change.removed.join(", ")}`);
  lines.push(`pack:release: commit ${rel("package.json")}, ${rel("package-lock.json")} and ${rel(RELEASES_FILE)} with the change they release`);
  return { exitCode: 0, lines };
}

if (require.main === module) {
  runRelease(process.argv.slice(2)).then(
    (result) => {
      for (const line of result.lines) (result.exitCode === 0 ? process.stdout : process.stderr).write(`${line}\n`);
      process.exitCode = result.exitCode;
    },
    (error: unknown) => {
      process.stderr.write(`pack:release: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
