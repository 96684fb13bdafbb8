import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { dependencyProblems } from "../../../tools/pack/dependencies";
import { packFiles, PackManifestError, readPackManifest } from "../../../tools/pack/manifest";
import { cleanEnvironment } from "../../../tools/pack/published";
import { PROJECT_DIR } from "../../harness";
import { copyPack, PACK_DIR, PackCopy } from "./fixtures";

/**
 * The pack as a self-contained npm package. Upstream facts this relies on:
 * - `pulumi policy publish` uploads what `npm pack` produces in the pack directory
 *   (pulumi/pulumi@v3.259.0: pkg/backend/httpstate/policypack.go Publish, sdk/nodejs/npm/npm.go Pack);
 *   npm ships package.json and README on its own, the `files` list, and never package-lock.json
 *   (npm/npm-packlist@v10.0.4: lib/index.js, the strict rules);
 * - the CLI installs a downloaded pack with `npm install` in its directory
 *   (pkg/backend/httpstate/policypack.go installRequiredPolicy → sdk/nodejs/npm/npm.go Install), so
 *   package.json alone decides the versions: ranges, which the root's locked versions must satisfy (so in
 *   place the pack runs a version the range allows) and to which the pack's lockfile resolves;
 * - the engine starts a Node.js pack with @pulumi/pulumi/cmd/run-policy-pack resolved from the pack's
 *   directory and compiles it with the `typescript` it finds there, else a vendored 3.8.3
 *   (sdk/nodejs/cmd/pulumi-language-nodejs/main.go locateModule; sdk/nodejs/tsutils.ts).
 */
