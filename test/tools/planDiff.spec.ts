import { strict as assert } from "node:assert";
import { createHash } from "node:crypto";
import { diffPlans } from "../../tools/plan/diff";
import { secretFingerprint } from "../../tools/plan/fingerprint";
import { renderMarkdown } from "../../tools/plan/render/markdown";
import { renderSarif } from "../../tools/plan/render/sarif";
import { renderText } from "../../tools/plan/render/text";
import { ALARM, BUCKET, ENV_VAR, RULESET, component, plan, policySection, recorded, resource, violation, waived } from "./planFixtures";

const S = "production";

function ruleset(count: number, extra: Record<string, unknown> = {}) {
  return recorded(S, RULESET, "main-ruleset", { name: "main", target: "branch", rules: { pullRequest: { requiredApprovingReviewCount: count, dismissStaleReviewsOnPush: true } }, ...extra });
}
function envVar(key: string, value: string, name = "stripe-key") {
  return recorded(S, ENV_VAR, name, { key, value, projectId: "prj_1", sensitive: true, targets: ["production"] }, ["value"]);
}

describe("plan diff", () => {
  it("reports a new resource as a create and a missing one as a delete", () => {
    const base = plan(S, [component(S), ruleset(1), recorded(S, ALARM, "old-alarm", { name: "old" })]);
    const current = plan(S, [component(S), ruleset(1), recorded(S, BUCKET, "audit", { bucket: "audit-log" })]);
    const diff = diffPlans(base, current);
    assert.deepEqual(diff.changes.map((c) => [c.kind, c.name]), [["create", "audit"], ["delete", "old-alarm"]]);
    assert.deepEqual(diff.counts, { create: 1, update: 0, replace: 0, delete: 1, unchanged: 1 });
  });

  it("reports an update with the changed input paths, not the unchanged ones", () => {
    const diff = diffPlans(plan(S, [ruleset(1)]), plan(S, [ruleset(2)]));
    assert.deepEqual(diff.changes, [
      { kind: "update", urn: resource(plan(S, [ruleset(2)]), "main-ruleset").urn, type: RULESET, name: "main-ruleset", custom: true, paths: ["rules.pullRequest.requiredApprovingReviewCount"] },
    ]);
    assert.equal(diff.counts.update, 1);
  });

  it("names added and removed inputs and a list that changed length", () => {
    const before = ruleset(1, { checks: ["build", "test"] });
    const after = ruleset(1, { checks: ["build", "test", "e2e"], bypassActors: [] });
    delete (after.inputs["rules"] as Record<string, Record<string, unknown>>)["pullRequest"]!["dismissStaleReviewsOnPush"];
    const [change] = diffPlans(plan(S, [before]), plan(S, [after])).changes;
    assert.deepEqual(change?.paths.sort(), ["bypassActors", "checks", "rules.pullRequest.dismissStaleReviewsOnPush"]);
  });

  it("reports a replace when a replace-forcing input changes, saying which", () => {
    const diff = diffPlans(plan(S, [envVar("STRIPE_SECRET_KEY", "sk_1")]), plan(S, [envVar("STRIPE_KEY", "sk_1")]));
    assert.equal(diff.changes[0]?.kind, "replace");
    assert.deepEqual(diff.changes[0]?.replaceBecause, ["key"]);
    assert.deepEqual(diff.counts, { create: 0, update: 0, replace: 1, delete: 0, unchanged: 0 });

    const bucket = (lock: boolean, tags: Record<string, string>) => recorded(S, BUCKET, "audit", { bucket: "audit-log", objectLockEnabled: lock, tags });
    assert.equal(diffPlans(plan(S, [bucket(false, {})]), plan(S, [bucket(true, {})])).changes[0]?.kind, "replace");
    assert.equal(diffPlans(plan(S, [bucket(false, {})]), plan(S, [bucket(false, { team: "platform" })])).changes[0]?.kind, "update");
  });

  it("treats a changed URN as a delete and a create", () => {
    const diff = diffPlans(plan(S, [ruleset(1)]), plan(S, [{ ...ruleset(1), name: "main-rules", urn: ruleset(1).urn.replace("main-ruleset", "main-rules") }]));
    assert.deepEqual(diff.changes.map((c) => c.kind).sort(), ["create", "delete"]);
  });

  it("counts unchanged custom resources and ignores unchanged components", () => {
    const resources = [component(S), ruleset(1), envVar("STRIPE_SECRET_KEY", "sk_1")];
    const diff = diffPlans(plan(S, resources), plan(S, resources));
    assert.deepEqual(diff.changes, []);
    assert.deepEqual(diff.counts, { create: 0, update: 0, replace: 0, delete: 0, unchanged: 2 });
  });

  it("counts components when they are created or deleted", () => {
    const diff = diffPlans(plan(S, [component(S, "old")]), plan(S, [component(S, "new")]));
    assert.deepEqual(diff.changes.map((c) => [c.kind, c.custom]), [["create", false], ["delete", false]]);
  });

  it("shows a changed secret as changed, by fingerprint, both sides printing [secret]", () => {
    const base = plan(S, [envVar("STRIPE_SECRET_KEY", "sk_live_canary_OLD_9f3a")]);
    const current = plan(S, [envVar("STRIPE_SECRET_KEY", "sk_live_canary_NEW_7b2c")]);
    assert.equal(resource(base, "stripe-key").inputs["value"], "[secret]");
    assert.equal(resource(current, "stripe-key").inputs["value"], "[secret]");
    const diff = diffPlans(base, current);
    assert.deepEqual(diff.changes.map((c) => [c.kind, c.paths, c.secretPaths]), [["update", ["value"], ["value"]]]);
    assert.equal(diffPlans(base, plan(S, [envVar("STRIPE_SECRET_KEY", "sk_live_canary_OLD_9f3a")])).counts.unchanged, 1, "same secret: unchanged");
  });

  it("never prints a secret value, in any format, even when it changed", () => {
    const oldValue = "sk_live_canary_OLD_9f3a";
    const newValue = "sk_live_canary_NEW_7b2c";
    const base = plan(S, [envVar("STRIPE_SECRET_KEY", oldValue)]);
    const v = violation("vercel-secret-is-sensitive", S, ENV_VAR, "stripe-key");
    const current = { ...plan(S, [envVar("STRIPE_SECRET_KEY", newValue)], policySection([v], [waived(v)])), diff: diffPlans(base, plan(S, [envVar("STRIPE_SECRET_KEY", newValue)])) };
    const outputs = {
      json: JSON.stringify(current),
      text: renderText(current),
      markdown: renderMarkdown([current]),
      sarif: JSON.stringify(renderSarif(current)),
    };
    assert.match(outputs.text, /value \(secret\)/);
    assert.match(outputs.markdown, /`value` \(secret\)/);
    for (const [format, output] of Object.entries(outputs)) {
      for (const secret of [oldValue, newValue]) {
        assert.ok(!output.includes(secret), `${format} prints ${secret}`);
        assert.ok(!output.includes(createHash("sha256").update(secret).digest("hex").slice(0, 16)), `${format} prints a plain hash of ${secret}`);
      }
    }
  });

  it("fingerprints are salted per resource: equal values on two resources differ, and no plain hash", () => {
    const a = plan(S, [envVar("A", "same-value", "a"), envVar("B", "same-value", "b")]);
    const fa = resource(a, "a").secretFingerprints?.["value"];
    const fb = resource(a, "b").secretFingerprints?.["value"];
    assert.ok(fa && fb);
    assert.notEqual(fa, fb);
    assert.match(fa, /^hmac-sha256:[0-9a-f]{16}$/);
    const plain = createHash("sha256").update("same-value").digest("hex");
    assert.ok(!plain.includes(fa.slice("hmac-sha256:".length)));
    assert.equal(secretFingerprint(resource(a, "a").urn, "value", "same-value"), fa, "deterministic, so two runs compare");
    assert.equal(resource(plan(S, [ruleset(1)]), "main-ruleset").secretFingerprints, undefined, "no secrets: no field");
  });

  it("treats secrets of a base plan saved before fingerprints existed as unchanged", () => {
    const base = plan(S, [envVar("STRIPE_SECRET_KEY", "old")]);
    delete resource(base, "stripe-key").secretFingerprints;
    const diff = diffPlans(base, plan(S, [envVar("STRIPE_SECRET_KEY", "new")]));
    assert.deepEqual(diff.counts, { create: 0, update: 0, replace: 0, delete: 0, unchanged: 1 });
  });
});
