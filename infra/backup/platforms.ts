import { stringify } from "smol-toml";
import { SecretEntry, StackSettings } from "../config/schema";
import { apiImage } from "../workflows/steps";
import { DisasterRecoverySettings } from "./settings";

/**
 * The backup platforms' configuration files, prepared (committed to the app repository) but not
 * deployed: Netlify for the Next.js web app, Fly.io for the API's Docker image. Pure: settings in,
 * file text out.
 */

export const NETLIFY_TOML_PATH = "netlify.toml";
export const FLY_TOML_PATH = "fly.toml";

/** The header of each file: what it is and that the stack writes it. */
function header(what: string, stack: string): string {
  return [
    `# ${what}: prepared for disaster recovery, not deployed (docs/runbooks/disaster-recovery.md).`,
    `# Managed by flightdeck (stack ${stack}); change the stack config, not this file.`,
  ].join("\n");
}

/** NEXT_PUBLIC_* values the web build inlines (the inventory's plain, public entries placed in Vercel). */
export function publicBuildValues(entries: readonly SecretEntry[]): Record<string, string> {
  const values: Record<string, string> = {};
  for (const entry of entries) {
    if (entry.kind === "public" && entry.source === "plain" && entry.value !== undefined && entry.destinations.vercel) values[entry.name] = entry.value;
  }
  return values;
}

/** The web app's server-side secrets: set on the Netlify site at switch time (the runbook names them, never their values). */
export function webSecretNames(entries: readonly SecretEntry[]): string[] {
  return entries.filter((entry) => entry.destinations.vercel && entry.kind !== "public").map((entry) => entry.name);
}

/**
 * netlify.toml (Netlify's file-based configuration; property types as @netlify/config, the module
 * Netlify Build reads it with, validates them: `build.base`, `build.command`, `build.publish`
 * strings, `build.environment` a map). The web app is built from its own directory, as Vercel
 * builds it (web.vercel.rootDirectory), with the same Node version and the same public values.
 */
export function renderNetlifyToml(settings: StackSettings, stack: string): string {
  if (!settings.web) throw new Error("netlify.toml needs flightdeck:web");
  const build = {
    base: settings.web.vercel.rootDirectory,
    command: "pnpm run build",
    publish: ".next",
    environment: { NODE_VERSION: settings.app.nodeVersion, ...publicBuildValues(settings.secrets) },
  };
  return `${header("Netlify configuration of the web app", stack)}\n\n${stringify({ build })}\n`;
}

/** The API image as the pipeline tags what production runs (`<image>:production`, promoted by digest in deploy-production.yml). */
export function apiImageTag(settings: StackSettings): string {
  return `${apiImage(settings)}:${settings.environment}`;
}

/**
 * fly.toml (Fly.io app configuration: `app`, `primary_region`, `[build] image` deploys an existing
 * image and skips the build, `[http_service]` with its `checks`, `[[vm]]`; validated against
 * SchemaStore's fly.io schema, test/infra/backup/schemas/fly.json). The image is the one the pipeline builds and promotes; the runbook
 * deploys the digest production ran last.
 */
export function renderFlyToml(settings: StackSettings, recovery: DisasterRecoverySettings, stack: string): string {
  const fly = recovery.platforms.fly;
  const config = {
    app: fly.app,
    primary_region: fly.primaryRegion,
    build: { image: apiImageTag(settings) },
    env: { PORT: String(fly.internalPort) },
    http_service: {
      internal_port: fly.internalPort,
      force_https: true,
      auto_stop_machines: "off",
      auto_start_machines: true,
      min_machines_running: fly.minMachines,
      checks: [{ grace_period: "10s", interval: "15s", method: "GET", path: fly.healthPath, timeout: "5s" }],
    },
    vm: [{ size: "shared-cpu-1x", memory: `${fly.memoryMb}mb` }],
  };
  return `${header("Fly.io configuration of the API", stack)}\n\n${stringify(config)}\n`;
}
