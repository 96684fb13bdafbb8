import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { GITHUB_OIDC_AUDIENCE, GITHUB_OIDC_URL } from "../infra/aws/auditPolicies";
import { PolicyStatement } from "../infra/aws/policyDocument";
import { EnvironmentName, GithubSettings } from "../infra/config/schema";
import { githubProvider } from "../infra/github/provider";
import { AccessRole } from "./aws/accessRole";
import { AuditTrail } from "./aws/auditTrail";
import { BreakGlassAlarm } from "./aws/breakGlassAlarm";
import { ProgramStackScope, drillRegisterReadStatements, flagRegisterReadStatement, mergeStatements, programDeployStatements } from "./aws/programPermissions";
import { SecretsKey } from "./aws/secretsKey";
import { StateBackend } from "./aws/stateBackend";
import { StackLocation, s3BackendUrl } from "./aws/stateLayout";
import { StateBucket, stateReadStatements, stateWriteStatements } from "./aws/statePermissions";
import { githubOidcTrustPolicy } from "../infra/aws/auditPolicies";
import { environmentSubject, humanTrustPolicy, pullRequestSubject } from "./aws/trust";
import { leadStackOf } from "../infra/flags/register";
import { BootstrapConfig } from "./config/load";
import { ProgramStack } from "./config/schema";
import { BOOTSTRAP_APP_PRIVATE_KEY, BREAK_GLASS_PAGER_DUTY } from "./config/validate";
import { InfraRepository } from "./github/infraRepository";
import { bootstrapPrefix, roleArn, roleNames, secretsKeyAlias, secretsProviderUrl } from "./naming";
import { environmentVariables, repositoryVariables } from "./pipelineVariables";

/** What the bootstrap exports: what Day zero's next steps type in, never a secret. */
export interface BootstrapOutputs {
  /** The account the credentials belong to; the program stops when it is not the configured one. */
  account: pulumi.Output<string>;
  region: string;
  /** PULUMI_BACKEND_URL: `pulumi login` this before creating the stacks. */
  backendUrl: string;
  /** Per stack, its `--secrets-provider` for `pulumi stack init` (S3 backend only). */
  secretsProviders?: Record<string, string>;
  secretsKeyArns?: Record<string, pulumi.Output<string>>;
  stateBucket?: pulumi.Output<string>;
  githubOidcProviderArn: string;
  roles: { preview: string; deploy: Record<string, string>; readOnly?: string; breakGlass: string };
  breakGlassTopicArn: pulumi.Output<string>;
  /** Names (never values) of the Actions variables written to the repository and to each environment. */
  repositoryVariables: string[];
  environmentVariables: Record<string, string[]>;
}

/** One hour: GitHub's pull-request and deploy jobs, and a human's session, last at most this long. */
const SESSION_SECONDS = 3600;

