import { strict as assert } from "node:assert";
import { parse, stringify } from "yaml";
import { UNKNOWN_STRING } from "../../policies/lib/values";
import { BRIDGE_CONFIG_ENV, BridgeConfig } from "../../infra/metrics/contract";
import { bridgeRolePermissions } from "./bridgeFixtures";
import { validStack } from "./fixtures";
import { productFlag } from "./flagFixtures";
import { Fixture, itRejects, judge, mutate, without } from "./judge";
import { packSettings } from "./packConfig";
import { scheduleIntervalSeconds } from "../../policies/lib/bridges";

const production = () => ({ config: packSettings("production") });
const METRICS = /^metrics-/;

/** The valid stack with the bridge's FLIGHTDECK_BRIDGE document changed. */
function withDocument(change: (document: BridgeConfig) => void, stack: Fixture[] = validStack()): Fixture[] {
  return mutate(stack, "metrics-function", (props) => {
    const variables = (props["environment"] as { variables: Record<string, string> }).variables;
    const document = JSON.parse(variables[BRIDGE_CONFIG_ENV]!) as BridgeConfig;
    change(document);
    variables[BRIDGE_CONFIG_ENV] = JSON.stringify(document);
  });
}

/** The valid stack with one more statement in the bridge's RolePolicy. */
function withBridgeStatement(statement: Record<string, unknown>): Fixture[] {
  return mutate(validStack(), "metrics-permissions", (props) => {
    const document = bridgeRolePermissions() as unknown as { Statement: unknown[] };
    document.Statement.push(statement);
    props["policy"] = JSON.stringify(document);
  });
}

/** The valid stack with the production deploy's watch step changed (the program's generated deploy-production.yml). */
function withWatchStep(change: (step: Record<string, unknown>) => void): Fixture[] {
  return mutate(validStack(), "workflow-deploy-production", (props) => {
    const workflow = parse(String(props["content"])) as { jobs: Record<string, { steps?: Record<string, unknown>[] }> };
    const steps = Object.values(workflow.jobs).flatMap((job) => job.steps ?? []);
    const step = steps.find((candidate) => String(candidate["name"]).startsWith("Start the post-deployment watch"));
    if (!step) throw new Error("deploy-production.yml has no watch step");
    change(step);
    props["content"] = stringify(workflow);
  });
}

/** The valid stack with every workflow step that runs put-metric-data changed. */
function withMetricSteps(change: (step: Record<string, unknown>) => void): Fixture[] {
  return structuredClone(validStack()).map((fixture) => {
    if (fixture.type !== "github:index/repositoryFile:RepositoryFile" || !String(fixture.props["content"]).includes("put-metric-data")) return fixture;
    const workflow = parse(String(fixture.props["content"])) as { jobs: Record<string, { steps?: Record<string, unknown>[] }> };
    for (const step of Object.values(workflow.jobs).flatMap((job) => job.steps ?? [])) if (String(step["run"] ?? "").includes("put-metric-data")) change(step);
    return { ...fixture, props: { ...fixture.props, content: stringify(workflow) } };
  });
}

