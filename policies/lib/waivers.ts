import { existsSync, readFileSync } from "node:fs";
import type { PolicyResource, ReportViolation, ResourceValidation, StackValidation, StackValidationPolicy } from "@pulumi/policy";
import { LineCounter, parseDocument } from "yaml";
import { z } from "zod";
import { now } from "./clock";
import { FlightdeckPolicy, PolicyMetadata, reportWith, Severity, stackPolicy, ViolationDetails } from "./define";
import { globMatch } from "./glob";
import { currentProject, currentStack } from "./stack";

/**
 * Waivers: an owner's signed-off, short-lived exception to one policy for named resources in one
 * stack. Pulumi has none, so the pack wraps each policy's validate function: a violation matched by
 * a valid, unexpired waiver is reported as an advisory note ("waived by X until D: reason") instead
 * of at the policy's enforcement level. A file with any invalid waiver waives nothing (fail closed)
 * and policy-waivers-valid reports every problem as mandatory.
 */
export const WAIVERS_POLICY = "policy-waivers-valid";

/** The gate's own check: a waiver of it would switch the gate off. */
const GATE_POLICIES: ReadonlySet<string> = new Set([WAIVERS_POLICY]);

// Their anchors are a second guard: without them, V8 still refuses text around an ISO instant
// (Date.parse gives NaN), and a day must come back from toISOString as written; so a mutant that drops
// an anchor survives, equivalent.
const day = /^\d{4}-\d{2}-\d{2}$/;
const instant = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** A real calendar date or instant (Date.parse rolls 2026-02-30 over to March; this does not). */
function validExpiry(value: string): boolean {
  if (!day.test(value) && !instant.test(value)) return false;
  const parsed = new Date(day.test(value) ? `${value}T00:00:00Z` : value);
  return !Number.isNaN(parsed.getTime()) && (!day.test(value) || parsed.toISOString().slice(0, 10) === value);
}

const notBlank = (minimum: number, message: string) => z.string().refine((value) => value.trim().length >= minimum, message);

export const waiverSchema = z.strictObject({
  /** Exactly one policy of the pack. */
  policy: z.string().regex(/^[a-z][a-z0-9]*(-[a-z0-9]+)+$/, "must name one policy (no wildcard)"),
  /** A URN, or a glob (`*`, `?`) matched against the URN or the resource's name; the stack's own name (`<project>-<stack>`) covers stack-level violations. */
  resource: notBlank(1, "must name the resources it covers"),
  /** Exactly one stack. */
  stack: z.string().regex(/^[A-Za-z0-9_.-]+$/, "must name one stack (no wildcard)"),
  reason: notBlank(10, "must say why (at least 10 characters)"),
  approvedBy: notBlank(1, "must name who approved it"),
  /** YYYY-MM-DD (valid through the end of that day, UTC) or an ISO 8601 instant. */
  expires: z.string().refine(validExpiry, "must be a date YYYY-MM-DD or an ISO 8601 instant"),
});
export type Waiver = z.infer<typeof waiverSchema>;
/** A waiver with its position in the file (`waivers[index]`), by which every problem names it, and its policy's severity. */
/** A well-formed entry of the file: its index, its policy's severity, and where it and its fields are (`file:line:column`). */
export type FiledWaiver = Waiver & { index: number; severity?: Severity; at?: { entry: string } & Partial<Record<keyof Waiver, string>> };

/** Who may approve a waiver and how long one may last: policy-waivers-valid's settings in the pack config. */
export interface WaiverLimits {
  /** GitHub logins (or teams) whose approval a waiver may name. */
  approvers: string[];
  /** Longest a waiver may run, in days from now. */
  maxDays: number;
  /** A shorter limit for some policies (an emergency waiver of the deploy schedule lasts a day). */
  maxDaysByPolicy: Record<string, number>;
}

export const DEFAULT_LIMITS: WaiverLimits = { approvers: [], maxDays: 30, maxDaysByPolicy: { "schedule-production-deploy-window": 1 } };

export const WAIVER_PREFIX = "waived by ";
const DAY_MS = 24 * 60 * 60 * 1000;

export function expiryOf(waiver: Waiver): Date {
  return new Date(day.test(waiver.expires) ? `${waiver.expires}T23:59:59.999Z` : waiver.expires);
}

