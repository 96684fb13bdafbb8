import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { recoveryMetrics } from "./contract";
import { DisasterRecoverySettings } from "./settings";

/**
 * The alarms that measure the RPO and rehearse the RTO, as plain specs. CloudWatch limits an alarm's
 * evaluation range to a day ("An alarm's total current evaluation period can be no longer than one
 * day, so this number multiplied by Period cannot be more than 86,400 seconds", PutMetricAlarm,
 * EvaluationPeriods), so a weekly drill that never runs cannot be an alarm: the policy pack judges
 * the drill register instead (recovery-restore-drill-recent).
 */
export interface RecoveryAlarmSpec {
  id: string;
  severity: "critical" | "warning";
  namespace: string;
  metricName: string;
  dimensions?: Record<string, pulumi.Input<string>>;
  statistic: "Sum" | "Minimum" | "Maximum";
  period: number;
  evaluationPeriods: number;
  comparisonOperator: "LessThanThreshold" | "GreaterThanThreshold" | "GreaterThanOrEqualToThreshold";
  threshold: number;
  treatMissingData: "breaching" | "notBreaching";
  description: string;
}

/** CodeBuild's own metrics: FailedBuilds "Measures the number of builds that failed because of client error or a timeout", per ProjectName (CodeBuild user guide, CloudWatch metrics and dimensions). */
export const CODEBUILD_NAMESPACE = "AWS/CodeBuild";

export interface RecoveryAlarmInput {
  recovery: DisasterRecoverySettings;
  namespace: string;
  backupProject: pulumi.Input<string>;
  drillProject: pulumi.Input<string>;
  budgetSeconds: number;
}

export function recoveryAlarmSpecs(input: RecoveryAlarmInput): RecoveryAlarmSpec[] {
  const { recovery, namespace } = input;
  const windowMinutes = recovery.rpoMinutes + recovery.backups.alarmMarginMinutes;
  return [
    {
      id: "backup-age",
      severity: "critical",
      namespace,
      metricName: recoveryMetrics.backupCompleted,
      statistic: "Sum",
      // One-minute periods, all of them without a completed backup: the newest backup is older than the window.
      period: 60,
      evaluationPeriods: windowMinutes,
      comparisonOperator: "LessThanThreshold",
      threshold: 1,
      // No datum is no backup: a dropped schedule, a failed job and a missing publisher all alarm.
      treatMissingData: "breaching",
      description:
        `[critical] No database backup completed in the last ${windowMinutes} min (RPO ${recovery.rpoMinutes} min + ${recovery.backups.alarmMarginMinutes} min margin). ` +
        "Action: start the backup project by hand (runbook: docs/runbooks/disaster-recovery.md), then find why the scheduled ones stopped.",
    },
    {
      id: "backup-size",
      severity: "critical",
      namespace,
      metricName: recoveryMetrics.backupSizeRatio,
      statistic: "Minimum",
      period: 60,
      evaluationPeriods: 1,
      comparisonOperator: "LessThanThreshold",
      threshold: recovery.backups.minSizeRatio,
      treatMissingData: "notBreaching",
      description:
        `[critical] A database backup is smaller than ${recovery.backups.minSizeRatio} of the one before. ` +
        "Action: check the database for lost data before the good backups expire; keep the last full-size backup.",
    },
    {
      id: "backup-failed",
      severity: "warning",
      namespace: CODEBUILD_NAMESPACE,
      metricName: "FailedBuilds",
      dimensions: { ProjectName: input.backupProject },
      statistic: "Sum",
      period: 300,
      evaluationPeriods: 1,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      threshold: 1,
      treatMissingData: "notBreaching",
      description: "[warning] A backup job failed or timed out. Action: read its CodeBuild log; the backup-age alarm pages if the next ones fail too.",
    },
    {
      id: "restore-drill-failed",
      severity: "warning",
      namespace: CODEBUILD_NAMESPACE,
      metricName: "FailedBuilds",
      dimensions: { ProjectName: input.drillProject },
      statistic: "Sum",
      period: 300,
      evaluationPeriods: 1,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      threshold: 1,
      treatMissingData: "notBreaching",
      description: "[warning] The weekly restore drill failed: the newest backup could not be restored and checked. Action: read the drill register and its CodeBuild log; fix and rerun it.",
    },
    {
      id: "restore-drill-slow",
      severity: "warning",
      namespace,
      metricName: recoveryMetrics.drillSeconds,
      statistic: "Maximum",
      period: 300,
      evaluationPeriods: 1,
      comparisonOperator: "GreaterThanThreshold",
      threshold: input.budgetSeconds,
      treatMissingData: "notBreaching",
      description:
        `[warning] The restore drill took longer than ${input.budgetSeconds} s, its ${recovery.drill.rtoShare} share of the ${recovery.rtoMinutes}-minute RTO. ` +
        "Action: the database restore would not fit the RTO; make the restore faster or revisit the plan.",
    },
  ];
}

export interface RecoveryAlarmsArgs extends RecoveryAlarmInput {
  topicArns: { critical: pulumi.Input<string>; warning: pulumi.Input<string> };
}

/** One CloudWatch alarm per spec, notifying the topic of its severity when it fires and when it recovers. */
export class RecoveryAlarms extends pulumi.ComponentResource {
  readonly alarms: aws.cloudwatch.MetricAlarm[];

  constructor(name: string, args: RecoveryAlarmsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("flightdeck:dr:RecoveryAlarms", name, {}, opts);
    this.alarms = recoveryAlarmSpecs(args).map((spec) => {
      const topic = args.topicArns[spec.severity];
      return new aws.cloudwatch.MetricAlarm(
        `${name}-${spec.id}`,
        {
          name: `${name}-${spec.id}`,
          alarmDescription: spec.description,
          namespace: spec.namespace,
          metricName: spec.metricName,
          dimensions: spec.dimensions,
          statistic: spec.statistic,
          period: spec.period,
          evaluationPeriods: spec.evaluationPeriods,
          datapointsToAlarm: spec.evaluationPeriods,
          comparisonOperator: spec.comparisonOperator,
          threshold: spec.threshold,
          treatMissingData: spec.treatMissingData,
          alarmActions: [topic],
          okActions: [topic],
          tags: { severity: spec.severity, rule: spec.id },
        },
        { parent: this },
      );
    });
    this.registerOutputs({ alarmNames: this.alarms.map((alarm) => alarm.name) });
  }
}
