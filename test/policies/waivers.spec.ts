import { strict as assert } from "node:assert";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { policyRegistry } from "../../policies/lib/define";
import { DEFAULT_LIMITS, loadWaivers, settleWaivers, WaiverBook, waiverHousekeeping, WaiverLimits, withWaivers } from "../../policies/lib/waivers";
import { buildPack } from "../../policies/pack";
import { allPolicies } from "../../policies/rules";
import { validStack } from "./fixtures";
import { Fixture, judge, urnOf, Verdict, withEnvironment } from "./judge";
import { scratchDir } from "../harness/scratch";

/** The limits production's policy config sets (policies/config/production.json, policy-waivers-valid). */
const LIMITS: WaiverLimits = { ...DEFAULT_LIMITS, approvers: ["maria-chen", "dev-okafor"] };
/** Tuesday 2026-11-10, 11:00 in New York: inside the deploy window. */
const NOW = "2026-11-10T16:00:00Z";
/** Friday 2026-11-13, 11:00 in New York: outside the deploy window (Tue/Thu only). */
const FRIDAY = "2026-11-13T16:00:00Z";

const severityOf = (name: string) => policyRegistry.get(name)?.severity;

let dir: string;
let count = 0;
before(() => {
  // pack.ts registers the gate's own policy (policy-waivers-valid).
  buildPack({ waiversFile: path.join(tmpdir(), "flightdeck-no-such-waivers.yaml"), stack: "production", project: "flightdeck" });
  dir = scratchDir("waivers");
});

/** The limits each book is judged with: policy-waivers-valid's settings, which only that policy reads (its args.getConfig()). */
const limitsOf = new WeakMap<WaiverBook, WaiverLimits>();

function book(text: string, limits: WaiverLimits = LIMITS): WaiverBook {
  const file = path.join(dir, `waivers-${count++}.yaml`);
  writeFileSync(file, text);
  const loaded = loadWaivers(file, severityOf);
  limitsOf.set(loaded, limits);
  return loaded;
}

/** A plain (non-sensitive) Vercel variable that is not public: one violation of vercel-env-var-sensitive (high). */
const PLAIN = { type: "vercel:index/projectEnvironmentVariable:ProjectEnvironmentVariable", name: "env-API_BASE_URL" };
function plainVariable(): Fixture[] {
  return [...validStack(), { ...PLAIN, props: { projectId: "prj_1", key: "API_BASE_URL", value: "https://api.flightpro.com", targets: ["production"], sensitive: false } }];
}

function waiver(fields: Record<string, string> = {}): Record<string, string> {
  return {
    policy: "vercel-env-var-sensitive",
    resource: "env-API_BASE_URL",
    stack: "production",
    reason: "Vercel support ticket 1234: sensitive variables break preview builds",
    approvedBy: "maria-chen",
    expires: "2026-11-30",
    ...fields,
  };
}

function file(...entries: Record<string, string>[]): string {
  return `waivers:\n${entries.map((entry) => `  - ${Object.entries(entry).map(([key, value]) => `${key}: ${JSON.stringify(value)}`).join("\n    ")}\n`).join("")}`;
}

function judgeWith(waivers: WaiverBook, stack: Fixture[] = plainVariable(), now = NOW): Verdict[] {
  const policies = [...allPolicies.map((policy) => withWaivers(policy, waivers)), waiverHousekeeping(waivers)];
  const config = { "policy-waivers-valid": { ...(limitsOf.get(waivers) ?? LIMITS) } };
  return withEnvironment({ PULUMI_NODEJS_PROJECT: "flightdeck" }, () => judge(stack, { policies, now, config }));
}

const levels = (verdicts: Verdict[]) => verdicts.map((v) => [v.policy, v.enforcementLevel ?? "(policy level)"]);