export interface WaiverBook {
  file: string;
  /** The well-formed entries (an entry that is not is a problem, and is left out). */
  waivers: FiledWaiver[];
  /** Problems found when the file was read; with any, no waiver applies (fail closed). */
  problems: string[];
  /**
   * Problems against the limits (policy-waivers-valid's settings), found when that policy runs, last: the
   * violations such a waiver turned into notes stand, as its mandatory error says.
   */
  limitProblems: string[];
  /** File indexes of waivers that waived a violation in this process. */
  used: Set<number>;
}

/** What the book needs to know about the pack's policies. */
export type SeverityOf = (policy: string) => Severity | undefined;

function emptyBook(file: string): WaiverBook {
  return { file, waivers: [], problems: [], limitProblems: [], used: new Set() };
}

/**
 * Whether a resource pattern is nothing but wildcards (after any URN prefix), or wildcards between the
 * separators every resource name has (`*-*`, `?*`, `*_*`): it covers every resource.
 */
export function isBarePattern(resource: string): boolean {
  const name = resource.includes("::") ? resource.slice(resource.lastIndexOf("::") + 2) : resource;
  return /^[*?][*?\-_.:/ ]*$/.test(name.trim());
}

/** Resources a waiver's pattern is measured against: the stack's own resources, not its root or its providers. */
function waivableResources(resources: readonly PolicyResource[]): PolicyResource[] {
  return resources.filter((resource) => resource.type !== "pulumi:pulumi:Stack" && !resource.type.startsWith("pulumi:providers:"));
}

/**
 * Why a waiver of a high-severity policy is as broad as a bare `*` in this stack: its pattern matches
 * every resource (`flightpro-production-*` matches all of a stack whose names share that prefix).
 */
function coversEveryResource(waiver: FiledWaiver, resources: readonly PolicyResource[]): string | undefined {
  const candidates = waivableResources(resources);
  if (candidates.length < 2 || !candidates.every((resource) => resourceMatches(waiver, resource.urn))) return undefined;
  return `resource ${JSON.stringify(waiver.resource)} matches every resource of stack ${currentStack()} (${candidates.length} of ${candidates.length}), as a bare * would, for a high-severity policy; name the resources it covers (the violations it turned into notes stand)`;
}

/**
 * Reads and checks the waivers file: YAML (duplicate keys are an error), only a `waivers` list,
 * every entry complete and well-formed, naming a policy of the pack that may be waived, no bare
 * wildcard for a high-severity policy, no entry twice. A missing file means no waivers.
 */
