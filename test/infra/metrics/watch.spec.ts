import { strict as assert } from "node:assert";
import { WatchRecord } from "../../../infra/metrics/contract";
import { judgeWatch, watchActive, watchWindows, WatchThresholds } from "../../../infra/metrics/lambda/watch";

/**
 * The post-deployment watch's decision on synthetic series. The spec: "Watch error rate for 1 hour after
 * production deploy; Compare with baseline (pre-deploy error rate); If errors spike > 2x baseline →
 * investigate immediately", and the change log's "automated rollback on error rate > 5%".
 */
const thresholds: WatchThresholds = {
  windowMinutes: 60,
  baselineMinutes: 60,
  evaluationMinutes: 5,
  pageFactor: 2,
  rollbackErrorRatePercent: 5,
  minRequests: 100,
  minErrors: 5,
  baselineFloorPercent: 0.5,
};

const record: WatchRecord = {
  version: 1,
  environment: "production",
  commit: "abc123",
  runUrl: "https://github.com/flightpro/flightpro/actions/runs/42/attempts/1",
  runId: "42-1",
  startedAt: "2026-12-01T15:00:00Z",
  deployedAt: "2026-12-01T15:10:00Z",
  previousDeployment: "1001",
};

describe("post-deployment watch: decision", () => {
  it("does not roll back or page on a quiet baseline followed by a handful of errors", () => {
    // 0 errors in the hour before; then 4 errors in 150 requests (2.7%): below minErrors, no verdict.
    assert.equal(judgeWatch({ requests: 9000, errors: 0 }, { requests: 150, errors: 4 }, thresholds).kind, "healthy");
    // 0 errors before, 5 errors in 1000 requests (0.5%): enough errors, but not above 2 × the 0.5% floor.
    assert.equal(judgeWatch({ requests: 9000, errors: 0 }, { requests: 1000, errors: 5 }, thresholds).kind, "healthy");
    // The floor is what a quiet baseline counts as: 1.25% is above 2 × 0.5%, a page, never a rollback.
    assert.equal(judgeWatch({ requests: 9000, errors: 0 }, { requests: 400, errors: 5 }, thresholds).kind, "page");
    // A quiet hour after the deploy (40 requests, 10 errors): not enough traffic to judge.
    const quiet = judgeWatch({ requests: 9000, errors: 0 }, { requests: 40, errors: 10 }, thresholds);
    assert.equal(quiet.kind, "insufficient");
  });

  it("pages above 2× the baseline, and not at 2× exactly", () => {
    const baseline = { requests: 10000, errors: 100 }; // 1%
    assert.equal(judgeWatch(baseline, { requests: 1000, errors: 20 }, thresholds).kind, "healthy"); // 2.0%: not above 2×
    const spike = judgeWatch(baseline, { requests: 1000, errors: 21 }, thresholds); // 2.1%
    assert.equal(spike.kind, "page");
    assert.match(spike.kind === "page" ? spike.reason : "", /2\.1% errors \(21 of 1000 requests\).*above 2× the pre-deploy baseline of 1%/);
  });

  it("rolls back above 5% whatever the baseline, and not at 5% exactly", () => {
    const noisy = { requests: 10000, errors: 400 }; // 4% before: 2× would be 8%
    assert.equal(judgeWatch(noisy, { requests: 1000, errors: 50 }, thresholds).kind, "healthy");
    const bad = judgeWatch(noisy, { requests: 1000, errors: 51 }, thresholds);
    assert.equal(bad.kind, "rollback");
    assert.equal(judgeWatch({ requests: 10000, errors: 10 }, { requests: 200, errors: 40 }, thresholds).kind, "rollback");
  });

  it("counts an unmeasurable baseline (too few requests) as the floor", () => {
    // 50 requests before (below minRequests): the baseline is the 0.5% floor, so 1.1% pages.
    assert.equal(judgeWatch({ requests: 50, errors: 0 }, { requests: 1000, errors: 11 }, thresholds).kind, "page");
    assert.equal(judgeWatch({ requests: 50, errors: 0 }, { requests: 1000, errors: 10 }, thresholds).kind, "healthy");
  });

  it("watches from the deploy for windowMinutes, against the baselineMinutes before it started", () => {
    assert.equal(watchActive(record, thresholds, new Date("2026-12-01T15:09:59Z")), false);
    assert.equal(watchActive(record, thresholds, new Date("2026-12-01T15:10:00Z")), true);
    assert.equal(watchActive(record, thresholds, new Date("2026-12-01T16:09:59Z")), true);
    assert.equal(watchActive(record, thresholds, new Date("2026-12-01T16:10:00Z")), false);
    const windows = watchWindows(record, thresholds, new Date("2026-12-01T15:30:00Z"), 60);
    assert.deepEqual(
      [windows.baseline.from, windows.baseline.to, windows.recent.from, windows.recent.to].map((date) => date.toISOString()),
      ["2026-12-01T14:00:00.000Z", "2026-12-01T15:00:00.000Z", "2026-12-01T15:24:00.000Z", "2026-12-01T15:29:00.000Z"],
    );
    // Right after the deploy, the recent window never reaches back before it.
    const early = watchWindows(record, thresholds, new Date("2026-12-01T15:12:00Z"), 60);
    assert.equal(early.recent.from.toISOString(), "2026-12-01T15:10:00.000Z");
  });
});
