import { strict as assert } from "node:assert";
import { stackConfigSchema } from "../../../infra/config/schema";
import { renderWorkflowFiles } from "../../../infra/workflows/files";
import { inputAt, RecordedResource, runSampleStack, sampleConfig, StackRun } from "../../harness";

const FILE = "github:index/repositoryFile:RepositoryFile";

/** The stack's workflow files (other components commit other files, such as .env.example). */
function workflowFiles(run: StackRun): RecordedResource[] {
  return run.ofType(FILE).filter((f) => String(inputAt(f, "file")).startsWith(".github/workflows/"));
}

describe("WorkflowFiles", () => {
  for (const stack of ["staging", "production"] as const) {
    it(`${stack}: commits each rendered file to the stack's deploy branch, overwriting, with a commit message naming the stack`, async () => {
      const run = await runSampleStack(stack);
      const expected = renderWorkflowFiles(stackConfigSchema.parse(sampleConfig(stack)));
      const files = workflowFiles(run);
      assert.deepEqual(files.map((f) => inputAt(f, "file")).sort(), expected.map((f) => f.path).sort());
      for (const file of expected) {
        const resource = files.find((f) => inputAt(f, "file") === file.path);
        assert.ok(resource, file.path);
        assert.equal(inputAt(resource, "content"), file.content);
        assert.equal(inputAt(resource, "repository"), "flightpro");
        assert.equal(inputAt(resource, "branch"), stack === "staging" ? "staging" : "main");
        assert.equal(inputAt(resource, "overwriteOnCreate"), true);
        assert.equal(inputAt(resource, "commitMessage"), `flightdeck (stack ${stack}): update ${file.path}`);
        assert.equal(resource.name, `flightpro-${stack}-workflows-${file.name}`);
      }
    });
  }

  it("parents the files to a flightdeck:pipelines:WorkflowFiles component", async () => {
    const run = await runSampleStack("production");
    const component = run.one("flightdeck:pipelines:WorkflowFiles");
    const files = workflowFiles(run);
    assert.equal(files.length, 4);
    for (const file of files) assert.equal(file.parent, component.urn);
  });

  it("follows the model: direct-prod commits no deploy-staging.yml", async () => {
    const run = await runSampleStack("production", (raw) => {
      raw["model"] = "direct-prod";
      raw["github"] = { ...(raw["github"] as Record<string, unknown>), branches: { production: "main" } };
    });
    assert.deepEqual(workflowFiles(run).map((f) => inputAt(f, "file")).sort(), [
      ".github/workflows/deploy-production.yml",
      ".github/workflows/rollback.yml",
      ".github/workflows/verify.yml",
    ]);
  });
});