export function loadWaivers(file: string, severityOf: SeverityOf): WaiverBook {
  const book = emptyBook(file);
  if (!existsSync(file)) return book;
  let document: unknown;
  // Kept to name the line and column of each problem (`waivers.yaml:12:7: waivers[1] …`).
  const lineCounter = new LineCounter();
  const parsed = parseDocument(readFileSync(file, "utf8"), { lineCounter });
  try {
    // The yaml package rejects duplicate keys by default (uniqueKeys: true); parse() throws the first error, as here.
    const [error] = parsed.errors;
    if (error) {
      const at = error.linePos?.[0];
      book.problems.push(`${file}${at ? `:${at.line}:${at.col}` : ""}: not valid YAML: ${error.message.split("\n")[0]}`);
      return book;
    }
    document = parsed.toJS();
  } catch (error) {
    book.problems.push(`${file}: not valid YAML: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`);
    return book;
  }
  /** `file:line:column` of the deepest node of waivers[index].<path> the file holds (the entry itself at least). */
  const located = (index: number, path: readonly PropertyKey[] = []): string => {
    for (let depth = path.length; depth >= 0; depth--) {
      const node = parsed.getIn(["waivers", index, ...path.slice(0, depth)], true) as { range?: [number, number, number] } | undefined;
      if (node?.range) {
        const { line, col } = lineCounter.linePos(node.range[0]);
        return `${file}:${line}:${col}`;
      }
    }
    return file;
  };
  if (document === null || document === undefined) return book;
  const isMapping = typeof document === "object" && !Array.isArray(document);
  const entries = isMapping ? (document as Record<string, unknown>)["waivers"] : undefined;
  const extraKeys = isMapping ? Object.keys(document).filter((key) => key !== "waivers") : [];
  if (!isMapping || extraKeys.length > 0) {
    book.problems.push(`${file}: expected a mapping with only a \`waivers\` list${extraKeys.length ? ` (unexpected: ${extraKeys.join(", ")})` : ""}`);
    return book;
  }
  if (!Array.isArray(entries) && entries !== undefined && entries !== null) {
    book.problems.push(`${file}: waivers must be a list`);
    return book;
  }
  const waivers: FiledWaiver[] = [];
  const seen = new Map<string, number>();
  (entries ?? []).forEach((entry: unknown, index: number) => {
    const label = `${located(index)}: waivers[${index}]${policyLabel(entry)}`;
    const checked = waiverSchema.safeParse(entry);
    if (!checked.success) {
      const issues = checked.error.issues.map((issue) => `${issue.path.join(".") || "(entry)"}: ${issue.message}`).join("; ");
      book.problems.push(`${located(index, checked.error.issues[0]?.path ?? [])}: waivers[${index}]${policyLabel(entry)} is malformed: ${issues}`);
      return;
    }
    const waiver = checked.data;
    const severity = severityOf(waiver.policy);
    if (GATE_POLICIES.has(waiver.policy)) book.problems.push(`${label}: ${waiver.policy} is the gate's own check and cannot be waived`);
    else if (severity === undefined) book.problems.push(`${label} names no policy of this pack`);
    else if (severity === "critical") book.problems.push(`${label}: ${waiver.policy} is critical and cannot be waived; fix the violation`);
    else if (severity === "high" && isBarePattern(waiver.resource)) {
      book.problems.push(`${label}: resource ${JSON.stringify(waiver.resource)} would waive a high-severity policy for every resource; name the resources it covers`);
    }
    const key = `${waiver.policy}\0${waiver.stack}\0${waiver.resource}`;
    const first = seen.get(key);
    if (first !== undefined) book.problems.push(`${label} repeats waivers[${first}] (same policy, stack and resource)`);
    else seen.set(key, index);
    const at = { entry: located(index), approvedBy: located(index, ["approvedBy"]), expires: located(index, ["expires"]), resource: located(index, ["resource"]) };
    waivers.push({ ...waiver, index, severity, at });
  });
  book.waivers = waivers;
  return book;
}

function policyLabel(entry: unknown): string {
  const policy = (entry as Record<string, unknown> | null | undefined)?.["policy"];
  return typeof policy === "string" ? ` (policy ${policy})` : "";
}

function maxDaysFor(limits: WaiverLimits, policy: string): number {
  const specific = limits.maxDaysByPolicy[policy];
  return specific === undefined ? limits.maxDays : Math.min(specific, limits.maxDays);
}

/**
 * Checks the waivers of `stack` against the limits at time `at`: approved by a configured approver,
 * expiring at most the allowed number of days away. (An expiry in the past is not a problem of the
 * file: that waiver has simply run out, and policy-waivers-valid says so.)
 */
export function settleWaivers(book: WaiverBook, limits: WaiverLimits, stack: string, at: Date): void {
  book.limitProblems = [];
  const approvers = new Set(limits.approvers.map((approver) => approver.trim().toLowerCase()));
  for (const waiver of book.waivers) {
    if (waiver.stack !== stack) continue;
    const label = (field: "approvedBy" | "expires") => `${waiver.at?.[field] ?? book.file}: waivers[${waiver.index}] (policy ${waiver.policy})`;
    if (!approvers.has(waiver.approvedBy.trim().toLowerCase())) {
      const who = limits.approvers.length > 0 ? `one of ${limits.approvers.join(", ")}` : "none are configured";
      book.limitProblems.push(`${label("approvedBy")}: approvedBy ${waiver.approvedBy} is not an approver (policy-waivers-valid approvers: ${who})`);
    }
    const maxDays = maxDaysFor(limits, waiver.policy);
    if (expiryOf(waiver).getTime() - at.getTime() > maxDays * DAY_MS) {
      book.limitProblems.push(`${label("expires")}: expires ${waiver.expires}, more than ${maxDays} day(s) away; a waiver of ${waiver.policy} lasts at most ${maxDays} day(s)`);
    }
  }
}

