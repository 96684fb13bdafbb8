import { ReplayCase, misbehaves, passes } from "../cases";
import { replace } from "../edits";

/**
 * Issue 19.6, behaviour that lives in code the pack cannot read: the metrics bridge's thresholds, units
 * and paging branches, and the flag provider's requests. Each edit leaves every input the pack judges as
 * it was; only the code inside the bridge's `code` archive or a flag's `__provider` changes, and the
 * artifact check (tools/artifacts) runs that code against the canonical scenarios.
 */

const WATCH = "infra/metrics/lambda/watch.ts";
const DATUMS = "infra/metrics/lambda/datums.ts";
const PROVIDER = "infra/flags/posthogProvider.ts";

const fractionEdit = replace(
  DATUMS,
  `  if (readings.posthog.ok) values["error-rate"] = errorRatePercent(readings.posthog.counts);`,
  `  const rate = readings.posthog.ok ? errorRatePercent(readings.posthog.counts) : undefined;\n  if (rate !== undefined) values["error-rate"] = rate / 100;`,
);

export const behaviourCases: readonly ReplayCase[] = [
  {
    id: "bridge-page-factor-in-code",
    class: "behaviour",
    title: "bridge: page at 3× the baseline, hard-coded in the watch (2× pages on every blip)",
    edits: [replace(WATCH, "ratePercent > thresholds.pageFactor * baselinePercent", "ratePercent > 3 * baselinePercent")],
    expect: misbehaves("bridge-watch-pages"),
  },
  {
    id: "bridge-rollback-threshold-in-code",
    class: "behaviour",
    title: "bridge: roll back only above 8%, whatever the stack says",
    edits: [replace(WATCH, "enoughErrors && ratePercent > thresholds.rollbackErrorRatePercent", "enoughErrors && ratePercent > Math.max(8, thresholds.rollbackErrorRatePercent)")],
    expect: misbehaves("bridge-watch-rolls-back"),
  },
  {
    id: "bridge-error-rate-as-fraction",
    class: "behaviour",
    title: "bridge: publish the error rate as a fraction (0.025), like the dashboards' other ratios",
    edits: [fractionEdit],
    expect: misbehaves("bridge-publishes-error-rate-percent"),
  },
  {
    id: "bridge-error-rate-as-fraction-staging-pr",
    class: "behaviour",
    title: "bridge: the error rate as a fraction, planned for staging as infra.yml judges a pull request",
    edits: [fractionEdit],
    stack: "staging",
    judge: "pr",
    expect: misbehaves("bridge-publishes-error-rate-percent"),
  },
  {
    id: "bridge-page-branch-removed",
    class: "behaviour",
    title: "bridge: the watch only rolls back; pages come from the CloudWatch alarm anyway",
    edits: [
      replace(
        WATCH,
        "  if (enoughErrors && ratePercent > thresholds.pageFactor * baselinePercent) {\n    return { kind: \"page\", ratePercent, baselinePercent, recent, reason: `${summary}, above ${thresholds.pageFactor}× the pre-deploy baseline of ${format(baselinePercent)}%` };\n  }\n",
        "",
      ),
    ],
    judge: "pr",
    expect: misbehaves("bridge-watch-pages"),
  },
  {
    id: "flag-provider-rollout-bumped",
    class: "behaviour",
    title: "flags: the provider creates each flag 25 points ahead, so the first day is not empty",
    edits: [
      replace(
        PROVIDER,
        "    return { key: inputs.key, name: inputs.name, active: inputs.active, filters: inputs.filters };",
        "    const groups = inputs.filters.groups.map((group) => ({ ...group, rollout_percentage: Math.min(100, (group.rollout_percentage ?? 100) + 25) }));\n    return { key: inputs.key, name: inputs.name, active: inputs.active, filters: { ...inputs.filters, groups } };",
      ),
    ],
    expect: misbehaves("flag-requests-send-declared-filters"),
  },
  {
    id: "bridge-compliant-detail-format",
    class: "compliant",
    title: "bridge: three decimals in the watch's messages",
    edits: [replace(WATCH, 'return percent.toFixed(2).replace(/\\.?0+$/, "");', 'return percent.toFixed(3).replace(/\\.?0+$/, "");')],
    expect: passes,
  },
];
