import { strict as assert } from "node:assert";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { runPlan } from "../../tools/plan/main";
import { PROJECT_DIR } from "../harness";
import { linkProgram, scratchDir } from "../harness/scratch";
import { replaceOnce } from "./projectCopy";

/**
 * Issue 19, class 1: a pull request that edits the evaluator is not evaluated by its own edit. infra.yml's
 * `evaluate` job runs the base branch's `npm run plan` with the pull request's checkout as `--project`
 * (test/tools/infraWorkflow.spec.ts holds the job to that); here this checkout plays the base, with the
 * arguments infra.yml gives it, on a pull request whose program declares something the gate must see and
 * whose tools/offline is edited to hide it.
 */
describe("a pull request that edits the evaluator is evaluated by the base branch's", function () {
  this.timeout(120000);

  const AT = "2026-12-01T15:00:00Z";
  const TRUST_ANYONE = 'JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" }] })';

  /** The pull request's checkout (`<dir>/head`, beside `<dir>/base` as in the job): `copied` and tools/ copied and edited, the rest linked from this checkout. */
  const pullRequest = (copied: "infra" | "bootstrap", edits: Record<string, (text: string) => string>): string => {
    const head = path.join(scratchDir("pr-evaluator"), "head");
    for (const dir of [copied, "tools"]) cpSync(path.join(PROJECT_DIR, dir), path.join(head, dir), { recursive: true });
    for (const file of ["Pulumi.yaml", "Pulumi.staging.yaml", "Pulumi.production.yaml"]) cpSync(path.join(PROJECT_DIR, file), path.join(head, file));
    linkProgram(head);
    for (const [file, rewrite] of Object.entries(edits)) writeFileSync(path.join(head, file), rewrite(readFileSync(path.join(head, file), "utf8")));
    return head;
  };

  /**
   * The arguments infra.yml's evaluate step gives the base's `npm run plan` for `stack`, its relative paths
   * resolved from the base checkout, which is this one (`--deployed .` included), and `../head` the pull request's.
   */
  const evaluateArgv = (stack: string, head: string): string[] => {
    const workflow = parse(readFileSync(path.join(PROJECT_DIR, ".github", "workflows", "infra.yml"), "utf8")) as { jobs: Record<string, { steps: { run?: string; "working-directory"?: string }[] }> };
    const step = workflow.jobs["evaluate"]!.steps.find((candidate) => candidate.run?.includes("--format evaluation"))!;
    assert.equal(step["working-directory"], "base", "the base branch's tooling runs the evaluation");
    const command = step.run!.split("\n").find((line) => line.includes("--format evaluation"))!;
    const words = command.replace(/^.*npm run --silent plan -- /, "").replace(/\s+2>.*$/, "").split(/\s+/).map((word) => word.replace(/^"|"$/g, ""));
    const out = words.indexOf("--out");
    assert.ok(out > 0, "the evaluation goes to a file");
    words.splice(out, 2); // runPlan returns what the CLI would write there
    return words.map((word) => (word === "$stack" ? stack : word === "../head" ? head : word === "." ? PROJECT_DIR : word));
  };

  it("a role its program declares is evaluated, though its tools/offline/monitor.ts stops recording it", async () => {
    const head = pullRequest("infra", {
      "infra/index.ts": (index) => `${index}\nimport * as aws from "@pulumi/aws";\nnew aws.iam.Role("contractor-access", { assumeRolePolicy: ${TRUST_ANYONE} });\n`,
      "tools/offline/monitor.ts": (text) => replaceOnce(text, "    this.recorded.push({\n", '    if (!req.getName().startsWith("contractor")) this.recorded.push({\n'),
    });
    const argv = evaluateArgv("production", head);
    assert.deepEqual(argv.slice(argv.indexOf("--project"), argv.indexOf("--project") + 2), ["--project", head]);
    const evaluated = await runPlan([...argv, "--at", AT]);
    assert.equal(evaluated.exitCode, 0, evaluated.errors.join("\n"));
    const evaluation = JSON.parse(evaluated.output) as { resources: { type: string; name: string }[] };
    assert.ok(
      evaluation.resources.some((resource) => resource.type === "aws:iam/role:Role" && resource.name === "contractor-access"),
      "the role declared in the pull request's infra/index.ts is in the evaluation",
    );
  });

  it("a variable its program reads is refused (exit 2), though its tools/offline/ambient.ts and its declared list allow it", async () => {
    const head = pullRequest("bootstrap", {
      "bootstrap/index.ts": (index) => `${index}\nexport const deployTag = process.env["DEPLOY_TAG"] ?? "";\n`,
      "tools/offline/ambient.ts": (text) => replaceOnce(text, "if (!declared.has(key) && !written.has(key) && !own)", 'if (!declared.has(key) && !written.has(key) && !own && !key.startsWith("DEPLOY_"))'),
      "bootstrap/config/environment.ts": (text) => replaceOnce(text, "{ ...GITHUB_PROVIDER_ENVIRONMENT }", '{ ...GITHUB_PROVIDER_ENVIRONMENT, DEPLOY_TAG: { why: "the release tag" } }'),
    });
    const line = readFileSync(path.join(head, "bootstrap", "index.ts"), "utf8").split("\n").findIndex((text) => text.includes("DEPLOY_TAG")) + 1;
    const refused = await runPlan(["--stack", "bootstrap", "--project", path.join(head, "bootstrap"), "--no-policy", "--format", "evaluation", "--at", AT]);
    assert.equal(refused.exitCode, 2, refused.errors.join("\n"));
    assert.ok(
      refused.errors.some((error) => error.startsWith(`bootstrap/index.ts:${line}: reads the environment variable DEPLOY_TAG, which bootstrap/config/environment.ts does not declare`)),
      refused.errors.join("\n"),
    );
  });
});