/**
 * policy-waivers-valid's limits from its settings (each one given or its default). The engine has checked
 * the settings against limitsSchema before the pack runs (pulumi/pulumi@v3.259.0:pkg/engine/update.go
 * loadPolicyPlugins, "validating policy config"; the plan does the same, tools/policy/policyConfig.ts), so
 * they are used as they are. A stack's maxDaysByPolicy adds to the defaults: the deploy schedule's one day
 * stays unless the stack names that policy.
 */
function waiverLimits(settings: WaiverLimits): WaiverLimits {
  return { ...settings, maxDaysByPolicy: { ...DEFAULT_LIMITS.maxDaysByPolicy, ...settings.maxDaysByPolicy } };
}

/** The root stack resource's name, to which the engine attributes stack-level violations. */
function rootStackName(): string {
  return `${currentProject()}-${currentStack()}`;
}

function rootStackUrn(): string {
  return `urn:pulumi:${currentStack()}::${currentProject()}::pulumi:pulumi:Stack::${rootStackName()}`;
}

// A glob matches itself (`*` and `?` match themselves too): a URN or name written out in full needs no equality test.
function coversStack(waiver: Waiver): boolean {
  return waiver.resource === rootStackUrn() || globMatch(waiver.resource, rootStackName());
}

function resourceMatches(waiver: Waiver, urn: string | undefined): boolean {
  if (urn === undefined) return coversStack(waiver);
  const name = urn.split("::").pop() ?? urn;
  return globMatch(waiver.resource, urn) || globMatch(waiver.resource, name);
}

/** The valid, unexpired waiver for a violation in the current stack, if any (and marks it used). */
export function waiverFor(book: WaiverBook, policy: string, urn: string | undefined, at: Date = now()): Waiver | undefined {
  if (book.problems.length > 0) return undefined;
  for (const waiver of book.waivers) {
    if (waiver.policy !== policy || waiver.stack !== currentStack() || !resourceMatches(waiver, urn)) continue;
    if (expiryOf(waiver) < at) continue;
    book.used.add(waiver.index);
    return waiver;
  }
  return undefined;
}

function waivingReporter(book: WaiverBook, policy: FlightdeckPolicy, defaultUrn: string | undefined, report: ReportViolation): ReportViolation {
  const waive = (details: ViolationDetails): void => {
    const waiver = details.enforcementLevel === "advisory" ? undefined : waiverFor(book, policy.name, details.urn ?? defaultUrn);
    if (!waiver) {
      reportWith(report, details);
      return;
    }
    reportWith(report, {
      message: `${WAIVER_PREFIX}${waiver.approvedBy} until ${waiver.expires}: ${waiver.reason}\n${details.message}`,
      urn: details.urn,
      enforcementLevel: "advisory",
    });
  };
  return ((message: string | ViolationDetails, urn?: string) => {
    if (typeof message === "object") waive(message);
    else waive({ message: `${policy.description}${message ? `\n${message}` : ""}`, urn });
  }) as ReportViolation;
}

/** The policy with each validate function wrapped so that waived violations become advisory notes. */
export function withWaivers(policy: FlightdeckPolicy, book: WaiverBook): FlightdeckPolicy {
  if ("validateStack" in policy) {
    const validate: StackValidation = policy.validateStack;
    const validateStack: StackValidation = (args, report) => validate(args, waivingReporter(book, policy, undefined, report));
    return { ...policy, validateStack };
  }
  // Stryker disable next-line ConditionalExpression,ArrayDeclaration: equivalent: every policy of the pack has one validateResource function (define.ts); the other shapes are @pulumi/policy's.
  const validations = policy.validateResource === undefined ? [] : Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource];
  const wrapped = validations.map((validate): ResourceValidation => (args, report) => validate(args, waivingReporter(book, policy, args.urn, report)));
  return { ...policy, validateResource: wrapped.length === 1 ? wrapped[0] : wrapped };
}

/** The entry a problem is about (`waivers[N]`), for reporting in file order; -1 for the file as a whole. */
function entryIndex(problem: string): number {
  const found = /: waivers\[(\d+)\]/.exec(problem);
  // Stryker disable next-line UnaryOperator: equivalent: a problem of the file as a whole is the book's only problem (loadWaivers stops there).
  return found ? Number(found[1]) : -1;
}

