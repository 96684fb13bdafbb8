// Resolves netlify.toml files with @netlify/config, as Netlify Build reads them (an ES module with
// top-level await, so it runs here, outside the specs' CommonJS loader). Input on stdin: a JSON
// array of repository roots, each holding a netlify.toml. Output: per root, the resolved build
// settings or the parser's error message.
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { resolveConfig } from "@netlify/config";

const roots = JSON.parse(readFileSync(0, "utf8"));
const results = [];
for (const root of roots) {
  try {
    const { config } = await resolveConfig({ config: path.join(root, "netlify.toml"), repositoryRoot: root, cwd: root, offline: true, mode: "buildbot", context: "production", buffer: true });
    results.push({ build: config.build });
  } catch (error) {
    results.push({ error: error instanceof Error ? error.message : String(error) });
  }
}
process.stdout.write(JSON.stringify(results));
