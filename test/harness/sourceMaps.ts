import { setSourceMapsSupport } from "node:module";

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
 * - The Pulumi SDK's promise stacks are kept to their first line by the offline engine
 *   (tools/offline/promiseStacks.ts).
 */
setSourceMapsSupport(true, { nodeModules: false, generatedCode: false });
