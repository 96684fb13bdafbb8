// Specs run in parallel worker processes, one per core (at least two: most specs wait on child
// processes, the policy pack's gRPC server or the mock engine, not on the CPU).
const os = require("node:os");
const fs = require("node:fs");
const path = require("node:path");

// Node's on-disk compile cache (https://nodejs.org/api/module.html#module-compile-cache) for the
// workers and every process they start (packs, plans, wrappers): they load the same @pulumi/pulumi,
// gRPC and provider SDK files again and again. It changes no behaviour, only start-up time.
process.env.NODE_COMPILE_CACHE ??= path.join(__dirname, ".build", "node-compile-cache");

/**
 * Every spec file under test/, the plan tool's first: they are the longest (they start packs and evaluate
 * stacks), and a worker left with one of them at the end while the other idles costs seconds.
 */
function specFiles() {
  const files = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (entry.name.endsWith(".spec.ts")) files.push(path.relative(__dirname, file));
    }
  };
  walk(path.join(__dirname, "test"));
  const first = (file) => (file.startsWith(path.join("test", "tools") + path.sep) ? 0 : 1);
  return files.sort((a, b) => first(a) - first(b) || a.localeCompare(b));
}

/**
 * Spec files named on the command line (`npx mocha test/policies/waivers.spec.ts`): mocha adds the
 * config's `spec` to them, so the config names every spec only when none is named.
 */
function namedSpecs() {
  const args = process.argv.slice(2);
  return args.filter((arg, i) => arg.endsWith(".spec.ts") && !["-r", "--require", "--file"].includes(args[i - 1]));
}

module.exports = {
  require: ["tsx/cjs", "./test/harness/sourceMaps.ts", "./test/harness/scratch.ts", "./test/harness/parsers.ts"],
  extension: ["ts"],
  ...(namedSpecs().length > 0 ? {} : { spec: specFiles() }),
  timeout: 60000,
  reporter: "spec",
  parallel: true,
  jobs: Math.max(2, os.availableParallelism()),
};
