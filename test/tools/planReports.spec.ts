import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import Ajv from "ajv-draft-04";
import addFormats from "ajv-formats";
import { diffPlans } from "../../tools/plan/diff";
import type { PlanDocument, PolicyViolation } from "../../tools/plan/document";
import { MARKDOWN_LIMIT, MARKDOWN_MARKER, renderMarkdown } from "../../tools/plan/render/markdown";
import { configKeyOf, renderSarif } from "../../tools/plan/render/sarif";
import { ALARM, BUCKET, ENV_VAR, RULESET, plan, policySection, recorded, urn, violation, waived } from "./planFixtures";

/**
 * The SARIF 2.1.0 schema as Microsoft's SARIF SDK ships it (2.1.0-rtm.5, draft-04 like the OASIS
 * schema). Its `language` pattern is not a valid Unicode regular expression, hence unicodeRegExp off.
 */
const schemaPath = path.join(path.dirname(require.resolve("@microsoft/jest-sarif/package.json")), "lib", "schemas", "sarif-2.1.0-rtm.5.json");
const ajv = new Ajv({ allErrors: true, unicodeRegExp: false });
addFormats(ajv);
const validateSarif = ajv.compile(JSON.parse(readFileSync(schemaPath, "utf8")) as object);

function assertValidSarif(log: unknown): void {
  const valid = validateSarif(log);
  assert.ok(valid, JSON.stringify(validateSarif.errors, null, 2));
}

const STACK_FILE = { path: "Pulumi.production.yaml", text: "config:\n  aws:region: us-east-1\n  flightdeck:environment: production\n  flightdeck:alerts:\n    rules: []\n  flightdeck:audit:\n    retentionYears: 7\n" };
const PROJECT_FILE = { path: "Pulumi.yaml", text: "name: flightdeck\nconfig:\n  model:\n    value: staging-prod\n  github:\n    value:\n      owner: flightpro\n" };

function bigPlan(stack: string, count: number): PlanDocument {
  const base = plan(stack, Array.from({ length: count }, (_, i) => recorded(stack, ALARM, `alarm-${i}`, { name: `alarm-${i}`, threshold: 1 })));
  const current = plan(stack, [
    ...Array.from({ length: count }, (_, i) => recorded(stack, ALARM, `alarm-${i}`, { name: `alarm-${i}`, threshold: 2 })),
    ...Array.from({ length: count }, (_, i) => recorded(stack, BUCKET, `bucket-${i}`, { bucket: `b-${i}` })),
  ]);
  const violations: PolicyViolation[] = Array.from({ length: count }, (_, i) =>
    violation(`alarm-threshold-${i % 7}`, stack, ALARM, `alarm-${i}`, { message: `Alarm alarm-${i} is looser than the spec allows: `.repeat(5) }),
  );
  const waivedOnes = violations.slice(0, count / 2).map((v) => waived({ ...v, enforcementLevel: "advisory" }));
  return { ...current, policy: policySection(violations, waivedOnes, Array.from({ length: count }, (_, i) => `waiver ${i} expired on 2026-01-01`)), diff: diffPlans(base, current) };
}

