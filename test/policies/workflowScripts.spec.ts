import { strict as assert } from "node:assert";
import { parse, stringify } from "yaml";
import { gatesFailClosed, productionSmokeRollback, productionUsesEnvironment, productionWebBuild } from "../../policies/rules/workflows";
import { Fixture, runResourcePolicy, Verdict } from "./judge";
import { deployProductionYaml, rollbackYaml, verifyYaml } from "./workflowFixtures";

/**
 * Workflow scripts judged by their effects (issue 19, class 5), one policy at a time on one generated
 * file (workflowFixtures.ts: what the program commits for the sample production stack):
 * (policies workflow-production-deploy-uses-environment, workflow-production-smoke-tests-roll-back,
 * workflow-production-web-built-for-production, workflow-gate-steps-fail-closed):
 * - a job's environment written as an expression that can evaluate to another name is refused; one made
 *   of literals alone is its value (https://docs.github.com/en/actions/reference/workflows-and-actions/expressions#literals);
 * - the rollback on the smoke tests' failure restores every service the job deployed;
 * - every `vercel deploy` of the production job ships the job's own build (`--prebuilt`,
 *   https://vercel.com/docs/cli/build), and no `vercel redeploy` rebuilds beside it;
 * - a check in a gate step whose failure cannot fail the step, by bash's rules
 *   (https://www.gnu.org/software/bash/manual/bash.html#The-Set-Builtin, #Lists; GitHub runs `run:` with
 *   `bash -e {0}`: https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax#jobsjob_idstepsshell).
 */

type Doc = { jobs: Record<string, Record<string, unknown> & { steps: Record<string, unknown>[] }> };

function file(name: string, content: string): Fixture {
  return { type: "github:index/repositoryFile:RepositoryFile", name: `workflow-${name}`, props: { repository: "flightpro", branch: "main", file: `.github/workflows/${name}.yml`, content, commitMessage: "ci" } };
}

function edited(yaml: string, edit: (doc: Doc) => void): string {
  const doc = parse(yaml) as Doc;
  edit(doc);
  return stringify(doc, { lineWidth: 0 });
}

const production = (edit: (doc: Doc) => void) => file("deploy-production", edited(deployProductionYaml, edit));
const verify = (edit: (doc: Doc) => void) => file("verify", edited(verifyYaml, edit));

function verdicts(policy: Parameters<typeof runResourcePolicy>[0], fixture: Fixture): Verdict[] {
  const result = runResourcePolicy(policy, fixture);
  return result === "not applicable" ? [] : result;
}

const stepOf = (doc: Doc, job: string, id: string) => {
  const found = doc.jobs[job]!.steps.find((candidate) => candidate["id"] === id || candidate["name"] === id);
  if (!found) throw new Error(`no step ${id} in ${job}`);
  return found;
};