describe("policies: waivers", () => {
  describe("a valid waiver", () => {
    it("turns the violation into an advisory note naming approver, expiry and reason; nothing else is reported", () => {
      assert.deepEqual(levels(judgeWith(book(""))), [["vercel-env-var-sensitive", "(policy level)"]], "the violation this spec waives");
      const verdicts = judgeWith(book(file(waiver())));
      assert.deepEqual(levels(verdicts), [["vercel-env-var-sensitive", "advisory"]]);
      assert.match(verdicts[0]!.message, /^waived by maria-chen until 2026-11-30: Vercel support ticket 1234: sensitive variables break preview builds\n.*API_BASE_URL/s);
    });

    it("matches by URN, or a glob on the name or URN, approver case aside, and only in its own stack", () => {
      for (const resource of [urnOf(PLAIN), "env-API_*", "*::env-API_BASE_URL"]) {
        assert.deepEqual(levels(judgeWith(book(file(waiver({ resource }))))), [["vercel-env-var-sensitive", "advisory"]], resource);
      }
      assert.deepEqual(levels(judgeWith(book(file(waiver({ approvedBy: "Maria-Chen" }))))), [["vercel-env-var-sensitive", "advisory"]]);
      // A staging waiver neither applies in production nor is held to production's approvers.
      assert.deepEqual(levels(judgeWith(book(file(waiver({ stack: "staging", approvedBy: "someone-else" }))))), [["vercel-env-var-sensitive", "(policy level)"]]);
    });

    it("an emergency waiver of the deploy schedule covers the stack-level violation for the day", () => {
      const friday = (fields: Record<string, string>) => judgeWith(book(file(waiver({ policy: "schedule-production-deploy-window", expires: "2026-11-13", ...fields }))), validStack(), FRIDAY);
      assert.deepEqual(levels(friday({ resource: "*" })), [["schedule-production-deploy-window", "advisory"]]);
      // The engine attributes stack-level violations to the root stack resource, <project>-<stack>.
      assert.deepEqual(levels(friday({ resource: "flightdeck-production" })), [["schedule-production-deploy-window", "advisory"]]);
      assert.deepEqual(levels(friday({ resource: "env-API_BASE_URL" })).map(([policy]) => policy), ["schedule-production-deploy-window", "policy-waivers-valid"], "a resource waiver does not cover the stack");
    });

    it("is valid through its expiry day (UTC), and an expired one waives nothing and is reported as advisory", () => {
      // 23:59 UTC is after the deploy window: only this policy's verdict matters here.
      const late = judgeWith(book(file(waiver({ expires: "2026-11-10" }))), plainVariable(), "2026-11-10T23:59:00Z");
      assert.deepEqual(levels(late.filter((v) => v.policy === "vercel-env-var-sensitive")), [["vercel-env-var-sensitive", "advisory"]]);
      const expired = judgeWith(book(file(waiver({ expires: "2026-11-09" }))));
      assert.deepEqual(levels(expired), [["vercel-env-var-sensitive", "(policy level)"], ["policy-waivers-valid", "advisory"]]);
      assert.match(expired[1]!.message, /expired on 2026-11-09: the violation it covered stands/);
    });

    it("one that covers no resource of the stack, or matched no violation, is reported as advisory", () => {
      const nothing = judgeWith(book(file(waiver({ resource: "env-RENAMED" }))));
      assert.deepEqual(levels(nothing), [["vercel-env-var-sensitive", "(policy level)"], ["policy-waivers-valid", "advisory"]]);
      assert.match(nothing[1]!.message, /matches no resource of stack production/);
      const unused = judgeWith(book(file(waiver({ resource: "env-NEXT_PUBLIC_API_URL" }))));
      assert.deepEqual(levels(unused), [["vercel-env-var-sensitive", "(policy level)"], ["policy-waivers-valid", "advisory"]]);
      assert.match(unused[1]!.message, /waivers\[0\] .*env-NEXT_PUBLIC_API_URL.* matched no violation: remove it/);
    });
  });

  describe("invalid waivers are refused: each problem is a mandatory error", () => {
    // A problem of the file itself: the file waives nothing. A waiver outside policy-waivers-valid's limits (`limit`): only
    // that policy sees its settings, and it runs last, so the violations the waiver turned into notes stand by its error.
    const cases: { title: string; text: () => string; at?: string; problem: RegExp; limit?: true }[] = [
      { title: "a wildcard stack", text: () => file(waiver({ stack: "*" })), problem: /stack: must name one stack \(no wildcard\)/ },
      { title: "a stack glob", text: () => file(waiver({ stack: "prod*" })), problem: /stack: must name one stack/ },
      { title: "a policy glob", text: () => file(waiver({ policy: "vercel-*" })), problem: /policy: must name one policy \(no wildcard\)/ },
      { title: "a policy the pack does not have", text: () => file(waiver({ policy: "vercel-env-var-secret" })), problem: /names no policy of this pack/ },
      { title: "a critical policy", text: () => file(waiver({ policy: "secrets-plain-input-no-credentials" })), problem: /is critical and cannot be waived/ },
      { title: "the gate's own check", text: () => file(waiver({ policy: "policy-waivers-valid" })), problem: /the gate's own check and cannot be waived/ },
      { title: "a bare * for a high-severity policy", text: () => file(waiver({ resource: "*" })), problem: /would waive a high-severity policy for every resource/ },
      { title: "an all-wildcard URN for a high-severity policy", text: () => file(waiver({ resource: "urn:pulumi:production::flightdeck::**" })), problem: /for every resource/ },
      { title: "wildcards around a separator every name has (*-*) for a high-severity policy", text: () => file(waiver({ resource: "*-*" })), problem: /for every resource/ },
      { title: "a ?* name pattern for a high-severity policy", text: () => file(waiver({ resource: "urn:pulumi:production::flightdeck::vercel:index/projectEnvironmentVariable:ProjectEnvironmentVariable::?*" })), problem: /for every resource/ },
      { title: "a blank reason", text: () => file(waiver({ reason: "          " })), problem: /reason: must say why/ },
      { title: "a blank approver", text: () => file(waiver({ approvedBy: "   " })), problem: /approvedBy: must name who approved it/ },
      { title: "an approver not in the configured list", text: () => file(waiver({ approvedBy: "mallory" })), problem: /approvedBy mallory is not an approver \(policy-waivers-valid approvers: one of maria-chen, dev-okafor\)/, limit: true },
      { title: "an expiry more than 30 days away", text: () => file(waiver({ expires: "2026-12-31" })), problem: /expires 2026-12-31, more than 30 day\(s\) away/, limit: true },
      { title: "an instant 31 days away", text: () => file(waiver({ expires: "2026-12-11T16:01:00Z" })), problem: /more than 30 day\(s\) away/, limit: true },
      {
        title: "a schedule waiver of more than a day",
        text: () => file(waiver({ policy: "schedule-production-deploy-window", resource: "*", expires: "2026-11-12" })),
        problem: /a waiver of schedule-production-deploy-window lasts at most 1 day/,
        limit: true,
      },
      { title: "a date that does not exist", text: () => file(waiver({ expires: "2026-11-31" })), problem: /expires: must be a date YYYY-MM-DD/ },
      { title: "a key given twice", text: () => file(waiver()).replace("    approvedBy:", '    reason: "again, with feeling"\n    approvedBy:'), problem: /not valid YAML: Map keys must be unique/ },
      { title: "an unknown field", text: () => file({ ...waiver(), ticket: "INC-42" }), problem: /Unrecognized key.*ticket|ticket/ },
      { title: "the same waiver twice", text: () => file(waiver(), waiver({ reason: "the same waiver, approved again" })), problem: /waivers\[1\] \(policy vercel-env-var-sensitive\) repeats waivers\[0\]/ },
      { title: "a field missing", text: () => file(Object.fromEntries(Object.entries(waiver()).filter(([key]) => key !== "approvedBy"))), problem: /approvedBy: Invalid input/ },
    ];
    for (const { title, text, at, problem, limit } of cases) {
      it(title, () => {
        // A valid waiver of another resource rides along: for a problem of the file it must be refused too (the file fails closed).
        const other = { ...PLAIN, name: "env-OTHER_URL" };
        const stack = [...plainVariable(), { ...other, props: { projectId: "prj_1", key: "OTHER_URL", value: "https://flightpro.com", targets: ["production"], sensitive: false } }];
        const valid = file(waiver({ resource: "env-OTHER_URL" })).replace(/^waivers:\n/, "");
        const verdicts = judgeWith(book(`${text()}${valid}`), stack, at ?? NOW);
        const errors = verdicts.filter((v) => v.policy === "policy-waivers-valid");
        assert.ok(errors.length >= 1 && errors.every((v) => v.enforcementLevel === "mandatory"), JSON.stringify(errors));
        assert.ok(errors.some((v) => problem.test(v.message)), errors.map((v) => v.message).join("\n"));
        const unwaived = verdicts.filter((v) => v.policy === "vercel-env-var-sensitive" && v.enforcementLevel === undefined);
        if (limit) {
          assert.ok(errors.every((v) => /the violations it waived stand until it is fixed$/.test(v.message)), errors.map((v) => v.message).join("\n"));
        } else {
          assert.equal(unwaived.length, 2, JSON.stringify(verdicts));
          assert.ok(unwaived.every((v) => !v.message.startsWith("waived by")), "no waiver applies");
          assert.ok(errors.every((v) => /no waiver applies until it is fixed$/.test(v.message)));
        }
      });
    }

    it("a glob that matches every resource of the stack is as broad as * for a high-severity policy: refused when the stack is judged", () => {
      // Only the stack's resources say a glob covers all of them (a stack's names share its prefix: flightpro-production-*).
      for (const resource of ["urn:pulumi:*", "*n*"]) {
        const verdicts = judgeWith(book(file(waiver({ resource }))));
        const errors = verdicts.filter((v) => v.policy === "policy-waivers-valid");
        assert.ok(errors.some((v) => v.enforcementLevel === "mandatory" && /matches every resource of stack production \(\d+ of \d+\), as a bare \* would/.test(v.message)), `${resource}: ${JSON.stringify(verdicts)}`);
      }
      // A glob that names some of them is fine.
      assert.deepEqual(levels(judgeWith(book(file(waiver({ resource: "env-API_*" }))))), [["vercel-env-var-sensitive", "advisory"]]);
    });

    it("reports several distinct bad waivers at once, each by its index", () => {
      const verdicts = judgeWith(
        book(file(waiver({ stack: "*" }), waiver({ approvedBy: "mallory" }), waiver({ policy: "database-role-password-generated", resource: "db-app" }), waiver({ resource: "env-*", expires: "2027-01-10" }))),
      );
      const errors = verdicts.filter((v) => v.policy === "policy-waivers-valid").map((v) => v.message);
      assert.equal(errors.length, 4, errors.join("\n"));
      assert.match(errors.join("\n"), /waivers\[0\][\s\S]*waivers\[1\][\s\S]*waivers\[2\][\s\S]*waivers\[3\]/);
    });

    it("with no approvers configured (the default), every waiver of the stack is refused", () => {
      const verdicts = judgeWith(book(file(waiver()), DEFAULT_LIMITS));
      assert.match(verdicts.find((v) => v.policy === "policy-waivers-valid")!.message, /approvedBy maria-chen is not an approver \(policy-waivers-valid approvers: none are configured\)/);
    });

    it("names the line and column of each problem (issue 19, class 8): the field a malformed entry gets wrong, an entry that cannot waive, the field past a limit, a YAML error", () => {
      const text = file(waiver(), waiver({ stack: "*" }), waiver({ policy: "secrets-plain-input-no-credentials" }), waiver({ resource: "env-OTHER_URL", approvedBy: "mallory" }));
      const lines = text.split("\n");
      /** 1-based line and column of `needle` in the n-th line (from 1) that has it. */
      const at = (needle: string, nth = 1): string => {
        const index = lines.map((line, i) => (line.includes(needle) ? i : -1)).filter((i) => i >= 0)[nth - 1]!;
        return `${index + 1}:${lines[index]!.indexOf(needle) + 1}`;
      };
      const loaded = book(text);
      assert.deepEqual(
        loaded.problems.map((problem) => problem.replace(`${loaded.file}:`, "").replace(/ \(policy .*$/, "")),
        // A malformed entry at the value it gets wrong; an entry that names a critical policy at the entry (its first key).
        [`${at('"*"')}: waivers[1]`, `${at("policy:", 3)}: waivers[2]`],
      );
      const limited = book(file(waiver({ approvedBy: "mallory" })));
      const limitText = file(waiver({ approvedBy: "mallory" })).split("\n");
      const errors = judgeWith(limited).filter((v) => v.policy === "policy-waivers-valid").map((v) => v.message);
      const approvedLine = limitText.findIndex((line) => line.includes('"mallory"'));
      assert.ok(errors.some((message) => message.startsWith(`${limited.file}:${approvedLine + 1}:${limitText[approvedLine]!.indexOf('"mallory"') + 1}: waivers[0] (policy vercel-env-var-sensitive): approvedBy mallory`)), errors.join("\n"));
      assert.match(book("waivers:\n  - policy: a\n    policy: b\n").problems[0]!, /waivers-\d+\.yaml:3:5: not valid YAML: Map keys must be unique/);
    });

    it("unreadable YAML or another top-level key fails closed too; no file means no waivers", () => {
      assert.match(book("waivers: [\n").problems[0]!, /not valid YAML/);
      assert.match(book("exceptions: []\n").problems[0]!, /unexpected: exceptions/);
      const none = loadWaivers(path.join(dir, "absent.yaml"), severityOf);
      assert.deepEqual([none.problems, none.waivers], [[], []]);
    });

    it("the shipped waivers file is valid", () => {
      const shipped = loadWaivers(path.join(__dirname, "..", "..", "policies", "waivers.yaml"), severityOf);
      settleWaivers(shipped, LIMITS, "production", new Date(NOW));
      assert.deepEqual([...shipped.problems, ...shipped.limitProblems], []);
    });
  });
});