describe("plan reports", () => {
  describe("markdown", () => {
    it("starts with the marker and summarises each stack in one table", () => {
      const v = violation("repository-main-requires-approval", "production", RULESET, "main-ruleset");
      const production = { ...plan("production", []), policy: policySection([v, { ...v, enforcementLevel: "advisory", severity: "low", policy: "alarm-has-runbook" }], [waived({ ...v, policy: "audit-retention" })], ["waiver for x expired on 2026-01-01"]) };
      const staging = { ...plan("staging", []), policy: policySection([]) };
      const markdown = renderMarkdown([production, staging]);
      assert.equal(markdown.split("\n")[0], MARKDOWN_MARKER);
      assert.match(markdown, /^## ❌ flightdeck plan: 1 mandatory violation blocks this change$/m);
      assert.match(markdown, /^\| `production` \| — \| — \| — \| — \| — \| \*\*1\*\* \| 1 \| 1 \|$/m);
      assert.match(markdown, /^\| `staging` \| — \| — \| — \| — \| — \| 0 \| 0 \| 0 \|$/m);
      assert.match(markdown, /_Remediation:_ Set the value repository-main-requires-approval asks for/);
      assert.match(markdown, /waived by maria-chen until \*\*2026-09-30\*\*/);
      assert.match(markdown, /⚠️ waiver for x expired on 2026-01-01/);
    });

    it("lists updates with their changed paths", () => {
      const before = plan("staging", [recorded("staging", RULESET, "rules", { rules: { pullRequest: { requiredApprovingReviewCount: 1 } } })]);
      const after = plan("staging", [recorded("staging", RULESET, "rules", { rules: { pullRequest: { requiredApprovingReviewCount: 0 } } })]);
      const markdown = renderMarkdown([{ ...after, diff: diffPlans(before, after) }]);
      assert.match(markdown, /^\| `staging` \| 0 \| 1 \| 0 \| 0 \| 0 \| — \| — \| — \|$/m);
      assert.match(markdown, /- ✏️ update `github:index\/repositoryRuleset:RepositoryRuleset` \*\*rules\*\*: `rules.pullRequest.requiredApprovingReviewCount`/);
    });

    it("escapes Markdown and HTML in messages", () => {
      const v = violation("p", "staging", RULESET, "r", { message: "<script>x</script> | **bold** `code`" });
      const markdown = renderMarkdown([{ ...plan("staging", []), policy: policySection([v]) }]);
      assert.ok(!markdown.includes("<script>"));
      assert.match(markdown, /\\<script\\>x\\<\/script\\> \\\| \\\*\\\*bold\\\*\\\* \\`code\\`/);
    });

    it("stays under 60,000 characters with thousands of changes and violations, keeping the summary table", () => {
      const plans = [bigPlan("production", 3000), bigPlan("staging", 2000)];
      const markdown = renderMarkdown(plans);
      assert.ok(markdown.length < MARKDOWN_LIMIT, `${markdown.length} characters`);
      assert.match(markdown, /^\| `production` \| 3000 \| 3000 \| 0 \| 0 \| 0 \| \*\*3000\*\* \| 0 \| 1500 \|$/m);
      assert.match(markdown, /^\| `staging` \| 2000 \| 2000 \| 0 \| 0 \| 0 \| \*\*2000\*\* \| 0 \| 1000 \|$/m);
      assert.match(markdown, /^- …and \d+ more$/m);
      assert.match(markdown, /^### `staging`$/m, "the second stack keeps its section");
      assert.ok(markdown.length > MARKDOWN_LIMIT / 2, "trims only as much as needed");
    });

    it("prints everything when it fits", () => {
      const markdown = renderMarkdown([bigPlan("staging", 10)]);
      assert.ok(!markdown.includes("more"));
      assert.equal(markdown.match(/^- ❌ /gm)?.length, 10);
    });
  });

  describe("sarif", () => {
    it("is valid SARIF 2.1.0 with no policy section, no violations, and violations with waivers", () => {
      const v1 = violation("audit-bucket-object-lock", "production", BUCKET, "audit", { severity: "critical" });
      const v2 = violation("alarm-has-runbook", "production", ALARM, "cpu", { enforcementLevel: "advisory", severity: "medium" });
      const stackLevel = violation("deploy-window", "production", RULESET, "x", { urn: null, severity: "low", enforcementLevel: "advisory" });
      const w = waived(violation("vercel-secret-is-sensitive", "production", ENV_VAR, "stripe"));
      for (const document of [plan("production", []), { ...plan("production", []), policy: policySection([]) }, { ...plan("production", []), policy: policySection([v1, v2, stackLevel], [w]) }]) {
        assertValidSarif(JSON.parse(JSON.stringify(renderSarif(document, { stackFile: STACK_FILE, projectFile: PROJECT_FILE }))));
      }
      const broken = JSON.parse(JSON.stringify(renderSarif({ ...plan("production", []), policy: policySection([v1], [w]) }))) as { runs: { results: { suppressions: { kind: string }[] }[] }[] };
      broken.runs[0]!.results[1]!.suppressions[0]!.kind = "waived";
      assert.equal(validateSarif(broken), false, "the schema check can fail");
    });

    it("describes each policy as a rule and each violation as a located result", () => {
      const v1 = violation("audit-bucket-object-lock", "production", BUCKET, "audit", { severity: "critical" });
      const v2 = violation("alarm-has-runbook", "production", ALARM, "cpu", { enforcementLevel: "advisory", severity: "medium" });
      const v3 = violation("repository-main-requires-approval", "production", RULESET, "main", { enforcementLevel: "advisory", severity: "low" });
      const w = waived(violation("vercel-secret-is-sensitive", "production", ENV_VAR, "stripe"));
      const section = policySection([v1, v2, v3], [w]);
      const log = renderSarif({ ...plan("production", []), policy: section }, { stackFile: STACK_FILE, projectFile: PROJECT_FILE });
      const run = log.runs[0]!;
      // The fixture gives the four policies severities critical, high, medium, low in this order.
      assert.deepEqual(run.tool.driver.rules?.map((rule) => [rule.id, rule.defaultConfiguration?.level]), [
        ["audit-bucket-object-lock", "error"],
        ["alarm-has-runbook", "error"],
        ["repository-main-requires-approval", "warning"],
        ["vercel-secret-is-sensitive", "note"],
      ]);
      assert.equal(run.tool.driver.rules?.[0]?.help?.text, section.policies[0]?.remediation);
      const results = run.results ?? [];
      assert.deepEqual(results.map((r) => [r.ruleId, r.level, r.suppressions?.[0]?.kind]), [
        ["audit-bucket-object-lock", "error", undefined],
        ["alarm-has-runbook", "warning", undefined],
        ["repository-main-requires-approval", "note", undefined],
        ["vercel-secret-is-sensitive", "error", "external"],
      ]);
      assert.match(results[3]?.suppressions?.[0]?.justification ?? "", /Migration in progress; see INC-42 \(approved by maria-chen, expires 2026-09-30\)/);
      const where = results.map((r) => [r.locations?.[0]?.physicalLocation?.artifactLocation?.uri, r.locations?.[0]?.physicalLocation?.region?.startLine]);
      assert.deepEqual(where, [["Pulumi.production.yaml", 6], ["Pulumi.production.yaml", 4], ["Pulumi.yaml", 5], ["Pulumi.production.yaml", 1]]);
      assert.equal(results[0]?.locations?.[0]?.logicalLocations?.[0]?.fullyQualifiedName, urn("production", BUCKET, "audit"));
    });

    it("finds the config key of a resource by its component, then by its type", () => {
      assert.equal(configKeyOf("urn:pulumi:p::flightdeck::flightdeck:aws:AlertRules$aws:kms/key:Key::k"), "alerts");
      assert.equal(configKeyOf("urn:pulumi:p::flightdeck::flightdeck:aws:AuditLog$aws:kms/key:Key::k"), "audit");
      assert.equal(configKeyOf("urn:pulumi:p::flightdeck::flightdeck:other:Thing$aws:s3/bucket:Bucket::b"), "audit");
      assert.equal(configKeyOf("urn:pulumi:p::flightdeck::pulumi:pulumi:Stack$flightdeck:github:BranchRuleset::r"), "github");
      assert.equal(configKeyOf("urn:pulumi:p::flightdeck::pulumi:pulumi:Stack::s"), undefined);
    });
  });
});
