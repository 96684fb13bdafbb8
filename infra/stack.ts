import * as pulumi from "@pulumi/pulumi";
import { AlertRules } from "./aws/alerts";
import { AuditLog } from "./aws/auditLog";
import { DisasterRecovery } from "./backup/disasterRecovery";
import { DeployAuditRole } from "./aws/auditRole";
import { StackConfig } from "./config/load";
import { GITHUB_APP_PRIVATE_KEY } from "./config/githubRules";
import { stacksOfModel } from "./config/schema";
import { hasDeployEnvironment } from "./config/validate";
import { passwordPeriods } from "./database/passwordRotation";
import { PostgresDatabase } from "./database/postgresDatabase";
import { rolloutNow } from "./flags/clock";
import { ExportedFlag, FeatureFlags } from "./flags/featureFlags";
import { leadStackOf } from "./flags/register";
import { MetricsBridge, watchRecordParameter } from "./metrics/metricsBridge";
import { METRICS_POSTHOG_API_KEY, METRICS_RAILWAY_TOKEN } from "./metrics/settings";
import { POSTHOG_API_KEY } from "./flags/settings";
import { BranchRuleset } from "./github/branchRuleset";
import { DeploymentEnvironment } from "./github/deploymentEnvironment";
import { githubProvider } from "./github/provider";
import { deployBranch, ownsSharedResources, stackPrefix } from "./naming";
import { deployVariables, deployedCredentials } from "./pipeline/deployContract";
import { recordsDeployedCredentials } from "./workflows/deployedCredentials";
import { RotationReminder } from "./secrets/rotationReminder";
import { SecretInventory } from "./secrets/secretInventory";
import { StagingRefresh } from "./stagingData/stagingRefresh";
import { GeneratedSecrets } from "./secrets/values";
import { RuntimeSettings, vercelTargetOf } from "./vercel/runtimeSettings";
import { WebProject } from "./vercel/webProject";
import { WorkflowFiles } from "./workflows/workflowFiles";
import { deployWorkflowOf } from "./workflows/files";
import { DEPLOY_REASON_INPUT } from "./workflows/deployProduction";
import { RedeployTarget, RuntimeCredentials } from "./secrets/runtimeCredentials";

/** What a stack exports: where things are, never a secret in plain. */
export interface StackOutputs {
  environment: string;
  protectedBranch: string;
  webUrl?: string;
  /** The GitHub deployment environment of this stack (none in local-only). */
  deployEnvironment?: pulumi.Output<string>;
  /** Names (never values) of the plain variables the deploy jobs read from that environment. */
  deployVariables?: string[];
  /** Keys of the plain runtime settings set on Vercel for this environment. */
  runtimeSettings?: string[];
  /** Names (never values) of the inventory's secrets and public values this stack places. */
  secrets?: string[];
  /** Where the rotation register's SSM parameters live. */
  rotationRegisterPrefix?: string;
  /** The deployment audit log's bucket (AUDIT_BUCKET). */
  auditBucket?: pulumi.Output<string>;
  /** The role the deploy jobs assume to write audit records (AUDIT_ROLE_ARN). */
  auditRoleArn?: pulumi.Output<string>;
  /** The alert topics by severity. */
  alertTopicArns?: { critical: pulumi.Output<string>; warning: pulumi.Output<string>; info: pulumi.Output<string> };
  /** The stage and day 0 of each PostHog flag (production reads staging's from its flag register, not from this output). */
  featureFlags?: pulumi.Output<Record<string, ExportedFlag>>;
  /** The database backups' bucket, and the drill register's SSM parameter. */
  backupBucket?: pulumi.Output<string>;
  drillRegister?: string;
  /** Staging's data choice (flightdeck:stagingData.mode): anonymized (the weekly refresh) or synthetic. */
  stagingData?: string;
  /**
   * What infra.yml's apply job redeploys when a `pulumi up` rotated a credential the running app reads
   * (tools/redeploy): the app's deploy workflow of this stack, dispatched as the deploy App, and the
   * credentials (rotation instants and expiry, never values) whose change calls for it.
   */
  appRedeploy?: RedeployTarget & { credentials: pulumi.Output<RuntimeCredentials> };
}

