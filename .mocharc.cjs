// Specs run in parallel worker processes, one per core (at least two: most specs wait on child
// processes, the policy pack's gRPC server or the mock engine, not on the CPU).
const os = require("node:os");
const path = require("node:path");

// Node's on-disk compile cache (https://nodejs.org/api/module.html#module-compile-cache) for the
// workers and every process they start (packs, plans, wrappers): they load the same @pulumi/pulumi,
// gRPC and provider SDK files again and again. It changes no behaviour, only start-up time.
process.env.NODE_COMPILE_CACHE ??= path.join(__dirname, ".build", "node-compile-cache");

module.exports = {
  require: ["tsx/cjs", "./test/harness/scratch.ts"],
  extension: ["ts"],
  spec: ["test/**/*.spec.ts"],
  timeout: 60000,
  reporter: "spec",
  parallel: true,
  jobs: Math.max(2, os.availableParallelism()),
};
