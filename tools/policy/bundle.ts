import { existsSync } from "node:fs";
import * as path from "node:path";
import { buildSync } from "esbuild";

/** A pack to start: its directory, and the node arguments that run it there. */
export interface PackEntry {
  dir: string;
  entry: string[];
}

/**
 * The pack of a checkout (`root`: its root, with node_modules installed or linked), bundled as
 * build:offline bundles this checkout's, into `<root>/.build/<name>/index.js`: its own sources, its
 * dependencies left external and resolved from its node_modules. Starts in well under a second, where
 * the engine's start (run-policy-pack with ts-node) type-checks a new directory for seconds.
 */
export function bundledCheckoutPack(root: string, name: string): PackEntry {
  const checkout = path.resolve(root);
  const source = path.join(checkout, "policies", "index.ts");
  if (!existsSync(source)) throw new Error(`${root}: no policies/index.ts in ${checkout}`);
  if (!existsSync(path.join(checkout, "node_modules", "@pulumi", "policy"))) throw new Error(`${root}: its dependencies are not installed (run \`npm ci\` in ${checkout})`);
  const bundle = path.join(checkout, ".build", name, "index.js");
  buildSync({ entryPoints: [source], bundle: true, platform: "node", target: "node22", packages: "external", outfile: bundle, logLevel: "warning" });
  return { dir: path.join(checkout, "policies"), entry: [bundle] };
}
