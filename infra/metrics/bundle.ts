import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import * as path from "node:path";

/**
 * The bridge's Lambda code: `lambda/handler.ts` and what it imports (the AWS SDK v3 clients included),
 * bundled by esbuild into one CommonJS file whose `handler` export is the entry point (`index.handler`).
 * The program builds it when it runs (`pulumi preview`/`up`, the offline plan) and keeps the result under
 * `.build/metrics-bridge/<key>/index.js`, keyed by a digest of everything that goes in (the sources,
 * the versions of the SDK packages and of esbuild, the options), so an unchanged bridge is never
 * rebuilt: a plan reads one small directory and hashes a few files.
 */

const ENTRY = path.join("infra", "metrics", "lambda", "handler.ts");

/**
 * The repository this module belongs to: the directory above it holding the bridge's sources. This
 * file runs from `infra/metrics/` (the Pulumi CLI, the tests) or bundled into `.build/tools/plan/`
 * (the offline plan), so it looks upward rather than trusting its own location.
 */
function findProjectDir(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, ENTRY))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`cannot find ${ENTRY} above ${__dirname}: the metrics bridge's sources are missing`);
  }
}

const PROJECT_DIR = findProjectDir();
const METRICS_DIR = path.join(PROJECT_DIR, "infra", "metrics");
const SOURCE_DIRS = [path.join(METRICS_DIR, "lambda")];
const SOURCE_FILES = [path.join(METRICS_DIR, "contract.ts"), path.join(PROJECT_DIR, "infra", "aws", "alertMetrics.ts")];
/** Packages whose code ends up in the bundle; their versions are part of the key. */
const BUNDLED_PACKAGES = ["@aws-sdk/client-cloudwatch", "@aws-sdk/client-s3", "@aws-sdk/client-sns", "@aws-sdk/client-ssm", "esbuild"];
const BUILD_OPTIONS = { platform: "node", target: "node22", format: "cjs", minify: true, legalComments: "none" } as const;

export interface BridgeBundle {
  /** The bundle file (index.js), absolute. */
  path: string;
  /** Its SHA-256, hex. */
  sha256: string;
  bytes: number;
}

function sourceFiles(): string[] {
  const files = [...SOURCE_FILES];
  for (const dir of SOURCE_DIRS) for (const name of readdirSync(dir).sort()) if (name.endsWith(".ts")) files.push(path.join(dir, name));
  return files;
}

function packageVersion(name: string): string {
  const manifest = JSON.parse(readFileSync(require.resolve(`${name}/package.json`, { paths: [PROJECT_DIR] }), "utf8")) as { version: string };
  return `${name}@${manifest.version}`;
}

/** The digest of everything the bundle is made of. */
export function bundleKey(): string {
  const hash = createHash("sha256");
  hash.update(JSON.stringify(BUILD_OPTIONS));
  for (const name of BUNDLED_PACKAGES) hash.update(packageVersion(name));
  for (const file of sourceFiles()) hash.update(path.relative(PROJECT_DIR, file)).update("\0").update(readFileSync(file)).update("\0");
  return hash.digest("hex").slice(0, 24);
}

/** The bundle for the current sources: built once per key, then reused. */
export function bridgeBundle(outDir: string = path.join(PROJECT_DIR, ".build", "metrics-bridge")): BridgeBundle {
  const dir = path.join(outDir, bundleKey());
  const file = path.join(dir, "index.js");
  if (!existsSync(file)) {
    // esbuild is loaded only when a build is needed (a plan with a cached bundle never starts it).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const esbuild = require("esbuild") as typeof import("esbuild");
    const result = esbuild.buildSync({
      entryPoints: [path.join(PROJECT_DIR, ENTRY)],
      bundle: true,
      write: false,
      absWorkingDir: PROJECT_DIR,
      logLevel: "error",
      ...BUILD_OPTIONS,
    });
    const output = result.outputFiles[0];
    if (!output) throw new Error("esbuild produced no bundle for the metrics bridge");
    mkdirSync(dir, { recursive: true });
    // Written aside and renamed: parallel builds (test workers) never read half a file.
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, output.contents);
    renameSync(temporary, file);
  }
  const contents = readFileSync(file);
  return { path: file, sha256: createHash("sha256").update(contents).digest("hex"), bytes: contents.length };
}
