// Mocha's options under Stryker (stryker.config.mjs `mochaOptions.config`), not the repository's
// .mocharc.cjs: Stryker runs one spec process at a time and drives mocha itself (its own reporter,
// per-test coverage from a root beforeEach), so specs run serially, and only the spec files
// `npm run mutate` names for the file under test (Stryker's `testFiles`), never every spec.
// The same root hooks as .mocharc.cjs (parsers.ts: the pack's shell parser loads before any spec judges a script).
module.exports = {
  require: ["tsx/cjs", "./test/harness/sourceMaps.ts", "./test/harness/scratch.ts", "./test/harness/parsers.ts"],
  extension: ["ts"],
  parallel: false,
};
