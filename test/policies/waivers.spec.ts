import { strict as assert } from "node:assert";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { loadWaivers, waiverHousekeeping, WaiverBook, withWaivers } from "../../policies/lib/waivers";
import { allPolicies } from "../../policies/rules";
import { validStack } from "./fixtures";
import { judge, urnOf, Verdict, withInput } from "./judge";

const dir = mkdtempSync(path.join(tmpdir(), "flightdeck-waivers-"));
let count = 0;
function waiversFile(text: string): string {
  const file = path.join(dir, `waivers-${count++}.yaml`);
  writeFileSync(file, text);
  return file;
}

const ROLE = { type: "postgresql:index/role:Role", name: "db-app" };
const superuser = () => withInput(validStack(), "db-app", "superuser", true);
const entry = (fields: Record<string, string>) =>
  `waivers:\n  - ${Object.entries({ policy: "database-login-role-least-privilege", resource: "db-app", stack: "production", reason: "Vendor migration tool needs it until INC-42 closes", approvedBy: "maria-chen", expires: "2026-12-01", ...fields })
    .map(([key, value]) => `${key}: ${JSON.stringify(value)}`)
    .join("\n    ")}\n`;

function judgeWith(book: WaiverBook, stack = superuser(), now = "2026-11-10T16:00:00Z"): Verdict[] {
  const policies = [...allPolicies.map((policy) => withWaivers(policy, book)), waiverHousekeeping(book, allPolicies.map((policy) => policy.name))];
  return judge(stack, { policies, now });
}

describe("policies: waivers", () => {
  it("a matching, unexpired waiver turns the violation into an advisory note naming approver, expiry and reason", () => {
    const verdicts = judgeWith(loadWaivers(waiversFile(entry({}))));
    assert.equal(verdicts.length, 1, JSON.stringify(verdicts));
    assert.equal(verdicts[0]!.policy, "database-login-role-least-privilege");
    assert.equal(verdicts[0]!.enforcementLevel, "advisory");
    assert.match(verdicts[0]!.message, /^waived by maria-chen until 2026-12-01: Vendor migration tool needs it until INC-42 closes\n.*superuser/s);
  });

  it("matches the resource by URN or name glob, and only in its stack", () => {
    assert.equal(judgeWith(loadWaivers(waiversFile(entry({ resource: urnOf(ROLE) }))))[0]!.enforcementLevel, "advisory");
    assert.equal(judgeWith(loadWaivers(waiversFile(entry({ resource: "db-*" }))))[0]!.enforcementLevel, "advisory");
    const otherStack = judgeWith(loadWaivers(waiversFile(entry({ stack: "staging" }))));
    assert.deepEqual(otherStack.map((v) => [v.policy, v.enforcementLevel]), [["database-login-role-least-privilege", undefined]]);
  });

  it("an expired waiver waives nothing and is reported", () => {
    const verdicts = judgeWith(loadWaivers(waiversFile(entry({ expires: "2026-11-09" }))));
    assert.deepEqual(verdicts.map((v) => v.policy), ["database-login-role-least-privilege", "policy-waivers-valid"]);
    assert.equal(verdicts[0]!.enforcementLevel, undefined);
    assert.match(verdicts[1]!.message, /expired on 2026-11-09: the violation it covered stands/);
    assert.equal(verdicts[1]!.enforcementLevel, "advisory");
  });

  it("a waiver is valid through its expiry day", () => {
    const verdicts = judgeWith(loadWaivers(waiversFile(entry({ expires: "2026-11-10" }))), superuser(), "2026-11-10T18:59:00Z");
    assert.equal(verdicts[0]!.enforcementLevel, "advisory");
  });

  it("a waiver that matches nothing, or names no policy, is reported", () => {
    const unmatched = judgeWith(loadWaivers(waiversFile(entry({}))), validStack());
    assert.equal(unmatched.length, 1);
    assert.match(unmatched[0]!.message, /matched no violation: remove it/);
    const unknown = judgeWith(loadWaivers(waiversFile(entry({ policy: "no-such-policy-here" }))), validStack());
    assert.match(unknown[0]!.message, /names no policy of this pack/);
  });

  it("a malformed file fails closed: every violation stands, and an error names the bad entry", () => {
    const file = waiversFile(entry({}) + `  - policy: database-login-role-least-privilege\n    resource: db-app\n    stack: production\n    reason: ok\n    expires: next week\n`);
    const book = loadWaivers(file);
    assert.deepEqual(book.waivers, []);
    const verdicts = judgeWith(book);
    assert.deepEqual(verdicts.map((v) => [v.policy, v.enforcementLevel]), [
      ["database-login-role-least-privilege", undefined],
      ["policy-waivers-valid", "mandatory"],
    ]);
    assert.match(verdicts[1]!.message, /waivers\[1\] \(policy database-login-role-least-privilege\) is malformed: .*reason: must say why.*approvedBy.*expires: must be YYYY-MM-DD/);
  });

  it("unreadable YAML and unknown keys fail closed too", () => {
    assert.match(loadWaivers(waiversFile("waivers: [\n")).problems[0]!, /not valid YAML/);
    assert.match(loadWaivers(waiversFile("exceptions: []\n")).problems[0]!, /unexpected: exceptions/);
    assert.match(loadWaivers(waiversFile(entry({}).replace("    expires", "    ticket: X\n    expires"))).problems[0]!, /ticket/);
  });

  it("no file means no waivers, and the shipped file is valid", () => {
    assert.deepEqual(loadWaivers(path.join(dir, "absent.yaml")).problems, []);
    assert.deepEqual(loadWaivers(path.join(__dirname, "..", "..", "policies", "waivers.yaml")).problems, []);
  });
});
