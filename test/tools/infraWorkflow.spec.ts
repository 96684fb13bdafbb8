import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { runLevelCheck } from "../../tools/policy/levelFloors";
import { PROJECT_DIR } from "../harness";

/**
 * flightdeck's own pipeline, judged by its structure: who runs the pull request's code, whose pack
 * gives the verdict, what fails the check. (test/infra/workflows lints the same file with actionlint
 * and GitHub's workflow parser and holds it to the hardening rules.)
 */
type Step = Record<string, unknown> & { run?: string; uses?: string; with?: Record<string, unknown>; env?: Record<string, unknown>; if?: string; id?: string; "working-directory"?: string };
type Job = Record<string, unknown> & { steps: Step[]; permissions?: Record<string, string>; needs?: string[]; if?: string };
interface Workflow {
  env?: Record<string, unknown>;
  jobs: Record<string, Job>;
}

const text = readFileSync(path.join(PROJECT_DIR, ".github", "workflows", "infra.yml"), "utf8");
const workflow = parse(text) as Workflow;
const job = (id: string): Job => {
  const found = workflow.jobs[id];
  assert.ok(found, `infra.yml has a ${id} job`);
  return found;
};
const uses = (j: Job, action: string) => j.steps.filter((step) => typeof step.uses === "string" && step.uses.startsWith(`${action}@`));
const runs = (j: Job) => j.steps.filter((step) => typeof step.run === "string");
const BASE_SHA = "${{ github.event.pull_request.base.sha }}";

/**
 * Runs one step's script as a runner runs it under `shell: bash` (infra.yml's default):
 * `bash --noprofile --norc -eo pipefail {0}` (https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax#jobsjob_idstepsshell).
 */
function runStep(script: string, cwd: string, env: Record<string, string>): { status: number | null; output: string } {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "flightdeck-step-")), "step.sh");
  writeFileSync(file, script);
  try {
    const result = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", file], { cwd, env: { ...process.env, ...env }, encoding: "utf8" });
    return { status: result.status, output: result.stdout + result.stderr };
  } finally {
    rmSync(path.dirname(file), { recursive: true, force: true });
  }
}

/**
 * A stand-in `npm` for running the pipeline's steps here: records where and how it was called, writes
 * `--out`, and exits as the variables say (EXIT_<stack> for a plan of a stack, JUDGE_EXIT_<stack> for
 * --judge, SARIF_EXIT for --format sarif; NO_OUT_<stack> writes nothing, as a plan that exits 2).
 */
const FAKE_NPM = `#!/bin/bash
echo "$(basename "$PWD") $*" >> "$NPM_LOG"
[ "$1" = ci ] && exit 0
args=("$@"); out=""; judge=""; stack=""
for ((i = 0; i < \${#args[@]}; i++)); do
  case "\${args[i]}" in --out) out="\${args[i+1]}";; --judge) judge="\${args[i+1]}";; --stack) stack="\${args[i+1]}";; esac
done
if [[ "$*" == *plan:comment* ]]; then echo "comment" > "$out"; exit 0; fi
var="EXIT_$stack"; [ -n "$judge" ] && var="JUDGE_EXIT_$stack"; [[ "$*" == *"--format sarif"* ]] && var="SARIF_EXIT"
no_out="NO_OUT_$stack"
if [ -n "$out" ] && [ -z "\${!no_out:-}" ]; then printf '{"stack": "%s"}\\n' "$stack" > "$out"; fi
[ -n "\${!no_out:-}" ] && echo 'flightdeck:environment: expected one of "staging", "production" (got "prod")' >&2
exit "\${!var:-0}"
`;

