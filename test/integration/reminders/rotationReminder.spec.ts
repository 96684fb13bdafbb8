import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import { rotationReminder } from "../../../infra/secrets/reminderContract";
import { StackRun, inputAt, runSampleStack } from "../../harness";
import { AwsStandIn, buildOf, createAwsStandIn } from "../backup/standIn";

/**
 * The production plan's rotation reminder, run as CodeBuild runs it (its buildspec's build command
 * under bash, with the project's environment), against the AWS CLI stand-in (SSM
 * GetParametersByPath, SNS Publish: test/integration/backup/aws-stand-in.cjs), with the register
 * the plan declares. The warning topic's messages must be AWS Chatbot custom notifications, which
 * Chatbot posts to Slack: "version" must be 1.0, "source" must be custom, textType only
 * client-markdown (https://docs.aws.amazon.com/chatbot/latest/adminguide/custom-notifs.html, Event
 * schema, Parameter details).
 */

const PROJECT = "aws:codebuild/project:Project";
const PARAMETER = "aws:ssm/parameter:Parameter";

/** A Chatbot custom notification as the documented event schema defines it (required fields and their values). */
function assertChatbotNotification(message: string): { title: string; description: string } {
  const event = JSON.parse(message) as Record<string, unknown>;
  assert.equal(event["version"], "1.0");
  assert.equal(event["source"], "custom");
  const content = event["content"] as Record<string, unknown>;
  assert.equal(content["textType"], "client-markdown");
  assert.equal(typeof content["description"], "string");
  const known = new Set(["version", "source", "id", "content", "metadata"]);
  for (const key of Object.keys(event)) assert.ok(known.has(key), `unknown field ${key}`);
  return { title: String(content["title"]), description: String(content["description"]) };
}

describe("rotation reminder (the production plan's job, run as CodeBuild runs it)", function () {
  this.timeout(60_000);
  let production: StackRun;
  let aws: AwsStandIn;
  let register: Record<string, string>;
  const job = () => production.one(PROJECT, "-rotation-reminder-job");

  const runJob = (today: string, extra: Record<string, string> = {}): Promise<{ status: number; out: string }> => {
    const { command, env } = buildOf(job());
    return new Promise((resolve) => {
      execFile(
        "bash",
        ["--norc", "--noprofile", "-c", command],
        { env: { PATH: `${aws.binDir}:${process.env["PATH"] ?? ""}`, AWS_STAND_IN_DIR: aws.stateDir, ...env, REMINDER_TODAY: today, ...extra }, encoding: "utf8", timeout: 30_000 },
        (error, stdout, stderr) => resolve({ status: error ? Number(error.code ?? 1) : 0, out: stdout + stderr }),
      );
    });
  };
  const topics = () => ({ warning: env(rotationReminder.env.warningTopic), critical: env(rotationReminder.env.criticalTopic) });
  const env = (name: string) => buildOf(job()).env[name]!;

  before(async () => {
    production = await runSampleStack("production");
    // The register as the stack writes it: every parameter under the reminder's path.
    register = Object.fromEntries(
      production.ofType(PARAMETER)
        .filter((parameter) => String(inputAt(parameter, "name")).startsWith(env(rotationReminder.env.registerPath)))
        .map((parameter) => [String(inputAt(parameter, "name")), String(inputAt(parameter, "insecureValue"))]),
    );
  });
  beforeEach(() => {
    aws = createAwsStandIn();
    aws.putParameters(register);
  });
  afterEach(() => aws.remove());

  it("reads the register the stack writes, every day, warning 14 days ahead", () => {
    assert.equal(Object.keys(register).length, 7);
    assert.equal(env(rotationReminder.env.warnDays), "14");
    const schedule = production.ofType("aws:scheduler/schedule:Schedule").find((s) => String(inputAt(s, "name")).endsWith("-rotation-reminder-job"));
    assert.equal(inputAt(schedule!, "scheduleExpression"), "cron(0 14 * * ? *)");
    assert.equal(inputAt(schedule!, "state"), "ENABLED");
  });

  it("warns #alerts 14 days before a secret is due, and on the day; silent in between", async () => {
    // CLERK_SECRET_KEY and STRIPE_SECRET_KEY: last rotated 2026-10-05, every 90 days: due 2027-01-03.
    const warned = await runJob("2026-12-20");
    assert.equal(warned.status, 0, warned.out);
    const messages = aws.published();
    assert.deepEqual(messages.map((m) => m.TopicArn), [topics().warning, topics().warning]);
    const [clerk] = messages.map((m) => assertChatbotNotification(m.Message));
    assert.match(clerk!.title, /FlightPro production: rotate CLERK_SECRET_KEY in 14 days \(2027-01-03\)/);
    assert.match(clerk!.description, /every 90 days, last rotated 2026-10-05\. To do: rotate it in its platform, redeploy, then set rotation\.lastRotated in Pulumi\.production\.yaml/);

    aws.remove();
    aws = createAwsStandIn();
    aws.putParameters(register);
    assert.equal((await runJob("2026-12-21")).status, 0);
    assert.deepEqual(aws.published(), [], "13 days before: nothing");
    assert.equal((await runJob("2027-01-03")).status, 0);
    assert.deepEqual(aws.published().map((m) => assertChatbotNotification(m.Message).title.replace(/.*rotate (\S+) .*/, "$1")), ["CLERK_SECRET_KEY", "STRIPE_SECRET_KEY"]);
    assert.match(assertChatbotNotification(aws.published()[0]!.Message).title, /today \(2027-01-03\)/);
  });

  it("pages critical every day a secret is overdue, and tells a program-rotated one to run pulumi up", async () => {
    const outcome = await runJob("2027-01-04");
    assert.equal(outcome.status, 0, outcome.out);
    const pages = aws.published().filter((m) => m.TopicArn === topics().critical);
    assert.deepEqual(pages.map((m) => m.Subject), ["FlightPro production: CLERK_SECRET_KEY rotation overdue", "FlightPro production: STRIPE_SECRET_KEY rotation overdue"]);
    assert.match(pages[0]!.Message, /was due for rotation on 2027-01-03, 1 days ago/);
    // DATABASE_URL: the app's slot of 2026-09-04, every 180 days: due 2027-03-03; the job says what rotates it.
    const database = await runJob("2027-02-17");
    assert.equal(database.status, 0, database.out);
    const warning = aws.published().map((m) => m.Message).filter((m) => m.includes("DATABASE_URL in 14 days")).map(assertChatbotNotification);
    assert.equal(warning.length, 2, "DATABASE_URL and MIGRATION_DATABASE_URL");
    assert.match(warning[0]!.description, /run pulumi up --stack production: it rotates the password and redeploys/);
  });

  it("fails the build on a register entry that does not read, after posting the others", async () => {
    aws.putParameters({ [`${env(rotationReminder.env.registerPath)}BROKEN_KEY`]: "not json" });
    const outcome = await runJob("2027-01-04");
    assert.notEqual(outcome.status, 0);
    assert.match(outcome.out, /BROKEN_KEY does not hold a rotation record/);
    assert.equal(aws.published().filter((m) => m.TopicArn === topics().critical).length, 2);
  });
});
