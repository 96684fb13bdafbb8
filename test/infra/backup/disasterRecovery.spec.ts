import { strict as assert } from "node:assert";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { execFileSync } from "node:child_process";
import Ajv from "ajv";
import { parse } from "smol-toml";
import { drillRegister } from "../../../infra/backup/contract";
import { RUNBOOK_PATH } from "../../../infra/backup/runbook";
import { FLY_TOML_PATH, NETLIFY_TOML_PATH } from "../../../infra/backup/platforms";
import { StackSettings, stackConfigSchema } from "../../../infra/config/schema";
import { deployBranch } from "../../../infra/naming";
import { apiImage } from "../../../infra/workflows/steps";
import { PROJECT_DIR, RecordedResource, StackRun, canarySecrets, inputAt, requiredSecretKeys, runSampleStack, sampleConfig } from "../../harness";
import { recoveryPolicies } from "../../../policies/rules/recovery";
import { Fixture, IN_WINDOW, judge, policiesOf } from "../../policies/judge";
import flySchema from "./schemas/fly.json";

/**
 * Both sample stacks plan their disaster recovery (issue 13): backups, alarms, the drill and its
 * register, and the backup platforms' files and runbook committed to the app repository. The
 * files are validated with the platforms' own tools:
 * - netlify.toml with @netlify/config (the module Netlify Build reads the file with; its
 *   lib/validate/validations.js types build.base/command/publish as strings and build.environment
 *   as a map), resolved offline in a copy of the app repository's layout.
 * - fly.toml with SchemaStore's Fly.io schema (SchemaStore/schemastore@3b6446ad
 *   src/schemas/json/fly.json, Apache-2.0, vendored in ./schemas), and every key it sets a property
 *   that schema documents (https://fly.io/docs/reference/configuration/): the schema lets unknown
 *   keys through, flyctl ignores them, so a misspelt key would silently do nothing.
 */

const REPOSITORY_FILE = "github:index/repositoryFile:RepositoryFile";
const STACKS = ["production", "staging"] as const;

function settingsOf(stack: (typeof STACKS)[number]): StackSettings {
  const raw = sampleConfig(stack);
  const schemaKeys = new Set(Object.keys(stackConfigSchema.shape));
  return stackConfigSchema.parse(Object.fromEntries(Object.entries(raw).filter(([key]) => schemaKeys.has(key))));
}

function committed(run: StackRun, file: string): RecordedResource {
  const matches = run.ofType(REPOSITORY_FILE).filter((resource) => inputAt(resource, "file") === file);
  assert.equal(matches.length, 1, `${file} committed once, found ${matches.length}`);
  return matches[0]!;
}

function contentOf(run: StackRun, file: string): string {
  const content = inputAt(committed(run, file), "content");
  assert.equal(typeof content, "string", `${file} content`);
  return content as string;
}

/** Keys (dotted, arrays as []) of a parsed TOML document that the JSON schema does not declare. */
function undocumentedKeys(value: unknown, schema: Record<string, unknown>, at = ""): string[] {
  const resolve = (node: Record<string, unknown>): Record<string, unknown> => {
    const ref = node["$ref"];
    if (typeof ref !== "string") return node;
    const name = ref.replace("#/definitions/", "");
    return resolve((flySchema.definitions as Record<string, Record<string, unknown>>)[name]!);
  };
  const node = resolve(schema);
  if (Array.isArray(value)) {
    const items = node["items"] as Record<string, unknown> | undefined;
    const variants = (node["oneOf"] as Record<string, unknown>[] | undefined)?.map(resolve).find((variant) => variant["type"] === "array")?.["items"] as Record<string, unknown> | undefined;
    const itemSchema = items ?? variants;
    return itemSchema ? value.flatMap((item) => undocumentedKeys(item, itemSchema, `${at}[]`)) : [];
  }
  if (value === null || typeof value !== "object") return [];
  const properties = (node["properties"] ?? {}) as Record<string, Record<string, unknown>>;
  if (node["additionalProperties"] !== undefined && typeof node["additionalProperties"] === "object") return [];
  return Object.entries(value).flatMap(([key, child]) => {
    const where = at === "" ? key : `${at}.${key}`;
    const property = properties[key];
    return property ? undocumentedKeys(child, property, where) : [where];
  });
}

