import { ChildProcess, spawn } from "node:child_process";
import * as path from "node:path";
import { PROJECT_ROOT } from "../projectRoot";

/** The policy pack's directory (PulumiPolicy.yaml, package.json, index.ts). */
export const PACK_DIR = path.join(PROJECT_ROOT, "policies");

export interface PackSpawnOptions {
  stack: string;
  project?: string;
  waiversPath?: string;
  now?: Date;
  packDir?: string;
  /**
   * Node arguments that run the pack. Default: this repository's pack bundled from its sources (as
   * `npm run build:offline` bundles it for the plan), or, for another directory, its sources through tsx.
   */
  entry?: string[];
  /** Variables the pack's environment also has (as a workflow's `env:` would give the engine, which passes its environment on). */
  env?: Record<string, string>;
}

/** A pack process that was started and will print the port of its analyzer server. */
export interface SpawnedPack {
  child: ChildProcess;
  port: Promise<number>;
  stderr: () => string;
}

/**
 * The pack's own command-line arguments: the clock and the waivers file. The pack reads them after
 * `--` (and nothing from the environment), so only whoever starts the process can set them: under
 * `pulumi preview` nobody does. After `--`, run-policy-pack passes them on to the pack as its
 * program arguments (minimist puts everything after `--` in argv._; run.js hands argv._ after the
 * program to the program).
 */
export function packArguments(options: Pick<PackSpawnOptions, "now" | "waiversPath">): string[] {
  const args: string[] = [];
  if (options.now) args.push(`--now=${options.now.toISOString()}`);
  if (options.waiversPath) args.push(`--waivers=${path.resolve(options.waiversPath)}`);
  return args.length > 0 ? ["--", ...args] : [];
}

/**
 * Starts the pack in its directory with the environment the engine gives it. Only node's own
 * modules here: the plan calls this before it loads anything heavy, so the two start-ups overlap.
 */
export function spawnPack(options: PackSpawnOptions): SpawnedPack {
  const env: NodeJS.ProcessEnv = { ...process.env, PULUMI_NODEJS_STACK: options.stack, PULUMI_NODEJS_PROJECT: options.project ?? "flightdeck" };
  delete env["FLIGHTDECK_POLICY_NOW"];
  delete env["FLIGHTDECK_WAIVERS"];
  Object.assign(env, options.env);
  const packDir = options.packDir ?? PACK_DIR;
  const entry = options.entry ?? (path.resolve(packDir) === PACK_DIR ? ownPackEntry() : ["--import", "tsx", "index.ts"]);
  const child = spawn(process.execPath, [...entry, ...packArguments(options)], { cwd: packDir, env, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const port = new Promise<number>((resolve, reject) => {
    let stdout = "";
    const timer = setTimeout(() => {
      child.kill(); // nobody will connect to it: it must not outlive the caller
      reject(new Error(`policy pack did not print its port within 60 s\n${stderr}`));
    }, 60_000);
    child.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = /^(\d+)\s*$/m.exec(stdout);
      if (line) {
        clearTimeout(timer);
        resolve(Number(line[1]));
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`policy pack exited with code ${code} before printing its port\n${stderr}`));
    });
  });
  // A caller that gives up before awaiting the port must not leave an unhandled rejection behind.
  port.catch(() => undefined);
  return { child, port, stderr: () => stderr };
}

/** Node arguments that run this repository's pack from its current sources: its bundle (see bundledPack). */
export function ownPackEntry(): string[] {
  return [bundledPack()];
}

let bundled: string | undefined;

/**
 * This repository's pack as one JavaScript file, bundled from its current sources once per process
 * with esbuild (what `npm run build:offline` does for the plan): starting it compiles no TypeScript,
 * which halves a start (about 0.8 s instead of 1.7 s here). It is written under .build/ so that its
 * packages resolve from the repository's node_modules, named by its content so that concurrent
 * processes share it and a changed source gets a new file.
 */
function bundledPack(): string {
  if (bundled) return bundled;
  // Loaded here, not at the top: the plan passes its own entry and never needs esbuild.
  const esbuild = require("esbuild") as typeof import("esbuild");
  const { createHash } = require("node:crypto") as typeof import("node:crypto");
  const { existsSync, mkdirSync, renameSync, writeFileSync } = require("node:fs") as typeof import("node:fs");
  const result = esbuild.buildSync({ entryPoints: [path.join(PACK_DIR, "index.ts")], bundle: true, platform: "node", target: "node22", packages: "external", write: false, logLevel: "warning" });
  const code = result.outputFiles[0]!.contents;
  const dir = path.join(PROJECT_ROOT, ".build", "pack-bundles");
  const file = path.join(dir, `${createHash("sha256").update(code).digest("hex").slice(0, 16)}.js`);
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    const partial = `${file}.${process.pid}.tmp`;
    writeFileSync(partial, code);
    renameSync(partial, file);
  }
  bundled = file;
  return file;
}