/** Builds every resource one stack declares from its validated config. */
export function buildStack(config: StackConfig): StackOutputs {
  const { settings } = config;
  const prefix = stackPrefix(settings);
  // One clock per run: flag stages and password rotations are computed at the same instant.
  const programNow = rolloutNow();
  const branch = deployBranch(settings);

  // Every GitHub resource and invoke goes through this provider (owner and deploy App), handed to each
  // component that has GitHub children as `providers`, which its children inherit.
  const githubProviders = {
    providers: [githubProvider(`${prefix}-github`, { github: settings.github, privateKey: configSecret(config, GITHUB_APP_PRIVATE_KEY) })],
  };
  new BranchRuleset(`${prefix}-rules`, { github: settings.github, branch }, githubProviders);
  // The pipelines as code: this model's workflow files, committed to this stack's deploy branch.
  new WorkflowFiles(`${prefix}-workflows`, { settings, branch, stack: pulumi.getStack() }, githubProviders);

  let webProject: WebProject | undefined;
  if (settings.web) {
    webProject = new WebProject(`${prefix}-web`, {
      web: settings.web,
      github: settings.github,
      environment: settings.environment,
      branch,
      ownsProject: ownsSharedResources(settings),
    });
  }
  // Plain values the deploy jobs read as `${{ vars.X }}`; components above add theirs (role ARNs, bucket, topics).
  const deployVars: Record<string, pulumi.Input<string>> = {};
  if (settings.web && webProject) {
    deployVars[deployVariables.webUrl] = settings.web.url;
    deployVars[deployVariables.vercelTeamId] = settings.web.vercel.teamId;
    deployVars[deployVariables.vercelProject] = webProject.projectId;
    new RuntimeSettings(`${prefix}-runtime`, {
      projectId: webProject.projectId,
      teamId: settings.web.vercel.teamId,
      environment: settings.environment,
      target: vercelTargetOf(settings.environment, branch),
      settings: settings.runtimeSettings,
    });
  }
  if (settings.api) {
    deployVars[deployVariables.apiUrl] = settings.api.url;
    deployVars[deployVariables.railwayProject] = settings.api.railway.project;
    deployVars[deployVariables.railwayService] = settings.api.railway.service;
    deployVars[deployVariables.railwayEnvironment] = settings.api.railway.environment;
  }
  // Database, alert rules and audit log: the models with a deploy environment have them (the schema enforces the keys).
  // The database comes before the secrets: the inventory takes its connection strings.
  const database = settings.database
    ? new PostgresDatabase(`${prefix}-db`, {
        database: settings.database,
        adminPassword: configSecret(config, "databaseAdminPassword"),
        passwordSchedule: { now: programNow, periodDays: passwordPeriods(settings.secrets) },
      })
    : undefined;
  const alertRules = settings.alerts
    ? new AlertRules(`${prefix}-alerts`, {
        alerts: settings.alerts,
        productName: settings.product.name,
        environment: settings.environment,
        pagerDutyEndpoint: configSecret(config, "pagerDutyEndpoint"),
      })
    : undefined;
  const auditLog = settings.audit ? new AuditLog(`${prefix}-audit`, { audit: settings.audit }) : undefined;
  const watchSettings = settings.metricsBridge?.watch !== undefined && settings.audit ? settings.metricsBridge.watch : undefined;
  const auditRole =
    settings.audit && auditLog && alertRules
      ? new DeployAuditRole(`${prefix}-deploy-audit`, {
          github: settings.github,
          environment: settings.environment,
          githubOidcProviderArn: settings.audit.githubOidcProviderArn,
          bucketName: settings.audit.bucketName,
          prefix: auditLog.prefix,
          auditKeyArn: auditLog.keyArn,
          topicArns: [alertRules.topicArns.info, alertRules.topicArns.critical],
          topicKeyArn: alertRules.key.arn,
          metricsNamespace: alertRules.namespace,
          watchRecordParameter: watchSettings ? watchRecordParameter(settings.product.slug, settings.environment) : undefined,
          deployedCredentialsParameter: recordsDeployedCredentials(settings) ? deployedCredentials.parameter(settings.product.slug, settings.environment) : undefined,
        })
      : undefined;
  // The metrics bridge feeds the alarms' namespace; with the watch it also judges each production deploy.
  if (settings.metricsBridge && alertRules) {
    new MetricsBridge(`${prefix}-metrics`, {
      settings: settings.metricsBridge,
      productSlug: settings.product.slug,
      environment: settings.environment,
      namespace: alertRules.namespace,
      warningTopicArn: alertRules.topicArns.warning,
      secrets: {
        posthogApiKey: configSecret(config, METRICS_POSTHOG_API_KEY),
        railwayToken: configSecret(config, METRICS_RAILWAY_TOKEN),
        githubAppPrivateKey: watchSettings ? configSecret(config, GITHUB_APP_PRIVATE_KEY) : undefined,
      },
      watch:
        watchSettings && settings.audit && auditLog
          ? {
              github: settings.github,
              branch,
              criticalTopicArn: alertRules.topicArns.critical,
              topicKeyArn: alertRules.key.arn,
              auditBucket: settings.audit.bucketName,
              auditPrefix: auditLog.prefix,
              auditKeyArn: auditLog.keyArn,
            }
          : undefined,
    });
  }
  if (auditLog && auditRole) {
    deployVars[deployVariables.awsRegion] = auditRole.region;
    deployVars[deployVariables.auditRoleArn] = auditRole.roleArn;
    deployVars[deployVariables.auditBucket] = auditLog.bucketName;
    deployVars[deployVariables.auditPrefix] = auditLog.prefix;
  }
  if (alertRules) {
    deployVars[deployVariables.criticalTopicArn] = alertRules.topicArns.critical;
    deployVars[deployVariables.infoTopicArn] = alertRules.topicArns.info;
    deployVars[deployVariables.metricsNamespace] = alertRules.namespace;
  }

  // Disaster recovery: backups of the database, alarms on the stack's topics, the drill, the backup platforms' files.
  const recovery =
    settings.disasterRecovery && database && alertRules
      ? new DisasterRecovery(
          `${prefix}-dr`,
          { settings, recovery: settings.disasterRecovery, database, alertRules, branch, stack: pulumi.getStack(), passwordSchedule: { now: programNow, periodDays: passwordPeriods(settings.secrets).backup } },
          githubProviders,
        )
      : undefined;

  // Last: it takes every component's outputs as variables; local-only deploys nowhere and has none.
  const deployEnvironment = hasDeployEnvironment(settings.model)
    ? new DeploymentEnvironment(`${prefix}-deploy-env`, {
        github: settings.github,
        environment: settings.environment,
        branch,
        protection: settings.deployEnvironment,
        variables: deployVars,
      }, githubProviders)
    : undefined;

  // Values other components generate (the database's connection strings), handed to the inventory.
  const generatedSecrets: GeneratedSecrets = {};
  if (database) {
    generatedSecrets["database-app-url"] = database.appUrl;
    generatedSecrets["database-migrator-url"] = database.migratorUrl;
  }
  const inventory =
    settings.secrets.length > 0
      ? new SecretInventory(`${prefix}-secrets`, {
          productSlug: settings.product.slug,
          environment: settings.environment,
          stack: pulumi.getStack(),
          entries: settings.secrets,
          configSecrets: config.secrets,
          generated: generatedSecrets,
          generatedRotations: database
            ? { "database-app-url": database.rotations.app, "database-migrator-url": database.rotations.migrator }
            : undefined,
          repository: settings.github.repository,
          branch,
          vercel: settings.web && webProject
            ? { projectId: webProject.projectId, teamId: settings.web.vercel.teamId, target: vercelTargetOf(settings.environment, branch) }
            : undefined,
          githubEnvironment: deployEnvironment?.environmentName,
        }, githubProviders)
      : undefined;

  // Staging's data: the weekly masked copy of production's newest backup, or synthetic data (nothing to declare).
  if (settings.stagingData?.mode === "anonymized" && database) {
    new StagingRefresh(`${prefix}-staging-refresh`, {
      data: settings.stagingData,
      parameterPrefix: `/flightdeck/${settings.product.slug}/${settings.environment}/staging-refresh/`,
      stagingDatabaseUrl: database.migratorUrl,
    });
  }

  // The rotation register's automated reminders, on the stack's warning and critical topics.
  if (inventory && alertRules) {
    new RotationReminder(`${prefix}-rotation-reminder`, {
      productName: settings.product.name,
      stack: pulumi.getStack(),
      registerPath: inventory.rotation.prefix,
      warningTopicArn: alertRules.topicArns.warning,
      criticalTopicArn: alertRules.topicArns.critical,
      topicKeyArn: alertRules.key.arn,
    });
  }

  // Production of a model with staging reads what staging serves from staging's flag register: staging leads, production follows.
  const flags = settings.featureFlags
    ? new FeatureFlags(`${prefix}-flags`, {
        featureFlags: settings.featureFlags,
        productSlug: settings.product.slug,
        environment: settings.environment,
        defaultTimezone: settings.schedule.timezone,
        apiKey: configSecret(config, POSTHOG_API_KEY),
        at: programNow,
        leadStack: leadStackOf(settings.environment, stacksOfModel[settings.model]),
      })
    : undefined;

  const redeploy = deployWorkflowOf(settings);
  return {
    environment: settings.environment,
    protectedBranch: branch,
    webUrl: settings.web?.url,
    deployEnvironment: deployEnvironment?.environmentName,
    deployVariables: deployEnvironment ? Object.keys(deployVars).sort() : undefined,
    runtimeSettings: webProject ? Object.keys(settings.runtimeSettings).sort() : undefined,
    secrets: inventory ? settings.secrets.map((entry) => entry.name) : undefined,
    rotationRegisterPrefix: inventory?.rotation.prefix,
    auditBucket: auditLog?.bucketName,
    auditRoleArn: auditRole?.roleArn,
    alertTopicArns: alertRules?.topicArns,
    featureFlags: flags?.exported,
    backupBucket: recovery?.backupBucket,
    drillRegister: recovery?.registerParameter,
    stagingData: settings.stagingData?.mode,
    appRedeploy: redeploy && inventory?.runtimeCredentials
      ? {
          owner: settings.github.owner,
          repository: settings.github.repository,
          ...redeploy,
          appId: settings.github.deployIdentity.id,
          installationId: settings.github.deployIdentity.installationId,
          ...(settings.environment === "production" ? { reasonInput: DEPLOY_REASON_INPUT } : {}),
          credentials: inventory.runtimeCredentials,
        }
      : undefined,
  };
}

/** A secret config value the validated settings require (validation has already checked it is set). */
function configSecret(config: StackConfig, key: string): pulumi.Output<string> {
  const value = config.secrets[key];
  if (value === undefined) throw new pulumi.RunError(`flightdeck:${key}: secret is not set (pulumi config set --secret ${key} <value>)`);
  return value;
}
