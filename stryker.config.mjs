// StrykerJS for the policy pack: `npm run mutate -- <file…>` (tools/mutate/main.ts) runs it once per
// file, mutating that file only, against the spec files tools/mutate/specs.ts maps it to.
// Run it through that script, not `npx stryker run`: the script names the spec files
// (FLIGHTDECK_MUTATE_SPECS) and loads the Mocha 12 hook below in Stryker's own process too (the
// runner plugin is imported there to read its options schema).
import * as path from "node:path";

const here = import.meta.dirname;

function specs() {
  const named = process.env["FLIGHTDECK_MUTATE_SPECS"];
  if (!named) throw new Error("stryker.config.mjs: run Stryker through `npm run mutate -- <file…>`, which names the spec files for each file (FLIGHTDECK_MUTATE_SPECS)");
  return named.split(",");
}

/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  testRunner: "mocha",
  plugins: ["@stryker-mutator/mocha-runner", path.join(here, "tools", "mutate", "documentationIgnorer.mjs")],
  ignorers: ["documentation"],
  // The spec files come from `npm run mutate` (tools/mutate/specs.ts) as mocha's own spec list, not
  // Stryker's `testFiles`: in 10.1.1 that option becomes a test filter of file names, which the mocha
  // runner matches against test titles (no test runs) and which activates static mutants (a module's
  // top-level values) only after the module has loaded, so they all survive
  // (stryker-mutator/stryker-js#6144, #6209). A mocha spec list has neither effect.
  // (A getter: `npm run mutate` imports this file for its thresholds before it names any spec.)
  get mochaOptions() {
    return { config: "tools/mutate/mocharc.cjs", spec: specs() };
  },
  // See tools/mutate/mochaCliExtensions.mjs (stryker-mutator/stryker-js#6205): every Stryker process loads the plugins.
  testRunnerNodeArgs: ["--import", path.join(here, "tools", "mutate", "mochaCliExtensions.mjs")],
  checkerNodeArgs: ["--import", path.join(here, "tools", "mutate", "mochaCliExtensions.mjs")],
  coverageAnalysis: "perTest",
  // The machine's two cores are shared: one test runner process.
  concurrency: 1,
  // Specs are TypeScript run by tsx, which does not type-check; a mutant is judged by the specs alone.
  checkers: [],
  disableTypeChecks: false,
  ignorePatterns: ["/.build", "/.plan", "/out", "/reports"],
  tempDirName: ".stryker-tmp",
  cleanTempDir: true,
  // The json report is what `npm run mutate` reads the score from; html is for reading survivors in a browser.
  reporters: ["clear-text", "progress", "json", "html"],
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  htmlReporter: { fileName: "reports/mutation/mutation.html" },
  // high: the score every pack file that decides a verdict must reach (docs/mutation.md).
  thresholds: { high: 85, low: 70, break: null },
  clearTextReporter: { allowColor: false, logTests: false, reportMutants: true, reportScoreTable: true },
  timeoutMS: 10000,
};