const HOUSEKEEPING: PolicyMetadata = {
  name: WAIVERS_POLICY,
  description:
    "Exceptions to the quality gates are explicit, owned and temporary: every waiver in policies/waivers.yaml names one policy that may be waived (not a critical one), one stack, " +
    "the resources it covers, a reason, an approver from the configured list and an expiry no further away than the limit (30 days; a day for an emergency deploy outside the schedule). " +
    'Spec, Deployment Schedule: "Emergency Hotfixes: Anytime (for critical bugs, security issues)".',
  severity: "high",
  remediation: [
    "Fix or remove the invalid entry named in the message: every field is required, stack and policy are exact names, approvedBy is one of policy-waivers-valid's approvers, expires is at most the allowed days away.",
    "Land a waiver in its own pull request, reviewed by the code owners of policies/, before the change it covers.",
    "Remove expired waivers and waivers that no longer match a violation; renew one only with a new approval.",
  ],
  topics: ["waivers", "change-management"],
};

const limitsSchema = {
  approvers: { type: "array" as const, items: { type: "string" as const, minLength: 1 }, description: "GitHub logins (or teams) whose approval a waiver may name." },
  maxDays: { type: "number" as const, exclusiveMinimum: 0, description: "Longest a waiver may run, in days from now." },
  maxDaysByPolicy: {
    type: "object" as const,
    additionalProperties: { type: "number" as const, exclusiveMinimum: 0 },
    description: "Shorter limits for some policies, in days (an emergency waiver of the deploy schedule: 1).",
  },
};

/**
 * Keeps the waivers file honest: every problem of the file is a mandatory error, whatever the config
 * says, and no waiver applies; every waiver outside the limits this policy's settings give (approvers,
 * days) is a mandatory error too; an expired waiver, one whose resources are not in the stack, and one
 * that matched no violation are advisory notes. Must be the last policy of the pack: it runs after
 * every other has reported, and only it sees its settings (a policy's args.getConfig() is its own).
 */
export function waiverHousekeeping(book: WaiverBook): StackValidationPolicy {
  return stackPolicy<WaiverLimits>(HOUSEKEEPING, {
    config: { defaults: DEFAULT_LIMITS, schema: limitsSchema },
    validate(_resources, limits, report, args) {
      const at = now();
      settleWaivers(book, waiverLimits(limits), currentStack(), at);
      // Only the stack's resources tell whether a glob is as broad as `*`.
      for (const waiver of book.waivers) {
        if (waiver.stack !== currentStack() || waiver.severity !== "high") continue;
        const broad = coversEveryResource(waiver, args.resources);
        if (broad !== undefined) book.limitProblems.push(`${waiver.at?.resource ?? book.file}: waivers[${waiver.index}] (policy ${waiver.policy}): ${broad}`);
      }
      // Reported here, after every other policy ran: a violation a waiver with a limit problem turned into a note stands, as this mandatory error says.
      const waivedNothing = book.problems.length > 0;
      const problems = [
        ...book.problems.map((problem) => `${problem}; no waiver applies until it is fixed`),
        ...book.limitProblems.map((problem) => `${problem}; ${waivedNothing ? "no waiver applies" : "the violations it waived stand"} until it is fixed`),
      ];
      for (const message of problems.sort((a, b) => entryIndex(a) - entryIndex(b))) reportWith(report as ReportViolation, { message, enforcementLevel: "mandatory" });
      if (problems.length > 0) return;
      for (const waiver of book.waivers) {
        if (waiver.stack !== currentStack()) continue;
        const label = `waivers[${waiver.index}] (${waiver.policy} on ${waiver.resource}, approved by ${waiver.approvedBy})`;
        let note: string | undefined;
        if (expiryOf(waiver) < at) note = `${label} expired on ${waiver.expires}: the violation it covered stands`;
        else if (!coversStack(waiver) && !args.resources.some((resource: PolicyResource) => resourceMatches(waiver, resource.urn))) {
          note = `${label} matches no resource of stack ${currentStack()}: remove it, or name the resources it covers`;
        } else if (!book.used.has(waiver.index)) note = `${label} matched no violation: remove it`;
        if (note) reportWith(report as ReportViolation, { message: note, enforcementLevel: "advisory" });
      }
    },
  });
}
