import { strict as assert } from "node:assert";
import { PlanDocument } from "../../tools/plan/document";
import { runPlan } from "../../tools/plan/main";
import { ProjectCopies, appendConfig, replaceOnce } from "./projectCopy";

/** Planned for production inside a deploy window, as the held-back changes are replayed. */
const IN_WINDOW = ["--stack", "production", "--at", "2026-12-01T15:00:00Z", "--format", "json"];

describe("npm run plan on stack files written another way, and on non-compliant ones", function () {
  this.timeout(120000);
  const copies = new ProjectCopies();
  after(() => copies.cleanup());

  it("passes a compliant production config written another valid way (exit 0, the same resources)", async () => {
    const base = await runPlan([...IN_WINDOW, "--no-policy"]);
    assert.equal(base.exitCode, 0, base.errors.join("\n"));
    const rewritten = copies.make({
      stack: {
        production: (text) => {
          let out = text;
          // Quoted and unquoted scalars, single and double quotes.
          out = replaceOnce(out, "flightdeck:environment: production", 'flightdeck:environment: "production"');
          out = replaceOnce(out, "aws:region: us-east-1", "aws:region: 'us-east-1'");
          out = replaceOnce(out, 'rotation: { periodDays: 180, lastRotated: "2026-08-15" }', "rotation: { periodDays: 180, lastRotated: 2026-08-15 }");
          // Flow collections written as blocks, and a block list as a flow list.
          out = replaceOnce(out, "      users: [maria-chen, dev-okafor]\n", "      users:\n        - maria-chen\n        - \"dev-okafor\"\n");
          // Keys in another order; a folded multi-line description; comments and blank lines.
          out = replaceOnce(out, "    - name: REDIS_URL\n      description: Redis connection string\n      kind: database-password\n      source: config\n", "    # the cache\n\n    - source: config\n      kind: database-password\n      description: >-\n        Redis connection\n        string\n      name: REDIS_URL\n");
          // A secret kept encrypted that this stack no longer reads.
          return appendConfig(out, "  flightdeck:LEGACY_WEBHOOK_TOKEN:\n    secure: v1:bGVnYWN5LWNpcGhlcnRleHQ=\n");
        },
      },
      project: (text) => replaceOnce(text, "      deployDays: [Tue, Thu]\n", "      deployDays:\n        - Tue\n        - Thu\n"),
    });
    const result = await runPlan(IN_WINDOW, { projectDir: rewritten });
    assert.equal(result.exitCode, 0, result.errors.join("\n") + result.output.slice(0, 2000));
    const strip = (output: string) => (JSON.parse(output) as PlanDocument).resources.map((resource) => [resource.urn, JSON.stringify(resource.inputs)]);
    assert.deepEqual(strip(result.output), strip(base.output), "written another way, the stack declares the same resources and inputs");
  });

  const blocked: { title: string; production?: (text: string) => string; project?: (text: string) => string; policy: string }[] = [
    { title: "Stripe in test mode in production", production: (text) => replaceOnce(text, "STRIPE_MODE: live", "STRIPE_MODE: Test"), policy: "runtime-settings-fit-environment" },
    { title: "production watching the staging database", production: (text) => replaceOnce(text, "host: db.flightpro.internal", "host: db-staging.flightpro.internal"), policy: "runtime-production-isolated-from-staging" },
    {
      title: "an API key declared a database password to rotate every 180 days",
      production: (text) => replaceOnce(text, "      description: Stripe API key (live mode)\n      kind: api-key\n      source: config\n      destinations: { vercel: true, githubEnvironment: false }\n      rotation: { periodDays: 90,", "      description: Stripe API key (live mode)\n      kind: database-password\n      source: config\n      destinations: { vercel: true, githubEnvironment: false }\n      rotation: { periodDays: 180,"),
      policy: "secrets-rotation-register-current",
    },
    {
      title: "a production stack whose model drops staging",
      project: (text) => replaceOnce(replaceOnce(text, "value: staging-prod", "value: direct-prod"), "        staging: staging\n", ""),
      policy: "runtime-production-keeps-staging",
    },
  ];
  // One plan with every change (each policy is mandatory in production, so each alone exits 1 too): the suite stays fast.
  it(`blocks each of: ${blocked.map((testCase) => testCase.title).join("; ")} (exit 1)`, async () => {
    const dir = copies.make({
      stack: { production: (text) => blocked.reduce((out, testCase) => (testCase.production ? testCase.production(out) : out), text) },
      project: (text) => blocked.reduce((out, testCase) => (testCase.project ? testCase.project(out) : out), text),
    });
    const result = await runPlan(IN_WINDOW, { projectDir: dir });
    assert.equal(result.exitCode, 1, result.errors.join("\n"));
    const plan = JSON.parse(result.output) as PlanDocument;
    const mandatory = new Set(plan.policy?.violations.filter((violation) => violation.enforcementLevel === "mandatory").map((violation) => violation.policy));
    for (const testCase of blocked) assert.ok(mandatory.has(testCase.policy), `${testCase.title}: no ${testCase.policy} violation among ${[...mandatory].join(", ")}`);
  });

  it("blocks a rotation recorded in the future and a secret-looking NEXT_PUBLIC_* name as config errors (exit 2)", async () => {
    const dir = copies.make({
      stack: {
        production: (text) =>
          replaceOnce(replaceOnce(text, 'rotation: { periodDays: 90, lastRotated: "2026-10-20" }', 'rotation: { periodDays: 90, lastRotated: "2099-10-20" }'), "name: NEXT_PUBLIC_POSTHOG_KEY", "name: NEXT_PUBLIC_POSTHOG_API_KEY"),
      },
    });
    const result = await runPlan([...IN_WINDOW, "--no-policy"], { projectDir: dir });
    assert.equal(result.exitCode, 2);
    assert.equal(result.errors.length, 2, result.errors.join("\n"));
    assert.match(result.errors[0]!, /^Pulumi\.production\.yaml:76:35: flightdeck:secrets\[5\]\.rotation\.lastRotated: is in the future \(got "2099-10-20"/);
    assert.match(result.errors[1]!, /^Pulumi\.production\.yaml:\d+:\d+: flightdeck:secrets\[8\]\.name: NEXT_PUBLIC_\* values are shipped to browsers/);
  });
});
