import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { toJson } from "../aws/policyDocument";
import { BUILD_IMAGE } from "./buildImage";
import { serviceTrustPolicy } from "./documents";

/**
 * What the program's scheduled jobs (the backup and the restore drill, the staging refresh, the
 * rotation reminder) have in common: each is a CodeBuild project with its own log group and service
 * role, started by an EventBridge Scheduler schedule under a role of its own. The jobs differ in
 * their scripts, variables and permissions; the scaffolding is written once, here.
 */
export class ScheduledBuilds {
  /** The log group every project of `name` writes to (`/flightdeck/<name>`), kept 90 days. */
  readonly logGroupName: string;
  private readonly child: pulumi.CustomResourceOptions;

  constructor(
    private readonly name: string,
    parent: pulumi.Resource,
    private readonly accountId: pulumi.Output<string>,
  ) {
    this.child = { parent };
    this.logGroupName = `/flightdeck/${name}`;
    new aws.cloudwatch.LogGroup(`${name}-logs`, { name: this.logGroupName, retentionInDays: 90 }, this.child);
  }

  /** A role `<name>-<suffix>` that only `service` (codebuild.amazonaws.com, scheduler.amazonaws.com) of this account may assume. */
  role(suffix: string, service: string, description: string): aws.iam.Role {
    const name = `${this.name}-${suffix}`;
    return new aws.iam.Role(name, { name, description, maxSessionDuration: 3600, assumeRolePolicy: this.accountId.apply((id) => toJson(serviceTrustPolicy(service, id))) }, this.child);
  }

  /** A project on the shared build image, one build at a time, logging to the log group. */
  project(resourceName: string, args: ScheduledProjectArgs, opts: pulumi.CustomResourceOptions = {}): aws.codebuild.Project {
    const { variables, ...rest } = args;
    return new aws.codebuild.Project(
      resourceName,
      {
        artifacts: { type: "NO_ARTIFACTS" },
        logsConfig: { cloudwatchLogs: { groupName: this.logGroupName, status: "ENABLED" } },
        concurrentBuildLimit: 1,
        queuedTimeout: 60,
        environment: { computeType: "BUILD_GENERAL1_SMALL", image: BUILD_IMAGE, type: "LINUX_CONTAINER", imagePullCredentialsType: "CODEBUILD", environmentVariables: variables },
        ...rest,
      },
      { ...this.child, ...opts },
    );
  }

  /** A schedule that starts `project` as `role`, retried for at most `maximumEventAgeInSeconds` (default an hour). */
  schedule(resourceName: string, args: ScheduleArgs): aws.scheduler.Schedule {
    const { project, role, maximumEventAgeInSeconds = 3600, ...rest } = args;
    return new aws.scheduler.Schedule(
      resourceName,
      {
        ...rest,
        flexibleTimeWindow: { mode: "OFF" },
        state: "ENABLED",
        target: { arn: project.arn, roleArn: role.arn, retryPolicy: { maximumEventAgeInSeconds, maximumRetryAttempts: 10 } },
      },
      this.child,
    );
  }
}

type EnvironmentVariable = aws.types.input.codebuild.ProjectEnvironmentEnvironmentVariable;
type ScheduledProjectArgs = Pick<aws.codebuild.ProjectArgs, "name" | "description" | "serviceRole" | "buildTimeout" | "source" | "vpcConfig"> & { variables: EnvironmentVariable[] };
type ScheduleArgs = Pick<aws.scheduler.ScheduleArgs, "name" | "description" | "scheduleExpression" | "scheduleExpressionTimezone"> & {
  project: aws.codebuild.Project;
  role: aws.iam.Role;
  maximumEventAgeInSeconds?: number;
};

/** Plain-text build variables, in the order given. */
export function plainVariables(entries: Record<string, pulumi.Input<string>>): EnvironmentVariable[] {
  return Object.entries(entries).map(([name, value]) => ({ name, type: "PLAINTEXT", value }));
}
