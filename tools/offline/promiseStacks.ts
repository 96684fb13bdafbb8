const INSTALLED = Symbol.for("flightdeck.offline.promiseStacks");
const DEBUGGABLE = ["@pulumi", "pulumi", "runtime", "debuggable.js"].join("/");

/**
 * @pulumi/pulumi formats a stack for every promise it makes, kept only for the report of leaked
 * promises it prints at exit (pulumi/pulumi sdk/nodejs/runtime/debuggable.ts debuggablePromise:
 * `new Error().stack`); nothing the program computes reads it. The offline engine formats those
 * stacks as their first line only: a sixth of an evaluation's CPU (production, steady state: 0.9 s
 * to 0.75 s). A leak report still names each promise by its context. Every other stack is formatted
 * by the formatter installed before (Node's, which maps sources when source maps are on:
 * https://nodejs.org/api/cli.html#--enable-source-maps), or as V8 formats it
 * (https://v8.dev/docs/stack-trace-api): the error, then one line per frame. Installed once per
 * process, however many copies of this module it loads (the replay loads each case's plan tool anew).
 */
export function keepPromiseStacksShort(): void {
  const previous = Error.prepareStackTrace;
  if (previous && INSTALLED in previous) return;
  const format = (error: Error, trace: NodeJS.CallSite[]): unknown => {
    const top = trace[0];
    if (top?.getFunctionName() === "debuggablePromise" && top.getFileName()?.replaceAll("\\", "/").endsWith(DEBUGGABLE)) return Error.prototype.toString.call(error);
    if (previous) return previous(error, trace);
    return `${Error.prototype.toString.call(error)}${trace.map((frame) => `\n    at ${frame}`).join("")}`;
  };
  Error.prepareStackTrace = Object.assign(format, { [INSTALLED]: true });
}
