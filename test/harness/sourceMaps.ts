import { setSourceMapsSupport } from "node:module";

/**
 * tsx turns on source-mapped stack traces for every file (process.setSourceMapsEnabled(true), which
 * "implies calling module.setSourceMapsSupport() with { nodeModules: true, generatedCode: true }":
 * https://nodejs.org/api/process.html#processsetsourcemapsenabledval). Then every stack V8 formats is
 * mapped frame by frame through the .js.map files the packages ship, and @pulumi/pulumi formats one
 * for every promise it makes (runtime/debuggable.js: `new Error().stack` in debuggablePromise): a
 * quarter of the specs' CPU went there. Stack traces of our own sources stay mapped; files under
 * node_modules print as they are (https://nodejs.org/api/module.html#modulesetsourcemapssupportenabled-options:
 * only files loaded after this call are affected, so it runs right after tsx registers).
 */
setSourceMapsSupport(true, { nodeModules: false, generatedCode: false });