/** A sandbox with base/, head/ and a bin/ whose npm is FAKE_NPM. */
function sandbox(): { root: string; env: Record<string, string>; calls: () => string[] } {
  const root = mkdtempSync(path.join(tmpdir(), "flightdeck-pipeline-"));
  for (const sub of ["base", "head", "bin"]) mkdirSync(path.join(root, sub));
  writeFileSync(path.join(root, "bin", "npm"), FAKE_NPM);
  chmodSync(path.join(root, "bin", "npm"), 0o755);
  const log = path.join(root, "npm.log");
  writeFileSync(log, "");
  const env = { PATH: `${path.join(root, "bin")}:${process.env["PATH"] ?? ""}`, NPM_LOG: log, GITHUB_STEP_SUMMARY: path.join(root, "summary.md") };
  return { root, env, calls: () => readFileSync(log, "utf8").split("\n").filter((line) => line !== "") };
}

describe("infra.yml: the pull request is judged by the base branch", () => {
  it("runs the pull request's code only in `evaluate`: read-only token, no secret, its output handed over as data", () => {
    const evaluate = job("evaluate");
    assert.deepEqual(evaluate.permissions, { contents: "read" });
    assert.doesNotMatch(JSON.stringify(evaluate), /secrets\./);
    const checkouts = uses(evaluate, "actions/checkout").map((step) => [step.with?.["path"], step.with?.["ref"]]);
    // The pull request's merge commit, and the base branch as data: what is deployed, for the registers the program reads.
    assert.deepEqual(checkouts, [["head", undefined], ["deployed", BASE_SHA]]);
    const record = runs(evaluate).find((step) => step.run!.includes("--no-policy"));
    assert.equal(record?.["working-directory"], "head");
    assert.match(record!.run!, /npm run --silent plan -- --stack "\$stack" --deployed \.\.\/deployed --no-policy --format evaluation --out "\.\.\/evaluation\/\$stack\.json"/);
    const [upload] = uses(evaluate, "actions/upload-artifact");
    assert.deepEqual([upload?.with?.["name"], upload?.with?.["path"]], ["evaluation", "evaluation/"]);
  });

  it("gives the verdict in `judge`, with the base branch's pack and tooling, running none of the pull request's code", () => {
    const judge = job("judge");
    assert.deepEqual(judge.needs, ["evaluate"]);
    assert.equal(judge.if, "${{ !cancelled() && github.event_name == 'pull_request' }}", "runs (and fails closed) whatever evaluate did");
    const checkouts = uses(judge, "actions/checkout").map((step) => [step.with?.["path"], step.with?.["ref"]]);
    assert.deepEqual(checkouts, [["base", BASE_SHA], ["head", undefined]]);
    assert.deepEqual(uses(judge, "actions/download-artifact").map((step) => step.with?.["name"]), ["evaluation"]);
    for (const step of runs(judge)) {
      // Every command runs in the base checkout (or the workspace); the head is only ever an argument.
      assert.ok(step["working-directory"] === undefined || step["working-directory"] === "base", `${String(step["name"])} runs in ${step["working-directory"]}`);
      const mentions = step.run!.match(/\S*\.\.\/head\S*|(?<![\w/.-])head\//g) ?? [];
      const asData = step.run!.match(/--(project|gate-head) \.\.\/head(?=\s|$)/g) ?? [];
      assert.equal(mentions.length, asData.length, `${String(step["name"])} uses the pull request's checkout other than as data: ${mentions.join(", ")}`);
      assert.doesNotMatch(step.run!, /--no-policy[^\n]*--judge|--judge[^\n]*--no-policy/);
    }
    const judging = runs(judge).find((step) => step.run!.includes("--judge"))!;
    const commands = judging.run!.split("\n").filter((line) => line.includes("--judge"));
    assert.equal(commands.length, 2, "the JSON verdict and the SARIF");
    for (const command of commands) {
      assert.match(command, /npm run --silent plan -- --stack "\$stack" --judge "\.\.\/evaluation\/\$stack\.json" --project \.\.\/head /);
      assert.doesNotMatch(command, /--policy-pack/, "the pack is the base checkout's own policies/");
    }
    assert.match(judging.run!, /npm run --silent plan -- --stack "\$stack" --format json --out "\.\.\/plans\/base-\$stack\.json"/, "the base plan is judged by the same pack");
  });

  it("fails the check on exit 1 or 2, on a stack the pull request could not plan, and on a missing verdict", () => {
    const judge = job("judge");
    const gate = judge.steps[judge.steps.length - 1]!;
    assert.equal(gate.if, undefined, "always decides");
    assert.equal(gate["continue-on-error"], undefined);
    const workspace = mkdtempSync(path.join(tmpdir(), "flightdeck-gate-step-"));
    try {
      mkdirSync(path.join(workspace, "plans"));
      const decide = (exits: Record<string, string | undefined>) => {
        for (const [stack, code] of Object.entries(exits)) {
          const file = path.join(workspace, "plans", `${stack}.exit`);
          rmSync(file, { force: true });
          if (code !== undefined) writeFileSync(file, `${code}\n`);
        }
        return runStep(gate.run!, workspace, {}).status;
      };
      assert.equal(decide({ staging: "0", production: "0" }), 0);
      assert.equal(decide({ staging: "0", production: "1" }), 1);
      assert.equal(decide({ staging: "2", production: "0" }), 1);
      assert.equal(decide({ staging: "0", production: undefined }), 1);
    } finally {
      rmSync(workspace, { recursive: true, force: true });
    }
  });

  it("evaluate keeps each stack's exit status and errors (a stack with a bad config is exit 2, not a stopped step)", () => {
    const box = sandbox();
    try {
      const step = runs(job("evaluate")).find((s) => s.run!.includes("--no-policy"))!;
      const result = runStep(step.run!, path.join(box.root, "head"), { ...box.env, EXIT_production: "2", NO_OUT_production: "1" });
      assert.equal(result.status, 0, result.output);
      const evaluation = (file: string) => readFileSync(path.join(box.root, "evaluation", file), "utf8");
      assert.deepEqual([evaluation("staging.exit"), evaluation("production.exit")], ["0\n", "2\n"]);
      assert.match(evaluation("staging.json"), /"stack": "staging"/);
      assert.match(evaluation("production.errors"), /flightdeck:environment: expected one of/);
      assert.ok(box.calls().every((call) => call.startsWith("head ")), "the pull request's own tooling, in its checkout");
    } finally {
      rmSync(box.root, { recursive: true, force: true });
    }
  });

  it("judge runs every command in the base checkout, keeps each verdict's exit status, and turns a stack the pull request could not plan into exit 2", () => {
    const box = sandbox();
    try {
      mkdirSync(path.join(box.root, "evaluation"));
      writeFileSync(path.join(box.root, "evaluation", "staging.json"), "{}");
      writeFileSync(path.join(box.root, "evaluation", "production.exit"), "2\n");
      writeFileSync(path.join(box.root, "evaluation", "production.errors"), "flightdeck:environment: expected one of (got prod)\n");
      const step = runs(job("judge")).find((s) => s.run!.includes("--judge"))!;
      // The base branch's own plans: staging has a violation (exit 1: kept as the base), production's cannot be planned (exit 2).
      const result = runStep(step.run!, path.join(box.root, "base"), { ...box.env, EXIT_staging: "1", EXIT_production: "2", JUDGE_EXIT_staging: "1", SARIF_EXIT: "1" });
      assert.equal(result.status, 0, result.output);
      const plans = (file: string) => readFileSync(path.join(box.root, "plans", file), "utf8");
      assert.deepEqual([plans("staging.exit"), plans("production.exit")], ["1\n", "2\n"]);
      assert.match(result.output, /the pull request's production stack could not be planned \(exit 2\):\nflightdeck:environment: expected one of \(got prod\)/);
      assert.ok(box.calls().every((call) => call.startsWith("base ")), box.calls().join("\n"));
      const judged = box.calls().filter((call) => call.includes("--judge"));
      assert.deepEqual(judged, [
        'base run --silent plan -- --stack staging --judge ../evaluation/staging.json --project ../head --against ../plans/base-staging.json --format json --out ../plans/staging.json',
        "base run --silent plan -- --stack staging --judge ../evaluation/staging.json --project ../head --format sarif --out ../sarif/staging.sarif",
      ]);
      assert.ok(box.calls().some((call) => call.startsWith("base run --silent plan:comment -- ../plans/staging.json --gate-base . --gate-head ../head --out ../comment.md")));
      assert.equal(readFileSync(path.join(box.root, "comment.md"), "utf8"), "comment\n");
    } finally {
      rmSync(box.root, { recursive: true, force: true });
    }
  });

  it("lets no step or job relax the pack through the environment, or carry on after a failure", () => {
    const envs = [workflow.env, ...Object.values(workflow.jobs).flatMap((j) => [j["env"] as Record<string, unknown> | undefined, ...j.steps.map((s) => s.env)])];
    const names = envs.flatMap((env) => Object.keys(env ?? {}));
    assert.deepEqual(names.filter((name) => /^FLIGHTDECK_|^PULUMI_NODEJS_/.test(name)), []);
    for (const id of ["evaluate", "judge"]) {
      assert.equal(job(id)["continue-on-error"], undefined);
      assert.deepEqual(job(id).steps.filter((step) => step["continue-on-error"] !== undefined).map((step) => step["name"]), []);
    }
    assert.doesNotMatch(text, /pull_request_target/);
  });
});

describe("infra.yml: code scanning upload (issue 9 item 7)", () => {
  it("grants actions: read and points checkout_path at the pull request's checkout", () => {
    const judge = job("judge");
    // github/codeql-action@v4.36.2: src/upload-lib.ts calls api.getAnalysisKey(), which reads this run with
    // GET /repos/{owner}/{repo}/actions/runs/{run_id} (src/api-client.ts getWorkflowRelativePath); on a private
    // repository that needs actions: read (https://docs.github.com/en/rest/actions/workflow-runs#get-a-workflow-run).
    assert.deepEqual(judge.permissions, { contents: "read", "pull-requests": "write", "security-events": "write", actions: "read" });
    const [upload] = uses(judge, "github/codeql-action/upload-sarif");
    assert.ok(upload);
    // upload-sarif/action.yml: checkout_path defaults to ${{ github.workspace }}; src/fingerprints.ts skips the
    // fingerprint of any result whose file does not exist under it. The results name Pulumi.<stack>.yaml of head/.
    assert.equal(upload.with?.["checkout_path"], "${{ github.workspace }}/head");
    assert.equal(upload.with?.["sarif_file"], "sarif");
  });
});

describe("infra.yml: pulumi preview's output is posted when it fails (issue 9 item 6)", () => {
  const preview = () => job("preview");

  it("installs the CLI with pulumi/actions in install-only mode, at the SDK's exact version", () => {
    const [install] = uses(preview(), "pulumi/actions");
    // pulumi/actions@v7.0.0 src/config.ts makeInstallationConfig: without `command` the action only installs the CLI
    // (README "Installation Only"). src/main.ts sets the `output` output only after the command resolved.
    assert.ok(install && install.with);
    assert.equal(install.with["command"], undefined);
    const lock = JSON.parse(readFileSync(path.join(PROJECT_DIR, "package-lock.json"), "utf8")) as { packages: Record<string, { version?: string }> };
    // The CLI and @pulumi/pulumi are released together under one version (pulumi/pulumi@v3.259.0:sdk/nodejs/Makefile VERSION).
    assert.equal(install.with["pulumi-version"], lock.packages["node_modules/@pulumi/pulumi"]?.version);
    for (const id of ["up-staging", "up-production"]) assert.equal(uses(job(id), "pulumi/actions")[0]?.with?.["pulumi-version"], install.with["pulumi-version"]);
    assert.doesNotMatch(text, /steps\.preview\.outputs\.output/, "never set when preview fails");
  });

  it("previews with the base branch's pack and config, keeps the log, and keeps pulumi's exit status through tee", () => {
    const steps = preview().steps;
    assert.deepEqual(uses(preview(), "actions/checkout").map((step) => [step.with?.["path"], step.with?.["ref"]]), [["head", undefined], ["base", BASE_SHA]]);
    const run = steps.find((step) => step.id === "preview");
    assert.ok(run?.run);
    assert.equal(run["working-directory"], "head");
    assert.match(run.run, /pulumi preview --stack "\$STACK"[^\n]*\\\n\s+--policy-pack \.\.\/base\/policies --policy-pack-config "\.\.\/base\/policies\/config\/\$STACK\.json"/);

    // Run the step itself, with a `pulumi` that reports a mandatory violation and fails, then one that passes.
    const root = mkdtempSync(path.join(tmpdir(), "flightdeck-preview-step-"));
    try {
      const bin = path.join(root, "bin");
      mkdirSync(bin);
      mkdirSync(path.join(root, "head"));
      const fake = (status: number) => {
        writeFileSync(path.join(bin, "pulumi"), `#!/bin/bash\necho "Policy Violations: [mandatory] flightdeck v0.1.0 github-ruleset-pull-request-required"\necho "args: $*" >&2\nexit ${status}\n`);
        chmodSync(path.join(bin, "pulumi"), 0o755);
      };
      const output = path.join(root, "github-output");
      const env = { PATH: `${bin}:${process.env["PATH"] ?? ""}`, STACK: "production", RUNNER_TEMP: root, GITHUB_OUTPUT: output };
      fake(255);
      writeFileSync(output, "");
      const failed = runStep(run.run, path.join(root, "head"), env);
      assert.equal(failed.status, 255, "the step fails with pulumi's status, not tee's");
      assert.equal(readFileSync(output, "utf8"), "status=255\n");
      const log = readFileSync(path.join(root, "preview.log"), "utf8");
      assert.match(log, /github-ruleset-pull-request-required/);
      assert.match(log, /args: preview --stack production --non-interactive --diff --policy-pack \.\.\/base\/policies --policy-pack-config \.\.\/base\/policies\/config\/production\.json/, "stderr is in the log too");
      fake(0);
      writeFileSync(output, "");
      assert.equal(runStep(run.run, path.join(root, "head"), env).status, 0);
      assert.equal(readFileSync(output, "utf8"), "status=0\n");
    } finally {
      rmSync(root, { recursive: true, force: true });
    }

    const post = steps[steps.indexOf(run) + 1]!;
    assert.match(String(post.if), /always\(\)/);
    assert.match(String(post.if), /steps\.preview\.outcome == 'failure'/);
    assert.equal(post.env?.["STATUS"], "${{ steps.preview.outputs.status }}");
    assert.match(post.run ?? "", /tail -c 60000 "\$RUNNER_TEMP\/preview\.log"/, "posts the log the preview step wrote");
    assert.match(post.run ?? "", /<!-- flightdeck-preview:\$STACK -->[\s\S]*gh api -X PATCH/);
  });
});

describe("infra.yml: every pulumi preview and pulumi up gets a policy config within the pack's level floors", () => {
  // The engine takes any level the config sets (policies/lib/floors.ts LEVEL_FLOORS says why): the step before the CLI refuses a lower one.
  const cases: { job: string; cli: (step: Step) => boolean; config: (step: Step) => string }[] = [
    { job: "up-staging", cli: (step) => step.uses?.startsWith("pulumi/actions@") === true && step.with?.["command"] === "up", config: (step) => String(step.with?.["policyPackConfigs"]) },
    { job: "up-production", cli: (step) => step.uses?.startsWith("pulumi/actions@") === true && step.with?.["command"] === "up", config: (step) => String(step.with?.["policyPackConfigs"]) },
    { job: "preview", cli: (step) => /pulumi preview/.test(step.run ?? ""), config: () => "policies/config/$STACK.json" },
  ];
  for (const { job: id, cli, config } of cases) {
    it(`${id}: the level check runs on the very config the CLI gets, and refuses an edited one`, () => {
      const steps = job(id).steps;
      const at = steps.findIndex(cli);
      assert.ok(at > 0, `${id} runs the CLI`);
      const guard = steps.slice(0, at).find((step) => /npm run -s policy:levels -- /.test(step.run ?? ""));
      assert.ok(guard, `${id}: a policy:levels step before the CLI`);
      assert.ok(!("continue-on-error" in guard) && guard.if === undefined, "the check cannot be skipped");
      const argv = (guard.run ?? "").replace(/^.*policy:levels -- /s, "").trim().split(/\s+/).map((word) => word.replace(/^"|"$/g, ""));
      assert.equal(argv.at(-1), config(steps[at]!));
      // The step's own arguments, for production (the preview matrix's other leg), through the CLI's own check.
      const production = argv.map((word) => word.replace("$STACK", "production").replace("staging", "production"));
      assert.deepEqual(runLevelCheck(production, PROJECT_DIR), { code: 0, message: "" });
      const dir = mkdtempSync(path.join(tmpdir(), "flightdeck-levels-"));
      try {
        mkdirSync(path.join(dir, "policies", "config"), { recursive: true });
        writeFileSync(path.join(dir, "Pulumi.yaml"), readFileSync(path.join(PROJECT_DIR, "Pulumi.yaml")));
        writeFileSync(path.join(dir, "policies", "config", "production.json"), JSON.stringify({ ...JSON.parse(readFileSync(path.join(PROJECT_DIR, "policies", "config", "production.json"), "utf8")), all: "advisory" }));
        const refused = runLevelCheck(production, dir);
        assert.equal(refused.code, 2);
        assert.match(refused.message, /^policies\/config\/production\.json: sets policies below their enforcement level floor[^\n]*\n {2}"all" is advisory/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});

describe("infra.yml: Node.js (issue 9 item 8)", () => {
  it("every job sets up the Node.js major that package.json's engines requires", () => {
    const engines = (JSON.parse(readFileSync(path.join(PROJECT_DIR, "package.json"), "utf8")) as { engines: { node: string } }).engines.node;
    const major = /^>=(\d+)$/.exec(engines)?.[1];
    assert.equal(major, "22");
    const versions = Object.values(workflow.jobs).flatMap((j) => uses(j, "actions/setup-node").map((step) => String(step.with?.["node-version"])));
    assert.ok(versions.length >= 5);
    assert.deepEqual([...new Set(versions)], [major]);
  });
});

describe(".github/CODEOWNERS", () => {
  // https://docs.github.com/en/repositories/managing-your-repositorys-settings-and-features/customizing-your-repository/about-code-owners:
  // gitignore-like patterns, the last matching line wins, a line with invalid syntax (`!`, `[ ]`, `\#`) makes
  // GitHub ignore the whole file, and the file is read from the pull request's base branch.
  const lines = readFileSync(path.join(PROJECT_DIR, ".github", "CODEOWNERS"), "utf8")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) => line.split(/\s+/));

  function matches(pattern: string, file: string): boolean {
    const anchored = pattern.startsWith("/");
    const body = pattern.replace(/^\//, "");
    const directory = body.endsWith("/");
    const glob = (directory ? body.slice(0, -1) : body).split("").map((char) => (char === "*" ? "[^/]*" : char.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))).join("");
    return new RegExp(`^${anchored ? "" : "(.*/)?"}${glob}${directory ? "/.*" : "(/.*)?"}$`).test(file);
  }
  const ownersOf = (file: string) => [...lines].reverse().find(([pattern]) => matches(pattern!, file))?.slice(1) ?? [];

  it("gives the gate to the platform team of the governed organisation: the pack, the stack files, .github, the judge's tooling", () => {
    const owner = (parse(readFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), "utf8")) as { config: { github: { value: { owner: string } } } }).config.github.value.owner;
    const team = `@${owner}/platform`;
    const gate = [
      "policies/index.ts", "policies/rules/repository.ts", "policies/config/production.json", "policies/waivers.yaml",
      "Pulumi.yaml", "Pulumi.production.yaml", "Pulumi.staging.yaml",
      ".github/workflows/infra.yml", ".github/CODEOWNERS",
      "infra/workflows/verify.ts", "infra/pipeline/verifyChecks.ts", "bootstrap/index.ts",
      "tools/plan/main.ts", "tools/policy/packDir.ts", "package.json", "package-lock.json",
    ];
    for (const file of gate) assert.deepEqual(ownersOf(file), [team], file);
    assert.deepEqual(ownersOf("infra/stack.ts"), [], "the program itself is reviewed as usual");
  });

  it("uses only syntax GitHub accepts", () => {
    for (const [pattern, ...owners] of lines) {
      assert.doesNotMatch(pattern!, /^!|\[|\]|^\\#/, pattern);
      assert.ok(owners.length > 0 && owners.every((o) => /^@[A-Za-z0-9-]+(\/[A-Za-z0-9_.-]+)?$/.test(o)), `${pattern} ${owners.join(" ")}`);
    }
  });
});

describe("infra.yml: pushes and previews as GitHub runs them (issue 18, finding 10)", () => {
  type Concurrency = { group: string; "cancel-in-progress": unknown };
  const topLevel = (parse(text) as { concurrency: Concurrency }).concurrency;

  /** A `${{ }}`-templated string evaluated by GitHub's own expression engine (@actions/expressions) for a `github` context. */
  async function evaluateTemplate(template: string, github: Record<string, unknown>): Promise<string> {
    const { Lexer, Parser, Evaluator, data } = await import("@actions/expressions");
    const toData = (value: unknown): InstanceType<typeof data.StringData> | InstanceType<typeof data.NumberData> | InstanceType<typeof data.Dictionary> | InstanceType<typeof data.Null> => {
      if (typeof value === "string") return new data.StringData(value);
      if (typeof value === "number") return new data.NumberData(value);
      if (value !== null && typeof value === "object") return new data.Dictionary(...Object.entries(value).map(([key, inner]) => ({ key, value: toData(inner) })));
      return new data.Null();
    };
    const context = new data.Dictionary({ key: "github", value: toData(github) });
    return template.replace(/\$\{\{(.*?)\}\}/g, (_, source: string) => {
      const expression = new Parser(new Lexer(source.trim()).lex().tokens, ["github"], []).parse();
      return new Evaluator(expression, context).evaluate().coerceString();
    });
  }

  it("a push's run holds no workflow-level group the next push waits on; pull requests still share theirs", async () => {
    // "When a concurrent job or workflow is queued, if another job or workflow using the same concurrency group in the
    // repository is in progress, the queued job or workflow will be pending" (https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax#concurrency).
    const push = (runId: number) => evaluateTemplate(topLevel.group, { event_name: "push", ref: "refs/heads/main", run_id: runId, event: {} });
    assert.notEqual(await push(101), await push(102), "two pushes to main: two groups, so up-staging of the second never waits for production's reviewers");
    const pr = (runId: number) => evaluateTemplate(topLevel.group, { event_name: "pull_request", ref: "refs/pull/7/merge", run_id: runId, event: { pull_request: { number: 7 } } });
    assert.equal(await pr(201), await pr(202), "one pull request's runs share a group (a new push cancels the old run)");
    assert.notEqual(await pr(201), await push(201));
    // The up jobs serialise per stack, each in a group of its own.
    const groups = ["up-staging", "up-production"].map((id) => (job(id)["concurrency"] as Concurrency).group);
    assert.deepEqual(groups, ["pulumi-staging", "pulumi-production"]);
  });

  it("the preview job's pulumi step has the Vercel token the programs read, as a repository secret (the job names no environment)", () => {
    // Production looks its Vercel project up by name (vercel:index/getProject): its preview needs VERCEL_API_TOKEN.
    // "A workflow job that references an environment must follow any protection rules for the environment before running or
    // accessing the environment's secrets" (https://docs.github.com/en/actions/deployment/targeting-different-environments):
    // a job that references none has only repository (and organisation) secrets, and the preview job references none.
    const preview = job("preview");
    assert.equal(preview["environment"], undefined);
    const step = preview.steps.find((candidate) => candidate.id === "preview");
    assert.equal(step?.env?.["VERCEL_API_TOKEN"], "${{ secrets.VERCEL_API_TOKEN }}");
  });
});
