import { existsSync, readFileSync } from "node:fs";
import type { ReportViolation, ResourceValidation, StackValidation, StackValidationPolicy } from "@pulumi/policy";
import { parse } from "yaml";
import { z } from "zod";
import { now } from "./clock";
import { FlightdeckPolicy, PolicyMetadata, PULUMI_TYPE_KEY, reportWith, stackPolicy, ViolationDetails } from "./define";
import { globMatch } from "./glob";
import { currentStack } from "./stack";

/**
 * Waivers: an owner's signed-off, expiring exception to one policy for one resource (URN or name
 * glob) in one stack. Pulumi has none, so the pack wraps each policy's validate function: a
 * violation matched by an unexpired waiver is reported as an advisory note
 * ("waived by X until D: reason") instead of at the policy's enforcement level.
 */
const day = /^\d{4}-\d{2}-\d{2}$/;
const instant = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

export const waiverSchema = z.strictObject({
  policy: z.string().regex(/^[a-z][a-z0-9-]*$/, "must be a policy name"),
  /** A URN, or a glob (`*`, `?`) matched against the URN or the resource's name. `*` also matches stack-level violations. */
  resource: z.string().min(1),
  /** A stack name or glob. */
  stack: z.string().min(1),
  reason: z.string().min(10, "must say why (at least 10 characters)"),
  approvedBy: z.string().min(1),
  /** YYYY-MM-DD (valid through the end of that day, UTC) or an ISO 8601 instant. */
  expires: z
    .string()
    .refine((value) => (day.test(value) || instant.test(value)) && !Number.isNaN(Date.parse(value)), "must be YYYY-MM-DD or an ISO 8601 instant"),
});
export type Waiver = z.infer<typeof waiverSchema>;

export const WAIVER_PREFIX = "waived by ";

export function expiryOf(waiver: Waiver): Date {
  return new Date(day.test(waiver.expires) ? `${waiver.expires}T23:59:59.999Z` : waiver.expires);
}

export interface WaiverBook {
  file: string;
  waivers: Waiver[];
  /** Problems with the file; when any, no waiver applies (fail closed). */
  problems: string[];
  /** Indexes (into `waivers`) of waivers that waived a violation in this process. */
  used: Set<number>;
}

/** Reads and validates the waivers file. A missing file means no waivers; a malformed one waives nothing. */
export function loadWaivers(file: string): WaiverBook {
  const book: WaiverBook = { file, waivers: [], problems: [], used: new Set() };
  if (!existsSync(file)) return book;
  let document: unknown;
  try {
    document = parse(readFileSync(file, "utf8"));
  } catch (error) {
    book.problems.push(`${file}: not valid YAML: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`);
    return book;
  }
  if (document === null || document === undefined) return book;
  const entries = typeof document === "object" && !Array.isArray(document) ? (document as Record<string, unknown>)["waivers"] : undefined;
  const extraKeys = typeof document === "object" && !Array.isArray(document) ? Object.keys(document).filter((key) => key !== "waivers") : [];
  if (!Array.isArray(entries) && entries !== undefined && entries !== null) {
    book.problems.push(`${file}: waivers must be a list`);
    return book;
  }
  if (typeof document !== "object" || Array.isArray(document) || extraKeys.length > 0) {
    book.problems.push(`${file}: expected a mapping with only a \`waivers\` list${extraKeys.length ? ` (unexpected: ${extraKeys.join(", ")})` : ""}`);
    return book;
  }
  const waivers: Waiver[] = [];
  (entries ?? []).forEach((entry: unknown, index: number) => {
    const parsed = waiverSchema.safeParse(entry);
    if (parsed.success) {
      waivers.push(parsed.data);
      return;
    }
    const policy = typeof entry === "object" && entry !== null && typeof (entry as Record<string, unknown>)["policy"] === "string" ? ` (policy ${String((entry as Record<string, unknown>)["policy"])})` : "";
    const issues = parsed.error.issues.map((issue) => `${issue.path.join(".") || "(entry)"}: ${issue.message}`).join("; ");
    book.problems.push(`${file}: waivers[${index}]${policy} is malformed: ${issues}`);
  });
  if (book.problems.length === 0) book.waivers = waivers;
  return book;
}