const ajv = new Ajv({ strict: false, allErrors: true });
const validateFly = ajv.compile(flySchema);

function flyProblems(text: string): string[] {
  const document = parse(text);
  const problems = validateFly(document) ? [] : (validateFly.errors ?? []).map((error) => `${error.instancePath} ${error.message}`);
  return [...problems, ...undocumentedKeys(document, flySchema).map((key) => `${key} is not a documented fly.toml key`)];
}

interface NetlifyBuild {
  base: string;
  publish: string;
  command: string;
  environment: Record<string, string>;
}

/**
 * Resolves netlify.toml files as Netlify Build does, offline, each in a directory laid out like the
 * app repository (the web app's directory exists): one child process for all of them.
 */
function resolveNetlify(files: { text: string; webDirectory: string }[]): (NetlifyBuild | { error: string })[] {
  const roots = files.map(({ text, webDirectory }) => {
    const root = mkdtempSync(path.join(tmpdir(), "flightdeck-netlify-"));
    mkdirSync(path.join(root, webDirectory), { recursive: true });
    writeFileSync(path.join(root, NETLIFY_TOML_PATH), text);
    return root;
  });
  try {
    const output = execFileSync(process.execPath, [path.join(__dirname, "netlifyConfig.mjs")], { input: JSON.stringify(roots), encoding: "utf8" });
    const results = JSON.parse(output) as ({ build: NetlifyBuild } | { error: string })[];
    return results.map((result, index) =>
      "error" in result ? result : { ...result.build, base: path.relative(roots[index]!, result.build.base), publish: path.relative(roots[index]!, result.build.publish) },
    );
  } finally {
    for (const root of roots) rmSync(root, { recursive: true, force: true });
  }
}

/** A plan's resources as the pack's test fixtures: logical names, inputs, protect, dependencies by name. */
function fixturesOf(resources: readonly RecordedResource[]): Fixture[] {
  const names = new Map(resources.map((r) => [r.urn, r.name]));
  return resources
    .filter((r) => r.custom)
    .map((r) => ({
      type: r.type,
      name: r.name,
      props: structuredClone(r.inputs),
      protect: r.options.protect,
      dependsOn: r.options.dependsOn.map((urn) => names.get(urn)).filter((name): name is string => name !== undefined),
    }));
}

