import { strict as assert } from "node:assert";
import { productionBackupsReadByRefreshOnly } from "../../policies/rules/stagingData";
import { RecordedResource, runSampleStack } from "../harness";
import { Fixture, runStackPolicy } from "./judge";

/**
 * staging-data-production-backups-refresh-only over the staging plan (the program's own resources):
 * only the staging refresh job's role reads production's backups, and nothing writes them.
 */

const POLICY_TYPE = "aws:iam/rolePolicy:RolePolicy";

function fixturesOf(resources: readonly RecordedResource[]): Fixture[] {
  const byUrn = new Map(resources.map((resource) => [resource.urn, resource.name]));
  const names = (urns: readonly string[]) => urns.map((urn) => byUrn.get(urn)).filter((name): name is string => name !== undefined);
  return resources
    .filter((resource) => resource.custom)
    .map((resource) => ({
      type: resource.type,
      name: resource.name,
      props: structuredClone(resource.inputs) as Record<string, unknown>,
      // The engine's dependencies (explicit and through inputs): the recorder keeps them together.
      dependsOn: names(resource.options.dependsOn),
    }));
}

/** Adds a statement to one inline policy of the plan (by the logical name's suffix). */
function withStatement(fixtures: Fixture[], suffix: string, statement: Record<string, unknown>): Fixture[] {
  const copy = structuredClone(fixtures);
  const target = copy.find((fixture) => fixture.type === POLICY_TYPE && fixture.name.endsWith(suffix));
  assert.ok(target, `no role policy ${suffix}`);
  const document = JSON.parse(String(target.props["policy"])) as { Statement: unknown[] };
  document.Statement.push(statement);
  target.props["policy"] = JSON.stringify(document);
  return copy;
}

const messages = (fixtures: Fixture[]) => {
  const verdicts = runStackPolicy(productionBackupsReadByRefreshOnly, fixtures);
  return verdicts === "not applicable" ? [] : verdicts.map((verdict) => verdict.message);
};

describe("staging reads production's backups only through the refresh (staging-data-production-backups-refresh-only)", () => {
  let staging: Fixture[];
  before(async () => {
    staging = fixturesOf((await runSampleStack("staging")).resources);
  });

  it("the staging plan passes: its refresh job's role reads them, and only reads", () => {
    assert.ok(staging.some((fixture) => fixture.name.endsWith("-staging-refresh-job-permissions")));
    assert.deepEqual(messages(staging), []);
  });

  it("another role of staging reading them is reported", () => {
    const read = { Sid: "Peek", Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::flightpro-db-backups-production/postgres/*" };
    assert.deepEqual(messages(withStatement(staging, "-dr-jobs-drill-permissions", read)), [
      "flightpro-staging-dr-jobs-drill reads production's backups (RolePolicy restore-drill) but is not the staging refresh job's role: only the refresh masks them before staging sees them",
    ]);
  });

  it("a wildcard bucket reaches them too", () => {
    const read = { Sid: "Peek", Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::flightpro-db-*/*" };
    const found = messages(withStatement(staging, "-rotation-reminder-job-permissions", read));
    assert.equal(found.length, 1);
    assert.match(found[0]!, /flightpro-staging-rotation-reminder-job may s3:PutObject, s3:DeleteObject/);
  });

  it("the refresh job's role writing them is reported", () => {
    const write = { Sid: "Overwrite", Effect: "Allow", Action: "s3:PutObject", Resource: "arn:aws:s3:::flightpro-db-backups-production/postgres/*" };
    const found = messages(withStatement(staging, "-staging-refresh-job-permissions", write));
    assert.equal(found.length, 1);
    assert.match(found[0]!, /flightpro-staging-staging-refresh-job may s3:PutObject on production's backups/);
  });

  it("a refresh job that no longer masks loses its right to read", () => {
    const copy = structuredClone(staging);
    const project = copy.find((fixture) => fixture.type === "aws:codebuild/project:Project" && fixture.name.endsWith("-staging-refresh-job"))!;
    (project.props["source"] as Record<string, unknown>)["buildspec"] = "version: 0.2\nphases:\n  build:\n    commands:\n      - aws s3 cp s3://flightpro-db-backups-production/postgres/latest.dump - | pg_restore -d \"$STAGING_DATABASE_URL\"\n";
    const found = messages(copy);
    assert.ok(found.length >= 1 && found.every((message) => /flightpro-staging-staging-refresh-job reads production's backups .* not the staging refresh job's role/.test(message)), JSON.stringify(found));
  });
});