describe("the policy pack as a self-contained package", function () {
  this.timeout(60_000);

  const manifestOf = (copy: PackCopy) => JSON.parse(readFileSync(path.join(copy.pack, "package.json"), "utf8")) as { dependencies: Record<string, string>; files: string[] };
  const writeManifest = (copy: PackCopy, change: (manifest: Record<string, unknown>) => void) => {
    const manifest = JSON.parse(readFileSync(path.join(copy.pack, "package.json"), "utf8")) as Record<string, unknown>;
    change(manifest);
    writeFileSync(path.join(copy.pack, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  };
  const rootLocked = (name: string) => (JSON.parse(readFileSync(path.join(PROJECT_DIR, "package-lock.json"), "utf8")) as { packages: Record<string, { version: string }> }).packages[`node_modules/${name}`]!.version;

  let copy: PackCopy;
  beforeEach(() => (copy = copyPack()));
  afterEach(() => copy.remove());

  it("as committed: declares exactly what it loads, as caret ranges of the versions the root installs, with a matching lockfile", () => {
    assert.deepEqual(dependencyProblems(PACK_DIR, PROJECT_DIR), []);
    const manifest = readPackManifest(PACK_DIR);
    const lock = JSON.parse(readFileSync(path.join(PACK_DIR, "package-lock.json"), "utf8")) as { packages: Record<string, { version: string }> };
    for (const name of ["@pulumi/policy", "@pulumi/pulumi", "typescript", "@types/node", "yaml", "zod"]) {
      assert.equal(manifest.dependencies[name], `^${rootLocked(name)}`, name);
      assert.equal(lock.packages[`node_modules/${name}`]!.version, rootLocked(name), `${name}: the pack's lockfile installs the root's version`);
    }
  });

  it("ships what npm pack ships: the files list, package.json, and README.md (left out of the content hash)", () => {
    const [packed] = JSON.parse(execFileSync("npm", ["pack", "--dry-run", "--json", "--loglevel=error"], { cwd: PACK_DIR, env: cleanEnvironment(), encoding: "utf8" })) as [{ files: { path: string }[] }];
    const shipped = packed.files.map((file) => file.path).sort();
    assert.deepEqual(shipped.filter((file) => file !== "README.md"), packFiles(PACK_DIR));
    assert.ok(!shipped.includes("package-lock.json"), "npm never packs package-lock.json");
    assert.ok(shipped.includes("waivers.yaml") && shipped.includes("PulumiPolicy.yaml") && shipped.includes("tsconfig.json"));
  });

  it("a package under the AGPL in the pack's lockfile (the pack ships with a proprietary project)", () => {
    copy.edit("package-lock.json", (text) => {
      const lock = JSON.parse(text) as { packages: Record<string, Record<string, unknown>> };
      lock.packages["node_modules/@pulumi/policy/node_modules/@cloud-copilot/iam-simulate"] = { version: "0.1.173", license: "AGPL-3.0-or-later" };
      return JSON.stringify(lock, null, 2);
    });
    assert.deepEqual(dependencyProblems(copy.pack, copy.root), [
      "policies/package-lock.json installs @cloud-copilot/iam-simulate, licensed AGPL-3.0-or-later, which the pack cannot ship with the proprietary project: keep it out of policies/package.json (a development dependency of the root may use it)",
    ]);
  });

  it("a rule that imports a package the pack does not declare", () => {
    copy.edit("rules/secrets.ts", (text) => `import leftPad from "left-pad";\nvoid leftPad;\n${text}`);
    copy.edit("rules/alerts.ts", (text) => `import Ajv from "ajv/dist/2020";\nvoid Ajv;\n${text}`);
    assert.deepEqual(dependencyProblems(copy.pack, copy.root).sort(), [
      `policies/rules/secrets.ts imports "left-pad", which policies/package.json does not declare: add it (and to the root package.json, so the pack resolves it in place), then run npm run pack:lock`,
      `policies/rules/alerts.ts imports "ajv/dist/2020", which policies/package.json does not declare: add "ajv": "^${rootLocked("ajv")}" (the version the root lockfile installs), then run npm run pack:lock`,
    ].sort());
  });

  it("a package located with require.resolve (to read its data files) counts as an import", () => {
    copy.edit("rules/alerts.ts", (text) => `const dataDir = require.resolve( "ajv/package.json" );\nvoid dataDir;\n${text}`);
    assert.deepEqual(dependencyProblems(copy.pack, copy.root), [
      `policies/rules/alerts.ts imports "ajv/package.json", which policies/package.json does not declare: add "ajv": "^${rootLocked("ajv")}" (the version the root lockfile installs), then run npm run pack:lock`,
    ]);
  });

  it("a file the pack loads but does not ship, and an import from outside the pack", () => {
    writeFileSync(path.join(copy.pack, "extra.ts"), "export const extra = 1;\n");
    copy.edit("pack.ts", (text) => `import { extra } from "./extra";\nimport { PROJECT_ROOT } from "../tools/projectRoot";\nvoid extra;\nvoid PROJECT_ROOT;\n${text}`);
    assert.deepEqual(dependencyProblems(copy.pack, copy.root), [
      `policies/extra.ts is loaded by the pack but not shipped: add it (or its directory) to "files" in policies/package.json`,
      `policies/pack.ts imports "../tools/projectRoot", outside the pack: a published pack has only the files of policies`,
    ]);
  });

  it("a string that is no range, a range the root's version is outside, an unused dependency, a missing engine dependency", () => {
    writeManifest(copy, (manifest) => {
      const dependencies = manifest["dependencies"] as Record<string, string>;
      dependencies["yaml"] = "latest and greatest";
      dependencies["zod"] = "~4.5.0";
      dependencies["left-pad"] = "^1.3.0";
      delete dependencies["typescript"];
    });
    const problems = dependencyProblems(copy.pack, copy.root);
    assert.deepEqual(problems.slice(0, 5), [
      `the engine compiles the pack with it, which policies/package.json does not declare: add "typescript": "^${rootLocked("typescript")}" (the version the root lockfile installs), then run npm run pack:lock`,
      "policies/package.json declares left-pad, which no pack file imports: remove it, then run npm run pack:lock",
      `policies/package.json: yaml is "latest and greatest", not a version range npm reads; run npm run pack:lock`,
      `policies/package.json wants zod ~4.5.0 but the root lockfile installs ${rootLocked("zod")}: in place the pack would run a version the range excludes; run npm run pack:lock, or update the root`,
      "policies/package.json declares left-pad, which the root package.json does not: in place the pack resolves its modules from the root node_modules, so add it there too",
    ]);
    assert.match(problems[5] ?? "", /^policies\/package-lock.json does not match policies\/package.json for left-pad, typescript, yaml, zod: run npm run pack:lock$/);
  });

  it("a files entry npm would read as a glob", () => {
    writeManifest(copy, (manifest) => ((manifest["files"] as string[]).push("*.ts")));
    assert.throws(() => packFiles(copy.pack), (error: unknown) => error instanceof PackManifestError && /"files" entry "\*\.ts" must be a plain file name or a directory ending in "\/" \(no globs\)/.test(error.message));
    assert.deepEqual(manifestOf(copy).files.slice(-1), ["*.ts"]);
  });
});
