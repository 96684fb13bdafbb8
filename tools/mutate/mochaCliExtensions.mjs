// Loads Mocha 12's CLI helpers for @stryker-mutator/mocha-runner 10.1.1.
//
// The runner reaches into mocha's CLI with extensionless requires (dist/src/lib-wrapper.js:
// `require(`${mochaRoot}/lib/cli/run-helpers`)`, `…/lib/cli/options`, `…/lib/cli/collect-files`).
// Mocha 12 is an ES module package and ships those files as `.cjs`, which Node's CommonJS resolver
// never tries for an extensionless path, so importing the plugin throws before it registers.
// Upstream: stryker-mutator/stryker-js#6205 ("load Mocha cli internals regardless of file
// extension", open at 10.1.1) probes `.js`, `.cjs` and `.mjs`; #6021 (in 10.1.x) only falls back
// to `options.mjs`, which matched Mocha 12's withdrawn betas.
//
// This hook does the same probe from outside the package, with Node's documented synchronous
// module hooks (https://nodejs.org/api/module.html#moduleregisterhooksoptions, Node ≥ 22.15),
// which apply to `require` as well as `import`. It only ever adds `.cjs` to a path under
// `mocha/lib/cli/` that did not resolve as written; every other resolution is untouched.
// Remove it (and `testRunnerNodeArgs` in stryker.config.mjs) once a mocha-runner release loads Mocha 12.
import { registerHooks } from "node:module";
import * as path from "node:path";

const MOCHA_CLI = `${path.sep}mocha${path.sep}lib${path.sep}cli${path.sep}`;

registerHooks({
  resolve(specifier, context, nextResolve) {
    try {
      return nextResolve(specifier, context);
    } catch (error) {
      if (error?.code !== "MODULE_NOT_FOUND" || !path.isAbsolute(specifier) || !specifier.includes(MOCHA_CLI) || path.extname(specifier) !== "") throw error;
      return nextResolve(`${specifier}.cjs`, context);
    }
  },
});
