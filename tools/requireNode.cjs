// Stops `npm test` and `npm run plan` with one line when Node.js is older than package.json's
// `engines.node` (@pulumi/pulumi requires Node.js 22): plain CommonJS so that any Node can run it.
const { engines } = require("../package.json");
const minimum = Number(/^>=\s*(\d+)/.exec(engines.node)[1]);
const major = Number(process.versions.node.split(".")[0]);
if (major < minimum) {
  console.error(`flightdeck needs Node.js ${minimum} or later (this is ${process.version}); export PATH="$(.ci/node):$PATH" installs Node.js ${minimum} into .ci/.node`);
  process.exit(1);
}