describe("workflow scripts judged by their effects", () => {
  it("the generated files pass these policies", () => {
    for (const policy of [productionUsesEnvironment, productionSmokeRollback, productionWebBuild]) assert.deepEqual(verdicts(policy, file("deploy-production", deployProductionYaml)), [], policy.name);
    assert.deepEqual(verdicts(gatesFailClosed, file("verify", verifyYaml)), []);
  });

  describe("a job environment written as an expression", () => {
    const blocked: [string, string][] = [
      ["from a dispatch input", "${{ inputs.target }}"],
      ["chosen by the branch", "${{ github.ref == 'refs/heads/main' && 'production' || 'staging' }}"],
      ["a template around a variable", "prod${{ vars.SUFFIX }}"],
    ];
    for (const [title, name] of blocked) {
      it(`is refused: ${title}`, () => {
        const found = verdicts(productionUsesEnvironment, production((doc) => ((doc.jobs["deploy"]!["environment"] as Record<string, unknown>)["name"] = name)));
        assert.equal(found.length, 1, JSON.stringify(found));
        assert.match(found[0]!.message, /names its environment with an expression/);
      });
    }

    it("a workflow_dispatch choice input passes; the same input as free text is refused", () => {
      const rollback = file("rollback", rollbackYaml);
      assert.deepEqual(verdicts(productionUsesEnvironment, rollback), []);
      const freeText = file("rollback", edited(rollbackYaml, (doc) => {
        const inputs = ((doc as unknown as { on: { workflow_dispatch: { inputs: Record<string, Record<string, unknown>> } } }).on.workflow_dispatch.inputs);
        inputs["environment"] = { description: "Environment to roll back", type: "string", required: true };
      }));
      assert.match(verdicts(productionUsesEnvironment, freeText).map((verdict) => verdict.message).join("\n"), /names its environment with an expression/);
    });

    it("made of literals alone, is read as its value", () => {
      assert.deepEqual(verdicts(productionUsesEnvironment, production((doc) => ((doc.jobs["deploy"]!["environment"] as Record<string, unknown>)["name"] = "${{ 'production' }}"))), []);
      const staging = verdicts(productionUsesEnvironment, production((doc) => ((doc.jobs["deploy"]!["environment"] as Record<string, unknown>)["name"] = "${{ 'stag' }}ing")));
      assert.match(staging.map((verdict) => verdict.message).join("\n"), /changes production .* from environment/);
    });
  });

  describe("one rollback per deployed service", () => {
    it("a web deploy with no web rollback on the smoke tests' failure is blocked", () => {
      const found = verdicts(productionSmokeRollback, production((doc) => (doc.jobs["deploy"]!.steps = doc.jobs["deploy"]!.steps.filter((candidate) => candidate["id"] !== "rollback-web"))));
      assert.match(found.map((verdict) => verdict.message).join("\n"), /deploys the web .* no rollback step run on the smoke tests' failure restores it/);
    });

    it("a web rollback that runs only when the web deploy itself failed does not cover the smoke tests' failure", () => {
      const found = verdicts(
        productionSmokeRollback,
        production((doc) => (stepOf(doc, "deploy", "rollback-web")["if"] = "${{ failure() && steps.deploy-web.outcome == 'failure' && needs.preflight.outputs.previous-web-url != '' }}")),
      );
      assert.match(found.map((verdict) => verdict.message).join("\n"), /deploys the web/);
    });

    it("an API deploy with no API rollback is blocked", () => {
      const found = verdicts(productionSmokeRollback, production((doc) => (doc.jobs["deploy"]!.steps = doc.jobs["deploy"]!.steps.filter((candidate) => candidate["id"] !== "rollback-api"))));
      assert.match(found.map((verdict) => verdict.message).join("\n"), /deploys the API/);
    });
  });

  describe("every production deploy ships the job's build", () => {
    it("an extra `vercel deploy --prod` from source beside the prebuilt one is blocked", () => {
      const found = verdicts(
        productionWebBuild,
        production((doc) => {
          const stage = stepOf(doc, "deploy", "stage-web");
          stage["run"] = `${String(stage["run"])}\nvercel deploy --prod --skip-domain --token="$VERCEL_TOKEN" > /dev/null`;
        }),
      );
      assert.match(found.map((verdict) => verdict.message).join("\n"), /without --prebuilt uploads the source/);
    });

    it("`vercel redeploy` in the production job is blocked", () => {
      const found = verdicts(
        productionWebBuild,
        production((doc) => {
          const stage = stepOf(doc, "deploy", "stage-web");
          stage["run"] = `${String(stage["run"])}\nvercel redeploy "$url" --token="$VERCEL_TOKEN"`;
        }),
      );
      assert.match(found.map((verdict) => verdict.message).join("\n"), /vercel redeploy/);
    });
  });

  describe("a check whose failure does not fail its step", () => {
    const pytest = (doc: Doc) => doc.jobs["unit-tests"]!.steps.find((candidate) => candidate["run"] === "python -m pytest -q")!;
    const cases: [string, string][] = [
      ["pytest in the background, then `wait` with no pid", "python -m pytest -q &\nwait"],
      ["pytest in a function nothing calls", "run_tests() {\n  python -m pytest -q\n}\necho done"],
      ["pytest in an if whose branch only warns", "if ! python -m pytest -q; then echo '::warning::unit tests failed'; fi"],
      ["pytest in a subshell whose status a later command replaces, with -e off", "set +e\n(python -m pytest -q)\necho finished"],
    ];
    for (const [title, run] of cases) {
      it(`is blocked: ${title}`, () => {
        const found = verdicts(gatesFailClosed, verify((doc) => (pytest(doc)["run"] = run)));
        assert.equal(found.length, 1, title);
        assert.match(found[0]!.message, /pytest/);
      });
    }

    it("pytest piped into tee passes under `shell: bash` (GitHub starts it with -o pipefail) and is blocked under `shell: sh`", () => {
      const piped = (shell: string) => verify((doc) => Object.assign(pytest(doc), { run: "python -m pytest -q | tee pytest.log", shell }));
      assert.deepEqual(verdicts(gatesFailClosed, piped("bash")), []);
      assert.match(verdicts(gatesFailClosed, piped("sh")).map((verdict) => verdict.message).join("\n"), /piped into `tee pytest.log` without pipefail/);
    });
  });
});
