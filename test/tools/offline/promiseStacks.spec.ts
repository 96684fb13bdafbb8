import { strict as assert } from "node:assert";
import * as path from "node:path";
import { keepPromiseStacksShort } from "../../../tools/offline/promiseStacks";

// The SDK's own module: debuggablePromise keeps `new Error().stack` on each promise it wraps
// (pulumi/pulumi sdk/nodejs/runtime/debuggable.ts).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { debuggablePromise } = require("@pulumi/pulumi/runtime/debuggable") as { debuggablePromise<T>(p: Promise<T>, ctx: unknown): Promise<T> };

describe("offline engine: the SDK's promise stacks", () => {
  before(() => keepPromiseStacksShort());

  it("a promise the SDK wraps keeps only its first line; its context is kept", () => {
    // It marks the promise it is given (and returns another, which settles with it).
    const promise = Promise.resolve(1);
    void debuggablePromise(promise, "register resource x");
    const marked = promise as unknown as { _debugStackTrace: string; _debugCtx: string };
    assert.equal(marked._debugStackTrace, "Error");
    assert.equal(marked._debugCtx, "register resource x");
  });

  it("every other stack keeps its frames, with this file's own name and line", () => {
    const stack = new Error("boom").stack ?? "";
    assert.match(stack.split("\n")[0]!, /^Error: boom$/);
    assert.ok(stack.split("\n").length > 2, stack);
    assert.ok(stack.split("\n")[1]!.includes(path.basename(__filename)), stack);
  });

  it("a second copy of the module (the replay loads each case's plan tool anew) installs nothing more", () => {
    const installed = Error.prepareStackTrace;
    const file = require.resolve("../../../tools/offline/promiseStacks");
    delete require.cache[file];
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    (require(file) as typeof import("../../../tools/offline/promiseStacks")).keepPromiseStacksShort();
    assert.equal(Error.prepareStackTrace, installed);
  });
});
