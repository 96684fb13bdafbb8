import { z } from "zod";
import { deployEnvironment, environmentNames, product } from "../../infra/config/schema";
import { oidcSubjectIds } from "../../infra/github/oidcSubject";

/**
 * The shape of the bootstrap stack's configuration (every `flightdeck-bootstrap:*` key): what one
 * organisation and AWS account needs before flightdeck's own stacks can run from the pipeline. This
 * file says what is well-formed; what is allowed (subjects pinned, no other writer of production's
 * state, sessions bounded) is the policy pack's job (policies/rules/bootstrap.ts).
 */

const positiveInt = z.number().int().positive();
const accountId = z.string().regex(/^\d{12}$/, "must be a 12-digit AWS account id");
const bucketName = z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "must be a valid S3 bucket name");
const branchName = z.string().regex(/^[A-Za-z0-9._/-]+$/, "must be a git branch name");
/** An IAM user or role of an account, named exactly (no wildcard, no account root). */
const humanPrincipal = z
  .string()
  .regex(/^arn:aws:iam::\d{12}:(user|role)\/[\w+=,.@/-]+$/, "must be the ARN of one IAM user or role (arn:aws:iam::<account>:user/<name> or :role/<name>)");
const oidcProviderArn = z
  .string()
  .regex(/^arn:aws:iam::\d{12}:oidc-provider\/token\.actions\.githubusercontent\.com$/, "must be the ARN of the GitHub OIDC provider");
const stackName = z.enum(environmentNames);

/** The repository this program lives in: its pipeline (.github/workflows/infra.yml) is what the roles trust. */
export const infraRepository = z.strictObject({
  owner: z.string().regex(/^[A-Za-z0-9-]+$/, "must be a GitHub organisation or user name"),
  name: z.string().regex(/^[A-Za-z0-9._-]+$/, "must be a GitHub repository name"),
  defaultBranch: branchName.default("main"),
  /** Its OIDC subject form (infra/github/oidcSubject.ts: the same setting the stacks' `flightdeck:github.oidcSubjectIds` is). */
  oidcSubjectIds,
});

/** The GitHub App the bootstrap's GitHub provider authenticates as (not the stacks' deploy App). */
export const githubApp = z.strictObject({
  id: positiveInt,
  name: z.string().min(1),
  installationId: positiveInt,
});

export const protection = z.strictObject({
  requiredApprovals: z.number().int().min(0).max(10).default(1),
  /** Check names (job names of infra.yml) that must pass before a pull request merges into the default branch. */
  requiredChecks: z.array(z.string().min(1)).min(1),
  /** Who approves a `pulumi up` of each stack (GitHub users and team slugs), and the wait timer. */
  environments: z.partialRecord(stackName, deployEnvironment).default({}),
});

export const stateBackend = z.discriminatedUnion("kind", [
  z.strictObject({
    /** Pulumi's DIY backend on S3 (`pulumi login s3://<bucket>`), secrets with `awskms://` keys declared here. */
    kind: z.literal("s3"),
    bucketName,
  }),
  z.strictObject({
    /** Pulumi Cloud keeps state and encrypts secrets: nothing to declare here but the pipeline's URL. */
    kind: z.literal("pulumi-cloud"),
    url: z.string().regex(/^https:\/\/[^\s/]+\/?$/, "must be an https:// URL").default("https://api.pulumi.com"),
  }),
]);

/** The stack's database backups as its `flightdeck:disasterRecovery.backups` declares them: buckets named by config, not after the stack. */
export const programBackups = z.strictObject({
  bucketName,
  /** The copy in another region (`backups.replica`): its bucket, and the region its bucket and KMS key live in. */
  replica: z
    .strictObject({
      region: z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, "must be an AWS region such as us-west-2"),
      bucketName,
    })
    .optional(),
});

/** One stack of the flightdeck program the pipeline applies: its audit and backup buckets are the resources not named after the stack. */
export const programStack = z.strictObject({
  name: stackName,
  auditBucket: bucketName,
  backups: programBackups.optional(),
});

export const program = z.strictObject({
  /** The flightdeck program's Pulumi project name (its Pulumi.yaml `name`): state paths and config keys use it. */
  project: z.string().regex(/^[A-Za-z0-9_.-]+$/, "must be a Pulumi project name").default("flightdeck"),
  stacks: z.array(programStack).min(1),
});

export const humans = z.strictObject({
  /** May read every stack's state (and decrypt the secrets of `readOnlyDecrypts`), with MFA; never write. */
  readOnly: z.array(humanPrincipal).default([]),
  readOnlyDecrypts: z.array(stackName).default([]),
  /** May assume the break-glass role, with MFA; every assumption pages. */
  breakGlass: z.array(humanPrincipal).min(1),
});

export const breakGlass = z.strictObject({
  maxSessionSeconds: z.number().int().min(900).max(43200).default(3600),
  /** Who is told when the role is assumed: PagerDuty (its endpoint is the secret `pagerDutyEndpoint`) and/or email addresses. */
  pagerDuty: z.boolean().default(false),
  emails: z.array(z.string().regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, "must be an email address")).default([]),
});

export const cloudTrail = z.strictObject({
  /**
   * EventBridge receives "AWS API Call via CloudTrail" events only while a trail logs: create one here, or
   * set false when the account already has a logging trail (an organisation trail, for instance).
   */
  create: z.boolean().default(true),
  bucketName: bucketName.optional(),
});

export const githubOidcProvider = z.union([
  z.strictObject({ create: z.literal(true) }),
  z.strictObject({ arn: oidcProviderArn }),
]);

/** Every non-secret `flightdeck-bootstrap:*` key. */
export const bootstrapConfigSchema = z.strictObject({
  product: product.describe("the product's display name and slug: every name here starts with `<slug>-infra`"),
  account: accountId.describe("the AWS account the stacks deploy to; the program stops if the credentials are of another"),
  infraRepository: infraRepository.describe("this repository: its pipeline is the only GitHub identity the roles trust"),
  githubApp: githubApp.describe("the GitHub App that manages this repository's ruleset, environments and variables; private key: secret `githubAppPrivateKey`"),
  protection: protection.describe("the default branch's ruleset and the environments' reviewers"),
  stateBackend: stateBackend.describe("where the stacks keep state: an S3 bucket with KMS secrets keys declared here, or Pulumi Cloud"),
  program: program.describe("the flightdeck program's project and stacks the pipeline previews and applies"),
  humans: humans.describe("the people who may read state (read-only role) and break glass"),
  breakGlass: breakGlass.describe("the emergency role's session limit and who is paged when it is assumed"),
  cloudTrail: cloudTrail.default({ create: true }).describe("the trail that feeds EventBridge (and records every API call)"),
  githubOidcProvider: githubOidcProvider.default({ create: true }).describe("GitHub's OIDC provider in the account: created here, or an existing one"),
});

export type BootstrapSettings = z.output<typeof bootstrapConfigSchema>;
export type InfraRepository = z.output<typeof infraRepository>;
export type ProgramStack = z.output<typeof programStack>;
export type StateBackendSettings = z.output<typeof stateBackend>;
