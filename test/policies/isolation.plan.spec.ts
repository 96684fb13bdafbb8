import { strict as assert } from "node:assert";
import { parseDocument } from "yaml";
import type { PlanDocument } from "../../tools/plan/document";
import { runPlan } from "../../tools/plan/main";
import { ProjectCopies, replaceOnce } from "../tools/projectCopy";

/** Tuesday 10:00 in New York: inside the deploy window, outside every freeze. */
const IN_WINDOW = "2026-12-01T15:00:00Z";
const ISOLATION = "isolation-stack-resources-own";

function isolationViolations(output: string): { level: string; resource: string; message: string }[] {
  const plan = JSON.parse(output) as PlanDocument;
  return (plan.policy?.violations ?? []).filter((violation) => violation.policy === ISOLATION).map((violation) => ({ level: violation.enforcementLevel, resource: (violation.urn ?? "").split("::").pop() ?? "", message: violation.message }));
}

/**
 * Staging's gate is advisory (policies/config/staging.json `all`), yet a staging stack file that reaches
 * production is blocked: the isolation policy is mandatory there too (explicitly in the config, and held by
 * the level floor in policies/lib/floors.ts that the plan applies before it configures the pack).
 */
describe("npm run plan: a staging stack file that reaches production is blocked (real analyzer protocol)", function () {
  this.timeout(180_000);
  const copies = new ProjectCopies();
  after(() => copies.cleanup());

  it("points at production's database and declares production's audit bucket: exit 1, mandatory", async () => {
    const dir = copies.make({
      stack: {
        staging: (text) =>
          replaceOnce(
            replaceOnce(replaceOnce(text, "host: db-staging.flightpro.internal", "host: db.flightpro.internal"), "name: flightpro_staging", "name: flightpro"),
            "bucketName: flightpro-deploy-audit-staging",
            "bucketName: flightpro-deploy-audit-production",
          ),
      },
    });
    const result = await runPlan(["--stack", "staging", "--format", "json", "--at", IN_WINDOW], { projectDir: dir });
    assert.equal(result.exitCode, 1, result.errors.join("\n"));
    const found = isolationViolations(result.output);
    assert.ok(found.length > 0 && found.every((violation) => violation.level === "mandatory"), JSON.stringify(found, null, 1));
    const text = found.map((violation) => `${violation.resource}: ${violation.message}`).join("\n");
    assert.match(text, /host db\.flightpro\.internal is not stack staging's database host/);
    assert.match(text, /name flightpro is not stack staging's database/);
    assert.match(text, /names production's bucket flightpro-deploy-audit-production/);
  });

  it("names itself production (and drops what only staging may declare, so the config is valid): exit 1, mandatory", async () => {
    const dir = copies.make({
      stack: {
        staging: (text) => {
          const document = parseDocument(text);
          assert.equal(document.getIn(["config", "flightdeck:environment"]), "staging");
          document.setIn(["config", "flightdeck:environment"], "production");
          // "only the staging stack chooses its data" (infra/config/validate.ts): without it the file is valid config.
          assert.ok(document.deleteIn(["config", "flightdeck:stagingData"]));
          return document.toString();
        },
      },
    });
    const result = await runPlan(["--stack", "staging", "--format", "json", "--at", IN_WINDOW], { projectDir: dir });
    assert.equal(result.exitCode, 1, result.errors.join("\n"));
    const found = isolationViolations(result.output);
    assert.ok(found.length > 0 && found.every((violation) => violation.level === "mandatory"), JSON.stringify(found, null, 1));
    const text = found.map((violation) => `${violation.resource}: ${violation.message}`).join("\n");
    assert.match(text, /environment is "production": stack staging deploys only to its own environment, staging/);
    assert.match(text, /names production's resource name prefix flightpro-production/);
  });
});
