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
];
