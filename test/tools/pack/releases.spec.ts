import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { contentHash, readPackManifest } from "../../../tools/pack/manifest";
import { runRelease } from "../../../tools/pack/release";
import { committedRecords, PackRelease, readReleaseRecord, ReleaseRecord, releaseProblems, rewrittenReleases } from "../../../tools/pack/releases";
import { PROJECT_DIR } from "../../harness";
import { copyPack, PACK_DIR, PackCopy } from "./fixtures";

/**
 * Versioned gates. A published pack is known by its version: Pulumi Cloud stores each version a
 * `pulumi policy publish` sends (the version the SDK reads from package.json: pulumi/pulumi-policy@v1.21.0
 * sdk/nodejs/policy/policy.ts), policy groups enable a pack at a version, and the CLI installs a
 * required pack once per version, into `~/.pulumi/policies/<org>/pulumi-analyzer-<name>-v<version>`,
 * reusing that directory whenever it exists (pulumi/pulumi@v3.259.0: sdk/go/common/workspace/plugins.go
 * GetPolicyPath; pkg/backend/httpstate/policypack.go Installed). So one version must name one content.
 */
describe("the policy pack's versions follow its content (releases.json)", function () {
  this.timeout(120_000);
  const FILES = { record: "policies/releases.json", manifest: "policies/package.json" };

  it("the last recorded release is the pack as committed: same version, same content", () => {
    const record = readReleaseRecord(PACK_DIR);
    assert.ok(record.releases.length > 0);
    assert.deepEqual(releaseProblems(record, { version: readPackManifest(PACK_DIR).version, sha256: contentHash(PACK_DIR) }, FILES), []);
  });

  it("no committed release was ever rewritten or dropped (git history of releases.json)", function () {
    const history = committedRecords(PROJECT_DIR, "policies/releases.json");
    // A checkout without the file's history (an export, a clone of depth 1 before the record's commit) has nothing to compare.
    if (history.length === 0) this.skip();
    assert.deepEqual(rewrittenReleases(readReleaseRecord(PACK_DIR), history, FILES.record), []);
  });

  describe("what the check refuses", () => {
    const release = (version: string, policies: string[], sha = "a".repeat(64)): PackRelease => ({ version, sha256: sha, policies });
    const state = (version: string, sha = "a".repeat(64)) => ({ version, sha256: sha });

    it("a pack changed without a release, and a version moved by hand", () => {
      const record: ReleaseRecord = { releases: [release("1.0.0", ["a"])] };
      assert.deepEqual(releaseProblems(record, state("1.0.0", "b".repeat(64)), FILES), [
        "the policy pack changed since 1.0.0 was released (content bbbbbbbbbbbb…, recorded aaaaaaaaaaaa…): run npm run pack:release -- patch|minor|major (minor when a policy was added or tightened) and commit the new version with the change",
      ]);
      assert.deepEqual(releaseProblems(record, state("1.0.1"), FILES), [
        "policies/package.json has version 1.0.1 but the last release recorded in policies/releases.json is 1.0.0: versions are cut with npm run pack:release",
      ]);
      assert.deepEqual(releaseProblems({ releases: [] }, state("1.0.0"), FILES), ["policies/releases.json records no release: run npm run pack:release -- minor"]);
    });

    it("versions that do not rise, a policy added in a patch, a policy removed in a minor", () => {
      const record: ReleaseRecord = {
        releases: [release("1.0.0", ["a", "b"]), release("1.0.0", ["a", "b"]), release("1.0.1", ["a", "b", "c"]), release("1.1.0", ["a", "c"]), release("2.0.0", ["c"])],
      };
      assert.deepEqual(releaseProblems(record, state("2.0.0"), FILES), [
        "policies/releases.json: releases[1] 1.0.0 does not come after 1.0.0",
        "policies/releases.json: releases[2] 1.0.1 adds c, which needs a minor release after 1.0.0, not a patch",
        "policies/releases.json: releases[3] 1.1.0 removes b, which needs a major release after 1.0.1, not a minor",
      ]);
    });

    it("a release rewritten or dropped after it was committed", () => {
      const repo = mkdtempSync(path.join(tmpdir(), "flightdeck-release-history-"));
      try {
        const git = (...args: string[]) => execFileSync("git", ["-c", "user.name=test", "-c", "user.email=test@example.com", ...args], { cwd: repo, stdio: "pipe" });
        const file = path.join(repo, "releases.json");
        const write = (record: ReleaseRecord) => writeFileSync(file, JSON.stringify(record));
        git("init", "-q");
        write({ releases: [release("1.0.0", ["a"])] });
        git("add", "releases.json");
        git("commit", "-qm", "1.0.0");
        write({ releases: [release("1.0.0", ["a"]), release("1.1.0", ["a", "b"], "c".repeat(64))] });
        git("commit", "-qam", "1.1.0");
        const history = committedRecords(repo, "releases.json");
        assert.equal(history.length, 2);

        assert.deepEqual(rewrittenReleases({ releases: [release("1.0.0", ["a"]), release("1.1.0", ["a", "b"], "c".repeat(64)), release("1.2.0", ["a", "b", "d"])] }, history, "releases.json"), []);
        const [first, second] = history.map((entry) => entry.commit.slice(0, 12));
        assert.deepEqual(rewrittenReleases({ releases: [release("1.0.0", ["a"], "d".repeat(64))] }, history, "releases.json"), [
          `releases.json rewrote release 1.0.0, recorded in commit ${first}: a released version never changes; cut a new one`,
          `releases.json dropped release 1.1.0, recorded in commit ${second}: the record is append-only`,
        ]);
      } finally {
        rmSync(repo, { recursive: true, force: true });
      }
    });
  });

  describe("npm run pack:release", () => {
    let copy: PackCopy;
    beforeEach(() => (copy = copyPack({ modules: true })));
    afterEach(() => copy.remove());
    const release = (bump: string) => runRelease([bump], { packDir: copy.pack, rootDir: copy.root });
    const readJson = <T>(file: string) => JSON.parse(readFileSync(path.join(copy.pack, file), "utf8")) as T;

    it("refuses when nothing changed, a missing or unknown bump, and a version moved by hand", async () => {
      assert.deepEqual(await release("patch"), { exitCode: 2, lines: [`pack:release: nothing to release: the pack's content is the one released as ${readPackManifest(PACK_DIR).version}`] });
      assert.equal((await runRelease([], { packDir: copy.pack, rootDir: copy.root })).exitCode, 2);
      assert.equal((await release("huge")).exitCode, 2);
      copy.edit("package.json", (text) => text.replace(/"version": "[^"]+"/, '"version": "9.9.9"'));
      copy.edit("config/production.json", (text) => text.replace('"minApprovals": 1', '"minApprovals": 2'));
      const moved = await release("minor");
      assert.equal(moved.exitCode, 2);
      assert.match(moved.lines[0]!, /policies\/package.json has version 9.9.9 but the last release is /);
    });

    it("a changed pack: bumps package.json and the lockfile, appends the release, and the check passes again", async () => {
      const before = readReleaseRecord(copy.pack);
      const previous = readPackManifest(copy.pack).version;
      copy.edit("config/production.json", (text) => text.replace('"minApprovals": 1', '"minApprovals": 2'));
      assert.equal(releaseProblems(before, { version: previous, sha256: contentHash(copy.pack) }, FILES).length, 1, "a tightened config is a change");

      const result = await release("minor");
      assert.equal(result.exitCode, 0, result.lines.join("\n"));
      const [major, minor] = previous.split(".").map(Number);
      const next = `${major}.${minor! + 1}.0`;
      assert.equal(readPackManifest(copy.pack).version, next);
      const lock = readJson<{ version: string; packages: Record<string, { version?: string }> }>("package-lock.json");
      assert.equal(lock.version, next);
      assert.equal(lock.packages[""]!.version, next);

      const after = readReleaseRecord(copy.pack);
      assert.deepEqual(after.releases.slice(0, -1), before.releases, "earlier releases are kept as they were");
      assert.deepEqual(after.releases.at(-1), { version: next, sha256: contentHash(copy.pack), policies: before.releases.at(-1)!.policies });
      assert.deepEqual(releaseProblems(after, { version: next, sha256: contentHash(copy.pack) }, FILES), []);
    });

    it("a removed policy needs a major release", async () => {
      copy.edit("rules/index.ts", (text) => text.replace(/^\s*\.\.\.schedulePolicies,\n/m, ""));
      const minor = await release("minor");
      assert.equal(minor.exitCode, 2);
      assert.match(minor.lines[0]!, /^pack:release: this release removes schedule-production-deploy-window\b.*: it needs a major release, not a minor$/);
      assert.equal(readPackManifest(copy.pack).version, readPackManifest(PACK_DIR).version, "nothing written");

      const major = await release("major");
      assert.equal(major.exitCode, 0, major.lines.join("\n"));
      assert.match(major.lines.join("\n"), /policies removed: schedule-production-deploy-window/);
      assert.ok(!readReleaseRecord(copy.pack).releases.at(-1)!.policies.includes("schedule-production-deploy-window"));
    });
  });
});
