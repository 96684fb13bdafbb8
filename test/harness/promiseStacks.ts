const DEBUGGABLE = ["@pulumi", "pulumi", "runtime", "debuggable.js"].join("/");

/**
 * @pulumi/pulumi formats a stack for every promise it makes, kept only to report leaked promises
 * (pulumi/pulumi sdk/nodejs/runtime/debuggable.ts debuggablePromise: `new Error().stack`). Specs and
 * the replay read no leak report, so those stacks are formatted as their first line only: a sixth of
 * an evaluation's CPU (production, steady state: 0.9 s to 0.75 s). Every other stack is formatted by
 * the formatter installed before (Node's source-mapping one, when source maps are on), or as V8
 * formats it (https://v8.dev/docs/stack-trace-api): the error, then one line per frame.
 */
export function keepPromiseStacksShort(): void {
  const previous = Error.prepareStackTrace;
  Error.prepareStackTrace = (error: Error, trace: NodeJS.CallSite[]): unknown => {
    const top = trace[0];
    if (top?.getFunctionName() === "debuggablePromise" && top.getFileName()?.replaceAll("\\", "/").endsWith(DEBUGGABLE)) return Error.prototype.toString.call(error);
    if (previous) return previous(error, trace);
    return `${Error.prototype.toString.call(error)}${trace.map((frame) => `\n    at ${frame}`).join("")}`;
  };
}
