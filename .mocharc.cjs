// Specs run in parallel worker processes, one per core (at least two: most specs wait on child
// processes, the policy pack's gRPC server or the mock engine, not on the CPU).
const os = require("node:os");

module.exports = {
  require: ["tsx/cjs", "./test/harness/scratch.ts"],
  extension: ["ts"],
  spec: ["test/**/*.spec.ts"],
  timeout: 60000,
  reporter: "spec",
  parallel: true,
  jobs: Math.max(2, os.availableParallelism()),
};