/** Builds everything the bootstrap declares from its validated config. */
export function buildBootstrap(config: BootstrapConfig): BootstrapOutputs {
  const { settings, region } = config;
  const { account } = settings;
  const prefix = bootstrapPrefix(settings);
  const names = roleNames(settings);
  const arnOf = (name: string) => roleArn(account, name);
  const stacks = settings.program.stacks.map((stack) => stack.name);
  const locations: StackLocation[] = stacks.map((stack) => ({ project: settings.program.project, stack }));
  const s3 = settings.stateBackend.kind === "s3" ? settings.stateBackend : undefined;

  const verifiedAccount = aws.getCallerIdentityOutput({}).accountId.apply((id) => {
    if (id !== account) throw new Error(`the AWS credentials are of account ${id}, not flightdeck-bootstrap:account ${account}: refusing to bootstrap another account`);
    return id;
  });

  const githubOidcProviderArn =
    "arn" in settings.githubOidcProvider ? settings.githubOidcProvider.arn : `arn:aws:iam::${account}:oidc-provider/token.actions.githubusercontent.com`;
  const oidcProvider =
    "create" in settings.githubOidcProvider
      ? new aws.iam.OpenIdConnectProvider(`${prefix}-github-oidc`, { url: GITHUB_OIDC_URL, clientIdLists: [GITHUB_OIDC_AUDIENCE] }, { protect: true })
      : undefined;
  const afterProvider = oidcProvider ? { dependsOn: [oidcProvider] } : {};

  // The roles first: the key and bucket policies name them, and AWS refuses a policy naming a principal that
  // does not exist. Their permissions come after, once the keys and the bucket they name exist.
  const readOnlyArn = settings.humans.readOnly.length > 0 ? arnOf(names.readOnly) : undefined;
  const breakGlassArn = arnOf(names.breakGlass);
  const preview = new AccessRole(
    `${prefix}-preview`,
    {
      roleName: names.preview,
      description: `Assumed only by ${pullRequestSubject(settings.infraRepository)}: reads state and decrypts config for pulumi preview; writes nothing`,
      trust: githubOidcTrustPolicy(githubOidcProviderArn, pullRequestSubject(settings.infraRepository), "PullRequestJobsOfThisRepository"),
      maxSessionSeconds: SESSION_SECONDS,
    },
    afterProvider,
  );
  const deployRoles = Object.fromEntries(
    stacks.map((stack) => [
      stack,
      new AccessRole(
        `${prefix}-deploy-${stack}`,
        {
          roleName: names.deploy(stack),
          description: `Assumed only by ${environmentSubject(settings.infraRepository, stack)}: applies the ${stack} stack`,
          trust: githubOidcTrustPolicy(githubOidcProviderArn, environmentSubject(settings.infraRepository, stack), `DeployJobsOfThe${capitalised(stack)}Environment`),
          maxSessionSeconds: SESSION_SECONDS,
        },
        afterProvider,
      ),
    ]),
  );
  const readOnly = readOnlyArn
    ? new AccessRole(`${prefix}-readonly`, {
        roleName: names.readOnly,
        description: "Named people, with MFA: read every stack's state and history; write nothing",
        trust: humanTrustPolicy(settings.humans.readOnly, "NamedPeopleWithMfa", SESSION_SECONDS),
        maxSessionSeconds: SESSION_SECONDS,
      })
    : undefined;
  const breakGlass = new AccessRole(`${prefix}-break-glass`, {
    roleName: names.breakGlass,
    description: "Emergencies only: named people with MFA, one hour; every assumption pages (EventBridge) and is recorded (CloudTrail)",
    trust: humanTrustPolicy(settings.humans.breakGlass, "NamedPeopleWithMfa", SESSION_SECONDS),
    maxSessionSeconds: Math.min(settings.breakGlass.maxSessionSeconds, SESSION_SECONDS),
  });
  const roles = [preview, ...Object.values(deployRoles), ...(readOnly ? [readOnly] : []), breakGlass].map((role) => role.role);

  const secretsKeys = s3
    ? Object.fromEntries(
        stacks.map((stack) => [
          stack,
          new SecretsKey(`${prefix}-secrets-${stack}`, {
            stack,
            alias: secretsKeyAlias(settings, stack),
            account,
            users: {
              decrypt: [arnOf(names.deploy(stack)), arnOf(names.preview), ...(readOnlyArn && settings.humans.readOnlyDecrypts.includes(stack) ? [readOnlyArn] : [])],
              encrypt: [breakGlassArn],
            },
            dependsOn: roles,
          }),
        ]),
      )
    : undefined;
  const state = s3
    ? new StateBackend(`${prefix}-state`, {
        bucketName: s3.bucketName,
        account,
        region,
        writers: locations.map((location) => ({ location, writers: [arnOf(names.deploy(location.stack)), breakGlassArn] })),
        dependsOn: roles,
      })
    : undefined;

  const alarm = new BreakGlassAlarm(`${prefix}-break-glass-alarm`, {
    account,
    region,
    roleArn: breakGlassArn,
    pagerDutyEndpoint: settings.breakGlass.pagerDuty ? requiredSecret(config, BREAK_GLASS_PAGER_DUTY) : undefined,
    emails: settings.breakGlass.emails,
  });
  if (settings.cloudTrail.create && settings.cloudTrail.bucketName !== undefined) {
    new AuditTrail(`${prefix}-trail`, { bucketName: settings.cloudTrail.bucketName, account, region });
  }

  // What no pipeline role may administer: the keys that protect state, secrets and the break-glass alert.
  const protectedKeys = pulumi.all([state?.keyArn, ...Object.values(secretsKeys ?? {}).map((key) => key.keyArn), alarm.keyArn]).apply((arns) =>
    arns.filter((arn): arn is string => arn !== undefined),
  );
  const withState = (build: (bucket: StateBucket) => PolicyStatement[]) =>
    state && s3 ? state.keyArn.apply((keyArn) => build({ bucket: s3.bucketName, keyArn, region })) : undefined;
  const scopeOf = (stack: ProgramStack): ProgramStackScope => ({
    slug: settings.product.slug,
    stack: stack.name,
    account,
    region,
    auditBucket: stack.auditBucket,
    backups: stack.backups,
    leadStack: leadStackOf(stack.name, stacks),
  });
  const grantState = (role: AccessRole, name: string, statements: pulumi.Output<PolicyStatement[]> | undefined) => {
    if (statements) role.grant(name, statements);
  };

  grantState(preview, "read-state", withState((bucket) => stateReadStatements(bucket, locations)));
  // A preview runs the program, which reads each stack's drill register by path (infra/backup/drillRegister.ts).
  const registers = drillRegisterReadStatements(settings.program.stacks.map(scopeOf));
  if (registers.length > 0) preview.grant("read-drill-registers", registers);
  // And each stack's flag register (its own, and production's lead's: infra/flags/register.ts).
  preview.grant("read-flag-registers", [flagRegisterReadStatement(settings.program.stacks.map(scopeOf))]);
  for (const stack of settings.program.stacks) {
    const role = deployRoles[stack.name]!;
    role.grant(`apply-${stack.name}`, protectedKeys.apply((keys) => programDeployStatements(scopeOf(stack), keys)));
    // Managed, not inline: the stack's own statements fill most of the role's 10,240 characters of inline policy.
    const writeState = withState((bucket) => stateWriteStatements(bucket, { project: settings.program.project, stack: stack.name }));
    if (writeState) role.attachDocument(`write-${stack.name}-state`, writeState);
  }
  if (readOnly) grantState(readOnly, "read-state", withState((bucket) => stateReadStatements(bucket, locations, { history: true })));
  // Break-glass applies every stack, and may re-key and administer the bootstrap's keys (no Deny of them): that is what it is for.
  // Managed, not inline: every stack's statements together exceed what fits beside write-state in the role's inline quota.
  breakGlass.attach("apply-stacks", mergeStatements(settings.program.stacks.map((stack) => programDeployStatements(scopeOf(stack), []))));
  grantState(breakGlass, "write-state", withState((bucket) => mergeStatements(locations.map((location) => stateWriteStatements(bucket, location)))));

  // This repository: its ruleset, the environments the up jobs run in, the variables they read.
  const github: GithubSettings = {
    owner: settings.infraRepository.owner,
    repository: settings.infraRepository.name,
    branches: { production: settings.infraRepository.defaultBranch },
    deployIdentity: { type: "Integration", id: settings.githubApp.id, name: settings.githubApp.name, installationId: settings.githubApp.installationId },
    requiredApprovals: settings.protection.requiredApprovals,
  };
  const backendUrl = s3 ? s3BackendUrl(s3.bucketName, region) : settings.stateBackend.kind === "pulumi-cloud" ? settings.stateBackend.url : "";
  const repoVariables: Record<string, pulumi.Input<string>> = {
    [repositoryVariables.previewRoleArn]: preview.arn,
    [repositoryVariables.awsRegion]: region,
    [repositoryVariables.backendUrl]: backendUrl,
  };
  new InfraRepository(
    `${prefix}-repository`,
    {
      github,
      defaultBranch: settings.infraRepository.defaultBranch,
      requiredApprovals: settings.protection.requiredApprovals,
      requiredChecks: settings.protection.requiredChecks,
      environments: settings.program.stacks.map((stack) => ({
        name: stack.name as EnvironmentName,
        protection: settings.protection.environments[stack.name] ?? { reviewers: { users: [], teams: [] }, waitTimerMinutes: 0, canAdminsBypass: false },
        variables: { [environmentVariables.deployRoleArn]: deployRoles[stack.name]!.arn },
      })),
      variables: repoVariables,
    },
    { providers: [githubProvider(`${prefix}-github`, { github, privateKey: requiredSecret(config, BOOTSTRAP_APP_PRIVATE_KEY) })] },
  );

  return {
    account: verifiedAccount,
    region,
    backendUrl,
    secretsProviders: secretsKeys ? Object.fromEntries(stacks.map((stack) => [stack, secretsProviderUrl(secretsKeyAlias(settings, stack), region)])) : undefined,
    secretsKeyArns: secretsKeys ? Object.fromEntries(Object.entries(secretsKeys).map(([stack, key]) => [stack, key.keyArn])) : undefined,
    stateBucket: state?.bucketName,
    githubOidcProviderArn,
    roles: {
      preview: arnOf(names.preview),
      deploy: Object.fromEntries(stacks.map((stack) => [stack, arnOf(names.deploy(stack))])),
      readOnly: readOnlyArn,
      breakGlass: breakGlassArn,
    },
    breakGlassTopicArn: alarm.topicArn,
    repositoryVariables: Object.keys(repoVariables).sort(),
    environmentVariables: Object.fromEntries(stacks.map((stack) => [stack, [environmentVariables.deployRoleArn]])),
  };
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function requiredSecret(config: BootstrapConfig, key: string): pulumi.Output<string> {
  const value = config.secrets[key];
  if (value === undefined) throw new pulumi.RunError(`flightdeck-bootstrap:${key}: secret is not set (pulumi config set --secret ${key} <value>)`);
  return value;
}
