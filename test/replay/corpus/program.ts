import { ReplayCase, badInput, caught } from "../cases";
import { Edit, append, replace, writeFile } from "../edits";

/** Code put before the program's own (infra/index.ts's imports are hoisted, so it runs before buildStack). */
function prependToIndex(code: string): Edit {
  return replace("infra/index.ts", 'import { loadStackConfig } from "./config/load";\n', `${code.replace(/\n*$/, "\n")}import { loadStackConfig } from "./config/load";\n`);
}

const TRUSTED_BY_ANYONE = 'JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" }] })';

/** Class 13 (issue 19, 1): the gate judges what the language host runs, with the engine's transforms, and no ambient input. */
export const programCases: ReplayCase[] = [
  {
    id: "program-transform-strips-protection",
    class: "program",
    title: "infra/index.ts: a stack transform that drops `protect` from every bucket (the stack files still say audit.protect: true)",
    edits: [
      prependToIndex(
        'import * as pulumi from "@pulumi/pulumi";\npulumi.runtime.registerResourceTransform((args) => (args.type === "aws:s3/bucket:Bucket" ? { props: args.props, opts: { ...args.opts, protect: false, retainOnDelete: false } } : undefined));',
      ),
    ],
    expect: caught("audit-resources-protected"),
  },
  {
    id: "program-transform-option-on-component",
    class: "program",
    title: "infra/stack.ts: a `transforms` option on a component that turns its children's bucket versioning off",
    edits: [
      replace(
        "infra/stack.ts",
        "new AuditLog(`${prefix}-audit`, { audit: settings.audit })",
        'new AuditLog(`${prefix}-audit`, { audit: settings.audit }, { transforms: [(args) => (args.type === "aws:s3/bucketVersioning:BucketVersioning" ? { props: { ...args.props, versioningConfiguration: { status: "Suspended" } }, opts: args.opts } : undefined)] })',
      ),
    ],
    expect: caught("audit-bucket-versioning-enabled"),
  },
  {
    id: "program-resource-in-index",
    class: "program",
    title: "infra/index.ts: a role for a contractor, declared next to the stack rather than in it",
    edits: [append("infra/index.ts", `import * as aws from "@pulumi/aws";\nnew aws.iam.Role("contractor-access", { assumeRolePolicy: ${TRUSTED_BY_ANYONE} });\n`)],
    expect: caught("iam-role-trust-restricted"),
  },
  {
    id: "program-main-moved",
    class: "program",
    title: "Pulumi.yaml: main points at a new entry file that runs the stack and adds a role",
    edits: [
      replace("Pulumi.yaml", "main: infra/\n", "main: infra/main.ts\n"),
      writeFile("infra/main.ts", `import * as aws from "@pulumi/aws";\nexport * from "./index";\nnew aws.iam.Role("break-glass-extra", { assumeRolePolicy: ${TRUSTED_BY_ANYONE} });\n`),
    ],
    expect: caught("iam-role-trust-restricted"),
  },
  {
    id: "program-package-json-main",
    class: "program",
    title: "package.json: a `main` entry, which the nodejs host runs for `main: infra/` (a directory) instead of infra/index.ts",
    edits: [
      replace("package.json", '  "private": true,\n', '  "private": true,\n  "main": "infra/entry.ts",\n'),
      writeFile("infra/entry.ts", `import * as aws from "@pulumi/aws";\nexport * from "./index";\nnew aws.iam.Role("ops-shortcut", { assumeRolePolicy: ${TRUSTED_BY_ANYONE} });\n`),
    ],
    expect: caught("iam-role-trust-restricted"),
  },
  {
    id: "program-env-dependent-branch",
    class: "program",
    title: "infra/index.ts: outside CI (where pulumi up runs with CI unset), drop the buckets' protection",
    edits: [
      prependToIndex(
        'import * as pulumi from "@pulumi/pulumi";\nif (process.env["CI"] !== "true") pulumi.runtime.registerResourceTransform((args) => (args.type === "aws:s3/bucket:Bucket" ? { props: args.props, opts: { ...args.opts, protect: false } } : undefined));',
      ),
    ],
    expect: badInput(/^infra\/index\.ts:\d+: reads the environment variable CI, which infra\/config\/environment\.ts does not declare/),
  },
  {
    id: "program-env-copied",
    class: "program",
    title: "infra/index.ts: the stack's tags taken from a copy of the environment (DEPLOY_TAGS)",
    edits: [prependToIndex('const environmentCopy: Record<string, string | undefined> = { ...process.env };\nexport const deployTags = environmentCopy["DEPLOY_TAGS"] ?? "";')],
    expect: badInput(/^infra\/index\.ts:\d+: enumerates the environment variables/),
  },
  {
    id: "program-evaluator-drops-resource",
    class: "program",
    title: "infra/index.ts adds a contractor role; tools/offline/monitor.ts stops recording roles whose name starts with `contractor`",
    edits: [
      append("infra/index.ts", `import * as aws from "@pulumi/aws";\nnew aws.iam.Role("contractor-access", { assumeRolePolicy: ${TRUSTED_BY_ANYONE} });\n`),
      replace("tools/offline/monitor.ts", "    this.recorded.push({\n", '    if (!req.getName().startsWith("contractor")) this.recorded.push({\n'),
    ],
    judge: "pr",
    expect: caught("iam-role-trust-restricted"),
  },
  {
    id: "program-evaluator-skips-transforms",
    class: "program",
    title: "tools/offline/transforms.ts applies no transform, and infra/index.ts registers one that drops the buckets' protection",
    edits: [
      prependToIndex(
        'import * as pulumi from "@pulumi/pulumi";\npulumi.runtime.registerResourceTransform((args) => (args.type === "aws:s3/bucket:Bucket" ? { props: args.props, opts: { ...args.opts, protect: false, retainOnDelete: false } } : undefined));',
      ),
      replace("tools/offline/transforms.ts", "    if (transforms.length === 0) return req;\n", "    if (transforms.length >= 0) return req;\n"),
    ],
    judge: "pr",
    expect: caught("audit-resources-protected"),
  },
  {
    id: "program-unsecret-into-plain-parameter",
    class: "program",
    title: "infra/index.ts: PostHog's key, unsecreted and split in two, kept in a plain SSM String parameter (the pack sees no secret mark and no copy of the value)",
    edits: [
      prependToIndex(
        [
          'import * as pulumi from "@pulumi/pulumi";',
          'import * as aws from "@pulumi/aws";',
          'const key = pulumi.unsecret(new pulumi.Config("flightdeck").requireSecret("metricsPosthogApiKey"));',
          'export const keyCopy = new aws.ssm.Parameter("posthog-key-half", { name: "/flightpro/tools/posthog-half", type: "String", value: key.apply((value) => value.slice(0, value.length / 2)) }).name;',
        ].join("\n"),
      ),
    ],
    expect: badInput(/^infra\/index\.ts:\d+: pulumi\.unsecret takes the secret mark off a value/),
  },
  {
    id: "program-evaluator-declares-variable",
    class: "program",
    title: "infra/config/environment.ts declares CI, and infra/index.ts drops the buckets' protection when CI is unset (as where pulumi up runs)",
    edits: [
      prependToIndex(
        'import * as pulumi from "@pulumi/pulumi";\nif (process.env["CI"] !== "true") pulumi.runtime.registerResourceTransform((args) => (args.type === "aws:s3/bucket:Bucket" ? { props: args.props, opts: { ...args.opts, protect: false } } : undefined));',
      ),
      replace("infra/config/environment.ts", "  ...GITHUB_PROVIDER_ENVIRONMENT,\n", '  ...GITHUB_PROVIDER_ENVIRONMENT,\n  CI: { why: "set by CI runners" },\n'),
    ],
    judge: "pr",
    // The declared variables are the base's (the evaluator's checkout): the pull request's declaration applies once merged.
    expect: badInput(/^infra\/index\.ts:\d+: reads the environment variable CI, which infra\/config\/environment\.ts does not declare/),
  },
  {
    id: "program-evaluator-allows-variable",
    class: "program",
    title: "tools/offline/ambient.ts lets the program read any DEPLOY_* variable, and infra/index.ts names the audit bucket's retention from DEPLOY_RETENTION",
    edits: [
      prependToIndex('export const retentionOverride = process.env["DEPLOY_RETENTION"] ?? "";'),
      replace("tools/offline/ambient.ts", "    if (!declared.has(key) && !written.has(key) && !own)", '    if (!declared.has(key) && !written.has(key) && !own && !key.startsWith("DEPLOY_"))'),
    ],
    judge: "pr",
    expect: badInput(/^infra\/index\.ts:\d+: reads the environment variable DEPLOY_RETENTION, which infra\/config\/environment\.ts does not declare/),
  },
];
