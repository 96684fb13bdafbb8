import { strict as assert } from "node:assert";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";
import { locateProgram } from "../../tools/offline/entry";
import { PROJECT_DIR } from "../harness";
import { scratchDir } from "../harness/scratch";

/**
 * `pulumi up` compiles each project's program with ts-node, type-checking it, with the compiler options
 * the nodejs runtime gives it. `npm test` type-checks the same files with the root tsconfig.json. This
 * spec computes the options the runtime uses, from the code of the pinned @pulumi/pulumi (3.276.0, its
 * published cmd/run/run.js and tsutils.js; pulumi/pulumi@v3.259.0:sdk/nodejs/cmd/run/run.ts is the same
 * source) and the ts-node it vendors, and requires them to equal the root's: what type-checks in
 * `npm test` is what the engine compiles, with the same emit (a class field's semantics follow `target`).
 *
 * The path, as the code goes:
 * - the CLI runs the program in its directory: `main: infra/` in infra/, `main: index.ts` in bootstrap/
 *   (pulumi/pulumi@v3.259.0:pkg/engine/project.go getPwdMain; the host's `--pwd`,
 *   sdk/nodejs/cmd/pulumi-language-nodejs/main.go constructArguments; run.ts `process.chdir(pwd)`);
 * - run.ts: `tsConfigPath = PULUMI_NODEJS_TSCONFIG_PATH ?? "tsconfig.json"` (relative to that directory; the
 *   host sets the variable only for `runtime.options.tsconfig`, which Pulumi.yaml does not set),
 *   `skipProject = !fs.existsSync(tsConfigPath)`; the file's own `compilerOptions`
 *   (tsutils.loadTypeScriptCompilerOptions: parseConfigFileTextToJson, so not what `extends` brings) are
 *   spread over `{ target: "ES2020", module: "nodenext", moduleResolution: "nodenext", sourceMap }`
 *   (TypeScript >= 4.7, not an ES module package), and handed to ts-node with `project: tsConfigPath`;
 * - tsutils.typeScriptRequireStrings: the project's `ts-node` if installed, else the vendored ts-node@7.0.1;
 *   its readConfig: `Object.assign({}, config.compilerOptions, compilerOptions, DEFAULT_COMPILER_OPTIONS)`
 *   over the raw file, then parseJsonConfigFileContent (which resolves `extends` underneath), then fixConfig.
 */
const SDK = path.join(PROJECT_DIR, "node_modules", "@pulumi", "pulumi");
const TS_NODE = path.join(SDK, "vendor", "ts-node@7.0.1", "index.js");

/** The options run.ts adds, as the pinned SDK's code spells them (checked below, so an upgrade that changes them fails here). */
const RUNTIME_DEFAULTS = { target: "ES2020", module: "nodenext", moduleResolution: "nodenext", sourceMap: "true" };
/** ts-node@7.0.1's DEFAULT_COMPILER_OPTIONS: its emit settings, over everything. */
const TS_NODE_DEFAULTS = { sourceMap: true, inlineSourceMap: false, inlineSources: true, declaration: false, noEmit: false, outDir: "$$ts-node$$" };

function hostCompilerOptions(programDir: string): ts.CompilerOptions {
  const tsconfig = path.join(programDir, "tsconfig.json");
  const skipProject = !existsSync(tsconfig);
  const own = skipProject ? {} : ((ts.parseConfigFileTextToJson(tsconfig, readFileSync(tsconfig, "utf8")).config as { compilerOptions?: object }).compilerOptions ?? {});
  const runtime = { ...RUNTIME_DEFAULTS, ...own };
  const config = (skipProject ? { compilerOptions: {} } : ts.readConfigFile(tsconfig, ts.sys.readFile).config) as { compilerOptions?: object };
  config.compilerOptions = { ...config.compilerOptions, ...runtime, ...TS_NODE_DEFAULTS };
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, skipProject ? programDir : path.dirname(tsconfig), undefined, skipProject ? undefined : tsconfig);
  return { target: ts.ScriptTarget.ES5, module: ts.ModuleKind.CommonJS, ...parsed.options };
}

function rootCompilerOptions(): ts.CompilerOptions {
  const file = path.join(PROJECT_DIR, "tsconfig.json");
  return ts.parseJsonConfigFileContent(ts.readConfigFile(file, ts.sys.readFile).config, ts.sys, PROJECT_DIR, undefined, file).options;
}