function resourceMatches(waiver: Waiver, urn: string | undefined): boolean {
  if (urn === undefined || urn === "") return waiver.resource === "*";
  const name = urn.split("::").pop() ?? urn;
  return waiver.resource === urn || globMatch(waiver.resource, urn) || globMatch(waiver.resource, name);
}

function appliesToStack(waiver: Waiver): boolean {
  return globMatch(waiver.stack, currentStack());
}

/** The unexpired waiver for a violation, if any (and marks it used). */
export function waiverFor(book: WaiverBook, policy: string, urn: string | undefined, at: Date = now()): Waiver | undefined {
  for (const [index, waiver] of book.waivers.entries()) {
    if (waiver.policy !== policy || !appliesToStack(waiver) || !resourceMatches(waiver, urn)) continue;
    if (expiryOf(waiver) < at) continue;
    book.used.add(index);
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

/** Keeps the SDK's type marker on a wrapped validation (lets the server skip other types cheaply). */
function copyPulumiType(from: ResourceValidation | StackValidation, to: ResourceValidation | StackValidation): void {
  const type = (from as unknown as Record<string, unknown>)[PULUMI_TYPE_KEY];
  if (typeof type === "string") Object.defineProperty(to, PULUMI_TYPE_KEY, { value: type, enumerable: true });
}

/** The policy with each validate function wrapped so that waived violations become advisory notes. */
export function withWaivers(policy: FlightdeckPolicy, book: WaiverBook): FlightdeckPolicy {
  if ("validateStack" in policy) {
    const validate: StackValidation = policy.validateStack;
    const validateStack: StackValidation = (args, report) => validate(args, waivingReporter(book, policy, undefined, report));
    copyPulumiType(validate, validateStack);
    return { ...policy, validateStack };
  }
  const validations = policy.validateResource === undefined ? [] : Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource];
  const wrapped = validations.map((validate) => {
    const fn: ResourceValidation = (args, report) => validate(args, waivingReporter(book, policy, args.urn, report));
    copyPulumiType(validate, fn);
    return fn;
  });
  return { ...policy, validateResource: wrapped.length === 1 ? wrapped[0] : wrapped };
}

const HOUSEKEEPING: PolicyMetadata = {
  name: "policy-waivers-valid",
  description:
    "Exceptions to the quality gates are explicit, owned and temporary: every waiver in policies/waivers.yaml names a policy, a resource, a stack, a reason, an approver and an expiry.",
  severity: "medium",
  remediation: [
    "Fix the malformed entry (every field is required; expires is YYYY-MM-DD).",
    "Remove expired waivers and waivers that no longer match a violation; renew one only with a new approval.",
  ],
  topics: ["waivers", "change-management"],
};

/**
 * Keeps the waivers file honest: a malformed file is an error (mandatory, whatever the config says);
 * an expired waiver, one naming no policy of the pack, and one that matched no violation are reported
 * as advisory notes. Must be the last policy of the pack: it runs after every other has reported.
 */
export function waiverHousekeeping(book: WaiverBook, policyNames: readonly string[]): StackValidationPolicy {
  return stackPolicy(
    HOUSEKEEPING,
    {
      validate(_resources, _settings, report) {
        for (const problem of book.problems) {
          reportWith(report as unknown as ReportViolation, { message: `${problem}; no waiver applies until it is fixed`, enforcementLevel: "mandatory" });
        }
        const at = now();
        for (const [index, waiver] of book.waivers.entries()) {
          if (!appliesToStack(waiver)) continue;
          const label = `waivers[${index}] (${waiver.policy} on ${waiver.resource}, approved by ${waiver.approvedBy})`;
          let note: string | undefined;
          if (!policyNames.includes(waiver.policy)) note = `${label} names no policy of this pack`;
          else if (expiryOf(waiver) < at) note = `${label} expired on ${waiver.expires}: the violation it covered stands`;
          else if (!book.used.has(index)) note = `${label} matched no violation: remove it`;
          if (note) reportWith(report as unknown as ReportViolation, { message: note, enforcementLevel: "advisory" });
        }
      },
    },
  );
}
