import { setSourceMapsSupport } from "node:module";
import * as path from "node:path";

/**
 * Source-mapped stack traces, for what a spec failure prints, without paying for them on every
 * promise the Pulumi SDK makes. A quarter of the specs' CPU went to formatting stacks nobody reads:
 *
 * - tsx turns source maps on for every file (process.setSourceMapsEnabled(true) "implies calling
 *   module.setSourceMapsSupport() with { nodeModules: true, generatedCode: true }":
 *   https://nodejs.org/api/process.html#processsetsourcemapsenabledval), so frames in the packages'
 *   own .js files were mapped through the .js.map files they ship. Our sources stay mapped; files
 *   under node_modules print as they are (only files loaded after this call are affected:
 *   https://nodejs.org/api/module.html#modulesetsourcemapssupportenabled-options, so it runs right
 *   after tsx registers).
 * - @pulumi/pulumi formats a stack for every promise it makes, to report leaked promises
 *   (pulumi/pulumi sdk/nodejs/runtime/debuggable.ts debuggablePromise: `new Error().stack`), and
 *   those stacks go through the program's own frames too. They are formatted without source maps;
 *   every other stack goes to Node's own formatter, which maps it (chaining up to the original
 *   Error.prepareStackTrace is how source maps are kept: https://nodejs.org/api/cli.html#--enable-source-maps).
 */
setSourceMapsSupport(true, { nodeModules: false, generatedCode: false });

const DEBUGGABLE = path.join("@pulumi", "pulumi", "runtime", "debuggable.js");
const mapped = Error.prepareStackTrace;

Error.prepareStackTrace = (error: Error, trace: NodeJS.CallSite[]): unknown => {
  const top = trace[0];
  if (mapped && !(top?.getFunctionName() === "debuggablePromise" && top.getFileName()?.endsWith(DEBUGGABLE))) return mapped(error, trace);
  // V8's own format (https://v8.dev/docs/stack-trace-api): the error, then one line per frame.
  return `${Error.prototype.toString.call(error)}${trace.map((frame) => `\n    at ${frame}`).join("")}`;
};
