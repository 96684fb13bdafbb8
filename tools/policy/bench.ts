/**
 * How fast the pack judges a large stack: `npx tsx tools/policy/bench.ts [count]` (default 5,000).
 * Builds a synthetic stack (rulesets, environments, Vercel variables, Actions variables, rotation
 * register entries, alarms, roles, grants, workflow files), then times each phase of one pack process.
 */
import * as path from "node:path";
import type { RecordedResource } from "../offline/monitor";
import { PACK_DIR, PolicyPackProcess, reportOf } from "./client";

const PROJECT = "flightdeck";
const STACK = "production";

function resource(type: string, name: string, inputs: Record<string, unknown>): RecordedResource {
  return {
    urn: `urn:pulumi:${STACK}::${PROJECT}::${type}::${name}`,
    type,
    name,
    parent: null,
    custom: true,
    inputs,
    secretPaths: [],
    options: { protect: false, retainOnDelete: false, deleteBeforeReplace: false, dependsOn: [], provider: null, replaceOnChanges: [] },
  };
}

const workflow = (index: number) => `name: wf-${index}
on: [pull_request]
permissions: {}
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@8e5e7e5ab8b370d6c329ec480221332ada57f0ab
      - run: pnpm test
`;

export function syntheticStack(count: number): RecordedResource[] {
  const makers: ((index: number) => RecordedResource)[] = [
    (i) => resource("vercel:index/projectEnvironmentVariable:ProjectEnvironmentVariable", `env-${i}`, { projectId: "prj", key: `SECRET_${i}`, value: `value-${i}`, targets: ["production"], sensitive: true }),
    (i) => resource("github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable", `var-${i}`, { repository: "flightpro", environment: "production", variableName: `SETTING_${i}`, value: `https://example.com/${i}` }),
    (i) =>
      resource("aws:ssm/parameter:Parameter", `rotation-${i}`, {
        name: `/flightdeck/flightpro/production/secret-rotation/S${i}`,
        type: "String",
        tags: { "flightdeck:secret-rotation": "true" },
        value: JSON.stringify({ name: `S${i}`, kind: "api-key", periodDays: 90, lastRotated: "2026-10-05", destinations: {} }),
      }),
    (i) =>
      resource("aws:cloudwatch/metricAlarm:MetricAlarm", `alarm-${i}`, {
        metricName: "ErrorRate",
        comparisonOperator: "GreaterThanThreshold",
        threshold: 2,
        period: 60,
        evaluationPeriods: 5,
        alarmActions: ["arn:aws:sns:us-east-1:123456789012:alerts-critical"],
        tags: { rule: `r${i}` },
      }),
    (i) => resource("postgresql:index/role:Role", `role-${i}`, { name: `role_${i}`, login: true, superuser: false }),
    (i) => resource("postgresql:index/grant:Grant", `grant-${i}`, { database: "app", role: "flightpro_app", objectType: "table", privileges: ["SELECT"] }),
    (i) => resource("github:index/repositoryFile:RepositoryFile", `file-${i}`, { repository: "flightpro", file: `.github/workflows/wf-${i}.yml`, content: workflow(i) }),
    (i) =>
      resource("github:index/repositoryRuleset:RepositoryRuleset", `ruleset-${i}`, {
        target: "branch",
        enforcement: "active",
        conditions: { refName: { includes: ["refs/heads/main"], excludes: [] } },
        rules: {
          deletion: true,
          nonFastForward: true,
          pullRequest: { requiredApprovingReviewCount: 1, dismissStaleReviewsOnPush: true },
          requiredStatusChecks: { requiredChecks: ["lint", "typecheck", "unit-tests", "build", "security-scan"].map((context) => ({ context })) },
        },
      }),
  ];
  return Array.from({ length: count }, (_, index) => makers[index % makers.length]!(index));
}

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? 5000);
  const resources = syntheticStack(count);
  const started = performance.now();
  const pack = await PolicyPackProcess.start({ stack: STACK, now: new Date("2026-11-10T16:00:00Z") });
  try {
    const spawned = performance.now();
    const info = await pack.info();
    const effective = await pack.configure(info, path.join(PACK_DIR, "config", "production.json"));
    const configured = performance.now();
    const diagnostics = await pack.analyzeAll(resources);
    const analyzed = performance.now();
    const report = reportOf(info, effective, diagnostics);
    const ms = (from: number, to: number) => `${(to - from).toFixed(0)} ms`;
    console.log(`resources:                    ${count}`);
    console.log(`spawn pack (node + tsx):      ${ms(started, spawned)}`);
    console.log(`getAnalyzerInfo + configure:  ${ms(spawned, configured)}`);
    console.log(`analyze ×${count}:               ${pack.timings.analyzeMs.toFixed(0)} ms  (${(pack.timings.analyzeMs / count).toFixed(3)} ms/resource)`);
    console.log(`analyzeStack (${count}):         ${pack.timings.analyzeStackMs.toFixed(0)} ms`);
    console.log(`total:                        ${ms(started, analyzed)}`);
    console.log(`violations: ${report.violations.length} (${[...new Set(report.violations.map((v) => v.policy))].join(", ") || "none"})`);
  } finally {
    pack.close();
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