describe("disaster recovery in the sample stacks", function () {
  this.timeout(120_000);
  const runs = new Map<string, StackRun>();

  const netlify = new Map<string, NetlifyBuild | { error: string }>();
  const BAD_NETLIFY = "a build command that is not a string";

  before(async () => {
    for (const stack of STACKS) runs.set(stack, await runSampleStack(stack));
    const files = [
      ...STACKS.map((stack) => ({ key: stack, text: contentOf(runs.get(stack)!, NETLIFY_TOML_PATH), webDirectory: settingsOf(stack).web!.vercel.rootDirectory })),
      { key: BAD_NETLIFY, text: '[build]\nbase = "apps/web"\ncommand = 12\n', webDirectory: "apps/web" },
    ];
    resolveNetlify(files).forEach((result, index) => netlify.set(files[index]!.key, result));
  });
  const run = (stack: string) => runs.get(stack)!;

  for (const stack of STACKS) {
    describe(stack, () => {
      const settings = settingsOf(stack);
      const recovery = settings.disasterRecovery!;

      it("plans the backups, their schedule, the alarms, the drill and its register", () => {
        const r = run(stack);
        const buckets = r.ofType("aws:s3/bucket:Bucket").map((bucket) => inputAt(bucket, "bucket"));
        assert.ok(buckets.includes(recovery.backups.bucketName), JSON.stringify(buckets));
        assert.equal(buckets.includes(recovery.backups.replica?.bucketName ?? "(no replica)"), recovery.backups.replica !== undefined);
        const projects = r.ofType("aws:codebuild/project:Project").filter((project) => project.name.includes("-dr-"));
        assert.equal(projects.length, 2, projects.map((p) => p.name).join(", "));
        const expressions = r.ofType("aws:scheduler/schedule:Schedule").filter((schedule) => schedule.name.includes("-dr-")).map((schedule) => inputAt(schedule, "scheduleExpression")).sort();
        assert.deepEqual(expressions, [`cron(${Number(recovery.drill.time.slice(3))} ${Number(recovery.drill.time.slice(0, 2))} ? * ${recovery.drill.weekday.toUpperCase()} *)`, `rate(${recovery.backups.intervalMinutes} minutes)`].sort());
        const alarms = r.ofType("aws:cloudwatch/metricAlarm:MetricAlarm").filter((alarm) => /Backup|RestoreDrill/.test(String(inputAt(alarm, "metricName"))));
        const age = alarms.find((alarm) => inputAt(alarm, "metricName") === "BackupCompleted");
        assert.ok(age, "a backup-age alarm");
        assert.equal(inputAt(age, "treatMissingData"), "breaching");
        assert.match(String((inputAt(age, "alarmActions") as string[])[0]), /critical/);
        const register = r.ofType("aws:ssm/parameter:Parameter").filter((parameter) => inputAt(parameter, "name") === drillRegister.parameterName(settings.product.slug, settings.environment));
        assert.equal(register.length, 1);
      });

      it("commits netlify.toml, fly.toml and the runbook to the deploy branch, with no secret value in them", () => {
        const r = run(stack);
        const canaries = Object.values(canarySecrets(requiredSecretKeys(sampleConfig(stack))));
        for (const file of [NETLIFY_TOML_PATH, FLY_TOML_PATH, RUNBOOK_PATH]) {
          const resource = committed(r, file);
          assert.equal(inputAt(resource, "repository"), settings.github.repository);
          assert.equal(inputAt(resource, "branch"), deployBranch(settings));
          const content = contentOf(r, file);
          for (const canary of canaries) assert.ok(!content.includes(canary), `${file} contains a secret value`);
        }
      });

      it("netlify.toml is accepted by Netlify's own config parser and builds the web app as Vercel does", () => {
        const build = netlify.get(stack)!;
        if ("error" in build) assert.fail(build.error);
        assert.equal(build.base, settings.web!.vercel.rootDirectory);
        assert.equal(build.publish, path.join(settings.web!.vercel.rootDirectory, ".next"));
        assert.equal(build.environment["NODE_VERSION"], settings.app.nodeVersion);
        const publicValues = settings.secrets.filter((entry) => entry.kind === "public" && entry.value !== undefined && entry.destinations.vercel);
        for (const entry of publicValues) assert.equal(build.environment[entry.name], entry.value, entry.name);
      });

      it("fly.toml matches Fly.io's published schema and runs the image the pipeline builds", () => {
        const text = contentOf(run(stack), FLY_TOML_PATH);
        assert.deepEqual(flyProblems(text), []);
        const fly = parse(text) as { app: string; build: { image: string }; http_service: { internal_port: number; checks: { path: string }[] } };
        assert.equal(fly.app, recovery.platforms.fly.app);
        assert.equal(fly.build.image, `${apiImage(settings)}:${settings.environment}`);
        assert.equal(fly.http_service.internal_port, recovery.platforms.fly.internalPort);
        assert.equal(fly.http_service.checks[0]!.path, recovery.platforms.fly.healthPath);
      });

      it("the runbook has the spec's three phases with their budgets, who does what, the switch and restore commands and the objectives", () => {
        const runbook = contentOf(run(stack), RUNBOOK_PATH);
        for (const heading of ["## 1. Immediate (0-15 min)", "## 2. Short-term (15-60 min)", "## 3. Long-term (1-24 hours)"]) assert.ok(runbook.includes(heading), heading);
        assert.match(runbook, new RegExp(`RTO ${recovery.rtoMinutes / 60} h`));
        assert.match(runbook, new RegExp(`RPO ${recovery.rpoMinutes} min`));
        for (const handle of Object.values(recovery.runbook.roles)) assert.ok(runbook.includes(`@${handle}`), handle);
        assert.ok(runbook.includes(`netlify deploy --prod --site ${recovery.platforms.netlify.siteName}`));
        assert.ok(runbook.includes(`fly deploy --config fly.toml --app ${recovery.platforms.fly.app} --image "$image"`));
        assert.ok(runbook.includes(`aws s3api list-objects-v2 --bucket "$bucket" --prefix ${recovery.backups.prefix}`));
        assert.match(runbook, /pg_restore --exit-on-error/);
        assert.ok(runbook.includes(recovery.runbook.statusPageUrl));
      });
    });
  }

  describe("the recovery policies judge the planned stacks", () => {
    it("pass both sample stacks as planned", () => {
      for (const stack of STACKS) {
        // Each stack's own pack config (policies/config/<stack>.json), as `npm run plan` passes it.
        const packConfig = JSON.parse(readFileSync(path.join(PROJECT_DIR, "policies", "config", `${stack}.json`), "utf8")) as Record<string, unknown>;
        const config: Record<string, Record<string, unknown>> = {};
        for (const [policy, entry] of Object.entries(packConfig)) {
          if (entry === null || typeof entry !== "object") continue;
          const { enforcementLevel: _level, ...settings } = entry as Record<string, unknown>;
          config[policy] = settings;
        }
        assert.deepEqual(judge(fixturesOf(run(stack).resources), { stack, policies: recoveryPolicies, now: IN_WINDOW, config }), [], stack);
      }
    });

    it("block a production config that loosens the objectives, the cadence, the alarm's margin and the retention", async () => {
      const loosened = await runSampleStack("production", (raw) => {
        const recovery = raw["disasterRecovery"] as { rpoMinutes: number; backups: Record<string, unknown> };
        recovery.rpoMinutes = 120;
        recovery.backups["intervalMinutes"] = 90;
        recovery.backups["alarmMarginMinutes"] = 120;
        recovery.backups["retentionDays"] = 3;
        recovery.backups["protect"] = false;
      });
      const verdicts = judge(fixturesOf(loosened.resources), { stack: "production", policies: recoveryPolicies, now: IN_WINDOW });
      assert.deepEqual(policiesOf(verdicts), ["recovery-backup-alarm-pages", "recovery-backup-bucket-retained", "recovery-backups-scheduled", "recovery-objectives-within-spec"], JSON.stringify(verdicts, null, 1));
      const messages = verdicts.map((verdict) => verdict.message).join("\n");
      assert.match(messages, /RPO 120 min is looser than the spec's 60 min/);
      assert.match(messages, /up to 90 min apart/);
      assert.match(messages, /expires backups after 3 days/);
      assert.match(messages, /is not protected/);
    });
  });

  describe("the validators reject what the platforms would", () => {
    it("Netlify's parser rejects a build command that is not a string", () => {
      const result = netlify.get(BAD_NETLIFY)!;
      assert.ok("error" in result, JSON.stringify(result));
      assert.match(result.error, /build\.command must be a string/);
    });

    it("the schema rejects an unknown auto_stop_machines value, a port that is not a number, and a misspelt key", () => {
      const valid = contentOf(run("production"), FLY_TOML_PATH);
      assert.match(flyProblems(valid.replace('auto_stop_machines = "off"', 'auto_stop_machines = "sometimes"')).join("\n"), /auto_stop_machines must be equal to one of the allowed values/);
      assert.match(flyProblems(valid.replace(/internal_port = \d+/, 'internal_port = "8000"')).join("\n"), /internal_port must be integer/);
      assert.match(flyProblems(valid.replace("min_machines_running", "min_machine_running")).join("\n"), /http_service\.min_machine_running is not a documented fly\.toml key/);
    });
  });
});