/** The settings that decide what type-checks and what is emitted (the root's, less what ts-node sets for its own emit). */
function checkedSettings(options: ts.CompilerOptions): Record<string, unknown> {
  const root = rootCompilerOptions();
  const ignored = new Set(["configFilePath", "pathsBasePath", ...Object.keys(TS_NODE_DEFAULTS)]);
  return Object.fromEntries(Object.keys(root).filter((key) => !ignored.has(key)).map((key) => [key, options[key]]));
}

describe("the program compiles under pulumi up as npm test type-checks it", () => {
  it("mirrors the pinned SDK's code (run.ts, tsutils.ts) and the ts-node it uses", () => {
    const run = readFileSync(path.join(SDK, "cmd", "run", "run.js"), "utf8");
    assert.match(run, /const defaultTsConfigPath = "tsconfig\.json";\s+const tsConfigPath = process\.env\["PULUMI_NODEJS_TSCONFIG_PATH"\] \?\? defaultTsConfigPath;\s+const skipProject = !fs\.existsSync\(tsConfigPath\);/);
    assert.match(run, /const compilerOptions = tsutils\.loadTypeScriptCompilerOptions\(tsConfigPath\);/);
    assert.match(run, /target: "ES2020",\s+module: useNodeNext \? "nodenext" : "commonjs",\s+moduleResolution: useNodeNext \? "nodenext" : "node",\s+sourceMap: "true",\s+\.\.\.compilerOptions,/);
    assert.match(run, /project: tsConfigPath,\s+skipProject: skipProject,/);
    const tsutils = readFileSync(path.join(SDK, "tsutils.js"), "utf8");
    assert.match(tsutils, /ts\.parseConfigFileTextToJson\(tsConfigPath, tsConfigString\)\.config;\s+return tsConfig\["compilerOptions"\] \?\? \{\};/);
    // No ts-node of the project's own: the vendored one runs (tsutils.typeScriptRequireStrings), and TypeScript >= 4.7 (nodenext).
    assert.throws(() => require.resolve("ts-node", { paths: [SDK] }), /Cannot find module/);
    assert.ok(Number(ts.versionMajorMinor) >= 4.7, ts.version);
    const tsNode = readFileSync(TS_NODE, "utf8");
    assert.match(tsNode, /config\.compilerOptions = Object\.assign\(\{\}, config\.compilerOptions, compilerOptions, DEFAULT_COMPILER_OPTIONS\);/);
    assert.match(tsNode, /var DEFAULT_COMPILER_OPTIONS = \{\s+sourceMap: true,\s+inlineSourceMap: false,\s+inlineSources: true,\s+declaration: false,\s+noEmit: false,\s+outDir: "\$\$ts-node\$\$"\s+\};/);
  });

  for (const project of [".", "bootstrap"]) {
    it(`${project === "." ? "infra/ (main: infra/)" : "bootstrap/ (main: index.ts)"}: the runtime's options are the root tsconfig's`, () => {
      const programDir = locateProgram(path.join(PROJECT_DIR, project)).pwd;
      assert.ok(existsSync(path.join(programDir, "tsconfig.json")), `${path.relative(PROJECT_DIR, programDir)}/tsconfig.json: without it ts-node compiles with no project settings (ES2020 lib, not strict)`);
      assert.deepEqual(checkedSettings(hostCompilerOptions(programDir)), checkedSettings(rootCompilerOptions()));
    });
  }

  it("would compile differently without the directory's own settings (what this spec guards against)", () => {
    // No tsconfig.json at all: TypeScript's defaults under run.ts's, e.g. ES2020's library (no String.replaceAll) and no strict checks.
    const none = hostCompilerOptions(path.join(PROJECT_DIR, "tools", "test"));
    assert.equal(none.target, ts.ScriptTarget.ES2020);
    assert.equal(none.strict, undefined);
    assert.equal(none.lib, undefined);
    // A tsconfig.json that only extends the root's (bootstrap/'s before): run.ts's target and module win over the extended ones.
    const dir = scratchDir("tsconfig");
    writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify({ extends: path.join(PROJECT_DIR, "tsconfig.json") }));
    const extended = hostCompilerOptions(dir);
    assert.deepEqual([extended.target, extended.module, extended.strict], [ts.ScriptTarget.ES2020, ts.ModuleKind.NodeNext, true]);
  });
});
