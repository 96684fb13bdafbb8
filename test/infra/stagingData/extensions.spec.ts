import { strict as assert } from "node:assert";
import { parse } from "yaml";
import { stagingData, stagingDataProblems } from "../../../infra/stagingData/settings";
import { REFRESH_EXTENSIONS } from "../../../infra/stagingData/refreshScript";
import { inputAt, runSampleStack } from "../../harness";

/**
 * The staging refresh's extensions (flightdeck:stagingData.extensions), as the restore drill's: what the
 * plan refuses, and what the refresh job installs before it restores. The job's own check (an undeclared
 * extension in the backup stops it) runs on a real server in test/integration/stagingData/refresh.spec.ts.
 */

const anonymized = {
  mode: "anonymized",
  source: { bucketName: "flightpro-db-backups-production" },
  masking: { "public.users.id": "keep" },
};

describe("staging refresh: the extensions production's schema uses", () => {
  it("refuses an extension the refresh cannot install, and plpgsql (built in)", () => {
    const data = stagingData.parse({ ...anonymized, extensions: ["citext", "postgis", "plpgsql"] });
    assert.deepEqual(stagingDataProblems({ stagingData: data, environment: "staging", database: {} }), [
      'flightdeck:stagingData.extensions[1]: "postgis" is neither a contrib module (postgresql15-contrib) nor vector (pgvector): the refresh cannot install it',
      "flightdeck:stagingData.extensions[2]: plpgsql is built into every server: remove it",
    ]);
    assert.throws(() => stagingData.parse({ ...anonymized, extensions: ["Bad Name"] }), /must be an extension name as CREATE EXTENSION takes it/);
  });

  it("the refresh job installs them (contrib's package; pgvector from its tagged source with the server's headers) and lists them for its check", async function () {
    this.timeout(120_000);
    const run = await runSampleStack("staging", (raw) => {
      (raw["stagingData"] as Record<string, unknown>)["extensions"] = ["citext", "vector"];
    });
    const project = run.ofType("aws:codebuild/project:Project").find((resource) => resource.name.endsWith("-staging-refresh-job"));
    assert.ok(project, "the refresh job");
    const variables = inputAt(project, "environment.environmentVariables") as { name: string; type: string; value: string }[];
    assert.deepEqual(variables.find((variable) => variable.name === REFRESH_EXTENSIONS), { name: REFRESH_EXTENSIONS, type: "PLAINTEXT", value: "citext vector" });
    const spec = parse(String(inputAt(project, "source.buildspec"))) as { phases: { install: { commands: string[] } } };
    assert.deepEqual(spec.phases.install.commands, [
      "dnf install -y -q postgresql15 postgresql15-server postgresql15-contrib postgresql15-server-devel",
      "id postgres > /dev/null 2>&1 || useradd --system postgres",
      "git clone --quiet --depth 1 --branch v0.8.1 https://github.com/pgvector/pgvector.git /tmp/pgvector",
      "make -s -C /tmp/pgvector",
      "make -s -C /tmp/pgvector install",
    ]);
  });
});