describe("policies: metrics bridge", () => {
  describe("compliant bridges written other valid ways pass", () => {
    it("the bridge as the program declares it", () => {
      assert.deepEqual(judge(validStack(), production()).filter((verdict) => METRICS.test(verdict.policy)), []);
    });

    it("a cron schedule every minute that started in the past, no lag, a heartbeat alarm over 1 × 300 s, a failure alarm on Maximum", () => {
      let stack = mutate(validStack(), "metrics-schedule", (props) => {
        props["scheduleExpression"] = "cron(* * * * ? *)";
      });
      stack = mutate(stack, "metrics-heartbeat", (props) => Object.assign(props, { period: 300, evaluationPeriods: 1, datapointsToAlarm: 1 }));
      stack = mutate(stack, "metrics-schedule", (props) => (props["startDate"] = "2026-01-01T00:00:00Z"));
      stack = withDocument((document) => Object.assign(document, { windowSeconds: 60, lagSeconds: 0 }), stack);
      stack = mutate(stack, "metrics-railway-failing", (props) => Object.assign(props, { statistic: "Maximum", comparisonOperator: "GreaterThanThreshold", threshold: 0.5 }));
      assert.deepEqual(judge(stack, production()).filter((verdict) => METRICS.test(verdict.policy)), []);
    });

    it("a stricter watch (3-minute evaluation, 1.5× page, 4% rollback, smaller floors, a longer window)", () => {
      const stack = withDocument((document) => Object.assign(document.watch!, { evaluationMinutes: 3, pageFactor: 1.5, rollbackErrorRatePercent: 4, minRequests: 50, minErrors: 3, baselineFloorPercent: 0.2, windowMinutes: 90 }));
      assert.deepEqual(judge(stack, production()), []);
    });

    it("the product's PostHog project written with a trailing slash and another case, next to its flags", () => {
      const stack = [...withDocument((document) => (document.posthog.host = "https://US.posthog.com/")), productFlag()];
      assert.deepEqual(judge(stack, production()).filter((verdict) => METRICS.test(verdict.policy)), []);
    });

    it("the watch record written by a step whose if is written out (success() && github.event_name == 'workflow_dispatch')", () => {
      const stack = withWatchStep((step) => (step["if"] = "${{ success() && github.event_name == 'workflow_dispatch' }}"));
      assert.deepEqual(judge(stack, production()).filter((verdict) => METRICS.test(verdict.policy)), []);
    });

    it("alarms that name the unit the bridge publishes in (Percent, Seconds)", () => {
      let stack = mutate(validStack(), "error-rate", (props) => (props["unit"] = "Percent"));
      stack = mutate(stack, "api-latency", (props) => (props["unit"] = "Seconds"));
      assert.deepEqual(judge(stack, production()).filter((verdict) => METRICS.test(verdict.policy)), []);
    });

    it("a first deploy's preview: the function's ARN, the scheduler role's ARN and its policy not known yet", () => {
      let stack = mutate(validStack(), "metrics-schedule", (props) => Object.assign(props["target"] as Record<string, unknown>, { arn: UNKNOWN_STRING, roleArn: UNKNOWN_STRING }));
      stack = mutate(stack, "metrics-scheduler-permissions", (props) => (props["policy"] = UNKNOWN_STRING));
      assert.deepEqual(judge(stack, production()).filter((verdict) => METRICS.test(verdict.policy)), []);
    });

    it("reads the schedule expressions EventBridge Scheduler takes", () => {
      assert.equal(scheduleIntervalSeconds("rate(1 minute)"), 60);
      assert.equal(scheduleIntervalSeconds("rate(5 minutes)"), 300);
      assert.equal(scheduleIntervalSeconds("rate(1 hour)"), 3600);
      assert.equal(scheduleIntervalSeconds("cron(0/5 * * * ? *)"), 300);
      assert.match(String(scheduleIntervalSeconds("cron(0 9 * * ? *)")), /does not run every hour|only/);
      assert.match(String(scheduleIntervalSeconds("at(2026-12-01T10:00:00)")), /neither rate/);
    });
  });

  describe("what a change could do to silence the alarms is blocked", () => {
    it("metrics-alarm-metric-published: the deploy workflows' DeploymentFailed step never runs (if: false), beside the audit policies", () => {
      const verdicts = judge(withMetricSteps((step) => (step["if"] = false)), production()).filter((verdict) => verdict.policy === "metrics-alarm-metric-published");
      assert.equal(verdicts.length, 1, JSON.stringify(verdicts));
      assert.match(verdicts[0]!.message, /alarm deployment-failed watches FlightPro\/production\/DeploymentFailed/);
    });

    describe("the backups and the restore drill publish their own metrics (scheduled CodeBuild jobs)", () => {
      const withJobVariable = (project: string, name: string, value: string) =>
        mutate(validStack(), project, (props) => {
          const variables = (props["environment"] as { environmentVariables: { name: string; value: string }[] }).environmentVariables;
          variables.find((variable) => variable.name === name)!.value = value;
        });
      const published = (stack: Fixture[]) => judge(stack, production()).filter((verdict) => verdict.policy === "metrics-alarm-metric-published");

      it("the backup job publishing into another namespace leaves the backup alarms unfed", () => {
        const verdicts = published(withJobVariable("dr-backup", "METRICS_NAMESPACE", "FlightPro/elsewhere"));
        assert.equal(verdicts.length, 1, JSON.stringify(verdicts));
        assert.match(verdicts[0]!.message, /alarm dr-alarms-backup-age watches FlightPro\/production\/BackupCompleted; alarm dr-alarms-backup-size watches FlightPro\/production\/BackupSizeRatio/);
        assert.doesNotMatch(verdicts[0]!.message, /RestoreDrillSeconds/);
      });

      it("a restore drill no enabled schedule starts publishes nothing", () => {
        const verdicts = published(mutate(validStack(), "dr-drill-schedule", (props) => (props["state"] = "DISABLED")));
        assert.equal(verdicts.length, 1, JSON.stringify(verdicts));
        assert.match(verdicts[0]!.message, /dr-alarms-restore-drill-slow watches FlightPro\/production\/RestoreDrillSeconds$/);
      });

      // What the scripts put is read from their parsed commands (lib/putMetricData.ts): a metric name written
      // anywhere else in a buildspec publishes nothing.
      // The jobs' CodeBuild projects (their roles have the same fixture names).
      const buildspecOf = (stack: Fixture[], name: string) => {
        const project = stack.find((fixture) => fixture.name === name && fixture.type === "aws:codebuild/project:Project");
        if (!project) throw new Error(`no CodeBuild project ${name}`);
        return project.props["source"] as { buildspec: string };
      };
      const drillSilenced = (backupScript: (script: string) => string) => {
        const stack: Fixture[] = structuredClone(validStack());
        const drill = buildspecOf(stack, "dr-drill");
        drill.buildspec = drill.buildspec.split("put-metric-data").join("list-metrics");
        const backup = buildspecOf(stack, "dr-backup");
        assert.ok(backup.buildspec.includes("aws s3 cp"));
        backup.buildspec = backupScript(backup.buildspec);
        return stack;
      };
      for (const [title, rewrite] of [
        ["echoes the drill's metric as a MetricName entry", (script: string) => script.replace("aws s3 cp", `echo '[{"MetricName": "RestoreDrillSeconds"}]'; aws s3 cp`)],
        ["names it in a comment", (script: string) => script.replace("aws s3 cp", `# MetricName: "RestoreDrillSeconds"\n        aws s3 cp`)],
        ["puts it only into a variable no put-metric-data passes", (script: string) => script.replace("aws s3 cp", `unused='[{"MetricName": "RestoreDrillSeconds"}]'; aws s3 cp`)],
      ] as const) {
        it(`the drill publishes nothing while the backup job ${title}: the drill's alarm is unfed`, () => {
          const verdicts = published(drillSilenced(rewrite));
          assert.equal(verdicts.length, 1, JSON.stringify(verdicts));
          assert.match(verdicts[0]!.message, /dr-alarms-restore-drill-slow watches FlightPro\/production\/RestoreDrillSeconds$/);
        });
      }

      for (const [title, rewrite] of [
        ["puts them into another namespace than the one its project names", (command: string) => command.replace('--namespace "$METRICS_NAMESPACE"', "--namespace FlightPro/elsewhere")],
        ["only prints the command's parameter skeleton", (command: string) => `${command} --generate-cli-skeleton`],
        ["sends them to another endpoint", (command: string) => `${command} --endpoint-url https://metrics.example.invalid`],
      ] as const) {
        it(`a backup job whose put-metric-data ${title} leaves the backup alarms unfed`, () => {
          const stack: Fixture[] = structuredClone(validStack());
          const backup = buildspecOf(stack, "dr-backup");
          const command = 'aws cloudwatch put-metric-data --namespace "$METRICS_NAMESPACE" --metric-data "$metrics"';
          assert.ok(backup.buildspec.includes(command));
          backup.buildspec = backup.buildspec.replace(command, rewrite(command));
          const verdicts = published(stack);
          assert.equal(verdicts.length, 1, JSON.stringify(verdicts));
          assert.match(verdicts[0]!.message, /alarm dr-alarms-backup-age watches FlightPro\/production\/BackupCompleted; alarm dr-alarms-backup-size watches FlightPro\/production\/BackupSizeRatio/);
        });
      }

      it("a backup job that only mentions the metric in an echo, not a put-metric-data, does not count", () => {
        const stack = mutate(validStack(), "dr-backup", (props) => {
          const source = props["source"] as { buildspec: string };
          source.buildspec = source.buildspec.split("put-metric-data").join("list-metrics");
        });
        assert.equal(published(stack).length, 1);
      });
    });

    itRejects([
      {
        title: "the bridge is removed (schedule, function and all)",
        stack: () => without(validStack(), "metrics-function", "metrics-schedule", "metrics-heartbeat", "metrics-posthog-failing", "metrics-railway-failing"),
        policy: "metrics-alarm-metric-published",
        message: /nothing in this stack publishes what these alarms watch: alarm error-rate watches FlightPro\/production\/ErrorRate; alarm api-latency watches FlightPro\/production\/ApiLatency/,
        options: production(),
        alsoBy: ["metrics-watch-thresholds-within-spec"],
      },
      {
        title: "the schedule is disabled",
        stack: () => mutate(validStack(), "metrics-schedule", (props) => (props["state"] = "DISABLED")),
        policy: "metrics-alarm-metric-published",
        message: /no enabled EventBridge Scheduler schedule of this stack invokes flightpro-production-metrics-bridge/,
        options: production(),
        alsoBy: ["metrics-bridge-schedule-within-alarm-period"],
      },
      {
        title: "the function is throttled to zero",
        stack: () => mutate(validStack(), "metrics-function", (props) => (props["reservedConcurrentExecutions"] = 0)),
        policy: "metrics-alarm-metric-published",
        message: /reservedConcurrentExecutions 0: it never runs/,
        options: production(),
      },
      {
        title: "the function's AWS calls are sent elsewhere",
        stack: () => mutate(validStack(), "metrics-function", (props) => ((props["environment"] as { variables: Record<string, string> }).variables["AWS_ENDPOINT_URL_CLOUDWATCH"] = "https://example.invalid")),
        policy: "metrics-alarm-metric-published",
        message: /sets AWS_ENDPOINT_URL_CLOUDWATCH/,
        options: production(),
      },
      {
        title: "the bridge reads another PostHog project than the product's (where its flags are)",
        stack: () => [...withDocument((document) => (document.posthog.projectId = 1)), productFlag()],
        policy: "metrics-alarm-metric-published",
        message: /reads PostHog project 1 at https:\/\/us\.posthog\.com, not the product's project 41028 at https:\/\/us\.posthog\.com/,
        options: production(),
        alsoBy: ["isolation-stack-resources-own"],
      },
      {
        title: "the deploy workflows only mention put-metric-data in a comment",
        stack: () => withMetricSteps((step) => (step["run"] = `# aws cloudwatch put-metric-data --metric-name DeploymentFailed\n${String(step["run"]).replaceAll("put-metric-data", "list-metrics")}`)),
        policy: "metrics-alarm-metric-published",
        message: /alarm deployment-failed watches FlightPro\/production\/DeploymentFailed/,
        options: production(),
      },
      {
        title: "the schedule's role may invoke another function only",
        stack: () => mutate(validStack(), "metrics-scheduler-permissions", (props) => (props["policy"] = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "lambda:InvokeFunction", Resource: "arn:aws:lambda:us-east-1:123456789012:function:something-else" }] }))),
        policy: "metrics-alarm-metric-published",
        message: /no schedule of flightpro-production-metrics-bridge runs as a role of this stack allowed lambda:InvokeFunction on it/,
        options: production(),
      },
      {
        title: "the function preloads other code (NODE_OPTIONS)",
        stack: () => mutate(validStack(), "metrics-function", (props) => ((props["environment"] as { variables: Record<string, string> }).variables["NODE_OPTIONS"] = "--require ./noop.js")),
        policy: "metrics-alarm-metric-published",
        message: /sets NODE_OPTIONS: other code runs before or instead of the bridge/,
        options: production(),
      },
      {
        title: "the function runs a wrapper script instead of the runtime's start-up",
        stack: () => mutate(validStack(), "metrics-function", (props) => ((props["environment"] as { variables: Record<string, string> }).variables["AWS_LAMBDA_EXEC_WRAPPER"] = "/opt/skip")),
        policy: "metrics-alarm-metric-published",
        message: /sets AWS_LAMBDA_EXEC_WRAPPER/,
        options: production(),
      },
      {
        title: "the function runs another export of the bundle",
        stack: () => mutate(validStack(), "metrics-function", (props) => (props["handler"] = "index.noop")),
        policy: "metrics-alarm-metric-published",
        message: /runs index\.noop, not the bridge's index\.handler/,
        options: production(),
      },
      {
        title: "the schedule starts only in 2030",
        stack: () => mutate(validStack(), "metrics-schedule", (props) => (props["startDate"] = "2030-01-01T00:00:00Z")),
        policy: "metrics-alarm-metric-published",
        message: /no enabled EventBridge Scheduler schedule of this stack invokes/,
        options: production(),
        alsoBy: ["metrics-bridge-schedule-within-alarm-period"],
      },
      {
        title: "the bridge's document no longer lists a metric",
        stack: () => withDocument((document) => (document.metrics = document.metrics.filter((metric) => metric.metricName !== "DiskUsedPercent"))),
        policy: "metrics-alarm-metric-published",
        message: /alarm disk-used watches FlightPro\/production\/DiskUsedPercent/,
        options: production(),
      },
      {
        title: "the error-rate alarm reads ErrorRate in Count, which the bridge sends in Percent",
        stack: () => mutate(validStack(), "error-rate", (props) => (props["unit"] = "Count")),
        policy: "metrics-alarm-metric-published",
        message: /alarm error-rate watches FlightPro\/production\/ErrorRate in Count/,
        options: production(),
        alsoBy: ["alerts-alarm-thresholds-within-spec"],
      },
      {
        title: "the bridge publishes into another namespace",
        stack: () => withDocument((document) => (document.namespace = "FlightPro/Elsewhere")),
        policy: "metrics-alarm-metric-published",
        message: /nothing in this stack publishes/,
        options: production(),
        alsoBy: ["metrics-bridge-failure-alarmed", "metrics-bridge-role-least-privilege"],
      },
      {
        title: "errors are defined so that none is ever counted",
        stack: () => withDocument((document) => (document.posthog.errors.where = " ( 1 = 0 ) ")),
        policy: "metrics-alarm-metric-published",
        message: /counts no errors .* always 0/,
        options: production(),
      },
      {
        title: "requests are defined so that none is ever counted (0 requests: no ErrorRate datum at all)",
        stack: () => withDocument((document) => (document.posthog.requests.where = "NOT (true)")),
        policy: "metrics-alarm-metric-published",
        message: /counts no requests .* never publishes an ErrorRate/,
        options: production(),
      },
      {
        title: "the schedule runs every 5 minutes (alarms evaluate 60 s periods)",
        stack: () => mutate(validStack(), "metrics-schedule", (props) => (props["scheduleExpression"] = "rate(5 minutes)")),
        policy: "metrics-bridge-schedule-within-alarm-period",
        message: /runs at most every 300 s; alarm .* evaluates 60 s periods/,
        options: production(),
      },
      {
        title: "the schedule may start runs up to 15 minutes late (a flexible window)",
        stack: () => mutate(validStack(), "metrics-schedule", (props) => (props["flexibleTimeWindow"] = { mode: "FLEXIBLE", maximumWindowInMinutes: 15 })),
        policy: "metrics-bridge-schedule-within-alarm-period",
        message: /runs at most every 960 s/,
        options: production(),
      },
      {
        title: "each datum averages the last hour (a 5-minute spike reads as a blip)",
        stack: () => withDocument((document) => (document.windowSeconds = 3600)),
        policy: "metrics-bridge-schedule-within-alarm-period",
        message: /measures 3600 s per datum; alarm .* evaluates 60 s periods, so a spike is averaged away/,
        options: production(),
      },
      {
        title: "each datum is 10 minutes late",
        stack: () => withDocument((document) => (document.lagSeconds = 600)),
        policy: "metrics-bridge-schedule-within-alarm-period",
        message: /measures 600 s behind the present; alarm .* evaluates 60 s periods/,
        options: production(),
      },
      {
        title: "runs may last longer than the interval",
        stack: () => mutate(validStack(), "metrics-function", (props) => (props["timeout"] = 120)),
        policy: "metrics-bridge-schedule-within-alarm-period",
        message: /may run 120 s, as long as its 60 s interval/,
        options: production(),
      },
      {
        title: "a missing heartbeat reads as healthy",
        stack: () => mutate(validStack(), "metrics-heartbeat", (props) => (props["treatMissingData"] = "notBreaching")),
        policy: "metrics-bridge-failure-alarmed",
        message: /no alarm fires within 300 s of a missing BridgeHeartbeat/,
        options: production(),
      },
      {
        title: "the heartbeat alarm waits 15 minutes",
        stack: () => mutate(validStack(), "metrics-heartbeat", (props) => Object.assign(props, { evaluationPeriods: 15, datapointsToAlarm: 15 })),
        policy: "metrics-bridge-failure-alarmed",
        message: /no alarm fires within 300 s/,
        options: production(),
      },
      {
        title: "a source may fail 10 runs before anyone hears",
        stack: () => mutate(validStack(), "metrics-posthog-failing", (props) => Object.assign(props, { evaluationPeriods: 10, datapointsToAlarm: 10 })),
        policy: "metrics-bridge-failure-alarmed",
        message: /no alarm fires after 3 failed runs reading posthog/,
        options: production(),
      },
      {
        title: "the failure alarm's actions are disabled",
        stack: () => mutate(validStack(), "metrics-railway-failing", (props) => (props["actionsEnabled"] = false)),
        policy: "metrics-bridge-failure-alarmed",
        message: /reading railway/,
        options: production(),
        alsoBy: ["alerts-alarm-actions-enabled"],
      },
      {
        title: "the watch pages only at 3× the baseline",
        stack: () => withDocument((document) => (document.watch!.pageFactor = 3)),
        policy: "metrics-watch-thresholds-within-spec",
        message: /watch pageFactor is 3; the spec needs at most 2/,
        options: production(),
      },
      {
        title: "the watch rolls back only above 10%",
        stack: () => withDocument((document) => (document.watch!.rollbackErrorRatePercent = 10)),
        policy: "metrics-watch-thresholds-within-spec",
        message: /rollbackErrorRatePercent is 10/,
        options: production(),
      },
      {
        title: "the watch lasts 20 minutes",
        stack: () => withDocument((document) => (document.watch!.windowMinutes = 20)),
        policy: "metrics-watch-thresholds-within-spec",
        message: /windowMinutes is 20; the spec needs at least 60/,
        options: production(),
      },
      {
        title: "an evidence floor no deploy can reach",
        stack: () => withDocument((document) => (document.watch!.minRequests = 1_000_000)),
        policy: "metrics-watch-thresholds-within-spec",
        message: /minRequests is 1000000; the spec needs at most 100/,
        options: production(),
      },
      {
        title: "production without the watch",
        stack: () => withDocument((document) => delete document.watch),
        policy: "metrics-watch-thresholds-within-spec",
        message: /no metrics bridge of this stack watches production deploys/,
        options: production(),
        // Its role still reads the watch record the document no longer names.
        alsoBy: ["metrics-bridge-role-least-privilege"],
      },
      {
        title: "the watch dispatches a workflow that is not a rollback",
        stack: () => withDocument((document) => (document.watch!.github.workflow = "verify.yml")),
        policy: "metrics-watch-thresholds-within-spec",
        message: /dispatches verify\.yml, which is not a rollback workflow/,
        options: production(),
      },
      {
        title: "no deploy role may write the watch record",
        stack: () => without(validStack(), "deploy-audit-watch"),
        policy: "metrics-watch-thresholds-within-spec",
        message: /no deploy role of this stack may write the watch record/,
        options: production(),
        alsoBy: ["metrics-alarm-metric-published"],
      },
      {
        title: "the watch record's step never runs (if: false)",
        stack: () => withWatchStep((step) => (step["if"] = false)),
        policy: "metrics-watch-thresholds-within-spec",
        message: /no workflow step of this stack writes the watch record .*: .*deploy-production\.yml .*its if \(false\) does not hold when the deploy succeeds/,
        options: production(),
      },
      {
        title: "the watch record's step runs only when the deploy failed",
        stack: () => withWatchStep((step) => (step["if"] = "${{ failure() }}")),
        policy: "metrics-watch-thresholds-within-spec",
        message: /its if \(\$\{\{ failure\(\) \}\}\) does not hold when the deploy succeeds/,
        options: production(),
      },
      {
        title: "the watch record's write may fail unnoticed (continue-on-error)",
        stack: () => withWatchStep((step) => (step["continue-on-error"] = true)),
        policy: "metrics-watch-thresholds-within-spec",
        message: /it may continue on error/,
        options: production(),
      },
      {
        title: "the watch record's write is commented out (the parameter still named in a comment)",
        stack: () => withWatchStep((step) => (step["run"] = String(step["run"]).replace("aws ssm put-parameter", "# aws ssm put-parameter"))),
        policy: "metrics-watch-thresholds-within-spec",
        message: /no workflow step of this stack writes the watch record \/flightdeck\/flightpro\/production\/deploy-watch after every successful deploy \(aws ssm put-parameter\)$/,
        options: production(),
      },
      {
        title: "the bridge may read every parameter of the account",
        stack: () => withBridgeStatement({ Sid: "More", Effect: "Allow", Action: "ssm:GetParameters", Resource: "arn:aws:ssm:us-east-1:123456789012:parameter/*" }),
        policy: "metrics-bridge-role-least-privilege",
        message: /reads parameters other than its own/,
        options: production(),
        alsoBy: ["isolation-stack-resources-own"],
      },
      {
        title: "the bridge may publish to any namespace",
        stack: () => withBridgeStatement({ Sid: "More", Effect: "Allow", Action: "cloudwatch:PutMetricData", Resource: "*" }),
        policy: "metrics-bridge-role-least-privilege",
        message: /cloudwatch:PutMetricData without StringEquals cloudwatch:namespace/,
        options: production(),
      },
      {
        title: "the bridge may decrypt with any key, not through SSM",
        stack: () => withBridgeStatement({ Sid: "More", Effect: "Allow", Action: "kms:Decrypt", Resource: "*" }),
        policy: "metrics-bridge-role-least-privilege",
        message: /uses KMS keys by wildcard \(\*\).*without a kms:ViaService condition/,
        options: production(),
        alsoBy: ["iam-role-permissions-least-privilege"],
      },
      {
        title: "the bridge may read the audit log",
        stack: () => withBridgeStatement({ Sid: "More", Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::flightpro-deploy-audit-production/deployments/*" }),
        policy: "metrics-bridge-role-least-privilege",
        message: /grants s3:GetObject/,
        options: production(),
      },
      {
        title: "a secret stored as a plain String",
        stack: () => mutate(validStack(), "metrics-secret-1", (props) => (props["type"] = "String")),
        policy: "metrics-bridge-secrets-protected",
        message: /not a SecureString/,
        options: production(),
        // The same value is a Pulumi secret elsewhere in the stack: the copy check sees it shown in plain too.
        alsoBy: ["secrets-value-not-in-plain-input"],
      },
      {
        title: "a secret under the AWS managed key",
        stack: () => mutate(validStack(), "metrics-secret-0", (props, fixture) => {
          props["keyId"] = "alias/aws/ssm";
          fixture.propertyDependencies = {};
          fixture.dependsOn = [];
        }),
        policy: "metrics-bridge-secrets-protected",
        message: /not a customer managed key of this stack/,
        options: production(),
      },
      {
        title: "another role may read the bridge's secrets",
        stack: () => [
          ...validStack(),
          {
            type: "aws:iam/rolePolicy:RolePolicy",
            name: "chatbot-reads-secrets",
            props: { role: "flightpro-production-alerts-chatbot", name: "read", policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "ssm:GetParameter", Resource: "arn:aws:ssm:us-east-1:123456789012:parameter/flightdeck/flightpro/production/*" }] }) },
            dependsOn: ["alerts-chatbot"],
          },
        ],
        policy: "metrics-bridge-secrets-protected",
        message: /role flightpro-production-alerts-chatbot may read the bridge's secret parameters/,
        options: production(),
      },
    ]);
  });
});
