import { strict as assert } from "node:assert";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { policyRegistry } from "../../policies/lib/define";
import { UNKNOWN_STRING } from "../../policies/lib/values";
import { DEFAULT_LIMITS, loadWaivers, settleWaivers, WaiverBook, waiverHousekeeping, WaiverLimits, withWaivers } from "../../policies/lib/waivers";
import { buildPack } from "../../policies/pack";
import { allPolicies } from "../../policies/rules";
import { ISOLATION_POLICY } from "../../policies/rules/isolation";
import { validStack } from "./fixtures";
import { Fixture, judge, urnOf, Verdict, withEnvironment, withInput } from "./judge";
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
  // Without every stack's identity (a config only isolation*.spec.ts gives) the isolation policy has nothing to judge (./judge.ts).
  const policies = [...allPolicies.filter((policy) => policy.name !== ISOLATION_POLICY).map((policy) => withWaivers(policy, waivers)), waiverHousekeeping(waivers)];
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

    it("waives only the policy it names: another policy's violation on the same resource stands", () => {
      const verdicts = judgeWith(book(file(waiver({ policy: "secrets-rotation-register-complete" }))));
      assert.deepEqual(levels(verdicts), [["vercel-env-var-sensitive", "(policy level)"], ["policy-waivers-valid", "advisory"]]);
      assert.match(verdicts[1]!.message, /waivers\[0\] \(secrets-rotation-register-complete on env-API_BASE_URL.*matched no violation/);
    });

    it("holds up to its expiry instant and up to the limit's last moment; approvers match without case or surrounding spaces", () => {
      assert.deepEqual(levels(judgeWith(book(file(waiver({ expires: NOW }))))), [["vercel-env-var-sensitive", "advisory"]], "expires now");
      assert.deepEqual(levels(judgeWith(book(file(waiver({ expires: "2026-12-10T16:00:00Z" }))))), [["vercel-env-var-sensitive", "advisory"]], "exactly 30 days away");
      for (const expires of ["2026-11-20T12:00Z", "2026-11-20T12:00:00.250Z", "2026-11-20T12:00:00+05:30", "2026-11-20T12:00-08:00"]) {
        assert.deepEqual(levels(judgeWith(book(file(waiver({ expires }))))), [["vercel-env-var-sensitive", "advisory"]], `an instant written ${expires}`);
      }
      const spaced = { ...LIMITS, approvers: [" Maria-Chen "] };
      assert.deepEqual(levels(judgeWith(book(file(waiver({ approvedBy: "maria-chen " })), spaced))), [["vercel-env-var-sensitive", "advisory"]]);
    });

    it("leaves an advisory note as it is: a violation not judged until apply is not waived", () => {
      const stack = withInput(validStack(), "rotation-STRIPE_SECRET_KEY", "insecureValue", UNKNOWN_STRING);
      const verdicts = judgeWith(book(file(waiver({ policy: "secrets-rotation-register-current", resource: "rotation-STRIPE_SECRET_KEY" }))), stack);
      assert.deepEqual(levels(verdicts), [["secrets-rotation-register-current", "advisory"], ["policy-waivers-valid", "advisory"]]);
      assert.match(verdicts[0]!.message, /not judged during preview/);
      assert.match(verdicts[1]!.message, /matched no violation/);
    });

    it("an emergency waiver of the deploy schedule covers the stack-level violation for the day", () => {
      const friday = (fields: Record<string, string>) => judgeWith(book(file(waiver({ policy: "schedule-production-deploy-window", expires: "2026-11-13", ...fields }))), validStack(), FRIDAY);
      assert.deepEqual(levels(friday({ resource: "*" })), [["schedule-production-deploy-window", "advisory"]]);
      assert.deepEqual(levels(friday({ resource: "urn:pulumi:production::flightdeck::pulumi:pulumi:Stack::flightdeck-production" })), [["schedule-production-deploy-window", "advisory"]], "the root stack's URN");
      // The engine attributes stack-level violations to the root stack resource, <project>-<stack>.
      assert.deepEqual(levels(friday({ resource: "flightdeck-production" })), [["schedule-production-deploy-window", "advisory"]]);
      assert.deepEqual(levels(friday({ resource: "env-API_BASE_URL" })).map(([policy]) => policy), ["schedule-production-deploy-window", "policy-waivers-valid"], "a resource waiver does not cover the stack");
    });

    it("a stack's shorter limit for one policy holds beside the one-day limit of an emergency deploy", () => {
      // The stack config gives maxDaysByPolicy whole; the deploy schedule's one day stays unless it is named.
      const shorter = { approvers: LIMITS.approvers, maxDays: 30, maxDaysByPolicy: { "vercel-env-var-sensitive": 5 } };
      const gate = (verdicts: Verdict[]) => verdicts.filter((v) => v.policy === "policy-waivers-valid").map((v) => [v.enforcementLevel, v.message]);
      assert.deepEqual(gate(judgeWith(book(file(waiver({ expires: "2026-11-15T16:00:00Z" })), shorter))), [], "exactly 5 days away");
      const week = gate(judgeWith(book(file(waiver({ expires: "2026-11-17" })), shorter)));
      assert.deepEqual(week.map(([level]) => level), ["mandatory"]);
      assert.match(week[0]![1]!, /waivers\[0\] \(policy vercel-env-var-sensitive\): expires 2026-11-17, more than 5 day\(s\) away/);
      const emergency = gate(judgeWith(book(file(waiver({ policy: "schedule-production-deploy-window", resource: "*", expires: "2026-11-13" })), shorter), validStack(), "2026-11-10T16:00:00Z"));
      assert.deepEqual(emergency.map(([level]) => level), ["mandatory"]);
      assert.match(emergency[0]![1]!, /expires 2026-11-13, more than 1 day\(s\) away; a waiver of schedule-production-deploy-window lasts at most 1 day\(s\)/);
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
      { title: "a policy with a wildcard before it", text: () => file(waiver({ policy: "*vercel-env-var-sensitive" })), problem: /policy: must name one policy \(no wildcard\)/ },
      { title: "a policy with a wildcard after its last word", text: () => file(waiver({ policy: "vercel-env-var-*" })), problem: /policy: must name one policy \(no wildcard\)/ },
      { title: "a stack with a wildcard before it", text: () => file(waiver({ stack: "*production" })), problem: /stack: must name one stack \(no wildcard\)/ },
      { title: "a blank resource", text: () => file(waiver({ resource: "  " })), problem: /resource: must name the resources it covers/ },
      { title: "a policy the pack does not have", text: () => file(waiver({ policy: "vercel-env-var-secret" })), problem: /names no policy of this pack/ },
      { title: "a critical policy", text: () => file(waiver({ policy: "secrets-plain-input-no-credentials" })), problem: /is critical and cannot be waived/ },
      { title: "the gate's own check", text: () => file(waiver({ policy: "policy-waivers-valid" })), problem: /the gate's own check and cannot be waived/ },
      { title: "a bare * for a high-severity policy", text: () => file(waiver({ resource: "*" })), problem: /would waive a high-severity policy for every resource/ },
      { title: "an all-wildcard URN for a high-severity policy", text: () => file(waiver({ resource: "urn:pulumi:production::flightdeck::**" })), problem: /for every resource/ },
      { title: "wildcards around a separator every name has (*-*) for a high-severity policy", text: () => file(waiver({ resource: "*-*" })), problem: /for every resource/ },
      { title: "a ?* name pattern for a high-severity policy", text: () => file(waiver({ resource: "urn:pulumi:production::flightdeck::vercel:index/projectEnvironmentVariable:ProjectEnvironmentVariable::?*" })), problem: /for every resource/ },
      { title: "a bare * with spaces around it for a high-severity policy", text: () => file(waiver({ resource: " * " })), problem: /would waive a high-severity policy for every resource/ },
      { title: "a blank reason", text: () => file(waiver({ reason: "          " })), problem: /reason: must say why/ },
      { title: "two fields wrong at once", text: () => file(waiver({ stack: "*", reason: "because" })), problem: /is malformed: stack: must name one stack \(no wildcard\); reason: must say why/ },
      { title: "an entry that is not a mapping", text: () => "waivers:\n  - vercel-env-var-sensitive\n  -\n", problem: /waivers\[0\] is malformed: \(entry\): / },
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
      { title: "an instant without a time zone (read in whoever runs the pack's zone)", text: () => file(waiver({ expires: "2026-11-20T12:00:00" })), problem: /expires: must be a date YYYY-MM-DD or an ISO 8601 instant/ },
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

    it("a glob that matches every resource but the stack itself and its providers is as broad as *", () => {
      const variable = (name: string): Fixture => ({ ...PLAIN, name, props: { projectId: "prj_1", key: name.slice(4), value: "https://flightpro.com", targets: ["production"], sensitive: false } });
      const root: Fixture[] = [{ type: "pulumi:pulumi:Stack", name: "flightdeck-production", props: {} }, { type: "pulumi:providers:vercel", name: "default_5_4_1", props: {} }];
      const gate = (verdicts: Verdict[]) => verdicts.filter((v) => v.policy === "policy-waivers-valid").map((v) => [v.enforcementLevel, v.message]);
      const two = judgeWith(book(file(waiver({ resource: "env-*" }))), [...root, variable("env-API_BASE_URL"), variable("env-OTHER_URL")]);
      assert.deepEqual(gate(two).map(([level]) => level), ["mandatory"]);
      assert.match(gate(two)[0]![1]!, /matches every resource of stack production \(2 of 2\)/);
      // One resource is every resource too, but naming it is what a waiver should do.
      assert.deepEqual(gate(judgeWith(book(file(waiver({ resource: "env-*" }))), [...root, variable("env-API_BASE_URL")])), []);
      // A staging waiver is judged in staging, by staging's approvers and resources: beside a production
      // waiver it neither spoils the file for production nor gets a note there.
      const both = judgeWith(book(file(waiver(), waiver({ resource: "env-*", stack: "staging", approvedBy: "someone-else" }))), [...root, variable("env-API_BASE_URL"), variable("env-OTHER_URL")]);
      assert.deepEqual(
        both.filter((v) => v.policy === "vercel-env-var-sensitive" || v.policy === "policy-waivers-valid").map((v) => [v.policy, v.urn, v.enforcementLevel ?? "(policy level)"]),
        [["vercel-env-var-sensitive", urnOf(PLAIN), "advisory"], ["vercel-env-var-sensitive", urnOf({ ...PLAIN, name: "env-OTHER_URL" }), "(policy level)"]],
      );
      // A glob narrower than * is fine.
      assert.deepEqual(gate(judgeWith(book(file(waiver({ resource: "*_BASE_URL" }))))), []);
    });

    it("reports problems in file order, past the tenth entry too", () => {
      // waivers[10]'s approver is found when the book is settled, waivers[3]'s breadth only when the stack is judged.
      const entries = Array.from({ length: 11 }, (_, index) => waiver({ resource: index === 3 ? "*n*" : `env-${index}`, approvedBy: index === 10 ? "mallory" : "maria-chen" }));
      const errors = judgeWith(book(file(...entries))).filter((v) => v.policy === "policy-waivers-valid");
      assert.deepEqual(errors.map((v) => /waivers\[(\d+)\]/.exec(v.message)?.[1]), ["3", "10"]);
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
      assert.match(book("exceptions: []\nnotes: []\n").problems[0]!, /expected a mapping with only a `waivers` list \(unexpected: exceptions, notes\)$/);
      assert.match(book("- policy: vercel-env-var-sensitive\n").problems[0]!, /: expected a mapping with only a `waivers` list$/, "a bare list");
      assert.match(book("waivers\n").problems[0]!, /: expected a mapping with only a `waivers` list$/, "a bare word");
      const scalar = book("waivers: vercel-env-var-sensitive\n").problems;
      assert.equal(scalar.length, 1);
      assert.match(scalar[0]!, /\.yaml: waivers must be a list$/);
      const none = loadWaivers(path.join(dir, "absent.yaml"), severityOf);
      assert.deepEqual([none.problems, none.waivers], [[], []]);
    });

    it("an empty file or an empty `waivers:` waives nothing and is no problem", () => {
      for (const text of ["", "# no waivers\n", "{}\n", "waivers:\n", "waivers: []\n"]) {
        const empty = book(text);
        assert.deepEqual([empty.problems, empty.limitProblems, empty.waivers], [[], [], []], JSON.stringify(text));
      }
    });

    it("an entry with no policy is named by its index alone", () => {
      const { policy: _policy, ...rest } = waiver();
      assert.match(book(file(rest)).problems[0]!, /: waivers\[0\] is malformed: policy: /);
    });

    it("the shipped waivers file is valid", () => {
      const shipped = loadWaivers(path.join(__dirname, "..", "..", "policies", "waivers.yaml"), severityOf);
      settleWaivers(shipped, LIMITS, "production", new Date(NOW));
      assert.deepEqual([...shipped.problems, ...shipped.limitProblems], []);
    });
  });
});
