import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { betweenMarkers } from "../../../tools/markers";
import { ServedPolicy, servedPolicies } from "../../../tools/policyReference";
import { PROJECT_ROOT } from "../../../tools/projectRoot";
import { RepositoryFiles, specMentionsRule, traceabilityProblems } from "../../../tools/strategy/check";
import { repositoryOnDisk, STRATEGY_DOCUMENT, STRATEGY_END, STRATEGY_START, strategyReference } from "../../../tools/strategy/reference";
import { SECTIONS, STRATEGY_RULES, StrategyRule } from "../../../tools/strategy/rules";

describe("the strategy's traceability (docs/strategy.md, tools/strategy/rules.ts)", () => {
  // The pack's policy list, built once for the file: it loads every rule module.
  const policies = servedPolicies();

  it("docs/strategy.md holds the tables generated from the rules and the pack (run `npm run docs` when it fails)", () => {
    const text = readFileSync(path.join(PROJECT_ROOT, STRATEGY_DOCUMENT), "utf8");
    assert.equal(betweenMarkers(text, STRATEGY_START, STRATEGY_END), strategyReference(STRATEGY_RULES, policies));
  });

  it("traces every policy the pack serves to a rule, and each rule to policies, files and specs that exist and mention each other", () => {
    assert.deepEqual(traceabilityProblems(STRATEGY_RULES, policies, repositoryOnDisk()), []);
  });

  describe("the check", () => {
    const served: ServedPolicy[] = [
      { name: "alerts-alarm-routed", severity: "critical", description: "Alarms page. Spec: \"PagerDuty\"." },
      { name: "flags-plan-followed", severity: "high", description: "Flags follow the plan." },
    ];
    const repository: Record<string, string> = {
      "Pulumi.production.yaml": "config: {}\n",
      "infra/aws/alarmRules.ts": "export class AlarmRules {}\nexport const threshold = 2;\n",
      "infra/flags/plan.ts": "export function rolloutAt() {}\n",
      "test/policies/alerts.spec.ts": 'it("refuses an alarm that pages nobody (alerts-alarm-routed)", () => {});\n',
      "test/infra/alarmRules.spec.ts": 'import { AlarmRules } from "../../infra/aws/alarmRules";\n',
      "test/infra/flags.spec.ts": 'it("reads Pulumi.production.yaml", () => {});\n',
      "test/policies/other.spec.ts": 'import { x } from "../../policies/lib/alarmRules";\nit("something else", () => {});\n',
    };
    const files: RepositoryFiles = {
      exists: (file) => file in repository,
      read: (file) => {
        const text = repository[file];
        if (text === undefined) throw new Error(`read of a missing file ${file}`);
        return text;
      },
    };
    /** One valid rule per section of the strategy, the first two tracing the two policies. */
    function validRules(): StrategyRule[] {
      return SECTIONS.map((section, index) => ({
        id: `rule-${index}`,
        section,
        rule: "What it requires.",
        figure: "1 hour",
        declaredIn: index === 1 ? ["infra/flags/plan.ts", "Pulumi.production.yaml"] : ["infra/aws/alarmRules.ts"],
        policies: index === 0 ? ["alerts-alarm-routed"] : index === 1 ? ["flags-plan-followed"] : [],
        specs: index === 0 ? ["test/policies/alerts.spec.ts"] : index === 1 ? ["test/infra/flags.spec.ts"] : ["test/infra/alarmRules.spec.ts"],
        ...(index > 1 ? { notEnforced: "a procedure for people" } : {}),
      }));
    }
    const withRule = (index: number, change: Partial<StrategyRule>): StrategyRule[] =>
      validRules().map((rule, at) => (at === index ? { ...rule, ...change } : rule));

    it("finds nothing wrong with a valid set of rules", () => {
      assert.deepEqual(traceabilityProblems(validRules(), served, files), []);
    });

    it("refuses a rule that names a policy the pack does not serve", () => {
      assert.deepEqual(traceabilityProblems(withRule(0, { policies: ["alerts-alarm-routed", "alerts-alarm-gone"] }), served, files), [
        "tools/strategy/rules.ts: rule rule-0: names policy alerts-alarm-gone, which the pack does not serve",
      ]);
    });

    it("refuses a policy the pack serves that no rule traces, and says where to add it", () => {
      const problems = traceabilityProblems(validRules(), [...served, { name: "audit-new-policy", severity: "high" }], files);
      assert.deepEqual(problems, [
        "policy audit-new-policy is served by the pack but enforces no rule of the strategy: add it to the policies of the rule it enforces in tools/strategy/rules.ts (or add a rule there), then run `npm run docs`",
      ]);
    });

    it("refuses declaring files and specs that do not exist, or lie outside the repository", () => {
      assert.deepEqual(traceabilityProblems(withRule(2, { declaredIn: ["infra/aws/alarmRules.ts", "infra/aws/gone.ts", "../shared/spec/deployment-strategy.md"] }), served, files), [
        "tools/strategy/rules.ts: rule rule-2: infra/aws/gone.ts does not exist",
        "tools/strategy/rules.ts: rule rule-2: ../shared/spec/deployment-strategy.md is not a path inside the repository (relative, with /, no ..)",
      ]);
      assert.deepEqual(traceabilityProblems(withRule(2, { specs: ["test/infra/gone.spec.ts", "test/infra/alarmRules.spec.ts"] }), served, files), [
        "tools/strategy/rules.ts: rule rule-2: test/infra/gone.spec.ts does not exist",
      ]);
    });

    it("refuses a spec that mentions none of its rule's policies and names none of its declaring files", () => {
      assert.deepEqual(traceabilityProblems(withRule(0, { specs: ["test/policies/other.spec.ts"] }), served, files), [
        "tools/strategy/rules.ts: rule rule-0: test/policies/other.spec.ts mentions none of its policies and neither imports nor names any of its declaring files",
      ]);
    });

    it("wants a reason for a rule nothing enforces or declares, and a spec for one that is", () => {
      const { notEnforced: _reason, ...unexplained } = validRules()[2]!;
      const rules = validRules().map((rule, at) => (at === 2 ? unexplained : rule));
      assert.deepEqual(traceabilityProblems(rules, served, files), ["tools/strategy/rules.ts: rule rule-2: no policy enforces it; say why in notEnforced"]);
      assert.deepEqual(traceabilityProblems(withRule(2, { declaredIn: [], specs: [] }), served, files), ["tools/strategy/rules.ts: rule rule-2: no file declares it; say why in notDeclared"]);
      assert.deepEqual(traceabilityProblems(withRule(1, { specs: [] }), served, files), [
        "tools/strategy/rules.ts: rule rule-1: nothing proves it; name the specs that test its policies or declaring files",
      ]);
    });

    it("wants every section of the strategy to have a rule, and ids used once", () => {
      const rules = validRules();
      rules[3] = { ...rules[3]!, section: rules[2]!.section, id: "rule-2" };
      assert.deepEqual(traceabilityProblems(rules, served, files), [
        "tools/strategy/rules.ts: rule rule-2: the id is used twice",
        `tools/strategy/rules.ts: the strategy's section "${SECTIONS[3]}" has no rule`,
      ]);
    });

    it("counts a policy's name, an import of a declaring module, a file name or a name it exports, never a path it imports from elsewhere", () => {
      const rule = (declaredIn: string[], policies: string[] = []) => ({ declaredIn, policies });
      assert.equal(specMentionsRule("test/policies/alerts.spec.ts", repository["test/policies/alerts.spec.ts"]!, rule([], ["alerts-alarm-routed"]), files), true);
      assert.equal(specMentionsRule("test/policies/alerts.spec.ts", "alerts-alarm-routed-twice", rule([], ["alerts-alarm-routed"]), files), false);
      assert.equal(specMentionsRule("test/infra/alarmRules.spec.ts", 'import { x } from "../../infra/aws/alarmRules";', rule(["infra/aws/alarmRules.ts"]), files), true);
      assert.equal(specMentionsRule("test/infra/x.spec.ts", "the stack's ALARM-RULES component", rule(["infra/aws/alarmRules.ts"]), files), true);
      assert.equal(specMentionsRule("test/infra/x.spec.ts", "reads Pulumi.production.yaml", rule(["Pulumi.production.yaml"]), files), true);
      assert.equal(specMentionsRule("test/infra/x.spec.ts", "plans production", rule(["Pulumi.production.yaml", "infra/flags/plan.ts"]), files), false);
      assert.equal(specMentionsRule("test/infra/x.spec.ts", "calls rolloutAt()", rule(["infra/flags/plan.ts"]), files), true);
      assert.equal(specMentionsRule("test/policies/other.spec.ts", repository["test/policies/other.spec.ts"]!, rule(["infra/aws/alarmRules.ts"]), files), false);
    });

    it("renders each rule with the pack's severities and links relative to the document", () => {
      const [first, second, third] = validRules();
      const rules = [first!, { ...second!, gap: "the reminders" }, { ...third!, declaredIn: [], notDeclared: "the app repository's", notEnforced: "nothing to judge" }];
      const table = strategyReference(rules, served, "docs/strategy.md");
      assert.ok(table.startsWith(`${STRATEGY_START}\n3 rules in ${SECTIONS.length} sections, 2 of them enforced by the pack; 2 policies`));
      assert.ok(
        table.includes(
          "| `rule-0` | What it requires. | 1 hour | [`infra/aws/alarmRules.ts`](../infra/aws/alarmRules.ts) | `alerts-alarm-routed` (critical) | [`test/policies/alerts.spec.ts`](../test/policies/alerts.spec.ts) |",
        ),
        table,
      );
      assert.ok(table.includes("| `rule-1` | What it requires. *Not done:* the reminders | 1 hour |"), table);
      assert.ok(table.includes("| **not declared**: the app repository's | **not enforced**: nothing to judge |"), table);
      assert.ok(table.includes("| `alerts-alarm-routed` | critical | Alarms page. | `rule-0` |"), table);
      assert.ok(table.includes("- `rule-2` (CI/CD pipeline): not declared: the app repository's; not enforced: nothing to judge."), table);
      assert.ok(table.endsWith(STRATEGY_END));
    });
  });
});
