import { strict as assert } from "node:assert";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { PlanDocument } from "../../tools/plan/document";
import { runPlan } from "../harness/plans";
import { PROJECT_DIR } from "../harness";
import { linkProgram, scratchDir } from "../harness/scratch";

/**
 * The offline plan runs the program the language host would run: Pulumi.yaml's `main` (infra/, and the
 * bootstrap's index.ts), with the transforms it registers applied as the engine applies them
 * (pulumi/pulumi@v3.259.0 pkg/resource/deploy/source_eval.go RegisterResource: the resource's own
 * transforms, then its parents', then the stack's), and the pack judges what that produced.
 */
describe("npm run plan evaluates Pulumi.yaml's main, with its transforms, in its declared environment", function () {
  this.timeout(180000);

  /** A checkout whose `dir` (infra or bootstrap) is a copy with its index.ts rewritten; the rest is this one's. */
  const checkoutWith = (dir: "infra" | "bootstrap", rewrite: (index: string) => string): string => {
    const root = scratchDir(`entry-${dir}`);
    cpSync(path.join(PROJECT_DIR, dir), path.join(root, dir), { recursive: true });
    for (const file of ["Pulumi.yaml", "Pulumi.staging.yaml", "Pulumi.production.yaml"]) cpSync(path.join(PROJECT_DIR, file), path.join(root, file));
    linkProgram(root);
    const index = path.join(root, dir, "index.ts");
    writeFileSync(index, rewrite(readFileSync(index, "utf8")));
    return root;
  };
  const mandatory = (plan: PlanDocument) => new Set((plan.policy?.violations ?? []).filter((v) => v.enforcementLevel === "mandatory").map((v) => v.policy));

  // A stack transform (registered before the stack is built) that suspends the versioning of every bucket
  // and drops `protect` from each bucket, and a resource declared in index.ts itself.
  const TRANSFORM = [
    'import * as pulumi from "@pulumi/pulumi";',
    'import * as aws from "@pulumi/aws";',
    "pulumi.runtime.registerResourceTransform((args) => {",
    '  if (args.type === "aws:s3/bucketVersioning:BucketVersioning") return { props: { ...args.props, versioningConfiguration: { status: "Suspended" } }, opts: args.opts };',
    '  if (args.type === "aws:s3/bucket:Bucket") return { props: args.props, opts: { ...args.opts, protect: false } };',
    "  return undefined;",
    "});",
  ].join("\n");
  const STRAY_ROLE = [
    'new aws.iam.Role("stray-admin", {',
    '  assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" }] }),',
    "});",
  ].join("\n");

  it("infra/index.ts: a resource it declares and an input its transform changes are in the plan, and the pack judges them (exit 1)", async () => {
    const root = checkoutWith("infra", (index) => `${TRANSFORM}\n${index}\n${STRAY_ROLE}\n`);
    const result = await runPlan(["--stack", "production", "--format", "json", "--at", "2026-12-01T15:00:00Z"], { projectDir: root });
    assert.equal(result.exitCode, 1, result.errors.join("\n"));
    const plan = JSON.parse(result.output) as PlanDocument;
    const stray = plan.resources.find((resource) => resource.type === "aws:iam/role:Role" && resource.name === "stray-admin");
    assert.ok(stray, "the role declared in index.ts is planned");
    const versionings = plan.resources.filter((resource) => resource.type === "aws:s3/bucketVersioning:BucketVersioning");
    assert.ok(versionings.length > 0);
    for (const versioning of versionings) assert.deepEqual(versioning.inputs["versioningConfiguration"], { status: "Suspended" }, versioning.name);
    const buckets = plan.resources.filter((resource) => resource.type === "aws:s3/bucket:Bucket");
    assert.ok(buckets.every((bucket) => bucket.options?.protect === false), "the transform's options replace the bucket's");
    const blocked = mandatory(plan);
    for (const policy of ["iam-role-trust-restricted", "audit-bucket-versioning-enabled", "audit-resources-protected"]) assert.ok(blocked.has(policy), `${policy} in ${[...blocked].join(", ")}`);
  });

  it("bootstrap/index.ts: the same, for the bootstrap project (exit 1)", async () => {
    const root = checkoutWith("bootstrap", (index) => `${TRANSFORM}\n${index}\n${STRAY_ROLE}\n`);
    const result = await runPlan(["--stack", "bootstrap", "--format", "json", "--at", "2026-12-01T15:00:00Z"], { projectDir: path.join(root, "bootstrap") });
    assert.equal(result.exitCode, 1, result.errors.join("\n"));
    const plan = JSON.parse(result.output) as PlanDocument;
    assert.ok(plan.resources.some((resource) => resource.type === "aws:iam/role:Role" && resource.name === "stray-admin"), "the role declared in index.ts is planned");
    const state = plan.resources.filter((resource) => resource.type === "aws:s3/bucketVersioning:BucketVersioning");
    assert.ok(state.length > 0 && state.every((versioning) => JSON.stringify(versioning.inputs["versioningConfiguration"]) === '{"status":"Suspended"}'));
    const blocked = mandatory(plan);
    for (const policy of ["iam-role-trust-restricted", "bootstrap-state-bucket-protected"]) assert.ok(blocked.has(policy), `${policy} in ${[...blocked].join(", ")}`);
  });

  it("a program that unsecrets a value outside tools/offline/unsecret.ts's list is refused (exit 2): a call, an alias, one more in a listed file", async () => {
    // index.ts: line 3 calls it on a config secret, line 4 takes it by an indexed name; featureFlags.ts gets a second one, which line 6 uses.
    const root = checkoutWith(
      "infra",
      (index) =>
        [
          'import * as pulumi from "@pulumi/pulumi";',
          'import { stripped } from "./flags/featureFlags";',
          'export const plain = pulumi.unsecret(new pulumi.Config("flightdeck").requireSecret("github"));',
          'const strip = pulumi["unsecret"];',
          "export const again = strip(plain);",
          "export const third = stripped(plain);",
          index,
        ].join("\n"),
    );
    const flags = path.join(root, "infra", "flags", "featureFlags.ts");
    writeFileSync(flags, `${readFileSync(flags, "utf8")}\nexport const stripped = (value: pulumi.Output<string>) => pulumi.unsecret(value);\n`);
    const result = await runPlan(["--stack", "production", "--no-policy", "--at", "2026-12-01T15:00:00Z"], { projectDir: root });
    assert.equal(result.exitCode, 2, result.errors.join("\n"));
    assert.equal(result.errors.length, 2, result.errors.join("\n"));
    assert.match(result.errors.find((line) => line.startsWith("infra/index.ts"))!, /^infra\/index\.ts:3, infra\/index\.ts:4: pulumi\.unsecret takes the secret mark off a value/);
    const listed = result.errors.find((line) => line.startsWith("infra/flags/featureFlags.ts"))!;
    assert.match(listed, /^infra\/flags\/featureFlags\.ts:\d+, infra\/flags\/featureFlags\.ts:\d+: 2 mentions of pulumi\.unsecret where tools\/offline\/unsecret\.ts \(UNSECRET_ALLOWED\) allows 1/);
  });

  it("a program that reads an undeclared environment variable, copies the environment or reads the clock is refused (exit 2), each read named", async () => {
    // Line 1 reads DEPLOY_MODE, line 2 copies the environment, line 3 reads the clock; the original index.ts follows.
    const root = checkoutWith(
      "infra",
      (index) => `const fast = process.env["DEPLOY_MODE"] === "fast";\nconst copied = { ...process.env };\nconst started = Date.now();\nvoid [fast, copied, started];\n${index}`,
    );
    const result = await runPlan(["--stack", "production", "--no-policy", "--at", "2026-12-01T15:00:00Z"], { projectDir: root });
    assert.equal(result.exitCode, 2);
    assert.equal(
      result.errors[0],
      "infra/index.ts:1: reads the environment variable DEPLOY_MODE, which infra/config/environment.ts does not declare: pulumi up would see whatever the machine that runs it sets, which this plan cannot see; make it config, or declare it there with the value the plan evaluates it with",
    );
    assert.ok(result.errors.some((line) => line.startsWith("infra/index.ts:2: enumerates the environment variables")), result.errors.join("\n"));
    assert.ok(result.errors.some((line) => line.startsWith("infra/index.ts:3: reads the machine's clock")), result.errors.join("\n"));
  });
});
