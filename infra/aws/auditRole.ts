import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { GithubSettings, EnvironmentName } from "../config/schema";
import { GITHUB_OIDC_AUDIENCE, GITHUB_OIDC_URL, deployRolePermissions, deployRoleTrustPolicy, deploySubject } from "./auditPolicies";
import { toJson } from "./policyDocument";
import { ssmParameterArn } from "../metrics/bridgePolicies";

export interface DeployAuditRoleArgs {
  github: GithubSettings;
  environment: EnvironmentName;
  /** An existing GitHub OIDC provider in the account; when absent this component creates one. */
  githubOidcProviderArn?: string;
  bucketName: string;
  prefix: string;
  auditKeyArn: pulumi.Input<string>;
  /** Topics the deploy jobs announce to (info: deployed; critical: deployment failed). */
  topicArns: pulumi.Input<string>[];
  topicKeyArn: pulumi.Input<string>;
  /** The CloudWatch namespace of the stack's alert metrics (the role may publish DeploymentFailed there only). */
  metricsNamespace: string;
  /** The SSM parameter the production deploy writes the post-deployment watch's record to (infra/metrics). */
  watchRecordParameter?: string;
}

/**
 * The role the deploy jobs assume through GitHub's OIDC tokens, and nothing else can: trust is
 * pinned to `repo:<owner>/<repo>:environment:<environment>` (or, with `flightdeck:github.oidcSubjectIds`,
 * the immutable `repo:<owner>@<id>/<repo>@<id>:environment:<environment>`) and the STS audience. It may only
 * write audit records under the prefix, announce deployments on the alert topics and publish
 * metrics to the stack's namespace (DeploymentFailed).
 */
export class DeployAuditRole extends pulumi.ComponentResource {
  readonly role: aws.iam.Role;
  readonly roleArn: pulumi.Output<string>;
  readonly providerArn: pulumi.Output<string>;
  /** The AWS region the deploy jobs use (AWS_REGION). */
  readonly region: pulumi.Output<string>;

  constructor(name: string, args: DeployAuditRoleArgs, opts?: pulumi.ComponentResourceOptions) {
    super("flightdeck:aws:DeployAuditRole", name, {}, opts);
    const region = aws.getRegionOutput({}, { parent: this }).region;
    this.region = region;
    const watchRecordParameter = args.watchRecordParameter;
    const watchRecordArn =
      watchRecordParameter === undefined
        ? pulumi.output<string | undefined>(undefined)
        : pulumi.all([region, aws.getCallerIdentityOutput({}, { parent: this }).accountId]).apply(([regionName, account]) => ssmParameterArn(regionName, account, watchRecordParameter));

    this.providerArn =
      args.githubOidcProviderArn !== undefined
        ? pulumi.output(args.githubOidcProviderArn)
        : new aws.iam.OpenIdConnectProvider(
            `${name}-github-oidc`,
            { url: GITHUB_OIDC_URL, clientIdLists: [GITHUB_OIDC_AUDIENCE] },
            { parent: this },
          ).arn;

    const subject = deploySubject(args.github.owner, args.github.repository, args.environment, args.github.oidcSubjectIds);
    this.role = new aws.iam.Role(
      `${name}-role`,
      {
        name,
        description: `Assumed only by ${subject} to write deployment audit records`,
        maxSessionDuration: 3600,
        assumeRolePolicy: this.providerArn.apply((arn) => toJson(deployRoleTrustPolicy(arn, subject))),
      },
      { parent: this },
    );
    new aws.iam.RolePolicy(
      `${name}-permissions`,
      {
        role: this.role.name,
        name: "write-audit-records",
        policy: pulumi
          .all([pulumi.output(args.auditKeyArn), pulumi.all(args.topicArns), pulumi.output(args.topicKeyArn), region, watchRecordArn])
          .apply(([auditKeyArn, topicArns, topicKeyArn, regionName, watchRecordParameterArn]) =>
            toJson(
              deployRolePermissions({
                bucketName: args.bucketName,
                prefix: args.prefix,
                auditKeyArn,
                topicArns,
                topicKeyArn,
                region: regionName,
                metricsNamespace: args.metricsNamespace,
                watchRecordParameterArn,
              }),
            ),
          ),
      },
      { parent: this },
    );

    this.roleArn = this.role.arn;
    this.registerOutputs({ roleArn: this.roleArn, providerArn: this.providerArn });
  }
}
